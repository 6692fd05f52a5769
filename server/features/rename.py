"""textDocument/prepareRename and textDocument/rename across the workspace.

The plan comes from the edit facet of the document's language, reached
through the registry (Python's: `indexer.languages.python.edits.rename`);
uncertain edits (references matched by name only, or resolved with low
confidence) go under change annotations
with needsConfirmation, so the user confirms each one.
"""

from lsprotocol import types

from indexer import languages
from indexer.graph.vocab import SymbolKind
from server import convert, edits


class RenameError(Exception):
    """Why this position cannot be renamed (said to the user as it is)."""


def _prepare(graph, path, line, character):
    facet = languages.edits_for_path(path)
    if facet is None:
        return RenameError("this language has no rename")
    try:
        symbol, rng = facet.rename.renameable_at(graph, path, line, character)
    except facet.rename.RenameError as exc:
        return RenameError(str(exc))
    if symbol.kind == SymbolKind.MODULE:
        return RenameError("renaming a module is a file move: rename the file instead")
    return symbol, rng


def _plan(graph, path, line, character, new_name):
    facet = languages.edits_for_path(path)
    if facet is None:
        return RenameError("this language has no rename")
    try:
        symbol, _ = facet.rename.renameable_at(graph, path, line, character)
        return facet.rename.plan_rename(graph, symbol, new_name)
    except facet.rename.RenameError as exc:
        return RenameError(str(exc))


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
