"""Indexing progress as LSP `$/progress` (begin/report/end), cancellable.

The writer thread reports; LSP messages must leave from the event loop (the
TCP transport is an asyncio stream, not thread-safe), so every report is
handed over with `call_soon_threadsafe`. Reports are throttled: a big
workspace reports every batch of files, a client needs a few per second.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from lsprotocol import types

log = logging.getLogger(__name__)

_MIN_INTERVAL_S = 0.1
_PARSE_SHARE = 70  # percent of the bar for parsing; resolving references gets the rest


class LspProgress:
    """A `workspace.ProgressSink` for one indexing run."""

    def __init__(self, server, loop: asyncio.AbstractEventLoop, token: str):
        self.server = server
        self.loop = loop
        self.token = token
        self.percentage = 0
        self._last = 0.0

    @classmethod
    async def start(cls, server, title: str, message: str = "discovering files") -> "LspProgress | None":
        """Create the token and send `begin`; None when the client cannot show progress."""
        window = server.client_capabilities.window
        if window is None or not window.work_done_progress:
            return None
        token = f"codemeld-index-{uuid.uuid4().hex[:8]}"
        try:
            await server.work_done_progress.create_async(token)
        except Exception as exc:  # the client refused: index silently
            log.info("client refused progress token: %s", exc)
            return None
        server.work_done_progress.begin(token, types.WorkDoneProgressBegin(
            title=title, message=message, percentage=0, cancellable=True))
        return cls(server, asyncio.get_running_loop(), token)

    def report(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - self._last < _MIN_INTERVAL_S and done < total:
            return
        self._last = now
        share = done / total if total else 1.0
        if message.startswith("resolving"):
            percentage = _PARSE_SHARE + int(share * (100 - _PARSE_SHARE))
        else:
            percentage = int(share * _PARSE_SHARE)
            message = f"{done}/{total} files"
        self.percentage = max(self.percentage, min(percentage, 100))  # never goes backwards
        value = types.WorkDoneProgressReport(message=message, percentage=self.percentage, cancellable=True)
        self._send(self.server.work_done_progress.report, value)

    def note(self, message: str) -> None:
        """A report that is news, not a count (first answers are in): never throttled."""
        value = types.WorkDoneProgressReport(message=message, percentage=self.percentage, cancellable=True)
        self._send(self.server.work_done_progress.report, value)

    def end(self, message: str) -> None:
        self._send(self.server.work_done_progress.end, types.WorkDoneProgressEnd(message=message))

    def cancelled(self) -> bool:
        future = self.server.work_done_progress.tokens.get(self.token)
        return future is not None and future.cancelled()

    def _send(self, method, value) -> None:
        try:
            self.loop.call_soon_threadsafe(method, self.token, value)
        except RuntimeError:
            pass  # the loop is gone: the session ended


class PlainProgress(LspProgress):
    """Progress whose reports carry their own message ("Embedding 40/120
    symbols"), the percentage straight from done/total."""

    def report(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - self._last < _MIN_INTERVAL_S and done < total:
            return
        self._last = now
        self.percentage = max(self.percentage, min(int(100 * done / total) if total else 100, 100))
        value = types.WorkDoneProgressReport(message=message, percentage=self.percentage, cancellable=True)
        self._send(self.server.work_done_progress.report, value)


def host_callbacks(server, loop: asyncio.AbstractEventLoop):
    """(notify, progress_start) for the host's background work, called from
    its threads: a warning becomes window/showMessage, and progress_start(title)
    creates a `$/progress` token on the event loop and returns its sink."""

    def notify(message: str) -> None:
        params = types.ShowMessageParams(type=types.MessageType.Warning, message=message)
        loop.call_soon_threadsafe(server.window_show_message, params)

    def progress_start(title: str, message: str = "loading"):
        future = asyncio.run_coroutine_threadsafe(PlainProgress.start(server, title, message), loop)
        return future.result(timeout=10)

    return notify, progress_start
