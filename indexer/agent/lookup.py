"""Turning what an agent typed into workspace symbols and paths.

An agent guesses: a bare name, a dotted suffix (`Cart.total`), a
misspelling, a `path:line` copied from a traceback. `find_symbols` accepts
all of them; when nothing matches, `UnknownSymbol` carries the closest
names so the agent can retry. `workspace_path` refuses anything that would
leave the workspace (absolute paths elsewhere, `..` traversal).
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path, PurePosixPath

from indexer.analysis import navigation
from indexer.graph.model import Symbol
from indexer.graph.echo import quoted
from indexer.graph.query import Graph, TargetError
from indexer.graph.vocab import SymbolKind

_LOCATION = re.compile(r"(.+?):(\d+)(?::(\d+))?")
_NOT_TARGETS = ("parameter",)


class LookupError_(ValueError):
    """Base for lookups an agent can fix by changing its input."""


class UnknownSymbol(LookupError_):
    def __init__(self, query: str, suggestions: list[str]):
        self.query = query
        self.suggestions = suggestions
        hint = f"; close matches: {', '.join(suggestions)}" if suggestions else "; try `search` or `locate` with words"
        super().__init__(f"no symbol named {quoted(query)} in the workspace{hint}")


class BadPath(LookupError_):
    """A path outside the workspace, or one that climbs out with `..`."""


def workspace_path(graph: Graph, text: str, must_exist: bool = False) -> str:
    """A workspace-relative POSIX path for `text`, or BadPath. Relative
    paths are taken from the root; `..` components are refused outright
    (even when they would land back inside: an agent never needs them)."""
    raw = text.strip().replace("\\", "/")
    if not raw or raw in (".", "./"):
        return ""
    if "\x00" in raw:
        raise BadPath("path contains a NUL byte")
    if ".." in PurePosixPath(raw).parts:
        raise BadPath(f"{quoted(text)}: paths with '..' are refused; give a path inside the workspace {graph.root}")
    path = Path(raw)
    if path.is_absolute():
        normal = Path(os.path.normpath(path))
        resolved = path.resolve()
        root = graph.root.resolve()
        if not (normal.is_relative_to(graph.root) or resolved.is_relative_to(root)):
            raise BadPath(f"{quoted(text)} is outside the workspace {graph.root}")
        rel = (normal.relative_to(graph.root) if normal.is_relative_to(graph.root)
               else resolved.relative_to(root)).as_posix()
    else:
        rel = PurePosixPath(raw).as_posix().removeprefix("./")
        # A symlink inside the workspace must not lead out of it.
        resolved = (graph.root / rel).resolve()
        if (graph.root / rel).exists() and not resolved.is_relative_to(graph.root.resolve()):
            raise BadPath(f"{quoted(text)} leads outside the workspace {graph.root}")
    rel = rel.rstrip("/")
    if must_exist and rel and not (graph.root / rel).exists():
        raise BadPath(f"{quoted(rel)} does not exist in the workspace {graph.root}")
    return "" if rel == "." else rel


def find_symbols(graph: Graph, query: str, limit: int = 20) -> list[Symbol]:
    """Workspace symbols for a qualified name, a unique-or-not dotted suffix,
    `path:line[:col]` (1-based), or a fuzzy name; best first. Raises
    UnknownSymbol (with close matches) or BadPath."""
    query = query.strip()
    if not query:
        raise UnknownSymbol(query, [])
    location = _LOCATION.fullmatch(query)
    if location and ("/" in location.group(1) or location.group(1).endswith((".py", ".pyi"))):
        path = workspace_path(graph, location.group(1))
        try:
            qualnames = graph.resolve_target(f"{path}:{location.group(2)}"
                                             + (f":{location.group(3)}" if location.group(3) else ""))
        except TargetError as exc:
            enclosing = graph.enclosing_symbol(path, int(location.group(2)) - 1)
            if enclosing is not None:
                return [enclosing]
            raise UnknownSymbol(query, []) from exc
        found = [s for q in qualnames for s in graph.symbols(q)]
        enclosing = graph.enclosing_symbol(path, int(location.group(2)) - 1)
        if enclosing is not None and enclosing.kind != SymbolKind.CLASS and not location.group(3):
            # A line inside a function names the function, not its locals.
            found = [s for s in found if s.parent != enclosing.qualname] or [enclosing]
        if not found:
            if enclosing is not None:
                return [enclosing]
            raise UnknownSymbol(query, [q for q in qualnames][:5])
        return found[:limit]
    exact = [s for s in graph.symbols(query) if s.kind not in _NOT_TARGETS]
    if exact:
        return exact[:limit]
    name = query.rsplit(".", 1)[-1]
    suffix = sorted((q for q in graph.qualnames_named(name) if q.endswith("." + query)),
                    key=lambda q: (q.count("."), q))
    if suffix:
        found = graph.symbols_named(suffix[:limit])
        return [found[q] for q in suffix[:limit] if q in found]
    raise UnknownSymbol(query, close_matches(graph, query))


def find_symbol(graph: Graph, query: str) -> Symbol:
    """The best single symbol for `query` (see `find_symbols`)."""
    return find_symbols(graph, query, limit=1)[0]


def close_matches(graph: Graph, query: str, limit: int = 5) -> list[str]:
    """Qualified names close to a query that matched nothing: fuzzy name
    search first (prefixes, initials, subsequences), then edit distance
    over names sharing its first letter."""
    name = query.rsplit(".", 1)[-1]
    out: list[str] = []
    for match in navigation.search_symbols(graph, query if "." in query else name, limit=limit * 3):
        if match.symbol.qualname not in out:
            out.append(match.symbol.qualname)
        if len(out) >= limit:
            return out
    if name:
        names = [n for n in navigation._names(graph).split("\n") if n[:1].lower() == name[:1].lower()]
        for close in difflib.get_close_matches(name, names, n=limit, cutoff=0.6):
            out.extend(q for q in graph.qualnames_named(close, limit=2) if q not in out)
    return out[:limit]
