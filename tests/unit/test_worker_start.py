"""Worker processes never fork from a threaded process (worker_pool.py): a lock
another thread held at the fork (SQLite's global mutex in `sqlite3.connect`)
stayed held forever in the child, and the LSP server's resolve workers hung."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from indexer.pipeline import worker_pool
from tests.support import build

REPO = Path(__file__).resolve().parents[2]
QUERY = "SELECT f.path, r.sl, r.sc, r.target, r.how FROM refs r JOIN files f ON f.id=r.file_id ORDER BY 1,2,3,4"
FILES = {f"m{i}.py": f"from m{(i + 1) % 60} import f{(i + 1) % 60}\n\nclass C{i}:\n    def f(self):\n"
                     f"        return f{(i + 1) % 60}()\n\ndef f{i}():\n    return C{i}().f()\n"
         for i in range(60)}  # above _PARALLEL_MIN files: both phases run in workers


def _python(code: str, timeout: float = 60) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_fork_only_while_single_threaded():
    assert _python("""
        import threading, time
        from indexer.pipeline.worker_pool import start_method
        alone = start_method()
        threading.Thread(target=time.sleep, args=(2,), daemon=True).start()
        print(alone, start_method())
    """) == "fork forkserver"


def test_switch_off_never_forks(monkeypatch):
    monkeypatch.setattr(worker_pool, "FORK_WHEN_SINGLE_THREADED", False)
    assert worker_pool.start_method() in ("forkserver", "spawn")


def test_forkserver_workers_build_the_same_index(tmp_path, monkeypatch):
    """Workers that inherit nothing (the resolvers travel pickled) give the
    index the serial build and the forked workers give."""
    _, serial = build(tmp_path / "serial", FILES, jobs=1)
    _, forked = build(tmp_path / "forked", FILES, jobs=2)
    monkeypatch.setattr(worker_pool, "FORK_WHEN_SINGLE_THREADED", False)
    _, served = build(tmp_path / "served", FILES, jobs=2)
    rows = serial.conn.execute(QUERY).fetchall()
    assert len(rows) > 200
    assert forked.conn.execute(QUERY).fetchall() == rows
    assert served.conn.execute(QUERY).fetchall() == rows


@pytest.mark.slow  # a subprocess indexing with two workers; the old fork hung in it 5 times out of 5
def test_parallel_index_beside_threads_that_open_sqlite(tmp_path):
    """Threads opening SQLite connections while the indexer starts its
    workers (as the server's query threads do): the index completes."""
    out = _python(f"""
        import sqlite3, threading, time
        from pathlib import Path
        from indexer.pipeline.index import IndexOptions, Indexer

        def hammer():
            while True:
                sqlite3.connect(":memory:").execute("select 1").fetchall()
                # Yield between connections: two threads in a tight loop starved the
                # indexing thread of SQLite's global memory mutex on two cores (a run
                # that had to compile its modules hung about one time in two, pinned in
                # sqlite3_free under a collection). Yielding, a forced fork from this
                # threaded process still hangs in about two runs of five.
                time.sleep(0)

        def main():
            root = Path({str(tmp_path / "ws")!r})
            root.mkdir()
            for name, text in {FILES!r}.items():
                (root / name).write_text(text)
            for _ in range(2):
                threading.Thread(target=hammer, daemon=True).start()
            run = Indexer(root, Path({str(tmp_path / "index")!r}), IndexOptions(jobs=2)).run()
            print(run.parsed)

        if __name__ == "__main__":  # forkserver workers import the main module
            main()
    """, timeout=45)
    assert out == "60"


def test_forkserver_workers_know_languages_registered_at_run_time(tmp_path, monkeypatch):
    """A language `register`ed in this process after the forkserver started
    (tests/toylang) reaches its workers too."""
    import json

    from indexer import languages

    files = {f"config/c{i}.json": json.dumps({"k": {"v": i}, "up": f"$config.c{(i + 1) % 50}.k.v"})
             for i in range(50)}
    languages.register("toyjson", "tests.toylang:JsonSupport")
    try:
        _, serial = build(tmp_path / "serial", files, jobs=1)
        monkeypatch.setattr(worker_pool, "FORK_WHEN_SINGLE_THREADED", False)
        _, served = build(tmp_path / "served", files, jobs=2)
        rows = serial.conn.execute(QUERY).fetchall()
        assert len(rows) >= 50
        assert served.conn.execute(QUERY).fetchall() == rows
    finally:
        languages.unregister("toyjson")
