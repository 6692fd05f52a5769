"""textDocument/codeLens: "N references" above each class and function.

The lens command `codemeld.showReferences` is also a server command that
answers with the locations, for clients without a built-in equivalent.
"""

from lsprotocol import types

from indexer import navigation
from server import convert


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    async def code_lens(ls, params: types.CodeLensParams):
        answer = await ls.session.at(params.text_document.uri, navigation.reference_counts, ls.options.minConfidence)
        return convert.code_lenses(answer.root, answer.value) if answer else None

    @server.command(convert.SHOW_REFERENCES)
    async def show_references(ls, *args):
        if len(args) < 2 or not isinstance(args[0], str) or not isinstance(args[1], dict):
            return []
        line, character = args[1].get("line"), args[1].get("character")
        if not isinstance(line, int) or not isinstance(character, int):
            return []
        answer = await ls.session.at(args[0], navigation.references, line, character, False, ls.options.minConfidence)
        return convert.reference_locations(answer.root, answer.value) if answer else []
