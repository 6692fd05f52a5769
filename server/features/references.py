"""textDocument/references, honouring includeDeclaration."""

from lsprotocol import types

from indexer import navigation
from server import convert


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def references(ls, params: types.ReferenceParams):
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, navigation.references, pos.line, pos.character,
                                     params.context.include_declaration, ls.options.minConfidence,
                                     ls.options.includeGuesses)
        return convert.reference_locations(answer.root, answer.value) if answer else None
