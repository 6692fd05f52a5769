"""A cold build writes without fsync (`synchronous = OFF`). A power cut may
then lose any of its writes; the build mark (indexer/graph/build_mark.py)
makes that found and rebuilt on the next open, and a damaged file is moved
aside and rebuilt. Real SQLite and a real `codemeld index` killed with
SIGKILL. What a test cannot do is cut the power or reboot: it does to the
files what a power cut may do (drops the WAL, cuts the database short) and
writes another boot's id into the mark, as a reboot would leave it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.graph import build_mark
from indexer.graph.store import DB_NAME
from indexer.pipeline.index import IndexOptions, Indexer
from tests.support import cli_index, committed_files, kill_mid_build, snapshot, stdlib_corpus


def _kill_mid_build(root: Path, index_dir: Path) -> None:
    kill_mid_build(root, index_dir, jobs=2)
    mark = json.loads((index_dir / build_mark.MARK_NAME).read_text())
    assert mark["boot"] == build_mark.boot_id(), "a cold build in progress is marked, with this boot's id"


def _clean(root: Path, index_dir: Path) -> dict:
    indexer = Indexer(root, index_dir, IndexOptions(jobs=1))
    indexer.run()
    indexer.close()
    return snapshot(index_dir)


def _power_cut(index_dir: Path, keep: float | None) -> None:
    """What a power cut may leave: the WAL's unsynced frames gone, the
    database file cut short (`keep` of it; None: left as it was), and after
    the reboot a mark naming another boot."""
    db = index_dir / DB_NAME
    Path(str(db) + "-wal").write_bytes(b"")
    Path(str(db) + "-shm").unlink(missing_ok=True)
    if keep is not None:
        with open(db, "r+b") as handle:
            handle.truncate(int(db.stat().st_size * keep) // 4096 * 4096)
    mark = index_dir / build_mark.MARK_NAME
    mark.write_text(json.dumps({**json.loads(mark.read_text()), "boot": "an-earlier-boot"}))


@pytest.mark.slow
@pytest.mark.parametrize("keep", [None, 0.5])
def test_a_cold_build_cut_by_power_loss_is_rebuilt_on_reopen(tmp_path, keep):
    root = stdlib_corpus(tmp_path / "ws")
    index_dir = tmp_path / "index"
    _kill_mid_build(root, index_dir)
    _power_cut(index_dir, keep)
    # The next `codemeld index` says why, on stderr, and builds it again from nothing.
    proc = cli_index(root, index_dir)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert "interrupted by a restart or power loss" in err and "rebuilding it from scratch" in err
    run = json.loads(out)
    assert run["unchanged"] == 0 and run["parsed"] == run["discovered"], "nothing of the cut build is trusted"
    assert not (index_dir / build_mark.MARK_NAME).exists()
    assert snapshot(index_dir) == _clean(root, tmp_path / "clean")


@pytest.mark.slow
def test_a_killed_cold_build_resumes_but_a_damaged_one_is_moved_aside(tmp_path):
    root = stdlib_corpus(tmp_path / "ws")
    expected = _clean(root, tmp_path / "clean")
    # Killed (same boot): every write is with the OS, the index is kept and completed.
    kept = tmp_path / "kept"
    _kill_mid_build(root, kept)
    before = committed_files(kept)
    indexer = Indexer(root, kept, IndexOptions(jobs=2))
    assert committed_files(kept) == before > 0, "a killed build of this boot is not thrown away"
    run = indexer.run()
    indexer.close()
    assert run.unchanged == before and snapshot(kept) == expected
    assert not (kept / build_mark.MARK_NAME).exists()
    # Killed, then the file cut short (a bad copy, a full disk): the check at
    # reopen finds it, and the file is moved aside with a warning.
    damaged = tmp_path / "damaged"
    _kill_mid_build(root, damaged)
    db = damaged / DB_NAME
    conn_checkpoint(db)
    with open(db, "r+b") as handle:
        handle.truncate(db.stat().st_size // 2 // 4096 * 4096)
    proc = cli_index(root, damaged)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert "is damaged" in err and "graph.sqlite3.damaged" in err
    assert (damaged / (DB_NAME + ".damaged")).is_file()
    assert json.loads(out)["unchanged"] == 0
    assert snapshot(damaged) == expected


def conn_checkpoint(db: Path) -> None:
    """Move the WAL into the database file, so cutting the file loses pages."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def test_a_finished_cold_build_leaves_no_mark_and_garbage_is_moved_aside(tmp_path, caplog):
    root = tmp_path / "ws"
    for i in range(60):  # bulk path
        (root / f"m{i}.py").parent.mkdir(parents=True, exist_ok=True)
        (root / f"m{i}.py").write_text(f"from m{(i + 1) % 60} import f{(i + 1) % 60}\n\ndef f{i}():\n    return f{(i + 1) % 60}()\n")
    index_dir = tmp_path / "index"
    indexer = Indexer(root, index_dir, IndexOptions(jobs=1))
    indexer.run()
    indexer.close()
    assert not (index_dir / build_mark.MARK_NAME).exists()
    expected = snapshot(index_dir)
    (index_dir / DB_NAME).write_bytes(b"not a database at all " * 200)
    Path(str(index_dir / DB_NAME) + "-wal").unlink(missing_ok=True)
    indexer = Indexer(root, index_dir, IndexOptions(jobs=1))
    indexer.run()
    indexer.close()
    assert any("moved it to" in r.getMessage() for r in caplog.records)
    assert (index_dir / (DB_NAME + ".damaged")).read_bytes().startswith(b"not a database")
    assert snapshot(index_dir) == expected


def test_a_torn_or_foreign_mark_rebuilds(tmp_path):
    """A mark cut mid-write (not JSON) or from another boot: the index is not trusted."""
    assert build_mark.cut_by_restart(tmp_path) is None
    (tmp_path / build_mark.MARK_NAME).write_bytes(b'{"boo')
    assert build_mark.cut_by_restart(tmp_path) is not None
    build_mark.mark(tmp_path)
    assert build_mark.cut_by_restart(tmp_path) is None  # this boot: a killed build, resumed
    build_mark.clear(tmp_path, [])
    assert not (tmp_path / build_mark.MARK_NAME).exists()
