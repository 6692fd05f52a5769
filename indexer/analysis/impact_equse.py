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
# An annotation's subscript (`x: set[str] = ...`) is a type, not a hashed lookup.
ANNOTATION_RULE = True
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
    return value is None or not any(_hashes(sub) for sub in ast.walk(value))


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


def compares(node: ast.AST, handed_on: bool = False) -> bool:
    """Whether a function's body (nested definitions included) may run
    `__eq__` on a value it holds: see the module docstring. `handed_on`:
    a later function on the chain holds what this one stores into `self`."""
    handed_on = handed_on and HANDOVER_RULE
    inert = inert_parameters(node)
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
        return _may_hold_any(expr)

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
        elif isinstance(sub, (ast.Yield, ast.YieldFrom)) and sub.value is not None and not _literal(sub.value):
            return True
        elif isinstance(sub, (ast.Assign, ast.AnnAssign)):
            targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
            if handed_on and _handed_over(targets, sub.value):
                continue
            if sub.value is not None and not _literal(sub.value) and any(
                    isinstance(t, (ast.Attribute, ast.Subscript)) for target in targets for t in ast.walk(target)):
                return True  # `self.x = ...`, `d[k] = ...`: read or hashed later, out of sight
        elif isinstance(sub, ast.Subscript) and _may_hold(sub.slice):
            return True  # `d[key]`: a dict lookup compares the key on a hash collision
        elif isinstance(sub, (ast.Dict, ast.Set)):
            keys = sub.keys if isinstance(sub, ast.Dict) else sub.elts
            if any(k is not None and _may_hold(k) for k in keys):
                return True
        elif isinstance(sub, ast.Call) and _callee_name(sub)[0] in _COMPARING and any(
                _may_hold(a.value if isinstance(a, ast.Starred) else a) for a in (*sub.args, *sub.keywords)):
            return True
    return False


class EqualityUse(ProtocolUse):
    """Per report: whether a test's chain crosses an `__eq__` protocol link
    with no function on it that may compare."""

    def _enabled(self) -> bool:
        return RULE

    def _counts(self, name: str) -> bool:
        return name == METHOD

    def _asked(self, sym, held: str):
        return True

    def _runs(self, scope, sym, asked) -> bool:
        return self._compares(scope, False)

    def _runs_at(self, scope, sym, asked, last: bool) -> bool:
        return self._compares(scope, not last)

    def _compares(self, scope, handed_on: bool) -> bool:
        key = ("equality use", scope.qualname, handed_on)
        if key not in self.memo:
            node = self.guards.node_of(scope)
            self.memo[key] = True if node is None else compares(node, handed_on)  # unknown: kept
        return self.memo[key]
