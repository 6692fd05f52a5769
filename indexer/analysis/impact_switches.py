"""Switch parameters (issue 12, packaging pass): code a function runs unless
its caller turns it off.

    def from_raw(cls, data, *, validate=True):
        if validate:
            for key in fields: getattr(ins, key)      # every field's validator

    def cpython_tags(python_version=None, abis=None, platforms=None):
        platforms = list(platforms or platform_tags())

`from_raw -> __get__` runs only when `validate` is true; `cpython_tags ->
platform_tags` only when `platforms` is falsy. The switch is a parameter
with a default that runs the code (`validate=True`, `platforms=None`), read
before the function rebinds it, in one of these shapes around every use of
what the walk reached: `if p:` / `if p is not None:` (the body runs when p
is on), `if not p:` / `if p is None:`, `p or use`, `p and use`. A caller
whose every call of the function turns it off (`validate=False`: a falsy
constant; `platforms=["any"]`: a non-empty display or a truthy constant;
`p is None` is off for any constant but None or any display) never runs the
use: the walk does not follow that link (its tests are not listed, as for a
call that does not exist). A call with `*args`/`**kwargs`, a value of
unknown truth, or a use the walk reached outside such a shape keeps the link.

The other way round from impact_params' keyword guards (code that runs only
when a caller passes a keyword). Applied where the guards are
(impact.GUARD_MAX_FILES).
"""

from __future__ import annotations

import ast

from indexer.graph.python_ast import parameter_defaults
from indexer.graph.vocab import RefKind, SymbolKind

RULE = True  # switch, for its test
# A recursive call that hands a switch on as it came (`self.set_debug(flag,
# recurse=False)` under `if recurse:`) runs what the outer call runs: it
# neither needs nor clears that switch (pyparsing's `set_debug`).
RECURSION_RULE = True
# Positional arguments count, mapped onto the parameters as the call binds
# them (bound_positional: `self` / `cls`, a call through the class, decorators).
POSITIONAL_RULE = True
# Decorators that leave the parameters as written.
_KEEPS_SIGNATURE = frozenset({"staticmethod", "classmethod", "abstractmethod", "final", "override",
                              "cache", "lru_cache"})
_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)
# The switch's state that runs the guarded code: the parameter is truthy,
# falsy, not None, or None.
ON, OFF_WHEN_TRUTHY, NOT_NONE, IS_NONE = "truthy", "falsy", "not-none", "none"
_DISPLAYS = (ast.List, ast.Tuple, ast.Set, ast.Dict)


def switches_of(guards, walk, node: str) -> frozenset:
    """The switches every use of what the walk reached in `node` needs (once
    per node and walk level, not once per user)."""
    if not RULE:
        return frozenset()
    reach = walk.reach.get(node)
    if reach is None or reach.parent is None:
        return frozenset()
    sym = walk.symbol(node)
    if sym is None or sym.kind not in _CALLABLE:
        return frozenset()
    return _switches(guards, walk, sym, reach.parent)


def switched_off(guards, walk, node: str, user: str, switches: frozenset) -> bool:
    """Whether every call of `node` in `user` turns off one of `switches`."""
    if not switches:
        return False
    key = ("switched off", node, user, switches)
    if key not in guards.memo:
        guards.memo[key] = _calls_turn_off(guards, walk.symbol(node), user, switches)
    return guards.memo[key]


def _switches(guards, walk, sym, parent: str) -> frozenset:
    """The (parameter, state) switches every use in `sym` of a symbol the
    walk reached lies under (empty: none; the walk's parent must be one)."""
    uses_key = ("switch uses", sym.qualname)
    if uses_key not in guards.memo:
        guards.memo[uses_key] = tuple((ref.target, ref.range.start.line + 1, ref.range.start.character)
                                      for ref in guards.graph.references_from(sym.qualname) if ref.target)
    uses = [(line, col) for target, line, col in guards.memo[uses_key] if target in walk.reach
            and not (RECURSION_RULE and target == sym.qualname)]
    recursive = [(line, col) for target, line, col in guards.memo[uses_key]
                 if RECURSION_RULE and target == sym.qualname]
    if not uses or not any(target == parent for target, _l, _c in guards.memo[uses_key]):
        return frozenset()
    key = ("switches", sym.qualname, tuple(uses))
    if key in guards.memo:
        return guards.memo[key]
    out: frozenset = frozenset()
    func = guards.node_of(sym)
    if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        defaults = parameter_defaults(func)
        common = None
        for line, col in uses:
            found = {(p, state) for p, state in _around(func, line, col)
                     if p in defaults and _runs_by_default(defaults[p], state) and not _rebound_before(func, p, line)}
            common = found if common is None else common & found
            if not common:
                break
        if common and recursive:
            common = {(p, state) for p, state in common if _passed_on(guards, sym, func, recursive, p)}
        out = frozenset(common or ())
    guards.memo[key] = out
    return out


def _passed_on(guards, sym, func, calls: list[tuple[int, int]], name: str) -> bool:
    """Whether each recursive call at `calls` passes parameter `name` on as
    it came (the name itself, by position or keyword)."""
    from indexer.analysis.impact_params import _call_at  # (impact_params is the call-site reader)

    refs = {(r.range.start.line + 1, r.range.start.character): r for r in guards.graph.references_from(sym.qualname)}
    for at in calls:
        ref = refs.get(at)
        call = _call_at(guards, ref) if ref is not None else None
        if call is None or any(isinstance(a, ast.Starred) for a in call.args) \
                or any(k.arg is None for k in call.keywords):
            return False
        value = _passed(call, bound_positional(guards, sym, func, ref, call), name)
        if not (isinstance(value, ast.Name) and value.id == name) or _rebound_before(func, name, at[0]):
            return False
    return True


def _runs_by_default(default: ast.AST, state: str) -> bool:
    """Whether the parameter's default leaves the switch on (a constant default only)."""
    if not isinstance(default, ast.Constant):
        return False
    value = default.value
    return {ON: bool(value), OFF_WHEN_TRUTHY: not value, NOT_NONE: value is not None, IS_NONE: value is None}[state]


def _within(node: ast.AST, line: int, col: int) -> bool:
    return (node.lineno, node.col_offset) <= (line, col) <= (node.end_lineno, node.end_col_offset)


def _test_switch(test: ast.AST, negate: bool = False) -> tuple[str, str] | None:
    """(parameter, state that makes `test` true) for `p`, `not p`, `p is None`, `p is not None`."""
    if isinstance(test, ast.Name):
        return test.id, (OFF_WHEN_TRUTHY if negate else ON)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _test_switch(test.operand, not negate)
    if isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and len(test.ops) == 1 \
            and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None:
        is_none = isinstance(test.ops[0], ast.Is)
        if not is_none and not isinstance(test.ops[0], ast.IsNot):
            return None
        return test.left.id, (IS_NONE if is_none != negate else NOT_NONE)
    return None


def _around(func, line: int, col: int) -> set[tuple[str, str]]:
    """The switches of the conditions that hold the use at (line, col) in
    `func`'s own body (a use in a nested def or lambda: none)."""
    out: set[tuple[str, str]] = set()
    todo: list[ast.AST] = list(func.body)
    while todo:
        node = todo.pop()
        if not hasattr(node, "lineno") or not _within(node, line, col):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return set()  # runs when the nested code is called, not here
        if isinstance(node, ast.If) and node.body \
                and node.body[0].lineno <= line <= node.body[-1].end_lineno:
            switch = _test_switch(node.test)
            if switch is not None:
                out.add(switch)
        elif isinstance(node, ast.BoolOp) and isinstance(node.values[0], ast.Name) \
                and any(_within(v, line, col) for v in node.values[1:]):
            out.add((node.values[0].id, OFF_WHEN_TRUTHY if isinstance(node.op, ast.Or) else ON))
        todo.extend(child for child in ast.iter_child_nodes(node))
    return out


def _rebound_before(func, name: str, line: int) -> bool:
    """Whether `name` is assigned in an earlier statement (then its value is no longer the caller's)."""
    for node in ast.walk(func):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.NamedExpr)) else []
        for target in targets:
            if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target)) \
                    and node.end_lineno < line:
                return True
    return False


def _calls_turn_off(guards, sym, user: str, switches: frozenset) -> bool:
    from indexer.analysis.impact_params import _call_at  # (impact_params is the call-site reader)

    func = guards.node_of(sym)
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    refs = guards.graph.uses_in(sym.qualname, user, (RefKind.CALL, RefKind.READ, RefKind.ATTRIBUTE))
    if not refs:
        return False
    for ref in refs:
        call = _call_at(guards, ref)
        at = (ref.range.start.line + 1, ref.range.start.character)
        if call is None or not ((call.func.lineno, call.func.col_offset) <= at
                                <= (call.func.end_lineno, call.func.end_col_offset)):
            return False  # not its own call (`partial(f, ...)`, a read): keep the link
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return False
        positional = bound_positional(guards, sym, func, ref, call)
        if not any(_turns_off(_passed(call, positional, name), state) for name, state in switches):
            return False
    return True


def bound_positional(guards, sym, func, ref, call: ast.Call) -> list[str]:
    """The parameters the call's positional arguments bind, in order: `self`
    / `cls` left out where the call binds it (`obj.m(...)`, `Cls.cm(...)`),
    kept where the caller passes it (`Cls.m(obj, ...)`, `type(obj).m(obj,
    ...)`); none where a decorator may change the signature (keywords only)."""
    positional = [a.arg for a in func.args.posonlyargs + func.args.args]
    if not POSITIONAL_RULE:
        return []
    decorators = {_decorator_name(d) for d in func.decorator_list}
    if decorators - _KEEPS_SIGNATURE:
        return []  # `@wrapper`: its own parameters, unknown here
    if sym.kind != SymbolKind.METHOD or "staticmethod" in decorators or "staticmethod" in sym.flags:
        return positional
    through_class = "classmethod" not in decorators and "classmethod" not in sym.flags \
        and isinstance(call.func, ast.Attribute) and _names_class(guards, ref.enclosing, call.func.value)
    return positional if through_class else positional[1:]


def _decorator_name(node: ast.AST) -> str:
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else "?"


def _names_class(guards, user: str | None, receiver: ast.AST) -> bool:
    """Whether the receiver of `receiver.m(...)` is a class (`Base`, `type(x)`, `x.__class__`)."""
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "type":
        return True
    if isinstance(receiver, ast.Attribute) and receiver.attr == "__class__":
        return True
    if not user or not isinstance(receiver, (ast.Name, ast.Attribute)):
        return False
    at = (receiver.lineno, receiver.col_offset) if isinstance(receiver, ast.Name) \
        else (receiver.end_lineno, receiver.end_col_offset - len(receiver.attr))
    for ref in guards.graph.references_from(user):
        if ref.target and (ref.range.start.line + 1, ref.range.start.character) == at:
            target = guards.graph.symbol(ref.target)
            return target is not None and target.kind == SymbolKind.CLASS
    return False


def _passed(call: ast.Call, positional: list[str], name: str) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if name in positional and positional.index(name) < len(call.args):
        return call.args[positional.index(name)]
    return None


def _turns_off(value: ast.AST | None, state: str) -> bool:
    """Whether the passed value surely leaves the switch off."""
    if value is None:
        return False  # not passed: the default, which runs the code
    if isinstance(value, ast.Constant):
        truth, none = bool(value.value), value.value is None
    elif isinstance(value, _DISPLAYS):
        items = value.keys if isinstance(value, ast.Dict) else value.elts
        truth, none = bool(items), False
    elif isinstance(value, (ast.Lambda, ast.JoinedStr, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        if isinstance(value, ast.Lambda):
            truth, none = True, False
        else:
            return state == IS_NONE  # never None; its truth unknown
    else:
        return False
    return {ON: not truth, OFF_WHEN_TRUTHY: truth, NOT_NONE: none, IS_NONE: not none}[state]
