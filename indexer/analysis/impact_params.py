"""Guards on a function's own keyword parameters (impact_guards, extended).

    def attrs(maybe_cls=None, these=None, repr=None, str=False, ...):
        def wrap(cls):
            ...
            if str is True:
                builder.add_str()

`wrap -> add_str` runs only when the caller of `attrs` passed `str`: a
parameter with a falsy default that the function (with its nested
functions) never rebinds, that no library code passes (`partial(define,
frozen=True)` gives `frozen` to every user of `attrs.frozen`; forwarding
`str=str` from a parameter whose own default is falsy gives nothing), and
that no library call passes positionally. Its token is the keyword's name;
a test gives it by writing that keyword (`@attr.s(str=True)`,
`simple_class(str=True)`), as for constructor keywords.
"""

from __future__ import annotations

import ast

from indexer.graph.vocab import RefKind, SymbolKind

_FALSY = (None, False, 0, "", ())
_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)

RULE = True  # switch, for its test


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
        scope = guards.graph.symbol(scope.parent) if scope.parent else None
    if sym.kind in _CALLABLE:
        # A name the inner function binds itself shadows the maker's parameter.
        node = guards.node_of(sym)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            own = {a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
            for name in list(out):
                if name in own and name not in _own_guards(guards, sym.qualname, node):
                    del out[name]
    return out


def _own_guards(guards, qualname: str, func: ast.FunctionDef) -> frozenset[str]:
    key = ("param guards", qualname)
    if key in guards.memo:
        return guards.memo[key]
    args = func.args
    positional = args.posonlyargs + args.args
    defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]], args.defaults))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    falsy = {n for n, d in defaults.items() if isinstance(d, ast.Constant) and d.value in _FALSY}
    stored = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}
    stored |= {n for sub in ast.walk(func) if isinstance(sub, (ast.Nonlocal, ast.Global)) for n in sub.names}
    names = falsy - stored - library_passed(guards)
    if names:
        index = {a.arg: i for i, a in enumerate(positional)}
        reach = _positional_reach(guards, qualname)
        names = {n for n in names if n not in index or index[n] >= reach}
    out = frozenset(names)
    guards.memo[key] = out
    return out


def _positional_reach(guards, qualname: str) -> int:
    """How many positional arguments library calls of the function pass (a
    starred argument: all of them)."""
    reach = 0
    for ref in guards.graph.references_of_kinds(qualname, (RefKind.CALL,)):
        if _in_tests(ref.path):
            continue
        tree = guards.tree(ref.path)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.Call) and node.lineno <= ref.range.start.line + 1 <= node.end_lineno:
                if any(isinstance(a, ast.Starred) for a in node.args):
                    return 1 << 30
                reach = max(reach, len(node.args))
    return reach


def library_passed(guards) -> frozenset[str]:
    """Keywords some library (non-test) call passes with a value of its own:
    anything but forwarding a same-named parameter whose default is falsy."""
    key = ("param library passed",)
    if key in guards.memo:
        return guards.memo[key]
    out: set[str] = set()
    for path in guards.graph.indexed_paths():
        if not path.endswith(".py") or _in_tests(path):
            continue
        tree = guards.tree(path)
        if tree is None:
            continue
        _scan(tree, {}, out)
    guards.memo[key] = frozenset(out)
    return guards.memo[key]


def _scan(node: ast.AST, falsy_params: dict, out: set[str]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = child.args
            positional = args.posonlyargs + args.args
            defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]], args.defaults))
            defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
            inner = dict(falsy_params)
            for a in positional + args.kwonlyargs:
                inner[a.arg] = isinstance(defaults.get(a.arg), ast.Constant) and defaults[a.arg].value in _FALSY
            _scan(child, inner, out)
            continue
        if isinstance(child, ast.Call):
            for k in child.keywords:
                if k.arg and not (isinstance(k.value, ast.Name) and k.value.id == k.arg
                                  and falsy_params.get(k.arg)):
                    out.add(k.arg)
        _scan(child, falsy_params, out)


def _in_tests(path: str) -> bool:
    parts = path.split("/")
    return any(p in ("tests", "test", "testing") for p in parts[:-1]) or parts[-1].startswith("test_")
