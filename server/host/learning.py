"""Learned test impact as host background work: with the `learnTests`
option (off by default), after each full graph run of a folder the
project's tests run under coverage on a thread of their own
(`indexer.analysis.learn`: everything the first time, then only tests whose
dependencies changed). Impact, code lenses and hover read the learned edges
from the index as soon as they are stored.

Transport-neutral: progress and warnings go to the callbacks the front door
gives (`$/progress` and showMessage in the language server)."""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from indexer.analysis import learn as learning

log = logging.getLogger(__name__)

Notify = Callable[[str], None]
ProgressStart = Callable[..., Any]  # (title, message) -> a ProgressSink or None


def attach(folder, options, notify: Notify, progress_start: ProgressStart) -> None:
    """Learn after each full run of `folder` (one learning run at a time)."""
    previous = folder.on_indexed
    busy = threading.Lock()

    def indexed(f, reason: str) -> None:  # writer thread
        if previous is not None:
            previous(f, reason)
        if reason == "full" and busy.acquire(blocking=False):
            threading.Thread(target=_run, args=(f, options, notify, progress_start, busy),
                             name="codemeld-learn", daemon=True).start()

    folder.on_indexed = indexed


def _run(folder, options, notify: Notify, progress_start: ProgressStart, busy) -> None:
    sink = None
    try:
        sink = progress_start(f"codemeld: learning tests of {folder.name}", "starting")
    except Exception:
        log.exception("cannot start learning progress")
    learn_options = learning.LearnOptions(python=options.testPython, args=tuple(options.testArgs),
                                          test_timeout=float(options.testTimeout))
    try:
        run = learning.learn(folder.graph, learn_options,
                             progress=(lambda m: sink.report(0, 0, m)) if sink else None,
                             cancel=sink.cancelled if sink else None)
        message = learning.learn_text(run)
    except learning.LearnError as exc:
        message = f"codemeld: cannot learn tests: {exc}"
        notify(message)
    except Exception as exc:  # never take the server down
        log.exception("learning tests failed")
        message = f"learning tests failed: {exc}"
    finally:
        busy.release()
    log.info("%s: %s", folder.name, message)
    if sink is not None:
        sink.end(message)
