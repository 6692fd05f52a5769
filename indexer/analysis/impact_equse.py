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

from indexer.analysis.impact_containeruse import ProtocolUse, _callee_name, _literal, _may_hold

RULE = True  # switch, for its test
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


def compares(node: ast.AST) -> bool:
    """Whether a function's body (nested definitions included) may run
    `__eq__` on a value it holds: see the module docstring."""
    for sub in ast.walk(node):
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
        return self._compares(scope)

    def _compares(self, scope) -> bool:
        key = ("equality use", scope.qualname)
        if key not in self.memo:
            node = self.guards.node_of(scope)
            self.memo[key] = True if node is None else compares(node)  # unknown: kept
        return self.memo[key]
