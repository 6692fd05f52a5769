"""Identity guards on a parameter: code under `if p is None:` (or `is
Ellipsis`, `is True`, `is False`, `== None`) runs only for the callers that
can pass that constant there (issue 12, pyparsing precision).

    class ParserElement:
        def __call__(self, name=None):
            if name is not None:
                return self._setResultsName(name)
            return self.copy()                  # only `expr()`: name omitted

        def __add__(self, other):
            if other is Ellipsis:
                return _PendingSkip(self)       # only `expr + ...`
            ...

`__call__ -> copy` runs only when `name` is None: a test that writes
`expr("label")` never reaches `copy` through it, `expr()` does (the default
is None). `__add__ -> _PendingSkip` runs only for `expr + ...`: `a + b`
with `b` a local bound to a construction (`b = Word(nums)`) or a string
never passes Ellipsis. A use lies under such a condition in the body of
`if p is C:` (the else of `if p is not C:`), or after an `if` whose body
returns or raises under the opposite test; `p` is a parameter the function
has not rebound before the test. A caller can pass C there with the literal
itself, by omitting an argument whose default is C, or with a value of
unknown origin (a parameter, an attribute, an item, a call of anything but
a class): those keep the link. Operators count: `a + b` passes `b` as
`__add__`'s `other` (`a` as `__radd__`'s), `a(x)` passes `x` as
`__call__`'s first parameter, `C(x)` as `C.__init__`'s.

Like impact_isinstance.infeasible, the walk does not follow a link
`user -> parent` where it entered `parent` under such a guard and no use of
`parent` in `user` can meet it; every link into `parent` from a node no
deeper counts as an entry (`expr("label")` keeps `__call__` when the walk
also entered it from `_setResultsName`, under `name is not None`), and one
without a guard keeps every user. Applied where the guards are
(impact.GUARD_MAX_FILES).

Default selection, depth 8, all sixteen projects, on against off in one
run (python -m evals.impact, load 5-9 on 2 cores): more-itertools 1,243 ->
1,208 predicted pairs (P 0.826 -> 0.850), marshmallow 23,571 -> 23,464
(0.688 -> 0.691), attrs -21, pluggy -3, click -2 predicted, no true pair
lost; pyparsing 201,581 / 87,441 true -> 203,166 / 87,559 (P 0.434 ->
0.431): its per-function changes go both ways (ParseResults.as_dict -348,
the `+`-family targets +116 each) and follow the order the eval runs its
queries in (a query alone gives the same tests on and off for
SkipTo.__init__, _PendingSkip.__init__, ParserElement.copy).
"""

from __future__ import annotations

import ast
import sys

from indexer.analysis import impact_elements, impact_recursed, impact_setfirst
from indexer.analysis.impact_augassign import own_binding
from indexer.analysis.impact_elements import IN, INSTANCE, copied_parameter, instance_atoms, may_hold, \
    membership_atoms, not_singleton
from indexer.graph.python_ast import parameter_defaults
from indexer.graph.vocab import RefKind, SymbolKind

_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)
_NEVER = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
          ast.JoinedStr, ast.Lambda)
# Builtin types whose call makes a new value, never a singleton (bool does).
_BUILTIN_MAKERS = frozenset(("str", "int", "float", "complex", "bytes", "bytearray", "list", "dict", "set",
                             "frozenset", "tuple", "object", "range", "slice", "type", "repr", "len", "sorted"))
_FORWARD = frozenset(("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift", "and",
                      "xor", "or", "lt", "le", "gt", "ge", "eq", "ne"))


def _constant(node: ast.AST):
    """(True, value) for a singleton constant `None`, `...`, `True`, `False`
    (or the name `Ellipsis`); (False, None) otherwise."""
    if isinstance(node, ast.Constant) and (node.value is None or node.value is ... or node.value is True
                                           or node.value is False):
        return True, node.value
    if isinstance(node, ast.Name) and node.id == "Ellipsis":
        return True, ...
    return False, None


def _test_atoms(test: ast.AST) -> list[tuple[str, object, bool]] | None:
    """The (name, constant, whether the name is it) a true `test` implies:
    `p is C` -> [(p, C, True)], `p is not C` -> [(p, C, False)], `a and b`
    both. None: no such atom is implied."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        out = []
        for value in test.values:
            out.extend(_test_atoms(value) or ())
        return out or None
    elements = membership_atoms(test, _constant, False) or instance_atoms(test, False)
    if elements:
        return elements  # `... in p`, `isinstance(p, C)` (impact_elements)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name):
        op = test.ops[0]
        known, value = _constant(test.comparators[0])
        if not known:
            return None
        if isinstance(op, ast.Is) or (isinstance(op, ast.Eq) and value is None):
            return [(test.left.id, value, True)]
        if isinstance(op, ast.IsNot) or (isinstance(op, ast.NotEq) and value is None):
            return [(test.left.id, value, False)]
    return None


def _negated_atoms(test: ast.AST) -> list[tuple[str, object, bool]] | None:
    """The atoms a false `test` implies (`a or b` false: both false)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        out = []
        for value in test.values:
            out.extend(_negated_atoms(value) or ())
        return out or None
    elements = membership_atoms(test, _constant, True) or instance_atoms(test, True)
    if elements:
        return elements  # `... not in p`, `not isinstance(p, C)` (impact_elements)
    atoms = _test_atoms(test) if isinstance(test, ast.Compare) else None
    return [(name, value, not is_it) for name, value, is_it in atoms if is_it in (True, False)] if atoms else None


def _exits(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise))


def _within(node: ast.AST, at: tuple[int, int]) -> bool:
    return (node.lineno, node.col_offset) <= at < (node.end_lineno, node.end_col_offset)


def _block_within(body: list[ast.stmt], at: tuple[int, int]) -> bool:
    return bool(body) and (body[0].lineno, body[0].col_offset) <= at < (body[-1].end_lineno, body[-1].end_col_offset)


def conditions_at(func: ast.AST, at: tuple[int, int]) -> set[tuple[str, object, bool, int]] | None:
    """The identity atoms `(name, constant, is it, line of the test)` the
    code at `at` runs under in `func`'s own body; None: inside a nested
    definition or lambda (runs later, not here)."""
    out: set = set()
    body = func.body
    while body:
        nxt = None
        for stmt in body:
            if not _within(stmt, at):
                if isinstance(stmt, ast.If) and (stmt.end_lineno, stmt.end_col_offset) <= at and _exits(stmt.body) \
                        and not stmt.orelse:
                    out.update(_lined(_negated_atoms(stmt.test), stmt.lineno))
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                return None
            if isinstance(stmt, ast.If):
                if _block_within(stmt.body, at):
                    out.update(_lined(_test_atoms(stmt.test), stmt.lineno))
                    nxt = stmt.body
                elif _block_within(stmt.orelse, at):
                    out.update(_lined(_negated_atoms(stmt.test), stmt.lineno))
                    nxt = stmt.orelse
                else:
                    return _expression_atoms(stmt, at, out)
            else:
                blocks = [getattr(stmt, f, None) for f in ("body", "orelse", "finalbody")] \
                    + [h.body for h in getattr(stmt, "handlers", ())] + [c.body for c in getattr(stmt, "cases", ())]
                nxt = next((b for b in blocks if isinstance(b, list) and b and isinstance(b[0], ast.stmt)
                            and _block_within(b, at)), None)
                if nxt is None:
                    return _expression_atoms(stmt, at, out)
            break
        body = nxt
    return out


def _expression_atoms(stmt: ast.AST, at: tuple[int, int], out: set):
    """Add the atoms of conditional expressions (`x if p is not C else y`)
    around `at` in one statement's expressions."""
    todo = [stmt]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not stmt:
            if _within(node, at):
                return None
            continue
        if isinstance(node, ast.IfExp):
            if _within(node.body, at):
                out.update(_lined(_test_atoms(node.test), node.lineno))
            elif _within(node.orelse, at):
                out.update(_lined(_negated_atoms(node.test), node.lineno))
        todo.extend(c for c in ast.iter_child_nodes(node) if hasattr(c, "end_lineno") and _within(c, at))
    return out


def _lined(atoms, line: int):
    return [(name, value, is_it, line) for name, value, is_it in atoms or ()]


def _stored_before(func: ast.AST, name: str, line: int) -> bool:
    """Whether `name` is bound in `func` above `line`, or in a loop around it."""
    loops = [n for n in ast.walk(func) if isinstance(n, (ast.For, ast.AsyncFor, ast.While))
             and n.lineno <= line <= n.end_lineno]
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            if node.lineno < line or any(loop.lineno <= node.lineno <= loop.end_lineno for loop in loops):
                return True
        elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return True
    return False


def _parameters(func) -> list[str]:
    args = func.args
    return [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]


def _targets(guards, walk, callee: str) -> frozenset[str]:
    """The qualnames whose uses may be the walk's use of `callee`: itself,
    the same method of its class family (the walk's dispatch links), the
    classes of the family for a constructor."""
    key = ("identity targets", callee)
    if key in guards.memo:
        return guards.memo[key]
    sym = walk.symbol(callee)
    out = {callee}
    if sym is not None and sym.kind == SymbolKind.METHOD and sym.parent:
        name = sym.name
        if name in ("__init__", "__new__"):
            out.update(_subclasses(guards, sym.parent))  # constructing a base runs not this
        else:
            out.update(f"{cls}.{name}" for cls in guards._family(sym.parent))
    guards.memo[key] = frozenset(out)
    return guards.memo[key]


def _subclasses(guards, cls: str) -> list[str]:
    seen, level = [cls], [cls]
    while level:
        level = [q for q in guards.graph.hierarchy_step(level, True) if q not in seen]
        seen.extend(level)
    return seen


# Uses that run nothing where they are written (a signature's annotation, an import).
_NOT_RUN = frozenset((RefKind.ANNOTATION, RefKind.IMPORT))


def _refs_from(guards, user: str) -> list:
    key = ("identity refs from", user)
    if key not in guards.memo:
        guards.memo[key] = [r for r in guards.graph.references_from(user) if r.target and r.kind not in _NOT_RUN]
    return guards.memo[key]


def _uses_in(guards, walk, callee: str, user: str) -> list:
    """Refs in `user` that may be the walk's use of `callee` (`_targets`)."""
    targets = _targets(guards, walk, callee)
    return [ref for ref in _refs_from(guards, user) if ref.target in targets]


def guard_of(guards, walk, callee: str, parent: str):
    """The identity atoms `(param, constant, is it)` some use of `callee`
    in `parent` runs under, one frozenset per use (None: a use under none,
    or no use found: no guard)."""
    key = ("identity guard", callee, parent)
    if key in guards.memo:
        return guards.memo[key]
    out = None
    sym = walk.symbol(parent)
    if sym is not None and sym.kind in _CALLABLE:
        refs = _uses_in(guards, walk, callee, parent)
        func = guards.node_of(sym) if refs else None
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            params = set(_parameters(func))
            found = []
            for ref in refs:
                at = (ref.range.start.line + 1, ref.range.start.character)
                atoms = frozenset(_guard_atoms(func, conditions_at(func, at), params))
                if not atoms:
                    found = None
                    break
                found.append(atoms)
            out = tuple(found) if found else None
    guards.memo[key] = out
    return out


def _guard_atoms(func, atoms, params):
    """The atoms on the function's own parameters (a membership test may
    read a local copied from one: impact_elements)."""
    for name, value, is_it, line in atoms or ():
        if value is INSTANCE:
            continue  # narrows what a name holds; no caller passes it
        if name in params and not _stored_before(func, name, line):
            yield name, value, is_it
        elif is_it == IN and (source := copied_parameter(func, name, line, params)) is not None:
            yield source, value, is_it


# -- what a caller can pass ----------------------------------------------------

def _may_be(guards, value: ast.AST, const, where, seen: frozenset = frozenset()) -> bool:
    """Whether `value` may be the singleton `const` (True where unsure)."""
    known, literal = _constant(value)
    if known:
        return literal is const
    if isinstance(value, (ast.Constant,) + _NEVER):
        return False
    if isinstance(value, (ast.BinOp, ast.UnaryOp)) and not isinstance(getattr(value, "op", None), ast.Not):
        return False  # an operator makes a value (a dunder that returns a singleton: not seen)
    if isinstance(value, (ast.Compare, ast.UnaryOp)):
        return isinstance(const, bool)
    if isinstance(value, ast.BoolOp):
        return any(_may_be(guards, v, const, where, seen) for v in value.values)
    if isinstance(value, ast.IfExp):
        return _may_be(guards, value.body, const, where, seen) or _may_be(guards, value.orelse, const, where, seen)
    if isinstance(value, ast.NamedExpr):
        return _may_be(guards, value.value, const, where, seen)
    if isinstance(value, ast.Call):
        if const is ... and impact_elements.CALLS_RULE:
            return False  # no call returns an Ellipsis (impact_elements)
        return not (isinstance(const, type(None)) or const is ...) or not _makes_instance(guards, value, where)
    if isinstance(value, ast.Name):
        func, line = where[0], where[1]
        if func is not None and not_singleton(func, value.id, const, (line, where[3]), conditions_at):
            return False  # `self`, or narrowed at the call (impact_elements)
        if func is None or value.id in seen or value.id in _parameters(func) \
                or func.args.vararg and func.args.vararg.arg == value.id \
                or func.args.kwarg and func.args.kwarg.arg == value.id:
            return True
        from indexer.analysis.impact_isinstance import _bindings

        sources = _bindings(func, value.id, line)
        if not sources:
            return True  # a global, a closure's variable, or bound in a way not followed
        return any(looped or _may_be(guards, source, const, where, seen | {value.id}) for source, looped in sources
                   if not own_binding(source, value.id))  # `x += v`: an operator's result (impact_augassign)
    return True  # an attribute, an item, a starred value...


def _may_hold(guards, value: ast.AST, const, where) -> bool:
    """Whether the iterable `value` may hold `const` (impact_elements)."""
    func, line = where[0], where[1]
    from indexer.analysis.impact_isinstance import _bindings

    def bindings(name):
        if func is None or name in _parameters(func) or func.args.vararg and func.args.vararg.arg == name \
                or func.args.kwarg and func.args.kwarg.arg == name:
            return None
        return _bindings(func, name, line)

    return may_hold(value, const, lambda node: _may_be(guards, node, const, where), bindings)


def _makes_instance(guards, call: ast.Call, where) -> bool:
    """Whether the call constructs a class: a builtin type's name, or a
    callee the index resolves to a workspace class at that position."""
    func = call.func
    if isinstance(func, ast.Name) and func.id in _BUILTIN_MAKERS:
        return True
    refs = where[2]
    end = (func.end_lineno, func.end_col_offset)
    start = (func.lineno, func.col_offset)
    for ref in refs:
        at = (ref.range.start.line + 1, ref.range.start.character)
        if start <= at < end and at >= _last_name_start(func):
            target = guards.graph.symbol(ref.target)
            if target is not None and target.kind == SymbolKind.CLASS:
                return True
    return False


def _last_name_start(func: ast.AST) -> tuple[int, int]:
    """Where the callee's last name starts (`pp.Word` -> `Word`)."""
    if isinstance(func, ast.Attribute):
        return (func.end_lineno, func.end_col_offset - len(func.attr))
    return (func.lineno, func.col_offset)


def _site(source, ref, parent_sym, parent_func) -> dict | None:
    """{param: value node} a use passes; None where it may pass anything."""
    at = (ref.range.start.line + 1, ref.range.start.character)
    name = parent_sym.name
    positional = [a.arg for a in parent_func.args.posonlyargs + parent_func.args.args]
    bound = parent_sym.kind == SymbolKind.METHOD and "staticmethod" not in parent_sym.flags
    if name.startswith("__") and name.endswith("__") and len(positional) == 2:
        core = name[2:-2]
        operands = _operands_at(source, at)
        if operands is not None:
            left, right = operands
            if core in _FORWARD or (core.startswith("i") and core[1:] in _FORWARD):
                return {positional[1]: right}
            if core.startswith("r") and core[1:] in _FORWARD:
                return {positional[1]: left}
    call = _call_of(source, at)
    if call is None or any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    if bound and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) \
            and call.func.value.id[:1].isupper() and name not in ("__init__", "__new__"):
        return None  # `Cls.method(obj, x)`: self may be passed explicitly
    shift = 1 if bound and positional else 0
    given = {positional[i + shift]: a for i, a in enumerate(call.args) if i + shift < len(positional)}
    if len(call.args) + shift > len(positional) and parent_func.args.vararg is None:
        return None
    given.update({k.arg: k.value for k in call.keywords})
    return given


def _operands_at(source, at):
    """(left, right) of the binary operator, comparison or augmented
    assignment whose operator sits at `at`."""
    for node in _operators_on(source, at[0]):
        if isinstance(node, ast.BinOp):
            pairs = [(node.left, node.right)]
        elif isinstance(node, ast.AugAssign):
            pairs = [(node.target, node.value)]
        else:
            values = [node.left] + node.comparators
            pairs = list(zip(values, values[1:]))
        for left, right in pairs:
            if (left.end_lineno, left.end_col_offset) <= at < (right.lineno, right.col_offset):
                return left, right
    return None


def _operators_on(source, line: int) -> list:
    """The binary operators, comparisons and augmented assignments whose
    span holds `line` (one walk a parsed file, kept beside it)."""
    table = _OPERATORS.get(id(source))
    if table is None or table[0] is not source:
        rows: dict[int, list] = {}
        for node in ast.walk(source.tree) if source.tree is not None else ():
            if isinstance(node, (ast.BinOp, ast.AugAssign, ast.Compare)):
                for number in range(node.lineno, node.end_lineno + 1):
                    rows.setdefault(number, []).append(node)
        if len(_OPERATORS) > 64:
            _OPERATORS.clear()
        table = _OPERATORS[id(source)] = (source, rows)
    return table[1].get(line, [])


# id(parsed file) -> (the file, its operators by line): as impact_guards' parse cache, a bounded one.
_OPERATORS: dict[int, tuple] = {}


def _call_of(source, at):
    """The call whose callee holds `at` (or ends there: `f(x)(y)`'s `(`),
    the one with the smallest callee."""
    best = None
    for node in source.calls_on(at[0]):
        func = node.func
        if (func.lineno, func.col_offset) <= at <= (func.end_lineno, func.end_col_offset):
            size = ((func.end_lineno - func.lineno), func.end_col_offset - func.col_offset)
            if best is None or size < best[0]:
                best = (size, node)
    return best[1] if best is not None else None


def _user_scope(guards, user: str):
    """(function node or None, its refs) of the user."""
    sym = guards.graph.symbol(user)
    func = guards.node_of(sym) if sym is not None and sym.kind in _CALLABLE else None
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        func = None
    return func, _refs_from(guards, user)


def can_satisfy(guards, walk, parent: str, user: str, guard) -> bool:
    """Whether some use of `parent` in `user` may pass values meeting one
    of the guard's alternatives (True where unsure)."""
    key = ("identity feasible", parent, user, guard)
    if key in guards.memo:
        return guards.memo[key]
    out = _can_satisfy(guards, walk, parent, user, guard)
    guards.memo[key] = out
    return out


def _can_satisfy(guards, walk, parent: str, user: str, guard, refs=None) -> bool:
    """(`refs`: the uses to read, where not the user's recorded uses of
    `parent`: impact_recursed's operator sites)"""
    parent_sym = walk.symbol(parent)
    parent_func = guards.node_of(parent_sym) if parent_sym is not None else None
    if not isinstance(parent_func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return True
    refs = _uses_in(guards, walk, parent, user) if refs is None else refs
    if not refs:
        return True
    func, user_refs = _user_scope(guards, user)
    defaults = parameter_defaults(parent_func)
    for ref in refs:
        source = guards.source(ref.path)
        given = _site(source, ref, parent_sym, parent_func)
        if given is None:
            return True
        where = (func, ref.range.start.line + 1, user_refs, ref.range.start.character)
        for atoms in guard:
            ok = True
            for name, const, is_it in atoms:
                value = given.get(name)
                if is_it == IN:
                    # `C in p`: the iterable passed (not passed: its default, not followed).
                    if value is not None and not _may_hold(guards, value, const, where):
                        ok = False
                        break
                    continue
                if value is None:
                    value = defaults.get(name)
                    if value is None:
                        continue  # not passed and no default: a call that fails, or `**kw`
                    if not (isinstance(value, ast.Constant) or _constant(value)[0]):
                        continue  # a default not known
                    known, literal = _constant(value)
                    holds = known and literal is const
                    if holds != is_it:
                        ok = False
                        break
                    continue
                if is_it:
                    if not _may_be(guards, value, const, where):
                        ok = False
                        break
                elif _constant(value)[0] and _constant(value)[1] is const:
                    ok = False
                    break
            if ok:
                return True
    return False


def drop_infeasible(guards, walk, level_edges: dict) -> dict:
    """One walk level's links `{node: [(user, kind, conf, node, how)]}`
    without those that continue a chain which entered `node` under an
    identity guard no use of `node` in the user can meet. Every link into
    `node` from a node no deeper (earlier levels' and this level's) counts
    as an entry: the user keeps the link where any entry's guard is
    absent or one of its uses can meet it (`_setResultsName -> __call__`
    under `name is not None` keeps `expr("label")` though the walk entered
    `__call__` from `copy`)."""
    into: dict[str, set[str]] = {}
    for callee, user, _kind in walk.edges:
        into.setdefault(user, set()).add(callee)
    for node, edges in level_edges.items():
        for user, *_rest in edges:
            into.setdefault(user, set()).add(node)
    out = {}
    for node, edges in level_edges.items():
        entries = _entries(guards, walk, node, into)
        if entries is None or not edges:
            out[node] = edges
            continue
        out[node] = [e for e in edges if any(can_satisfy(guards, walk, node, e[0], guard) for guard in entries)]
    return out


def _entries(guards, walk, node: str, into: dict) -> list | None:
    """The guards of the links that entered `node` from nodes no deeper
    than it (None: one has none, or the walk started at `node`)."""
    reach = walk.reach.get(node)
    if reach is None or reach.parent is None:
        return None
    callees = {reach.parent} | {c for c in into.get(node, ()) if c in walk.reach
                                and walk.reach[c].depth <= reach.depth}
    out = []
    for callee in sorted(callees - {node}):
        guard = guard_of(guards, walk, callee, node)
        if guard is None:
            # An attribute the chain needs, set from a parameter first (impact_setfirst).
            guard = impact_setfirst.guard(guards, walk, callee, node, into)
        if guard is None:
            return None
        out.append(guard)
    if node in callees and impact_recursed.own_entry_counts(sys.modules[__name__], guards, walk, node, out, into):
        # Recursion that may carry the guarded value on (impact_recursed).
        guard = guard_of(guards, walk, node, node)
        if guard is None:
            return None
        out.append(guard)
    return out
