"""textDocument/prepareRename and textDocument/rename across the workspace.

The plan comes from `indexer.languages.python.edits.rename`; uncertain edits (references matched
by name only, or resolved with low confidence) go under change annotations
with needsConfirmation, so the user confirms each one.
"""

from lsprotocol import types

from indexer.languages.python.edits.rename import RenameError, plan_rename, renameable_at
from server import convert, edits


def _prepare(graph, path, line, character):
    try:
        symbol, rng = renameable_at(graph, path, line, character)
    except RenameError as exc:
        return exc
    if symbol.kind == "module":
        return RenameError("renaming a module is a file move: rename the file instead")
    return symbol, rng


def _plan(graph, path, line, character, new_name):
    try:
        symbol, _ = renameable_at(graph, path, line, character)
        return plan_rename(graph, symbol, new_name)
    except RenameError as exc:
        return exc


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(ls, params: types.PrepareRenameParams):
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, _prepare, pos.line, pos.character)
        if answer is None:
            return None
        if isinstance(answer.value, RenameError):
            raise edits.failed(f"codemeld: cannot rename here: {answer.value}")
        symbol, rng = answer.value
        return convert.prepare_rename(rng, symbol.name)

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    async def rename(ls, params: types.RenameParams):
        before = edits.versions(ls)
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, _plan, pos.line, pos.character, params.new_name)
        if answer is None:
            return None
        plan = answer.value
        if isinstance(plan, RenameError):
            raise edits.failed(f"codemeld: cannot rename: {plan}")
        touched = edits.uris(answer.root, plan.edits) | {params.text_document.uri}
        edits.refuse_if_changed(ls, before, touched, "rename")
        edits.refuse_if_text_differs(ls, answer.root, plan.edits, plan.symbol.name, "rename")
        return edits.build(ls, answer.root, plan.edits, before, "rename")
