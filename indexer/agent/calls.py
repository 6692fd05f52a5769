"""Call edges with how sure each one is, for agents: who calls a symbol and
what it calls, grouped per calling/called definition, each edge carrying the
best confidence and resolution rule among its call sites."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.graph.model import Symbol
from indexer.analysis.navigation import CALL_KINDS, module_symbol, symbol_in
from indexer.graph.query import Graph


@dataclass(frozen=True, slots=True)
class CallEdge:
    symbol: Symbol  # the caller (for callers) or the callee (for callees)
    lines: tuple[int, ...]  # 0-based lines of the call sites, in the caller's file
    path: str  # the caller's file
    confidence: float
    how: str


def callers(graph: Graph, qualname: str, min_confidence: float = 0.0) -> list[CallEdge]:
    groups: dict[tuple[str, str | None], list] = {}
    for ref in graph.references(qualname, min_confidence=min_confidence):
        if ref.kind in CALL_KINDS:
            groups.setdefault((ref.path, ref.enclosing), []).append(ref)
    out = []
    named = graph.symbols_named([e for _, e in groups if e])  # one query, not one per caller
    for (path, enclosing), refs in groups.items():
        caller = named.get(enclosing) if enclosing else None
        if caller is not None and caller.path != path:
            caller = symbol_in(graph, enclosing, path)  # defined twice: the copy in the calling file
        caller = caller or module_symbol(graph, path)
        if caller is None:
            continue
        best = max(refs, key=lambda r: r.confidence)
        out.append(CallEdge(caller, tuple(r.range.start.line for r in refs), path, best.confidence, best.how))
    out.sort(key=lambda e: (-e.confidence, e.path, e.lines[0]))
    return out


def callees(graph: Graph, qualname: str, min_confidence: float = 0.0) -> list[CallEdge]:
    groups: dict[str, list] = {}
    for ref in graph.references_from(qualname):
        if ref.kind in CALL_KINDS and ref.target and ref.confidence >= min_confidence:
            groups.setdefault(ref.target, []).append(ref)
    out = []
    for target, refs in groups.items():
        callee = symbol_in(graph, target, refs[0].path)
        if callee is None:
            continue  # outside the workspace (stdlib, site-packages)
        best = max(refs, key=lambda r: r.confidence)
        out.append(CallEdge(callee, tuple(r.range.start.line for r in refs), refs[0].path, best.confidence, best.how))
    out.sort(key=lambda e: (e.lines[0], e.symbol.qualname))
    return out
