"""BM25 over the workspace's code, at two grains: whole files and single
definitions (functions, methods, classes). The lexical half of `locate`.

Documents are built from the source text the graph points at: a
definition's lines, split into identifier words (`parse_HTTPDate` ->
`parse`, `http`, `date`, plus the whole identifier), so an issue's prose
and its pasted names both match. Postings are numpy arrays of precomputed
BM25 term weights, so a 300-word issue scores against the standard library
in milliseconds. Built once per index version and cached per process;
while a newer version builds in the background, the last one answers.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.graph.query import Graph
from indexer.graph.vocab import SymbolKind

log = logging.getLogger(__name__)

K1 = 1.2
B = 0.75
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|[0-9]|\b|_)|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
# Words every file has; they only add cost.
STOPWORDS = frozenset("""
a an and are as at be but by for from has have if in into is it its of on or that the their then there these this
to was were will with when where which who why not no can do does did so than too very self cls none true false
def class return import pass else elif try except finally raise while yield lambda global nonlocal assert del
i you we he she they me my our your us them what how all any some one would could should may might must been being
""".split())
_CODE_KINDS = ("function", "method", "class")
_MAX_FILE_BYTES = 1_000_000


def tokens(text: str) -> list[str]:
    """Identifier words, lower-case, plus each multi-word identifier whole."""
    out: list[str] = []
    for ident in _IDENT.findall(text):
        parts = [w.lower() for w in _WORD.findall(ident)]
        out.extend(p for p in parts if len(p) > 1 and p not in STOPWORDS)
        if len(parts) > 1:
            out.append(ident.lower())
    return out


@dataclass(frozen=True, slots=True)
class Doc:
    path: str
    qualname: str | None  # None: the whole file
    kind: str
    line: int  # 0-based start


class _Bm25:
    def __init__(self, docs: list[Doc], counts: list[Counter]):
        self.docs = docs
        n = len(docs)
        lengths = np.array([sum(c.values()) for c in counts], dtype=np.float32) if n else np.zeros(0, np.float32)
        avg = float(lengths.mean()) if n else 1.0
        norm = K1 * (1 - B + B * lengths / max(avg, 1.0))
        postings: dict[str, list] = {}
        for doc_id, counter in enumerate(counts):
            for term, tf in counter.items():
                postings.setdefault(term, [[], []])
                postings[term][0].append(doc_id)
                postings[term][1].append(tf * (K1 + 1) / (tf + norm[doc_id]))
        self.postings = {t: (np.array(d, dtype=np.int32), np.array(w, dtype=np.float32))
                         for t, (d, w) in postings.items()}
        self.idf = {t: math.log(1 + (n - len(d) + 0.5) / (len(d) + 0.5)) for t, (d, _) in self.postings.items()}
        self.size = n

    def scores(self, query_terms: Counter) -> np.ndarray:
        scores = np.zeros(self.size, dtype=np.float32)
        for term, qtf in query_terms.items():
            hit = self.postings.get(term)
            if hit is None:
                continue
            docs, weights = hit
            # Repeating a word in an issue helps, but with diminishing returns.
            scores[docs] += self.idf[term] * (1 + math.log(qtf)) * weights
        return scores

    def top(self, query_terms: Counter, k: int) -> list[tuple[Doc, float]]:
        if not self.size:
            return []
        scores = self.scores(query_terms)
        k = min(k, self.size)
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.docs[i], float(scores[i])) for i in best if scores[i] > 0]


class TextIndex:
    """BM25 over files (`files`) and over definitions (`symbols`)."""

    def __init__(self, files: _Bm25, symbols: _Bm25, version: tuple):
        self.files = files
        self.symbols = symbols
        self.version = version

    @classmethod
    def build(cls, graph: Graph) -> "TextIndex":
        version = graph.version()
        file_docs: list[Doc] = []
        file_counts: list[Counter] = []
        sym_docs: list[Doc] = []
        sym_counts: list[Counter] = []
        by_file: dict[str, list] = {}
        for sym in graph.definitions_of_kinds(_CODE_KINDS):
            by_file.setdefault(sym[0], []).append(sym)
        for path in graph.indexed_paths():
            text = _read(graph.root / path)
            if text is None:
                continue
            lines = [tokens(line) for line in text.split("\n")]
            path_words = tokens(path.replace("/", " ").removesuffix(".py"))
            whole = Counter(path_words)
            for words in lines:
                whole.update(words)
            file_docs.append(Doc(path, None, "file", 0))
            file_counts.append(whole)
            for _path, qualname, kind, start, end in by_file.get(path, ()):
                counter = Counter(tokens(qualname))
                if kind == SymbolKind.CLASS:
                    # A class is its header, docstring and attributes; its
                    # methods are documents of their own.
                    span = lines[start:min(end + 1, start + 30)]
                else:
                    span = lines[start:end + 1]
                for words in span:
                    counter.update(words)
                counter.update(path_words)
                sym_docs.append(Doc(path, qualname, kind, start))
                sym_counts.append(counter)
        return cls(_Bm25(file_docs, file_counts), _Bm25(sym_docs, sym_counts), version)


def _read(file: Path) -> str | None:
    try:
        if file.stat().st_size > _MAX_FILE_BYTES:
            return None
        return file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


_CACHE: dict[str, TextIndex] = {}
_BUILDING: set[str] = set()
_LOCK = threading.Lock()


def text_index(graph: Graph, wait: bool = False) -> TextIndex:
    """The cached index for this graph. A stale one answers (and a rebuild
    starts in the background) unless `wait`; the first one is built here."""
    key = str(graph.store.index_dir)
    version = graph.version()
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None and (cached.version == version or not wait):
            if cached.version != version and key not in _BUILDING:
                _BUILDING.add(key)
                threading.Thread(target=_rebuild, args=(graph, key), daemon=True,
                                 name="codemeld-textindex").start()
            return cached
    built = TextIndex.build(graph)
    with _LOCK:
        _CACHE[key] = built
    return built


def _rebuild(graph: Graph, key: str) -> None:
    try:
        built = TextIndex.build(graph)
        with _LOCK:
            _CACHE[key] = built
    except Exception:
        log.exception("rebuilding the text index failed")
    finally:
        with _LOCK:
            _BUILDING.discard(key)
