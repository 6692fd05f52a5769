"""The parser/resolver process pool, with workers that die with their parent.

Workers are forked, and a forked worker blocked on the call queue does not
notice its parent's death: after a SIGKILL of `codemeld index` they lived on
as orphans. Each worker therefore asks the kernel for SIGKILL when its parent
dies (Linux `prctl(PR_SET_PDEATHSIG)`, through ctypes), and checks once that
the parent did not die before it asked. Elsewhere, a watchdog thread polls
`getppid()`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
import time
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1
_POLL_S = 0.5


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


def worker_pool(workers: int) -> ProcessPoolExecutor:
    # here, not at the top: an update that parses nothing (`codemeld tests
    # affected` on an up-to-date index) does not pay for multiprocessing
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=die_with_parent, initargs=(os.getpid(),))


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
