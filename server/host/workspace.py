"""Session state: one `FolderIndex` per workspace folder.

Threads, and why:
- The LSP event loop only records changes (buffer texts, changed paths) and
  schedules work; it never touches SQLite.
- Each folder has ONE writer thread that owns its `Indexer`. `Indexer` is
  not safe for concurrent writers (`run` compares disk with a snapshot it
  took at the start), so full runs, disk updates and buffer overlays are
  serialised through it.
- Queries run on a small thread pool; each thread reads through its own
  SQLite connection (`Store.conn` is thread-local), inside one read
  transaction a query (`Store.snapshot`), so WAL gives every query a
  consistent snapshot while the writer commits. The writer commits an
  update's facts together with its own references (indexer/pipeline/index.py),
  so no snapshot holds a changed file without them.

This module knows paths and texts, not LSP types; progress reporting comes
in through the small `ProgressSink` protocol.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

from indexer import languages
from indexer.pipeline import discovery
from indexer.analysis import navigation
from indexer.pipeline.index import Indexer
from indexer.pipeline.worker_pool import release_memory
from indexer.graph.query import Graph
from indexer.graph.store import StoreError
from server.host.uris import uri_to_path
from server.host.options import Options

log = logging.getLogger(__name__)

_DISK_QUIET_S = 0.2  # a burst of file events (git checkout) becomes one batch...
_DISK_MAX_WAIT_S = 2.0  # ...but a never-ending burst is still flushed now and then
_SYNC_TIMEOUT_S = 2.0  # longest a query waits for pending edits of its document
_SYNC_ALL_S = 0.5  # ...and a query without a document (workspace-wide) for all of them
_WATCH_START_S = 30.0  # longest a full run waits for the watcher's walk before it says "ready"
_SYNC_OTHERS_S = 0.15  # after its own document, how long a reader waits for other documents' edits
_RESOLVE = "resolve"  # a writer job: the dependents that buffer edits left dirty
_RESOLVE_BATCH = 1  # files a transaction while resolving them: an edit or reader waits for one file at most


class ProgressSink(Protocol):
    """Where a full run reports (the LSP side sends `$/progress`)."""

    def report(self, done: int, total: int, message: str) -> None: ...

    def end(self, message: str) -> None: ...

    def cancelled(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Answer:
    """A query result and the folder root its paths are relative to."""

    root: Path
    value: Any


class FolderIndex:
    """One workspace folder's index and the thread that keeps it fresh."""

    def __init__(self, name: str, root: Path, options: Options, index_dir: Path | None):
        self.name = name
        self.options = options
        self.indexer = Indexer(root, index_dir, options.index_options())
        self.root = self.indexer.root
        # An indexDir holding another workspace's index (copied in, or shared by
        # mistake): the editor's folder wins, the index follows it (its first run
        # replaces the other workspace's files). Said on stderr and to the user.
        self.repointed = None if self.indexer.built_for is None else (
            f"codemeld: {self.indexer.index_dir} held the index of {self.indexer.built_for}; it now indexes"
            f" {self.root} (set indexDir to another folder to keep both)")
        if self.repointed:
            log.warning("%s", self.repointed)
        self.graph = Graph(self.indexer.store, self.root)
        self.state = "indexing"
        self.cancelled = False
        self._cond = threading.Condition()
        self._buffers: dict[str, tuple[bytes, float]] = {}  # path -> (text, due) not yet indexed
        self._open: dict[str, bytes] = {}  # latest text of every open document (overlays the disk)
        self._disk: set[str] = set()
        # path -> the saved state of an open document (see `baseline`); written by the writer thread
        self._baselines: dict[str, Any] = {}  # the language's `breaking.Baseline`
        self._rebaseline: set[str] = set()  # saved documents whose baseline is retaken after indexing
        self._disk_first = self._disk_due = 0.0
        self._full: list[ProgressSink | None] = []  # queued full runs (reindex, first open)
        # Files a buffer's change left dirty (importers of a changed module
        # summary): resolved when no edit or reader waits (`_resolve_dependents`).
        self._resolve_due = False
        self._flush = False
        self._running_full = False
        # Per document: the number of its latest edit, and of the latest one indexed.
        # Readers wait for their own document only (see `sync`).
        self._generation = 0
        self._changed: dict[str, int] = {}
        self._applied: dict[str, int] = {}
        self._wanted: dict[str, int] = {}  # documents a reader waits for -> how many readers
        self._stop = False
        self._shared_tried = False  # the sharedIndex snapshot is pulled once, before the first run
        # Open documents a cold run answered ahead of the rest (indexer/pipeline/first_answers.py).
        self.first_answered: list[str] = []
        self._progress: ProgressSink | None = None  # the running full run's sink
        self._reserved = False  # see reserve_full_run
        # Set once outside changes are watched: a full run says "ready" only
        # then, so a change made after "ready" is never missed.
        self.watching: threading.Event | None = None
        # Called on the writer thread after each job with "full", "disk" or
        # "buffer" (the semantic index follows the graph through it).
        self.on_indexed: Callable[["FolderIndex", str], None] | None = None
        self.semantic: Any = None  # server.host.semantic.FolderSemantic when embeddings are on
        self._thread = threading.Thread(target=self._loop, name=f"codemeld-writer-{self.root.name}", daemon=True)
        self._thread.start()

    # -- requests from the event loop (cheap: record and wake the writer) ----

    def reserve_full_run(self) -> None:
        """A full run is coming (its progress sink is being created): until
        `request_full_run`, the writer takes no buffer, so a document opened
        meanwhile does not turn a cold first run into an incremental one
        (and the run answers it first instead: indexer/pipeline/first_answers.py)."""
        with self._cond:
            self.state = "indexing"
            self._reserved = True
            self._cond.notify_all()

    def request_full_run(self, progress: ProgressSink | None = None) -> None:
        with self._cond:
            self.state = "indexing"
            self._reserved = False
            self._full.append(progress)
            self._cond.notify()

    def buffer_changed(self, path: str, text: bytes, immediate: bool = False) -> None:
        with self._cond:
            self._open[path] = text
            self._generation += 1
            self._changed[path] = self._generation
            due = time.monotonic() + (0 if immediate else self.options.debounceMs / 1000)
            self._buffers[path] = (text, due)
            self._cond.notify()

    def buffer_saved(self, path: str, text: bytes) -> None:
        """The document was saved: index it now, then make it the new baseline."""
        with self._cond:
            self._rebaseline.add(path)
        self.buffer_changed(path, text, immediate=True)

    def buffer_closed(self, path: str) -> None:
        """Forget the overlay: the index goes back to the disk version."""
        with self._cond:
            self._baselines.pop(path, None)
            self._rebaseline.discard(path)
            self._buffers.pop(path, None)
            self._applied[path] = self._changed.get(path, 0)  # nothing left to wait for
            if self._open.pop(path, None) is not None:
                self._queue_disk([path], quiet=0.0)

    def disk_changed(self, paths: Iterable[str], structural: bool = False) -> None:
        """Files changed outside the editor. `structural` (a folder moved or
        deleted) asks for a full incremental run, which re-checks everything."""
        with self._cond:
            if structural:
                if not self._full:
                    self._full.append(None)
            else:
                self._queue_disk(paths, quiet=_DISK_QUIET_S)

    def _queue_disk(self, paths: Iterable[str], quiet: float) -> None:
        now = time.monotonic()
        if not self._disk:
            self._disk_first = now
        self._disk.update(paths)
        self._disk_due = min(now + quiet, self._disk_first + _DISK_MAX_WAIT_S)
        self._cond.notify()

    def _indexable(self, path: str, text: bytes) -> bool:
        """Writer thread: huge or ignored files stay out of the index, as on disk."""
        if len(text) > self.options.maxFileSize:
            return False
        if self.indexer.store.has_file(path):
            return True
        # `unsaved`: a new file opened before its first save is indexed from its buffer.
        checked = discovery.check_file(self.root, Path(path), discovery.DiscoveryOptions(
            max_file_size=self.options.maxFileSize, exclude=tuple(self.options.exclude)), unsaved=True)
        return isinstance(checked, discovery.SourceFile)

    # -- reads ---------------------------------------------------------------

    def sync(self, path: str | None = None, timeout: float = _SYNC_TIMEOUT_S) -> None:
        """Wait until the edits made so far are indexed, so an answer matches
        what the user sees. The writer takes document `path` next, ahead of
        the others, and the reader waits for it up to `timeout` (positions in
        it must be right); then for the other documents' pending edits at
        most `_SYNC_OTHERS_S` more. During a didChange storm over many files
        a reader thus waits for one document's indexing, not for all of them,
        while a single edit elsewhere (well under that budget) is still seen.
        Without a path: every pending edit, up to `timeout`. A running full
        index does not make readers wait: they answer from what is there."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            everything = dict(self._changed)
            if not self._behind(everything):
                return
            if path is not None:
                own = {path: everything.get(path, 0)}
                self._wanted[path] = self._wanted.get(path, 0) + 1
                try:
                    self._wait(own, deadline)
                finally:
                    left = self._wanted.get(path, 1) - 1
                    if left:
                        self._wanted[path] = left
                    else:
                        self._wanted.pop(path, None)
                deadline = min(deadline, time.monotonic() + _SYNC_OTHERS_S)
            self._flush = True
            self._wait(everything, deadline)

    def _wait(self, target: dict[str, int], deadline: float) -> None:
        """Condition held: wait until `target` is indexed or the deadline passes."""
        if not self._behind(target):
            return
        self._cond.notify_all()
        self._cond.wait_for(lambda: not self._behind(target) or self._running_full or self._reserved or self._stop,
                            max(0.0, deadline - time.monotonic()))

    def _behind(self, target: dict[str, int]) -> bool:
        return any(self._applied.get(p, 0) < gen for p, gen in target.items())

    def baseline(self, path: str) -> Any | None:
        """The saved state of an open document: its definitions and their
        uses as indexed from disk, taken just before its first buffer overlay
        and again after each save. Pass it as `baseline=` to
        `breaking_changes`/`update_call_sites`/`add_defaults` so they compare
        the buffer with the saved file, not with the index (which already
        holds the buffer). None for documents not open (or not indexed when
        opened); then the index itself is the saved state."""
        return self._baselines.get(path)

    def open_texts(self) -> dict[str, bytes]:
        """Latest text of every open document (the `overlays` engine functions take)."""
        with self._cond:
            return dict(self._open)

    # -- first answers (indexer.pipeline.first_answers.FirstRequest), on the writer thread --

    def wanted(self) -> list[str]:
        with self._cond:
            return list(self._open)

    def answered(self, paths: list[str], files: int) -> None:
        with self._cond:
            self.first_answered = paths
        note = getattr(self._progress, "note", None)
        if note is not None:
            note(f"first answers: {', '.join(paths)} ({files} files); indexing the rest")

    def status(self) -> dict:
        counts = navigation.index_counts(self.graph)
        partial = {"partial": True, "firstAnswers": list(self.first_answered)} \
            if self.state == "indexing" and self.first_answered else {}
        return {"name": self.name, "root": str(self.root), "state": self.state, **partial,
                "files": counts["files"], "symbols": counts["symbols"], "references": counts["references"],
                "pending": counts["pending"] + len(self._buffers) + len(self._disk),
                "indexDir": str(self.indexer.index_dir), "cancelled": self.cancelled,
                "embeddings": self.semantic.state if self.semantic is not None else "off"}

    # -- the writer thread ---------------------------------------------------

    def _next_job(self):
        """Block until there is work; return (full, buffers, disk, generation)."""
        with self._cond:
            while not self._stop:
                now = time.monotonic()
                if self._full:
                    return self._full.pop(0), {}, set(), None
                if self._reserved:
                    self._cond.wait()
                    continue
                disk = set()
                if self._disk and self._disk_due <= now:
                    disk, self._disk = self._disk - set(self._open), set()
                # One document per job, one a reader waits for first, then the
                # longest due: a reader never waits behind a whole batch.
                wanted = [p for p in self._wanted if p in self._buffers]
                ready = wanted or sorted((p for p, (_, d) in self._buffers.items() if self._flush or d <= now),
                                         key=lambda p: self._buffers[p][1])
                if ready or disk:
                    due = {}
                    if ready:
                        path = ready[0]
                        due[path] = self._buffers.pop(path)[0]
                    self._flush = self._flush and bool(self._buffers)
                    return False, due, disk, {p: self._changed.get(p, 0) for p in due}
                if self._resolve_due:
                    self._resolve_due = False
                    return _RESOLVE, {}, set(), None
                deadlines = [d for _, d in self._buffers.values()] + ([self._disk_due] if self._disk else [])
                self._cond.wait(max(0.0, min(deadlines) - now) if deadlines else None)
            return None

    def _loop(self) -> None:
        while (job := self._next_job()) is not None:
            full, buffers, disk, generation = job
            try:
                if full is _RESOLVE:
                    self._resolve_dependents()
                elif full is not False:
                    self._full_run(full)
                if disk:
                    # The changed files answer now; their dependents follow in the
                    # resolve job, which gives way to every edit and reader (a closed
                    # buffer, a save made outside: a reader never waits behind hundreds
                    # of importers being resolved again).
                    self.indexer.update_paths(sorted(disk), defer_dependents=True)
                    with self._cond:
                        self._resolve_due = True
                for path, text in buffers.items():
                    if self._indexable(path, text):
                        with self._cond:
                            retake = path in self._rebaseline and path in self._open
                            self._rebaseline.discard(path)
                        if path not in self._baselines and not retake:
                            self._capture_baseline(path)  # the index still holds the disk version
                        # Typing: the edited file answers now, its dependents after (a save,
                        # whose baseline is retaken below, waits for them all as before).
                        self.indexer.update_source(path, text, defer_dependents=not retake)
                        if not retake:
                            with self._cond:
                                self._resolve_due = True
                        if retake:
                            self._capture_baseline(path)  # the saved text is the disk version now
            except (StoreError, sqlite3.Error, OSError):
                log.exception("indexing %s failed", self.root)
            except Exception:  # a bug in one file's indexing must not stop the writer
                log.exception("unexpected error while indexing %s", self.root)
            with self._cond:
                for path, gen in (generation or {}).items():  # edits up to `gen` are in the index
                    self._applied[path] = max(self._applied.get(path, 0), gen)
                self._cond.notify_all()
            if self.on_indexed is not None:
                try:
                    self.on_indexed(self, "buffer" if full is _RESOLVE else "full" if full is not False
                                    else "disk" if disk else "buffer")
                except Exception:
                    log.exception("on_indexed hook failed for %s", self.root)

    def _resolve_dependents(self) -> None:
        """Writer thread: resolve the files buffer edits left dirty, a few a
        transaction, giving way to any edit, reader, disk change or full run
        that comes in meanwhile (the job is queued again for what is left)."""
        def waited_for() -> bool:
            with self._cond:
                now = time.monotonic()
                return (self._stop or bool(self._full) or bool(self._wanted) or (self._flush and bool(self._buffers))
                        or any(d <= now for _, d in self._buffers.values()) or (bool(self._disk) and self._disk_due <= now))

        before = self.indexer.store.pending_files()
        self.indexer.resolve_pending(cancel=waited_for, batch=_RESOLVE_BATCH)
        after = self.indexer.store.pending_files()
        # Given way with work left: queue the rest. (A file no plugin resolves stays
        # dirty; without progress nothing is queued, so the writer never spins on it.)
        if 0 < after < before:
            with self._cond:
                self._resolve_due = True

    def _capture_baseline(self, path: str) -> None:
        """Writer thread. Only for indexed files: a file opened before the first
        full run gets its baseline when the run puts its buffer back on top."""
        try:
            facet = languages.edits_for_path(path)
            if facet is not None and self.indexer.store.has_file(path):
                baseline = facet.breaking.Baseline.capture(self.graph, path)
                with self._cond:
                    if path in self._open:
                        self._baselines[path] = baseline
        except (StoreError, sqlite3.Error):
            log.exception("cannot record the saved state of %s", path)

    def _full_run(self, progress: ProgressSink | None) -> None:
        with self._cond:
            self._running_full = True
            self._cond.notify_all()  # readers waiting in sync() go ahead
        started = time.perf_counter()
        message = "failed"
        try:
            def cancel() -> bool:  # the user pressed cancel, or the session is ending
                return self._stop or (progress is not None and progress.cancelled())

            if self.options.sharedIndex and not self._shared_tried:
                from server.host.shared_index import pull_shared

                self._shared_tried = True
                pull_shared(self.indexer, self.options)
            self._progress = progress
            run = self.indexer.run(progress=progress.report if progress else None, cancel=cancel, first=self)
            self.cancelled = cancel()
            if run.parsed:
                # A cold build leaves hundreds of MB of freed heap in this long-lived
                # process (the summaries, the references on their way to SQLite):
                # hand it back (stdlib: 317 MB held at ready, for 109 MB warm).
                release_memory()
            message = (f"cancelled after {run.parsed} files" if self.cancelled else
                       f"{run.discovered} files ({run.parsed} parsed) in {time.perf_counter() - started:.1f} s")
            log.info("indexed %s: %s", self.root, message)
        finally:
            if self.watching is not None:
                self.watching.wait(_WATCH_START_S)  # started on its own thread (watcher.py)
            with self._cond:
                self._running_full = False
                self._progress = None
                self.first_answered = []  # the index is whole again (or the next run says otherwise)
                if not self._full:
                    self.state = "ready"
                # The run re-read changed files from disk; put the open buffers back on top.
                now = time.monotonic()
                for path, text in self._open.items():
                    self._buffers.setdefault(path, (text, now))
                    self._generation += 1
                    self._changed[path] = self._generation  # readers wait for it to go back on top
            if progress is not None:
                progress.end(message)
        try:  # after "ready": the next start's first status reads these instead of counting
            self.indexer.store.remember_sizes()
        except (StoreError, sqlite3.Error):
            log.warning("cannot keep the table sizes of %s", self.root, exc_info=True)

    def stop(self) -> None:
        """Ask the writer to stop; a running full index cancels at its next batch."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()

    def close(self) -> None:
        self.stop()
        self._thread.join(timeout=5)
        self.indexer.close()


async def in_daemon_thread(fn: Callable, *args, limit: threading.Semaphore | None = None) -> Any:
    """fn(*args) on a daemon thread of its own, for long blocking calls (a
    model's answer, waiting for the first embedding): unlike a pool's
    threads, one that is still blocked never holds up the process's exit.
    `limit` bounds how many run at once."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(result, error) -> None:
        if not future.done():
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    def work() -> None:
        result = error = None
        try:
            if limit is not None:
                with limit:
                    result = fn(*args)
            else:
                result = fn(*args)
        except BaseException as exc:  # handed to the awaiting coroutine
            error = exc
        try:
            loop.call_soon_threadsafe(settle, result, error)
        except RuntimeError:
            pass  # the loop is gone: the session ended

    threading.Thread(target=work, name=f"codemeld-{getattr(fn, '__name__', 'call')}", daemon=True).start()
    return await future


class Session:
    """The host: all workspace folders of one session (LSP, MCP or CLI), the
    overlays of their unsaved buffers, the watcher, the options, the
    background work (graph writers, embeddings, learned tests) and the pool
    readers' snapshots run on. Front doors address it by URI or path and
    compose nothing themselves (server/host/features.py does)."""

    def __init__(self, options: Options):
        self.options = options
        self.folders: list[FolderIndex] = []
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="codemeld-query")
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codemeld-background")
        self.watcher = None
        self.semantic = None  # server.host.semantic.SemanticService when embeddings are on
        self._background_hooks = None  # (notify, progress_start) once start_background ran

    def add_folder(self, name: str, root: Path, folder_count: int = 1) -> FolderIndex:
        folder = FolderIndex(name, root, self.options, self.options.index_dir_for(name, folder_count))
        self.folders.append(folder)
        self._attach(folder)
        return folder

    def remove_folder(self, folder: FolderIndex) -> None:
        self.folders.remove(folder)
        if self.semantic is not None:
            self.semantic.detach(folder)
        folder.close()

    # -- background work: embeddings and learned tests follow each folder's graph --

    def start_background(self, notify, progress_start) -> list[str]:
        """Start what the options switch on, for every folder now and later:
        the embedding service and test learning. `notify(message)` and
        `progress_start(title, message)` (-> a ProgressSink) are the front
        door's, called from background threads. Call before the first graph
        run. Returns warnings for what could not start (graph features carry on)."""
        warnings = []
        if self.options.embeddings and self.semantic is None:
            from server.host.semantic import SemanticService

            try:
                self.semantic = SemanticService(self.options, notify, progress_start)
            except Exception as exc:  # numpy missing...
                log.warning("semantic index unavailable: %s", exc)
                warnings.append(f"codemeld: semantic search is off: {exc}")
        self._background_hooks = (notify, progress_start)
        for folder in self.folders:
            self._attach(folder)
        return warnings

    def _attach(self, folder: FolderIndex) -> None:
        hooks = self._background_hooks
        if hooks is None:
            return  # not started yet: start_background attaches every folder
        if self.semantic is not None and self.semantic.state_of(folder) is None:
            self.semantic.attach(folder)
        if self.options.learnTests and not getattr(folder, "_learning", False):
            from server.host import learning

            learning.attach(folder, self.options, *hooks)
            folder._learning = True

    def start_watching(self) -> None:
        """Files changed outside the editor (git, formatters, agents) re-index."""
        if self.options.watch and self.folders and self.watcher is None:
            from server.host.watcher import Watcher

            self.watcher = Watcher(self.folders)
            for folder in self.folders:
                folder.watching = self.watcher.started
            self.watcher.start_in_background()

    def folder_of(self, path: Path) -> FolderIndex | None:
        """The innermost folder holding `path` (folders may nest)."""
        best = None
        for folder in self.folders:
            if path == folder.root or folder.root in path.parents:
                if best is None or len(folder.root.parts) > len(best.root.parts):
                    best = folder
        return best

    def locate(self, uri: str) -> tuple[FolderIndex, str] | None:
        """(folder, relative POSIX path) of a document; None outside every folder."""
        path = uri_to_path(uri)
        if path is None:
            return None
        folder = self.folder_of(path)
        if folder is None:
            return None
        return folder, path.relative_to(folder.root).as_posix()

    def folder_by_root(self, root: str | None) -> FolderIndex | None:
        for folder in self.folders:
            if str(folder.root) == root:
                return folder
        return None

    # -- document sync -------------------------------------------------------

    def buffer_changed(self, uri: str, text: str, immediate: bool = False) -> None:
        located = self.locate(uri)
        if located is not None:
            folder, path = located
            folder.buffer_changed(path, text.encode("utf-8", errors="surrogatepass"), immediate)

    def buffer_saved(self, uri: str, text: str) -> None:
        located = self.locate(uri)
        if located is not None:
            folder, path = located
            folder.buffer_saved(path, text.encode("utf-8", errors="surrogatepass"))

    def document_saved(self, uri: str, text: str | None) -> None:
        """A save: index the saved text (or re-read the file when the front
        door has no text), then re-embed after a quiet second (embeddings
        follow saves, never keystrokes)."""
        if text is not None:
            self.buffer_saved(uri, text)
        else:
            self.files_changed([uri])
        if self.semantic is not None:
            located = self.locate(uri)
            if located is not None:
                self.semantic.saved(located[0])

    def baseline(self, uri: str):
        """The saved state of an edited document (None when it has none)."""
        located = self.locate(uri)
        return located[0].baseline(located[1]) if located is not None else None

    def open_texts(self, uri: str) -> dict[str, bytes]:
        """Unsaved text of every open document in the folder holding `uri`."""
        located = self.locate(uri)
        return located[0].open_texts() if located is not None else {}

    def buffer_closed(self, uri: str) -> None:
        located = self.locate(uri)
        if located is not None:
            located[0].buffer_closed(located[1])

    def files_changed(self, uris: Iterable[str]) -> None:
        by_folder: dict[int, tuple[FolderIndex, list[str]]] = {}
        for uri in uris:
            located = self.locate(uri)
            if located is not None:
                by_folder.setdefault(id(located[0]), (located[0], []))[1].append(located[1])
        for folder, paths in by_folder.values():
            folder.disk_changed(paths)

    # -- queries ---------------------------------------------------------------

    async def run(self, folder: FolderIndex, fn: Callable, *args, path: str | None = None,
                  background: bool = False) -> Answer | None:
        """fn(graph, *args) on the query pool, after pending edits are indexed
        (document `path` first; see `FolderIndex.sync`). `background` work
        the user did not ask for (diagnostics after each keystroke) runs on a
        pool of its own, so it never holds the threads requests need."""
        loop = asyncio.get_running_loop()
        # The sync budget counts from now: time queued for a pool thread is part of the wait.
        deadline = time.monotonic() + (_SYNC_TIMEOUT_S if path is not None else _SYNC_ALL_S)
        pool = self._background if background else self._pool
        return await loop.run_in_executor(pool, self._call, folder, fn, args, path, deadline)

    async def at(self, uri: str, fn: Callable, *args, background: bool = False) -> Answer | None:
        """fn(graph, path, *args) for a document; None when it is no workspace file."""
        located = self.locate(uri)
        if located is None:
            log.debug("no workspace folder holds %s", uri)
            return None
        folder, path = located
        return await self.run(folder, fn, path, *args, path=path, background=background)

    async def each(self, fn: Callable, *args) -> list[Answer]:
        """fn(graph, *args) in every folder."""
        answers = [await self.run(folder, fn, *args) for folder in self.folders]
        return [a for a in answers if a is not None]

    @staticmethod
    def _call(folder: FolderIndex, fn: Callable, args: tuple, path: str | None = None,
              deadline: float | None = None) -> Answer | None:
        folder.sync(path, (deadline - time.monotonic()) if deadline is not None else _SYNC_TIMEOUT_S)
        try:
            # One read transaction: all of the query's statements see the same
            # committed state, not one from before a writer's commit and one after.
            with folder.graph.store.snapshot():
                return Answer(folder.root, fn(folder.graph, *args))
        except (StoreError, sqlite3.Error) as exc:
            log.warning("query %s failed on %s: %s", getattr(fn, "__name__", fn), folder.root, exc)
            return None

    def status(self) -> list[dict]:
        return [folder.status() for folder in self.folders]

    async def status_async(self) -> list[dict]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.status)

    def stop(self) -> None:
        """Signal every writer to stop, without waiting (the client is gone)."""
        if self.semantic is not None:
            self.semantic.stop()
        for folder in self.folders:
            folder.stop()

    def close(self) -> None:
        if self.semantic is not None:
            self.semantic.close()
        if self.watcher is not None:
            self.watcher.stop()
        for folder in self.folders:
            folder.close()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._background.shutdown(wait=False, cancel_futures=True)
