"""Answers that leave as JSON text the handler made itself.

pygls sends a message with `json.dumps(message, default=...)`, and the
default hook hands the whole response to cattrs, which walks every list and
dict of the result by runtime type before JSON encodes it again. For a
references answer of 35,000 locations that walk was three quarters of the
time to answer (py-spy over `codemeld serve`, evals/bench_refs.py). A
handler returns `Encoded` instead, made from row tuples on the query
thread (`convert.location_items`), and the protocol splices that text into
the response or `$/progress` notification unchanged.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError

log = logging.getLogger(__name__)


class Encoded:
    """A JSON value as text (ASCII), sent as is in place of a result or a
    `$/progress` value."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"Encoded({len(self.text)} chars)"


def encoded(value) -> Encoded:
    """Plain JSON values (dicts, lists, str, numbers) as an `Encoded`."""
    return Encoded(json.dumps(value, separators=(",", ":")))


def array(items: list[str]) -> Encoded:
    """A JSON array of comma-separated item texts ("" for none), e.g. pages
    of `convert.location_items`."""
    return Encoded("[" + ",".join(text for text in items if text) + "]")


def _spliced(data) -> str | None:
    """The message's JSON text when it carries an `Encoded` part, else None."""
    result = getattr(data, "result", None)
    if isinstance(result, Encoded) and hasattr(data, "id"):
        head = json.dumps({"jsonrpc": data.jsonrpc, "id": data.id}, separators=(",", ":"))
        return f'{head[:-1]},"result":{result.text}}}'
    params = getattr(data, "params", None)
    if isinstance(params, types.ProgressParams) and isinstance(params.value, Encoded):
        head = json.dumps({"jsonrpc": data.jsonrpc, "method": data.method, "params": {"token": params.token}},
                          separators=(",", ":"))
        return f'{head[:-2]},"value":{params.value.text}}}}}'
    return None


class EncodedWire:
    """Mixin for the server's protocol class: messages with `Encoded` parts
    skip pygls' serialization; every other message goes through it as before."""

    def _send_data(self, data) -> None:
        body = _spliced(data)
        if body is None:
            return super()._send_data(data)
        if self.writer is None:
            log.error("unable to send data: no transport")
            return
        payload = body.encode("utf-8")
        if self._include_headers:
            payload = (f"Content-Length: {len(payload)}\r\n"
                       f"Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n").encode("ascii") + payload
        try:
            written = self.writer.write(payload)
            if inspect.isawaitable(written):
                asyncio.ensure_future(written)
        except BrokenPipeError:
            log.exception("error sending data: broken pipe")
            raise
        except Exception as error:  # as pygls does: report, keep serving
            log.exception("error sending data")
            self._server._report_server_error(error, JsonRpcInternalError)
