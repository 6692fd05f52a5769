"""Full-text search over the symbol graph alone: no model, no vector store.

The vector table carries its own BM25 index, but it exists only once the
embedding step has written it; with `--no-embeddings`, or while the first
embedding run is still going, search would have nothing. This index is built
from what the graph already holds -- each module, class and function's name,
qualified name, signature and docstring summary, split into identifier
words -- so `search` answers from the moment the graph is indexed
(results say `source: "text"`), and `SemanticIndex` blends it in for the
files whose vectors are not written yet.

Built in memory on first use (about a second on the standard library) and
rebuilt when the graph's version changes.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict

from indexer.graph.model import Symbol
from indexer.graph.query import Graph
from indexer.semantic.chunks import EMBEDDED_KINDS, words_of

K1 = 1.2
B = 0.75
NAME_BOOST = 3  # words of the symbol's own name count this many times


def symbol_words(sym: Symbol) -> list[str]:
    summary = sym.docstring.strip().split("\n\n", 1)[0] if sym.docstring else ""
    name = words_of(sym.name).split()
    return name * NAME_BOOST + words_of(f"{sym.parent or ''} {sym.signature} {summary[:600]}").split()


class GraphTextIndex:
    """BM25 over symbol words, for one Graph. Thread-safe."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self._lock = threading.Lock()
        self._version = None
        self._symbols: list[Symbol] = []
        self._postings: dict[str, list[tuple[int, int]]] = {}
        self._lengths: list[int] = []
        self._mean_length = 1.0

    def _ensure(self) -> None:
        version = self.graph.version()
        if version == self._version:
            return
        with self._lock:
            if version == self._version:
                return
            symbols = self.graph.symbols_of_kinds(EMBEDDED_KINDS)
            postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
            lengths = []
            for number, sym in enumerate(symbols):
                counts: dict[str, int] = {}
                words = symbol_words(sym)
                for word in words:
                    counts[word] = counts.get(word, 0) + 1
                for word, count in counts.items():
                    postings[word].append((number, count))
                lengths.append(len(words))
            self._symbols, self._postings, self._lengths = symbols, dict(postings), lengths
            self._mean_length = (sum(lengths) / len(lengths)) if lengths else 1.0
            self._version = version

    def search(self, query: str, limit: int, kinds: set[str] | None = None,
               skip_paths: set[str] | None = None, path_ok=None) -> list[tuple[Symbol, float]]:
        """(symbol, BM25 score), best first."""
        self._ensure()
        words = set(words_of(query).split())
        if not words or not self._symbols:
            return []
        total = len(self._symbols)
        scores: dict[int, float] = defaultdict(float)
        for word in words:
            posting = self._postings.get(word)
            if not posting:
                continue
            idf = math.log(1 + (total - len(posting) + 0.5) / (len(posting) + 0.5))
            for number, count in posting:
                norm = K1 * (1 - B + B * self._lengths[number] / self._mean_length)
                scores[number] += idf * count * (K1 + 1) / (count + norm)
        out = []
        for number in sorted(scores, key=lambda n: -scores[n]):
            sym = self._symbols[number]
            if kinds and sym.kind not in kinds:
                continue
            if skip_paths and sym.path in skip_paths:
                continue
            if path_ok is not None and not path_ok(sym.path):
                continue
            out.append((sym, scores[number]))
            if len(out) >= limit:
                break
        return out
