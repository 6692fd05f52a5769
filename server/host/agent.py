"""The MCP server's hold on one workspace: the host (`Session`) the
language server uses, with one folder (`FolderIndex`: one writer thread,
WAL readers; the watcher: changes made outside, e.g. by the agent's own
edits; embeddings after the graph), plus what only agents need:
progress of the first index for tools that must wait for it, and the edit
previews waiting for an explicit `apply_edit`.

Writes go through `Indexer` only (inside `FolderIndex`), so the index's own
writer lock covers a language server or CLI writing the same index.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from pathlib import Path

from indexer.agent.edits import EditPlan
from indexer.graph.query import Graph
from server.host.options import Options
from server.host.workspace import Session

log = logging.getLogger(__name__)

SETTLE_S = 5.0  # longest a read waits for files being re-resolved
MAX_PLANS = 32  # previews kept for apply_edit; the oldest are forgotten first
READY_WAIT_S = 3600.0  # longest the warm-up thread waits for the first index


class _Progress:
    """ProgressSink of the full runs: remembered for tools and `status`."""

    def __init__(self):
        self.done = self.total = 0
        self.message = "starting"
        self.running = True
        self.changed = threading.Condition()

    def report(self, done: int, total: int, message: str) -> None:
        with self.changed:
            self.done, self.total, self.message = done, total, message
            self.changed.notify_all()

    def end(self, message: str) -> None:
        with self.changed:
            self.running = False
            self.message = message
            self.changed.notify_all()

    def cancelled(self) -> bool:
        return False


class AgentHost:
    """The host (`Session`) with one folder, as the MCP server holds it."""

    def __init__(self, root: Path, index_dir: Path | None = None, *, watch: bool = True, embeddings: bool = False,
                 exclude: tuple[str, ...] = ()):
        self.options = Options(watch=watch, embeddings=embeddings, exclude=tuple(exclude),
                               indexDir=str(index_dir) if index_dir is not None else None)
        self.session = Session(self.options)
        self.folder = self.session.add_folder(root.name or "workspace", root)
        self.root = self.folder.root
        self.progress = _Progress()
        for warning in self.session.start_background(lambda m: log.warning("%s", m), lambda *a: None):
            log.warning("%s", warning)
        self.session.start_watching()  # first: the run says "ready" once changes are watched
        # Incremental: on an existing index only changed files are re-read.
        self.folder.request_full_run(self.progress)
        threading.Thread(target=self._warm, name="codemeld-mcp-warm", daemon=True).start()
        self._plans: OrderedDict[str, EditPlan] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def semantic(self):
        return self.session.semantic

    @property
    def graph(self) -> Graph:
        return self.folder.graph

    def has_index(self) -> bool:
        """Something whole to answer from: the first run is over, or an
        earlier index exists with nothing left to resolve."""
        return not self.progress.running or (self.graph.file_count() > 0 and self.graph.pending() == 0)

    def answer(self, fn, timeout: float = SETTLE_S):
        """fn(graph) inside one read snapshot in which no file is waiting
        for its references: a writer (ours, a language server's, the CLI's)
        commits a changed file's uses with its definitions, but re-resolves
        the files that import it afterwards (and an update of more than 64
        files resolves even its own files in a later step). Such a snapshot
        is waited for briefly; after `timeout` the answer comes from what is there."""
        deadline = time.monotonic() + timeout
        store = self.graph.store
        while True:
            with store.snapshot():
                pending = self.graph.pending()
                if pending == 0 or time.monotonic() >= deadline:
                    if pending:
                        log.warning("answering with %d files still being resolved", pending)
                    return fn(self.graph)
            time.sleep(0.02)

    def wait_ready(self, timeout: float, on_progress=None) -> bool:
        """Block until there is an index to answer from (True) or `timeout`
        passes (False); `on_progress(done, total, message)` on each change."""
        deadline = time.monotonic() + timeout
        while not self.has_index():
            with self.progress.changed:
                self.progress.changed.wait(min(0.5, max(0.0, deadline - time.monotonic())))
                snapshot = (self.progress.done, self.progress.total, self.progress.message)
            if on_progress is not None:
                on_progress(*snapshot)
            if time.monotonic() >= deadline:
                return self.has_index()
        return True

    def _warm(self) -> None:
        """Build what the first locate/search and map would otherwise build
        while the agent waits: the BM25 index and the map's centralities."""
        try:
            if not self.wait_ready(READY_WAIT_S):
                return
            from indexer.agent import codemap, textindex

            textindex.text_index(self.graph)
            codemap.build_map(self.graph, "", 1, codemap.MIN_BUDGET)
        except Exception:  # only a head start: the tools build them on demand anyway
            log.exception("warming the agent indexes failed")

    def vectors(self):
        """The semantic index when its first build is done, else None."""
        if self.semantic is None:
            return None
        state = self.semantic.state_of(self.folder)
        if state is None or not state.ready():
            return None
        return state.index

    def embeddings_state(self) -> str:
        if self.semantic is None:
            return "off"
        state = self.semantic.state_of(self.folder)
        return state.state if state is not None else "off"

    # -- edit previews ----------------------------------------------------------

    def keep_plan(self, plan: EditPlan) -> str:
        edit_id = secrets.token_urlsafe(9)
        with self._lock:
            self._plans[edit_id] = plan
            while len(self._plans) > MAX_PLANS:
                self._plans.popitem(last=False)
        return edit_id

    def take_plan(self, edit_id: str) -> EditPlan | None:
        with self._lock:
            return self._plans.pop(edit_id, None)

    def put_back(self, edit_id: str, plan: EditPlan) -> None:
        with self._lock:
            self._plans[edit_id] = plan

    def files_written(self, paths: list[str]) -> None:
        """Our own writes: re-index them now rather than waiting for the watcher."""
        self.folder.disk_changed(paths)

    def close(self) -> None:
        self.session.close()
