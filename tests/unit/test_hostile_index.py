"""Regression tests for the red-team defects in the graph index (issue 16):
undecodable file names, incremental vs cold differences, damaged stores,
concurrent writers."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from indexer.pipeline.index import IndexOptions, Indexer
from indexer.graph.query import Graph
from tests.support import write_tree

ROWS = {
    "files": "SELECT path, sha256, module, error FROM files ORDER BY 1",
    "symbols": "SELECT f.path, s.qualname, s.kind, s.sl, s.sc, s.el, s.ec, s.is_test FROM symbols s"
               " JOIN files f ON f.id=s.file_id ORDER BY 1,2,3,4,5",
    "refs": "SELECT f.path, r.sl, r.sc, r.el, r.ec, r.name, r.kind, r.enclosing, r.target, round(r.confidence, 6),"
            " r.how FROM refs r JOIN files f ON f.id=r.file_id ORDER BY 1,2,3,4,5,6,7,8,9,10,11",
}


def rows(index_dir: Path) -> dict[str, list]:
    conn = sqlite3.connect(index_dir / "graph.sqlite3")
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in ROWS.items()}
    finally:
        conn.close()


def cold_rows(root: Path, index_dir: Path) -> dict[str, list]:
    indexer = Indexer(root, index_dir, IndexOptions(jobs=1))
    indexer.run()
    indexer.close()
    return rows(index_dir)


# -- 1. a file name that is not valid UTF-8 -------------------------------------

def test_undecodable_file_name_is_skipped_with_a_warning(tmp_path, caplog):
    root = tmp_path / "ws"
    write_tree(root, {"good.py": "def fine():\n    return 1\n"})
    bad = os.path.join(os.fsencode(root), b"bad\xff.py")
    with open(bad, "wb") as handle:
        handle.write(b"def hidden():\n    return 2\n")
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=1))
    run = indexer.run()
    graph = Graph(indexer.store, indexer.root)
    assert [s.qualname for s in graph.symbols_in_file("good.py") if s.kind == "function"] == ["good.fine"]
    assert run.discovered == 1
    assert any("not valid UTF-8" in r.getMessage() and "bad\ufffd.py" in r.getMessage() for r in caplog.records)
    # A watcher reporting the file directly is refused the same way.
    assert indexer.update_paths([os.fsdecode(b"bad\xff.py")]).parsed == 0
    indexer.close()


# -- 3. incremental results equal a cold build -----------------------------------

DUPLICATE_DEFS = {
    # The same qualname defined twice (a try/except fallback) and in a stub:
    # the cold build sees one definition; the incremental provider saw three.
    "compat.py": (
        "try:\n    from fast import helper\nexcept ImportError:\n"
        "    def helper(x):\n        return x\n\n\ndef helper(x):  # redefined\n    return x\n"
    ),
    "compat.pyi": "def helper(x: int) -> int: ...\n",
    "other.py": "def helper2():\n    pass\n",
    "user.py": "def run():\n    return helper(1)\n",  # unresolved name: name-matched
}


def test_incremental_name_match_equals_cold(tmp_path):
    root = tmp_path / "ws"
    write_tree(root, DUPLICATE_DEFS)
    indexer = Indexer(root, tmp_path / "inc", IndexOptions(jobs=1))
    indexer.run()
    with open(root / "user.py", "a") as handle:
        handle.write("# a comment\n")
    indexer.update_paths(["user.py"])
    indexer.close()
    inc = rows(tmp_path / "inc")
    cold = cold_rows(root, tmp_path / "cold")
    assert inc == cold
    matched = [r for r in inc["refs"] if r[0] == "user.py" and r[5] == "helper"]
    assert [(r[8], r[9], r[10]) for r in matched] == [("compat.helper", 0.4, "name-match")]


# -- 6. damaged stores are rebuilt, never fail every run ----------------------------

def test_graph_path_that_is_a_directory_is_rebuilt(tmp_path, caplog):
    root = tmp_path / "ws"
    write_tree(root, {"a.py": "def f():\n    return g()\n\n\ndef g():\n    return 1\n"})
    (tmp_path / "index" / "graph.sqlite3" / "junk").mkdir(parents=True)
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=1))
    run = indexer.run()
    assert run.parsed == 1 and [r.path for r in Graph(indexer.store, indexer.root).references("a.g")] == ["a.py"]
    assert any("rebuilding" in r.getMessage() for r in caplog.records)
    indexer.close()


# -- 11. writers exclude each other across processes ---------------------------------

_HOLD = """
import sys, time
sys.path.insert(0, {repo!r})
from indexer.pipeline.writer_lock import WriterLock
with WriterLock({index!r}).hold():
    print("held", flush=True)
    time.sleep(float(sys.argv[1]))
"""


def _holder(tmp_path: Path, index_dir: Path, seconds: float):
    import subprocess
    import sys

    repo = str(Path(__file__).resolve().parents[2])
    proc = subprocess.Popen([sys.executable, "-c", _HOLD.format(repo=repo, index=str(index_dir)), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_waits_then_fails_clearly(tmp_path):
    from indexer.pipeline.writer_lock import IndexBusy

    root = tmp_path / "ws"
    write_tree(root, {"a.py": "x = 1\n"})
    holder = _holder(tmp_path, tmp_path / "index", 30)
    try:
        with pytest.raises(IndexBusy, match=rf"being written by process {holder.pid}"):
            Indexer(root, tmp_path / "index", IndexOptions(jobs=1, lock_wait_s=0.3))
    finally:
        holder.kill()
        holder.wait()
    # Released when the holder dies, however it dies.
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=1, lock_wait_s=0.3))
    assert indexer.run().parsed == 1
    indexer.close()


def test_writer_waits_for_a_short_holder(tmp_path):
    root = tmp_path / "ws"
    write_tree(root, {"a.py": "x = 1\n"})
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=1, lock_wait_s=10))
    holder = _holder(tmp_path, tmp_path / "index", 0.5)
    try:
        assert indexer.update_paths(["a.py"]).discovered == 1  # waited, then wrote
        assert holder.wait(timeout=5) == 0
    finally:
        holder.kill()
    indexer.close()
