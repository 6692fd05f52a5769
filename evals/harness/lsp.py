"""A byte-level LSP client for hostile-input tests and evals/soak.py.

pytest-lsp speaks only well-formed JSON-RPC; the red-team cases need to send
broken frames and odd params and to see exactly what comes back (or that
nothing does). This client writes raw bytes to a real `codemeld serve`
process and parses its stdout on a thread.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def frame(message: Any) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class RawLsp:
    def __init__(self, root: Path, index_dir: Path, log_file: Path, options: dict | None = None,
                 python: str = sys.executable, command: list[str] | None = None):
        """`command`: another language server (evals/bench_peers.py); codemeld's `serve` by default."""
        self.root = Path(root)
        self.index_dir = Path(index_dir)
        env = {**os.environ, "PYTHONPATH": str(REPO), "CODEMELD_CACHE_DIR": str(self.index_dir.parent / "cache"),
               "HF_HUB_OFFLINE": "1"}
        self.proc = subprocess.Popen(command or [python, "-m", "server.cli", "serve", "--log-file", str(log_file)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     cwd=REPO if command is None else root, env=env)
        self.options = {"embeddings": False, "indexDir": str(self.index_dir), **(options or {})}
        self.inbox: "queue.Queue[dict]" = queue.Queue()
        self.responses: dict[Any, dict] = {}
        self.notifications: list[dict] = []
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._write = threading.Lock()  # a storm sends from one thread while another queries
        self.closed = threading.Event()
        threading.Thread(target=self._pump, daemon=True).start()

    # -- wire ------------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        with self._write:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def send(self, message: Any) -> None:
        self.send_raw(frame(message))

    def _pump(self) -> None:
        out = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    line = out.readline()
                    if not line:
                        return
                    if line in (b"\r\n", b"\n"):
                        break
                    name, _, value = line.decode("ascii", "replace").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                message = json.loads(out.read(length or 0))
                self._received(message)
        finally:
            self.closed.set()
            with self._cond:
                self._cond.notify_all()

    def _received(self, message: dict) -> None:
        if "method" in message and "id" in message:
            # A server request (progress tokens, configuration...): answer null
            # (one null per configuration item asked: ty and pyrefly ask).
            items = (message.get("params") or {}).get("items") if message["method"] == "workspace/configuration" else None
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": [None] * len(items) if items else None})
            return
        with self._cond:
            if "id" in message:
                self.responses[message["id"]] = message
            else:
                self.notifications.append(message)
            self._cond.notify_all()

    def wait_response(self, msg_id: Any, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while msg_id not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0 or self.closed.is_set():
                    return self.responses.pop(msg_id, None)
                self._cond.wait(left)
            return self.responses.pop(msg_id)

    # -- requests ----------------------------------------------------------------

    def next_id(self) -> int:
        with self._write:
            return next(self._ids)

    def request(self, method: str, params: Any = None, timeout: float = 10.0) -> dict | None:
        msg_id = self.next_id()
        # params null rather than left out, as pytest-lsp and most clients do
        # (a corpus case checks that leaving it out is answered too).
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return self.wait_response(msg_id, timeout)

    def notify(self, method: str, params: Any = None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def initialize(self, timeout: float = 60.0, capabilities: dict | None = None) -> dict:
        uri = self.root.as_uri()
        answer = self.request("initialize", {
            "processId": os.getpid(), "rootUri": uri, "capabilities": capabilities or {},
            "workspaceFolders": [{"uri": uri, "name": self.root.name}],
            "initializationOptions": self.options}, timeout)
        assert answer is not None and "result" in answer, answer
        self.notify("initialized", {})
        return answer

    def wait_ready(self, timeout: float = 120.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self.request("codemeld/status", None, 10)
            folders = (answer or {}).get("result") or {}
            folders = folders.get("folders", folders) if isinstance(folders, dict) else folders
            if folders and all(f.get("state") == "ready" for f in folders):
                return answer
            time.sleep(0.1)
        raise AssertionError("index not ready")

    def alive(self, timeout: float = 10.0) -> bool:
        """The server still answers a request."""
        if self.proc.poll() is not None:
            return False
        return self.request("codemeld/status", None, timeout) is not None

    def uri(self, rel: str) -> str:
        return (self.root / rel).as_uri()

    def close(self, timeout: float = 10.0) -> int | None:
        if self.proc.poll() is None:
            try:
                self.request("shutdown", None, timeout)
                self.notify("exit")
            except (BrokenPipeError, OSError):
                pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
        finally:
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
