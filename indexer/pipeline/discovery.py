"""Workspace discovery: which files under a root the indexer should read.

`discover` walks a whole workspace once; `check_file` answers the same question
for a single path (file watchers, LSP didOpen/didSave) without walking. Both go
through the same ignore rules and the same per-file checks so they never
disagree about a file.

Ignore rules follow git: `.git/info/exclude`, the root `.gitignore` and every
nested `.gitignore` (patterns relative to the directory holding them, deeper
files overriding shallower ones, negations allowed). As in git, nothing below
an ignored directory can be re-included, which is also what lets the walk
prune ignored directories without entering them.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import pathspec

from indexer.languages import language_for_path

log = logging.getLogger(__name__)

# Directories never worth indexing even when no .gitignore says so: VCS
# metadata, virtualenvs, tool caches, build output and editor state. They are
# large, generated or third-party, and a workspace without a .gitignore would
# otherwise index a whole virtualenv.
SKIP_DIRS: frozenset[str] = frozenset({
    ".git", ".hg", ".svn",
    ".venv",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".tox", ".nox", "node_modules", "build", "dist", "site-packages",
    ".codemeld", ".idea", ".vscode",
    "vendor", "bower_components", "jspm_packages",  # third-party code of Go and JavaScript projects
})
SKIP_DIR_SUFFIXES: tuple[str, ...] = (".egg-info",)
# `venv`, `env` and `.env` are common names for real packages/config too, so they are
# only skipped when they hold a virtualenv. A pyvenv.cfg marks a virtualenv
# under any name, so that check applies to every directory below the root.
VENV_MARKER = "pyvenv.cfg"

BINARY_PROBE = 8192  # bytes read from each file to decide whether it is text
_BINARY_RATIO = 0.10  # share of control bytes above which a file is binary
# Control bytes that do not occur in text (tab, newlines, form feed, backspace
# and ESC do). Counted with bytes.translate, which runs at C speed.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\v\b\x1b") + b"\x7f"
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)

# Skipped reasons (other modules may compare against these).
TOO_LARGE = "too large"
BINARY = "binary"
SYMLINK_LOOP = "symlink loop"
UNREADABLE = "unreadable"
BAD_NAME = "file name is not valid UTF-8"


def _bad_name(rel: str) -> bool:
    """A name os.fsdecode could only carry as surrogates: the store, URIs and
    JSON all need UTF-8, so such a file is skipped (with a warning), not indexed."""
    try:
        rel.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def printable(rel: str) -> str:
    """A path safe to print or store: undecodable bytes become U+FFFD."""
    return os.fsencode(rel).decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class DiscoveryOptions:
    max_file_size: int = 1_000_000
    # Extra gitignore-style patterns relative to the root. They take precedence
    # over every .gitignore, so a `!pattern` here can re-include a file.
    exclude: tuple[str, ...] = ()
    # Follow symlinked directories (never into an ancestor). When False they
    # are left out silently; symlinked files are read either way.
    follow_symlinks: bool = True


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # POSIX, relative to the root
    abs: str  # absolute path (a Path only on demand: thousands per warm start)
    language: str
    size: int
    mtime_ns: int

    @property
    def abs_path(self) -> Path:
        return Path(self.abs)


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Discovery:
    files: list[SourceFile]
    skipped: list[Skipped]


# An ignore chain is the tuple of (prefix, spec) that applies inside one
# directory, from lowest to highest precedence; prefix is the holding
# directory's root-relative path with a trailing "/" ("" for the root).
_Chain = tuple[tuple[str, pathspec.GitIgnoreSpec], ...]


def is_binary(head: bytes) -> bool:
    """Whether the first bytes of a file look like binary rather than text."""
    if not head:
        return False
    if b"\0" in head:
        return True
    # High-bit bytes are deliberately not counted: source in a legacy 8-bit
    # encoding (KOI8-R, latin-1, ...) is almost all high bytes and still text.
    # Real binaries nearly always have a NUL in 8 KiB; control bytes catch the rest.
    odd = len(head.translate(None, _NOT_CONTROL))
    return odd / len(head) > _BINARY_RATIO


@lru_cache(maxsize=4096)
def _parse_ignore_file(path: str, mtime_ns: int, size: int) -> pathspec.GitIgnoreSpec | None:
    # mtime and size are part of the cache key so an edited .gitignore is
    # re-read while an unchanged one is parsed once per process.
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        log.warning("cannot read ignore file %s: %s", path, e)
        return None
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    return spec if spec.patterns else None


def _load_ignore_file(path: str) -> pathspec.GitIgnoreSpec | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return _parse_ignore_file(path, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=64)
def _exclude_spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec | None:
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    return spec if spec.patterns else None


def _root_chain(root: str) -> _Chain:
    chain: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    # info/exclude ranks below .gitignore in git. (In a linked worktree .git is
    # a file and the exclude file lives in the main repository; not handled.)
    for path in (os.path.join(root, ".git", "info", "exclude"), os.path.join(root, ".gitignore")):
        spec = _load_ignore_file(path)
        if spec is not None:
            chain.append(("", spec))
    return tuple(chain)


_IGNORE_FILE = ".gitignore"


def _extend_chain(chain: _Chain, abs_dir: str, rel_dir: str) -> _Chain:
    spec = _load_ignore_file(os.path.join(abs_dir, _IGNORE_FILE))
    return chain + ((rel_dir + "/", spec),) if spec is not None else chain


def _is_ignored(rel: str, is_dir: bool, chain: _Chain, extra: pathspec.GitIgnoreSpec | None) -> bool:
    # Directories get a trailing slash so patterns like `build/` match them.
    # The most specific source that has an opinion wins, as in git.
    suffix = "/" if is_dir else ""
    if extra is not None:
        decided = extra.check_file(rel + suffix).include
        if decided is not None:
            return decided
    for prefix, spec in reversed(chain):
        decided = spec.check_file(rel[len(prefix):] + suffix).include
        if decided is not None:
            return decided
    return False


def _skip_dir_name(name: str) -> bool:
    return name in SKIP_DIRS or name.endswith(SKIP_DIR_SUFFIXES)


def _examine_file(abs_path: str, rel: str, language: str, options: DiscoveryOptions,
                  known: Mapping[str, tuple[int, int]] | None = None) -> SourceFile | Skipped | None:
    """The checks every candidate file goes through, whichever way it was found.
    `known`: path -> (size, mtime_ns) of files already indexed; one whose stat
    still matches passed the text probe then, so it is not opened again."""
    try:
        st = os.stat(abs_path)  # follows symlinks: the target is what gets indexed
    except OSError as e:
        # Broken symlinks and permission problems alike; the entry exists but
        # cannot be read.
        log.debug("skip %s: %s", rel, e)
        return Skipped(rel, UNREADABLE)
    if stat.S_ISDIR(st.st_mode):
        return None
    if not stat.S_ISREG(st.st_mode):
        # FIFOs, sockets, devices: reading one could block or never end.
        return Skipped(rel, UNREADABLE)
    if st.st_size > options.max_file_size:
        return Skipped(rel, TOO_LARGE)
    if known is not None and known.get(rel) == (st.st_size, st.st_mtime_ns):
        return SourceFile(rel, abs_path, language, st.st_size, st.st_mtime_ns)
    try:
        with open(abs_path, "rb") as f:
            head = f.read(BINARY_PROBE)
    except OSError as e:
        log.debug("skip %s: %s", rel, e)
        return Skipped(rel, UNREADABLE)
    if is_binary(head):
        return Skipped(rel, BINARY)
    return SourceFile(rel, abs_path, language, st.st_size, st.st_mtime_ns)


def _dir_id(st: os.stat_result) -> tuple[int, int]:
    return (st.st_dev, st.st_ino)


def discover(root: Path, options: DiscoveryOptions = DiscoveryOptions(),
             known: Mapping[str, tuple[int, int]] | None = None) -> Discovery:
    """All indexable files under root, plus the candidates that had to be skipped.
    `known` (path -> (size, mtime_ns) of the indexed files) spares re-reading
    the head of every unchanged file: a warm start stats, never opens, them."""
    started = time.perf_counter()
    root_abs = os.path.abspath(root)
    root_st = os.stat(root_abs)  # a missing root is the caller's error: let it raise
    if not stat.S_ISDIR(root_st.st_mode):
        raise NotADirectoryError(root_abs)
    extra = _exclude_spec(tuple(options.exclude))
    files: list[SourceFile] = []
    skipped: list[Skipped] = []

    # Explicit stack rather than recursion: deep trees cannot hit the recursion
    # limit. Each item carries the ignore chain in force and the path of
    # every directory above it, whose (dev, inode), asked only when a
    # symlinked directory comes (`ids`), is what detects symlink loops: a
    # warm start no longer stats each of thousands of plain directories.
    ids: dict[str, tuple[int, int]] = {root_abs: _dir_id(root_st)}

    def dir_id_of(path: str) -> tuple[int, int]:
        found = ids.get(path)
        if found is None:
            found = ids[path] = _dir_id(os.stat(path))
        return found

    stack: list[tuple[str, str, _Chain, tuple[str, ...]]] = [(root_abs, "", _root_chain(root_abs), (root_abs,))]
    while stack:
        abs_dir, rel_dir, chain, ancestors = stack.pop()
        try:
            with os.scandir(abs_dir) as it:
                entries = list(it)
        except OSError as e:
            log.debug("skip dir %s: %s", rel_dir or ".", e)
            skipped.append(Skipped(rel_dir or ".", UNREADABLE))
            continue
        if rel_dir:
            names = {e.name for e in entries}
            if VENV_MARKER in names:
                continue  # a virtualenv; noticed here for free, from the listing
            if _IGNORE_FILE in names:  # from the listing: no failed stat in every folder
                chain = _extend_chain(chain, abs_dir, rel_dir)
        prefix = rel_dir + "/" if rel_dir else ""

        for entry in entries:
            rel = prefix + entry.name
            if _bad_name(entry.name):
                log.warning("skipping %s: %s", printable(rel), BAD_NAME)
                skipped.append(Skipped(printable(rel), BAD_NAME))
                continue
            try:
                is_dir = entry.is_dir()  # follows symlinks
                if is_dir:
                    if _skip_dir_name(entry.name) or _is_ignored(rel, True, chain, extra):
                        continue
                    if entry.is_symlink():
                        if not options.follow_symlinks:
                            continue
                        target = _dir_id(entry.stat())
                        if any(dir_id_of(above) == target for above in ancestors):
                            skipped.append(Skipped(rel, SYMLINK_LOOP))
                            continue
                        ids[entry.path] = target
                    stack.append((entry.path, rel, chain, ancestors + (entry.path,)))
                    continue
            except OSError as e:
                log.debug("skip %s: %s", rel, e)
                skipped.append(Skipped(rel, UNREADABLE))
                continue
            language = language_for_path(entry.name)
            if language is None or _is_ignored(rel, False, chain, extra):
                continue
            result = _examine_file(entry.path, rel, language, options, known)
            if isinstance(result, SourceFile):
                files.append(result)
            elif result is not None:
                skipped.append(result)

    files.sort(key=lambda f: f.path)
    skipped.sort(key=lambda s: s.path)
    log.info("discovered %d files (%d skipped) under %s in %.0f ms",
             len(files), len(skipped), root_abs, (time.perf_counter() - started) * 1000)
    return Discovery(files, skipped)


def _relative_parts(root_abs: str, path: Path) -> tuple[str, ...] | None:
    # Lexical first (keeps symlinked paths as the workspace sees them); fall
    # back to resolved paths for watchers that report real paths.
    path_abs = os.path.abspath(os.path.join(root_abs, path))
    for r, p in ((root_abs, path_abs), (os.path.realpath(root_abs), os.path.realpath(path_abs))):
        try:
            rel = Path(p).relative_to(r)
        except ValueError:
            continue
        return rel.parts
    return None


def check_file(root: Path, path: Path, options: DiscoveryOptions = DiscoveryOptions(),
               unsaved: bool = False) -> SourceFile | Skipped | None:
    """What `discover` would say about one file; None when it would not mention it.

    A relative `path` is taken relative to root. None means ignored, outside
    root, without a language, gone, or a directory. With `unsaved`, a file
    that is not on disk (an editor's new, unsaved buffer) is judged by its
    path alone: a SourceFile of size 0 when discover would index it once saved.
    """
    root_abs = os.path.abspath(root)
    parts = _relative_parts(root_abs, path)
    if not parts or language_for_path(parts[-1]) is None:
        return None
    if any(_bad_name(part) for part in parts):
        return Skipped(printable("/".join(parts)), BAD_NAME)
    extra = _exclude_spec(tuple(options.exclude))
    try:
        ancestors = {_dir_id(os.stat(root_abs))}
    except OSError:
        return None
    chain = _root_chain(root_abs)

    # Replay the walk along this one path: every directory on the way must be
    # one discover would have entered.
    abs_dir, rel_dir = root_abs, ""
    for name in parts[:-1]:
        abs_dir = os.path.join(abs_dir, name)
        rel_dir = f"{rel_dir}/{name}" if rel_dir else name
        if _skip_dir_name(name) or _is_ignored(rel_dir, True, chain, extra):
            return None
        try:
            lst = os.lstat(abs_dir)
            if stat.S_ISLNK(lst.st_mode):
                if not options.follow_symlinks:
                    return None
                dir_id = _dir_id(os.stat(abs_dir))
                if dir_id in ancestors:
                    return None  # discover reports the link itself as a loop
            else:
                dir_id = _dir_id(lst)
            if os.path.exists(os.path.join(abs_dir, VENV_MARKER)):
                return None
        except OSError:
            return None
        ancestors.add(dir_id)
        chain = _extend_chain(chain, abs_dir, rel_dir)

    rel = "/".join(parts)
    abs_path = os.path.join(abs_dir, parts[-1])
    if _is_ignored(rel, False, chain, extra):
        return None
    if not os.path.lexists(abs_path):
        return SourceFile(rel, abs_path, language_for_path(parts[-1]), 0, -1) if unsaved else None
    return _examine_file(abs_path, rel, language_for_path(parts[-1]), options)
