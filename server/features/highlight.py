"""textDocument/documentHighlight: the other uses of this name in the file."""

from lsprotocol import types

from indexer.analysis import navigation
from server import convert


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)
    async def highlight(ls, params: types.DocumentHighlightParams):
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, navigation.highlights, pos.line, pos.character)
        return convert.highlights(answer.value) if answer else None
