"""Whether a read of a function's name only stores or compares the function.

`self._cls_dict["__setattr__"] = _frozen_setattrs` puts the function where
later code finds it; `cls.__setattr__ is _frozen_setattrs` and
`on_setattr in (setters.validate, setters.convert)` compare it. Neither runs it in the reading
function. A read passed as an argument (`accessor=self.get_attribute`),
returned, bound to a local name or combined (`accessor or utils.get_value`)
is likely called soon, by the reader or its caller, and is not such a read.
Used by impact's "links that run nothing" (analysis/impact_unrun.py); parsed
with the standard library's `ast` (only the positions of reads are needed).
"""

from __future__ import annotations

import ast


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    out = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            out[id(child)] = node
    return out


class StoredReads:
    """One parsed file: `stored(line, start, end)` for the read whose name
    spans [start, end) on 0-based `line` (columns in UTF-8 bytes, as ast)."""

    def __init__(self, source: bytes):
        try:
            self.tree = ast.parse(source)
        except (SyntaxError, ValueError):
            self.tree = None
        self.by_end: dict[tuple[int, int], ast.AST] = {}
        if self.tree is not None:
            for node in ast.walk(self.tree):
                if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
                    self.by_end[(node.end_lineno - 1, node.end_col_offset)] = node
            self.parent = _parents(self.tree)

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

    def returned(self, line: int, end: int) -> bool:
        """Whether the read is (part of) what its function returns: `return f`,
        `return (), f, g`, `return f if c else g` (impact_returns)."""
        node = self.by_end.get((line, end))
        if node is None:
            return False
        parent = self.parent.get(id(node))
        while isinstance(parent, (ast.Tuple, ast.List, ast.IfExp)) and not (
                isinstance(parent, ast.IfExp) and parent.test is node):
            node, parent = parent, self.parent.get(id(parent))
        return isinstance(parent, ast.Return) and parent.value is node
