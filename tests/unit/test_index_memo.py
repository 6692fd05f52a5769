"""IndexMemo keeps a table per index version, bounded by a limit that grows
with the index (its references), between a floor and a ceiling."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.analysis.index_memo import IndexMemo


class _Store:
    index_dir = Path("/nonexistent/index")


class _Graph:
    def __init__(self, references: int, version: tuple = (1,)):
        self.store = _Store()
        self.references = references
        self._version = version

    def version(self) -> tuple:
        return self._version

    def table_sizes(self) -> tuple[int, int, int]:
        return (1, 1, self.references)


@pytest.mark.parametrize("references, filled, kept", [
    (5, 15, False),      # a small index: the floor (10) applies, 15 entries start over
    (50, 15, True),      # 50 references keep 100 entries: 15 stay (a fixed 10 started over)
    (50, 90, True),      # ... and 90 (one a reference started over)
    (50, 110, False),    # ... and 110 do not
    (10_000, 150, False),  # the ceiling (100) bounds a huge index
])
def test_limit_grows_with_references(references, filled, kept):
    memo = IndexMemo(limit=10, ceiling=100)
    graph = _Graph(references)
    table = memo.table(graph)
    table.update((i, i) for i in range(filled))
    assert (memo.table(graph) is table) is kept


def test_new_version_starts_over():
    memo = IndexMemo(limit=10, ceiling=100)
    graph = _Graph(50)
    table = memo.table(graph)
    table["x"] = 1
    graph._version = (2,)
    assert memo.table(graph) == {}


def test_scratch_lives_with_its_table_and_counts_nothing():
    memo = IndexMemo(limit=10, ceiling=10)
    graph = _Graph(1)
    table = memo.table(graph)
    scratch = memo.scratch(table)
    scratch.update((i, i) for i in range(50))  # past the limit: the table stays
    assert memo.table(graph) is table and memo.scratch(table) is scratch
    table.update((i, i) for i in range(11))  # the table starts over: so does its scratch
    fresh = memo.table(graph)
    assert fresh is not table and memo.scratch(fresh) == {}
