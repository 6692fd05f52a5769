"""The LSP byte stream: framing that survives bad input, and the JSON-RPC
checks pygls leaves out.

pygls' own loop (pygls.io_.run_async) matches `Content-Length: (\\d+)` and
otherwise waits: one frame with a missing, negative, non-numeric or wrong
length left it reading bodies as headers forever, the process alive and
silent. Here a bad frame is logged and skipped, and reading resumes at the
next `Content-Length` header, so the next well-formed message is answered:

- header block without a usable Content-Length -> skip to the next header;
- body that is not JSON (length too small, or too large so that it swallowed
  the start of the next message) -> look for the next header *inside* what
  was read, from just after the bad frame's header;
- a length larger than anything that arrives: once the stream has been quiet
  for `STALL_S` with another header already waiting in the buffer, the frame
  is declared bad and the same resynchronisation applies.

Messages that are JSON but not valid requests get the answer JSON-RPC
prescribes instead of pygls' log line: params that do not match the
method's types -> -32602 InvalidParams with what was wrong; not a JSON-RPC
object, or one with no method that is not a response -> -32600
InvalidRequest; any request after `shutdown` -> InvalidRequest (LSP 3.17).
A body that is not JSON -> -32700 ParseError with id null (before reading
resumes at the next frame). Notifications are never answered, only logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from typing import Any, Awaitable, Callable

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcInvalidRequest, JsonRpcParseError

log = logging.getLogger(__name__)


class _QuietDeserializeErrors(logging.Filter):
    """pygls logs a full traceback for every message it cannot deserialize;
    `dispatch` answers those with one line, so the traceback is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Unable to deserialize message")


logging.getLogger("pygls.protocol.json_rpc").addFilter(_QuietDeserializeErrors())

HEADER_END = b"\r\n\r\n"
MAX_HEADER = 8 * 1024  # bytes of header block before we call it garbage
MAX_BODY = 256 * 1024 * 1024
STALL_S = 1.0
READ_SIZE = 1 << 16
# A whole header block that starts with Content-Length and a number. Raw CR LF
# pairs cannot occur inside a JSON string, so this does not match text in a body.
_FRAME_START = re.compile(rb"content-length[ \t]*:[ \t]*-?\w+[ \t]*\r\n(?:[!-~][^\r\n]*\r\n)*\r\n", re.I)
_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(.*?)[ \t]*$", re.I | re.M)


class Framer:
    """Splits a byte stream into decoded JSON messages, skipping bad frames."""

    def __init__(self):
        self.buf = bytearray()
        self.bad_frames = 0
        self._hunting = False  # skipping bytes until the next header block

    def feed(self, data: bytes) -> None:
        self.buf += data

    def _bad(self, why: str, drop: int) -> None:
        self.bad_frames += 1
        log.warning("malformed LSP frame (%s): skipping to the next Content-Length header", why)
        del self.buf[:drop]
        self._hunting = True

    def next_message(self, stalled: bool = False) -> Any:
        """One decoded message, or `None` when more bytes are needed."""
        while True:
            if self._hunting:
                found = _FRAME_START.search(self.buf)
                if found is None:
                    if len(self.buf) > MAX_HEADER:
                        del self.buf[: len(self.buf) - MAX_HEADER]
                    return None
                del self.buf[: found.start()]
                self._hunting = False
            end = self.buf.find(HEADER_END)
            if end < 0:
                if len(self.buf) > MAX_HEADER:
                    self._bad("header block too long", 1)
                    continue
                return None
            match = _LENGTH.search(bytes(self.buf[:end]))
            length = _parse_length(match.group(1)) if match else None
            body_start = end + len(HEADER_END)
            if length is None or length > MAX_BODY:
                self._bad("no Content-Length" if match is None else f"Content-Length {match.group(1)[:20]!r}",
                          body_start)
                continue
            if len(self.buf) < body_start + length:
                if stalled and _FRAME_START.search(self.buf, body_start):
                    self._bad(f"Content-Length {length} is more than was sent", 1)
                    continue
                return None
            try:
                data = json.loads(bytes(self.buf[body_start: body_start + length]))
            except (ValueError, UnicodeDecodeError):
                self._bad(f"a body of {length} bytes that is not JSON (wrong Content-Length?)", 1)
                return _Message(None, parse_error=True)  # answered -32700; reading resumes after it
            del self.buf[: body_start + length]
            return _Message(data)


class _Message:
    __slots__ = ("data", "parse_error")

    def __init__(self, data: Any, parse_error: bool = False):
        self.data = data
        self.parse_error = parse_error


def _parse_length(raw: bytes) -> int | None:
    try:
        value = int(raw.strip())
    except ValueError:
        return None
    return value if value >= 0 else None


def dispatch(protocol, data: Any) -> None:
    """Hand one decoded message to pygls, answering what pygls would not."""
    if not isinstance(data, dict) or data.get("jsonrpc") != "2.0":
        _reply_error(protocol, data.get("id") if isinstance(data, dict) else None,
                     JsonRpcInvalidRequest(message="not a JSON-RPC 2.0 message object"))
        return
    method = data.get("method")
    msg_id = data.get("id")
    has_id = "id" in data
    if "method" not in data and "result" not in data and "error" not in data:
        # Neither a request nor a response: pygls took it for a response and said nothing.
        _reply_error(protocol, None, JsonRpcInvalidRequest(message="no method: not a request, notification or response"))
        return
    if has_id and not (msg_id is None or isinstance(msg_id, (int, str))) or isinstance(msg_id, bool):
        _reply_error(protocol, None, JsonRpcInvalidRequest(message="id must be a number or a string"))
        return
    if "method" in data and not isinstance(method, str):
        _reply_error(protocol, msg_id if has_id else None, JsonRpcInvalidRequest(message="method must be a string"))
        return
    if isinstance(method, str) and "params" not in data:
        data = {**data, "params": None}  # JSON-RPC lets params be omitted; pygls' types want the key
    is_request = has_id and isinstance(method, str)
    if is_request and getattr(protocol, "_shutdown", False) and method != "exit":
        _reply_error(protocol, msg_id, JsonRpcInvalidRequest(message=f"{method}: the server has shut down"))
        return
    if method == "$/cancelRequest" and not isinstance((data.get("params") or {}).get("id") if isinstance(
            data.get("params"), dict) else None, (int, str)):
        log.warning("ignoring $/cancelRequest without a usable id")
        return
    try:
        message = protocol.structure_message(data)
    except JsonRpcException as exc:
        why = _why(exc.__cause__) if exc.__cause__ is not None else exc.message
        if is_request:
            error = JsonRpcInvalidParams(message=f"invalid params for {method}: {why}")
            if not isinstance(exc, JsonRpcInvalidParams) and exc.__cause__ is None:
                error = exc
            _reply_error(protocol, msg_id, error)
        else:
            log.warning("ignoring %s: %s", method or "a message", why)
        return
    protocol.handle_message(message)


def _why(exc: BaseException) -> str:
    try:
        import cattrs

        lines = cattrs.transform_error(exc) if isinstance(exc, cattrs.BaseValidationError) else [str(exc)]
    except Exception:
        lines = [str(exc)]
    text = "; ".join(lines)
    return text if len(text) <= 300 else text[:299] + "…"


def _reply_error(protocol, msg_id, error: JsonRpcException) -> None:
    log.warning("answering %s with %s: %s", msg_id, error.code, error.message)
    # Written as a plain object: pygls' typed response drops a null id, and
    # JSON-RPC wants `"id": null` when the request's id could not be read.
    protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": error.code, "message": error.message}})


async def serve(read: Callable[[], Awaitable[bytes]], protocol, stop_event) -> None:
    """Read, frame and dispatch until EOF or `stop_event`. A handler's
    SystemExit (the `exit` notification) propagates to the caller."""
    framer = Framer()
    pending: asyncio.Future | None = None
    stalled = False
    while not stop_event.is_set():
        while (message := framer.next_message(stalled)) is not None:
            stalled = False
            try:
                if message.parse_error:
                    _reply_error(protocol, None, JsonRpcParseError(message="the message body is not JSON"))
                    continue
                dispatch(protocol, message.data)
            except (SystemExit, KeyboardInterrupt):
                raise
            except Exception:
                log.exception("unable to handle a message")
        if pending is None:
            pending = asyncio.ensure_future(read())
        done, _ = await asyncio.wait({pending}, timeout=STALL_S if framer.buf else None)
        if not done:
            stalled = True  # a frame waits for bytes that may never come
            continue
        chunk = pending.result()
        pending = None
        if not chunk:
            break
        framer.feed(chunk)
        stalled = False


def thread_reader(stream, loop: asyncio.AbstractEventLoop) -> Callable[[], Awaitable[bytes]]:
    """Reads `stream` on a daemon thread (a blocked read must not hold up the
    process's exit, as a pool thread would) and hands chunks to the loop."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()

    def pump() -> None:
        read = getattr(stream, "read1", stream.read)
        while True:
            try:
                chunk = read(READ_SIZE)
            except (OSError, ValueError):
                chunk = b""
            try:
                loop.call_soon_threadsafe(queue.put_nowait, chunk or b"")
            except RuntimeError:
                return  # the loop is closed
            if not chunk:
                return

    threading.Thread(target=pump, name="codemeld-stdin", daemon=True).start()
    return queue.get
