"""Plain data the indexer hands out: small frozen dataclasses in editor terms.

Positions are 0-based lines and UTF-16 columns (what LSP uses), so the server
only renames fields. Paths are POSIX paths relative to the workspace root.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
        return Range(Position(sl, sc), Position(el, ec))

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
            out["uri"] = root_uri.rstrip("/") + "/" + self.path
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
                              self.confidence)


def reference_json(path: str, sl: int, sc: int, el: int, ec: int, kind: str, confidence: float) -> dict:
    """`Reference.to_json` from plain values (a 40,000-use `refs --json`
    builds no Reference)."""
    return {"path": path, "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
            "confidence": round(confidence, 3), "kind": kind}


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
