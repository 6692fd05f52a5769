"""One writer per index, across processes: an advisory lock on
`<index_dir>/writer.lock` (fcntl.flock).

SQLite serialises single transactions, not whole runs: two `codemeld index`
processes (or the LSP server and the CLI) interleaving their runs would each
compare the disk with a snapshot the other is rewriting, and one could report
a half-built index. Every write path of `Indexer` takes this lock; it is
re-entrant within a process (nested calls, e.g. the CLI holding it across
`run` and its summary) and released when the process dies, however it dies.
The holder writes its pid into the file so a waiting process can say who.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_NAME = "writer.lock"  # the graph (SQLite)
VECTORS_LOCK_NAME = "vectors.lock"  # the vector store (LanceDB), written apart from the graph
DEFAULT_WAIT_S = 30.0  # how long a writer waits for another before giving up
_POLL_S = 0.05


class IndexBusy(RuntimeError):
    """Another process kept the index's writer lock longer than we could wait."""


class WriterLock:
    def __init__(self, index_dir: Path, wait_s: float = DEFAULT_WAIT_S, name: str = LOCK_NAME):
        self.path = Path(index_dir) / name
        self.wait_s = wait_s
        self._mutex = threading.RLock()  # threads of this process take turns
        self._depth = 0
        self._fd: int | None = None

    def holder(self) -> str:
        try:
            pid = self.path.read_text().strip()
        except OSError:
            return "another process"
        return f"process {pid}" if pid else "another process"

    @contextmanager
    def hold(self, wait_s: float | None = None):
        """Hold the lock for the block; raise IndexBusy after `wait_s` seconds."""
        wait_s = self.wait_s if wait_s is None else wait_s
        deadline = time.monotonic() + wait_s
        if not self._mutex.acquire(timeout=max(0.0, wait_s)):
            raise IndexBusy(f"the index at {self.path.parent} is being written by another thread")
        try:
            if self._depth == 0:
                self._acquire(deadline)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release()
        finally:
            self._mutex.release()

    def _acquire(self, deadline: float) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise
            if time.monotonic() >= deadline:
                holder = self.holder()
                os.close(fd)
                raise IndexBusy(f"the index at {self.path.parent} is being written by {holder}; "
                                "try again when it has finished")
            if not told:
                log.warning("waiting for %s to finish writing the index at %s", self.holder(), self.path.parent)
                told = True
            time.sleep(_POLL_S)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def _release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.ftruncate(fd, 0)
            finally:
                os.close(fd)  # closing drops the flock
