"""Task localization: an issue, a bug report or a stack trace in; the files
and definitions to read or change out, best first, each with why.

Signals, each a ranked list fused by reciprocal rank (scores of unrelated
retrievers do not compare; ranks do):
- traceback frames, deepest first, mapped onto indexed files and the
  definition holding the line (or named by the frame);
- names the text spells (`format_price`, `Cart.total`, `KeyError`),
  weighted down when a name is defined in many places;
- BM25 over definitions and over whole files, with ALL of the text (a long
  issue is not cut at a model's 256 word pieces);
- optionally, nearest chunks to the embedded text, the text split into
  windows the model can read whole (`vectors`).
The graph then spreads evidence one hop: callers and callees of strong
candidates, the raise/catch sites of a named exception, overriding
methods; tests that exercise a candidate are named in its why. Tests and
vendored code rank below the code they test or copy, unless the task is
about tests.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

from indexer.agent import textindex, tracebacks
from indexer.graph.model import Symbol
from indexer.graph.query import Graph
from indexer.graph.vocab import RefKind, SymbolKind

RRF_K = 30
W_FRAME = 3.0
W_NAME = 1.6
W_SYMBOL_TEXT = 1.0
W_FILE_TEXT = 1.0
W_VECTOR = 0.8
HOP = 0.35  # share of a candidate's score its callers/callees receive
EXCEPTION_HOP = 0.5  # raise/catch sites of a named exception
SEEDS_EXPANDED = 20
TEST_FACTOR = 0.35
VENDOR_FACTOR = 0.3
DOCS_FACTOR = 0.5
MAX_K = 100
_MEMBERS = 0.1  # share of a file's next-best definitions in its score
_WINDOW_WORDS = 180  # a MiniLM window (256 word pieces) holds about this many words
_MAX_WINDOWS = 8
_IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\b")
_TEST_WORDS = {"test", "tests", "testing", "pytest", "unittest", "fixture", "fixtures"}
_VENDOR = re.compile(r"(^|/)(_?vendor(ed)?|third_party|thirdparty|extern|externals|site-packages)(/|$)")
_DOCS = re.compile(r"(^|/)(docs?|examples?|benchmarks?)(/|$)")


class VectorSearch(Protocol):
    """What the semantic index offers locate: the nearest definitions to a
    text, as (path, qualname) pairs best first (`SemanticIndex.nearest`)."""

    def nearest(self, texts: Sequence[str], limit: int) -> list[tuple[str, str]]: ...


@dataclass(slots=True)
class Candidate:
    symbol: Symbol
    score: float = 0.0
    why: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)

    def add(self, score: float, reason: str) -> None:
        self.score += score
        if reason and reason not in self.why:
            self.why.append(reason)


@dataclass(frozen=True, slots=True)
class LocatedSymbol:
    symbol: Symbol
    score: float
    why: tuple[str, ...]
    tests: tuple[str, ...]  # qualnames of tests that exercise it


@dataclass(frozen=True, slots=True)
class LocatedFile:
    path: str
    score: float
    why: tuple[str, ...]
    symbols: tuple[LocatedSymbol, ...]


@dataclass(frozen=True, slots=True)
class Located:
    files: tuple[LocatedFile, ...]
    symbols: tuple[LocatedSymbol, ...]  # flat, best first (functions, methods, classes)
    frames: int  # traceback frames read from the text
    seconds: float


def is_test_path(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
            or "/tests/" in f"/{path}" or "/test/" in f"/{path}" or "/testing/" in f"/{path}")


def _prior(path: str, is_test: bool, wants_tests: bool) -> float:
    factor = 1.0
    if (is_test or is_test_path(path)) and not wants_tests:
        factor *= TEST_FACTOR
    if _VENDOR.search(path):
        factor *= VENDOR_FACTOR
    elif _DOCS.search(path):
        factor *= DOCS_FACTOR
    return factor


def windows(text: str, words: int = _WINDOW_WORDS, limit: int = _MAX_WINDOWS) -> list[str]:
    """The text in overlapping windows a small embedding model reads whole;
    a very long text keeps its start, its end (where tracebacks sit) and
    evenly spaced middles."""
    tokens = text.split()
    if len(tokens) <= words:
        return [text.strip()] if text.strip() else []
    step = words * 3 // 4
    starts = list(range(0, max(1, len(tokens) - words // 4), step))
    if len(starts) > limit:
        picks = [round(i * (len(starts) - 1) / (limit - 1)) for i in range(limit)]
        starts = [starts[i] for i in sorted(set(picks))]
    return [" ".join(tokens[s:s + words]) for s in starts]


def mentioned_names(text: str) -> list[str]:
    """Identifiers that look like code: snake_case, CamelCase, dotted,
    called (`f(`), or quoted in backticks. Plain English words are left to
    BM25."""
    out: list[str] = []
    quoted = set(re.findall(r"`([^`\n]{1,80})`", text))
    for match in _IDENT.finditer(text):
        word = match.group(0)
        called = text[match.end():match.end() + 1] == "("
        codey = ("_" in word.strip("_") or "." in word or re.search(r"[a-z][A-Z]|[A-Z]{2}[a-z]", word)
                 or called or any(word in q for q in quoted) or word.startswith("__"))
        if codey and len(word) > 2 and word not in out:
            out.append(word)
    return out


def locate(graph: Graph, task: str, k: int = 10, vectors: VectorSearch | None = None,
           index: textindex.TextIndex | None = None, clock: Callable[[], float] = time.perf_counter) -> Located:
    started = clock()
    k = max(1, min(int(k), MAX_K))
    wants_tests = bool(_TEST_WORDS & set(textindex.tokens(task)))
    index = index or textindex.text_index(graph)
    cands: dict[str, Candidate] = {}
    file_score: dict[str, float] = defaultdict(float)
    file_why: dict[str, list[str]] = defaultdict(list)
    symbols_cache: dict[str, Symbol | None] = {}

    def symbol(qualname: str) -> Symbol | None:
        if qualname not in symbols_cache:
            prefetch([qualname])
        return symbols_cache[qualname]

    def prefetch(qualnames) -> None:
        """Many symbols in one query (a query each costs more than scoring)."""
        wanted = [q for q in dict.fromkeys(qualnames) if q not in symbols_cache]
        if wanted:
            found = graph.symbols_named(wanted)
            for q in wanted:
                symbols_cache[q] = found.get(q)

    def credit(sym: Symbol, score: float, reason: str) -> None:
        cand = cands.get(sym.qualname)
        if cand is None:
            cand = cands[sym.qualname] = Candidate(sym)
        cand.add(score, reason)

    # 1. Traceback frames, deepest first.
    frames = tracebacks.frames(task)
    indexed = graph.indexed_paths() if frames else []
    for rank, frame in enumerate(frames):
        path = tracebacks.match_path(frame.path, indexed)
        if path is None:
            continue
        sym = _frame_symbol(graph, path, frame)
        weight = W_FRAME / (1 + rank * 0.5)
        where = f"traceback frame {frame.path}:{frame.line}" + (f" in {frame.function}" if frame.function else "")
        if sym is not None:
            credit(sym, weight, where)
        file_score[path] += weight
        _note(file_why[path], where)

    # 2. Names the text spells.
    names = mentioned_names(task)
    exceptions = tracebacks.exception_names(task)
    for rank, name in enumerate(names[:60]):
        qualnames = _named(graph, name)
        if not qualnames or len(qualnames) > 40:
            continue
        found = graph.symbols_named(qualnames[:20])
        spread = 1.0 / len(qualnames) ** 0.5
        for qualname in qualnames[:20]:
            sym = found.get(qualname)
            if sym is None or sym.kind in (SymbolKind.PARAMETER, SymbolKind.MODULE):
                continue
            credit(sym, W_NAME * spread / (1 + rank * 0.05), f"the task names {name}")

    # 3. BM25 with the whole text.
    terms = Counter(textindex.tokens(task))
    symbol_hits = index.symbols.top(terms, 100)
    prefetch(doc.qualname for doc, _ in symbol_hits)
    for rank, (doc, _) in enumerate(symbol_hits):
        sym = symbol(doc.qualname)
        if sym is not None:
            credit(sym, W_SYMBOL_TEXT * RRF_K / (RRF_K + rank), "its code shares words with the task")
    for rank, (doc, _) in enumerate(index.files.top(terms, 50)):
        file_score[doc.path] += 0.5 * W_FILE_TEXT * RRF_K / (RRF_K + rank)
        if rank < 10:
            _note(file_why[doc.path], "the file shares words with the task")

    # 4. Embeddings of the text, window by window.
    if vectors is not None:
        try:
            nearest = vectors.nearest(windows(task), 60)
        except Exception:  # the vector store is optional: never fail a locate over it
            nearest = []
        prefetch(q for _, q in nearest)
        for rank, (path, qualname) in enumerate(nearest):
            sym = symbol(qualname)
            if sym is not None and sym.path == path:
                credit(sym, W_VECTOR * RRF_K / (RRF_K + rank), "its code means what the task says (embeddings)")

    # Priors before spreading, so a test does not pass on borrowed credit.
    for cand in cands.values():
        cand.score *= _prior(cand.symbol.path, cand.symbol.is_test, wants_tests)

    # 5. One hop through the graph from the strongest candidates.
    _expand(graph, cands, symbol, prefetch, exceptions, wants_tests)

    # Files: their best definition, some credit for more, their own text score.
    for cand in cands.values():
        file_score.setdefault(cand.symbol.path, 0.0)
    per_file: dict[str, list[Candidate]] = defaultdict(list)
    for cand in cands.values():
        per_file[cand.symbol.path].append(cand)
    ranked_files = []
    for path, base in file_score.items():
        members = sorted(per_file.get(path, []), key=lambda c: -c.score)
        score = base * _prior(path, False, wants_tests)
        if members:
            score += members[0].score + _MEMBERS * sum(c.score for c in members[1:4])
        why = list(file_why.get(path, []))
        for cand in members[:2]:
            _note(why, f"{cand.symbol.qualname}: {cand.why[0]}" if cand.why else cand.symbol.qualname)
        ranked_files.append((score, path, why, members))
    ranked_files.sort(key=lambda t: (-t[0], t[1]))

    def located(cand: Candidate) -> LocatedSymbol:
        return LocatedSymbol(cand.symbol, round(cand.score, 4), tuple(cand.why[:4]), tuple(cand.tests[:5]))

    files = tuple(LocatedFile(path, round(score, 4), tuple(why[:4]),
                              tuple(located(c) for c in members[:5] if c.symbol.kind in _DEFINITIONS))
                  for score, path, why, members in ranked_files[:k])
    flat = sorted((c for c in cands.values() if c.symbol.kind in _DEFINITIONS),
                  key=lambda c: (-c.score, c.symbol.qualname))
    return Located(files, tuple(located(c) for c in flat[:k]), len(frames), clock() - started)


_DEFINITIONS = ("function", "method", "class")


def _note(why: list[str], reason: str) -> None:
    if reason not in why:
        why.append(reason)


def _named(graph: Graph, name: str) -> list[str]:
    """Qualnames a written name may mean: exact, else by its last part with
    the written prefix as a suffix (`Cart.total` -> `shop.cart.Cart.total`)."""
    if graph.symbols(name):
        return [name]
    last = name.rsplit(".", 1)[-1]
    qualnames = graph.qualnames_named(last, limit=200)
    if "." in name:
        narrowed = [q for q in qualnames if q.endswith("." + name)]
        return narrowed or qualnames
    return qualnames


def _frame_symbol(graph: Graph, path: str, frame: tracebacks.Frame) -> Symbol | None:
    """The definition a frame points at: the one named like the frame's
    function whose span holds the line, else any so named in the file (the
    line may be from another version), else whatever holds the line."""
    holding = graph.enclosing_symbol(path, frame.line - 1)
    if frame.function:
        if holding is not None and holding.name == frame.function:
            return holding
        named = [s for s in graph.symbols_in_file(path) if s.name == frame.function and s.kind in _DEFINITIONS]
        if named:
            return min(named, key=lambda s: abs(s.range.start.line - frame.line))
    return holding


def _expand(graph: Graph, cands: dict[str, Candidate], symbol, prefetch, exceptions: list[str],
            wants_tests: bool) -> None:
    seeds = sorted(cands.values(), key=lambda c: -c.score)[:SEEDS_EXPANDED]
    if not seeds:
        return
    seed_names = {c.symbol.qualname for c in seeds}
    exception_classes = {c.symbol.qualname for c in seeds if c.symbol.kind == SymbolKind.CLASS and (
        c.symbol.name in exceptions or re.search(r"(Error|Exception|Warning)\b", c.symbol.signature))}
    gains: dict[str, tuple[float, str]] = {}

    def gain(qualname: str, score: float, reason: str) -> None:
        held = gains.get(qualname)
        if held is None or held[0] < score:
            gains[qualname] = (score, reason)

    edges = set(graph.edges_touching(seed_names))
    prefetch([e for e, t, _, _ in edges if t in seed_names])
    for enclosing, target, kind, confidence in edges:
        if target in seed_names and enclosing != target:
            source = cands[target]
            if target in exception_classes:
                gain(enclosing, EXCEPTION_HOP * source.score * confidence,
                     f"{'raises' if kind == RefKind.CALL else 'handles'} {source.symbol.name}")
            elif kind in (RefKind.CALL, RefKind.DECORATOR, RefKind.FIXTURE, RefKind.INHERIT):
                gain(enclosing, HOP * source.score * confidence, f"calls {source.symbol.name}")
                caller = symbol(enclosing)
                if caller is not None and (caller.is_test or is_test_path(caller.path)):
                    if enclosing not in source.tests:
                        source.tests.append(enclosing)
        if enclosing in seed_names and target != enclosing and kind in (RefKind.CALL, RefKind.INHERIT):
            source = cands[enclosing]
            gain(target, HOP * 0.8 * source.score * confidence, f"called by {source.symbol.name}")
    # Overrides: a method named by the task may be the base of the one that runs.
    for cand in seeds:
        sym = cand.symbol
        if sym.kind == SymbolKind.METHOD and sym.parent:
            for sub in _subclasses(graph, sym.parent):
                gain(f"{sub}.{sym.name}", HOP * cand.score, f"overrides {sym.qualname}")
    prefetch(gains)
    for qualname, (score, reason) in gains.items():
        sym = symbol(qualname)
        if sym is None or sym.kind not in _DEFINITIONS:
            continue
        score *= _prior(sym.path, sym.is_test, wants_tests)
        cand = cands.get(qualname)
        if cand is None:
            cand = cands[qualname] = Candidate(sym)
        cand.add(score, reason)


def _subclasses(graph: Graph, cls: str) -> list[str]:
    from indexer.analysis.impact import subclasses

    return subclasses(graph, cls)[:10]
