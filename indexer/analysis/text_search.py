"""Full-text search over the graph alone: names, qualified names and
docstrings. What `codemeld/search` answers at once while the semantic index
(embeddings) is still being built, so a first search never waits for the
model. Same result shape as semantic search (`SearchHit`-like), marked by the
caller as text-only.

Ranking: each query word scores where it is found (the symbol's own name
words > its qualified name > its docstring), words are compared after a
light stemming (price/prices, format/formatting), and symbols that match
more of the query rank first; tests rank below code unless asked for.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Sequence

from indexer.graph.model import Symbol
from indexer.graph.query import Graph
from indexer.graph.vocab import SymbolKind

KINDS = ("module", "class", "function", "method", "property")
_STOP = frozenset("a an and are as at be by for from in into is it of on or that the this to with without".split())
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_TEST_WORDS = {"test", "tests", "testing", "pytest", "fixture"}


@dataclass(frozen=True, slots=True)
class TextHit:
    symbol: Symbol
    score: float
    snippet: str
    source: str = "text"  # as `SearchHit.source`: no vectors took part


_STEMMER = None


def _stem(word: str) -> str:
    """Porter2 (snowballstemmer): format/formatting, price/prices, class/classes."""
    global _STEMMER
    if _STEMMER is None:
        import snowballstemmer

        _STEMMER = snowballstemmer.stemmer("english")
    return _STEMMER.stemWord(word)


def words(text: str) -> list[str]:
    """Lower-case stemmed words of a text or an identifier (`formatPrice` -> format, price)."""
    return [_stem(w.lower()) for w in _WORD.findall(text or "")]


def query_words(query: str) -> list[str]:
    out: list[str] = []
    for w in words(query):
        if w not in _STOP and w not in out:
            out.append(w)
    return out


def _snippet(sym: Symbol) -> str:
    first = (sym.docstring or "").strip().split("\n", 1)[0]
    return "\n".join(part for part in (sym.signature or f"{sym.kind} {sym.name}", first) if part)


def _kind_matches(sym: Symbol, kind: str | Sequence[str] | None) -> bool:
    if kind is None:
        return True
    kinds = {kind} if isinstance(kind, str) else set(kind)
    return sym.kind in kinds or (SymbolKind.METHOD in kinds and sym.kind == SymbolKind.PROPERTY)


def text_search(graph: Graph, query: str, limit: int = 20, kind: str | Sequence[str] | None = None,
                path_glob: str | None = None) -> list[TextHit]:
    """Best first; [] when the query has no searchable word."""
    wanted = query_words(query)
    if not wanted:
        return []
    # Candidates by substring of the unstemmed-enough prefix ("pric" finds price and prices).
    probes = sorted({w[:max(3, len(w) - 1)] if len(w) > 3 else w for w in wanted})
    asks_tests = any(w in _TEST_WORDS for w in wanted)
    hits: list[TextHit] = []
    for sym in graph.symbols_with_words(probes, KINDS):
        if not _kind_matches(sym, kind) or (path_glob and not fnmatch.fnmatch(sym.path, path_glob)):
            continue
        name, qual, doc = set(words(sym.name)), set(words(sym.qualname)), set(words(sym.docstring))
        score, matched = 0.0, 0
        for w in wanted:
            if w in name:
                score, matched = score + 3.0, matched + 1
            elif w in qual:
                score, matched = score + 1.5, matched + 1
            elif w in doc:
                score, matched = score + 1.0, matched + 1
        if not matched:
            continue
        score *= 0.5 + 0.5 * matched / len(wanted)  # matching more of the query beats matching one word well
        if sym.is_test and not asks_tests:
            score *= 0.7
        score -= 0.01 * sym.qualname.count(".")  # the shorter name first among equals
        hits.append(TextHit(sym, score, _snippet(sym)))
    hits.sort(key=lambda h: (-h.score, h.symbol.qualname))
    return hits[:limit]
