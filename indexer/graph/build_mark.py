"""The "cold build in progress" mark: a power cut during a cold build is
found on the next open, and the index is rebuilt.

A cold build writes with `PRAGMA synchronous = OFF` (no fsync at commits or
checkpoints: a fifth faster). A killed process loses nothing by it, since
the OS holds every write and the next run completes the dirty files; a
power cut (or a kernel crash) may lose any of them, in any order, and then
the database is stale or damaged in ways no cheap check sees. So before the
build a mark file naming the boot is written and synced, and it goes only
once the database and its WAL are synced at the end. On open, a mark left
by another boot means a build was cut by a restart: rebuild. A mark of this
boot is a killed build: its writes are all there, and the run resumes it.

The mark lives beside the database, not in it: with synchronous OFF a WAL
checkpoint may overwrite the very frames that held a mark written inside.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

MARK_NAME = "cold-build.inprogress"
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def boot_id() -> str | None:
    """This boot's id (Linux); None where the system has none to read."""
    try:
        return _BOOT_ID.read_text().strip() or None
    except OSError:
        return None


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # (no directory handles on some systems: best effort)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sync_file(path: Path) -> None:
    """fsync `path` if it exists: every write any process made to it, synced or not."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def mark(folder: Path) -> None:
    """Durably note that a cold build starts in `folder`."""
    path = Path(folder) / MARK_NAME
    data = json.dumps({"boot": boot_id(), "pid": os.getpid(), "started": time.time()}).encode()
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    _sync_dir(Path(folder))


def clear(folder: Path, synced: list[Path]) -> None:
    """The build is over: sync `synced` (the database and its WAL), then drop the mark."""
    for path in synced:
        sync_file(path)
    (Path(folder) / MARK_NAME).unlink(missing_ok=True)
    _sync_dir(Path(folder))


def cut_by_restart(folder: Path) -> str | None:
    """Why the index in `folder` cannot be trusted (a cold build was cut by
    a restart or power cut), or None (no mark, or a mark of this boot)."""
    path = Path(folder) / MARK_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"its cold-build mark is unreadable ({exc})"
    try:
        boot = json.loads(raw).get("boot")
    except (ValueError, AttributeError):
        boot = None  # a torn mark: written just before the cut
    now = boot_id()
    if boot is not None and boot == now:
        return None
    return "a cold build was interrupted by a restart or power loss (its unsynced writes may be lost)"
