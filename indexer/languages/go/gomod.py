"""go.mod files: the module path that import paths start with, and `replace`
directives that point a module at a folder of the workspace. A go.mod is
indexed as a (symbol-less) Go file so that editing it re-resolves imports."""

from __future__ import annotations

import posixpath
import re

from indexer.languages.base import FileFacts, ScopeFact, SymbolFact
from indexer.languages.go.facts import GoFacts, GoSummary

NAME = "go"
# Every Go file depends on this name, so a changed go.mod re-resolves them all.
GOMOD_MODULE = "go:@go.mod"
_MODULE = re.compile(r"^\s*module\s+\"?([^\s\"]+)\"?", re.M)
_REPLACE = re.compile(r"^\s*(?:replace\s+)?([^\s()]+)(?:\s+v\S+)?\s*=>\s*(\.{1,2}/\S*|/\S+)", re.M)


def parse(text: str) -> tuple[str, dict[str, str]]:
    """(module path, {replaced module path: local directory as written})."""
    found = _MODULE.search(text)
    module = found.group(1) if found else ""
    replaces = {old: new for old, new in _REPLACE.findall(text)}
    return module, replaces


_USE_BLOCK = re.compile(r"^\s*use\s*\((.*?)\)", re.M | re.S)
_USE_LINE = re.compile(r"^\s*use\s+\"?([^\s\"(]+)\"?", re.M)


def parse_work(text: str) -> tuple[list[str], dict[str, str]]:
    """A go.work: (its `use` folders as written, its `replace`s)."""
    text = re.sub(r"//.*", "", text)
    uses = _USE_LINE.findall(text)
    for block in _USE_BLOCK.findall(text):
        uses += [u.strip('"') for u in block.split()]
    return uses, {old: new for old, new in _REPLACE.findall(text)}


def _local(directory: str, written: str) -> str | None:
    """A folder as written in go.mod/go.work -> workspace-relative (None: outside)."""
    joined = posixpath.normpath(posixpath.join(directory, written))
    return None if joined.startswith("..") else ("" if joined == "." else joined)


def extract(source: bytes, rel_path: str) -> FileFacts:
    text = source.decode("utf-8", "replace")
    directory = posixpath.dirname(rel_path)
    if posixpath.basename(rel_path) == "go.work":
        return _extract_work(text, rel_path, directory)
    module, replaces = parse(text)
    # Local replacements as workspace-relative folders (outside it: dropped).
    local = {old: folder for old, new in replaces.items() if (folder := _local(directory, new)) is not None}
    gomod = (module, local)
    errors = [] if module else ["1:1: go.mod without a module line"]
    summary = GoSummary(GOMOD_MODULE, rel_path, directory, "", gomod=gomod)
    lines = text.count("\n") + 1
    symbols = [SymbolFact("go.mod", GOMOD_MODULE, "module", (0, 0, lines, 0), (0, 0, 0, 0), -1,
                          signature=f"module {module}")]
    return FileFacts(rel_path, GOMOD_MODULE, NAME, False, symbols, [ScopeFact("module", 0, -1)], [], [],
                     errors, lines, extra=(GoFacts("", directory, {}, False, gomod), summary))


def _extract_work(text: str, rel_path: str, directory: str) -> FileFacts:
    """go.work: the modules of a multi-module workspace (`use`) and its
    `replace`s, read like go.mod's (a workspace has no module path)."""
    uses, replaces = parse_work(text)
    local = {old: folder for old, new in replaces.items() if (folder := _local(directory, new)) is not None}
    used = tuple(folder for u in uses if (folder := _local(directory, u)) is not None)
    summary = GoSummary(GOMOD_MODULE, rel_path, directory, "", gomod=("", local), uses=used)
    lines = text.count("\n") + 1
    symbols = [SymbolFact("go.work", GOMOD_MODULE, "module", (0, 0, lines, 0), (0, 0, 0, 0), -1,
                          signature=f"go.work: use {', '.join(uses)}")]
    return FileFacts(rel_path, GOMOD_MODULE, NAME, False, symbols, [ScopeFact("module", 0, -1)], [], [],
                     [], lines, extra=(GoFacts("", directory, {}, False, ("", local)), summary))
