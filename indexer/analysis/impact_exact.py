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
- a method call whose every return is `self`, on an exact receiver
  (`C().leave_whitespace()`);
- `self.x` where the instance attribute x is written once in the
  workspace, as `self.x = <exact value>` in a method of its class, and no
  subclass defines an x (pyparsing's `self.ignorer = Empty()...` in
  `SkipTo.__init__`: `self.ignorer.ignore(e)` never runs `SkipTo.ignore`);
and the class makes its own instances: no `__new__` in its workspace MRO
(pyparsing's `Literal.__new__` returns an Empty or a _SingleCharLiteral)
and no workspace metaclass defining `__call__`. A user whose every use of
the base's method is exact (and whose class is not the override's class or
a subclass of it) is not a dispatch link: the walk does not follow it.

`self`, parameters, attributes, what a function returns, comparisons
(`a < b` may run either side) and augmented assignments keep dispatching.
Query-time only: the stored references are unchanged (call hierarchy and
Find All References show the same uses as before). It reads each dispatch
user's source, so it applies where impact's other source-reading rules do
(`_recall_rules_scale`, up to 600 Python files); its cost on the stdlib
selection bench was not measured.

Default selection, depth 8, against main without the rule (PYTHONHASHSEED
0 and 1 alike: the hash seed moves pyparsing's totals by ~1,800 pairs, not
the difference): pyparsing -5,287 predicted pairs, -66 true (P 0.435 ->
0.447, R 0.815 -> 0.814; "dispatch/dispatch" on the false pairs' chains
25,256 -> 11,041: other chains still reach most of them), tenacity -4
false; the other fourteen identical.
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
_DEPTH = 20  # links followed from a receiver to its constructor call


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
    values = _values(walk, sym, superclasses)
    if values is None:
        return None
    pos = values.pos
    out = []
    for sub in ast.walk(values.node):
        if isinstance(sub, ast.Attribute) and sub.end_lineno is not None:
            at = values.attr_pos(sub)
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


def _values(walk, sym, superclasses):
    """The _Values of a function symbol (None where its source is not read)."""
    key = ("exact values", sym.qualname, sym.selection_range.start.line)
    if key not in walk.memo:
        walk.memo[key] = None
        node = Guards(walk.graph, walk.memo).node_of(sym)
        rows = _rows(Path(walk.graph.root) / sym.path)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and rows is not None:
            refs = {}
            for ref in walk.graph.references_from(sym.qualname):
                refs.setdefault((ref.range.start.line + 1, ref.range.start.character), []).append(ref)
            walk.memo[key] = _Values(walk, node, rows, refs, superclasses)
    return walk.memo[key]


class _Values:
    """Which expressions of one function have a class known exactly."""

    def __init__(self, walk, node, rows, refs, superclasses):
        self.walk = walk
        self.node = node
        self.rows = rows
        self.refs = refs  # {(line, col): [refs there]}
        self.superclasses = superclasses
        self.bindings: dict[str, list] = {}
        self._bind(node)
        self.busy: set[str] = set()
        args = node.args.posonlyargs or node.args.args
        self.first = args[0].arg if args else None

    def pos(self, line: int, col: int) -> tuple[int, int]:
        return line, _utf16(self.rows, line, col)

    def attr_pos(self, attr) -> tuple[int, int]:
        return self.pos(attr.end_lineno, attr.end_col_offset - len(attr.attr.encode("utf-8")))

    def targets_at(self, at, kinds=None) -> set | None:
        """The one-or-more targets of the sure references at `at` (None
        where one is a guess)."""
        refs = [r for r in self.refs.get(at, ()) if kinds is None or r.kind in kinds]
        if any(ref.how in _GUESSES or not ref.target for ref in refs):
            return None
        return {ref.target for ref in refs}

    def _bind(self, node) -> None:
        args = node.args
        own = set()  # the function's own parameters (a nested one's are bindings of the same name too)
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                self.bindings.setdefault(arg.arg, []).append(None)
                own.add(id(arg))
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
            elif isinstance(sub, ast.arg) and id(sub) not in own:
                name = [sub.arg]  # a nested function's or lambda's parameter (same name: not certain)
            for n in name or ():
                self.bindings.setdefault(n, []).extend((None, None))

    def exact(self, expr, depth: int = 0) -> str | None:
        if depth > _DEPTH:
            return None  # (a chain of thousands of calls: not worth a stack)
        if isinstance(expr, ast.Call):
            made = self._constructed(expr.func)
            if made is None and isinstance(expr.func, ast.Attribute):
                made = self._returned_self(expr.func, depth)
            return made
        if isinstance(expr, ast.Name):
            bound = self.bindings.get(expr.id, ())
            if len(bound) != 1 or bound[0] is None or expr.id in self.busy:
                return None
            self.busy.add(expr.id)
            try:
                return self.exact(bound[0], depth + 1)
            finally:
                self.busy.discard(expr.id)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == self.first \
                and expr.end_lineno is not None and len(self.bindings.get(self.first, ())) == 1:
            targets = self.targets_at(self.attr_pos(expr))
            if targets is not None and len(targets) == 1:
                return _attribute_value(self.walk, next(iter(targets)), self.superclasses)
        return None

    def _returned_self(self, func, depth: int) -> str | None:
        """`C().leave_whitespace()`: a method whose every return is `self`,
        called on a receiver of one known class, gives that receiver."""
        targets = self.targets_at(self.attr_pos(func), (RefKind.CALL,))
        if targets is None or len(targets) != 1:
            return None
        cls = self.exact(func.value, depth + 1)
        if cls is None or not _returns_self(self.walk, next(iter(targets))):
            return None
        return cls

    def _constructed(self, func) -> str | None:
        if isinstance(func, ast.Name):
            at = self.pos(func.lineno, func.col_offset)
        elif isinstance(func, ast.Attribute) and func.end_lineno is not None:
            at = self.attr_pos(func)
        else:
            return None
        targets = self.targets_at(at, (RefKind.CALL,))
        if targets is None or len(targets) != 1:
            return None
        (cls,) = targets
        sym = self.walk.symbol(cls)
        if sym is None or sym.kind != SymbolKind.CLASS or not _makes_its_own(self.walk, cls, self.superclasses):
            return None
        return cls


def _returns_self(walk, method: str) -> bool:
    key = ("exact returns self", method)
    if key not in walk.memo:
        walk.memo[key] = False
        sym = walk.symbol(method)
        node = Guards(walk.graph, walk.memo).node_of(sym) if sym is not None and sym.kind == SymbolKind.METHOD \
            else None
        if isinstance(node, ast.FunctionDef) and node.args.args and not node.decorator_list:
            first = node.args.args[0].arg
            returns: list = []
            _returns(node.body, first, "", returns)
            walk.memo[key] = bool(returns) and all(isinstance(v, ast.Name) and v.id == first for v in returns)
    return walk.memo[key]


def _attribute_value(walk, attribute: str, superclasses) -> str | None:
    """The exact class of an instance attribute written once in the
    workspace, as `self.x = <exact value>` in a method of its class, and
    defined by no subclass (`self.ignorer = Empty().leave_whitespace()`)."""
    key = ("exact attribute", attribute)
    if key in walk.memo:
        return walk.memo[key]
    walk.memo[key] = None  # (while it is worked out: a value read from itself is not exact)
    sym = walk.symbol(attribute)
    if sym is None or sym.kind != SymbolKind.ATTRIBUTE or not sym.parent or len(walk.graph.symbols(attribute)) != 1:
        return None
    name = attribute.rpartition(".")[2]
    subs = walk.graph.hierarchy_step([sym.parent], True)
    seen = set(subs)
    while subs:
        if any(walk.symbol(f"{sub}.{name}") is not None for sub in subs):
            return None
        subs = [s for s in walk.graph.hierarchy_step(subs, True) if s not in seen]
        seen.update(subs)
    writes = [r for r in walk.graph.references_of_kinds(attribute, (RefKind.WRITE,))]
    if len(writes) != 1 or not writes[0].enclosing:
        return None
    writer = walk.symbol(writes[0].enclosing)
    if writer is None or writer.kind != SymbolKind.METHOD or writer.parent != sym.parent:
        return None
    values = _values(walk, writer, superclasses)
    if values is None or values.first is None or len(values.bindings.get(values.first, ())) != 1:
        return None
    at = (writes[0].range.start.line + 1, writes[0].range.start.character)
    for sub in ast.walk(values.node):
        if isinstance(sub, ast.Assign) and len(sub.targets) == 1 and isinstance(sub.targets[0], ast.Attribute) \
                and isinstance(sub.targets[0].value, ast.Name) and sub.targets[0].value.id == values.first \
                and sub.targets[0].attr == name and values.attr_pos(sub.targets[0]) == at:
            walk.memo[key] = values.exact(sub.value)
            break
    return walk.memo[key]


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
