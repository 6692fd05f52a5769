"""What every WorkspaceEdit the server proposes needs: the open buffers'
versions, and a polite refusal when a document changed meanwhile.

An edit is computed against the versions the client holds (open documents:
the version of their last didOpen/didChange; other files: null, the disk).
It is refused with ContentModified when an open document it touches changed
while it was computed, or when its text no longer says what the index said
(an index still catching up with a burst of edits).
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcException

from indexer.graph.text import char_column
from server import convert


def versions(ls) -> dict[str, int | None]:
    """uri -> version of every open document, now."""
    return {uri: doc.version for uri, doc in ls.workspace.text_documents.items()}


def uris(root: Path, edits) -> set[str]:
    return {convert.path_uri(root, e.path) for e in edits}


def changed_since(ls, before: dict, touched: set[str]) -> list[str]:
    """Open documents among `touched` whose version differs from `before`
    (opened or closed meanwhile counts as changed)."""
    now = versions(ls)
    return sorted(uri for uri in touched if now.get(uri) != before.get(uri))


def refuse_if_changed(ls, before: dict, touched: set[str], what: str) -> None:
    changed = changed_since(ls, before, touched)
    if changed:
        names = ", ".join(uri.rsplit("/", 1)[-1] for uri in changed[:3])
        raise JsonRpcContentModified(f"codemeld: {names} changed while the {what} was computed; please try again")


def text_of(ls, root: Path, path: str) -> str | None:
    """What the client sees: the open buffer, else the file on disk."""
    uri = convert.path_uri(root, path)
    doc = ls.workspace.text_documents.get(uri)
    if doc is not None:
        return doc.source
    try:
        with open(root / path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def covered(text: str, r) -> str | None:
    """The text under an indexer Range (0-based lines, UTF-16 columns)."""
    lines = text.split("\n")
    if r.end.line >= len(lines):
        return None

    if r.start.line == r.end.line:
        line = lines[r.start.line]
        return line[char_column(line, r.start.character):char_column(line, r.end.character)]
    first, last = lines[r.start.line], lines[r.end.line]
    middle = lines[r.start.line + 1:r.end.line]
    return "\n".join([first[char_column(first, r.start.character):], *middle, last[:char_column(last, r.end.character)]])


def refuse_if_text_differs(ls, root: Path, edits, expected: str, what: str) -> None:
    """Every edit must replace `expected` (a rename replaces the old name)."""
    texts: dict[str, str | None] = {}
    for edit in edits:
        if edit.path not in texts:
            texts[edit.path] = text_of(ls, root, edit.path)
        text = texts[edit.path]
        if text is None or covered(text, edit.range) != expected:
            raise JsonRpcContentModified(
                f"codemeld: {edit.path}:{edit.range.start.line + 1} no longer reads '{expected}' (the index is"
                f" still catching up with an edit); please try the {what} again")


def failed(message: str) -> JsonRpcException:
    return JsonRpcException(message=message, code=types.LSPErrorCodes.RequestFailed)


def build(ls, root: Path, edits, before: dict, what: str) -> types.WorkspaceEdit:
    """The WorkspaceEdit for the client's capabilities; tells the user about
    uncertain edits left out for a client that cannot ask to confirm them."""
    document_changes, annotations = convert.edit_capabilities(ls.client_capabilities)
    edit, left_out = convert.workspace_edit(root, edits, before, document_changes, annotations)
    if left_out:
        ls.window_show_message(types.ShowMessageParams(
            type=types.MessageType.Warning,
            message=f"codemeld: {left_out} uncertain edit{'s' * (left_out != 1)} of the {what} left out:"
                    " this editor cannot ask you to confirm them"))
    return edit
