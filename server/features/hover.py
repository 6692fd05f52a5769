"""textDocument/hover: signature, docstring, where defined, how widely used."""

from lsprotocol import types

from indexer import navigation
from server import convert


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls, params: types.HoverParams):
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, navigation.hover, pos.line, pos.character,
                                     ls.options.minConfidence)
        return convert.hover(answer.value) if answer else None
