"""Links that sit only in a branch that is statically false here (issue 12,
wrapt and click). Python runs an `if` body only when its test is true, and
the interpreter's version and platform are fixed for the whole run:

    PY2 = sys.version_info[0] == 2            # wrapt/decorators.py
    if PY2:
        def exec_(_code_, ...): ...           # never defined on Python 3
    else:
        exec_ = getattr(builtins, "exec")

    WIN = sys.platform.startswith("win")      # click/_compat.py
    def echo(message=None, file=None, ...):
        ...
        elif WIN:
            file = auto_wrap_for_ansi(file)   # never on Linux

Two kinds of link run nothing here:
- every link out of a definition that sits in such a branch: the `def`
  never runs, so nothing can call what it would define (`_build`'s
  `exec_(...)` calls the builtin bound in the `else`);
- a use whose every occurrence in its user sits in such a branch
  (an `if` body whose test is false here, or the `else` of one that is true).

The tests reached only through such a link are ruled out (listed at
RULED_OUT_CONFIDENCE, left out of the default selection); the dependents
stay listed, because "what breaks if I change this" on another platform or
version is still a question worth answering (the click branch's first
version, which dropped the links, removed them). A clean chain found at a
later level re-enters the node (the "soft" taint of impact_created).

A test is a platform or version test when it is built from
`sys.platform`, `os.name`, `platform.system()`, `sys.version_info` (indexed,
sliced, `.major`/`.minor`, compared with a tuple or an int), constants,
`==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`, `.startswith`/`.endswith`,
`not`, `and`, `or`, and module-level names bound once to such a test (in the
file, or imported by `from m import NAME` from a file of the project, up to
four hops: `from ._compat import WIN`). Anything else is unknown and keeps
the link. The answer is for the interpreter codemeld runs on, which is the
one the project's tests run on here.

Cost: a file is parsed only when its text names one of those markers (or
imports from a project file that does), once per index version. Like the
value guards it runs only up to impact.GUARD_MAX_FILES Python files: on
the stdlib the first version of this rule (the click branch) made the
slowest of 200 selections 4.5x slower.

Finds, default selection (evals.impact, same cached truth, the rule
switched off in the final code): click -435 false pairs at depth 8, no true
one lost (precision 0.606 -> 0.615 at recall 0.893; depth 6 -410, depth 10
-435): `auto_wrap_for_ansi` (`elif WIN:` in `echo`, and its definition
under `if sys.platform.startswith("win") and WIN:`), `_expand_args`
(`os.name == "nt" and ...` in `BaseCommand.main`, behind two `@overload`
stubs: every definition of the user counts). wrapt -92 false, no true one
(`def exec_` under `if PY2:`; 0.633 -> 0.661 with the other rules on).
funcy -6 false, no true one (0.694 -> 0.698: the `else` of
`if sys.version_info >= (3, 10):`). attrs, pluggy, toolz, marshmallow,
cachetools, more-itertools, boltons and blinker: identical.
"""

from __future__ import annotations

import ast
import os
import platform
import re
import sys
from pathlib import Path

from indexer.graph import python_ast
from indexer.graph.model import Symbol
from indexer.graph.vocab import RefKind

RULE = True  # switch, for its test
_UNKNOWN = None
_DEPTH = 4  # `from m import NAME` hops followed for a module constant
_MARKERS = (b"sys.platform", b"os.name", b"platform.system", b"sys.version_info")
_FROM = re.compile(rb"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import\b", re.M)
# Link kinds that are uses written in the user (others, dispatch or override, are not).
_USE_KINDS = (RefKind.CALL, RefKind.READ, RefKind.ATTRIBUTE, RefKind.DECORATOR, RefKind.INHERIT,
              RefKind.ANNOTATION, RefKind.KEYWORD, RefKind.IMPORT)


def never_runs(graph, memo: dict, kind: str, used: Symbol | None, user: Symbol | None) -> bool:
    """Whether the link `user` -> `used` (of kind `kind`) runs nothing on
    this interpreter: `used` is defined only in statically false branches,
    or every use of it written in `user` sits in one. `memo`: a dict kept
    while the index is unchanged."""
    if not RULE or used is None or user is None:
        return False
    if _dead_definition(graph, memo, used):
        return True
    if kind not in _USE_KINDS:
        return False
    dead = _file_ranges(graph, memo, user.path)
    if not dead:
        return False
    spans = ("false branch spans", user.qualname)
    if spans not in memo:  # every definition of the name (`@overload` stubs come first)
        memo[spans] = [(s.range.start.line + 1, s.range.end.line + 1) for s in graph.symbols(user.qualname)
                       if s.path == user.path]
    if not any(start <= last and first <= end for start, end in dead for first, last in memo[spans]):
        return False  # no false branch inside the user: no query for its uses
    key = ("false branch use", used.qualname, user.qualname, kind)
    if key not in memo:
        lines = [ref.range.start.line + 1 for ref in graph.uses_in(used.qualname, user.qualname, (kind,))]
        memo[key] = bool(lines) and all(any(start <= line <= end for start, end in dead) for line in lines)
    return memo[key]


def _dead_definition(graph, memo: dict, used: Symbol) -> bool:
    """Every definition of the name sits in a statically false branch."""
    key = ("false branch definition", used.qualname)
    if key not in memo:
        symbols = graph.symbols(used.qualname)
        memo[key] = bool(symbols) and all(
            any(start <= sym.range.start.line + 1 <= end for start, end in _file_ranges(graph, memo, sym.path))
            for sym in symbols)
    return memo[key]


def _file_ranges(graph, memo: dict, path: str) -> tuple[tuple[int, int], ...]:
    key = ("false branch ranges", path)
    if key not in memo:
        memo[key] = dead_ranges(Path(graph.root) / path)
    return memo[key]


def dead_ranges(file: Path) -> tuple[tuple[int, int], ...]:
    """1-based line ranges of the branches this interpreter never takes in
    `file` (parsed only where its text may hold a platform or version test)."""
    try:
        data = file.read_bytes()
    except OSError:
        return ()
    if not _may_test(file, data):
        return ()
    tree = _parse(file)
    if tree is None:
        return ()
    out: list[tuple[int, int]] = []
    evaluator = _Evaluator(file, tree)
    for node in _statements(tree.body):
        if isinstance(node, ast.If):
            value = evaluator.value(node.test)
            if value is False:
                out.append(_span(node.body))
            elif value is True and node.orelse:
                out.append(_span(node.orelse))
    return tuple(out)


def _may_test(file: Path, data: bytes) -> bool:
    """Whether the text names a platform or version test, or imports from a
    project file that names one (`from ._compat import WIN`)."""
    if any(m in data for m in _MARKERS):
        return True
    for match in _FROM.finditer(data):
        stmt = ast.ImportFrom(module=match.group(2).decode() or None, names=[], level=len(match.group(1)))
        target = _module_file(file, stmt)
        if target is not None:
            try:
                if any(m in target.read_bytes() for m in _MARKERS):
                    return True
            except OSError:
                continue
    return False


def _statements(body: list[ast.stmt]):
    """Every statement, nested ones included (expressions hold none)."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            stack.extend(getattr(node, name, ()) or ())


def _span(body: list[ast.stmt]) -> tuple[int, int]:
    first = min([body[0].lineno, *(d.lineno for d in getattr(body[0], "decorator_list", ()))])
    return first, max(stmt.end_lineno or stmt.lineno for stmt in body)


def _parse(file: Path) -> ast.Module | None:
    try:
        return python_ast.parse(file.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None


class _Evaluator:
    """The value of a platform or version test, or None where it is not one."""

    def __init__(self, file: Path, tree: ast.Module, depth: int = 0):
        self.file, self.tree, self.depth = file, tree, depth
        self._bound: dict[str, list[ast.stmt]] | None = None

    def bound(self, name: str) -> list[ast.stmt]:
        """The module-level statements that bind `name` (one pass a file)."""
        if self._bound is None:
            self._bound = {}
            for stmt in self.tree.body:
                for bound in _bound_names(stmt):
                    self._bound.setdefault(bound, []).append(stmt)
        return self._bound.get(name, [])

    def value(self, node: ast.expr):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            pair = (node.value.id, node.attr)
            if pair == ("sys", "platform") and self._imports("sys"):
                return sys.platform
            if pair == ("sys", "version_info") and self._imports("sys"):
                return tuple(sys.version_info)
            if pair == ("os", "name") and self._imports("os"):
                return os.name
            return _UNKNOWN
        if isinstance(node, ast.Attribute) and node.attr in ("major", "minor"):
            inner = self.value(node.value)
            return inner[0 if node.attr == "major" else 1] if _version(inner) else _UNKNOWN
        if isinstance(node, ast.Subscript):
            inner, index = self.value(node.value), node.slice
            if not _version(inner):
                return _UNKNOWN
            if isinstance(index, ast.Constant) and isinstance(index.value, int):
                return inner[index.value] if -len(inner) <= index.value < len(inner) else _UNKNOWN
            if isinstance(index, ast.Slice) and index.step is None:
                lower, upper = (self.value(b) if b is not None else None for b in (index.lower, index.upper))
                if all(b is None or isinstance(b, int) for b in (lower, upper)):
                    return inner[lower:upper]
            return _UNKNOWN
        if isinstance(node, ast.Name):
            return self._module_constant(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.value(node.operand)
            return _UNKNOWN if not isinstance(inner, bool) else not inner
        if isinstance(node, ast.BoolOp):
            values = [self.value(v) for v in node.values]
            stop = isinstance(node.op, ast.Or)  # the value that decides: False for `and`, True for `or`
            if any(v is stop for v in values):  # short-circuit: one deciding operand is enough
                return stop
            return (not stop) if all(isinstance(v, bool) for v in values) else _UNKNOWN
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            return _compare(node.ops[0], self.value(node.left), self.value(node.comparators[0]))
        if isinstance(node, ast.Tuple):
            items = tuple(self.value(e) for e in node.elts)
            return items if all(isinstance(i, (str, int)) and not isinstance(i, bool) for i in items) else _UNKNOWN
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords:
            func = node.func
            if isinstance(func.value, ast.Name) and (func.value.id, func.attr) == ("platform", "system") \
                    and not node.args and self._imports("platform"):
                return platform.system()
            if func.attr in ("startswith", "endswith") and len(node.args) == 1:
                subject, prefix = self.value(func.value), self.value(node.args[0])
                if isinstance(subject, str) and (isinstance(prefix, str) or (
                        isinstance(prefix, tuple) and all(isinstance(p, str) for p in prefix))):
                    return getattr(subject, func.attr)(prefix)
        return _UNKNOWN

    def _imports(self, module: str) -> bool:
        """Whether the module-level code binds `module` by `import module`."""
        return any(isinstance(stmt, ast.Import) and any(a.name == module and a.asname is None for a in stmt.names)
                   for stmt in self.tree.body)

    def _module_constant(self, name: str):
        """The value of a module-level `NAME = <test>` bound once in this
        file, or of `from m import NAME` from a file of the project."""
        bound = self.bound(name)
        if len(bound) != 1:
            return _UNKNOWN
        stmt = bound[0]
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            return self.value(stmt.value)
        if isinstance(stmt, ast.ImportFrom) and self.depth < _DEPTH:
            target = _module_file(self.file, stmt)
            tree = _parse(target) if target is not None else None
            if tree is None:
                return _UNKNOWN
            original = next(a.name for a in stmt.names if (a.asname or a.name) == name)
            return _Evaluator(target, tree, self.depth + 1)._module_constant(original)
        return _UNKNOWN


def _version(value) -> bool:
    return isinstance(value, tuple) and bool(value) and all(isinstance(v, int) for v in value[:3])


def _compare(op: ast.cmpop, left, right):
    """`left op right` for strings, ints and version tuples; None otherwise."""
    if isinstance(left, bool) or isinstance(right, bool):
        return _UNKNOWN
    if isinstance(op, (ast.In, ast.NotIn)):
        if not isinstance(left, str) or not isinstance(right, (str, tuple)):
            return _UNKNOWN
        return (left in right) == isinstance(op, ast.In)
    same = (isinstance(left, str) and isinstance(right, str)) or (isinstance(left, int) and isinstance(right, int)) \
        or (_version(left) and isinstance(right, tuple) and all(isinstance(v, int) for v in right))
    if not same:
        return _UNKNOWN
    if isinstance(op, ast.Eq):
        return left == right
    if isinstance(op, ast.NotEq):
        return left != right
    if isinstance(left, str):
        return _UNKNOWN  # ordering strings is no platform test
    ordered = {ast.Lt: left.__lt__, ast.LtE: left.__le__, ast.Gt: left.__gt__, ast.GtE: left.__ge__}
    compare = ordered.get(type(op))
    return _UNKNOWN if compare is None else compare(right)


def _bound_names(stmt: ast.stmt) -> set[str]:
    """The names a module-level statement binds."""
    if isinstance(stmt, ast.Assign):
        return {n.id for t in stmt.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        return {stmt.target.id} if isinstance(stmt.target, ast.Name) else set()
    if isinstance(stmt, ast.ImportFrom):
        return {a.asname or a.name for a in stmt.names}
    if isinstance(stmt, ast.Import):
        return {(a.asname or a.name).partition(".")[0] for a in stmt.names}
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.If, ast.Try, ast.For, ast.While, ast.With)):  # bound in a branch: not one fixed value
        return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} \
            | {n.name for n in ast.walk(stmt) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))}
    return set()


def _module_file(file: Path, stmt: ast.ImportFrom) -> Path | None:
    """The project file of `from m import ...` written in `file`."""
    parts = stmt.module.split(".") if stmt.module else []
    if stmt.level:
        base = file.parent
        for _ in range(stmt.level - 1):
            base = base.parent
    else:
        base = file.parent  # the directory above the top package of `file`
        while (base / "__init__.py").exists():
            base = base.parent
    target = base.joinpath(*parts) if parts else base
    for candidate in (target.with_suffix(".py") if parts else None, target / "__init__.py"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None
