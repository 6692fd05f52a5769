"""Engine values -> protocol models: the only place they meet. Engine types
(indexer.graph.model.Symbol, indexer.analysis.impact.ImpactReport...) stay plain data;
every front door that prints or sends them goes through here."""

from __future__ import annotations

from indexer import languages
from indexer.graph.model import file_uri
from server.protocol import models as m
from server.protocol.status_wire import embeddings_state


def position(p) -> m.Position:
    return m.Position(line=p.line, character=p.character)


def range_(r) -> m.Range:
    return m.Range(start=position(r.start), end=position(r.end))


def symbol(sym, root_uri: str | None = None) -> m.SymbolInfo:
    out = m.SymbolInfo(name=sym.name, qualname=sym.qualname, kind=sym.kind, path=sym.path, range=range_(sym.range),
                       selectionRange=range_(sym.selection_range), language=languages.dialect_of(sym.path))
    if root_uri is not None:
        out.uri = file_uri(root_uri, sym.path)
    return out


def dependent(dep, root_uri: str | None = None) -> m.Dependent:
    return m.Dependent(symbol=symbol(dep.symbol, root_uri), depth=dep.depth, kind=dep.kind,
                       confidence=round(dep.confidence, 3), via=list(dep.via), source=dep.source, how=dep.how)


def affected_test(test, root_uri: str | None = None) -> m.AffectedTest:
    return m.AffectedTest(id=test.id, symbol=symbol(test.symbol, root_uri) if test.symbol else None,
                          depth=test.depth, confidence=round(test.confidence, 3), via=list(test.via),
                          source=test.source, stale=test.stale)


def breaking(change) -> m.Breaking:
    return m.Breaking(path=change.path, range=range_(change.range), message=change.message, target=change.target)


def impact_report(report, root_uri: str | None = None, breaking_changes=None) -> m.ImpactReport:
    """`breaking_changes` (those of unsaved edits) replace the report's own when given."""
    changes = report.breaking if breaking_changes is None else breaking_changes
    return m.ImpactReport(
        target=symbol(report.target, root_uri),
        dependents=[dependent(d, root_uri) for d in report.dependents],
        tests=[affected_test(t, root_uri) for t in report.tests],
        files=list(report.files),
        breaking=[breaking(b) for b in changes],
        summary=m.ImpactSummary(dependents=len(report.dependents), tests=len(report.tests), files=len(report.files),
                                maxDepth=report.max_depth, truncated=report.truncated))


def affected_tests(selection, root_uri: str | None = None, pytest_args: bool = False) -> m.AffectedTests:
    out = m.AffectedTests(
        changed=[m.ChangedSymbol(symbol=symbol(c.symbol, root_uri), lines=list(c.lines)) for c in selection.changed],
        files=list(selection.files), unownedLines=dict(selection.unowned),
        tests=[affected_test(t, root_uri) for t in sorted(selection.tests.values(), key=lambda t: t.id)],
        summary=m.SelectionSummary(changedSymbols=len(selection.changed), tests=len(selection.tests),
                                   learned=sum(1 for t in selection.tests.values() if t.source != "static")))
    if pytest_args:
        out.pytestArgs = selection.ids()
    return out


def explanation(result, pack: bool = False) -> m.Explanation:
    out = m.Explanation(qualname=result.qualname, markdown=result.markdown, short=result.short,
                        source=result.source, model=result.model, note=result.note)
    if pack:
        out.pack = result.pack_summary
    return out


def search_result(hit, uri: str | None, source: str | None = None) -> m.SearchResult:
    """`uri`: the hit's file URI, as the front door spells it. `source`:
    "semantic", or "text" for a `TextHit` (`indexer.analysis.text_search`); by
    default the hit's own (a `SearchHit` says "text" when no vectors took part)."""
    source = source or getattr(hit, "source", "semantic")
    out = m.SearchResult(symbol=symbol(hit.symbol), score=round(hit.score, 6), snippet=hit.snippet, source=source)
    if uri is not None:
        out.symbol.uri = uri
    return out


def status(folders: list[dict]) -> m.IndexStatus:
    """Totals over all folders, and each folder's own."""
    return m.IndexStatus(
        state="indexing" if any(f["state"] == "indexing" for f in folders) else "ready",
        files=sum(f["files"] for f in folders), symbols=sum(f["symbols"] for f in folders),
        references=sum(f["references"] for f in folders), pending=sum(f["pending"] for f in folders),
        indexDir=folders[0]["indexDir"] if folders else None,
        embeddings=embeddings_state([f.get("embeddings", "off") for f in folders]),
        **({"partial": True} if any(f.get("partial") for f in folders) else {}),
        folders=[m.FolderStatus(**f) for f in folders])


# -- the same wire, as plain dicts ---------------------------------------------
# An impact report of 2,000 dependents and 2,000 tests built some 35,000
# pydantic models and dumped them again: half its time over LSP (issue 17).
# These build what `.wire()` of the models above gives (same keys, same
# values; tests/unit/test_wire_fast.py compares them) without the models,
# which stay the schema (protocol.ts is generated from them).


def _range_wire(r) -> dict:
    return {"start": {"line": r.start.line, "character": r.start.character},
            "end": {"line": r.end.line, "character": r.end.character}}


def symbol_wire(sym, root_uri: str | None = None, dialects: dict | None = None) -> dict:
    """`symbol(sym, root_uri).wire()`; `dialects` caches `dialect_of` by path."""
    if dialects is None:
        language = languages.dialect_of(sym.path)
    else:
        language = dialects.get(sym.path, dialects)
        if language is dialects:
            language = dialects[sym.path] = languages.dialect_of(sym.path)
    out = {"name": sym.name, "qualname": sym.qualname, "kind": str(sym.kind)}
    if root_uri is not None:
        out["uri"] = file_uri(root_uri, sym.path)
    out |= {"path": sym.path, "range": _range_wire(sym.range), "selectionRange": _range_wire(sym.selection_range),
            "language": language}
    return out


def dependent_wire(dep, root_uri: str | None = None, dialects: dict | None = None) -> dict:
    """`dependent(dep, root_uri).wire()`."""
    return {"symbol": symbol_wire(dep.symbol, root_uri, dialects), "depth": dep.depth, "kind": str(dep.kind),
            "confidence": float(round(dep.confidence, 3)), "via": list(dep.via), "source": dep.source, "how": dep.how}


def affected_test_wire(test, root_uri: str | None = None, dialects: dict | None = None) -> dict:
    """`affected_test(test, root_uri).wire()`."""
    return {"id": test.id, "symbol": symbol_wire(test.symbol, root_uri, dialects) if test.symbol else None,
            "depth": test.depth, "confidence": float(round(test.confidence, 3)), "via": list(test.via),
            "source": test.source, "stale": test.stale}


def impact_report_wire(report, root_uri: str | None = None, breaking_changes=None) -> dict:
    """`impact_report(report, root_uri, breaking_changes).wire()`."""
    dialects: dict = {}
    changes = report.breaking if breaking_changes is None else breaking_changes
    return {"target": symbol_wire(report.target, root_uri, dialects),
            "dependents": [dependent_wire(d, root_uri, dialects) for d in report.dependents],
            "tests": [affected_test_wire(t, root_uri, dialects) for t in report.tests],
            "files": list(report.files),
            "breaking": [breaking(b).wire() for b in changes],
            "summary": {"dependents": len(report.dependents), "tests": len(report.tests), "files": len(report.files),
                        "maxDepth": report.max_depth, "truncated": report.truncated}}
