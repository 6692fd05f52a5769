"""An attribute a method sets just before it uses `self` (issue 12,
pyparsing precision): impact_identity's guards, on `self.attr`.

    class ParserElement:
        @property
        def name(self):
            return self.customName if self.customName is not None else self.default_name

        def __str__(self):
            return self.name

        def set_name(self, name):
            self.customName = name
            self.errmsg = f"Expected {str(self)}"   # default_name only for name=None

    class StringEnd(PositionToken):
        def __init__(self):
            super().__init__()
            self.set_name("end of text")            # never reaches default_name

A chain into `default_name` through `name` needs `self.customName is
None` (the use's condition, read as impact_identity reads a parameter's,
with `self.attr` for the name). The need goes up with the chain while each
use is on the same object (`self.name`, `str(self)`, `self.m()`,
`super().m()`) and the user does not set the attribute first; every entry
into a node must carry it (as impact_identity's entries). Where the user
sets `self.attr = param` in its own body, unconditionally, before the use
(and does not rebind `param` first), the need becomes impact_identity's
guard `param is None` on the user, which its callers must be able to meet:
`self.set_name("end of text")` cannot, and `StringEnd.__init__` is no
longer a way up from `Token._generateDefaultName`.

Measured (pyparsing, depth 8, PYTHONHASHSEED=0, --no-hybrid, against
wt-merge 98ea37a): 160,065 -> 158,955 predicted, 93,137 -> 93,103 true
(precision 0.582 -> 0.586, recall 0.868 -> 0.868); two functions move:
Token._generateDefaultName 1,403 -> 341 selected (12 -> 0 true),
Literal._generateDefaultName 1,443 -> 1,395 (801 -> 779 true). The true
pairs lost were reached only through `StringEnd.__init__ -> set_name`
(their tests run the name some other way the walk does not see: a
`print(result)`, an exception's message), never through that link.
"""

from __future__ import annotations

import ast
import copy

from indexer.analysis import impact_identity as identity  # (which imports this module)
from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
_SELF_STR = frozenset(("str", "repr", "format"))


def _method(guards, walk, qualname: str):
    """(function node, self's name) of a method bound to an instance; None otherwise."""
    sym = walk.symbol(qualname)
    if sym is None or sym.kind != SymbolKind.METHOD or "staticmethod" in sym.flags or "classmethod" in sym.flags:
        return None
    func = guards.node_of(sym)
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    params = func.args.posonlyargs + func.args.args
    if not params:
        return None
    return func, params[0].arg


def _view(guards, qualname: str, func, me: str):
    """The function with every read of `self.attr` written as the name
    `self.attr` (so impact_identity's condition reader sees it)."""
    key = ("setfirst view", qualname)
    if key not in guards.memo:
        class _Names(ast.NodeTransformer):
            def visit_Attribute(self, node):
                if isinstance(node.value, ast.Name) and node.value.id == me and isinstance(node.ctx, ast.Load):
                    return ast.copy_location(ast.Name(id=f"{me}.{node.attr}", ctx=ast.Load()), node)
                return self.generic_visit(node)

        view = _Names().visit(copy.deepcopy(func))
        guards.memo[key] = view
    return guards.memo[key]


def _stores(func, me: str) -> list[tuple[tuple[int, int], str, ast.AST, bool]]:
    """Every `self.attr = value` in the body: (where, attr, value, whether
    it is a top-level statement with one target)."""
    out = []
    top = set(id(s) for s in func.body)
    for node in ast.walk(func):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for t in ast.walk(target):
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == me:
                        plain = isinstance(node, ast.Assign) and id(node) in top and len(targets) == 1 \
                            and target is t
                        out.append(((node.lineno, node.col_offset), t.attr, node.value, plain))
        elif isinstance(node, (ast.Call,)) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "vars") \
                and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == me:
            out.append(((node.lineno, node.col_offset), None, None, False))  # any attribute
    return out


def _on_self(func, me: str, at: tuple[int, int]) -> bool:
    """Whether the use at `at` is on the method's own object."""
    for node in ast.walk(func):
        if not hasattr(node, "end_lineno"):
            continue
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == me:
            start = (node.value.end_lineno, node.value.end_col_offset)
            if start <= at <= (node.end_lineno, node.end_col_offset):
                return True
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "super":
            start = (node.value.end_lineno, node.value.end_col_offset)
            if start <= at <= (node.end_lineno, node.end_col_offset):
                return True
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _SELF_STR \
                and len(node.args) == 1 and isinstance(node.args[0], ast.Name) and node.args[0].id == me:
            if (node.lineno, node.col_offset) <= at <= (node.end_lineno, node.end_col_offset):
                return True
        elif isinstance(node, ast.FormattedValue) and isinstance(node.value, ast.Name) and node.value.id == me:
            if identity._within(node, at):
                return True
    return False


def _cache(walk) -> dict:
    return walk.__dict__.setdefault("_setfirst", {})


def needs(guards, walk, node: str, into: dict, active: frozenset = frozenset()) -> frozenset:
    """The `(attr, constant, is it)` every entry into `node` needs of its
    `self` (empty: none, or the walk started there)."""
    reach = walk.reach.get(node)
    if not RULE or reach is None or reach.parent is None or node in active:
        return frozenset()
    key = (node, len(walk.edges))
    table = _cache(walk)
    if key in table:
        return table[key]
    callees = {reach.parent} | {c for c in into.get(node, ()) if c in walk.reach
                                and walk.reach[c].depth <= reach.depth}
    out = None
    for callee in sorted(callees - {node}):
        found = _carried(guards, walk, callee, node, into, active | {node})[0]
        out = found if out is None else out & found
        if not out:
            break
    out = frozenset(out or ())
    table[key] = out
    return out


def _carried(guards, walk, callee: str, user: str, into: dict, active: frozenset):
    """(the attribute atoms every use of `callee` in `user` needs, the
    parameter guard they become: one frozenset per use, or None)."""
    method = _method(guards, walk, user)
    uses = identity._uses_in(guards, walk, callee, user) if method is not None else []
    if not uses:
        return frozenset(), None
    func, me = method
    view = _view(guards, user, func, me)
    key = ("setfirst stores", user)
    if key not in guards.memo:
        guards.memo[key] = _stores(func, me)
    stores = guards.memo[key]
    params = set(identity._parameters(func)) - {me}
    inherited = None
    out_attrs = None
    guard = []
    for ref in uses:
        at = (ref.range.start.line + 1, ref.range.start.character)
        atoms = set()
        for name, value, is_it, line in identity.conditions_at(view, at) or ():
            if isinstance(name, str) and name.startswith(me + ".") and is_it in (True, False):
                attr = name[len(me) + 1:]
                if not any(w < (line, 0) and a in (attr, None) for w, a, _v, _p in stores):
                    atoms.add((attr, value, is_it))
        if _on_self(func, me, at):
            if inherited is None:
                inherited = needs(guards, walk, callee, into, active)
            atoms.update(inherited)
        attrs, converted = set(), set()
        for attr, value, is_it in atoms:
            before = [(w, a, v, p) for w, a, v, p in stores if w < at and a in (attr, None)]
            if not before:
                attrs.add((attr, value, is_it))
                continue
            w, _a, v, plain = max(before, key=lambda s: s[0])
            if plain and len(before) == 1 and isinstance(v, ast.Name) and v.id in params \
                    and not identity._stored_before(func, v.id, w[0] + 1):
                converted.add((v.id, value, is_it))
        out_attrs = attrs if out_attrs is None else out_attrs & attrs
        if not converted:
            guard = None
        elif guard is not None:
            guard.append(frozenset(converted))
    return frozenset(out_attrs or ()), (tuple(guard) if guard else None)


def guard(guards, walk, callee: str, user: str, into: dict):
    """impact_identity's guard for the uses of `callee` in `user` that the
    attribute needs of the chain into `callee` give (None: none)."""
    if not RULE:
        return None
    return _carried(guards, walk, callee, user, into, frozenset({user}))[1]
