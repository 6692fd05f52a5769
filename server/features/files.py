"""workspace/willRenameFiles: before a module or package is renamed or
moved, the import updates in every importer (the language's `moves`, through the registry), for the
client to apply together with the rename."""

from lsprotocol import types

from indexer import languages
from server import convert, edits

FILTERS = [
    types.FileOperationFilter(scheme="file", pattern=types.FileOperationPattern(
        glob="**/*.py", matches=types.FileOperationPatternKind.File)),
    types.FileOperationFilter(scheme="file", pattern=types.FileOperationPattern(
        glob="**", matches=types.FileOperationPatternKind.Folder)),
]


def _moves(graph, renames: list[tuple[str, str]], overlays: dict[str, bytes]):
    out, seen = [], set()
    for old, new in renames:
        # A file: its language's moves; a folder: every language's.
        facets = [languages.edits_for_path(old)] if languages.language_for_path(old) else languages.edit_facets()
        for facet in facets:
            if facet is None or getattr(facet, "moves", None) is None:
                continue
            for edit in facet.moves.module_move_edits(graph, old, new, overlays):
                key = (edit.path, edit.range.start.line, edit.range.start.character)
                if key not in seen:  # a file and its folder renamed together
                    seen.add(key)
                    out.append(edit)
    return out


def register(server) -> None:
    @server.feature(types.WORKSPACE_WILL_RENAME_FILES,
                    types.FileOperationRegistrationOptions(filters=FILTERS))
    async def will_rename(ls, params: types.RenameFilesParams):
        before = edits.versions(ls)
        by_folder: dict[int, tuple] = {}
        for change in params.files:
            old, new = ls.session.locate(change.old_uri), ls.session.locate(change.new_uri)
            if old is None or new is None or old[0] is not new[0]:
                continue  # into or out of the workspace: nothing indexed imports it by its new name
            if old[1].endswith(".py") and not new[1].endswith(".py"):
                continue
            by_folder.setdefault(id(old[0]), (old[0], []))[1].append((old[1], new[1]))
        found = []
        for folder, renames in by_folder.values():
            answer = await ls.session.run(folder, _moves, renames, folder.open_texts())
            if answer is not None and answer.value:
                found.append(answer)
        if not found:
            return None
        touched = set().union(*(edits.uris(a.root, a.value) for a in found))
        edits.refuse_if_changed(ls, before, touched, "import update")
        if len(found) == 1:
            return edits.build(ls, found[0].root, found[0].value, before, "import update")
        merged = [edits.build(ls, a.root, a.value, before, "import update") for a in found]
        return types.WorkspaceEdit(
            document_changes=[c for m in merged for c in (m.document_changes or [])] or None,
            changes={k: v for m in merged for k, v in (m.changes or {}).items()} or None)
