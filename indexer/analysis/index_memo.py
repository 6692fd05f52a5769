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
    past its limit the table starts over (entries are cheap to redo, and a
    long session must not keep every value it ever derived).

    The limit grows with the index: one entry per (callee, user) link is
    what impact's guards keep, so a steady state needs about as many entries
    as the index has references. A fixed 20,000 made pyparsing (47,000
    references) start over every second query: each query then walked its
    receiver classes and read its guard facts again (evals.impact, 40
    sampled functions, CPU: 761 ms -> 234 ms a query; the table held 22,863
    entries afterwards). `per_reference` entries a reference, between
    `limit` and `ceiling`: two, since the guards on builtin container types
    (impact_isinstance.BUILTIN_RULE) keep about 1.4 an entry a reference on
    click (31,159 for 22,238; at one, its 451 queries started over four
    times: CPU 18.0 s, at two 10.3 s, without the rule 12.6 s)."""

    def __init__(self, limit: int = 20_000, ceiling: int = 200_000, per_reference: float = 2.0):
        self.limit = limit
        self.ceiling = ceiling
        self.per_reference = per_reference
        self._tables: dict[str, tuple[tuple, dict, int]] = {}
        self._scratch: dict[int, tuple[dict, dict]] = {}  # id(table) -> (table, its scratch dict)
        self._lock = threading.Lock()

    def limit_for(self, graph: Graph) -> int:
        """The number of entries `graph`'s table keeps before it starts over."""
        references = graph.table_sizes()[2]
        return max(self.limit, min(self.ceiling, int(references * self.per_reference)))

    def table(self, graph: Graph) -> dict:
        """The dict for `graph` at its current version (one version read:
        call it once per query, not once per lookup)."""
        key = str(graph.store.index_dir)
        version = graph.version()
        with self._lock:
            held = self._tables.get(key)
            if held is None or held[0] != version or len(held[1]) > held[2]:
                held = (version, {}, self.limit_for(graph))
                self._tables[key] = held
            return held[1]

    def scratch(self, table: dict) -> dict:
        """A second dict that lives as long as `table` (one of `table`'s
        results), for plain caches of rows: its entries never count toward
        the table's limit, so what the table holds, and when it starts
        over, stay as they were (impact's answers can depend on that)."""
        with self._lock:
            held = self._scratch.get(id(table))
            if held is None or held[0] is not table:
                current = {id(t[1]) for t in self._tables.values()}
                for key in [k for k in self._scratch if k not in current]:
                    del self._scratch[key]  # its table started over or left
                held = self._scratch[id(table)] = (table, {})
            return held[1]

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()
            self._scratch.clear()
