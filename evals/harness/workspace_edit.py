"""Apply a WorkspaceEdit the way an editor does (e2e tests and evals/edits.py)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.uris import to_fs_path

from indexer.graph.model import Range
from indexer.languages.python.edits.rename import TextEdit, apply_edits


def file_edits(edit: types.WorkspaceEdit) -> list[tuple[str, int | None, list]]:
    """(uri, version or None, edits) per document, from documentChanges or changes."""
    if edit.document_changes:
        return [(c.text_document.uri, c.text_document.version, list(c.edits))
                for c in edit.document_changes if isinstance(c, types.TextDocumentEdit)]
    return [(uri, None, list(e)) for uri, e in (edit.changes or {}).items()]


def needs_confirmation(edit: types.WorkspaceEdit, text_edit) -> bool:
    note_id = getattr(text_edit, "annotation_id", None)
    note = (edit.change_annotations or {}).get(note_id) if note_id else None
    return bool(note and note.needs_confirmation)


def apply_workspace_edit(edit: types.WorkspaceEdit, confirm: bool = True,
                         texts: dict[str, str] | None = None) -> dict[str, str]:
    """New text per uri (written to disk unless `texts` holds the buffers to
    edit in memory). `confirm`: what the user answers for edits that need it."""
    out = {}
    for uri, _version, edits in file_edits(edit):
        chosen = [e for e in edits if confirm or not needs_confirmation(edit, e)]
        path = Path(to_fs_path(uri))
        before = texts[uri] if texts is not None and uri in texts else path.read_text(encoding="utf-8")
        plain = [TextEdit(str(path), Range.of(e.range.start.line, e.range.start.character,
                                              e.range.end.line, e.range.end.character), e.new_text, True, "")
                 for e in chosen]
        after = apply_edits(before, plain)
        out[uri] = after
        if texts is None:
            path.write_text(after, encoding="utf-8")
    return out
