"""Code under `isinstance(x, C)` runs only in a test that holds a C
(issue 12, pyparsing: which tests hold which classes).

    class Suppress(TokenConverter):
        def __add__(self, other):
            if isinstance(self.expr, _PendingSkip):      # only `Suppress(...)`
                return Suppress(SkipTo(other)) + other   # makes a SkipTo
            return super().__add__(other)

impact_isinstance discharges such a guard on a parameter (`isinstance(p,
C)`) where a caller passes a C. Any other subject (`self.expr`,
`e.exprs[-1]`, `any(isinstance(e, C) for e in self.exprs)`) is read from
something the test built: whatever the subject, the test must hold a C (or
an instance of a subclass), that is be one of C's holders (impact's
receiver walk of the class, `class_holders`). The link carries the token
`HOLDS + C` (impact_guards.requirements); a test reached only through
chains whose tokens it does not hold is listed, ruled out.

RULE: the positive branch of an `if` (or a conditional expression) whose
test is such an `isinstance` (alone, in an `and`, or in `any(...)` over a
generator), naming one workspace class (not a tuple of them, nor a builtin;
resolved through the user's own references to that name).

Finds (evals.impact --depths 8 --no-hybrid, default selection, cache of
/tmp/cache-mg; main d17eebb vs main + impact_declared + impact_heldself, then
this on top; load about 10 on 2 cores): voluptuous 0.880/0.610 -> same ->
0.880/0.680 (2,581 -> 2,315 predicted, true unchanged); packaging
0.869/0.633 -> 0.868/0.639 -> 0.865/0.640 (-9 true: `canonicalize_name`
under `isinstance(lhs, Variable)`, whose holders' walk misses a few tests);
click 29,778 -> 29,773 -> 29,763 predicted (true unchanged); pyparsing about
unchanged (189,576 -> 189,594 predicted): its `isinstance(self.expr,
_PendingSkip)` guards wait on _PendingSkip's own holders, which the
`other is Ellipsis` branches still give to about 1,340 tests. The other
eleven identical. CPU: user time of the all-15 run 81 s -> 83 s.
"""

from __future__ import annotations

import ast

from indexer.graph.python_ast import tests_around
from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
HOLDS = "$holds:"
_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)
_CONSTRUCTORS = ("__init__", "__new__", "__post_init__")


def holds_guard(guards, callee: str, user: str) -> frozenset[str]:
    """`HOLDS + C` for each class C that every use of `callee` in `user`
    requires a held instance of (`if isinstance(x, C):`)."""
    if not RULE:
        return frozenset()
    key = ("holds guard", callee, user)
    if key in guards.memo:
        return guards.memo[key]
    out: frozenset[str] = frozenset()
    lines = [ref.range.start.line + 1 for ref in guards._uses(callee) if ref.enclosing == user]
    owner, _, name = callee.rpartition(".")
    if not lines and name in _CONSTRUCTORS:
        # A constructor link (`Skip.__init__ <- user`): the user's uses of its class.
        lines = [ref.range.start.line + 1 for ref in guards._uses(owner) if ref.enclosing == user]
    sym = next((s for s in guards.graph.symbols(user) if lines and s.kind in _CALLABLE
                and all(s.range.start.line < line <= s.range.end.line + 1 for line in lines)), None)
    func = guards.node_of(sym) if sym is not None else None
    if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) and _mentions_isinstance(func):
        needed = None
        for line in lines:
            found = _required(func.body, line)
            needed = found if needed is None else needed & found
            if not needed:
                break
        out = frozenset(HOLDS + q for name in needed or () if (q := _class_named(guards, sym, name)))
    guards.memo[key] = out
    return out


def _mentions_isinstance(func) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "isinstance"
               for n in ast.walk(func))


def _classes_tested(test: ast.AST) -> set[str]:
    """The class names that `test` being true requires an instance of."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return set().union(*(_classes_tested(v) for v in test.values))
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name):
        if test.func.id == "isinstance" and len(test.args) == 2:
            kind = test.args[1]
            if isinstance(kind, ast.Name):
                return {kind.id}
            if isinstance(kind, ast.Attribute):
                return {kind.attr}
            return set()
        if test.func.id == "any" and len(test.args) == 1 and isinstance(test.args[0], ast.GeneratorExp):
            return _classes_tested(test.args[0].elt)
    return set()


def _required(body: list[ast.stmt], line: int) -> set[str]:
    """The class names whose `isinstance` tests guard the statement at `line`
    (`if` statements and conditional expressions around it)."""
    return set().union(*(_classes_tested(test) for test in tests_around(body, line, conditional=True)))


def _class_named(guards, user, name: str) -> str | None:
    """The workspace class `name` refers to in `user` (its resolved uses of
    that name), or None (unresolved, several, or not a class)."""
    key = ("holds class", user.qualname, name)
    if key not in guards.memo:
        targets = {ref.target for ref in guards.graph.references_from(user.qualname)
                   if ref.target and ref.name.rpartition(".")[2] == name}
        found = None
        if len(targets) == 1:
            sym = guards.graph.symbol(next(iter(targets)))
            found = sym.qualname if sym is not None and sym.kind == SymbolKind.CLASS else None
        guards.memo[key] = found
    return guards.memo[key]


def reduced(requirement, holds):
    """The requirement with each `HOLDS` token the test holds discharged
    (`holds(class) -> bool`) and each alternative needing one it does not
    hold dropped; None: no alternative is left (the test is ruled out)."""
    if not requirement or not any(t.startswith(HOLDS) for a in requirement for t in a):
        return requirement
    out = set()
    for alternative in requirement:
        tokens = {t for t in alternative if t.startswith(HOLDS)}
        if all(holds(t[len(HOLDS):]) for t in tokens):
            out.add(frozenset(alternative - tokens))
    return frozenset(out) if out else None
