"""Guards on a function's own keyword parameters (impact_guards, extended).

    def attrs(maybe_cls=None, these=None, repr=None, str=False, ...):
        def wrap(cls):
            ...
            if str is True:
                builder.add_str()

`wrap -> add_str` runs only when the caller of `attrs` passed `str`: a
parameter with a falsy default that the function (with its nested
functions) never rebinds and that no call passes positionally (a bare use,
`@deco`, passes one). Its token is the keyword's name. Where a user passes
it (`partial(define, frozen=True)`, `@attr.s(str=True)`) the requirement is
discharged for the chains through that use (`passed_at`, given to
impact_guards.requirements); forwarding `str=str` from a guarding parameter
of the user passes it on to the user's own callers; a library `**options`
passes anything. A test also gives it by writing the keyword anywhere in
what it runs directly (impact_guards.Guards.given).
"""

from __future__ import annotations

import ast

from indexer.graph.vocab import RefKind, SymbolKind

_FALSY = (None, False, 0, "", ())
_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)

RULE = True  # switch, for its test
ISINSTANCE_RULE = True  # `isinstance(p, list)` requires a parameter whose default is None
REBIND_RULE = True  # a rebinding under the parameter's own test keeps it a guard
CALLS_BY_LINE = True  # _call_at reads the calls spanning the use's line only (a switch for its test)


def parameter_tokens(guards, sym) -> dict[str, str]:
    """Local name -> token for the guarding keyword parameters of `sym` and
    of the functions enclosing it (a closure reads its maker's parameters)."""
    if not RULE:
        return {}
    out: dict[str, str] = {}
    scope = sym
    while scope is not None and scope.kind in _CALLABLE:
        node = guards.node_of(scope)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for name in _own_guards(guards, scope.qualname, node):
                out.setdefault(name, name)
                if ISINSTANCE_RULE and name in _none_defaults(node):
                    out.setdefault(("isinstance", name), name)
        scope = guards.graph.symbol(scope.parent) if scope.parent else None
    if sym.kind in _CALLABLE:
        # A name the inner function binds itself shadows the maker's parameter.
        node = guards.node_of(sym)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            own = {a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
            for key in list(out):
                name = key[1] if isinstance(key, tuple) else key
                if name in own and name not in _own_guards(guards, sym.qualname, node):
                    del out[key]
    return out


def _own_guards(guards, qualname: str, func: ast.FunctionDef) -> frozenset[str]:
    key = ("param guards", qualname)
    if key in guards.memo:
        return guards.memo[key]
    guards.memo[key] = frozenset()  # a cycle of forwarding functions: no guard
    args = func.args
    positional = args.posonlyargs + args.args
    defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]], args.defaults))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    falsy = {n for n, d in defaults.items() if isinstance(d, ast.Constant) and d.value in _FALSY}
    # A rebinding under a test that requires the name itself
    # (`if converter and isinstance(converter, list): converter = pipe(*converter)`)
    # never makes an ungiven parameter given: it does not count.
    from indexer.analysis.impact_guards import _requires  # (impact_guards imports this module)

    kept = set()
    for node in ast.walk(func) if REBIND_RULE else ():
        if isinstance(node, ast.If):
            env = {n: n for n in falsy}
            if ISINSTANCE_RULE:
                env.update({("isinstance", n): n for n in falsy & _none_defaults(func)})
            for name in _requires(node.test, env):
                kept.update((name, id(sub)) for stmt in node.body for sub in ast.walk(stmt))
    stored = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))
              and (n.id, id(n)) not in kept}
    stored |= {n for sub in ast.walk(func) if isinstance(sub, (ast.Nonlocal, ast.Global)) for n in sub.names}
    names = falsy - stored
    if names:
        reach = _positional_reach(guards, qualname)
        index = {a.arg: i for i, a in enumerate(positional)}
        names = {n for n in names - guards._dynamic_keywords() if n not in index or index[n] >= reach}
    out = frozenset(names)
    guards.memo[key] = out
    return out


def _none_defaults(func: ast.FunctionDef) -> set[str]:
    args = func.args
    positional = args.posonlyargs + args.args
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    return {a.arg for a, d in pairs if isinstance(d, ast.Constant) and d.value is None}


def _positional_reach(guards, qualname: str) -> int:
    """How many positional arguments the uses of the function may pass: at
    a call, its positional arguments (a starred one: all of them); a bare
    use (`@instanceproperty`, an alias) one, as a decorator does."""
    reach = 0
    for ref in guards.graph.references_of_kinds(qualname, (RefKind.CALL, RefKind.READ, RefKind.ATTRIBUTE)):
        call = _call_at(guards, ref)
        at = (ref.range.start.line + 1, ref.range.start.character)
        if call is None or not ((call.func.lineno, call.func.col_offset) <= at
                                <= (call.func.end_lineno, call.func.end_col_offset)):
            reach = max(reach, 1)  # not the callee of this call
            if call is not None:
                reach = max(reach, len(call.args))  # `partial(f, a, b)`
            continue
        if any(isinstance(a, ast.Starred) for a in call.args):
            return 1 << 30
        reach = max(reach, len(call.args))
    return reach


def _call_at(guards, ref) -> ast.Call | None:
    """The smallest call holding the use: its own call (`attrs(str=True)`),
    or the call it is an argument of (`partial(define, frozen=True)`)."""
    at = (ref.range.start.line + 1, ref.range.start.character)
    best = None
    for node in guards.source(ref.path).calls_on(at[0]) if CALLS_BY_LINE else guards.source(ref.path).calls:
        if (node.lineno, node.col_offset) <= at <= (node.end_lineno, node.end_col_offset):
            if best is None or (node.lineno, node.col_offset) >= (best.lineno, best.col_offset):
                best = node
    return best


def passed_at(guards, callee: str, user: str) -> frozenset[str] | None:
    """Keywords `user` passes where it uses `callee` (None: `**kwargs`, any).
    `name=name` forwarding a guarding parameter of the user passes nothing:
    the user's own callers give it (`define(str=False)` -> `attrs(str=str)`)."""
    key = ("param passed", callee, user)
    if key in guards.memo:
        return guards.memo[key]
    out: set[str] | None = set()
    # A name bound by value (`frozen = partial(define, frozen=True)`): the
    # uses in its assignment statement.
    sym = guards.graph.symbol(user)
    stmt = _assignment(guards, sym) if sym is not None and sym.kind not in (*_CALLABLE, SymbolKind.CLASS) else None
    for ref in guards._uses(callee):
        if ref.enclosing != user and not (
                stmt is not None and ref.path == sym.path and stmt[0] <= ref.range.start.line + 1 <= stmt[1]):
            continue
        call = _call_at(guards, ref)
        if call is None:
            continue
        if not _in_tests(ref.path) and any(
                k.arg is None and not _own_var_keyword(guards, user, k.value) for k in call.keywords):
            out = None  # `**options` built in library code: any keyword (a test's: what it gives)
            break
        out.update(k.arg for k in call.keywords if k.arg and not (
            isinstance(k.value, ast.Name) and k.value.id == k.arg and _forwarded(guards, user, k.arg)))
    guards.memo[key] = None if out is None else frozenset(out)
    return guards.memo[key]


def _assignment(guards, sym) -> tuple[int, int] | None:
    """The lines of the module- or class-level assignment binding `sym`."""
    return guards.source(sym.path).assignments.get(sym.selection_range.start.line + 1)


def _own_var_keyword(guards, user: str, value: ast.AST) -> bool:
    """`**kwargs` forwarding the user's own `**kwargs`: its callers give them."""
    sym = guards.graph.symbol(user)
    node = guards.node_of(sym) if sym is not None and sym.kind in _CALLABLE else None
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.args.kwarg is not None \
        and isinstance(value, ast.Name) and value.id == node.args.kwarg.arg


def _forwarded(guards, scope: str | None, name: str) -> bool:
    """`name=name` forwards a parameter of an enclosing function that is a
    guard there too (`define(frozen=False)` -> `attrs(frozen=frozen)`; but a
    library `partial(define, frozen=True)` makes define's `frozen` given)."""
    sym = guards.graph.symbol(scope) if scope else None
    while sym is not None and sym.kind in _CALLABLE:
        node = guards.node_of(sym)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            if name in {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}:
                return name in _own_guards(guards, sym.qualname, node)
        sym = guards.graph.symbol(sym.parent) if sym.parent else None
    return False


def _in_tests(path: str) -> bool:
    parts = path.split("/")
    return any(p in ("tests", "test", "testing") for p in parts[:-1]) or parts[-1].startswith("test_")
