"""Changes made outside the editor (git checkout, generators, other tools).

A watchdog observer per session; each event is reduced to a relative path
and handed to its folder, which batches them (see `FolderIndex.disk_changed`)
so a branch switch touching hundreds of files is one `update_paths` call.
Moving or deleting a directory asks for a full incremental run instead:
watchdog does not always report every file under it.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from watchdog.events import (DirDeletedEvent, DirMovedEvent, FileClosedEvent, FileCreatedEvent, FileDeletedEvent,
                             FileModifiedEvent, FileMovedEvent, FileSystemEvent, FileSystemEventHandler)
from watchdog.observers import Observer

from indexer.languages import language_for_path

log = logging.getLogger(__name__)

# What the handler acts on. Naming them narrows the inotify mask: by default
# watchdog also subscribes to opens and reads, and every directory a walk
# lists (ours at each start, its own when adding watches) is an open, so a
# 3,500-folder workspace fed it thousands of events while it started.
_EVENTS = [FileCreatedEvent, FileModifiedEvent, FileClosedEvent, FileDeletedEvent, FileMovedEvent,
           DirDeletedEvent, DirMovedEvent]

# Never worth a look: VCS internals, caches, virtual environments.
_NOISE = {".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
          ".tox", ".nox", ".venv", "venv", "node_modules"}


class _Handler(FileSystemEventHandler):
    def __init__(self, folder):
        self.folder = folder
        self.root = str(folder.root)
        self.index_dir = os.path.abspath(folder.indexer.index_dir)

    def _relative(self, raw) -> str | None:
        path = os.fsdecode(raw)
        if path.startswith(self.index_dir):
            return None  # our own writes, when the index lives inside the folder
        try:
            rel = Path(os.path.relpath(path, self.root))
        except ValueError:
            return None
        if rel.parts[:1] == ("..",) or _NOISE.intersection(rel.parts):
            return None
        return rel.as_posix()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [self._relative(event.src_path)]
        if getattr(event, "dest_path", ""):
            paths.append(self._relative(event.dest_path))
        paths = [p for p in paths if p is not None]
        if not paths:
            return
        if event.is_directory:
            if event.event_type in ("moved", "deleted"):
                self.folder.disk_changed([], structural=True)
            return
        sources = [p for p in paths if language_for_path(p) is not None]
        if sources:
            self.folder.disk_changed(sources)


class Watcher:
    def __init__(self, folders):
        self.observer = Observer()
        self.observer.daemon = True
        self._lock = threading.Lock()
        self._stopped = False
        self.started = threading.Event()  # set once watches are in place (or watching failed)
        for folder in folders:
            try:
                self.observer.schedule(_Handler(folder), str(folder.root), recursive=True, event_filter=_EVENTS)
            except OSError as exc:  # e.g. inotify watch limit reached
                log.warning("not watching %s for outside changes: %s", folder.root, exc)

    def start(self) -> "Watcher":
        with self._lock:
            if not self._stopped:
                try:
                    self.observer.start()
                except OSError as exc:
                    log.warning("file watching unavailable: %s", exc)
            self.started.set()
        return self

    def start_in_background(self) -> "Watcher":
        """Start on a thread of its own: adding a watch per folder walks the
        whole tree (a second on a 3,500-folder workspace), which on the
        caller's thread held up the LSP event loop, and the first answers,
        at every start."""
        threading.Thread(target=self.start, name="codemeld-watch-start", daemon=True).start()
        return self

    def stop(self) -> None:
        with self._lock:  # a start still walking finishes first
            self._stopped = True
            self.started.set()
            try:
                self.observer.stop()
                self.observer.join(timeout=2)
            except RuntimeError:
                pass  # never started
