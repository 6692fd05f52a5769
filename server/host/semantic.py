"""The semantic index in the server: one embedder, one background thread.

Why a thread of its own: the graph comes first. Each folder's writer thread
keeps the graph fresh and must never wait for a model, so embedding runs on
one `codemeld-embed` thread for the whole session, after the graph:

- the first graph run of a folder ends -> embed everything that changed
  (`indexer.semantic.build.update_embeddings`, with its own `$/progress`
  "Embedding n/N symbols"); compaction happens only on these runs;
- files change on disk (watchers, `didChangeWatchedFiles`) or a document is
  saved -> re-embed after a quiet second, so a burst becomes one batch.
  Keystrokes never embed: an unsaved buffer's text differs from the disk,
  and `update_embeddings` only embeds files whose disk text is what the
  graph indexed.

The model (one `SentenceTransformerEmbedder`, shared by building and
searching) is loaded on that thread once the first graph run is done: never
on the event loop, and never while the indexer forks its parser processes.
When it cannot load (package missing, bad model path), the user is told once
and every graph feature carries on; `codemeld/search` then answers with an
error that says why.

This module knows folders, paths and threads; LSP messages leave through the
`notify`/`progress` callables the app hands in.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from typing import Any, Callable

from indexer.semantic import SemanticUnavailable
from server.host.options import Options
from server.host.workspace import FolderIndex

log = logging.getLogger(__name__)

SAVE_QUIET_S = 1.0  # saves and disk changes are embedded after this much quiet
FIRST_RUN_WAIT_S = 60.0  # longest a search waits for a folder's first embedding

# FolderSemantic.state values (also in codemeld/status as "embeddings")
WAITING = "waiting"  # for the graph's first run
LOADING = "loading model"
EMBEDDING = "embedding"
READY = "ready"
UNAVAILABLE = "unavailable"


class FolderSemantic:
    """One folder's vector store: its state and its search side."""

    def __init__(self, folder: FolderIndex, embedder):
        self.folder = folder
        self.state = WAITING
        self.error: str | None = None
        self.first_done = threading.Event()  # set after the first run (or when it can never happen)
        self.due: float | None = None  # monotonic time of the next run
        self.maintain = False  # the next run follows a full graph run: compaction allowed
        self.graph_ready = False
        self._embedder = embedder
        self._index = None

    @property
    def index(self):
        """`SemanticIndex` over this folder (thread-safe for searches)."""
        if self._index is None:
            from indexer.semantic.search import SemanticIndex

            self._index = SemanticIndex(self.folder.indexer.index_dir, self.folder.graph, self._embedder)
        return self._index

    def ready(self) -> bool:
        return self.state == READY or (self.state == EMBEDDING and self.first_done.is_set())


ProgressStart = Callable[[str], Any]  # title -> a ProgressSink (or None)


class SemanticService:
    """Schedules embedding per folder and answers searches."""

    def __init__(self, options: Options, notify: Callable[[str], None],
                 progress: ProgressStart | None = None):
        from indexer.semantic.embedder import EmbedderConfig, make_embedder

        config = EmbedderConfig.from_env()
        if options.embeddingModel:
            config = dataclasses.replace(config, model=options.embeddingModel)
        if not config.threads:
            # Leave a core to the requests: embedding a big workspace runs for a while.
            config = dataclasses.replace(config, threads=max(1, (os.cpu_count() or 1) - 1))
        self.embedder = make_embedder(config)  # ONNX Runtime where installed, else torch
        self._notify = notify
        self._progress = progress
        self._folders: dict[int, FolderSemantic] = {}
        self._cond = threading.Condition()
        self._stop = False
        self.error: str | None = None  # why the semantic index is unavailable
        self._thread = threading.Thread(target=self._loop, name="codemeld-embed", daemon=True)
        self._thread.start()

    # -- folders ---------------------------------------------------------------

    def attach(self, folder: FolderIndex) -> FolderSemantic:
        state = FolderSemantic(folder, self.embedder)
        if self.error is not None:
            self._give_up(state, self.error)
        folder.semantic = state
        folder.on_indexed = self._indexed
        with self._cond:
            self._folders[id(folder)] = state
        return state

    def detach(self, folder: FolderIndex) -> None:
        with self._cond:
            self._folders.pop(id(folder), None)
        folder.on_indexed = None

    def state_of(self, folder: FolderIndex) -> FolderSemantic | None:
        return self._folders.get(id(folder))

    # -- triggers (any thread) ---------------------------------------------------

    def _indexed(self, folder: FolderIndex, reason: str) -> None:
        """Writer-thread hook: the graph of `folder` changed."""
        if reason == "full":
            self.schedule(folder, 0.0, maintain=True, graph_ready=True)
        elif reason == "disk":
            self.schedule(folder, SAVE_QUIET_S)
        # "buffer": unsaved text is never embedded; a save schedules its own run.

    def saved(self, folder: FolderIndex) -> None:
        """A document was saved (its buffer is re-indexed at the same time)."""
        self.schedule(folder, SAVE_QUIET_S)

    def schedule(self, folder: FolderIndex, delay: float, maintain: bool = False, graph_ready: bool = False) -> None:
        with self._cond:
            state = self._folders.get(id(folder))
            if state is None or state.state == UNAVAILABLE:
                return
            due = time.monotonic() + delay
            state.due = due if state.due is None else min(state.due, due) if delay == 0 else max(state.due, due)
            state.maintain = state.maintain or maintain
            state.graph_ready = state.graph_ready or graph_ready
            self._cond.notify_all()

    # -- queries (query threads) ---------------------------------------------------

    def wait_first_run(self, folder: FolderIndex, timeout: float = FIRST_RUN_WAIT_S) -> FolderSemantic:
        """The folder's state once its first embedding is done; raises
        SemanticUnavailable when it never will be."""
        state = self._folders.get(id(folder))
        if state is None:
            raise SemanticUnavailable("semantic search is off for this folder")
        if not state.first_done.wait(timeout):
            raise SemanticUnavailable(f"the semantic index of {folder.name} is still being built ({state.state});"
                                      " try again in a moment")
        if state.state == UNAVAILABLE:
            raise SemanticUnavailable(state.error or "the semantic index is unavailable")
        return state

    # -- the embed thread ------------------------------------------------------------

    def _next(self) -> FolderSemantic | None:
        with self._cond:
            while not self._stop:
                now = time.monotonic()
                # A folder's first run waits for its graph; later ones only for their due time.
                due = [s for s in self._folders.values()
                       if s.due is not None and s.graph_ready and s.state != UNAVAILABLE]
                ready = [s for s in due if s.due <= now]
                if ready:
                    state = min(ready, key=lambda s: s.due)
                    state.due = None
                    return state
                self._cond.wait(max(0.0, min(s.due for s in due) - now) if due else None)
            return None

    def _loop(self) -> None:
        while (state := self._next()) is not None:
            if self.error is None and not self.embedder.loaded:
                state.state = LOADING
                try:
                    self.embedder.load()
                except SemanticUnavailable as exc:
                    self._unavailable(str(exc))
                    continue
            self._run(state)

    def _run(self, state: FolderSemantic) -> None:
        from indexer.semantic.build import update_embeddings

        folder = state.folder
        maintain, state.maintain = state.maintain, False
        state.state = EMBEDDING
        folder.sync()  # a save's buffer is indexed before we compare the graph with the disk
        sink = _LazyProgress(self._progress, f"codemeld: embedding {folder.name}")
        message = "failed"
        try:
            run = update_embeddings(folder.graph, folder.indexer.index_dir, self.embedder, progress=sink.report,
                                    cancel=lambda: self._stop or sink.cancelled(), maintain=maintain,
                                    first=_near_open(folder))  # what the user looks at gets vectors first
            if run.files or run.removed:
                state.index.refresh()
            message = f"{run.embedded} chunks embedded ({run.reused} reused) from {run.files} files in {run.seconds:.1f} s"
            log.info("embeddings of %s: %s", folder.root, message)
            state.state = READY
        except SemanticUnavailable as exc:  # LanceDB missing or the store cannot open
            self._unavailable(str(exc))
        except Exception as exc:  # a bug or a broken store: graph features carry on
            log.exception("embedding %s failed", folder.root)
            state.state = READY if state.first_done.is_set() else UNAVAILABLE
            state.error = f"embedding failed: {type(exc).__name__}: {exc}"
        finally:
            state.first_done.set()
            sink.end(message)

    def _unavailable(self, reason: str) -> None:
        """Say why once; no folder embeds again in this session."""
        if self.error is None:
            self.error = reason
            log.warning("semantic index unavailable: %s", reason)
            try:
                self._notify(f"codemeld: semantic search is off: {reason}. Other features work as usual.")
            except Exception:
                log.exception("cannot report that the semantic index is unavailable")
        with self._cond:
            for state in self._folders.values():
                self._give_up(state, reason)

    @staticmethod
    def _give_up(state: FolderSemantic, reason: str) -> None:
        state.state = UNAVAILABLE
        state.error = reason
        state.due = None
        state.first_done.set()

    def stop(self) -> None:
        """Ask the thread to stop; a running embedding cancels at its next file."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()

    def close(self, timeout: float = 2.0) -> None:
        """Stop, and give a running batch a moment to finish before the stores close."""
        self.stop()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)


class _LazyProgress:
    """Starts `$/progress` at the first report with work to do, so a save
    that changes nothing embeddable shows no progress at all."""

    def __init__(self, start: ProgressStart | None, title: str):
        self._start, self._title = start, title
        self._sink = None
        self._begun = False

    def report(self, done: int, total: int, message: str) -> None:
        if not self._begun and total > 0 and self._start is not None:
            self._begun = True
            try:
                self._sink = self._start(self._title)
            except Exception:
                log.exception("cannot start embedding progress")
        if self._sink is not None:
            self._sink.report(done, total, message)

    def cancelled(self) -> bool:
        return self._sink is not None and self._sink.cancelled()

    def end(self, message: str) -> None:
        if self._sink is not None:
            self._sink.end(message)


def _near_open(folder: FolderIndex) -> list[str]:
    """The open documents, then the files that use them: embedded first."""
    opened = sorted(folder.open_texts())
    near: dict[str, None] = {}
    for path in opened:
        found = folder.graph.module_of(path)
        if found is not None:
            near.update(dict.fromkeys(p for p in folder.graph.files_using_module(found[0]) if p not in opened))
    return opened + list(near)
