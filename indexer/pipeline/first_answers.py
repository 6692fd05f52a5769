"""First answers before the whole index: the files a user is looking at go first.

A cold index of a big workspace takes tens of seconds to minutes, and
nothing resolves until every file is parsed. When documents are open, a
cold run first indexes a small "wave" around them, in the run's own
transaction discipline: the open files, the modules they import (and those
modules' packages), and up to `_IMPORTERS` files that import them, found by
a text prefilter over the discovered files and confirmed by parsing. The
wave's references are resolved against the wave alone and committed, so
definition, hover and references about the open files answer at once
(partially: importers beyond the wave are not in yet). Its files are then
marked dirty: the rest of the run resolves them again with every summary,
so the finished index equals a plain cold build.

A document opened while the run parses gets its wave between two batches.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Iterable, Protocol

from indexer import languages
from indexer.graph.store import unpack
from indexer.languages.base import facts_from_rows

log = logging.getLogger(__name__)

_IMPORTS = 48  # imported modules of the open files indexed in the wave, at most
_IMPORTERS = 64  # importing files (confirmed by parsing) in the second wave, at most
_CANDIDATES = 3 * _IMPORTERS  # prefilter hits parsed to find them
_FIRST_IMPORTERS = 8  # the first wave's importers: the smallest candidates...
_FIRST_BYTES = 128_000  # ...up to this much source (parsing it is most of the wave's time)


class FirstRequest(Protocol):
    """What the host asks of a cold run (FolderIndex implements it)."""

    def wanted(self) -> Iterable[str]:
        """Paths (POSIX, relative to the root) of the documents open now."""
        ...

    def answered(self, paths: list[str], files: int) -> None:
        """`paths` (open documents) now answer from a wave of `files` files."""
        ...


class FirstAnswers:
    """The waves of one cold run. `jobs` are the run's parse jobs
    `(path, abs_path, language, module, is_package, source)`."""

    def __init__(self, indexer, jobs: list[tuple], request: FirstRequest, summaries: list):
        self.indexer = indexer
        self.request = request
        self.jobs = {job[0]: job for job in jobs}
        self.module_path = {}
        for job in jobs:
            if job[3]:
                self.module_path.setdefault(job[3], job[0])
        self.summaries = summaries  # the run's (language, summary) list: the wave's go in too
        self.paths: set[str] = set()  # files the waves wrote (phase 1 skips them)
        self.written: set[str] = set()  # files phase 1 wrote
        self.answered: set[str] = set()
        self.parsed = 0
        self._wave_parsed: list = []  # every file the waves parsed (their summaries resolve the next wave)
        self.in_run = False  # phase 1's parser pool is running

    def due(self) -> list[str]:
        return [p for p in self.request.wanted() if p in self.jobs and p not in self.answered]

    def run_due(self) -> None:
        """Index the waves around every open document not answered yet."""
        opened = self.due()
        if not opened:
            return
        started = time.perf_counter()
        try:
            for files in self._waves(opened):
                self.answered.update(opened)
                log.info("first answers for %s: %d files in %.2fs", ", ".join(opened), files,
                         time.perf_counter() - started)
                self.request.answered(sorted(self.answered), len(self.paths))
        except Exception:  # the full run still answers everything; never let a wave break it
            log.exception("first answers for %s failed", opened)
            self.answered.update(opened)

    def after_batch(self, batch) -> None:
        """Phase 1 wrote `batch`; documents opened meanwhile get their waves now."""
        self.written.update(p.path for p in batch)
        self.in_run = True
        self.run_due()

    # -- the waves -----------------------------------------------------------

    def _waves(self, opened: list[str]):
        """Two commits, each yielding the files written so far. First the
        open files and the smallest of their importers (references answer);
        then what they import (definition, hover) and the other importers,
        with the open files resolved again now that their imports are in."""
        first = self._parse([p for p in opened if p not in self.paths])
        modules = {self.jobs[p][3] for p in opened if self.jobs[p][3]}
        imports: list[str] = []
        for parsed in first:
            for name in sorted(parsed.import_modules):
                for path in self._module_files(name):
                    if path not in imports and path not in self.paths and path not in opened:
                        imports.append(path)
        scan = time.perf_counter()
        candidates = self._candidates(modules, set(opened) | set(imports))
        log.info("first answers: %d candidate importers of %s found in %.2fs", len(candidates),
                 ", ".join(sorted(modules)), time.perf_counter() - scan)
        now, budget = [], _FIRST_BYTES
        for size, path in candidates:
            if len(now) < _FIRST_IMPORTERS and (size <= budget or not now):
                now.append(path)
                budget -= size
        importers = self._confirmed(self._parse(now), modules)
        self._commit(first + importers, first + importers)
        yield len(self.paths)
        later = [p for _, p in candidates if p not in now][:_CANDIDATES]
        more = self._parse(imports[:_IMPORTS]), self._confirmed(self._parse(later), modules)[:_IMPORTERS]
        self._commit(more[0] + more[1], first + more[1])
        yield len(self.paths)

    def _commit(self, wave: list, resolve: list) -> None:
        """Write `wave`, resolve `resolve` against every summary at hand, one transaction."""
        indexer = self.indexer
        by_module = {s.module: (lang, s) for lang, s in self.summaries}
        for parsed in self._wave_parsed + wave:
            if parsed.summary is not None:
                by_module[parsed.summary.module] = (parsed.language, parsed.summary)
        results = []
        resolvers: dict[str, object] = {}
        for parsed in resolve:
            if parsed.facts_blob is None:
                continue
            resolver = resolvers.get(parsed.language)
            if resolver is None:
                support = languages.find(parsed.language)
                if support is None:
                    continue
                resolver = resolvers[parsed.language] = support.resolver(
                    indexer.store, [s for lang, s in by_module.values() if lang == parsed.language])
            facts = facts_from_rows(unpack(parsed.facts_blob), getattr(resolver, "fact_rows", False))
            result = resolver.resolve_file(facts)
            results.append((parsed, result.refs))
        store = indexer.store
        with store.transaction() as conn:
            ids = {}
            for parsed in wave:
                if not parsed.missing:
                    ids[parsed.path] = store.write_file(conn, parsed, parsed.language)
            for parsed, refs in results:
                file_id = ids.get(parsed.path) or store.file_states()[parsed.path][0]
                # Test flags wait for the full resolution: write_refs never clears one.
                store.write_refs(conn, file_id, refs, set())
                ids[parsed.path] = file_id
            store.mark_dirty(conn, ids.values())  # the rest of the run resolves them again, with everything
        for parsed in wave:
            if parsed.missing or parsed.path in self.paths:
                continue
            self.paths.add(parsed.path)
            self._wave_parsed.append(parsed)
            if parsed.path not in self.written and parsed.facts_blob is not None and parsed.summary is not None:
                self.summaries.append((parsed.language, parsed.summary))
        self.parsed = len(self.paths - self.written)

    def _parse(self, paths: list[str]) -> list:
        jobs = [self.jobs[p] for p in paths if p in self.jobs]
        if self.in_run or len(jobs) < 8:  # phase 1's pool is running: no second fork from its threads
            from indexer.pipeline.index import _parse_one

            return [_parse_one(job) for job in jobs]
        return [parsed for batch in self.indexer._parsed_batches(jobs) for parsed in batch]

    def _module_files(self, name: str) -> list[str]:
        """The file of module `name` (or of the module holding `name`), and its packages."""
        out = []
        parts = name.split(".")
        found = None
        for end in range(len(parts), 0, -1):
            found = self.module_path.get(".".join(parts[:end]))
            if found is not None:
                break
        if found is None:
            return out
        out.append(found)
        for end in range(end - 1, 0, -1):  # packages on the way: `a.b.c` reads `a/__init__`, `a/b/__init__`
            package = self.module_path.get(".".join(parts[:end]))
            if package is not None:
                out.append(package)
        return out

    def _candidates(self, modules: set[str], taken: set[str]) -> list[tuple[int, str]]:
        """(size, path) of files whose text may import one of `modules`, smallest first."""
        if not modules:
            return []
        pattern = _import_pattern(modules)
        leaves = [m.rsplit(".", 1)[-1].encode() for m in modules]
        out = []
        for path, job in self.jobs.items():
            if path in taken or path in self.paths:
                continue
            try:
                with open(job[1], "rb") as handle:
                    text = handle.read()
            except OSError:
                continue
            # A substring test first: most files never spell the name, and it is far cheaper than the regex.
            if any(leaf in text for leaf in leaves) and pattern.search(text):
                out.append((len(text), path))
        out.sort()
        return out

    @staticmethod
    def _confirmed(parsed: list, modules: set[str]) -> list:
        """The parsed files that do import one of `modules`."""
        return [p for p in parsed if p.import_modules & modules
                or any(m.rsplit(".", 1)[0] in modules for m in p.import_modules)]


def _import_pattern(modules: set[str]) -> re.Pattern:
    """Lines that may import one of `modules`: `import a.b.c`, `from a.b.c import`,
    `from a.b import c`, relative `from .c import` / `from . import c`."""
    parts = []
    for module in modules:
        leaf = re.escape(module.rsplit(".", 1)[-1])
        parts.append(rf"(?:from|import)[ \t]+{re.escape(module)}\b")
        if "." in module:
            parent = re.escape(module.rsplit(".", 1)[0])
            parts.append(rf"from[ \t]+{parent}[ \t]+import[ \t]*(?:\([^)]*|[^\n]*)\b{leaf}\b")
        parts.append(rf"from[ \t]+\.+[\w.]*{leaf}\b")
        parts.append(rf"from[ \t]+\.+[ \t]+import[ \t]*(?:\([^)]*|[^\n]*)\b{leaf}\b")
    return re.compile(rb"^[ \t]*(?:" + "|".join(parts).encode() + rb")", re.MULTILINE)
