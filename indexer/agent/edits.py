"""Edit previews for agents, applied only on an explicit request.

A preview is an `EditPlan`: the text edits, a unified diff, which edits are
uncertain (matched by name only, low confidence) and the sha256 of every
file it touches as it was read. `apply_plan` writes nothing unless each of
those files is still byte-for-byte what the preview saw: an agent that
edited a file in between gets a clear refusal, never a half-applied plan.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

from indexer import rename as renaming
from indexer import ripple
from indexer.languages.python.extract import _Columns, normalize_source, parser
from indexer.model import Range, Symbol
from indexer.query import Graph
from indexer.rename import TextEdit


class EditError(ValueError):
    """A preview or an apply that cannot be done, with the reason."""


@dataclass(frozen=True, slots=True)
class EditPlan:
    kind: str  # rename | change_signature
    title: str
    target: str  # qualname
    edits: tuple[TextEdit, ...]
    diff: str  # every edit, uncertain ones included
    file_hashes: tuple[tuple[str, str], ...]  # (path, sha256) as previewed

    @property
    def uncertain(self) -> tuple[TextEdit, ...]:
        return tuple(e for e in self.edits if not e.certain)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(p for p, _ in self.file_hashes)


def _sha(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def _plan(graph: Graph, kind: str, title: str, target: str, edits: list[TextEdit]) -> EditPlan:
    by_file: dict[str, list[TextEdit]] = {}
    for edit in edits:
        by_file.setdefault(edit.path, []).append(edit)
    hashes, diff = [], []
    for path in sorted(by_file):
        file = graph.root / path
        before = renaming._read(file)
        after = renaming.apply_edits(before, by_file[path])
        diff.extend(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                         f"a/{path}", f"b/{path}"))
        hashes.append((path, _sha(file)))
    ordered = tuple(sorted(edits, key=lambda e: (e.path, e.range.start.line, e.range.start.character)))
    return EditPlan(kind, title, target, ordered, "".join(diff), tuple(hashes))


def rename_preview(graph: Graph, symbol: Symbol, new_name: str) -> EditPlan:
    try:
        plan = renaming.plan_rename(graph, symbol, new_name)
    except renaming.RenameError as exc:
        raise EditError(str(exc)) from exc
    return _plan(graph, "rename", f"Rename {symbol.qualname} to {new_name}", symbol.qualname, list(plan.edits))


def change_signature_preview(graph: Graph, symbol: Symbol, new_parameters: str) -> EditPlan:
    """Give a function new parameters (`(a, b=1) -> int`, or without the
    parentheses) and rewrite every call site to match (`ripple`)."""
    if symbol.kind not in ("function", "method"):
        raise EditError(f"{symbol.qualname} is a {symbol.kind}; only functions and methods have signatures")
    params = new_parameters.strip()
    if not params.startswith("("):
        params = f"({params})"
    probe = parser().parse(f"def f{params}:\n    pass\n".encode())
    func = probe.root_node.named_children[0] if probe.root_node.named_children else None
    if probe.root_node.has_error or func is None or func.type != "function_definition":
        raise EditError(f"{new_parameters!r} is not a valid Python parameter list")
    file = graph.root / symbol.path
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise EditError(f"cannot read {symbol.path}: {exc.strerror or exc}") from exc
    source = normalize_source(raw)
    node = _definition_node(parser().parse(source).root_node, symbol.selection_range.start.line, symbol.name)
    if node is None:
        raise EditError(f"{symbol.qualname} is not where the index says ({symbol.path}:"
                        f"{symbol.selection_range.start.line + 1}); the file changed since it was indexed")
    old_params = node.child_by_field_name("parameters")
    old_return = node.child_by_field_name("return_type")
    end_node = old_return or old_params
    new_source = source[:old_params.start_byte] + params.encode() + source[end_node.end_byte:]
    columns = _Columns(source)
    start, end = columns.span(old_params), columns.span(end_node)
    definition_edit = TextEdit(symbol.path, Range.of(start[0], start[1], end[2], end[3]), params, True,
                               "the new signature")
    edits = [definition_edit]
    for change in ripple.update_call_sites(graph, symbol.path, new_source):
        if change.target == symbol.qualname:
            edits.extend(e for e in change.edits if e.path != symbol.path or not _overlaps(e, definition_edit))
    return _plan(graph, "change_signature", f"Change the signature of {symbol.qualname} to {params}",
                 symbol.qualname, edits)


def _overlaps(a: TextEdit, b: TextEdit) -> bool:
    return not (a.range.end.line < b.range.start.line or a.range.start.line > b.range.end.line)


def _definition_node(root, line: int, name: str):
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "function_definition":
            name_node = node.child_by_field_name("name")
            if name_node is not None and name_node.start_point[0] == line and name_node.text.decode() == name:
                return node
        stack.extend(node.named_children)
    return None


def apply_plan(root: Path, plan: EditPlan, include_uncertain: bool = False) -> list[str]:
    """Write the plan's edits (certain ones, plus uncertain ones when asked).
    Refuses, writing nothing, when any file changed since the preview."""
    changed_since = [path for path, sha in plan.file_hashes
                     if not (root / path).is_file() or _sha(root / path) != sha]
    if changed_since:
        raise EditError(f"{', '.join(changed_since)} changed since the preview; ask for a new preview")
    by_file: dict[str, list[TextEdit]] = {}
    for edit in plan.edits:
        if edit.certain or include_uncertain:
            by_file.setdefault(edit.path, []).append(edit)
    texts = {}
    for path, edits in by_file.items():
        before = renaming._read(root / path)
        texts[path] = (before, renaming.apply_edits(before, edits))
    changed = []
    for path, (before, after) in sorted(texts.items()):
        if after != before:
            with open(root / path, "w", encoding="utf-8", newline="") as handle:
                handle.write(after)
            changed.append(path)
    return changed
