"""What a rename starts from, in any language: the workspace symbol named at
a position, and the name's range there. Each language's rename plan raises
the same `RenameError`, so a front door catches one class."""

from __future__ import annotations

from indexer.graph.model import Range, Symbol
from indexer.graph.query import Graph


class RenameError(ValueError):
    """A rename that cannot be done, with the reason for the user."""


def renameable_at(graph: Graph, path: str, line: int, character: int) -> tuple[Symbol, Range]:
    """The workspace symbol named at a position, and the name's range there."""
    definition = graph.definition_at(path, line, character)
    if definition is not None:
        return definition, definition.selection_range
    refs = [r for r in graph.reference_at(path, line, character) if r.target]
    if not refs:
        raise RenameError("no symbol at this position")
    for ref in refs:
        symbol = graph.symbol(ref.target)
        if symbol is not None:
            return symbol, ref.range
    raise RenameError(f"'{refs[0].name}' is defined outside the workspace ({refs[0].target}) and cannot be renamed")
