"""Kill the indexer mid-run: the index must reopen consistent, and the next
run must complete it to exactly what an uninterrupted build produces."""

from __future__ import annotations

from indexer.pipeline.index import IndexOptions, Indexer
from tests.support import ROWS, kill_mid_build, snapshot, stdlib_corpus


def test_killed_index_reopens_consistent_and_completes(tmp_path):
    root = stdlib_corpus(tmp_path / "ws")
    killed_dir = tmp_path / "killed"
    kill_mid_build(root, killed_dir, jobs=1)

    partial = snapshot(killed_dir)
    total = sum(1 for _ in root.rglob("*.py"))
    assert 0 < len(partial["files"]) < total, "the kill should land mid-run"

    # Reopens consistent: integrity holds, no rows point at missing files.
    indexer = Indexer(root, killed_dir, IndexOptions(jobs=1))
    conn = indexer.store.conn
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for table in ("symbols", "refs", "imports"):
        orphans = conn.execute(f"SELECT count(*) FROM {table} WHERE file_id NOT IN (SELECT id FROM files)").fetchone()[0]
        assert orphans == 0, table
    # ... and the next run completes it to what an uninterrupted build gives.
    indexer.run()
    indexer.close()
    clean = Indexer(root, tmp_path / "clean", IndexOptions(jobs=1))
    clean.run()
    clean.close()
    resumed, expected = snapshot(killed_dir), snapshot(tmp_path / "clean")
    for name in ROWS:
        assert resumed[name] == expected[name], name
