"""Learned test impact in the language server: with the `learnTests` init
option (off by default), after each full graph run of a folder the project's
tests run under coverage in the background (`indexer.learn`: everything the
first time, then only tests whose dependencies changed), with cancellable
`$/progress`. Impact, code lenses and hover read the learned edges from the
index as soon as they are stored."""

from __future__ import annotations

import asyncio
import logging
import threading

from lsprotocol import types

from indexer import learn as learning
from server.progress import PlainProgress

log = logging.getLogger(__name__)


def start(ls) -> None:
    """Hook every folder (call after the embedding service attached)."""
    if not ls.options.learnTests:
        return
    for folder in ls.session.folders:
        attach(ls, folder)


def attach(ls, folder) -> None:
    loop = asyncio.get_running_loop()
    previous = folder.on_indexed
    busy = threading.Lock()

    def indexed(f, reason: str) -> None:  # writer thread
        if previous is not None:
            previous(f, reason)
        if reason == "full" and busy.acquire(blocking=False):
            threading.Thread(target=_run, args=(ls, f, loop, busy), name="codemeld-learn", daemon=True).start()

    folder.on_indexed = indexed


def _run(ls, folder, loop, busy) -> None:
    sink = None
    try:
        future = asyncio.run_coroutine_threadsafe(PlainProgress.start(ls, f"codemeld: learning tests of {folder.name}",
                                                                      "starting"), loop)
        sink = future.result(timeout=10)
    except Exception:
        log.exception("cannot start learning progress")
    options = learning.LearnOptions(python=ls.options.testPython, args=tuple(ls.options.testArgs),
                                    test_timeout=float(ls.options.testTimeout))
    try:
        run = learning.learn(folder.graph, options,
                             progress=(lambda m: sink.report(0, 0, m)) if sink else None,
                             cancel=sink.cancelled if sink else None)
        message = learning.learn_text(run)
    except learning.LearnError as exc:
        message = f"codemeld: cannot learn tests: {exc}"
        loop.call_soon_threadsafe(ls.window_show_message, types.ShowMessageParams(
            type=types.MessageType.Warning, message=message))
    except Exception as exc:  # never take the server down
        log.exception("learning tests failed")
        message = f"learning tests failed: {exc}"
    finally:
        busy.release()
    log.info("%s: %s", folder.name, message)
    if sink is not None:
        sink.end(message)
