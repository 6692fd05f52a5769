"""`go test -run` patterns as test ids: a test's package folder, then the
anchored, regex-quoted name of the test and of each subtest level
(`./store -run '^TestPut$/^empty_key$'`), which a shell runs as
`go test <id>`."""

from __future__ import annotations

import posixpath
import re

from indexer.graph.vocab import SymbolKind


def _quote(name: str) -> str:
    """regexp.QuoteMeta: the name matched literally."""
    return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", name)


def test_id(symbol, lookup) -> str:
    """The id of a Go test or subtest symbol; `lookup(qualname)` finds the
    enclosing test of a subtest."""
    levels = [symbol.name]
    parent = symbol.parent
    while parent:
        owner = lookup(parent)
        if owner is None or owner.kind != SymbolKind.FUNCTION or not owner.is_test:
            break
        levels.append(owner.name)
        parent = owner.parent
    folder = posixpath.dirname(symbol.path)
    pattern = "/".join(f"^{_quote(level)}$" for level in reversed(levels))
    return f"./{folder} -run '{pattern}'" if folder else f". -run '{pattern}'"
