"""`codemeld mcp` over stdio, answering malformed JSON-RPC lines.

The MCP SDK's stdio transport (`mcp.server.stdio.stdio_server`, mcp 2.3)
turns a line it cannot validate into an exception for the session, which
drops it: the client waits forever for an answer. JSON-RPC 2.0 asks for an
error response instead: -32700 (parse error, id null) for text that is not
JSON, -32600 (invalid request) for JSON that is not a message (a batch, a
null or boolean id, a missing method). The SDK lets a caller supply the
stdin it reads, so this module hands it one that checks each line first and
answers the bad ones through the SDK's own writer (stdout stays JSON-RPC
only); the good lines reach the SDK untouched.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import contextmanager

import anyio
import mcp_types as types
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage

from indexer.graph.echo import bounded

log = logging.getLogger(__name__)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600


def check_line(line: str) -> types.JSONRPCError | None:
    """None for a line the SDK accepts; else the error response it deserves."""
    unreadable = None  # what the SDK's (stricter) JSON parser said, when it could not read the line
    try:
        message = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
    except Exception as exc:  # noqa: BLE001 - any refusal is classified below
        message = None
        errors = exc.errors() if hasattr(exc, "errors") else []
        if errors and errors[0].get("type") == "json_invalid":
            unreadable = str(errors[0].get("msg", ""))
    if message is not None and not (isinstance(message, types.JSONRPCNotification) and '"id"' in line):
        return None
    # A request with a null (or float, bool, object) id passes as a notification,
    # which gets no answer: JSON-RPC calls it an invalid request.
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep to read
        return _error(None, PARSE_ERROR, "Parse error: the line is not JSON")
    if isinstance(value, list):
        return _error(None, INVALID_REQUEST, "Invalid Request: batches are not supported (send one message a line)")
    raw_id = value.get("id") if isinstance(value, dict) else None
    if message is not None and (not isinstance(value, dict) or "id" not in value):
        return None  # a notification after all ("id" was inside its params)
    # Echo an id only when it is one JSON-RPC allows (a string or an integer, not a bool).
    known = raw_id if isinstance(raw_id, str) or (isinstance(raw_id, int) and not isinstance(raw_id, bool)) else None
    if unreadable:  # JSON to Python (a lone surrogate escape, say), not to the SDK: say so, not "missing id"
        return _error(known, INVALID_REQUEST, f"Invalid Request: the MCP SDK cannot read this JSON: {bounded(unreadable)}")
    return _error(known, INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 message"
                  " (needs jsonrpc \"2.0\", a method, and a string or integer id)")


def _error(request_id: str | int | None, code: int, message: str) -> types.JSONRPCError:
    return types.JSONRPCError(jsonrpc="2.0", id=request_id, error=types.ErrorData(code=code, message=message))


class _CheckedLines:
    """An async iterable of stdin lines for `stdio_server`: bad lines are
    answered on the write stream (once the SDK has handed it over) and not
    passed on."""

    def __init__(self, stream: anyio.AsyncFile[str]):
        self._stream = stream
        self._ready = anyio.Event()
        self._write: anyio.abc.ObjectSendStream[SessionMessage] | None = None

    def attach(self, write_stream) -> None:
        self._write = write_stream
        self._ready.set()

    async def __aiter__(self) -> AsyncIterator[str]:
        async for line in self._stream:
            if not line.strip():
                continue  # a blank line between messages: nothing to answer
            error = check_line(line)
            if error is None:
                yield line
                continue
            log.warning("answered a malformed message (%s): %s", error.error.code, bounded(line.strip()))
            await self._ready.wait()
            assert self._write is not None
            await self._write.send(SessionMessage(error))


@contextmanager
def _private_stdin():
    """The wire's stdin as a private descriptor, fd 0 pointed at the null
    device meanwhile (what the SDK does when it opens stdin itself), so a
    child process cannot read the client's messages."""
    wire = os.dup(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    try:
        yield os.fdopen(wire, "r", encoding="utf-8", errors="replace", closefd=False)
    finally:
        os.dup2(wire, 0)  # `wire` stays open: a reader thread may still block on it


async def _serve(server: MCPServer) -> None:
    with _private_stdin() as text:
        lines = _CheckedLines(anyio.wrap_file(text))
        async with stdio_server(stdin=lines) as (read_stream, write_stream):  # type: ignore[arg-type]
            lines.attach(write_stream)
            low = server._lowlevel_server  # what MCPServer.run_stdio_async runs (mcp 2.3)
            await low.run(read_stream, write_stream, low.create_initialization_options())


def run_stdio(server: MCPServer) -> None:
    """`server.run("stdio")`, with malformed lines answered."""
    if sys.stdin is None:
        raise RuntimeError("no stdin to serve MCP on")
    anyio.run(_serve, server)
