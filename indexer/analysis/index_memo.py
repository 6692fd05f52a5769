"""Values derived from one index, kept while the index is unchanged.

A server answers many queries over the same index; what a query derives
from the graph alone (impact's receiver walks: which tests can hold an
instance of a class) is the same for every query until the index changes.
`IndexMemo.table(graph)` is the dict of one index at its current
`Graph.version()`: a new, empty one after any update, so an edit never
serves a value derived from the old graph."""

from __future__ import annotations

import threading

from indexer.graph.query import Graph


class IndexMemo:
    """One dict per index directory, for its current version only. Bounded:
    past `limit` entries the table starts over (entries are cheap to redo,
    and a long session must not keep every value it ever derived)."""

    def __init__(self, limit: int = 20_000):
        self.limit = limit
        self._tables: dict[str, tuple[tuple, dict]] = {}
        self._lock = threading.Lock()

    def table(self, graph: Graph) -> dict:
        """The dict for `graph` at its current version (one version read:
        call it once per query, not once per lookup)."""
        key = str(graph.store.index_dir)
        version = graph.version()
        with self._lock:
            held = self._tables.get(key)
            if held is None or held[0] != version or len(held[1]) > self.limit:
                held = (version, {})
                self._tables[key] = held
            return held[1]

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()
