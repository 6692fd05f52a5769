"""The parser/resolver process pool, with workers that die with their parent.

How workers start (`start_method`): forked from this process only while it
runs a single thread. A fork copies every lock in the state it is in, and a
lock another thread held at that instant (SQLite's global mutex inside
`sqlite3.connect`, a stream's, LanceDB's runtime) stays held in the child
with no owner: a resolve worker forked from the threaded LSP server hung
forever in `Store._connect` (CI, test_parallel_indexing_inside_the_server).
A threaded process instead gets its workers from the "forkserver", a fresh
single-threaded interpreter (started by fork+exec, which is safe) that has
imported the indexer once and forks clean workers. They inherit nothing of
this process, so a pool's shared state (the language registry, phase 2's
resolver summaries) travels in the initializer (`initializer`/`initargs`). The CLI runs no other
thread while it indexes and keeps the plain fork: its workers share the
parent's resolvers copy-on-write, which pickling would cost (stdlib: 12.6 MB
of summaries, 0.76 s to pickle, 0.67 s to load in each worker), and it pays
no forkserver start (1.5 s of wall on the first pool of a process).

A forked worker blocked on the call queue does not notice its parent's
death: after a SIGKILL of `codemeld index` they lived on as orphans. Each
worker therefore asks the kernel for SIGKILL when its parent dies (Linux
`prctl(PR_SET_PDEATHSIG)`, through ctypes), and checks once that the parent
did not die before it asked. Elsewhere, a watchdog thread polls `getppid()`.
A worker the forkserver started is not this process's child (and the
forkserver outlives it while such a worker lives): a thread of the worker
waits on a pidfd of this process instead (`_watch_owner`).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import select
import signal
import sys
import threading
import time
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_POLL_S = 0.5

# Switch: fork workers from a single-threaded process (cheap: they share its
# heap). Off: every pool starts from the forkserver (tests run both ways).
FORK_WHEN_SINGLE_THREADED = True

# What the forkserver imports once, so that each worker starts warm.
_PRELOAD = ["indexer.pipeline.index"]


def os_threads() -> int:
    """Threads of this process, native ones included (LanceDB's and ONNX
    Runtime's are invisible to `threading`); 0 when unknown."""
    try:
        with open("/proc/self/stat", "rb") as handle:
            # field 20, num_threads, counted after the parenthesised command name
            return int(handle.read().rsplit(b")", 1)[1].split()[17])
    except (OSError, ValueError, IndexError):
        return 0


def start_method() -> str:
    """"fork" where no other thread can hold a lock at the fork, else "forkserver"."""
    import multiprocessing

    if FORK_WHEN_SINGLE_THREADED and os_threads() == 1:
        return "fork"
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(_POLL_S)
        if os.getppid() != parent:
            os._exit(1)


def die_with_parent(parent: int) -> None:
    """Pool initializer: end this worker when `parent` ends."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes  # here, not at the top: ctypes costs a server's warm start 0.1 s, and only workers need it

            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:
        os._exit(1)  # the parent died before the signal was armed
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_owner(owner: int) -> None:
    """End this worker when `owner` ends, from a thread: a worker the
    forkserver started is not the owner's child, so no `PDEATHSIG`, and the
    forkserver outlives the owner while a worker holds its liveness pipe."""
    try:
        handle = os.pidfd_open(owner)  # readable once the owner has exited (zombie included)
    except ProcessLookupError:
        os._exit(1)  # the owner died before this worker started
    except (AttributeError, OSError):  # no pidfd (not Linux, or an old kernel): poll
        def poll() -> None:
            while True:
                time.sleep(_POLL_S)
                try:
                    os.kill(owner, 0)
                except ProcessLookupError:
                    os._exit(1)
        threading.Thread(target=poll, daemon=True).start()
        return

    def wait() -> None:
        select.select([handle], [], [])
        os._exit(1)
    threading.Thread(target=wait, daemon=True).start()


def _start_worker(owner: int, forked: bool, gc_threshold: tuple, logs: tuple | None, initializer,
                  initargs: tuple) -> None:
    """Pool initializer: die with the pool's `owner`, collect as rarely as it
    does, log where it logs (`logs`, for a worker that did not inherit its
    handlers), then `initializer(*initargs)`."""
    if forked:
        die_with_parent(owner)
    else:
        _watch_owner(owner)
    gc.set_threshold(*gc_threshold)
    if logs is not None:
        level, path = logs
        handler = logging.FileHandler(path) if path else logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger().handlers[:] = [handler]
        logging.getLogger().setLevel(level)
    if initializer is not None:
        initializer(*initargs)


def _log_target() -> tuple[int, str | None]:
    """The root logger's level, and the file it writes to (None: stderr)."""
    root = logging.getLogger()
    path = next((h.baseFilename for h in root.handlers if isinstance(h, logging.FileHandler)), None)
    return root.level, path


def worker_pool(workers: int, method: str | None = None, initializer=None, initargs=tuple) -> ProcessPoolExecutor:
    """A pool of `workers` processes, started by `method` (default: what
    `start_method` says now; a caller that prepares for a fork asks it first).
    A worker that was not forked from here runs `initializer(*initargs())`
    first: what a forked one inherits (module state set before the pool),
    `initargs` builds, to be pickled, only when needed."""
    # here, not at the top: an update that parses nothing (`codemeld tests
    # affected` on an up-to-date index) does not pay for multiprocessing
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = method or start_method()
    context = multiprocessing.get_context(method)
    if method == "fork":
        setup = (os.getpid(), True, gc.get_threshold(), None, None, ())
    else:
        if method == "forkserver":
            context.set_forkserver_preload(_PRELOAD)
        setup = (os.getpid(), False, gc.get_threshold(), _log_target(), initializer,
                 initargs() if initializer else ())
    log.info("%d workers started by %s", workers, method)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker, initargs=setup)


def bounded_map(pool: ProcessPoolExecutor, fn, items, window: int):
    """`pool.map(fn, items)` with at most `window` calls in flight: results
    come back in order, and a writer slower than the workers no longer has
    every finished result pile up in its memory (the whole index's
    references, on a cold build)."""
    pending: deque = deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def release_memory() -> None:
    """Collect garbage and hand freed heap back to the OS before forking
    workers: a forked worker's RSS starts at its parent's."""
    import gc

    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):
            pass


# Indexing allocates millions of small objects that all stay alive (facts,
# summaries, resolved rows): at CPython's default gen-0 threshold (700) the
# cyclic collector ran thousands of times a run, re-scanning survivors each
# time, 15-20% of a cold build's CPU (issue 17). Nothing the indexer builds
# is cyclic by design, so collect rarely while it runs; workers inherit it.
_GC_GEN0 = 50_000


@contextlib.contextmanager
def few_collections():
    """Raise the collector's gen-0 threshold for the duration (then restore it)."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], _GC_GEN0), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


@contextlib.contextmanager
def frozen_heap():
    """Move every object alive now out of the collector's sight (`gc.freeze`)
    around a fork: forked workers then never scan, nor touch and so copy,
    the parent's pages of resolver summaries."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
