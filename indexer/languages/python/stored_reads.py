"""Whether a read of a function's name only stores or compares the function.

`self._cls_dict["__setattr__"] = _frozen_setattrs` puts the function where
later code finds it; `cls.__setattr__ is _frozen_setattrs` and
`on_setattr in (setters.validate, setters.convert)` compare it. Neither runs it in the reading
function. A read passed as an argument (`accessor=self.get_attribute`),
returned, bound to a local name or combined (`accessor or utils.get_value`)
is likely called soon, by the reader or its caller, and is not such a read;
except a save and restore: `old = termui.prompt_func` whose every later use
in the function is itself stored (`termui.prompt_func = old`), as test
runners do around a swap (the write itself, `termui.prompt_func = fake`,
is a write link: impact_unrun).
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
    parsed at their file positions, and the shift from ast's 1-based lines
    to the file's 0-based ones."""
    indented = bool(lines) and lines[0][:1] in (b" ", b"\t")
    return python_ast.parse_at(b"".join(lines), first, indented), -1


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
        return self._stored(node, saved=SAVE_RESTORE)

    def _stored(self, node: ast.AST, saved: bool) -> bool:
        parent = self.parent.get(id(node))
        while isinstance(parent, (ast.Tuple, ast.List, ast.Set)):  # `x in (f, g)`
            node, parent = parent, self.parent.get(id(parent))
        if isinstance(parent, ast.Compare):
            return True
        while COPIES and _copy_of(parent, node):  # `self.chain = processors[:]`
            node, parent = parent, self.parent.get(id(parent))
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if all(isinstance(t, (ast.Subscript, ast.Attribute)) for t in targets):
                return not (CALLED_THROUGH and self._called_through(parent, targets))
            if saved and len(targets) == 1 and isinstance(targets[0], ast.Name):
                return self._restored_only(parent, targets[0].id)
        return False

    def _called_through(self, assign: ast.AST, targets: list[ast.AST]) -> bool:
        """Whether the function holding `assign` later calls through the
        container it stores into: glom's `scope[MODE] = FILL` then
        `scope[glom](target, spec, scope)`, which looks the mode up in the
        same scope and runs it."""
        containers = {ast.dump(t.value) for t in targets if isinstance(t, ast.Subscript)}
        scope = self._function_of(assign)
        if not containers or scope is None:
            return False
        return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Subscript)
                   and ast.dump(n.func.value) in containers and n.lineno >= assign.end_lineno
                   for n in ast.walk(scope))

    def _function_of(self, node: ast.AST) -> ast.AST | None:
        scope = self.parent.get(id(node))
        while scope is not None and not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope = self.parent.get(id(scope))
        return scope

    def _restored_only(self, assign: ast.AST, name: str) -> bool:
        """Whether every load of the local `name` in the function holding
        `assign` is itself stored (one level: never through another local)."""
        scope = self._function_of(assign)
        if scope is None:
            return False  # a module or class level name: anyone may call it
        loads = [n for n in ast.walk(scope) if isinstance(n, ast.Name) and n.id == name]
        if any(isinstance(n.ctx, ast.Store) and self.parent.get(id(n)) is not assign for n in loads):
            return False  # rebound: too clever to follow
        uses = [n for n in loads if isinstance(n.ctx, ast.Load)]
        return bool(uses) and all(self._stored(n, saved=False) for n in uses)


# Switch for the save-and-restore case (its unit case turns it off).
SAVE_RESTORE = True
# A copy stored is a store (`_CONFIG.default_processors = _DEFAULT[:]`,
# `list(x)`, `copy.copy(x)`): structlog's reset_defaults, which an autouse
# fixture runs around every test, reads the default processors only to copy
# them into the configuration. A switch, for its case.
COPIES = True
# A store into a container the function then calls through runs what it
# stored (`scope[MODE] = FILL; return scope[glom](...)`). A switch, for its case.
CALLED_THROUGH = True
_COPY_CALLS = frozenset({"list", "tuple", "dict", "set", "copy", "copy.copy", "copy.deepcopy", "deepcopy"})


def _copy_of(parent: ast.AST | None, node: ast.AST) -> bool:
    """Whether `parent` copies `node`: `node[:]`, `list(node)`, `copy(node)`."""
    if isinstance(parent, ast.Subscript):
        return parent.value is node and isinstance(parent.slice, ast.Slice) \
            and parent.slice.lower is None and parent.slice.upper is None and parent.slice.step is None
    if isinstance(parent, ast.Call) and len(parent.args) == 1 and parent.args[0] is node and not parent.keywords:
        try:
            return ast.unparse(parent.func) in _COPY_CALLS
        except (ValueError, AttributeError):
            return False
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
