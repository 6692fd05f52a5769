"""Building and updating the index: discover -> parse (workers) -> write -> resolve.

Phase 1 parses changed files in worker processes and writes each file's
symbols in the main process (one transaction per batch), marking the file
and every file whose references may now resolve differently as dirty.
Phase 2 resolves the references of all dirty files (in workers again when
there are many) and writes them, clearing the dirty flags. Each step is
durable on its own, so a killed run leaves a consistent index that the next
run completes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from indexer.pipeline import discovery
from indexer import languages
from indexer.pipeline.first_answers import FirstAnswers, FirstRequest
from indexer.pipeline.index_dir import default_index_dir, other_root  # noqa: F401  (re-exported; light for the CLI)
from indexer.languages.base import FileFacts, LanguageSupport, facts_to_resolve, stored_facts
from indexer.graph.model import IndexRun
from indexer.graph.store import RefColumns, Store, pack, symbol_row, unpack
from indexer.pipeline.worker_pool import (bounded_map, few_collections, frozen_heap, release_memory, start_method,
                                          worker_pool)
from indexer.pipeline.writer_lock import DEFAULT_WAIT_S, WriterLock

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]

_BATCH = 64  # files per write transaction
_PARALLEL_MIN = 48  # below this many files, worker start-up costs more than it saves
_IN_FLIGHT = 4  # chunks per worker submitted ahead of the writer
# Phase 2 holds resolved rows, far bigger than parsed files, and resolves
# the biggest files first: a write as soon as this many rows wait, small
# chunks and a short window keep the writer's peak RSS down (issue 17).
_ROWS_PER_WRITE = 20_000
_RESOLVE_CHUNK = 4
_RESOLVE_IN_FLIGHT = 2


@dataclass(frozen=True, slots=True)
class IndexOptions:
    max_file_size: int = 1_000_000
    exclude: tuple[str, ...] = ()
    jobs: int = 0  # worker processes; 0 = one per core, 1 = in-process
    lock_wait_s: float = DEFAULT_WAIT_S  # how long to wait for another process writing this index

    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else max(1, os.cpu_count() or 1)


@dataclass(slots=True)
class _Parsed:
    """One parsed file, with everything the writer stores prepared by the
    worker (packing and row building run in parallel, not in the writer)."""

    path: str
    sha: str
    size: int
    mtime_ns: int
    error: str | None
    language: str = ""
    module: str | None = None
    is_package: bool = False
    lines: int = 0
    summary: object = None
    facts_blob: bytes | None = None
    summary_blob: bytes | None = None
    symbol_rows: list = field(default_factory=list)
    import_modules: set = field(default_factory=set)
    guard_facts: tuple | None = None  # impact's value guards, as stored (languages/python/guard_facts.py)
    missing: bool = False  # deleted between discovery and reading


def _parse_one(job: tuple) -> _Parsed:
    """Worker: read, hash and extract one file. Never raises."""
    rel_path, abs_path, language, module, is_package, source, options = job
    support = languages.support(language)
    try:
        if source is None:
            stat = os.stat(abs_path)
            with open(abs_path, "rb") as handle:
                source = handle.read()
            size, mtime = stat.st_size, stat.st_mtime_ns
        else:
            size, mtime = len(source), -1  # an unsaved buffer: disk must be re-checked later
    except FileNotFoundError:
        return _Parsed(rel_path, "", 0, 0, "deleted", language, missing=True)
    except OSError as exc:
        return _Parsed(rel_path, "", 0, 0, f"unreadable: {exc.strerror or exc}", language)
    sha = hashlib.sha256(source).hexdigest()
    source = support.normalize_source(source)
    try:
        # (a language's workspace options, `_workspace_options`, only when it has any)
        facts = support.extract(source, rel_path, module, is_package, *((options,) if options else ()))
    except Exception as exc:  # a parser bug must not take the run down
        log.exception("extracting %s failed", rel_path)
        return _Parsed(rel_path, sha, size, mtime, f"extraction failed: {exc}", language)
    notes = list(facts.errors)
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        notes.insert(0, f"not valid UTF-8 at byte {exc.start}; undecodable bytes replaced")
    summary = support.summarize(facts)
    take_guards = getattr(support, "guard_facts", None)
    guards = take_guards(facts) if take_guards is not None else None  # (before the facts are packed)
    if guards is not None:  # as stored: packed calls, spaced keywords, packed conditions
        guards = (pack(guards[0]) if guards[0] else None, " ".join(guards[1]) or None,
                  pack(guards[2]) if guards[2] else None)
    return _Parsed(
        rel_path, sha, size, mtime, "; ".join(notes) or None, language,
        module=facts.module, is_package=facts.is_package, lines=facts.line_count,
        summary=summary, facts_blob=pack(stored_facts(facts)), summary_blob=pack(summary),
        symbol_rows=_symbol_rows(support, facts), import_modules=support.dependencies(facts),
        guard_facts=guards,
    )


def _parse_group(jobs: list[tuple]) -> list[_Parsed]:
    """Worker side: the summary travels once, packed (`_with_summaries` unpacks it)."""
    out = [_parse_one(job) for job in jobs]
    for parsed in out:
        if parsed.summary_blob is not None:
            parsed.summary = None
    return out


def _with_summaries(group: list[_Parsed]) -> list[_Parsed]:
    for parsed in group:
        if parsed.summary is None and parsed.summary_blob is not None:
            parsed.summary = unpack(parsed.summary_blob)
    return group


# Phase-2 worker state: forked workers inherit it (the parent's resolvers,
# shared copy-on-write), others build it in `_start_resolving`.
_WORKER_STATE: dict = {}


def _start_resolving(registry: dict[str, str], index_dir: Path, summaries: bytes) -> None:
    """Pool initializer of a phase-2 worker the forkserver started: the
    parent's languages, and its resolvers rebuilt from its summaries by language."""
    languages.adopt(registry)
    by_language = pickle.loads(summaries)
    _WORKER_STATE["store_factory"] = lambda: Store(index_dir, readonly=True)
    _WORKER_STATE["resolvers"] = _Resolvers(None, True, None, by_language)


# How many import links away from a deleted module files are re-resolved.
_DELETION_IMPORT_DEPTH = 2
# Above this many names added or removed (a pasted module), every importer re-resolves.
_NAMES_ONLY_MAX = 64


def _resolve_chunk(file_ids: list[int]) -> list[tuple[int, RefColumns, set]]:
    # One read connection per worker, for all its chunks (an open and a
    # schema check cost 0.5 ms of CPU and 1.5 ms of wall a chunk).
    store: Store | None = _WORKER_STATE.get("store")
    if store is None:
        store = _WORKER_STATE["store"] = _WORKER_STATE["store_factory"]()
    resolvers = _WORKER_STATE["resolvers"]
    out = []
    for file_id in file_ids:
        facts, resolver = facts_to_resolve(store.load_facts(file_id), resolvers)
        if resolver is None:
            continue
        result = resolver.resolve_file(facts)
        # As the columns the writer stores (no tuple per row to pickle,
        # nor a Python step per row in the writer, a million of them on
        # the standard library).
        out.append((file_id, RefColumns.of(result.refs), result.tests))
    return out


def _symbol_rows(support: LanguageSupport, facts: FileFacts) -> list[tuple]:
    symbols = facts.symbols
    rows = []
    # Optional hook: a member whose parent lives in another file (Go methods).
    parent_of = getattr(support, "symbol_parent", None)
    for sym in symbols:
        parent = symbols[sym.parent] if sym.parent >= 0 else None
        parent_qualname, parent_kind = (parent.qualname, parent.kind) if parent else (None, None)
        if parent_of is not None:
            parent_qualname, parent_kind = parent_of(facts, sym) or (parent_qualname, parent_kind)
        is_member = parent_kind is not None and support.is_member(parent_kind, sym.kind)
        rows.append(symbol_row(sym, is_member, parent_qualname))
    return rows


class Indexer:
    """Owns one workspace's index: builds it, keeps it fresh."""

    def __init__(self, root: Path, index_dir: Path | None = None, options: IndexOptions | None = None):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NotADirectoryError(f"workspace root is not a directory: {root}")
        self.options = options or IndexOptions()
        self.index_dir = Path(index_dir) if index_dir else default_index_dir(self.root)
        # Every write path holds this (writer_lock.py): CLI, LSP and MCP writers exclude each other.
        self.lock = WriterLock(self.index_dir, self.options.lock_wait_s)
        with self.lock.hold():  # opening may rebuild a damaged or outdated database
            self.store = Store(self.index_dir)
        # The workspace this index holds files of, when not `root` (the index dir
        # was shared or copied): a run here replaces them. Callers decide (CLI: refuse).
        self.built_for = other_root(self.store, self.root)
        self._roots: dict[str, list[str]] | None = None  # language -> its source roots
        self._roots_of: list[tuple[str, str]] | None = None  # the last full run's (path, language) pairs
        self._options: dict[str, object] | None = None  # language -> what its extraction reads of the workspace
        # Dirty files whose only reason is a change that added or removed these names
        # (`_dependents`): `_resolve_dirty` resolves one only if it uses one of them.
        # Kept in memory only: after a crash they are all resolved, as before.
        self._unless_used: dict[int, set[str]] = {}

    def close(self) -> None:
        self.store.close()

    def _discovery_options(self) -> discovery.DiscoveryOptions:
        return discovery.DiscoveryOptions(max_file_size=self.options.max_file_size, exclude=self.options.exclude)

    # -- public entry points -----------------------------------------------

    def writing(self):
        """Hold the writer lock across several calls (a run and its summary):
        `with indexer.writing(): ...`. Raises `IndexBusy` after the wait."""
        return self.lock.hold()

    def run(self, progress: Progress | None = None, cancel: Cancel | None = None,
            first: FirstRequest | None = None) -> IndexRun:
        """Bring the whole index up to date with the disk. A damaged database
        (disk full, a copied half file) is rebuilt rather than reported.
        `first`: on a cold index, the open documents answer first (first_answers.py)."""
        with self.lock.hold():
            try:
                return self._run(progress, cancel, first)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError):
                    raise  # locked or busy: not damage
                self.store.reset(damage=str(exc))  # moved aside, with a warning
                return self._run(progress, cancel, first)

    def _run(self, progress: Progress | None, cancel: Cancel | None, first: FirstRequest | None = None) -> IndexRun:
        started = time.perf_counter()
        self._unless_used.clear()  # a full run resolves whatever is dirty
        known = self.store.file_states()
        found = discovery.discover(self.root, self._discovery_options(),
                                   {path: (state[2], state[3]) for path, state in known.items()})
        for skipped in found.skipped:
            log.info("skipped %s: %s", skipped.path, skipped.reason)
        paths = [f.path for f in found.files]
        # The source roots name the modules of files to extract: worked out
        # (`_module_of`) only when some file is, from this run's files. A warm
        # start with nothing changed needs only their languages (issue 17:
        # 6,126 files' roots were a tenth of the 2M corpus's time to ready).
        self._roots, self._roots_of = None, [(f.path, f.language) for f in found.files]
        # Extraction reads the workspace's configuration (pytest's `python_files`):
        # when it changed since the last run, every file is extracted again.
        self._options = None
        options_key = repr(sorted(self._workspace_options().items()))
        reextract = (self.store.get_meta(_OPTIONS_META) or repr([])) != options_key
        todo: list[discovery.SourceFile] = []
        unchanged: list[tuple[int, int]] = []  # (file_id, new mtime) where only the mtime moved
        for src in found.files:
            state = known.get(src.path)
            if state is not None and state[2] == src.size and state[3] == src.mtime_ns and not reextract:
                continue
            if state is not None and state[2] == src.size and not reextract:
                try:
                    sha = hashlib.sha256(src.abs_path.read_bytes()).hexdigest()
                except OSError:
                    sha = None
                if sha == state[1]:
                    unchanged.append((state[0], src.mtime_ns))
                    continue
            todo.append(src)
        present = set(paths)
        removed = [(fid, path) for path, (fid, *_rest) in known.items() if path not in present]
        if unchanged:
            with self.store.transaction() as conn:
                for file_id, mtime in unchanged:
                    self.store.touch_file(conn, file_id, mtime)
        jobs = [(src.path, str(src.abs_path), *self._module_of(src.path), None, self._options_of(src.path))
                for src in todo]
        waves = None
        if first is not None and not known and jobs:
            waves = FirstAnswers(self, jobs, first, [])
            waves.run_due()
            jobs = [job for job in jobs if job[0] not in waves.paths]
        stats = self._apply(jobs, removed, progress, cancel, cold=not known, waves=waves)
        if reextract:
            with self.store.transaction() as conn:
                self.store.set_meta(conn, _OPTIONS_META, options_key)
        stats["discovered"] = len(found.files)
        stats["unchanged"] = len(found.files) - len(todo)
        return self._run_result(stats, started)

    def update_paths(self, rel_paths: Iterable[str], progress: Progress | None = None,
                     defer_dependents: bool = False) -> IndexRun:
        """Re-index these files from disk (changed, created or deleted).
        `defer_dependents` as for `update_source`."""
        with self.lock.hold():
            return self._update_paths(rel_paths, progress, defer_dependents)

    def _update_paths(self, rel_paths: Iterable[str], progress: Progress | None,
                      defer_dependents: bool = False) -> IndexRun:
        started = time.perf_counter()
        rel_paths = sorted(set(rel_paths))
        # A few paths (a save, a closed buffer) look up their own rows, not the whole table.
        known = self.store.file_states() if len(rel_paths) > _BATCH else \
            {p: state for p in rel_paths if (state := self.store.file_state(p)) is not None}
        jobs, removed = [], []
        options = self._discovery_options()
        for rel_path in rel_paths:
            checked = discovery.check_file(self.root, self.root / rel_path, options)
            if isinstance(checked, discovery.SourceFile):
                state = known.get(checked.path)
                if state is not None and state[2] == checked.size and state[3] == checked.mtime_ns:
                    continue
                jobs.append((checked.path, str(checked.abs_path), *self._module_of(checked.path), None,
                             self._options_of(checked.path)))
            elif rel_path in known:
                removed.append((known[rel_path][0], rel_path))
        only = {job[0] for job in jobs} if defer_dependents else None
        stats = self._apply(jobs, removed, progress, None, cold=False, resolve_only=only)
        stats["discovered"] = len(jobs)
        return self._run_result(stats, started)

    def update_source(self, rel_path: str, source: bytes, defer_dependents: bool = False) -> IndexRun:
        """Index an unsaved buffer's text in place of the file on disk.
        `defer_dependents`: resolve this file's own references now and leave
        the files whose references its change may move marked dirty, for
        `resolve_pending` (a language server answers about the edited file
        at once, instead of after re-resolving every importer)."""
        with self.lock.hold():
            return self._update_source(rel_path, source, defer_dependents)

    def resolve_pending(self, cancel: Cancel | None = None, batch: int = _BATCH) -> int:
        """Resolve the files left dirty (see `update_source`), `batch` files a
        transaction, stopping between batches when `cancel()` says so.
        Returns the references written."""
        with self.lock.hold():
            refs = self._resolve_dirty(None, cancel, None, batch=batch)
            with self.store.transaction() as conn:
                self.store.set_meta(conn, "last_update", str(time.time()))
            return refs

    def _update_source(self, rel_path: str, source: bytes, defer_dependents: bool = False) -> IndexRun:
        started = time.perf_counter()
        state = self.store.file_state(rel_path)
        if state is not None and state[1] == hashlib.sha256(source).hexdigest():
            return self._run_result({"discovered": 1, "unchanged": 1}, started)
        job = (rel_path, str(self.root / rel_path), *self._module_of(rel_path), source, self._options_of(rel_path))
        stats = self._apply([job], [], None, None, cold=False, resolve_only={rel_path} if defer_dependents else None)
        stats["discovered"] = 1
        return self._run_result(stats, started)

    # -- the two phases ----------------------------------------------------

    def _workspace_options(self) -> dict[str, object]:
        """language -> what its extraction reads of the workspace (the optional
        `workspace_options(root)` hook), for the workspace's languages that have any."""
        if self._options is None:
            self._options = {}
            present = self._roots if self._roots is not None else {lang for _path, lang in self._roots_of or ()}
            for language in sorted(present):
                hook = getattr(languages.support(language), "workspace_options", None)
                found = hook(self.root) if hook is not None else None
                if found:
                    self._options[language] = found
        return self._options

    def _options_of(self, rel_path: str):
        return self._workspace_options().get(languages.language_for_path(rel_path))

    def _module_of(self, rel_path: str) -> tuple[str, str, bool]:
        """(language, module, is_package) of a file the registry supports."""
        language = languages.language_for_path(rel_path)
        if self._roots is None:
            self._roots = (_source_roots_of(self._roots_of) if self._roots_of is not None
                           else _source_roots(list(self.store.file_states()) + [rel_path]))
        module, is_package = languages.support(language).module_name(rel_path, self._roots.get(language, [""]))
        return language, module, is_package

    def _apply(self, jobs: list[tuple], removed: list[tuple[int, str]], progress, cancel, cold: bool,
               waves: FirstAnswers | None = None, resolve_only: set[str] | None = None) -> dict:
        with few_collections(), self.store.bulk_writes(cold and len(jobs) >= _PARALLEL_MIN):
            return self._apply_changes(jobs, removed, progress, cancel, cold, waves, resolve_only)

    def _apply_changes(self, jobs: list[tuple], removed: list[tuple[int, str]], progress, cancel, cold: bool,
                       waves: FirstAnswers | None, resolve_only: set[str] | None) -> dict:
        stats = {"parsed": 0, "failed": 0, "removed": len(removed), "refs": 0}
        total = len(jobs)
        # An update that fits in one batch (a save, a closed buffer, a file
        # moved) is one commit: removals, new facts and the changed files'
        # own references. Readers (other threads, other processes) see the
        # files before or after, never with their references deleted and not
        # yet resolved, which answered a definition empty. Their dependents
        # follow in phase 2 (their references are replaced one file a commit).
        atomic = not cold and 0 < len(jobs) <= _BATCH
        resolvers = _Resolvers(self.store, False, None) if atomic else None  # built on first use, after the writes
        if removed and not atomic:
            with self.store.transaction() as conn:
                self._remove(conn, removed)
            removed = []
        summaries = waves.summaries if waves is not None else []
        if cold and jobs:
            # No first answers to serve (the CLI): the write indexes go too, built once at the end.
            self.store.drop_lookup_indexes(write_indexes=waves is None and len(jobs) >= _PARALLEL_MIN)
        for batch in self._parsed_batches(jobs):
            if cancel is not None and cancel():
                log.info("indexing cancelled after %d of %d files", stats["parsed"], total)
                break
            if waves is not None:
                batch = [parsed for parsed in batch if parsed.path not in waves.paths]
            with self.store.transaction() as conn:
                written: list[int] = []  # files with facts, resolved in this commit when atomic
                if removed:
                    self._remove(conn, removed)
                    removed = []
                for parsed in batch:
                    if parsed.missing:
                        # Deleted while we worked: drop it like a removal.
                        old = self.store.load_summary(path=parsed.path)
                        gone = self.store.file_state(parsed.path)
                        if gone is not None:
                            self._mark_dirty(conn, self._dependents(old, None, gone[0]) - {gone[0]})
                            self.store.delete_file(conn, gone[0])
                            stats["removed"] += 1
                        continue
                    summary = parsed.summary
                    dependents: set[int] = set()
                    maybe: set[int] = set()
                    maybe_names: set[str] = set()
                    if not cold:
                        old = self.store.load_summary(path=parsed.path)
                        dependents = self._dependents(old, summary, None, maybe, maybe_names)
                    file_id = self.store.write_file(conn, parsed, parsed.language)
                    if dependents:
                        self._mark_dirty(conn, dependents - {file_id}, maybe - {file_id}, maybe_names)
                    self._unless_used.pop(file_id, None)  # its own facts changed: resolved regardless
                    if parsed.facts_blob is None:
                        stats["failed"] += 1
                    else:
                        written.append(file_id)
                        if summary is not None:
                            summaries.append((parsed.language, summary))
                    stats["parsed"] += 1
                if atomic:
                    stats["refs"] += self._resolve_written(conn, written, resolvers)
            if progress is not None:
                progress(stats["parsed"], total, f"{stats['parsed']}/{total} files")
            if waves is not None:
                waves.after_batch(batch)  # a document opened meanwhile answers now
        if waves is not None:
            stats["parsed"] += waves.parsed
        if removed:  # cancelled before the batch that was to carry them
            with self.store.transaction() as conn:
                self._remove(conn, removed)
        log.info("phase 1: %d files parsed and written", stats["parsed"])
        if cancel is not None and cancel():
            if cold:
                self.store.ensure_lookup_indexes()
            return stats
        stats["refs"] += self._resolve_dirty(progress, cancel, summaries if cold else None, only=resolve_only,
                                             resolvers=resolvers)
        if cold:
            started = time.perf_counter()
            self.store.compact_write_indexes()
            self.store.ensure_lookup_indexes()
            log.info("lookup indexes built in %.2fs", time.perf_counter() - started)
        with self.store.transaction() as conn:
            self.store.set_meta(conn, "last_update", str(time.time()))
            self.store.set_meta(conn, "root", str(self.root))
        return stats

    def _mark_dirty(self, conn, files: set[int], maybe: set[int] = frozenset(), names: set[str] = frozenset()) -> None:
        """Mark `files` dirty; those in `maybe` only for `names` (see `_unless_used`),
        unless they were dirty already for another reason."""
        if maybe:
            pending = {file_id for file_id, _ in self.store.dirty_files()}
            for file_id in maybe & files:
                if file_id not in pending or file_id in self._unless_used:
                    self._unless_used.setdefault(file_id, set()).update(names)
        for file_id in files - maybe:
            self._unless_used.pop(file_id, None)
        self.store.mark_dirty(conn, files)

    def _remove(self, conn, removed: list[tuple[int, str]]) -> None:
        for file_id, path in removed:
            old = self.store.load_summary(path=path)
            dependents = self._dependents(old, None, file_id)
            self.store.delete_file(conn, file_id)
            self._mark_dirty(conn, dependents - {file_id})

    def _resolve_written(self, conn, file_ids: list[int], resolvers: _Resolvers) -> int:
        """Inside the batch's transaction, after all its files are written:
        resolve their own references (this thread's connection reads the
        uncommitted facts and summaries), so they commit with the facts."""
        refs = 0
        for file_id in file_ids:
            facts, resolver = facts_to_resolve(self.store.load_facts(file_id), resolvers)
            if resolver is not None:
                result = resolver.resolve_file(facts)
                self.store.write_refs(conn, file_id, result.refs, result.tests)
                refs += len(result.refs)
        return refs

    def _parsed_batches(self, jobs: list[tuple]):
        if not jobs:
            return
        workers = self.options.workers()
        if workers > 1 and len(jobs) >= _PARALLEL_MIN:
            # Big files first so no worker is left with a long tail.
            jobs = sorted(jobs, key=lambda j: -_size_of(j[1]))
            groups = [jobs[i:i + 8] for i in range(0, len(jobs), 8)]
            # (a worker the forkserver started learns the parent's languages)
            with worker_pool(workers, None, languages.adopt, lambda: (languages.plugins(),)) as pool:
                batch = []
                for group in bounded_map(pool, _parse_group, groups, workers * _IN_FLIGHT):
                    batch.extend(_with_summaries(group))
                    if len(batch) >= _BATCH:
                        yield batch
                        batch = []
                if batch:
                    yield batch
        else:
            for start in range(0, len(jobs), _BATCH):
                yield [_parse_one(job) for job in jobs[start:start + _BATCH]]

    def _dependents(self, old, new, file_id, maybe: set[int] | None = None,
                    maybe_names: set[str] | None = None) -> set[int]:
        """Files whose references may resolve differently after this change.
        `maybe`/`maybe_names`: when the change only adds or removes names,
        the importers among them that need resolving only if they use one
        of those names (a use whose resolution such a change can move bears
        the name); the weak uses of the names and the uses of removed
        qualnames anywhere are in the result regardless."""
        if old is None and new is None:
            return set()
        support = languages.find(languages.language_of((new or old).module))
        if support is None:  # its plugin is gone: whatever imported the module re-resolves
            return self.store.importers({(new or old).module})
        removed, names = support.summary_changes(old, new)
        if not removed and not names:
            return set()
        module = (new or old).module
        out = self.store.importers({module})
        only = getattr(support, "names_only", None)
        only = only(old, new) if only is not None else None
        if only and len(only) <= _NAMES_ONLY_MAX and maybe is not None:
            maybe.update(out)
            maybe_names.update(only)
        if new is None:
            # A deleted module's classes may sit in its importers' class
            # hierarchies: a lookup through a subclass defined one or two
            # imports away now ends outside the workspace (as a cold build
            # resolves it), even where the last answer was "unresolved",
            # which no target or name links back. Deletions are rare.
            frontier = out
            for _ in range(_DELETION_IMPORT_DEPTH):
                frontier = self.store.importers(self.store.modules_of(frontier)) - out
                out |= frontier
        sure = self.store.files_referencing(targets=removed, names=names, weak_hows=support.weak_hows)
        if maybe:
            maybe -= sure
        return out | sure

    def _resolve_dirty(self, progress, cancel, summaries, only: set[str] | None = None, batch: int = _BATCH,
                       resolvers: _Resolvers | None = None) -> int:
        """`resolvers`: phase 1's, over the same committed state, reused when in-process."""
        dirty = self.store.dirty_files()
        if only is not None:
            dirty = [(file_id, path) for file_id, path in dirty if path in only]
        if self._unless_used and dirty:
            dirty = self._drop_unaffected(dirty, cancel)
        if not dirty:
            return 0
        total_files = self.store.file_count()
        many = len(dirty) >= max(_PARALLEL_MIN, total_files // 4)
        if resolvers is None or many:
            resolvers = _Resolvers(self.store, many, summaries)
        ids = [file_id for file_id, _ in dirty]
        done = refs = 0
        workers = self.options.workers()
        if many and workers > 1:
            method = start_method()
            found = [language for language in self.store.languages() if languages.find(language) is not None]
            index_dir = self.index_dir
            if method == "fork":
                for language in found:
                    resolvers(language)  # built before the fork, shared by every worker
                _WORKER_STATE["resolvers"] = resolvers
                _WORKER_STATE["store_factory"] = lambda: Store(index_dir, readonly=True)
            self.store.forget_names()  # workers need none of it
            release_memory()
            chunks = [ids[i:i + _RESOLVE_CHUNK] for i in range(0, len(ids), _RESOLVE_CHUNK)]

            def shipped() -> tuple:
                # A worker not forked from here builds the same resolvers from the
                # same summaries, in the same order, pickled once for all workers.
                by_language = {language: resolvers.summaries_of(language) for language in found}
                return languages.plugins(), index_dir, pickle.dumps(by_language, protocol=pickle.HIGHEST_PROTOCOL)

            try:
                with frozen_heap(), worker_pool(workers, method, _start_resolving, shipped) as pool:
                    pending, rows = [], 0
                    for results in bounded_map(pool, _resolve_chunk, chunks, workers * _RESOLVE_IN_FLIGHT):
                        pending.extend(results)
                        rows += sum(len(refs) for _, refs, _ in results)
                        if len(pending) >= _BATCH or rows >= _ROWS_PER_WRITE:
                            refs += self._write_refs(pending)
                            done += len(pending)
                            pending, rows = [], 0
                            if progress is not None:
                                progress(done, len(ids), f"resolving {done}/{len(ids)} files")
                            if cancel is not None and cancel():
                                return refs
                    refs += self._write_refs(pending)
            finally:
                _WORKER_STATE.clear()
            return refs
        for start in range(0, len(ids), batch):
            results = []
            for file_id in ids[start:start + batch]:
                facts, resolver = facts_to_resolve(self.store.load_facts(file_id), resolvers)
                if resolver is not None:
                    result = resolver.resolve_file(facts)
                    results.append((file_id, result.refs, result.tests))
            refs += self._write_refs(results)
            done += len(results)
            if progress is not None:
                progress(done, len(ids), f"resolving {done}/{len(ids)} files")
            if cancel is not None and cancel():
                break
        return refs

    def _drop_unaffected(self, dirty: list[tuple[int, str]], cancel: Cancel | None) -> list[tuple[int, str]]:
        """Clean the dirty files that are dirty only for names they do not use
        (`_unless_used`), a chunk a transaction, stopping when `cancel()` says so;
        the rest of `dirty`, to resolve."""
        candidates = [file_id for file_id, _ in dirty if file_id in self._unless_used]
        for start in range(0, len(candidates), _BATCH):
            chunk = candidates[start:start + _BATCH]
            by_names: dict[frozenset, list[int]] = {}
            for file_id in chunk:
                by_names.setdefault(frozenset(self._unless_used.pop(file_id)), []).append(file_id)
            unused = set()
            for names, files in by_names.items():
                unused |= set(files) - self.store.files_using(files, names)
            with self.store.transaction() as conn:
                self.store.mark_clean(conn, unused)
            dirty = [(file_id, path) for file_id, path in dirty if file_id not in unused]
            if cancel is not None and cancel() and start + _BATCH < len(candidates):
                left = set(candidates[start + _BATCH:])  # still in `_unless_used`: checked next time
                return [(file_id, path) for file_id, path in dirty if file_id not in left]
        return dirty

    def _write_refs(self, results: list[tuple[int, list, set]]) -> int:
        if not results:
            return 0
        with self.store.transaction() as conn:
            for file_id, rows, tests in results:
                self.store.write_refs(conn, file_id, rows, tests)
        return sum(len(rows) for _, rows, _ in results)

    def _run_result(self, stats: dict, started: float) -> IndexRun:
        return IndexRun(
            discovered=stats.get("discovered", 0),
            parsed=stats.get("parsed", 0),
            unchanged=stats.get("unchanged", 0),
            removed=stats.get("removed", 0),
            failed=stats.get("failed", 0),
            refs_resolved=stats.get("refs", 0),
            seconds=time.perf_counter() - started,
        )


class _Resolvers:
    """One resolver per language, built on first need: over every summary of
    that language in memory (many dirty files) or reading the store."""

    def __init__(self, store: Store | None, many: bool, summaries: list[tuple[str, object]] | None,
                 by_language: dict[str, list] | None = None):
        self.store, self.many, self.summaries = store, many, summaries
        self.by_language = by_language  # (a phase-2 worker's: what `summaries_of` gave its parent)
        self.built: dict[str, object] = {}

    def summaries_of(self, language: str) -> list:
        """The summaries a resolver over many files is built on."""
        if self.by_language is not None:
            return self.by_language.get(language, [])
        if self.summaries is not None:
            return [s for lang, s in self.summaries if lang == language]
        return self.store.all_summaries(language)

    def __call__(self, language: str):
        """The resolver of `language`, None when its plugin is gone."""
        resolver = self.built.get(language)
        if resolver is None:
            support = languages.find(language)
            if support is None:
                return None
            if not self.many:
                resolver = support.resolver(self.store, None)
            else:
                resolver = support.resolver(self.store, self.summaries_of(language))
            self.built[language] = resolver
        return resolver


# Store meta key: the workspace options the stored facts were extracted with.
_OPTIONS_META = "extract_options"


def _source_roots(paths: list[str]) -> dict[str, list[str]]:
    """language -> its source roots, each language over its own files."""
    return _source_roots_of((path, languages.language_for_path(path)) for path in paths)


def _source_roots_of(files) -> dict[str, list[str]]:
    """The same from (path, language) pairs (discovery's: no second look at each name)."""
    by_language: dict[str, list[str]] = {}
    for path, language in files:
        if language is not None:
            by_language.setdefault(language, []).append(path)
    return {language: languages.support(language).source_roots(found) for language, found in by_language.items()}


def _size_of(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
