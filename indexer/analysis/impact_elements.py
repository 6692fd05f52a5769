"""Membership guards (issue 12, pyparsing precision): code under `if C in p:`
(C a singleton: `...`, None, True, False) runs only for callers that can
pass an iterable holding C at p; impact_identity's guards, one level down.

    class And(ParseExpression):
        def __init__(self, exprs_arg, savelist=True):
            exprs = list(exprs_arg)
            if exprs and Ellipsis in exprs:
                ... SkipTo(skipto_arg) ...     # only `And([a, ..., b])`

    def __add__(self, other):
        if other is Ellipsis:
            return _PendingSkip(self)
        ...
        if not isinstance(other, ParserElement):
            return NotImplemented
        return And([self, other])              # never holds an Ellipsis

`And.__init__ -> SkipTo` runs only when the list holds an Ellipsis. The
test reads the parameter itself or a local copied from it once before the
test (`exprs = list(exprs_arg)`, `tuple(p)`, `[*p]`, `p`). A caller passes
no such element with a display whose elements cannot be C, a
comprehension of constructions, `[x] * n`, a string, or a local bound only
to those. An element cannot be a singleton where it is `self` (a method's
first parameter, never rebound) or a name narrowed at the call: after
`if other is Ellipsis: return ...` or under `isinstance(other, C)` (the
early return of `not isinstance`), with no store of the name since.
Anything else (a parameter, an attribute) may hold it; a call's result may
be None, never an Ellipsis (`CALLS_RULE`, which impact_identity's `is
Ellipsis` guards follow too).

pyparsing, default selection, depth 8 (evals.impact, PYTHONHASHSEED=0,
with impact_flags and impact_switches.RECURSION_RULE in the same run):
SkipTo.__init__ and SkipTo._update_ignorer 1,252 -> ~855 false pairs each,
the four _PendingSkip methods -380 each, Suppress.__add__/__init__ -370,
ParserElement.ignore -381, no true pair lost on them.
"""

from __future__ import annotations

import ast

RULE = True  # switch, for its test
# No call's result is an Ellipsis: `...` is written where it is meant
# (impact_identity keeps a call's result as a possible None, not as a
# possible `...`: pyparsing's `wrapper(block) + Optional(...)` never runs
# `__radd__`'s `SkipTo(self)`).
CALLS_RULE = True
IN = "in"  # an atom's third field for `C in p` (impact_identity's are True / False)
INSTANCE = object()  # an atom's constant for `isinstance(p, C)`: p is an instance, no singleton
_COPIES = frozenset(("list", "tuple", "set", "frozenset", "sorted"))
_NOT_INSTANCES = frozenset(("object", "NoneType", "type", "bool", "Any", "EllipsisType", "ellipsis"))


def membership_atoms(test: ast.AST, constant, negate: bool) -> list | None:
    """`[(p, C, IN)]` for `C in p` (or a false `C not in p`); None otherwise."""
    if not (RULE and isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.comparators[0], ast.Name)):
        return None
    known, value = constant(test.left)
    if not known:
        return None
    op = test.ops[0]
    if isinstance(op, ast.NotIn if negate else ast.In):
        return [(test.comparators[0].id, value, IN)]
    return None


def instance_atoms(test: ast.AST, negate: bool) -> list | None:
    """`[(p, INSTANCE, True)]` for `isinstance(p, C)` (or a false `not
    isinstance(p, C)`), C not a class a singleton belongs to."""
    if not RULE:
        return None
    if negate:
        if not (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)):
            return None
        test = test.operand
    if not (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance"
            and len(test.args) == 2 and isinstance(test.args[0], ast.Name) and not test.keywords):
        return None
    kinds = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
    if not kinds or not all(isinstance(k, (ast.Name, ast.Attribute)) and ast.unparse(k).rpartition(".")[2]
                            not in _NOT_INSTANCES for k in kinds):
        return None
    return [(test.args[0].id, INSTANCE, True)]


def copied_parameter(func: ast.AST, name: str, line: int, params) -> str | None:
    """The parameter `name` copies (`name = list(p)`, `tuple(p)`, `[*p]`,
    `p`): bound once, by a statement of the body's top level above `line`,
    from a parameter not rebound before it."""
    binding = None
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            if binding is not None:
                return None
            binding = node
        elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return None
    stmt = next((s for s in func.body if isinstance(s, (ast.Assign, ast.AnnAssign)) and s.value is not None
                 and (s.targets if isinstance(s, ast.Assign) else [s.target]) == [binding]), None)
    if binding is None or stmt is None or stmt.end_lineno >= line:
        return None
    value = stmt.value
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _COPIES \
            and len(value.args) == 1 and not value.keywords:
        value = value.args[0]
    elif isinstance(value, (ast.List, ast.Tuple)) and len(value.elts) == 1 and isinstance(value.elts[0], ast.Starred):
        value = value.elts[0].value
    if not (isinstance(value, ast.Name) and value.id in params):
        return None
    stores = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == value.id
              and not isinstance(n.ctx, ast.Load) and n.lineno < line]
    return None if stores else value.id


def may_hold(value: ast.AST, const, may_be, bindings, seen: frozenset = frozenset()) -> bool:
    """Whether the iterable `value` may hold the singleton `const` (True
    where unsure). `may_be(node)`: whether an element may be it;
    `bindings(name)`: `[(expression, looped)]` a local is bound from, None
    for a parameter or a name not followed."""
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return any(may_hold(e.value, const, may_be, bindings, seen) if isinstance(e, ast.Starred) else may_be(e)
                   for e in value.elts)
    if isinstance(value, ast.Dict):
        return any(k is None or may_be(k) for k in value.keys)
    if isinstance(value, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return may_be(value.elt)
    if isinstance(value, ast.DictComp):
        return may_be(value.key)
    if isinstance(value, (ast.Constant, ast.JoinedStr)):
        return False  # a string's items are strings
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult):
        displays = [v for v in (value.left, value.right) if isinstance(v, (ast.List, ast.Tuple))]
        return may_hold(displays[0], const, may_be, bindings, seen) if displays else True
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return may_hold(value.left, const, may_be, bindings, seen) \
            or may_hold(value.right, const, may_be, bindings, seen)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _COPIES \
            and len(value.args) == 1 and not value.keywords:
        return may_hold(value.args[0], const, may_be, bindings, seen)
    if isinstance(value, ast.Name) and value.id not in seen:
        sources = bindings(value.id)
        if not sources:
            return True
        return any(looped or may_hold(source, const, may_be, bindings, seen | {value.id})
                   for source, looped in sources)
    return True


def not_singleton(func: ast.AST, name: str, const, at: tuple[int, int], conditions) -> bool:
    """Whether the name cannot be the singleton `const` at `at` in `func`:
    `self` (a method's first parameter never rebound), or narrowed by a
    test above (`is not C`, `isinstance`) with no store of it since."""
    if not RULE:
        return False
    positional = func.args.posonlyargs + func.args.args
    stores = [n.lineno for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == name
              and not isinstance(n.ctx, ast.Load)]
    if positional and positional[0].arg == name == "self" and not stores:
        return True
    for atom_name, value, is_it, line in conditions(func, at) or ():
        if atom_name != name or not (value is INSTANCE and is_it is True and (const is None or const is ...)
                                     or value is const and is_it is False):
            continue
        if not any(line < store <= at[0] for store in stores):
            return True
    return False
