"""The pygls language server: lifecycle, and the table of feature modules.

Thin on purpose: `initialize` parses options and opens one index per
workspace folder; `initialized` starts indexing (with progress); every
feature lives in its own module under `server/features/` and is registered
here only when its switch is on, so capabilities advertise exactly what
the server answers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from pathlib import Path

from lsprotocol import types
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from server import convert, gc_policy, transport
from server.wire import EncodedWire
from server.host import options as options_mod
from server.features import (call_hierarchy, code_lens, definition, ext, highlight, hover, impact, references,
                             symbols, sync, type_hierarchy)
from server.features import explain, search
from server.features import code_action, files, rename
from server.features import affected_tests
from server.progress import LspProgress, host_callbacks
from server.host.workspace import Session

log = logging.getLogger(__name__)

try:
    from importlib.metadata import version as _version

    VERSION = _version("codemeld")
except Exception:  # running from a checkout that was never installed
    VERSION = "0.0.0"

# feature switch -> module whose register(server) adds its handlers
SWITCHED = {
    "definition": definition,
    "references": references,
    "hover": hover,
    "documentSymbol": symbols.document,
    "workspaceSymbol": symbols.workspace,
    "callHierarchy": call_hierarchy,
    "typeHierarchy": type_hierarchy,
    "codeLens": code_lens,
    "documentHighlight": highlight,
    "rename": rename,
    "codeAction": code_action,
    "willRenameFiles": files,
}


class CodemeldProtocol(EncodedWire, LanguageServerProtocol):  # EncodedWire: answers sent as made
    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):
        # The index stores UTF-16 columns. Every client must accept UTF-16
        # (LSP 3.17), so never negotiate UTF-8/32 even when offered first.
        if params.capabilities.general is not None:
            params.capabilities.general.position_encodings = None
        return (yield from super().lsp_initialize(params))


class CodemeldServer(LanguageServer):
    def __init__(self):
        super().__init__("codemeld", VERSION, protocol_cls=CodemeldProtocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.options = options_mod.Options()
        self.option_warnings: list[str] = []
        self.init_options = None  # the raw initializationOptions (the LLM endpoint is read from them)
        self.session = Session(self.options)

    async def start_indexing(self, folder) -> None:
        """A full (incremental) run of one folder, reported through $/progress."""
        folder.reserve_full_run()  # documents opened while the token is created wait for the run
        progress = await LspProgress.start(self, f"codemeld: indexing {folder.name}")
        folder.request_full_run(progress)

    def shutdown(self):
        # Also reached when the client vanishes (stdin EOF) without `shutdown`:
        # stop indexing now, or interpreter exit would wait for the worker pool.
        self.session.stop()
        super().shutdown()

    # pygls' stream loop goes silent after one malformed frame and drops what it
    # cannot deserialize; server/transport.py frames and answers instead.
    def start_io(self, stdin=None, stdout=None) -> int:
        """Serve on the given binary streams; the process exit code (LSP: 1 when
        `exit` came without `shutdown`)."""
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        return self._run_transport(lambda loop: transport.thread_reader(stdin or sys.stdin.buffer, loop))

    def start_tcp(self, host: str, port: int) -> int:
        """One client connection on HOST:PORT, served like stdio."""
        self._stop_event = threading.Event()

        async def main() -> None:
            connected: asyncio.Future = asyncio.get_running_loop().create_future()

            async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                if not connected.done():
                    connected.set_result((reader, writer))

            self._server = await asyncio.start_server(on_connect, host, port)
            log.info("listening on %s:%s", host, port)
            reader, writer = await connected
            self.protocol.set_writer(writer)
            await transport.serve(lambda: reader.read(transport.READ_SIZE), self.protocol, self._stop_event)

        return self._exit_code(main)

    def _run_transport(self, make_reader) -> int:
        async def main() -> None:
            read = make_reader(asyncio.get_running_loop())
            await transport.serve(read, self.protocol, self._stop_event)

        return self._exit_code(main)

    def _exit_code(self, main) -> int:
        code = 0
        try:
            asyncio.run(main())
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BrokenPipeError:
            log.error("the client's channel is gone; shutting down")
        except KeyboardInterrupt:
            pass
        finally:
            self.shutdown()
        return code


def _folders(params: types.InitializeParams) -> list[tuple[str, Path]]:
    out = []
    for folder in params.workspace_folders or []:
        path = convert.uri_to_path(folder.uri)
        if path is not None and path.is_dir():
            out.append((folder.name or path.name, path))
    if not out:
        root = params.root_uri or (Path(params.root_path).as_uri() if params.root_path else None)
        path = convert.uri_to_path(root) if root else None
        if path is not None and path.is_dir():
            out.append((path.name, path))
    return out


def build() -> CodemeldServer:
    server = CodemeldServer()
    sync.register(server)
    ext.register(server)
    impact.register(server)
    affected_tests.register(server)
    search.register(server)
    explain.register(server)

    @server.feature(types.INITIALIZE)
    def initialize(ls: CodemeldServer, params: types.InitializeParams) -> None:
        ls.options, ls.option_warnings = options_mod.parse(params.initialization_options)
        ls.init_options = params.initialization_options
        ls.session = Session(ls.options)
        for name, module in SWITCHED.items():
            if getattr(ls.options.features, name):
                module.register(ls)
        folders = _folders(params)
        for name, path in folders:
            try:
                # `initialized` starts its run; a didOpen may be handled before that coroutine runs.
                folder = ls.session.add_folder(name, path, len(folders))
                folder.reserve_full_run()
                if folder.repointed:
                    ls.option_warnings.append(folder.repointed)
            except Exception as exc:  # unwritable index dir, corrupt database...
                log.exception("cannot open the index for %s", path)
                ls.option_warnings.append(f"codemeld: cannot index {path}: {exc}")

    @server.feature(types.INITIALIZED)
    async def initialized(ls: CodemeldServer, params: types.InitializedParams) -> None:
        for warning in ls.option_warnings:
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=warning))
        # Embeddings and learned tests follow each folder's graph runs (the host's background work).
        for warning in ls.session.start_background(*host_callbacks(ls, asyncio.get_running_loop())):
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=warning))
        # Watching starts first (its walk runs on a thread of its own): each
        # folder's first run then says "ready" only once changes are watched.
        ls.session.start_watching()
        for folder in ls.session.folders:
            await ls.start_indexing(folder)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def folders_changed(ls: CodemeldServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        for removed in params.event.removed:
            path = convert.uri_to_path(removed.uri)
            folder = ls.session.folder_by_root(str(path)) if path else None
            if folder is not None:
                ls.session.remove_folder(folder)
        for added in params.event.added:
            path = convert.uri_to_path(added.uri)
            if path is not None and path.is_dir() and ls.session.folder_by_root(str(path)) is None:
                folder = ls.session.add_folder(added.name or path.name, path, len(ls.session.folders) + 1)
                await ls.start_indexing(folder)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: CodemeldServer, params) -> None:
        ls.session.close()

    return server


def setup_logging(log_file: Path | None, level: int = logging.INFO) -> None:
    """Logs go to stderr or a file, never stdout: stdout is the LSP channel."""
    handler = logging.FileHandler(log_file) if log_file else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("pygls").setLevel(logging.WARNING)  # pygls logs every message at INFO


def serve(tcp: str | None = None, log_file: Path | None = None) -> int:
    """Run until the client says exit: stdio by default, or `HOST:PORT`.
    Returns the exit code the LSP spec asks for."""
    setup_logging(log_file)
    gc_policy.tune()  # huge answers: fewer collections of a big heap (server/gc_policy.py)
    server = build()
    if tcp:
        host, _, port = tcp.rpartition(":")
        return server.start_tcp(host or "127.0.0.1", int(port))
    channel_in, channel_out = _private_stdio()
    return server.start_io(channel_in, channel_out)


def _private_stdio():
    """The LSP channel on private copies of fds 0/1; sys.stdin/stdout become harmless.

    Why: a multiprocessing child closes `sys.stdin` and flushes
    `sys.stdout` on start. pygls reads stdin in another thread, holding the
    stream's lock, so a child forked from here inherited that held lock and
    blocked forever. (Workers of this threaded process now come from the
    forkserver, worker_pool.py, which inherits no lock; the channel stays
    private anyway.) With the channel on private file objects, children only
    touch /dev/null and stderr, and a stray print() can no longer corrupt the
    protocol stream.
    """
    channel_in = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    channel_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)  # anything written to fd 1 from now on lands in stderr
    sys.stdin = open(os.devnull)
    sys.stdout = sys.stderr
    return channel_in, channel_out
