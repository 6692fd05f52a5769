"""The table sizes a status shows are kept in meta after a full run
(`Store.remember_sizes`), so a warm start's first status reads one row
instead of counting every reference (issue 17); every write that changes
the tables drops them, and the sizes are then counted again. Data-driven:
each step changes the tree one way, and the status sizes must equal a count
of the tables, from the writer's store and from a second process's store."""

from __future__ import annotations

import sqlite3

import pytest

from indexer.graph.store import Store
from indexer.pipeline.index import IndexOptions, Indexer
from tests.support import write_tree

FILES = {"a.py": "def f():\n    return 1\n", "b.py": "from a import f\n\nf()\nf()\n"}

STEPS = {
    "unchanged": lambda ix, root: None,
    "buffer adds uses": lambda ix, root: ix.update_source("b.py", b"from a import f\n\nf()\nf()\nf()\n"),
    "new file on disk": lambda ix, root: ((root / "c.py").write_text("from a import f\nf()\n"),
                                          ix.update_paths(["c.py"])),
    "file deleted": lambda ix, root: ((root / "b.py").unlink(), ix.update_paths(["b.py"])),
    "full run after a change": lambda ix, root: ((root / "a.py").write_text("def f():\n    return 2\n\n\ndef g():\n"
                                                                            "    return f()\n"), ix.run()),
}


def counted(index_dir) -> tuple[int, int, int]:
    conn = sqlite3.connect(index_dir / "graph.sqlite3")
    try:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("files", "symbol_rows", "ref_rows"))
    finally:
        conn.close()


@pytest.mark.parametrize("step", STEPS)
def test_kept_sizes_follow_every_write(tmp_path, step):
    root = tmp_path / "ws"
    write_tree(root, FILES)
    index_dir = tmp_path / "index"
    indexer = Indexer(root, index_dir, IndexOptions(jobs=1))
    try:
        indexer.run()
        indexer.store.remember_sizes()
        assert indexer.store.get_meta("sizes") is not None
        assert indexer.store.table_sizes() == counted(index_dir)
        STEPS[step](indexer, root)
        assert indexer.store.table_sizes() == counted(index_dir)
        reader = Store(index_dir, readonly=True)  # another process: no cache of its own yet
        try:
            assert reader.table_sizes() == counted(index_dir)
        finally:
            reader.close()
        indexer.store.remember_sizes()
        assert indexer.store.get_meta("sizes") == " ".join(map(str, counted(index_dir)))
    finally:
        indexer.close()


def test_kept_sizes_are_read_not_counted(tmp_path):
    """A store opened on an index with kept sizes answers from them (here made
    deliberately wrong to tell the two apart)."""
    root = tmp_path / "ws"
    write_tree(root, FILES)
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=1))
    indexer.run()
    with indexer.store.transaction() as conn:
        indexer.store.set_meta(conn, "sizes", "7 8 9")
    indexer.close()
    reader = Store(tmp_path / "index", readonly=True)
    try:
        assert reader.table_sizes() == (7, 8, 9)
    finally:
        reader.close()
