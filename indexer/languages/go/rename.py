"""Go's rename plan over the graph: the definition, every reference spelled
with the old name, and the methods tied to it through interfaces (an
interface method and its implementations rename together, as gopls does).
References below 0.5 confidence (name matches) are uncertain edits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analysis.impact import hierarchy_namesakes
from indexer.graph.model import Symbol
from indexer.graph.query import Graph
from indexer.edits.renameable import RenameError, renameable_at  # noqa: F401 (this facet's rename API)
from indexer.edits.textedit import TextEdit
from indexer.graph.vocab import SymbolKind

UNCERTAIN_BELOW = 0.5
_IDENTIFIER = re.compile(r"^[^\W\d]\w*$")
KEYWORDS = frozenset(
    "break case chan const continue default defer else fallthrough for func go goto if import interface map"
    " package range return select struct switch type var".split())


@dataclass(frozen=True)
class RenamePlan:
    symbol: Symbol
    new_name: str
    edits: tuple[TextEdit, ...]


def plan_rename(graph: Graph, symbol: Symbol, new_name: str) -> RenamePlan:
    if not _IDENTIFIER.match(new_name) or new_name in KEYWORDS:
        raise RenameError(f"'{new_name}' is not a valid Go identifier")
    if symbol.kind == SymbolKind.MODULE:
        raise RenameError("renaming a package is a folder move")
    if new_name == symbol.name:
        return RenamePlan(symbol, new_name, ())
    if symbol.parent and graph.symbol(f"{symbol.parent}.{new_name}") is not None:
        raise RenameError(f"'{new_name}' is already defined in {symbol.parent}")
    edits: dict[tuple, TextEdit] = {}

    def add(path, rng, certain, reason) -> None:
        key = (path, rng.start.line, rng.start.character)
        held = edits.get(key)
        if held is None or (certain and not held.certain):
            edits[key] = TextEdit(path, rng, new_name, certain, reason)

    for related in hierarchy_namesakes(graph, symbol):
        add(related.path, related.selection_range, True,
            "the definition" if related.qualname == symbol.qualname else f"tied method {related.qualname}")
        for ref in graph.references(related.qualname):
            if ref.name != symbol.name:
                continue
            certain = ref.confidence >= UNCERTAIN_BELOW
            reason = ("matched by name only: confirm this is the same symbol" if ref.how == "name-match"
                      else f"{ref.kind} of {related.qualname}" if certain
                      else f"resolved with low confidence ({ref.how})")
            add(ref.path, ref.range, certain, reason)
    return RenamePlan(symbol, new_name, tuple(sorted(edits.values(), key=lambda e: (
        e.path, e.range.start.line, e.range.start.character))))
