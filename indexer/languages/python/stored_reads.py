"""Whether a read of a function's name only stores or compares the function.

`self._cls_dict["__setattr__"] = _frozen_setattrs` puts the function where
later code finds it; `cls.__setattr__ is _frozen_setattrs` and
`on_setattr in (setters.validate, setters.convert)` compare it. Neither runs it in the reading
function. A read passed as an argument (`accessor=self.get_attribute`),
returned, bound to a local name or combined (`accessor or utils.get_value`)
is likely called soon, by the reader or its caller, and is not such a read.
Used by impact's "links that run nothing" (analysis/impact_unrun.py); parsed
with the standard library's `ast` (only the positions of reads are needed).
`returned_reads` finds the opposite, a function handed to the caller
(analysis/impact_returns.py).
"""

from __future__ import annotations

import ast
from indexer.graph import python_ast


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    out = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            out[id(child)] = node
    return out


def _parse_lines(lines: list[bytes], first: int) -> tuple[ast.AST | None, int]:
    """One definition's own source lines (the first at 0-based line `first`)
    parsed, and the shift from ast's 1-based lines to the file's 0-based ones.
    Parsing a function instead of its file keeps this cheap on large modules
    (the standard library's cost about 0.1 s a file)."""
    text = b"".join(lines)
    indented = bool(lines) and lines[0][:1] in (b" ", b"\t")
    try:
        tree = python_ast.parse(b"if 1:\n" + text if indented else text)
    except (SyntaxError, ValueError):
        return None, 0
    return tree, first - (1 if indented else 0) - 1


class StoredReads:
    """One parsed file, or one definition's lines (`of_lines`): `stored(line,
    end)` for the read whose name ends at column `end` on 0-based `line`
    (columns in UTF-8 bytes, as ast)."""

    def __init__(self, source: bytes, tree: ast.AST | None = None, shift: int = -1):
        if tree is None and source:
            try:
                tree = python_ast.parse(source)
            except (SyntaxError, ValueError):
                tree = None
        self.tree = tree
        self.by_end: dict[tuple[int, int], ast.AST] = {}
        if self.tree is not None:
            for node in ast.walk(self.tree):
                if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
                    self.by_end[(node.end_lineno + shift, node.end_col_offset)] = node
            self.parent = _parents(self.tree)

    @classmethod
    def of_lines(cls, lines: list[bytes], first: int) -> StoredReads:
        tree, shift = _parse_lines(lines, first)
        return cls(b"", tree, shift)

    def stored(self, line: int, end: int) -> bool:
        node = self.by_end.get((line, end))
        if node is None:
            return False  # unknown: followed as before
        parent = self.parent.get(id(node))
        while isinstance(parent, (ast.Tuple, ast.List, ast.Set)):  # `x in (f, g)`
            node, parent = parent, self.parent.get(id(parent))
        if isinstance(parent, ast.Compare):
            return True
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            return all(isinstance(t, (ast.Subscript, ast.Attribute)) for t in targets)
        return False


def returned_reads(lines: list[bytes], first: int) -> set[tuple[int, int]]:
    """(0-based line, end column) of the names a function returns as values
    (`return f`, `return (), f, g`, `return f if c else g`): impact_returns.
    `lines` are the function's own source lines, the first at 0-based line
    `first`."""
    tree, shift = _parse_lines(lines, first)
    if tree is None:
        return set()
    out: set[tuple[int, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and node.value is not None:
            todo = [node.value]
            while todo:
                value = todo.pop()
                if isinstance(value, (ast.Tuple, ast.List)):
                    todo.extend(value.elts)
                elif isinstance(value, ast.IfExp):
                    todo.extend((value.body, value.orelse))
                elif isinstance(value, (ast.Name, ast.Attribute)):
                    out.add((value.end_lineno + shift, value.end_col_offset))
    return out
