"""textDocument/definition: where the name under the cursor is defined."""

from lsprotocol import types

from indexer.analysis import navigation
from server import convert


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls, params: types.DefinitionParams):
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, navigation.definitions, pos.line, pos.character)
        return convert.definition_locations(answer.root, answer.value) if answer else None
