"""Feature compositions: what answers more than one engine call, written once
for every front door. Each function here runs inside one read of a folder
(`fn(graph, ...)` on the host's query threads, or an async function over
the host's folders) and returns engine values; the LSP, MCP and CLI
adapters only convert them at their edge.

- impact + the breaking changes of unsaved edits, with learned tests from
  the coverage cache;
- hover: the navigation facts plus a one-line explanation;
- code-action offers (signature ripple, defaults, "ask the model") and the
  edits behind them;
- semantic search merged over the workspace folders (a folder whose first
  embedding run is still going answers by text, `indexer.analysis.text_search`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from indexer.analysis import navigation
from indexer.explain import hover_line, symbol_at
from indexer.explain.llm import ChatClient, LLMConfig
from indexer.analysis.impact import Breaking, ImpactReport, impact_at
from indexer import languages
from indexer.semantic import SemanticUnavailable
from indexer.graph.vocab import RefKind, SymbolKind
from server.host.coverage import coverage_for  # re-exported: its home is light for the CLI

# -- impact ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Impact:
    report: ImpactReport
    breaking: list[Breaking] | None  # None: the document has no unsaved edits to compare


def impact_with_breaking(graph, path: str, line: int, character: int, depth: int, limit: int,
                         text: bytes | None, baseline, overlays: dict[str, bytes], on_dependents=None) -> Impact | None:
    report = impact_at(graph, path, line, character, depth=depth, limit=limit, coverage=coverage_for(graph.root),
                       on_dependents=on_dependents)
    if report is None:
        return None
    breaking = None
    facet = languages.edits_for_path(path)
    if text is not None and baseline is not None and facet is not None:
        breaking = facet.breaking.breaking_changes(graph, path, text, overlays, baseline=baseline)
    return Impact(report, breaking)


# -- hover ----------------------------------------------------------------------


def hover(graph, path: str, line: int, character: int, min_confidence: float, model: str | None):
    """(HoverInfo, one-line explanation) or None where nothing is defined."""
    info = navigation.hover(graph, path, line, character, min_confidence)
    if info is None:
        return None
    explanation = ""
    if info.references <= navigation.HOVER_DETAIL_LIMIT:  # keep hovers on hugely used names fast
        try:
            explanation = hover_line(graph, path, line, character, model, brief=True)
        except Exception:  # an explanation is a bonus: never lose the hover over it
            explanation = ""
    return info, explanation


# -- code-action offers -------------------------------------------------------------

RIPPLE, DEFAULTS, ASK = "ripple", "defaults", "ask"
_CACHE_SIZE = 16
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def _changes(graph, folder, doc_path: str, text: bytes, overlays: dict[str, bytes]):
    """(ripples, defaults, breaks) of one open document against its saved
    state; None without one. Cached by every open text it depends on."""
    baseline = folder.baseline(doc_path)
    if baseline is None:
        return None
    key = (str(folder.root), doc_path, id(baseline), hash(text),
           hash(tuple(sorted((p, hash(t)) for p, t in overlays.items()))))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    facet = languages.edits_for_path(doc_path)
    if facet is None:
        return None
    found = (facet.ripple.update_call_sites(graph, doc_path, text, overlays, baseline=baseline),
             facet.ripple.add_defaults(graph, doc_path, text, baseline=baseline),
             facet.breaking.breaking_changes(graph, doc_path, text, overlays, baseline=baseline))
    with _cache_lock:
        _cache[key] = found
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def _overlaps(r, start: int, end: int) -> bool:
    return r.start.line <= end and r.end.line >= start


def _about(target: str, breaking_target: str) -> bool:
    return breaking_target == target or target == breaking_target + ".__init__"


def offers(graph, path: str, folder, start: int, end: int, model: str | None) -> list[dict]:
    """Query thread: the actions for lines start..end of `path`, as
    `{kind, path, target, title}` dicts (the adapter's `data`)."""
    overlays = folder.open_texts()
    out = []
    for doc_path, text in sorted(overlays.items()):
        found = _changes(graph, folder, doc_path, text, overlays)
        if not found:
            continue
        ripples, defaults, breaks = found
        for kind, ripple in [(RIPPLE, r) for r in ripples] + [(DEFAULTS, r) for r in defaults]:
            here = False
            if doc_path == path:  # on the definition (the index holds the buffer: its positions are current)
                here = any(s.path == path and _overlaps(s.range, start, end) for s in graph.symbols(ripple.target))
            here = here or any(b.path == path and _about(ripple.target, b.target) and _overlaps(b.range, start, end)
                               for b in breaks)
            here = here or any(e.path == path and _overlaps(e.range, start, end) for e in ripple.edits)
            if here:
                out.append({"kind": kind, "path": doc_path, "target": ripple.target, "title": ripple.title})
    if model and path in overlays and folder.baseline(path) is not None:
        enclosing = graph.enclosing_symbol(path, start)
        while enclosing is not None and enclosing.kind not in (SymbolKind.FUNCTION, SymbolKind.METHOD):
            enclosing = graph.symbol(enclosing.parent) if enclosing.parent else None
        if enclosing is not None and any(r.kind == RefKind.CALL and r.path != path for r in graph.references(enclosing.qualname)):
            changed = {q for q, _, _ in languages.edits_for_path(path).propagate.changed_definitions(
                graph, path, overlays[path])}
            if enclosing.qualname in changed:
                out.append({"kind": ASK, "path": path, "target": enclosing.qualname,
                            "title": f"Ask {model} to update the callers of {enclosing.name}()"})
    return out


def edits_for(graph, path: str, folder, data: dict, config: LLMConfig | None):
    """Query thread: the indexer TextEdits an offered action stands for (None: no longer applies)."""
    overlays = folder.open_texts()
    text = overlays.get(data["path"])
    if text is None:
        return None
    if data["kind"] == ASK:
        if config is None:
            return None
        facet = languages.edits_for_path(data["path"])
        if facet is None:
            return None
        proposals = facet.propagate.propagate(graph, data["path"], text, ChatClient(config), only=data["target"])
        return [p.edit for p in proposals]
    found = _changes(graph, folder, data["path"], text, overlays)
    if not found:
        return None
    for ripple in found[0] if data["kind"] == RIPPLE else found[1]:
        if ripple.target == data["target"]:
            return list(ripple.edits)
    return None


# -- semantic search over every folder -------------------------------------------------


def _search(graph, state, query: str, limit: int, kind, path_glob):
    try:
        return state.index.search(query, limit, kind=kind, path_glob=path_glob)
    except SemanticUnavailable:  # nothing embedded in this folder (no Python files)
        return []


def _similar(graph, path: str, line: int, character: int, state, limit: int, kind, path_glob):
    sym = symbol_at(graph, path, line, character, enclosing=True)
    if sym is None:
        return []
    try:
        return state.index.similar_to(sym.qualname, limit, kind=kind, path_glob=path_glob)
    except SemanticUnavailable:
        return []


async def _ready(session, folder):
    """The folder's semantic state after its first embedding run."""
    from server.host.workspace import in_daemon_thread

    service = session.semantic
    if service is None:
        raise SemanticUnavailable("semantic search is switched off (initialization option embeddings: false)")
    return await in_daemon_thread(service.wait_first_run, folder)


def _now_state(session, folder):
    """The folder's semantic state when it can answer now; None while its
    first embedding is still being built (then the graph answers, by text).
    Raises SemanticUnavailable when semantic search is off or cannot work."""
    from server.host.semantic import UNAVAILABLE

    service = session.semantic
    if service is None:
        raise SemanticUnavailable("semantic search is switched off (initialization option embeddings: false)")
    state = service.state_of(folder)
    if state is None:
        raise SemanticUnavailable("semantic search is off for this folder")
    if state.state == UNAVAILABLE:
        raise SemanticUnavailable(state.error or "the semantic index is unavailable")
    return state if state.first_done.is_set() else None


async def search(session, query: str, limit: int, kind=None, path_glob: str | None = None) -> list[tuple]:
    """(root, SearchHit, source) of every folder's hits, merged by score, best
    first. A folder whose embeddings are still being built answers at once
    from names, qualified names and docstrings: its source is "text", else
    "semantic". Raises SemanticUnavailable when no folder can search at all."""
    from indexer.analysis.text_search import text_search

    found, errors = [], []
    for folder in list(session.folders):
        try:
            state = _now_state(session, folder)
        except SemanticUnavailable as exc:
            errors.append(str(exc))
            continue
        if state is None:
            answer, source = await session.run(folder, text_search, query, limit, kind, path_glob), "text"
        else:
            answer, source = await session.run(folder, _search, state, query, limit, kind, path_glob), "semantic"
        if answer is not None:
            found.extend((hit.score, answer.root, hit, source) for hit in answer.value)
    if errors and not found and len(errors) == len(session.folders):
        raise SemanticUnavailable(errors[0])
    found.sort(key=lambda t: -t[0])
    return [(root, hit, source) for _, root, hit, source in found[:limit]]


async def similar(session, uri: str, line: int, character: int, limit: int, kind=None,
                  path_glob: str | None = None):
    """(root, hits) like the symbol at a position; None outside every folder."""
    located = session.locate(uri)
    if located is None:
        return None
    folder, path = located
    state = await _ready(session, folder)
    answer = await session.run(folder, _similar, path, line, character, state, limit, kind, path_glob)
    return (answer.root, answer.value) if answer else None


async def phrase_matches(session, query: str, limit: int) -> list[tuple]:
    """workspace/symbol fallback: (score, root, Symbol) of semantic hits when
    the query reads as a phrase; [] otherwise or while no folder is embedded
    (workspace/symbol never waits for the model)."""
    service = session.semantic
    if service is None:
        return []
    from indexer.semantic.search import is_phrase

    if not is_phrase(query):
        return []
    out = []
    for folder in list(session.folders):
        state = service.state_of(folder)
        if state is None or not state.ready():
            continue
        answer = await session.run(folder, _search, state, query, limit, None, None)
        if answer is not None:
            out.extend((hit.score, answer.root, hit.symbol) for hit in answer.value)
    out.sort(key=lambda t: -t[0])
    return out[:limit]
