"""Kill the indexer mid-run: the index must reopen consistent, and the next
run must complete it to exactly what an uninterrupted build produces."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from indexer.pipeline.index import IndexOptions, Indexer

STDLIB = Path(sysconfig.get_paths()["stdlib"])
REPO = Path(__file__).resolve().parents[2]
ROWS = {
    "files": "SELECT path, sha256, module FROM files ORDER BY 1",
    "symbols": "SELECT f.path, s.qualname, s.kind, s.nsl, s.nsc FROM symbols s JOIN files f ON f.id=s.file_id ORDER BY 1,2,3,4,5",
    "refs": "SELECT f.path, r.sl, r.sc, r.target, r.how FROM refs r JOIN files f ON f.id=r.file_id ORDER BY 1,2,3,4,5",
}


def snapshot(index_dir: Path) -> dict[str, list]:
    conn = sqlite3.connect(index_dir / "graph.sqlite3")
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in ROWS.items()}
    finally:
        conn.close()


def committed_files(index_dir: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{index_dir / 'graph.sqlite3'}?mode=ro", uri=True, timeout=0.1)
        try:
            return conn.execute("SELECT count(*) FROM files").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_killed_index_reopens_consistent_and_completes(tmp_path):
    root = tmp_path / "ws"
    for package in ("email", "asyncio", "json", "logging", "http", "xml", "unittest"):
        shutil.copytree(STDLIB / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    killed_dir = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "index", str(root), "--index-dir", str(killed_dir),
         "--jobs", "1", "--no-embeddings"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while committed_files(killed_dir) == 0 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the index finished before it could be killed: use a bigger corpus"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

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
