"""Guards on a parameter's class: code under `isinstance(param, C)` runs
only for the callers that pass a C there (impact_guards, extended).

    class Context:
        def invoke(self, callback, *args, **kwargs):
            if isinstance(callback, Command):     # a command: fill in its defaults
                for param in callback.params:
                    kwargs[param.name] = param.type_cast_value(...)
            return callback(*args, **kwargs)

    class Command:
        def __init__(self, name, callback: Optional[Callable[..., Any]] = None):
            self.callback = callback
        def invoke(self, ctx):
            return ctx.invoke(self.callback, **ctx.params)   # a function, never a Command

`Context.invoke -> type_cast_value` sits under `isinstance(callback,
Command)`: the edge carries the token of that parameter (`TOKEN` +
name). A caller discharges it where it may pass a C at that position:
anything but a value known to be no instance of a workspace class (a
literal, a lambda, a function defined with `def`, or `self.attr` that
every `__init__` of the class family sets from a parameter annotated
`Callable[...]`). A test reached only through callers that never pass one
is ruled out (no test gives the token: impact_guards.Guards.rules_out);
another chain that needs nothing keeps it.
"""

from __future__ import annotations

import ast
import builtins
import collections.abc
import numbers
import typing

from indexer.graph.python_ast import tests_around
from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
TOKEN = "$isinstance:"
_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)
# Expressions whose value is never an instance of a workspace class.
_NOT_INSTANCES = (ast.Lambda, ast.Constant, ast.JoinedStr, ast.List, ast.Tuple, ast.Dict, ast.Set,
                  ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _guarded_definition(guards, callee: str, user: str):
    """(the function node of `user`, the lines of its uses of `callee`) when
    those uses sit under an `isinstance` test; (None, lines) otherwise."""
    lines = [ref.range.start.line + 1 for ref in guards._uses(callee) if ref.enclosing == user]
    # The definition holding the uses (`@overload` stubs share its name).
    sym = next((s for s in guards.graph.symbols(user) if lines and s.kind in _CALLABLE
                and all(s.range.start.line < line <= s.range.end.line + 1 for line in lines)), None)
    if sym is None or not _under_isinstance(guards, sym, lines):
        return None, lines
    func = guards.node_of(sym)
    return (func if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) else None), lines


def isinstance_guard(guards, callee: str, user: str) -> frozenset[str]:
    """The tokens of `user`'s parameters that every use of `callee` in it
    requires to be an instance of a class (`if isinstance(p, C):`)."""
    if not RULE:
        return frozenset()
    key = ("isinstance guard", callee, user)
    if key in guards.memo:
        return guards.memo[key]
    out: frozenset[str] = frozenset()
    func, lines = _guarded_definition(guards, callee, user)
    if func is not None:
        from indexer.analysis.impact_guards import _attributes_required  # (impact_guards imports this)

        env = {("isinstance", name): TOKEN + name for name in _parameters(func)}
        needed = None
        for line in lines:
            found = {t for t in _attributes_required(func.body, line, env) if t.startswith(TOKEN)}
            needed = found if needed is None else needed & found
        out = frozenset(t for t in needed or () if _workspace_classes(func, t[len(TOKEN):]))
    guards.memo[key] = out
    return out


# Names whose instances a literal, a lambda or a function may be (a list is
# an Iterable): an isinstance on them is no token.
_NOT_WORKSPACE = frozenset(dir(builtins)) | frozenset(collections.abc.__all__) | frozenset(typing.__all__) \
    | frozenset(numbers.__all__) | frozenset(("FunctionType", "LambdaType", "MethodType", "BuiltinFunctionType"))


def _workspace_classes(func: ast.FunctionDef, name: str) -> bool:
    """Whether every `isinstance(name, T)` in the function names only
    classes that no literal or function can be an instance of."""
    found = False
    for node in ast.walk(func):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance" \
                and len(node.args) == 2 and isinstance(node.args[0], ast.Name) and node.args[0].id == name:
            kinds = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else [node.args[1]]
            for kind in kinds:
                if not isinstance(kind, (ast.Name, ast.Attribute)) or ast.unparse(kind).rpartition(".")[2] \
                        in _NOT_WORKSPACE:
                    return False
            found = True
    return found


def _under_isinstance(guards, sym, lines: list[int]) -> bool:
    """Whether every line lies in a region stored at index time
    (languages/python/guard_facts.py) under an `isinstance(name, T)`: else
    the source is not parsed."""
    regions = guards.regions(sym)
    return all(any(first <= line <= last and any(kind == "isinstance" for kind, _name in atoms)
                   for first, last, atoms in regions) for line in lines)


def _parameters(func: ast.FunctionDef) -> list[str]:
    args = func.args
    return [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]


def isinstance_passed(guards, callee: str, user: str) -> frozenset[str]:
    """The tokens of `callee`'s parameters at which `user` may pass an
    instance of a class (every one, where it is not sure)."""
    if not RULE:
        return frozenset()
    key = ("isinstance passed", callee, user)
    if key in guards.memo:
        return guards.memo[key]
    # The implementation, not an `@overload` stub (the last definition of the name).
    sym = max((s for s in guards.graph.symbols(callee) if s.kind in _CALLABLE),
              key=lambda s: s.range.start.line, default=None)
    func = guards.node_of(sym) if sym is not None else None
    out: set[str] = set()
    if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        from indexer.analysis.impact_params import _call_at

        names = _parameters(func)
        positional = [a.arg for a in func.args.posonlyargs + func.args.args]
        defaults = _defaults(func)
        bound = sym.kind == SymbolKind.METHOD and "staticmethod" not in sym.flags and positional
        user_sym = guards.graph.symbol(user)
        for ref in guards._uses(callee):
            if ref.enclosing != user:
                continue
            call = _call_at(guards, ref)
            at = (ref.range.start.line + 1, ref.range.start.character)
            if call is None or not ((call.func.lineno, call.func.col_offset) <= at
                                    <= (call.func.end_lineno, call.func.end_col_offset)) \
                    or any(isinstance(a, ast.Starred) for a in call.args):
                out.update(TOKEN + n for n in names)  # not its own call, or `*args`: anything
                continue
            shift = 1 if bound and isinstance(call.func, ast.Attribute) else 0
            given = {positional[i + shift]: a for i, a in enumerate(call.args) if i + shift < len(positional)}
            given.update({k.arg: k.value for k in call.keywords if k.arg})
            spread = any(k.arg is None for k in call.keywords)
            for name in names:
                value = given.get(name)
                if value is None:
                    if spread or not isinstance(defaults.get(name), ast.Constant):
                        out.add(TOKEN + name)  # `**options`, or a default that may be one
                elif not _no_instance(guards, value, user_sym):
                    out.add(TOKEN + name)
    guards.memo[key] = frozenset(out)
    return guards.memo[key]


def _defaults(func: ast.FunctionDef) -> dict[str, ast.AST]:
    args = func.args
    positional = args.posonlyargs + args.args
    out = {a.arg: d for a, d in zip(positional[len(positional) - len(args.defaults):], args.defaults)}
    out.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    return out


def _no_instance(guards, value: ast.AST, user) -> bool:
    """Whether the value passed is known to be no instance of a workspace class."""
    if isinstance(value, _NOT_INSTANCES):
        return True
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id == "self":
        # `self` of the method, or of the method a closure sits in.
        while user is not None and user.kind == SymbolKind.FUNCTION and user.parent:
            user = guards.graph.symbol(user.parent)
        if user is not None and user.kind == SymbolKind.METHOD and user.parent:
            return _callable_attribute(guards, user.parent, value.attr)
    return False


def _callable_attribute(guards, cls: str, attr: str) -> bool:
    """Whether every `__init__` of the class family that sets `self.attr`
    sets it from its own parameter annotated `Callable[...]` (a function)."""
    key = ("isinstance callable attr", cls, attr)
    if key in guards.memo:
        return guards.memo[key]
    found = False
    ok = True
    for owner in guards._family(cls):
        init = guards.graph.symbol(f"{owner}.__init__")
        node = guards.node_of(init) if init is not None else None
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        annotations = {a.arg: ast.unparse(a.annotation) for a in node.args.posonlyargs + node.args.args
                       + node.args.kwonlyargs if a.annotation is not None}
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                if not any(isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
                           and t.attr == attr for t in targets):
                    continue
                found = True
                value = sub.value
                if not (isinstance(sub, ast.Assign) and isinstance(value, ast.Name)
                        and "Callable" in annotations.get(value.id, "")):
                    ok = False
    guards.memo[key] = found and ok
    return guards.memo[key]


def infeasible(guards, walk, parent: str, user: str) -> bool:
    """Whether the walk's link `user -> parent` continues a chain that entered
    `parent` under `isinstance(p, C)` where `user` never passes a C at `p`
    (the walk then does not follow it: another chain may reach `user`). A
    link into `parent` from a node no deeper that needs no such token keeps it."""
    if not RULE:
        return False
    reach = walk.reach.get(parent)
    if reach is None or reach.parent is None:
        return False
    tokens = isinstance_guard(guards, reach.parent, parent)
    if not tokens or tokens <= isinstance_passed(guards, parent, user):
        return False
    for callee, other, _kind in walk.edges:
        if other == parent and callee != reach.parent and callee in walk.reach \
                and walk.reach[callee].depth < reach.depth and not isinstance_guard(guards, callee, parent):
            return False
    return True


# -- guards on a builtin container type ---------------------------------------
#
#     class Schema:
#         def _compile(self, schema):
#             if isinstance(schema, list):
#                 return self._compile_list(schema)
#
# `_compile -> _compile_list` runs only for a list there. The value a test
# hands in is a list only if some code made one: a display (`[...]`, a
# comprehension) or a constructor call (`list(...)`). A test whose own
# code (what `Guards.given` reads: its body, its class, its file's module
# level, what it calls directly) makes no list, and whose chain passes no
# list display at a call on the way, does not run the branch. The edge
# carries `DISPLAY` + the sorted type names of the isinstance (`list|tuple`
# for `isinstance(x, (list, tuple))`: either gives it).

# On (depth 8): voluptuous 0.880 / 0.511 -> 0.880 / 0.610, the other fifteen
# unchanged but for a few false pairs less. Its click figure (0.918 / 0.598,
# more tests, not fewer) was `Guards.node_of` keyed by qualname: the extra
# reads of the tests' callees parsed an `@overload` stub of `Context.invoke`
# first, and the isinstance guard then read the stub's empty body. Its
# packaging loss (two true pairs) was a list the parser made, handed on in
# `self._markers` (MADE_ELSEWHERE_RULE below).
BUILTIN_RULE = True  # switch, for its test
DISPLAY = TOKEN + "="  # no parameter has this name: never an `isinstance_passed` token
_CONTAINERS = ("dict", "frozenset", "list", "set", "tuple")
_DISPLAYS = ((ast.List, "list"), (ast.ListComp, "list"), (ast.Set, "set"), (ast.SetComp, "set"),
             (ast.Dict, "dict"), (ast.DictComp, "dict"))


def builtin_guard(guards, callee: str, user: str) -> frozenset[str]:
    """The display tokens that every use of `callee` in `user` requires:
    it sits under `if isinstance(p, T)` with p a parameter and T builtin
    container types only."""
    if not BUILTIN_RULE:
        return frozenset()
    key = ("builtin guard", callee, user)
    if key in guards.memo:
        return guards.memo[key]
    out: frozenset[str] = frozenset()
    func, lines = _guarded_definition(guards, callee, user)
    if func is not None:
        params = set(_parameters(func))
        needed = None
        for line in lines:
            found = _container_tests(func.body, line, params)
            needed = found if needed is None else needed & found
        out = frozenset(needed or ())
    guards.memo[key] = out
    return out


def _container_tests(body: list[ast.stmt], line: int, params: set[str]) -> set[str]:
    """Display tokens of the `if` tests the statement at `line` runs under."""
    return set().union(*(_container_test(test, params) for test in tests_around(body, line)))


def _container_test(test: ast.AST, params: set[str]) -> set[str]:
    """`isinstance(p, (list, tuple))` (or a conjunction holding one): its token."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return set().union(*(_container_test(v, params) for v in test.values))
    if not (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance"
            and len(test.args) == 2 and isinstance(test.args[0], ast.Name) and test.args[0].id in params):
        return set()
    kinds = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
    if not kinds or not all(isinstance(k, ast.Name) and k.id in _CONTAINERS for k in kinds):
        return set()
    return {DISPLAY + "|".join(sorted({k.id for k in kinds}))}


def _display_types(node: ast.AST) -> set[str]:
    """The builtin container types a subtree makes: displays, comprehensions,
    constructor calls (`tuple(...)`); a tuple display only where it is a value
    (not an unpacking target)."""
    out: set[str] = set()
    for sub in ast.walk(node):
        for kind, name in _DISPLAYS:
            if isinstance(sub, kind):
                out.add(name)
        if isinstance(sub, ast.Tuple) and isinstance(sub.ctx, ast.Load):
            out.add("tuple")
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in _CONTAINERS:
            out.add(sub.func.id)
    return out


def _tokens_of(types: set[str]) -> set[str]:
    """Every display token that one of the types gives."""
    if not types:
        return set()
    out = set()
    for mask in range(1, 1 << len(_CONTAINERS)):
        group = [name for i, name in enumerate(_CONTAINERS) if mask >> i & 1]
        if types.intersection(group):
            out.add(DISPLAY + "|".join(group))
    return out


def display_tokens(node: ast.AST) -> frozenset[str]:
    """The display tokens a subtree gives (`Guards.given`)."""
    if not BUILTIN_RULE:
        return frozenset()
    return frozenset(_tokens_of(_display_types(node)))


def display_passed(guards, callee: str, user: str) -> frozenset[str]:
    """The display tokens `user` discharges where it calls `callee` with a
    container display or constructor as an argument (library code that
    builds the list itself), and every one where an argument may hold a
    container that library code made elsewhere (`self._markers`, a call's
    result: `_format_marker(self._markers)` formats the list the parser
    built)."""
    if not BUILTIN_RULE:
        return frozenset()
    key = ("builtin passed", callee, user)
    if key in guards.memo:
        return guards.memo[key]
    from indexer.analysis.impact_params import _call_at

    types: set[str] = set()
    for ref in guards._uses(callee):
        if ref.enclosing != user:
            continue
        call = _call_at(guards, ref)
        at = (ref.range.start.line + 1, ref.range.start.character)
        if call is None or not ((call.func.lineno, call.func.col_offset) <= at
                                <= (call.func.end_lineno, call.func.end_col_offset)):
            # Not its own call: handed on (`return validate_set`, a callback),
            # or an argument of another call. What its caller passes is not
            # read (a gap: `map(self._compile, self.items)` gives nothing).
            if call is not None:
                for arg in [*call.args, *(k.value for k in call.keywords)]:
                    types |= _display_types(arg.value if isinstance(arg, ast.Starred) else arg)
            continue
        library = MADE_ELSEWHERE_RULE and not _test_code(guards, user)
        func = _enclosing_def(guards, user, ref) if library else None
        where = (func, call.lineno, guards, _method_class(guards, user), guards.graph.symbol(user))
        for arg in [*call.args, *(k.value for k in call.keywords)]:
            types |= _display_types(arg.value if isinstance(arg, ast.Starred) else arg)
            if library and _made_elsewhere(arg, where):
                types.update(_CONTAINERS)
    guards.memo[key] = frozenset(_tokens_of(types))
    return guards.memo[key]


# An argument that may hold a container library code made (an attribute, a
# call's result, a name bound from one) discharges every display token:
# the test gave none of it (packaging: `Marker.__str__` hands the parsed
# `self._markers` list to `_format_marker`). A parameter handed on, an
# item of one, a loop over one, keep them: what the test gave. A test's
# own code is read as before (`Guards.given`: the displays it writes).
MADE_ELSEWHERE_RULE = True  # switch, for its test


def _test_code(guards, user: str) -> bool:
    """Whether `user` is a test's code: what it hands on is read by
    `Guards.given` (its displays), as before this rule."""
    from indexer.analysis.impact_guards import _in_tests  # (impact_guards imports this module)

    sym = guards.graph.symbol(user)
    return sym is None or sym.is_test or _in_tests(sym.path)


def _method_class(guards, user: str) -> str | None:
    """The class whose `self` a method (or a closure in one) reads."""
    sym = guards.graph.symbol(user)
    while sym is not None and sym.kind == SymbolKind.FUNCTION and sym.parent:
        sym = guards.graph.symbol(sym.parent)
    return sym.parent if sym is not None and sym.kind == SymbolKind.METHOD and sym.parent else None


def _attribute_made(guards, cls: str, attr: str) -> bool:
    """Whether `self.attr` may hold a container library code made: some
    method of the class family sets it from something made elsewhere, or
    none sets it (`self.validators = validators` in `__init__` holds what
    the caller gave)."""
    key = ("builtin attr made", cls, attr)
    if key in guards.memo:
        return guards.memo[key]
    guards.memo[key] = True  # (while it is worked out: a cycle through it)
    found = False
    made = False
    for owner in guards._family(cls):
        for member in guards.graph.members(owner):
            node = guards.node_of(member) if member.kind == SymbolKind.METHOD else None
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for sub in ast.walk(node):
                if not isinstance(sub, (ast.Assign, ast.AnnAssign, ast.AugAssign)) or sub.value is None:
                    continue
                targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                if not any(isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
                           and t.attr == attr for target in targets for t in ast.walk(target)):
                    continue
                found = True
                made = made or any(isinstance(t, (ast.Tuple, ast.List)) for t in targets) \
                    or _made_elsewhere(sub.value, (node, sub.lineno, guards, cls, member))
    guards.memo[key] = made or not found
    return guards.memo[key]


def _enclosing_def(guards, user: str, ref):
    """The def node of `user` that holds the use (None: not a function)."""
    line = ref.range.start.line + 1
    sym = next((s for s in guards.graph.symbols(user) if s.kind in _CALLABLE
                and s.range.start.line < line <= s.range.end.line + 1), None)
    func = guards.node_of(sym) if sym is not None else None
    return func if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


# Reads of a value's own items (`schema.items()`, `enumerate(values)`):
# what they give is what the value held.
_ITEM_METHODS = frozenset(("items", "values", "keys", "copy", "get", "pop", "setdefault"))
_ITEM_BUILTINS = frozenset(("enumerate", "zip", "reversed", "sorted", "iter", "next"))


def _made_elsewhere(value: ast.AST, where, seen: frozenset = frozenset(), items: bool = False) -> bool:
    """Whether the value may be a container made outside what the caller
    was given (see MADE_ELSEWHERE_RULE). `where`: (the def node or None,
    the line of the use, the Guards, the class of the method's `self`, the
    user's symbol); `items`: whether its items may be (a loop's iterable)."""
    func, line, guards, cls, sym = where
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id == "self" \
            and guards is not None and cls is not None:
        return _attribute_made(guards, cls, value.attr)
    if isinstance(value, ast.Call) and not value.keywords:
        if isinstance(value.func, ast.Attribute) and value.func.attr in _ITEM_METHODS:
            return _made_elsewhere(value.func.value, where, seen)
        if items and isinstance(value.func, ast.Name) and value.func.id in _ITEM_BUILTINS:
            return any(_made_elsewhere(a, where, seen, True) for a in value.args)
    if isinstance(value, (ast.Attribute, ast.Call, ast.Await, ast.Yield, ast.YieldFrom)):
        return True
    if isinstance(value, (ast.Subscript, ast.Starred)):
        return _made_elsewhere(value.value, where, seen)
    if isinstance(value, ast.NamedExpr):
        return _made_elsewhere(value.value, where, seen)
    if isinstance(value, (ast.BinOp, ast.BoolOp, ast.IfExp)):
        parts = [value.left, value.right] if isinstance(value, ast.BinOp) else value.values \
            if isinstance(value, ast.BoolOp) else [value.body, value.orelse]
        return any(_made_elsewhere(p, where, seen) for p in parts)
    if isinstance(value, ast.Name):
        if func is None:
            return True  # module or class level: not followed
        if value.id in seen:
            return False
        sources = _bindings(func, value.id, line)
        if sources is None:
            return True
        if not sources and value.id not in _parameters(func) and not (
                func.args.vararg and func.args.vararg.arg == value.id or func.args.kwarg and func.args.kwarg.arg == value.id):
            return _free_made(value.id, where)  # a closure's variable, a global, a builtin
        return any(_made_elsewhere(source, where, seen | {value.id}, looped) for source, looped in sources)
    return False  # a literal, a display, a comprehension (its displays count), a lambda


def _free_made(name: str, where) -> bool:
    """A name the function does not bind: the enclosing function's (a
    closure's variable, any of its bindings), else the module's (a def or
    a class is no container; a display there is library-made), else a
    builtin (`list`, the type: no container)."""
    _func, _line, guards, cls, sym = where
    if guards is None or sym is None:
        return True
    outer = guards.graph.symbol(sym.parent) if sym.parent else None
    if outer is not None and outer.kind in _CALLABLE:
        node = guards.node_of(outer)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return _made_elsewhere(ast.Name(id=name, ctx=ast.Load()),
                                   (node, node.end_lineno or node.lineno, guards, cls, outer))
        return True
    tree = guards.tree(sym.path)
    for stmt in tree.body if tree is not None else ():
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.name == name:
            return False
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name).split(".")[0] == name
                                                                  for a in stmt.names):
            return True
        if any(isinstance(t, ast.Name) and t.id == name and not isinstance(t.ctx, ast.Load) for t in ast.walk(stmt)):
            return True  # module data (or bound in a statement not followed)
    return name not in _BUILTIN_NAMES


_BUILTIN_NAMES = frozenset(dir(builtins))


def _bindings(func: ast.FunctionDef, name: str, line: int) -> list[tuple[ast.AST, bool]] | None:
    """The expressions `name` is bound from in the function, each with
    whether the name takes its items (a loop's iterable); None where one is not an expression
    (`with ... as`, `except ... as`, an import, a nested scope's binding).
    Only bindings that may reach the use at `line`: those above it, and
    those in a loop around it."""
    out: list[tuple[ast.AST, bool]] = []
    loops = [n for n in ast.walk(func) if isinstance(n, (ast.For, ast.AsyncFor, ast.While))
             and n.lineno <= line <= n.end_lineno]
    for node in ast.walk(func):
        if isinstance(node, (ast.stmt, ast.comprehension, ast.withitem, ast.ExceptHandler, ast.NamedExpr)) \
                and getattr(node, "lineno", None) is not None and node.lineno > line \
                and not any(loop.lineno <= node.lineno <= loop.end_lineno for loop in loops):
            continue  # below the use, and no loop brings it back
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for target in targets for t in ast.walk(target)):
                if node.value is None:
                    continue
                out.append((node.value, False))
                if isinstance(node, ast.AugAssign):
                    out.append((node.target, False))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            if any(isinstance(t, ast.Name) and t.id == name for t in ast.walk(node.target)):
                out.append((node.iter, True))
        elif isinstance(node, (ast.withitem,)):
            if node.optional_vars is not None and any(isinstance(t, ast.Name) and t.id == name
                                                      for t in ast.walk(node.optional_vars)):
                return None
        elif isinstance(node, ast.ExceptHandler) and node.name == name:
            return None
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name).split(".")[0] == name
                                                                       for a in node.names):
            return None
        elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return None
    return out
