"""The `__eq__` protocol rule, limited to the holders that compare (issue 12,
wrapt). impact_protocols links a class's `__eq__` to every test that makes
an instance (how "protocol"): `a == b` runs `type(a).__eq__` and the
operands' types are rarely inferred. But Python runs `C.__eq__` only where
a comparison executes with a C on one side:

    def test_str(self):
        value = wrapt.ObjectProxy(10)            # holds a proxy...
        self.assertEqual(str(value), str(10))   # ...compares two strs

    def test_iadd(self):
        value = wrapt.ObjectProxy(1)
        value += 1
        self.assertEqual(value, 2)              # ObjectProxy.__eq__ runs

A chain that crosses such a link keeps its test only if some function on
the chain after the class (the outermost function, for a local class or
closure) may compare a value it holds:
- `==`, `!=`, `in`, `not in` with an operand that may be an instance (not a
  literal, not a harmless builtin's result such as `str(x)` or `type(x)`,
  not an attribute read off a local: impact_containeruse's `_may_hold`);
- an equality assertion or lookup with such an argument: unittest's
  `assertEqual`/`assertNotEqual`/`assertIn`/`assertCountEqual`/..., mock's
  `assert_called_with`/..., a sequence's `index`/`count`/`remove`, a
  mapping's or set's `get`/`pop`/`setdefault`/`add`/`discard`;
- a hashed use, which compares on a collision: such a value as a subscript
  (`table[proxy] = True`) or a dict or set display key;
- lets such a value go where it may be compared later: a yield, or a store
  into an attribute or item (`self.x = ...`: a set-up method).
Otherwise the test is ruled out: listed at confidence 0, out of the default
selection (as impact_unrun). Another chain free of `__eq__` protocol links
keeps it (as impact_containeruse).

An operand the function binds to literals only holds no instance either:
a test parameter that every `pytest.mark.parametrize` row binds to a literal
and the body never rebinds (`assert str(spec) == expected`), and what a
`pytest.raises(...) as info` binding reads off itself (`info.exconly()`,
`info.typename`: strs). Rows made by `pytest.param`, a comprehension or a
module-level name are not read: their names stay possible holders.
An annotation (`self.extras: set[str] = ...`) is a type: its subscript is
no hashed lookup. And a function inside the chain, not its last, that
stores into `self.x` hands the value to its instance, which the next
function holds (`Requirement.__init__` storing a `Marker`): the store alone
compares nothing there, unless the stored value is a hashed container
made on the spot from what may be instances (`frozenset(map(Specifier,
...))` compares equal items).
Packaging (depth 8, default selection, same cached truth): -220 false
pairs, no true pair lost (precision 0.531 -> 0.555, recall 0.889 kept);
the parametrized and raises operands give -62 of them, the annotation and
hand-over rules (which need each other there) the other -158.

Packaging, second pass (cases in tests/unit/test_impact_equality.py):
- a hashed container made of fresh values (`self._specs =
  frozenset(map(Specifier, specs))`) runs their `__hash__` and compares
  two of them only when they are equal, which callers rarely pass: the
  store hands the values on like any other (CREATION_RULE);
- an attribute read off a call's result (`Specifier(spec).operator == op`,
  `Version("2.1.0").major == 2`) is a field or property of the value made
  there, like one read off a local (CALL_ATTRIBUTE_RULE);
- a call, or a property read, whose every workspace definition of that
  name is annotated to return builtin scalars or containers of them
  (`canonicalize_version(...) -> str`) holds no instance (SCALAR_RULE);
- a local bound only to such values (`summary = "Hello"`, `items =
  {str(i) for i in spec}`) holds none (LOCALS_RULE); `list(map(C, xs))`
  carries what its arguments hold;
- a function next after the class on the chain that makes the instance and
  uses it only as a receiver whose members give builtin scalars or nothing
  used (`spec = Specifier(...); return spec.contains(lhs)` in `_eval_op`)
  keeps it: the functions after it never hold it (CONFINED_RULE, through
  `ProtocolUse._confined`).
Measured (evals.impact, depth 8, default selection, same cached truth,
rules added one at a time over the 16 projects): CREATION_RULE packaging
0.889 / 0.555 -> 0.873 / 0.596 (-420 pairs, 48 true: tests whose
specifier sets hash, which the off `__hash__` link would own), nothing else
moved; CALL_ATTRIBUTE_RULE with SCALAR_RULE packaging -> 0.873 / 0.604,
attrs -6 false pairs, wrapt -3, voluptuous -1; LOCALS_RULE packaging ->
0.869 / 0.608 (-53 pairs, 12 true ones of the same hashing tests), wrapt
-4, boltons -1 (a first version that took `list(map(C, xs))` as holding
wherever it was compared, not only as a local's value, cost toolz 2 and
more-itertools 1 false pairs); CONFINED_RULE packaging -> 0.869 / 0.611,
nothing else moved.
The `__hash__` link itself (impact_protocols.HASH_RULE, through `hashes`)
would find the hashing tests that CREATION_RULE leaves to it, but it is off:
on packaging it added 722 selected pairs for 94 true ones (value-dependent:
empty specifier sets hash nothing).

Not counted: passing such a value to some other call. The callee may
compare it out of sight, but nearly every test passes its values on
(`wrapt.ObjectProxy(function1)`, `wrapper(*args)`): counting that kept 312
of wrapt's 325 pairs of `ObjectProxy.__eq__` (a first version, -8 false).

Finds and costs, default selection at depth 8 (evals.impact, the rule
switched off in the final code, same cached truth), no true pair lost
anywhere: wrapt -58 false pairs (precision 0.643 -> 0.661; all of
`ObjectProxy.__eq__`: 296 -> 238 false, its 29 true kept), toolz -18
(0.621 -> 0.628, curry's `__eq__`), boltons -14 (0.652 -> 0.655),
more-itertools -4 (0.823 -> 0.825); attrs and marshmallow identical (see
the note of issue 12 for the rest). Like the container rule it reads
function bodies, so it runs only up to impact.GUARD_MAX_FILES Python files.
"""

from __future__ import annotations

import ast

from indexer.analysis.impact_containeruse import ProtocolUse, _callee_name, _literal
from indexer.analysis.impact_containeruse import _may_hold as _may_hold_any
from indexer.analysis import impact_protocols
from indexer.analysis.impact_protocols import HASHED
from indexer.graph import python_ast
from indexer.graph.vocab import SymbolKind

_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)

RULE = True  # switch, for its test
# A test parameter whose every `pytest.mark.parametrize` value is a literal
# holds no instance: `assert str(spec) == expected` compares two strs.
PARAMETRIZED_RULE = True
# `with pytest.raises(E) as info:` binds an ExceptionInfo: `info.exconly()`,
# `info.typename` are strs, `info.match(...)` a bool: no instance of ours.
RAISES_RULE = True
# A function inside the chain (not its last) that stores a value into
# `self.x` hands it to its instance, which the next function on the chain
# holds: that function's comparisons decide. Not a hashed container made
# there (`self._specs = frozenset(...)` compares equal items on the spot).
HANDOVER_RULE = True
_HASHING = frozenset({"set", "frozenset", "dict", "OrderedDict", "Counter", "defaultdict"})
# A hashed container made on the spot from fresh values (`self._specs =
# frozenset(map(Specifier, specs))`) runs their `__hash__`; their `__eq__`
# only for two equal items, which a caller rarely passes: the store hands
# the values over like any other (HANDOVER_RULE), and the `__hash__` link
# (impact_protocols.HASH_RULE) keeps the chain through the hashing.
CREATION_RULE = True
# Calls that hash their arguments (a set's or mapping's methods, unittest's
# membership and counting assertions).
_HASHING_CALLS = frozenset({
    "add", "discard", "get", "pop", "setdefault", "remove", "fromkeys",
    "assertIn", "assertNotIn", "assertCountEqual", "assertItemsEqual",
})
# An annotation's subscript (`x: set[str] = ...`) is a type, not a hashed lookup.
ANNOTATION_RULE = True
# An attribute read off a call's result (`Version("2.1.0").major == 2`,
# `Specifier(spec).operator == op`) is like one off a local: a field or
# property of the value made there, not the value itself.
CALL_ATTRIBUTE_RULE = True
# A call of a workspace function, or a read of a property, whose every
# definition of that name is annotated to return builtin scalars or
# containers of them (`-> str`, `-> tuple[int, ...]`, `-> bool | None`)
# gives no instance: `canonicalize_version(v) == expected` compares strs.
# A class, or a class-level variable, of that name gives anything.
SCALAR_RULE = True
_SCALARS = frozenset({"str", "int", "bool", "float", "bytes", "complex", "None", "Optional",
                      "tuple", "list", "set", "frozenset", "dict", "Tuple", "List", "Set", "FrozenSet", "Dict",
                      "Iterator", "Iterable", "Sequence", "Mapping"})
# A local every binding of which (in the function, nested scopes included)
# is a value that holds no instance (`summary = "Hello"`, `items =
# {str(i) for i in spec}`, `n = len(x)`) holds none; nor does a
# comprehension whose element holds none.
LOCALS_RULE = True
# A function that makes an instance and uses it only as a receiver
# (`spec = Specifier(...); return spec.contains(x)`, `contains -> bool`)
# keeps it: no function after it on the chain holds it, and it compares
# none itself (CONFINED_RULE).
CONFINED_RULE = True
# Builtins whose result carries their arguments' items (`list(map(C, xs))`).
_CARRYING = frozenset({"list", "tuple", "set", "frozenset", "sorted", "reversed", "iter", "next", "min", "max",
                       "zip", "enumerate", "filter"})
_RAISES = frozenset({"raises", "warns"})
_INFO_INERT = frozenset({"exconly", "typename", "match", "getrepr", "errisinstance"})
METHOD = "__eq__"
# Calls that compare their arguments with `==`.
_COMPARING = frozenset({
    "assertEqual", "assertEquals", "assertNotEqual", "assertNotEquals", "assertIn", "assertNotIn",
    "assertCountEqual", "assertItemsEqual", "assertListEqual", "assertTupleEqual", "assertSequenceEqual",
    "assertDictEqual", "assertSetEqual", "assertDictContainsSubset", "assertAlmostEqual", "assertNotAlmostEqual",
    "assert_called_with", "assert_called_once_with", "assert_any_call", "assert_has_calls",
    "index", "count", "remove", "__eq__", "__ne__", "__contains__", "eq", "ne", "contains", "countOf", "indexOf",
    "get", "pop", "setdefault", "add", "discard",  # a hashed lookup compares the key on a collision
})


def _parametrize_names(decorator: ast.AST) -> list[str] | None:
    """The parameter names of a `@pytest.mark.parametrize(names, rows)`."""
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "parametrize" and len(decorator.args) >= 2):
        return None
    names = decorator.args[0]
    if isinstance(names, ast.Constant) and isinstance(names.value, str):
        return [n.strip() for n in names.value.split(",") if n.strip()]
    if isinstance(names, (ast.Tuple, ast.List)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in names.elts):
        return [e.value for e in names.elts]
    return None


def inert_parameters(node: ast.AST) -> frozenset[str]:
    """Parameters bound only to literals by `pytest.mark.parametrize`: every
    row's value for that name is a literal (`("<2.0", "<2.0")`). A row made
    by `pytest.param(...)`, a comprehension or a module name is not read:
    its names stay possible holders."""
    if not PARAMETRIZED_RULE or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return frozenset()
    inert: set[str] = set()
    for decorator in node.decorator_list:
        names = _parametrize_names(decorator)
        rows = decorator.args[1] if names else None
        if not names or not isinstance(rows, (ast.List, ast.Tuple)):
            continue
        for i, name in enumerate(names):
            values = []
            for row in rows.elts:
                if len(names) == 1:
                    values.append(row)
                elif isinstance(row, (ast.Tuple, ast.List)) and len(row.elts) == len(names):
                    values.append(row.elts[i])
                else:
                    values = None
                    break
            if values is not None and all(_literal(v) for v in values):
                inert.add(name)
    # A name rebound in the body may hold anything afterwards.
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            inert.discard(sub.id)
    return frozenset(inert)


def raises_infos(node: ast.AST) -> frozenset[str]:
    """Names bound by `with pytest.raises(...) as name` (or `warns`)."""
    if not RAISES_RULE:
        return frozenset()
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, (ast.With, ast.AsyncWith)):
            for item in sub.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                        and call.func.attr in _RAISES and isinstance(item.optional_vars, ast.Name):
                    names.add(item.optional_vars.id)
    return frozenset(names)


def _handed_over(targets, value) -> bool:
    """`self.x = value` with no hashed container made on the spot."""
    for target in targets:
        root = target
        while isinstance(root, ast.Attribute):
            root = root.value
        if not (isinstance(target, ast.Attribute) and isinstance(root, ast.Name) and root.id == "self"):
            return False
    return value is None or CREATION_RULE or not any(_hashes(sub) for sub in ast.walk(value))


def _hashes(expr: ast.AST) -> bool:
    """A hashed container made of what may be an instance: `frozenset(map(C, ...))`,
    `{key: ...}` (not `set(parsed.extras or [])`, read off a local)."""
    if isinstance(expr, (ast.SetComp, ast.DictComp)):
        return True
    if isinstance(expr, (ast.Set, ast.Dict)):
        keys = expr.keys if isinstance(expr, ast.Dict) else expr.elts
        return any(k is None or _may_hold_any(k) for k in keys)
    return isinstance(expr, ast.Call) and _callee_name(expr)[0] in _HASHING and any(
        _may_hold_any(a.value if isinstance(a, ast.Starred) else a) for a in (*expr.args, *expr.keywords))


def _annotation_nodes(node: ast.AST) -> frozenset[int]:
    """The nodes of the annotations in a body (`x: set[str] = ...`,
    `def f(a: dict[str, C]) -> list[C]`): types, never run as a lookup."""
    found: set[int] = set()
    for sub in ast.walk(node):
        notes = []
        if isinstance(sub, ast.AnnAssign):
            notes.append(sub.annotation)
        elif isinstance(sub, ast.arg) and sub.annotation is not None:
            notes.append(sub.annotation)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)) and sub.returns is not None:
            notes.append(sub.returns)
        for note in notes:
            found.update(id(n) for n in ast.walk(note))
    return frozenset(found)


def _builtin_member(name: str) -> bool:
    """A member name of a builtin type (`d.get(k)`, `s.copy()`): the receiver
    may be a builtin whose member gives anything, whatever a workspace
    definition of that name returns."""
    return any(hasattr(kind, name) for kind in (dict, list, set, str, bytes, tuple, int, float, object))


def _scalar_annotation(text: str) -> bool:
    """Whether a return annotation names builtin scalars or containers of them only."""
    try:
        module = python_ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    if len(module.body) != 1 or not isinstance(module.body[0], ast.Expr):
        return False
    tree = module.body[0].value

    def scalar(expr: ast.AST) -> bool:
        if isinstance(expr, ast.Constant):
            return expr.value is None or expr.value is Ellipsis or (isinstance(expr.value, str) and _scalar_annotation(expr.value))
        if isinstance(expr, ast.Name):
            return expr.id in _SCALARS
        if isinstance(expr, ast.Attribute):  # typing.Optional
            return expr.attr in _SCALARS and isinstance(expr.value, ast.Name)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            return scalar(expr.left) and scalar(expr.right)
        if isinstance(expr, ast.Subscript):
            inner = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
            return scalar(expr.value) and all(scalar(e) for e in inner)
        return False
    return scalar(tree)


def scalar_names(graph, memo: dict):
    """`named(name, called)`: whether every workspace definition of `name`
    returns builtin scalars (called) or is such a property (read)."""
    def named(name: str, called: bool) -> bool:
        key = ("scalar result", name, called)
        if key not in memo:
            memo[key] = _scalar_defined(graph, name, called)
        return memo[key]
    return named


def _scalar_defined(graph, name: str, called: bool) -> bool:
    found = False
    for qualname in graph.qualnames_named(name, limit=50):
        for sym in graph.symbols(qualname):
            if sym.kind in _CALLABLE:
                if called == ("property" in sym.flags):
                    if called:
                        return False  # a property's value, called: anything
                    continue
                head, arrow, returns = sym.signature.rpartition("->")
                if not arrow or not _scalar_annotation(returns.strip()):
                    return False
                found = True
            elif sym.kind == SymbolKind.CLASS:
                return False
            elif sym.kind == SymbolKind.VARIABLE and sym.parent and not called:
                parent = graph.symbol(sym.parent)
                if parent is None or parent.kind in (SymbolKind.CLASS, SymbolKind.MODULE):
                    return False  # a class field or module global of that name: any value
    return found


def _holder_test(node: ast.AST, scalar=None):
    """Whether an expression in `node` may be (or carry) an instance: not a
    literal, a literal-bound test parameter or a pytest.raises reading, nor
    (`scalar`, SCALAR_RULE) a call or property read that returns builtin
    scalars, nor an attribute read off a call (CALL_ATTRIBUTE_RULE)."""
    inert = set(inert_parameters(node))
    infos = raises_infos(node)

    def _info_read(expr: ast.AST) -> bool:
        """`info.exconly()`, `info.typename` off a pytest.raises binding."""
        if isinstance(expr, ast.Call):
            expr = expr.func
        return isinstance(expr, ast.Attribute) and expr.attr in _INFO_INERT \
            and isinstance(expr.value, ast.Name) and expr.value.id in infos

    def _may_hold(expr: ast.AST) -> bool:
        if isinstance(expr, ast.Name) and expr.id in inert:
            return False
        if infos and _info_read(expr):
            return False
        if isinstance(expr, ast.Attribute) and isinstance(expr.ctx, ast.Load):
            root = expr.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if CALL_ATTRIBUTE_RULE and isinstance(root, ast.Call):
                return False
            if SCALAR_RULE and scalar is not None and not _builtin_member(expr.attr) and scalar(expr.attr, False):
                return False
        if SCALAR_RULE and scalar is not None and isinstance(expr, ast.Call):
            name, attribute = _callee_name(expr)
            if name and not (attribute and _builtin_member(name)) and scalar(name, True):
                return False
        if LOCALS_RULE and isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return _may_hold(expr.elt)
        if LOCALS_RULE and isinstance(expr, ast.DictComp):
            return _may_hold(expr.key) or _may_hold(expr.value)
        return _may_hold_any(expr)

    def _bound_may_hold(expr: ast.AST) -> bool:
        """`_may_hold` for a local's value: a builtin that carries its
        arguments' items (`list(map(C, xs))`) holds what they hold (a
        compared `list(...)` itself stays a harmless builtin's result)."""
        name, attribute = _callee_name(expr) if isinstance(expr, ast.Call) else (None, True)
        if name in _CARRYING and not attribute:
            return any(_bound_may_hold(a.value if isinstance(a, ast.Starred) else a) for a in expr.args) or any(
                _bound_may_hold(k.value) for k in expr.keywords)
        return _may_hold(expr)

    if LOCALS_RULE:
        inert.update(_inert_locals(node, _bound_may_hold, inert))
    return _may_hold


def _inert_locals(node: ast.AST, may_hold, inert: set) -> set[str]:
    """The locals of `node` bound only to values that hold no instance:
    plain `name = value` bindings; a parameter, loop or `with` target,
    unpacking, import, global or nested definition binds an unknown value."""
    values: dict[int, ast.AST | None] = {}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assign):
            for target in sub.targets:
                if isinstance(target, ast.Name):
                    values[id(target)] = sub.value
        elif isinstance(sub, ast.AnnAssign) and isinstance(sub.target, ast.Name) and sub.value is not None:
            values[id(sub.target)] = sub.value
    bound: dict[str, list] = {}
    unknown: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            value = values.get(id(sub))
            if value is None:
                unknown.add(sub.id)
            else:
                bound.setdefault(sub.id, []).append(value)
        elif isinstance(sub, ast.arg):
            unknown.add(sub.arg)
        elif isinstance(sub, (ast.Global, ast.Nonlocal)):
            unknown.update(sub.names)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            unknown.update((alias.asname or alias.name).split(".")[0] for alias in sub.names)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and sub is not node:
            unknown.add(sub.name)
        elif isinstance(sub, ast.ExceptHandler) and sub.name:
            unknown.add(sub.name)
        elif isinstance(sub, (ast.MatchAs, ast.MatchStar)) and sub.name:
            unknown.add(sub.name)
    found: set[str] = set()
    candidates = {name: exprs for name, exprs in bound.items() if name not in unknown and name not in inert}
    changed = True
    while changed:
        changed = False
        for name, exprs in candidates.items():
            if name not in found and not any(may_hold(e) for e in exprs):
                found.add(name)
                inert.add(name)  # (read by `may_hold` for the next names)
                changed = True
    return found


def hashes(node: ast.AST, handed_on: bool = False, scalar=None) -> bool:
    """Whether a function's body (nested definitions included) may run
    `__hash__` on a value it holds: `hash(x)`, a hashed container made of
    such values (`frozenset(map(C, xs))`, `{x: ...}`, `{x for ...}`), a
    hashed lookup (`d[x]`, `x in s`, `s.add(x)`, `assertIn(x, s)`), or a
    yield or store that lets the value go where it may be hashed later
    (not a store into `self` that hands it on: `handed_on`, HANDOVER_RULE)."""
    handed_on = handed_on and HANDOVER_RULE
    _may_hold = _holder_test(node, scalar)
    typing = _annotation_nodes(node) if ANNOTATION_RULE else frozenset()

    def _args_hold(call: ast.Call) -> bool:
        return any(_may_hold(a.value if isinstance(a, ast.Starred) else a) for a in (*call.args, *call.keywords))

    for sub in ast.walk(node):
        if typing and id(sub) in typing:
            continue
        if isinstance(sub, ast.Call):
            name, attribute = _callee_name(sub)
            if ((not attribute and name in ("hash", *_HASHING)) or name in _HASHING_CALLS) and _args_hold(sub):
                return True
        elif isinstance(sub, ast.Compare):
            operands = [sub.left, *sub.comparators]
            if any(isinstance(op, (ast.In, ast.NotIn)) and _may_hold(operands[i]) for i, op in enumerate(sub.ops)):
                return True
        elif isinstance(sub, (ast.SetComp, ast.DictComp)):
            if _may_hold(sub.elt if isinstance(sub, ast.SetComp) else sub.key):
                return True
        elif _lets_go(sub, _may_hold, handed_on):
            return True
    return False


def _lets_go(sub: ast.AST, may_hold, handed_on: bool) -> bool:
    """The forms `compares` and `hashes` share: a yield or a store that lets
    a held value go out of sight, a lookup keyed by it, a display holding
    it as a key."""
    if isinstance(sub, (ast.Yield, ast.YieldFrom)):
        return sub.value is not None and not _literal(sub.value)
    if isinstance(sub, (ast.Assign, ast.AnnAssign)):
        targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
        if handed_on and _handed_over(targets, sub.value):
            return False
        # `self.x = ...`, `d[k] = ...`: read, compared or hashed later, out of sight
        return sub.value is not None and not _literal(sub.value) and any(
            isinstance(t, (ast.Attribute, ast.Subscript)) for target in targets for t in ast.walk(target))
    if isinstance(sub, ast.Subscript):
        return may_hold(sub.slice)  # `d[key]`: hashes the key, compares it on a collision
    if isinstance(sub, (ast.Dict, ast.Set)):
        keys = sub.keys if isinstance(sub, ast.Dict) else sub.elts
        return any(k is not None and may_hold(k) for k in keys)
    return False


def confines(node: ast.AST, cls: str, scalar=None) -> bool:
    """Whether every instance of the class named `cls` that `node` makes
    (`cls(...)`, nested definitions included) is used only as a receiver:
    directly (`cls(x).m()`) or through a local bound once to it
    (`v = cls(x)`; `v.m()`, `v.a = ...`), where each receiver use gives no
    instance: its result is unused, or the member returns builtin scalars
    (SCALAR_RULE's reading). No such call: not known, False."""
    parents: dict[int, ast.AST] = {}
    for sub in ast.walk(node):
        for child in ast.iter_child_nodes(sub):
            parents[id(child)] = sub

    def receiver_only(expr: ast.AST) -> bool:
        up = parents.get(id(expr))
        if not (isinstance(up, ast.Attribute) and up.value is expr):
            return False
        if isinstance(up.ctx, ast.Store):
            return True
        call = parents.get(id(up))
        if isinstance(call, ast.Call) and call.func is up:
            return isinstance(parents.get(id(call)), ast.Expr) or (
                scalar is not None and not _builtin_member(up.attr) and scalar(up.attr, True))
        return scalar is not None and not _builtin_member(up.attr) and scalar(up.attr, False)

    made = [sub for sub in ast.walk(node) if isinstance(sub, ast.Call)
            and ((isinstance(sub.func, ast.Name) and sub.func.id == cls)
                 or (isinstance(sub.func, ast.Attribute) and sub.func.attr == cls))]
    if not made:
        return False
    stores = [sub for sub in ast.walk(node) if isinstance(sub, ast.Name) and not isinstance(sub.ctx, ast.Load)]
    for call in made:
        up = parents.get(id(call))
        if isinstance(up, ast.Assign) and len(up.targets) == 1 and isinstance(up.targets[0], ast.Name):
            name = up.targets[0].id
            if sum(1 for s in stores if s.id == name) != 1 or any(
                    isinstance(a, ast.arg) and a.arg == name for a in ast.walk(node)):
                return False
            uses = [sub for sub in ast.walk(node) if isinstance(sub, ast.Name) and sub.id == name
                    and isinstance(sub.ctx, ast.Load)]
            if not all(receiver_only(use) for use in uses):
                return False
        elif not receiver_only(call):
            return False
    return True


def compares(node: ast.AST, handed_on: bool = False, scalar=None) -> bool:
    """Whether a function's body (nested definitions included) may run
    `__eq__` on a value it holds: see the module docstring. `handed_on`:
    a later function on the chain holds what this one stores into `self`."""
    handed_on = handed_on and HANDOVER_RULE
    _may_hold = _holder_test(node, scalar)
    typing = _annotation_nodes(node) if ANNOTATION_RULE else frozenset()
    for sub in ast.walk(node):
        if typing and id(sub) in typing:
            continue
        if isinstance(sub, ast.Compare):
            operands = [sub.left, *sub.comparators]
            for i, op in enumerate(sub.ops):
                if isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) and (
                        _may_hold(operands[i]) or _may_hold(operands[i + 1])):
                    return True
        elif _lets_go(sub, _may_hold, handed_on):
            return True
        elif isinstance(sub, ast.Call) and _callee_name(sub)[0] in _COMPARING and any(
                _may_hold(a.value if isinstance(a, ast.Starred) else a) for a in (*sub.args, *sub.keywords)):
            return True
    return False


class EqualityUse(ProtocolUse):
    """Per report: whether a test's chain crosses an `__eq__` (or `__hash__`,
    impact_protocols.HASH_RULE) protocol link with no function on it that
    may compare (or hash). The part of the chain after the class is the same
    whichever of the two reached it: where the walk reached both on that
    class, a function that may run either keeps the test."""

    def _enabled(self) -> bool:
        return RULE

    def _counts(self, name: str) -> bool:
        return name == METHOD or (name == HASHED and impact_protocols.HASH_RULE)

    def _asked(self, sym, held: str):
        return frozenset(name for name in (METHOD, HASHED)
                         if name == sym.name or (self._counts(name) and f"{held}.{name}" in self.walk.reach))

    def _runs(self, scope, sym, asked) -> bool:
        return self._runs_at(scope, sym, asked, True)

    def _runs_at(self, scope, sym, asked, last: bool) -> bool:
        return any(self._uses(scope, name, not last) for name in asked)

    def _confined(self, held: str, user: str) -> bool:
        if not CONFINED_RULE:
            return False
        key = ("equality confined", held, user)
        if key not in self.memo:
            sym = self.walk.symbol(user)
            node = self.guards.node_of(sym) if sym is not None and sym.kind in _CALLABLE else None
            self.memo[key] = node is not None and confines(
                node, held.rpartition(".")[2], scalar_names(self.guards.graph, self.memo))
        return self.memo[key]

    def _uses(self, scope, name: str, handed_on: bool) -> bool:
        key = ("equality use", scope.qualname, name, handed_on)
        if key not in self.memo:
            node = self.guards.node_of(scope)
            check = compares if name == METHOD else hashes
            self.memo[key] = True if node is None else check(
                node, handed_on, scalar_names(self.guards.graph, self.memo))  # unknown: kept
        return self.memo[key]
