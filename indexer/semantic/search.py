"""Hybrid search over the vector store, ranked with graph signals.

Two retrievers run on the chunk table: nearest vectors to the embedded query
and BM25 over identifier words. Their ranked lists are fused by reciprocal
rank fusion (RRF: robust to the two scores living on unrelated scales), per
symbol (a symbol's best chunk counts). The graph then nudges the order:
symbols many places refer to are more likely what a user means, and test
code ranks below source unless the query asks for tests.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import logging
import math
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from indexer.graph.model import Symbol
from indexer.graph.query import Graph
from indexer.semantic.chunks import split_identifier
from indexer.semantic.embedder import Embedder, default_embedder
from indexer.semantic.graph_text import GraphTextIndex
from indexer.semantic import EmbedderUnavailable, SemanticUnavailable
from indexer.semantic.store import VectorStore, VectorsNotBuilt, damaged, in_list, sql_str
from indexer.graph.vocab import SymbolKind

log = logging.getLogger(__name__)

RRF_K = 60
VECTOR_WEIGHT = 1.0
TEXT_WEIGHT = 0.5  # BM25 is the weaker retriever on code (evals.search: 0.56 vs 0.64 MRR alone)
CANDIDATES = 60  # chunks fetched per retriever before fusion
CENTRALITY_WEIGHT = 0.01  # per log(1 + incoming references); a tie-breaker: more hurt evals.search
TEST_PENALTY = 0.85
CONTAINER_WITH_MEMBER = 0.6
_COLUMNS = ("path", "qualname", "kind", "start_line", "part", "is_test", "text")
_TEST_WORDS = {"test", "tests", "testing", "fixture", "fixtures", "pytest", "unittest"}


@dataclass(frozen=True, slots=True)
class SearchHit:
    symbol: Symbol
    score: float
    snippet: str
    # "semantic": the vector store took part; "text": full text over the graph
    # only (no vectors yet, or the model cannot load).
    source: str = "semantic"


def is_phrase(query: str) -> bool:
    """True for natural language ("parse the config file"), False for a name
    or a dotted/partial identifier ("parse_config", "Session.send", "HTTPAd")."""
    words = query.split()
    if len(words) < 2:
        return False
    alphabetic = [w for w in words if re.fullmatch(r"[A-Za-z][a-z]*[.,?!:;]?", w)]
    return len(alphabetic) >= 2


def _query_words(query: str) -> str:
    """Identifiers in a query are split the same way the indexed words were."""
    return " ".join(w for token in re.findall(r"[A-Za-z0-9_]+", query) for w in split_identifier(token))


def _glob_matches(path: str, glob: str) -> bool:
    """fnmatch over the whole path (`*` crosses folders); a bare folder
    (`src/pkg` or `src/pkg/`) matches everything under it."""
    glob = glob.strip()
    if not any(ch in glob for ch in "*?["):
        folder = glob.rstrip("/")
        return path == folder or path.startswith(folder + "/")
    return fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(path, glob.replace("**/", ""))


def _has_member(qualname: str, candidates: set[str]) -> bool:
    prefix = qualname + "."
    return any(c.startswith(prefix) for c in candidates)


def _snippet(text: str, lines: int = 3) -> str:
    body = text.split("\n", 1)[1] if "\n" in text else ""  # drop the header phrase
    kept = [l.rstrip() for l in body.split("\n") if l.strip()][:lines]
    return "\n".join(kept)


@contextmanager
def _reading(index_dir: Path):
    """A store damaged under a reader (truncated files, a Rust panic) becomes
    one SemanticUnavailable that says how to repair it, not a traceback."""
    try:
        yield
    except (SemanticUnavailable, EmbedderUnavailable):
        raise
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise damaged(index_dir, exc) from None


MAX_QUERY = 2000  # characters of a search query that are used


class SemanticIndex:
    """Read side of the semantic index for one workspace. Thread-safe for
    concurrent searches; call `refresh()` to see a newer build."""

    def __init__(self, index_dir: Path, graph: Graph, embedder: Embedder | None = None):
        self.index_dir = Path(index_dir)
        self.graph = graph
        self.embedder = embedder or default_embedder()
        self._store: VectorStore | None = None
        self._lock = threading.Lock()
        self._graph_text = GraphTextIndex(graph)

    @property
    def store(self) -> VectorStore:
        """Opens lazily; raises SemanticUnavailable when there is no vector store."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = VectorStore(self.index_dir, readonly=True)
        return self._store

    def available(self) -> bool:
        try:
            return self.store.count() > 0
        except Exception:
            return False

    def refresh(self) -> None:
        if self._store is not None:
            self._store.checkout_latest()

    # -- queries ---------------------------------------------------------------

    def search(self, query: str, limit: int = 10, kind: str | Sequence[str] | None = None,
               path_glob: str | None = None) -> list[SearchHit]:
        with _reading(self.index_dir):
            return self._search(query, limit, kind, path_glob)

    def _search(self, query: str, limit: int, kind, path_glob) -> list[SearchHit]:
        query = query.strip()[:MAX_QUERY]  # the model reads 256 tokens; BM25 needs no more either
        if not query or limit <= 0:
            return []
        where = self._where(kind)
        fetch = CANDIDATES if path_glob is None else CANDIDATES * 5
        store = self._vectors()
        if store is None:  # nothing embedded yet (or --no-embeddings): the graph's full text alone
            return self._graph_text_hits(query, limit, kind, path_glob, fetch, skip_paths=None)
        source = "semantic"
        ranked = []
        try:
            vector = self.embedder.encode([query])[0]
            ranked.append((VECTOR_WEIGHT, store.vector_search(vector, fetch, where, _COLUMNS)))
        except EmbedderUnavailable as exc:  # the vectors are there but the model is not: BM25 still answers
            log.warning("search without the model: %s", exc)
            source = "text"
        ranked.append((TEXT_WEIGHT, store.text_search(_query_words(query), fetch, where, _COLUMNS)))
        missing = self._unembedded_paths(store)
        if missing:  # vectors still arriving: the files without them answer from the graph's text
            ranked.append((TEXT_WEIGHT, [
                self._graph_row(sym) for sym, _ in self._graph_text.search(
                    query, fetch, self._kinds(kind), path_ok=missing.__contains__)]))
        fused: dict[tuple, float] = {}
        best_row: dict[tuple, dict] = {}
        for weight, rows in ranked:
            rank = 0
            seen: set[tuple] = set()
            for row in rows:
                if path_glob and not _glob_matches(row["path"], path_glob):
                    continue
                key = (row["path"], row["start_line"], row["qualname"])
                if key in seen:
                    continue  # a symbol's best chunk stands for it in this list
                seen.add(key)
                rank += 1
                fused[key] = fused.get(key, 0.0) + weight / (RRF_K + rank)
                best_row.setdefault(key, row)
        self._apply_priors(query, fused, best_row)
        order = sorted(fused, key=lambda k: -fused[k])
        return self._hits(order, fused, best_row, limit, source)

    # -- before (and while) vectors exist --------------------------------------

    def _vectors(self) -> VectorStore | None:
        """The vector store when it has rows, else None (not built yet)."""
        if self._store is None and importlib.util.find_spec("lancedb") is None:
            return None  # installed without the [embed] extra: the graph answers
        try:
            store = self.store
        except VectorsNotBuilt:
            return None
        return store if store.count() > 0 else None

    def _unembedded_paths(self, store: VectorStore) -> set[str]:
        """Graph files whose vectors are missing or older than the graph."""
        embedded = store.file_shas()
        return {path for path, (_, sha, _, _) in self.graph.store.file_states().items()
                if sha and embedded.get(path) != sha}

    @staticmethod
    def _kinds(kind) -> set[str] | None:
        if not kind:
            return None
        kinds = {kind} if isinstance(kind, str) else set(kind)
        if SymbolKind.METHOD in kinds:
            kinds.add("property")
        return kinds

    @staticmethod
    def _graph_row(sym: Symbol) -> dict:
        from indexer.semantic.chunks import card_text

        return {"path": sym.path, "qualname": sym.qualname, "kind": sym.kind, "start_line": sym.range.start.line,
                "part": -1, "is_test": sym.is_test, "text": card_text(sym)}

    def _graph_text_hits(self, query: str, limit: int, kind, path_glob, fetch: int,
                         skip_paths: set[str] | None) -> list[SearchHit]:
        path_ok = (lambda p: _glob_matches(p, path_glob)) if path_glob else None
        found = self._graph_text.search(query, fetch, self._kinds(kind), skip_paths, path_ok)
        fused = {}
        rows = {}
        for rank, (sym, _) in enumerate(found, 1):
            key = (sym.path, sym.range.start.line, sym.qualname)
            fused[key] = 1.0 / (RRF_K + rank)
            rows[key] = self._graph_row(sym)
        self._apply_priors(query, fused, rows)
        order = sorted(fused, key=lambda k: -fused[k])
        return self._hits(order, fused, rows, limit, "text")

    def similar_to(self, qualname: str, limit: int = 10, kind: str | Sequence[str] | None = None,
                   path_glob: str | None = None) -> list[SearchHit]:
        """Symbols whose code is closest to this symbol's (its first chunk)."""
        with _reading(self.index_dir):
            return self._similar_to(qualname, limit, kind, path_glob)

    def _similar_to(self, qualname: str, limit: int, kind, path_glob) -> list[SearchHit]:
        store = self.store
        # Part 0 is the start of the body (the card, part -1, only names it).
        rows = store.rows(f"qualname = {sql_str(qualname)} AND part = 0", ["path", "start_line", "vector"])
        if not rows:
            return []
        own = {(r["path"], r["start_line"], qualname) for r in rows}
        where = self._where(kind)
        fetch = (limit + 5) * (5 if path_glob else 2)
        scores: dict[tuple, float] = {}
        best_row: dict[tuple, dict] = {}
        for row in store.vector_search(rows[0]["vector"], fetch, where, _COLUMNS):
            key = (row["path"], row["start_line"], row["qualname"])
            if key in own or key in scores or (path_glob and not _glob_matches(row["path"], path_glob)):
                continue
            scores[key] = 1.0 - float(row["_distance"])  # cosine similarity
            best_row[key] = row
        order = sorted(scores, key=lambda k: -scores[k])
        return self._hits(order, scores, best_row, limit)

    def nearest(self, texts: Sequence[str], limit: int = 60) -> list[tuple[str, str]]:
        """(path, qualname) of the definitions nearest to any of several
        texts (the windows of one long text, see `indexer.agent.locate`),
        fused by reciprocal rank."""
        texts = [t for t in texts if t.strip()]
        if not texts:
            return []
        fused: dict[tuple[str, str], float] = {}
        for vector in self.embedder.encode(texts):
            seen: set[tuple[str, str]] = set()
            for row in self.store.vector_search(vector, limit, None, _COLUMNS):
                key = (row["path"], row["qualname"])
                if key in seen:
                    continue
                seen.add(key)
                fused[key] = fused.get(key, 0.0) + 1.0 / (RRF_K + len(seen))
        return sorted(fused, key=lambda k: -fused[k])[:limit]

    # -- helpers ---------------------------------------------------------------

    def _apply_priors(self, query: str, fused: dict[tuple, float], rows: dict[tuple, dict]) -> None:
        """Graph signals, as multipliers on the fused score."""
        wants_tests = bool(_TEST_WORDS & set(_query_words(query).split()))
        refs = self._reference_counts({key[2] for key in fused})
        candidates = {key[2] for key in fused}
        for key, score in fused.items():
            qualname = key[2]
            prior = 1.0 + CENTRALITY_WEIGHT * math.log1p(refs.get(qualname, 0))
            if rows[key]["is_test"] and not wants_tests:
                prior *= TEST_PENALTY
            if rows[key]["kind"] in (SymbolKind.CLASS, SymbolKind.MODULE) and _has_member(qualname, candidates):
                # A container's text lists its members, so it matches what they
                # match; when a member is itself a candidate, the member is the
                # specific answer.
                prior *= CONTAINER_WITH_MEMBER
            fused[key] = score * prior

    @staticmethod
    def _where(kind: str | Sequence[str] | None) -> str | None:
        if not kind:
            return None
        kinds = [kind] if isinstance(kind, str) else list(kind)
        if SymbolKind.METHOD in kinds and SymbolKind.PROPERTY not in kinds:
            kinds.append("property")
        return in_list("kind", kinds)

    def _reference_counts(self, qualnames: set[str]) -> dict[str, int]:
        if not qualnames:
            return {}
        return self.graph.reference_counts(qualnames)

    def _hits(self, order: list[tuple], scores: dict[tuple, float], rows: dict[tuple, dict],
              limit: int, source: str = "semantic") -> list[SearchHit]:
        out: list[SearchHit] = []
        for key in order:
            symbol = self._symbol(*key)
            if symbol is None:
                continue  # the graph moved on since the vectors were written
            out.append(SearchHit(symbol, scores[key], _snippet(rows[key]["text"]), source))
            if len(out) >= limit:
                break
        return out

    def _symbol(self, path: str, start_line: int, qualname: str) -> Symbol | None:
        found = [s for s in self.graph.symbols(qualname) if s.path == path]
        for sym in found:
            if sym.range.start.line == start_line:
                return sym
        return found[0] if found else None
