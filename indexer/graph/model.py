"""Plain data the indexer hands out: small frozen dataclasses in editor terms.

Positions are 0-based lines and UTF-16 columns (what LSP uses), so the server
only renames fields. Paths are POSIX paths relative to the workspace root.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote


@lru_cache(maxsize=8192)  # answers with thousands of symbols repeat a few hundred paths
def file_uri(root_uri: str, path: str) -> str:
    """The URI of `path` (relative, POSIX) under the folder `root_uri`
    (`Path.as_uri()`, already percent-encoded): the path is encoded the same
    way, so a space, `#` or `%` in a name gives a valid URI of that file."""
    return root_uri.rstrip("/") + "/" + quote(path)


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    character: int


@dataclass(frozen=True, slots=True)
class Range:
    start: Position
    end: Position

    @staticmethod
    def of(sl: int, sc: int, el: int, ec: int) -> "Range":
        return _range(sl, sc, el, ec)

    def contains(self, line: int, character: int) -> bool:
        start, end = self.start, self.end
        if (line, character) < (start.line, start.character):
            return False
        return (line, character) <= (end.line, end.character)

    def to_json(self) -> dict:
        return {
            "start": {"line": self.start.line, "character": self.start.character},
            "end": {"line": self.end.line, "character": self.end.character},
        }


# The vocabulary (kinds, reference kinds, rules) is `indexer.graph.vocab`.


@dataclass(frozen=True, slots=True)
class Symbol:
    """A definition in the workspace."""

    id: int
    name: str
    qualname: str
    kind: str  # a SymbolKind value
    path: str
    range: Range
    selection_range: Range
    signature: str = ""
    docstring: str = ""
    parent: str | None = None  # qualname of the enclosing symbol
    is_test: bool = False
    flags: tuple[str, ...] = ()  # fixture, async, property, classmethod, ...
    decorators: tuple[str, ...] = ()
    body_line: int | None = None  # first line of a function/class body

    def to_json(self, root_uri: str | None = None) -> dict:
        out = {
            "name": self.name,
            "qualname": self.qualname,
            "kind": self.kind,
            "path": self.path,
            "range": self.range.to_json(),
            # The name: where editors put the selection (the range is the whole body).
            "selectionRange": self.selection_range.to_json(),
        }
        if root_uri is not None:
            out["uri"] = file_uri(root_uri, self.path)
        return out


# Frozen dataclasses built without their generated `__init__`, which sets
# each field through `object.__setattr__`: an impact answer reads 14,000
# symbols (the callers of `TestCase.assertEqual`) and building them that way
# was a third of its time. These set the slots directly, 3-4x faster: the
# same objects (equal, hashed and frozen alike).
_new = object.__new__
_set_line, _set_character = Position.line.__set__, Position.character.__set__
_set_start, _set_end = Range.start.__set__, Range.end.__set__


def _range(sl: int, sc: int, el: int, ec: int) -> Range:
    start = _new(Position)
    _set_line(start, sl)
    _set_character(start, sc)
    end = _new(Position)
    _set_line(end, el)
    _set_character(end, ec)
    out = _new(Range)
    _set_start(out, start)
    _set_end(out, end)
    return out


(_set_id, _set_name, _set_qualname, _set_kind, _set_path, _set_range, _set_selection, _set_signature, _set_docstring,
 _set_parent, _set_is_test, _set_flags, _set_decorators, _set_body_line) = (
    getattr(Symbol, name).__set__ for name in Symbol.__slots__)


def symbol_of(id, name, qualname, kind, path, range, selection_range, signature, docstring, parent, is_test, flags,
              decorators, body_line) -> Symbol:
    """`Symbol(...)` with every field given, in declaration order."""
    out = _new(Symbol)
    _set_id(out, id)
    _set_name(out, name)
    _set_qualname(out, qualname)
    _set_kind(out, kind)
    _set_path(out, path)
    _set_range(out, range)
    _set_selection(out, selection_range)
    _set_signature(out, signature)
    _set_docstring(out, docstring)
    _set_parent(out, parent)
    _set_is_test(out, is_test)
    _set_flags(out, flags)
    _set_decorators(out, decorators)
    _set_body_line(out, body_line)
    return out


@dataclass(frozen=True, slots=True)
class Reference:
    """One use of a name, resolved (or not) to a target qualname."""

    path: str
    range: Range
    name: str
    kind: str
    enclosing: str | None  # qualname of the symbol the use sits in
    target: str | None  # qualname of what it refers to, None when unresolved
    confidence: float
    how: str  # which rule resolved it (a How value): scope, import, self, mro, ...

    def to_json(self) -> dict:
        start, end = self.range.start, self.range.end
        return reference_json(self.path, start.line, start.character, end.line, end.character, self.kind,
                              self.confidence, self.how)


def reference_json(path: str, sl: int, sc: int, el: int, ec: int, kind: str, confidence: float,
                   how: str) -> dict:
    """`Reference.to_json` from plain values (a 40,000-use `refs --json`
    builds no Reference). `how` is the rule that resolved it, as MCP says."""
    return {"path": path, "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
            "confidence": round(confidence, 3), "kind": kind, "how": how}


@dataclass(frozen=True, slots=True)
class IndexStats:
    root: str
    index_dir: str
    files: int
    symbols: int
    references: int
    resolved: int
    errors: int
    size_bytes: int
    last_update: float | None
    languages: dict[str, int] = field(default_factory=dict)

    @property
    def resolution_rate(self) -> float:
        return self.resolved / self.references if self.references else 1.0


@dataclass(frozen=True, slots=True)
class IndexRun:
    """What one `index` call did (for progress lines, notes and benchmarks)."""

    discovered: int
    parsed: int
    unchanged: int
    removed: int
    failed: int
    refs_resolved: int
    seconds: float
