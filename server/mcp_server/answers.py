"""Whole answers kept between the pages of one question.

An MCP tool pages a long answer with a cursor (`paging.py`), but each call
is a fresh question to the engine: without this cache every page of a
40,000-use references answer re-read and re-sorted the whole answer (about
a second a page on the standard library). Here the answer (rows, not
objects) is kept under the question's fingerprint and the index version
(`Graph.version()`: it moves on every index write, ours, a language
server's or the CLI's), so a next page only slices. Any change of the
index drops every entry; a small LRU bounded by rows keeps memory flat.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable

from indexer.graph.query import Graph

MAX_ANSWERS = 8  # questions kept
MAX_ROWS = 150_000  # rows kept over all of them (a 40,000-use answer is ~15 MB of tuples)


class AnswerCache:
    def __init__(self, max_answers: int = MAX_ANSWERS, max_rows: int = MAX_ROWS):
        self.max_answers, self.max_rows = max_answers, max_rows
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._version: tuple | None = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, graph: Graph, key: str, compute: Callable[[], tuple[Any, int]]) -> Any:
        """The answer to `key` on the index `graph` reads now. `compute()`
        returns (answer, rows it holds); call inside one read snapshot so
        the version and the answer agree."""
        version = graph.version()
        with self._lock:
            if version != self._version:
                self._items.clear()
                self._version = version
            held = self._items.get(key)
            if held is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return held[0]
        answer, rows = compute()
        with self._lock:
            self.misses += 1
            if self._version == version and rows <= self.max_rows:
                self._items[key] = (answer, rows)
                while len(self._items) > self.max_answers or sum(n for _, n in self._items.values()) > self.max_rows:
                    self._items.popitem(last=False)
        return answer
