"""Go's rename plan over the graph: the definition, every reference spelled
with the old name, and the methods tied to it through interfaces (an
interface method and its implementations rename together, as gopls does).
References below 0.5 confidence (name matches) are uncertain edits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analysis.impact import subclasses, superclasses
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


def _related(graph: Graph, symbol: Symbol) -> list[Symbol]:
    """The method plus the same-named methods of types related through
    interfaces or embedding (in either direction, to closure)."""
    out = [symbol]
    if symbol.kind != SymbolKind.METHOD or not symbol.parent:
        return out
    seen, todo = {symbol.parent}, [symbol.parent]
    while todo:
        owner = todo.pop()
        for other in subclasses(graph, owner) + superclasses(graph, owner):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    for owner in sorted(seen - {symbol.parent}):
        out.extend(graph.symbols(f"{owner}.{symbol.name}"))
    return out


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

    for related in _related(graph, symbol):
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
