"""Explanations: the `codemeld/explain` request and `codemeld.explain` command.

Params `{textDocument, position}` -> `{qualname, markdown, short, source,
model, note}` (null when no symbol is there). Without an LLM configured
(the `llm` init option or `CODEMELD_LLM_*`) the answer is the structural
explanation from the graph; with one, the model's answer (`source` "llm" or
"cache", `model` names it), or the structural one with a `note` when the
endpoint fails.

Explanations run on threads of their own (two at a time), never on the
event loop and never on the query threads: a slow model must not hold up
navigation, nor the server's exit.

Streaming: when the request carries a `workDoneToken` and a model is
configured, the answer streams as `$/progress` on that token: `begin`, then
`report`s whose `message` is the whole answer so far (a client redraws it;
throttled to ten a second), then `end`. The response always carries the
final markdown, so clients that ignore progress lose nothing.

For hover: `hover_line` (re-exported from `indexer.explain`) and
`hover_model(ls)`, see their docstrings.
"""

from __future__ import annotations

import asyncio
import threading
import time

from lsprotocol import types

from indexer.explain import explain_at, hover_line  # noqa: F401  (hover_line: for hover.py)
from server import convert
from server.host.workspace import in_daemon_thread

EXPLAIN = "codemeld/explain"
EXPLAIN_COMMAND = "codemeld.explain"
_STREAM_INTERVAL_S = 0.1

_RUNNING = threading.BoundedSemaphore(2)  # explanations at once (each may wait on a model)


def hover_model(ls) -> str | None:
    """The configured model's name, so hover finds that model's cached answers
    (`hover_line(graph, path, line, character, hover_model(ls))`)."""
    config = ls.options.llm_config()
    return config.model if config is not None else None


class _Stream:
    """Deltas from the explain thread -> `$/progress` reports on the client's token."""

    def __init__(self, ls, loop: asyncio.AbstractEventLoop, token):
        self.ls, self.loop, self.token = ls, loop, token
        self.parts: list[str] = []
        self._last = 0.0

    def begin(self) -> None:
        self.ls.work_done_progress.begin(self.token, types.WorkDoneProgressBegin(
            title="codemeld: explaining", cancellable=False))

    def delta(self, text: str) -> None:
        self.parts.append(text)
        now = time.monotonic()
        if now - self._last >= _STREAM_INTERVAL_S:
            self._last = now
            self._report()

    def _report(self) -> None:
        value = types.WorkDoneProgressReport(message="".join(self.parts))
        try:
            self.loop.call_soon_threadsafe(self.ls.work_done_progress.report, self.token, value)
        except RuntimeError:
            pass  # the loop is gone

    def end(self, message: str) -> None:
        if self.parts:
            self.ls.work_done_progress.report(self.token, types.WorkDoneProgressReport(message="".join(self.parts)))
        self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))


def _run(folder, path: str, line: int, character: int, kwargs: dict):
    folder.sync()  # explain what the user sees, pending edits included
    return explain_at(folder.graph, path, line, character, **kwargs)


async def explain(ls, uri: str, line: int, character: int, token=None) -> dict | None:
    located = ls.session.locate(uri)
    if located is None:
        return None
    folder, path = located
    config = ls.options.llm_config()
    state = folder.semantic
    similar = state.index if state is not None and state.ready() else None
    loop = asyncio.get_running_loop()
    stream = _Stream(ls, loop, token) if token is not None else None
    kwargs = {"llm_config": config, "similar": similar}
    if stream is not None and config is not None:
        kwargs.update(stream=True, on_delta=stream.delta)
    if stream is not None:
        stream.begin()
    result = None
    try:
        result = await in_daemon_thread(_run, folder, path, line, character, kwargs, limit=_RUNNING)
    finally:
        if stream is not None:
            done = "nothing to explain" if result is None else (
                f"explained by {result.model}" if result.model else "structural explanation")
            stream.end(done)
    return convert.explanation(result)


def register(server) -> None:
    @server.feature(EXPLAIN)
    async def explain_request(ls, params=None) -> dict | None:
        p = convert.plain(params)
        at = convert.text_position(p)
        if at is None:
            return None
        token = p.get("workDoneToken") if isinstance(p, dict) else None
        return await explain(ls, *at, token=token if isinstance(token, (str, int)) else None)

    @server.command(EXPLAIN_COMMAND)
    async def explain_command(ls, *args) -> dict | None:
        """Arguments: `uri, {line, character}` (like codemeld.showReferences),
        or one `{textDocument, position}` object."""
        args = [convert.plain(a) for a in args]
        if len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], dict):
            at = convert.text_position({"textDocument": {"uri": args[0]}, "position": args[1]})
        else:
            at = convert.text_position(args[0]) if args else None
        return await explain(ls, *at) if at is not None else None
