"""`codemeld mcp` over stdio, fed raw lines the way a broken client sends
them: every malformed message gets its JSON-RPC 2.0 error on stdout (and
nothing else reaches stdout), the server stays up, and a huge symbol name is
quoted back bounded. A real server subprocess; no MCP client library, since
a client library would never send these lines."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from e2e_support import REPO, copy_workspace
from test_mcp import _env

pytestmark = pytest.mark.slow

HUGE = "x" * 5_000_000


class RawServer:
    def __init__(self, root: Path, index_dir: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "mcp", "--root", str(root), "--index-dir", str(index_dir),
             "--no-embeddings", "--no-watch"],
            cwd=str(REPO), env=_env(index_dir.parent), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        self.lines: queue.Queue[bytes] = queue.Queue()
        self.err = bytearray()
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.err.extend), daemon=True).start()

    @staticmethod
    def _pump(stream, sink) -> None:
        for line in stream:
            sink(line)

    def send(self, raw: str | bytes) -> None:
        self.proc.stdin.write(raw if isinstance(raw, bytes) else raw.encode())
        self.proc.stdin.write(b"\n")
        self.proc.stdin.flush()

    def answer(self, timeout: float = 60) -> dict:
        line = self.lines.get(timeout=timeout)
        return json.loads(line)  # every stdout line must be one JSON-RPC message

    def request(self, id_: int, method: str, params: dict) -> dict:
        self.send(json.dumps({"jsonrpc": "2.0", "id": id_, "method": method, "params": params}))
        reply = self.answer()
        assert reply.get("id") == id_, reply
        return reply

    def close(self) -> str:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.err.decode("utf-8", "replace")


@pytest.fixture
def server(tmp_path):
    root = copy_workspace("shop", tmp_path)
    srv = RawServer(root, tmp_path / "index")
    try:
        init = srv.request(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                             "clientInfo": {"name": "raw", "version": "0"}})
        assert "result" in init, init
        srv.send(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        yield srv
    finally:
        srv.close()


def call_tool(srv: RawServer, id_: int, tool: str, /, **args) -> dict:
    reply = srv.request(id_, "tools/call", {"name": tool, "arguments": args})
    assert "result" in reply, reply
    return reply["result"]


MALFORMED = {
    "not json": ("hello there", -32700, None),
    "truncated json": ('{"jsonrpc": "2.0", "id": 7, "method": "tools/li', -32700, None),
    "deeply nested": ("[" * 100_000 + "]" * 100_000, -32700, None),
    "deeply nested object": ('{"a":' * 100_000 + "1" + "}" * 100_000, -32700, None),
    "batch": ('[{"jsonrpc": "2.0", "id": 8, "method": "tools/list"}]', -32600, None),
    "empty batch": ("[]", -32600, None),
    "null id": ('{"jsonrpc": "2.0", "id": null, "method": "tools/list"}', -32600, None),
    "boolean id": ('{"jsonrpc": "2.0", "id": true, "method": "tools/list"}', -32600, None),
    "no method": ('{"jsonrpc": "2.0", "id": 9}', -32600, 9),
    "wrong version": ('{"jsonrpc": "1.0", "id": "a", "method": "tools/list"}', -32600, "a"),
    "a number": ("42", -32600, None),
}


def test_malformed_lines_get_json_rpc_errors_and_the_server_stays_up(server):
    for label, (raw, code, id_) in MALFORMED.items():
        server.send(raw)
        reply = server.answer()
        assert reply["jsonrpc"] == "2.0" and reply["id"] == id_, (label, reply)
        assert reply["error"]["code"] == code, (label, reply)
        assert len(json.dumps(reply)) < 1000, label  # the input is not echoed back
    # Still serving: a normal tool call works after all of that.
    answer = call_tool(server, 100, "references", symbol="format_price")
    assert not answer.get("isError"), answer
    assert answer["structuredContent"]["page"]["total"] == 6
    assert all({"how", "confidence"} <= set(r) for r in answer["structuredContent"]["references"])


def test_a_request_the_sdk_cannot_read_says_why(server):
    # A lone surrogate escape: Python's json reads it, the SDK's parser does not.
    # The answer blamed a missing jsonrpc, method or id, all three present.
    server.send('{"jsonrpc": "2.0", "id": 41, "method": "tools/call", '
                '"params": {"name": "symbol", "arguments": {"name": "\\ud800"}}}')
    reply = server.answer()
    assert reply["id"] == 41 and reply["error"]["code"] == -32600, reply
    message = reply["error"]["message"]
    assert "hex escape" in message and "needs jsonrpc" not in message, message
    assert call_tool(server, 42, "status")["structuredContent"]["state"]


def test_a_huge_symbol_name_is_quoted_back_bounded(server):
    for id_, (tool, arg) in enumerate((("symbol", "name"), ("references", "symbol"), ("definition", "symbol")),
                                      start=200):
        result = call_tool(server, id_, tool, **{arg: HUGE})
        assert result.get("isError"), (tool, str(result)[:300])
        text = result["content"][0]["text"]
        assert len(text) < 2000 and "5000000 chars" in text, (tool, text[:300])
    assert call_tool(server, 300, "status")["structuredContent"]["state"]
    log = server.close()
    assert len(log) < 200_000, log[:2000]  # no log line carries the 5 MB name
