"""Status counts (`Graph.table_sizes`) are cached between commits, and any
commit, by this process or another, makes the next call count again."""

from __future__ import annotations

from pathlib import Path

from indexer.graph.query import Graph
from indexer.graph.store import Store
from indexer.pipeline.index import Indexer, IndexOptions


def test_counts_follow_commits_of_any_connection(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "a.py").write_text("def f():\n    return 1\n")
    index_dir = tmp_path / "index"
    indexer = Indexer(root, index_dir, IndexOptions(jobs=1))
    indexer.run()
    reader = Graph(Store(index_dir, readonly=True), root)  # another connection, as a server's status thread
    files, symbols, refs = reader.table_sizes()
    assert files == 1 and symbols >= 2
    assert reader.table_sizes() == (files, symbols, refs)  # cached: nothing committed

    (root / "b.py").write_text("from a import f\n\nf()\nf()\n")
    indexer.run()  # the writer's own connection commits
    files2, symbols2, refs2 = reader.table_sizes()
    assert files2 == 2 and symbols2 > symbols and refs2 >= refs + 2

    (root / "b.py").unlink()
    Indexer(root, index_dir, IndexOptions(jobs=1)).run()  # a second writer (another process's view)
    assert reader.table_sizes()[0] == 1
    indexer.close()
