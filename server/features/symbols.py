"""textDocument/documentSymbol (hierarchical) and workspace/symbol (fuzzy, ranked)."""

from lsprotocol import types

from indexer.analysis import navigation
from server import convert
from server.host import features

_WORKSPACE_LIMIT = 200
_PHRASE_LIMIT = 50


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
            # A phrase ("format a price") is a description, not a name: semantic
            # hits first, then whatever names matched (once the index is embedded).
            phrase = await features.phrase_matches(ls.session, params.query, _PHRASE_LIMIT)
            if phrase:
                seen = {(root, sym.path, sym.qualname) for _, root, sym in phrase}
                ranked = phrase + [t for t in ranked if (t[1], t[2].path, t[2].qualname) not in seen]
            return [convert.workspace_symbol(root, sym) for _, root, sym in ranked[:_WORKSPACE_LIMIT]]
