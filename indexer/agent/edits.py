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

from indexer import languages
from indexer.graph.model import Symbol
from indexer.graph.query import Graph
from indexer.edits.textedit import TextEdit, apply_edits, read_text


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
        before = read_text(file)
        after = apply_edits(before, by_file[path])
        diff.extend(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                         f"a/{path}", f"b/{path}"))
        hashes.append((path, _sha(file)))
    ordered = tuple(sorted(edits, key=lambda e: (e.path, e.range.start.line, e.range.start.character)))
    return EditPlan(kind, title, target, ordered, "".join(diff), tuple(hashes))


def _edits_for(symbol: Symbol):
    """The edit facet of the symbol's language (EditError when it has none)."""
    support = languages.support_for_path(symbol.path)
    if support is None or support.edits is None:
        raise EditError(f"{symbol.path}: no edits for this language")
    return support.edits


def rename_preview(graph: Graph, symbol: Symbol, new_name: str) -> EditPlan:
    facet = _edits_for(symbol)
    try:
        plan = facet.rename.plan_rename(graph, symbol, new_name)
    except facet.rename.RenameError as exc:
        raise EditError(str(exc)) from exc
    return _plan(graph, "rename", f"Rename {symbol.qualname} to {new_name}", symbol.qualname, list(plan.edits))


def change_signature_preview(graph: Graph, symbol: Symbol, new_parameters: str) -> EditPlan:
    """Give a function new parameters (`(a, b=1) -> int`, or without the
    parentheses) and rewrite every call site to match (`ripple`)."""
    try:
        params, edits = _edits_for(symbol).signature.signature_edits(graph, symbol, new_parameters)
    except ValueError as exc:
        raise EditError(str(exc)) from exc
    return _plan(graph, "change_signature", f"Change the signature of {symbol.qualname} to {params}",
                 symbol.qualname, edits)


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
        before = read_text(root / path)
        texts[path] = (before, apply_edits(before, edits))
    changed = []
    for path, (before, after) in sorted(texts.items()):
        if after != before:
            with open(root / path, "w", encoding="utf-8", newline="") as handle:
                handle.write(after)
            changed.append(path)
    return changed
