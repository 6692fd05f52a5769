"""Rename a symbol across the workspace: the edits, and how sure each one is.

What moves together: the definition; every reference spelled with the old
name (an alias `from m import f as g` keeps `g`, only `f` changes); for a
method, the same-named methods up and down the class hierarchy (overrides
must keep overriding); for a parameter, the keyword arguments that name it.
Edits from references resolved by name only are marked uncertain so the
user confirms each one.
"""

from __future__ import annotations

import difflib
import keyword
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from indexer.analysis.impact import hierarchy_namesakes
from indexer.languages.base import language_of
from indexer.languages.python.syntax import _Columns, normalize_source, parser
from indexer.graph.model import Range, Symbol
from indexer.graph.query import Graph
from indexer.edits.renameable import RenameError, renameable_at  # noqa: F401 (this facet's rename API)
from indexer.edits.textedit import TextEdit, apply_edits
from indexer.edits.textedit import read_text as _read
from indexer.graph.vocab import SymbolKind

UNCERTAIN_BELOW = 0.5
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Other languages' names (TypeScript/JavaScript allow `$`): the plan itself
# is the graph's, the same for every language; only Python reads __all__.
_OTHER_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


@dataclass(frozen=True, slots=True)
class RenamePlan:
    symbol: Symbol
    new_name: str
    edits: tuple[TextEdit, ...]

    def by_file(self) -> dict[str, list[TextEdit]]:
        out: dict[str, list[TextEdit]] = defaultdict(list)
        for edit in self.edits:
            out[edit.path].append(edit)
        return dict(out)


def plan_rename(graph: Graph, symbol: Symbol, new_name: str) -> RenamePlan:
    python = language_of(symbol.qualname) == "python"
    if python and (not _IDENTIFIER.match(new_name) or keyword.iskeyword(new_name)):
        raise RenameError(f"'{new_name}' is not a valid Python identifier")
    if not python and not _OTHER_IDENTIFIER.match(new_name):
        raise RenameError(f"'{new_name}' is not a valid identifier")
    if symbol.kind == SymbolKind.MODULE:
        raise RenameError("renaming a module is a file move: rename the file instead")
    if new_name == symbol.name:
        return RenamePlan(symbol, new_name, ())
    clash = graph.symbol(f"{symbol.parent}.{new_name}") if symbol.parent else None
    if clash is not None and clash.kind != SymbolKind.PARAMETER:
        raise RenameError(f"'{new_name}' is already defined in {symbol.parent} ({clash.path}:"
                          f"{clash.selection_range.start.line + 1})")
    edits: dict[tuple, TextEdit] = {}

    def add(path: str, rng: Range, certain: bool, reason: str) -> None:
        key = (path, rng.start.line, rng.start.character)
        held = edits.get(key)
        if held is None or (certain and not held.certain):
            edits[key] = TextEdit(path, rng, new_name, certain, reason)

    for related in hierarchy_namesakes(graph, symbol):
        inherited = related.qualname != symbol.qualname
        # every declaration of the name: merged TypeScript interfaces, overloads, Python redefinitions
        for declaration in graph.symbols(related.qualname) or [related]:
            add(declaration.path, declaration.selection_range, True,
                f"overriding method {related.qualname}" if inherited else "the definition")
        for ref in graph.references(related.qualname):
            if ref.name != symbol.name:
                continue  # an alias (`import f as g`) keeps its own name
            certain = ref.confidence >= UNCERTAIN_BELOW
            reason = ("matched by name only: confirm this is the same symbol" if ref.how == "name-match"
                      else f"resolved with low confidence ({ref.how})" if not certain
                      else f"{ref.kind} of {related.qualname}")
            add(ref.path, ref.range, certain, reason)
    if python and symbol.parent and "." not in symbol.qualname[len(symbol.parent) + 1:]:
        # A module-level name may be listed by string in __all__ (its own
        # module's, and those of the packages re-exporting it).
        files = {symbol.path} | {e.path for e in edits.values()}
        parent = graph.symbol(symbol.parent)
        if parent is not None and parent.kind == SymbolKind.MODULE:
            for path in sorted(files):
                for rng in dunder_all_entries(graph.root / path, symbol.name):
                    add(path, rng, True, "listed in __all__")
    ordered = sorted(edits.values(), key=lambda e: (e.path, e.range.start.line, e.range.start.character))
    return RenamePlan(symbol, new_name, tuple(ordered))


def dunder_all_entries(file: Path, name: str) -> list[Range]:
    """Ranges of the string contents equal to `name` in a module's __all__."""
    try:
        source = normalize_source(file.read_bytes())
    except OSError:
        return []
    if b"__all__" not in source:
        return []
    columns = _Columns(source)
    out = []
    for stmt in parser().parse(source).root_node.named_children:
        if stmt.type != "expression_statement" or b"__all__" not in (stmt.text or b""):
            continue
        stack = [stmt]
        while stack:
            node = stack.pop()
            if node.type == "string_content" and node.text.decode("utf-8", "replace") == name:
                out.append(Range.of(*columns.span(node)))
            stack.extend(node.named_children)
    return out


def diff(root: Path, plan: RenamePlan, include_uncertain: bool = True) -> str:
    out = []
    for path, edits in sorted(plan.by_file().items()):
        chosen = [e for e in edits if e.certain or include_uncertain]
        if not chosen:
            continue
        before = _read(root / path)
        after = apply_edits(before, chosen)
        out.extend(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        f"a/{path}", f"b/{path}"))
    return "".join(out)


def apply(root: Path, plan: RenamePlan, include_uncertain: bool = False) -> list[str]:
    """Write the edits to disk; returns the files changed."""
    changed = []
    for path, edits in sorted(plan.by_file().items()):
        chosen = [e for e in edits if e.certain or include_uncertain]
        if not chosen:
            continue
        file = root / path
        before = _read(file)
        after = apply_edits(before, chosen)
        if after != before:
            with open(file, "w", encoding="utf-8", newline="") as handle:
                handle.write(after)
            changed.append(path)
    return changed
