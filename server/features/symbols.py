"""textDocument/documentSymbol (hierarchical) and workspace/symbol (fuzzy, ranked)."""

from lsprotocol import types

from indexer import navigation
from server import convert

_WORKSPACE_LIMIT = 200


class document:
    @staticmethod
    def register(server) -> None:
        @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
        async def document_symbol(ls, params: types.DocumentSymbolParams):
            answer = await ls.session.at(params.text_document.uri, navigation.outline)
            return convert.document_symbols(answer.value) if answer else None


class workspace:
    @staticmethod
    def register(server) -> None:
        @server.feature(types.WORKSPACE_SYMBOL)
        async def workspace_symbol(ls, params: types.WorkspaceSymbolParams):
            answers = await ls.session.each(navigation.search_symbols, params.query, _WORKSPACE_LIMIT)
            # Each folder ranked its own matches; merge by the same score.
            ranked = sorted(((m.score, a.root, m.symbol) for a in answers for m in a.value), key=lambda t: -t[0])
            return [convert.workspace_symbol(root, sym) for _, root, sym in ranked[:_WORKSPACE_LIMIT]]
