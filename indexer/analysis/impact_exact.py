"""Exact receivers (issue 12, pyparsing precision): a value whose class is
known exactly runs that class's own method, never a subclass's override.

    def parse_string(self, instring, parse_all=False):
        ...
        if parse_all:
            se = Empty() + StringEnd()

`Empty() + StringEnd()` runs `ParserElement.__add__` (Empty inherits it);
no subclass's `__add__` (`_PendingSkip.__add__`, `Suppress.__add__`) can
run there, since the left operand is an Empty made right there. The walk
used to link every caller of a base's method to each override (kind
"dispatch"), and through those two links everything the overrides call
looked reached by every test that parses (pyparsing: 11,090 false pairs
against 196 true).

A use of the base's method is exact when its receiver is:
- a constructor call right there: `C(...).m()`, `C() + x`, `-C()`,
  `C()(...)`, where the called name is resolved to a workspace class;
- a local bound once in the function, to an exact value (`e = C()`, then
  `e.m()`), and bound nowhere else (no parameter, no other assignment,
  loop target, `with ... as`, `global`/`nonlocal`, augmented assignment);
and the class makes its own instances: no `__new__` in its workspace MRO
(pyparsing's `Literal.__new__` returns an Empty or a _SingleCharLiteral)
and no workspace metaclass defining `__call__`. A user whose every use of
the base's method is exact (and whose class is not the override's class or
a subclass of it) is not a dispatch link: the walk does not follow it.

`self`, parameters, attributes, what a function returns, comparisons
(`a < b` may run either side) and augmented assignments keep dispatching.
Query-time only: the stored references are unchanged (call hierarchy and
Find All References show the same uses as before).
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from indexer.analysis.impact_guards import Guards
from indexer.graph.vocab import RefKind, SymbolKind

RULE = True  # switch, for its test

_BINARY = ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift", "and", "xor", "or")
_FORWARD = frozenset(f"__{n}__" for n in _BINARY)
_REFLECTED = frozenset(f"__r{n}__" for n in _BINARY)
_UNARY = frozenset(("__neg__", "__pos__", "__invert__"))
_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)
_GUESSES = ("name-match", "unresolved")


def drop_exact_uses(walk, base: str, uses, override_classes: set[str], superclasses) -> list:
    """The uses ((enclosing, kind, conf, how)) of `base` (a base's method an
    override replaces) that may dispatch to the override: without the users
    whose every use of `base` is on a receiver of one known class, outside
    `override_classes` (the override's class and its subclasses)."""
    if not RULE or not uses:
        return list(uses)
    return [u for u in uses if not _all_exact(walk, base, u[0], override_classes, superclasses)]


def _all_exact(walk, base: str, user: str, override_classes: set[str], superclasses) -> bool:
    key = ("exact uses", base, user)
    if key not in walk.memo:
        walk.memo[key] = _exact_classes(walk, base, user, superclasses)
    classes = walk.memo[key]
    return classes is not None and not classes & override_classes


def _exact_classes(walk, base: str, user: str, superclasses) -> frozenset | None:
    """The exact classes of the receivers of every use of `base` in `user`;
    None where one use's receiver is not exact."""
    sym = walk.symbol(user)
    if sym is None or sym.kind not in _CALLABLE:
        return None
    uses = walk.graph.uses_in(base, user, tuple(RefKind))
    if not uses:
        return None
    sites = _sites(walk, sym, superclasses)
    if sites is None:
        return None
    name = base.rpartition(".")[2]
    out = set()
    for ref in uses:
        at = (ref.range.start.line + 1, ref.range.start.character)
        found = [cls for kinds, first, last, cls in sites if first <= at <= last and _fits(kinds, name)]
        if not found or None in found:
            return None
        out.update(found)
    return frozenset(out)


def _fits(kinds: str, name: str) -> bool:
    if kinds == "attribute":
        return True
    if kinds == "forward":
        return name in _FORWARD
    if kinds == "reflected":
        return name in _REFLECTED
    if kinds == "unary":
        return name in _UNARY
    return name == "__call__"


def _sites(walk, sym, superclasses) -> list | None:
    """(kinds, first, last, exact class or None) of every receiver in the
    function: positions (1-based line, UTF-16 column) where a use of a
    member of the receiver's class is recorded."""
    key = ("exact sites", sym.qualname, sym.selection_range.start.line)
    if key in walk.memo:
        return walk.memo[key]
    walk.memo[key] = None
    node = Guards(walk.graph, walk.memo).node_of(sym)
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    rows = _rows(Path(walk.graph.root) / sym.path)
    if rows is None:
        return None
    classes = {}
    for ref in walk.graph.references_from(sym.qualname):
        if ref.kind == RefKind.CALL:
            classes.setdefault((ref.range.start.line + 1, ref.range.start.character), []).append(ref)
    values = _Values(walk, node, rows, classes, superclasses)

    def pos(line: int, col: int) -> tuple[int, int]:
        return line, _utf16(rows, line, col)

    out = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.end_lineno is not None:
            at = pos(sub.end_lineno, sub.end_col_offset - len(sub.attr.encode("utf-8")))
            out.append(("attribute", at, at, sub.value))
        elif isinstance(sub, ast.BinOp):
            first, last = pos(sub.left.end_lineno, sub.left.end_col_offset), pos(sub.right.lineno,
                                                                                  sub.right.col_offset)
            out.append(("forward", first, last, sub.left))
            out.append(("reflected", first, last, sub.right))
        elif isinstance(sub, ast.UnaryOp) and not isinstance(sub.op, ast.Not):
            out.append(("unary", pos(sub.lineno, sub.col_offset), pos(sub.operand.lineno, sub.operand.col_offset),
                        sub.operand))
        elif isinstance(sub, ast.Call):
            out.append(("call", pos(sub.func.lineno, sub.func.col_offset),
                        pos(sub.func.end_lineno, sub.func.end_col_offset), sub.func))
    walk.memo[key] = [(kinds, first, last, values.exact(receiver)) for kinds, first, last, receiver in out]
    return walk.memo[key]


class _Values:
    """Which expressions of one function have a class known exactly."""

    def __init__(self, walk, node, rows, classes, superclasses):
        self.walk = walk
        self.rows = rows
        self.classes = classes  # {(line, col): [call refs there]}
        self.superclasses = superclasses
        self.bindings: dict[str, list] = {}
        self._bind(node)
        self.busy: set[str] = set()

    def _bind(self, node) -> None:
        args = node.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                self.bindings.setdefault(arg.arg, []).append(None)
        assigned = set()  # the Name nodes read as assignments above
        for sub in ast.walk(node):
            if sub is node:
                continue
            if isinstance(sub, ast.Assign):
                for target in sub.targets:
                    if isinstance(target, ast.Name):
                        self.bindings.setdefault(target.id, []).append(sub.value)
                        assigned.add(id(target))
            elif isinstance(sub, ast.AnnAssign) and isinstance(sub.target, ast.Name) and sub.value is not None:
                self.bindings.setdefault(sub.target.id, []).append(sub.value)
                assigned.add(id(sub.target))
        for sub in ast.walk(node):
            if sub is node:
                continue
            name = None
            if isinstance(sub, ast.Name) and not isinstance(sub.ctx, ast.Load):
                if id(sub) in assigned:
                    continue
                name = [sub.id]
            elif isinstance(sub, (ast.Global, ast.Nonlocal)):
                name = list(sub.names)
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = [sub.name]
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                name = [(a.asname or a.name).partition(".")[0] for a in sub.names]
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                name = [sub.name]
            elif isinstance(sub, (ast.MatchAs, ast.MatchStar)) and sub.name:
                name = [sub.name]
            elif isinstance(sub, ast.MatchMapping) and sub.rest:
                name = [sub.rest]
            elif isinstance(sub, ast.arg):
                name = [sub.arg]  # a nested function's or lambda's parameter (same name: not certain)
            for n in name or ():
                self.bindings.setdefault(n, []).extend((None, None))

    def exact(self, expr) -> str | None:
        if isinstance(expr, ast.Call):
            return self._constructed(expr.func)
        if isinstance(expr, ast.Name):
            bound = self.bindings.get(expr.id, ())
            if len(bound) != 1 or bound[0] is None or expr.id in self.busy:
                return None
            self.busy.add(expr.id)
            try:
                return self.exact(bound[0])
            finally:
                self.busy.discard(expr.id)
        return None

    def _constructed(self, func) -> str | None:
        if isinstance(func, ast.Name):
            at = (func.lineno, _utf16(self.rows, func.lineno, func.col_offset))
        elif isinstance(func, ast.Attribute) and func.end_lineno is not None:
            at = (func.end_lineno, _utf16(self.rows, func.end_lineno,
                                          func.end_col_offset - len(func.attr.encode("utf-8"))))
        else:
            return None
        refs = self.classes.get(at, ())
        targets = {ref.target for ref in refs}
        if len(targets) != 1 or any(ref.how in _GUESSES for ref in refs):
            return None
        (cls,) = targets
        sym = self.walk.symbol(cls) if cls else None
        if sym is None or sym.kind != SymbolKind.CLASS or not _makes_its_own(self.walk, cls, self.superclasses):
            return None
        return cls


def _makes_its_own(walk, cls: str, superclasses) -> bool:
    """Calling the class gives an instance of it: every `__new__` in its
    workspace MRO returns `super().__new__(cls)` (or `object.__new__(cls)`)
    where the class calls it, and no workspace metaclass defines
    `__call__`."""
    key = ("exact class", cls)
    if key not in walk.memo:
        mro = [cls, *superclasses(cls)]
        walk.memo[key] = all(_plain_new(walk, f"{c}.__new__", cls.rpartition(".")[2]) for c in mro) \
            and not any(c in _metaclass_made(walk) for c in mro)
    return walk.memo[key]


def _plain_new(walk, qualname: str, called: str) -> bool:
    """`qualname` (a `__new__`) is absent, or each of its returns that can
    run for the class named `called` gives `cls` made by a base's
    `__new__`. A branch `if cls is Other:` (pyparsing's `Literal.__new__`
    picks a faster subclass for `Literal(...)` itself) never runs for
    another class."""
    sym = walk.symbol(qualname)
    if sym is None:
        return True
    node = Guards(walk.graph, walk.memo).node_of(sym)
    if not isinstance(node, ast.FunctionDef) or not node.args.args:
        return False
    first = node.args.args[0].arg
    returns: list = []
    _returns(node.body, first, called, returns)
    return bool(returns) and all(_makes_cls(value, first) for value in returns)


def _returns(body, first: str, called: str, out: list) -> None:
    """The returned values in `body` (nested defs left out) that can run
    for the class `called`: a body under `if <first> is Name:` naming
    another class cannot."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(stmt, ast.Return):
            out.append(stmt.value)
            continue
        if isinstance(stmt, ast.If):
            test = stmt.test
            if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is) \
                    and isinstance(test.left, ast.Name) and test.left.id == first \
                    and isinstance(test.comparators[0], ast.Name) and test.comparators[0].id != called:
                _returns(stmt.orelse, first, called, out)
                continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                for part in inner:
                    if isinstance(part, (ast.excepthandler, ast.match_case)):
                        _returns(part.body, first, called, out)
                _returns([p for p in inner if isinstance(p, ast.stmt)], first, called, out)


def _makes_cls(value, first: str) -> bool:
    """`super().__new__(cls)`, `object.__new__(cls)`: an instance of `cls`."""
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "__new__" \
        and bool(value.args) and isinstance(value.args[0], ast.Name) and value.args[0].id == first \
        and (isinstance(value.func.value, ast.Name)
             or (isinstance(value.func.value, ast.Call) and isinstance(value.func.value.func, ast.Name)
                 and value.func.value.func.id == "super"))


def _metaclass_made(walk) -> set[str]:
    key = ("exact metaclass made",)
    if key not in walk.memo:
        made = set()
        for meta in walk.graph.parents_defining("__call__", (SymbolKind.METHOD, SymbolKind.FUNCTION)):
            made.update(walk.graph.metaclass_users(meta))
        walk.memo[key] = made
    return walk.memo[key]


@lru_cache(maxsize=64)
def _read(path: Path, mtime_ns: int) -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8", errors="replace").split("\n"))


def _rows(path: Path) -> tuple[str, ...] | None:
    try:
        return _read(path, path.stat().st_mtime_ns)
    except OSError:
        return None


def _utf16(rows, line: int, col: int) -> int:
    """ast's UTF-8 byte column on 1-based `line` as a UTF-16 column."""
    if not 0 < line <= len(rows):
        return col
    row = rows[line - 1]
    if row.isascii():
        return col
    return len(row.encode("utf-8")[:col].decode("utf-8", "replace").encode("utf-16-le")) // 2
