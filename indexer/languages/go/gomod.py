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


def extract(source: bytes, rel_path: str) -> FileFacts:
    text = source.decode("utf-8", "replace")
    module, replaces = parse(text)
    directory = posixpath.dirname(rel_path)
    # Local replacements as workspace-relative folders (outside it: dropped).
    local = {}
    for old, new in replaces.items():
        joined = posixpath.normpath(posixpath.join(directory, new))
        if not joined.startswith(".."):
            local[old] = "" if joined == "." else joined
    gomod = (module, local)
    errors = [] if module else ["1:1: go.mod without a module line"]
    summary = GoSummary(GOMOD_MODULE, rel_path, directory, "", gomod=gomod)
    lines = text.count("\n") + 1
    symbols = [SymbolFact("go.mod", GOMOD_MODULE, "module", (0, 0, lines, 0), (0, 0, 0, 0), -1,
                          signature=f"module {module}")]
    return FileFacts(rel_path, GOMOD_MODULE, NAME, False, symbols, [ScopeFact("module", 0, -1)], [], [],
                     errors, lines, extra=(GoFacts("", directory, {}, False, gomod), summary))
