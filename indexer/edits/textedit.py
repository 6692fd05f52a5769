"""Text edits in editor terms (0-based lines, UTF-16 columns), any language:
what rename, ripple, moves and the agent's previews produce and apply."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from indexer.graph.model import Range
from indexer.graph.text import split_at_utf16


@dataclass(frozen=True, slots=True)
class TextEdit:
    path: str
    range: Range
    new_text: str
    certain: bool
    reason: str  # why it is part of the change (shown when it needs confirmation)


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """Apply non-overlapping edits (0-based lines, UTF-16 columns) to a text."""
    lines = text.split("\n")

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = edit.range.start, edit.range.end
        if end.line >= len(lines):
            continue
        before, _ = split_at_utf16(lines[start.line], start.character)
        _, after = split_at_utf16(lines[end.line], end.character)
        lines[start.line:end.line + 1] = (before + edit.new_text + after).split("\n")
    return "\n".join(lines)


def read_text(file: Path) -> str:
    # newline="" keeps CRLF files CRLF when written back.
    with open(file, encoding="utf-8", newline="") as handle:
        return handle.read()
