"""The LSP client of the tests and evaluations, over a real `codemeld serve`.

- `RawLsp` for hostile-input tests and evals/soak.py (pytest-lsp speaks
  only well-formed JSON-RPC; the red-team cases need to send broken frames
  and odd params and to see exactly what comes back, or that nothing does:
  it writes raw bytes and parses stdout on a thread);
- `LspClient`, the same wire for any server driven synchronously (pyright
  as the reference of evals/refs.py and evals/impact.py);
- `Server`, any server driven asynchronously by pygls (evals/bench_lsp.py
  times many requests in flight);
- the pytest-lsp session helpers (`start_client`, `Doc`, `eventually`...)
  that the e2e tests and the harness's refactorings drive codemeld with.
"""

from __future__ import annotations

import asyncio
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

from lsprotocol import types
from pygls.lsp.client import LanguageClient as PyglsClient
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPO = Path(__file__).resolve().parents[2]
STATUS = "codemeld/status"


def frame(message: Any) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class RawLsp:
    def __init__(self, root: Path, index_dir: Path, log_file: Path, options: dict | None = None,
                 python: str = sys.executable, command: list[str] | None = None, repo: Path = REPO):
        """`command` runs another language server instead (an oracle, e.g.
        typescript-language-server) in `root`; codemeld's options then go unused.
        `repo`: the codemeld checkout to run (another one is a baseline)."""
        self.root = Path(root)
        self.index_dir = Path(index_dir)
        env = {**os.environ, "PYTHONPATH": str(repo), "CODEMELD_CACHE_DIR": str(self.index_dir.parent / "cache"),
               "HF_HUB_OFFLINE": "1"}
        argv = command or [python, "-m", "server.cli", "serve", "--log-file", str(log_file)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     cwd=self.root if command else repo, env=env)
        self.options = {"embeddings": False, "indexDir": str(self.index_dir), **(options or {})}
        self._listen()

    # -- wire ------------------------------------------------------------------

    def _listen(self) -> None:
        """Start reading the server's stdout (self.proc) on a thread."""
        self.inbox: "queue.Queue[dict]" = queue.Queue()
        self.responses: dict[Any, dict] = {}
        self.notifications: list[dict] = []
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._write = threading.Lock()  # a storm sends from one thread while another queries
        self.closed = threading.Event()
        threading.Thread(target=self._pump, daemon=True).start()

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


class LspError(RuntimeError):
    pass


class LspClient(RawLsp):
    """Any language server (pyright: evals/refs.py, evals/impact.py) driven
    synchronously over RawLsp's wire.

    `request` returns the result, or raises `LspError` (an error answer, the
    server gone) or `TimeoutError` (after sending `$/cancelRequest`). Server
    requests are answered on the reading thread, `workspace/configuration`
    from `settings`; `window/logMessage` lines go to the log file, with the
    server's stderr; other notifications (diagnostics, progress) are dropped.
    """

    def __init__(self, cmd: list[str], cwd: Path, settings: dict | None = None,
                 log_path: Path | None = None):
        # The server's stderr and its window/logMessage lines share one file,
        # opened for appending so that the two writers cannot clobber each other.
        self._log = open(log_path, "ab", buffering=0) if log_path else None
        self.root = Path(cwd)
        self.settings = settings or {}
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._log or subprocess.DEVNULL,
        )
        self._listen()

    def _received(self, message: dict) -> None:
        method = message.get("method")
        if method is not None and "id" in message:
            result = None  # right for registerCapability, workDoneProgress/create, ...
            if method == "workspace/configuration":
                items = (message.get("params") or {}).get("items", [])
                result = [self.settings.get(item.get("section")) for item in items]
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})
        elif method is not None:
            if method == "window/logMessage" and self._log:
                self._log.write((message["params"]["message"] + "\n").encode("utf-8"))
        else:
            super()._received(message)

    def request(self, method: str, params, timeout: float):
        msg_id = self.next_id()
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        answer = self.wait_response(msg_id, timeout)
        if answer is None:
            if self.closed.is_set():
                raise LspError(f"server exited (code {self.proc.poll()}) during {method}")
            self.notify("$/cancelRequest", {"id": msg_id})
            raise TimeoutError(f"{method} got no answer in {timeout:.0f}s")
        if "error" in answer:
            raise LspError(f"{method}: {answer['error']}")
        return answer.get("result")

    def initialize(self, root: Path, timeout: float = 120, options: dict | None = None) -> dict:
        uri = root.as_uri()
        result = self.request("initialize", {
            "processId": os.getpid(),
            "rootUri": uri,
            "rootPath": str(root),
            "workspaceFolders": [{"uri": uri, "name": root.name}],
            **({"initializationOptions": options} if options is not None else {}),
            "capabilities": {
                "workspace": {"configuration": True, "workspaceFolders": True},
                "textDocument": {
                    "synchronization": {"didSave": False},
                    "references": {"dynamicRegistration": False},
                },
            },
        }, timeout)
        self.notify("initialized", {})
        # pyright only loads its settings (and so starts analysing) once told
        # they changed; without this its requests hang until the next message.
        self.notify("workspace/didChangeConfiguration", {"settings": self.settings})
        return result

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None, timeout=15)
                self.notify("exit", None)
                self.proc.wait(timeout=10)
        except (TimeoutError, LspError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            if self._log:
                self._log.close()


class Server:
    """One language server process (codemeld, jedi-language-server...) driven
    over stdio by pygls, asynchronously: what evals/bench_lsp.py times."""

    def __init__(self, command: list[str], env: dict | None = None):
        self.command = command
        self.env = env
        self.client = PyglsClient("codemeld-bench", "1")
        self.client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)(lambda *a: None)
        for method in (types.PROGRESS, types.WINDOW_LOG_MESSAGE, types.WINDOW_SHOW_MESSAGE,
                       types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS):
            self.client.feature(method)(lambda *a: None)
        self.client.feature(types.WORKSPACE_CONFIGURATION)(lambda *a: [None] * len(a[-1].items))
        self.versions: dict[str, int] = {}

    async def start(self, root: Path, options: dict | None) -> None:
        await self.client.start_io(*self.command, env=self.env)
        self._drain = asyncio.create_task(self._drain_stderr())
        caps = types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(workspace_folders=True, configuration=True),
            text_document=types.TextDocumentClientCapabilities(
                hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
                document_symbol=types.DocumentSymbolClientCapabilities(hierarchical_document_symbol_support=True)),
        )
        await self.client.initialize_async(types.InitializeParams(
            capabilities=caps, root_uri=root.as_uri(), process_id=os.getpid(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options=options))
        self.client.initialized(types.InitializedParams())

    async def _drain_stderr(self):
        stream = self.client._server.stderr if self.client._server else None
        while stream is not None and await stream.readline():
            pass

    @property
    def pid(self) -> int:
        return self.client._server.pid

    async def status(self) -> dict:
        result = await self.client.protocol.send_request_async("codemeld/status", None)
        return _plain(result)

    async def wait_ready(self, timeout: float = 900) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if (await self.status())["state"] == "ready":
                return time.perf_counter() - started
            await asyncio.sleep(0.01)
        raise TimeoutError("index not ready")

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 30)
            self.client.exit(None)
            await asyncio.wait_for(self.client._server.wait(), 10)
        except Exception:
            pass
        finally:
            self._drain.cancel()
            await self.client.stop()


# -- pytest-lsp sessions (well-formed JSON-RPC, typed) --------------------------

def server_config(cache_dir: Path) -> ClientServerConfig:
    env = {**os.environ, "PYTHONPATH": str(REPO), "CODEMELD_CACHE_DIR": str(cache_dir)}
    return ClientServerConfig(server_command=[sys.executable, "-m", "server"], server_env=env)


def init_params(root: Path, index_dir: Path | None, options: dict | None = None,
                capabilities: types.ClientCapabilities | None = None) -> types.InitializeParams:
    opts = dict(options or {})
    # Loading the embedding model costs seconds: only tests that search turn it on.
    opts.setdefault("embeddings", False)
    if index_dir is not None:
        opts.setdefault("indexDir", str(index_dir))
    return types.InitializeParams(
        capabilities=capabilities or client_capabilities("visual_studio_code"),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=opts,
    )


async def status(client: LanguageClient) -> dict:
    result = await client.protocol.send_request_async(STATUS, None)
    return result if isinstance(result, dict) else _plain(result)


def _plain(value):
    """pygls hands back responses to custom methods as named tuples; make them dicts."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


async def wait_ready(client: LanguageClient, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        current = await status(client)
        if current["state"] == "ready":
            return current
        if time.monotonic() > deadline:
            raise AssertionError(f"index not ready after {timeout}s: {current}")
        await asyncio.sleep(0.05)


async def eventually(check, timeout: float = 10.0, interval: float = 0.05):
    """Await `check()` until it returns something truthy (or time runs out)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(interval)


def find_position(root: Path, rel: str, needle: str) -> tuple[str, int, int]:
    """(rel, line, UTF-16 column) of the first `needle` in a file (benchmarks' first query)."""
    for number, line in enumerate((root / rel).read_text(encoding="utf-8").splitlines()):
        column = line.find(needle)
        if column >= 0:
            return rel, number, len(line[:column].encode("utf-16-le")) // 2
    raise SystemExit(f"{needle!r} not in {rel}")


class Doc:
    """Positions by text search, so tests survive edits to the workspace files."""

    def __init__(self, root: Path, rel: str):
        self.root, self.rel = root, rel
        self.path = root / rel
        self.uri = self.path.as_uri()

    @property
    def text(self) -> str:
        return self.path.read_text()

    def pos(self, needle: str, nth: int = 0, offset: int = 0) -> types.Position:
        """Position of the nth occurrence of needle (+ offset characters)."""
        lines = self.text.split("\n")
        seen = 0
        for number, line in enumerate(lines):
            start = line.find(needle)
            while start >= 0:
                if seen == nth:
                    return types.Position(line=number, character=start + offset)
                seen += 1
                start = line.find(needle, start + 1)
        raise AssertionError(f"{needle!r} #{nth} not in {self.rel}")

    @property
    def id(self) -> types.TextDocumentIdentifier:
        return types.TextDocumentIdentifier(uri=self.uri)


async def start_client(cache: Path, root: Path, options: dict | None = None,
                       capabilities: types.ClientCapabilities | None = None,
                       ready: bool = True) -> LanguageClient:
    client = await server_config(cache).start()
    await client.initialize_session(init_params(root, cache / "index", options, capabilities))
    if ready:
        await wait_ready(client)
    return client


async def stop_client(client: LanguageClient) -> None:
    try:
        await asyncio.wait_for(client.shutdown_session(), 10)
    finally:
        await client.stop()


