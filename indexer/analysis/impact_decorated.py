"""Names a decorator's product holds (issue 12, wrapt): `@deco def f` binds
`f` to what `deco(f)` returns. When `deco` returns an instance of a project
class (a proxy, a descriptor), the interpreter then runs that class's
protocol methods where `f` is used, and no reference says so: the uses name
only `f`, which the index resolves to the def.

    def decorator(wrapper):                    # wrapt.decorator, simplified
        def _build(wrapped, wrapper):
            return FunctionWrapper(wrapped, wrapper)
        return _build(wrapper, _wrapper)

    @decorator
    def passthru(wrapped, instance, args, kwargs): ...   # a FunctionWrapper

    @passthru                                  # runs FunctionWrapper.__call__
    def function(): ...
    class Class:
        @passthru
        def method(self): ...                  # __set_name__ at the class statement
    Class.method                               # runs FunctionWrapper.__get__

The rule, for a change to `C.__call__`, `C.__get__` or `C.__set_name__`:
1. makers: the functions that call C (or a subclass that inherits the
   method), and the functions those makers are local to (a builder closure
   returned through its definer, as `decorator._build`);
2. held names: the symbols decorated by a maker;
3. users: for `__call__`, what calls a held name or decorates with it;
   for `__get__`, what reads a held method as an attribute; for
   `__set_name__`, the class statement that holds a held method.
Linked as dispatch (how "protocol"); the receiver rule then keeps the
tests that can hold the class.

A held name used as a decorator yields what its `__call__` returns, which
the index does not know; CHAINED counts those names as held too (a proxy
class's `__call__` that returns another proxy, as wrapt's decorators do):
an assumption, measured below with and without.

Measured on the eleven evaluated projects at the default depth 8 (default
selection), against the same rules without it (impact_attrhooks on):
wrapt +115 true / +23 false pairs (0.575 / 0.542 -> 0.629 / 0.559), of
which CHAINED brings +33 / +7; boltons +2 / 0; toolz +2 / 0; the other
eight are unchanged.

CALLED_RULE (a decorator applied by a call, `decorator2 =
wrapt.decorator(decorator1)`, then `function2 = decorator2(function1)`)
and EXEC_CALL_RULE (`@decorators.passthru def inner` inside a function,
`passthru` defined by an exec'd literal): wrapt +16 true pairs of
`_FunctionWrapperBase.__call__` (10 and 6), no false one.
BOUND_DECORATOR_RULE (`@instance.decorator def f`, `decorator` a method
held by the descriptor): wrapt +2 true / +2 false pairs. The other 15
projects are unchanged (measured with all 16, default selection).
"""

from __future__ import annotations

import ast

from indexer.analysis.impact_execd import decorated_through_exec
from indexer.graph import python_ast
from indexer.graph.vocab import RefKind, SymbolKind

RULE = True  # switch, for its test
# `C.__call__` where a `__get__` makes the C (wrapt's BoundFunctionWrapper,
# made by `_FunctionWrapperBase.__get__` through `__bound_function_wrapper__`):
# calling a method held by that descriptor's class runs it (`bound_callers`);
# and a call of a held method runs `__get__` as a read of it does.
# Sixteen projects, depth 8, default selection, off in the final code:
# wrapt +37 true / +33 false pairs (0.794 / 0.685 -> 0.811 / 0.681;
# BoundFunctionWrapper.__call__ found 34 of its 50 pairs, 0 before);
# the others identical.
BOUND_RULE = True
# `@instance.method def g` with `method` held by a descriptor class: the
# def statement calls what `__get__` made (a switch, for its test).
BOUND_DECORATOR_RULE = True
CHAINED = True  # a name decorated by a held name is held too
# `__set_name__`: only class statements inside functions. wrapt: -73 false
# pairs, no true pair lost (module-level classes read through an alias,
# `OldClass1d = OldClass1`, were linked at full confidence); the other ten
# projects unchanged.
LOCAL_CLASSES = True
# A decorator applied by a call binds its product as `@` does: `name =
# maker(f)` (a module's or a function's variable, the call its whole value)
# holds what `@maker def name` would, and so does `name = held(f)` (CHAINED).
CALLED_RULE = True
# `@ns.name def g` inside a function, `name` defined by an exec'd literal
# with a maker among its decorators (impact_execd): the def statement calls
# `name`, a held product, so the function that runs it runs its `__call__`.
EXEC_CALL_RULE = True
PROTOCOL = ("__call__", "__get__", "__set_name__")
_NAMES = (SymbolKind.VARIABLE, SymbolKind.CONSTANT)
_FUNCTIONS = (SymbolKind.FUNCTION, SymbolKind.METHOD)


def product_users(walk, method, owner: str, subs: list[str], definers: set[str]) -> list[tuple[str, bool]]:
    """(user, is a class statement) for the users that run `method` (C.__call__/__get__/__set_name__) on a
    decorated name holding an instance of `owner` or of a subclass that
    does not define the method (`definers`: the classes that do)."""
    if not RULE or method.kind != SymbolKind.METHOD or method.name not in PROTOCOL:
        return []
    key = ("decorator products", owner, method.name)
    if key in walk.memo:
        return walk.memo[key]
    graph = walk.graph
    classes = [owner] + [sub for sub in subs if sub not in definers]
    held = held_names(walk, classes)
    users = set()
    names = sorted(held)
    if method.name == "__call__":
        users.update(enclosing for _t, enclosing, *_rest in graph.incoming(names, RefKind.CALL))
        if BOUND_RULE:
            users.update(bound_callers(walk, classes))
        # `@held def g` runs where the def statement runs: g's scope, not g.
        users.update(sym.parent for _t, decorated, *_rest in graph.incoming(names, RefKind.DECORATOR)
                     if (sym := walk.symbol(decorated)) is not None and sym.parent)
        if EXEC_CALL_RULE:
            users.update(sym.parent for decorated in sorted(decorated_through_exec(walk, _makers(walk, classes)))
                         if (sym := walk.symbol(decorated)) is not None and sym.parent and _in_function(walk, decorated))
    elif method.name == "__get__":
        methods = [q for q in names if (sym := walk.symbol(q)) is not None and sym.kind == SymbolKind.METHOD]
        users.update(enclosing for _t, enclosing, *_rest in graph.incoming(methods, RefKind.ATTRIBUTE))
        if BOUND_RULE:  # `obj.method()` reads the method first
            users.update(enclosing for _t, enclosing, *_rest in graph.incoming(methods, RefKind.CALL))
        if BOUND_DECORATOR_RULE:  # and so does `@obj.method def g`, in g's scope
            users.update(sym.parent for _t, decorated, *_rest in graph.incoming(methods, RefKind.DECORATOR)
                         if (sym := walk.symbol(decorated)) is not None and sym.parent)
    else:
        # A class statement at a module's top level runs at import, before
        # any test (LOCAL_CLASSES): only a class a function defines runs
        # `__set_name__` when that function runs.
        users.update(sym.parent for q in names if (sym := walk.symbol(q)) is not None
                     and sym.kind == SymbolKind.METHOD and sym.parent
                     and (not LOCAL_CLASSES or _in_function(walk, sym.parent)))
    # A decoration (or `__set_name__`) in a class body runs in the class
    # statement: the class is defined by it (impact's DEFINE), not used.
    walk.memo[key] = sorted((user, _is_class(walk, user)) for user in users)
    return walk.memo[key]


def _makers(walk, classes: list[str]) -> set[str]:
    """The functions that call one of `classes`, and the functions those are
    local to (a builder closure returned through its definer)."""
    makers = set()
    for _target, enclosing, _kind, _conf, _how in walk.graph.incoming(classes, RefKind.CALL):
        sym = walk.symbol(enclosing)
        while sym is not None and sym.kind in _FUNCTIONS:
            makers.add(sym.qualname)
            sym = walk.symbol(sym.parent) if sym.parent else None  # the definer of a local builder
    return makers


def held_names(walk, classes: list[str]) -> set[str]:
    """The names decorated by a maker of one of `classes` (and, CHAINED, by
    such a name)."""
    key = ("decorator held", tuple(classes))
    if key in walk.memo:
        return walk.memo[key]
    graph = walk.graph
    makers = _makers(walk, classes)
    # (and names decorated by a name an exec'd literal defines with a maker: impact_execd)
    held = _decorated(graph, sorted(makers)) | decorated_through_exec(walk, makers) | _bound_calls(walk, makers)
    frontier = held
    while CHAINED and frontier:
        frontier = (_decorated(graph, sorted(frontier)) | decorated_through_exec(walk, frontier)
                    | _bound_calls(walk, frontier)) - held
        held |= frontier
    walk.memo[key] = held
    return held


def bound_callers(walk, classes: list[str]) -> set[str]:
    """What calls a method held by a descriptor class whose `__get__` makes
    one of `classes` (directly or through a name bound to it): `obj.m(...)`
    reads `m` through `D.__get__`, which returns the bound object, and the
    call runs that object's `__call__`.

        class Descriptor:
            def __get__(self, instance, owner):
                return self.__bound__(self, instance)   # __bound__ = Bound, in a subclass
        class Bound:
            def __call__(self, *args): ...              # the change

        @descriptor_maker
        def method(self): ...                           # held by a Descriptor
        obj.method()                                    # runs Bound.__call__
    """
    from indexer.analysis.impact import _subclasses  # (impact imports this module)
    from indexer.analysis.impact_members import class_aliases

    graph = walk.graph
    named = list(classes) + [alias for cls in classes for alias in class_aliases(graph, walk.memo, cls, walk.symbol)]
    getters = {enclosing for _t, enclosing, *_rest in graph.incoming(named, RefKind.CALL)
               if enclosing.rsplit(".", 1)[-1] == "__get__"}
    users: set[str] = set()
    for getter in sorted(getters):
        sym = walk.symbol(getter)
        owner = walk.symbol(sym.parent) if sym is not None and sym.parent else None
        if owner is None or owner.kind != SymbolKind.CLASS:
            continue
        descriptors = [owner.qualname] + [sub for sub in _subclasses(walk, owner.qualname)
                                          if walk.symbol(f"{sub}.__get__") is None]
        methods = [q for q in sorted(held_names(walk, descriptors))
                   if (held := walk.symbol(q)) is not None and held.kind == SymbolKind.METHOD]
        users.update(enclosing for _t, enclosing, *_rest in graph.incoming(methods, RefKind.CALL))
        if BOUND_DECORATOR_RULE:
            # `@obj.method def g`: the def statement calls the bound object, in g's scope
            users.update(sym.parent for _t, decorated, *_rest in graph.incoming(methods, RefKind.DECORATOR)
                         if (sym := walk.symbol(decorated)) is not None and sym.parent)
    return users


def _in_function(walk, qualname: str) -> bool:
    sym = walk.symbol(qualname)
    parent = walk.symbol(sym.parent) if sym is not None and sym.parent else None
    return parent is not None and parent.kind in _FUNCTIONS


def _is_class(walk, qualname: str) -> bool:
    sym = walk.symbol(qualname)
    return sym is not None and sym.kind == SymbolKind.CLASS


def _decorated(graph, decorators: list[str]) -> set[str]:
    """The symbols decorated by any of `decorators` (a decorator use's
    enclosing symbol is the decorated def)."""
    return {enclosing for _t, enclosing, *_rest in graph.incoming(decorators, RefKind.DECORATOR)} if decorators else set()


def _bound_calls(walk, callees) -> set[str]:
    """The variables whose whole value is a call of one of `callees`
    (`name = callee(f)`, in a module body or a function: CALLED_RULE)."""
    if not CALLED_RULE or not callees:
        return set()
    graph = walk.graph
    out = set()
    for callee, enclosing in sorted({(t, e) for t, e, *_rest in graph.incoming(sorted(callees), RefKind.CALL)}):
        scope = walk.symbol(enclosing)
        if scope is None:
            continue
        names = [m for m in _scope_names(walk, scope) if m.kind in _NAMES]
        if not names:
            continue
        for ref in graph.uses_in(callee, enclosing, (RefKind.CALL,)):
            out.update(m.qualname for m in names if m.path == ref.path
                       and m.range.start.line <= ref.range.start.line <= m.range.end.line
                       and _whole_call(walk, m, ref))
    return out


def _scope_names(walk, scope) -> list:
    # (one memo entry for all scopes: the table starts over past its size)
    table = walk.memo.setdefault(("scope names",), {})
    if scope.qualname not in table:
        table[scope.qualname] = walk.graph.members(scope.qualname)
    return table[scope.qualname]


def _whole_call(walk, name, ref) -> bool:
    """Whether the call at `ref` is the whole value bound to the variable
    `name` (`name = callee(...)`, `a = b = pkg.callee(...)`), in a module
    body or indented in a function."""
    table = walk.memo.setdefault(("called statements",), {})
    key = (name.path, name.range.start.line, name.range.end.line)
    if key not in table:
        end = None
        try:
            with open(walk.graph.root / name.path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").split("\n")
            first = name.range.start.line
            tree = python_ast.parse_at("\n".join(lines[first:name.range.end.line + 1]), first,
                                       name.range.start.character > 0)
        except OSError:
            tree = None
        stmt = tree.body[-1] if tree is not None and tree.body else None
        if stmt is not None and name.range.start.character > 0 and isinstance(stmt, ast.If) and stmt.body:
            stmt = stmt.body[0]  # (parse_at's `if 1:`)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Call):
            end = (stmt.value.func.end_lineno - 1, stmt.value.func.end_col_offset)  # the callee's name token
        table[key] = end
    return table[key] is not None and table[key] == (ref.range.end.line, ref.range.end.character)
