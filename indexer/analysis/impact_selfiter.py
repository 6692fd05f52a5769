"""A class iterating itself (issue 12, boltons): `zip_longest(self, other)`
in `SpooledIOBase.__eq__` runs the class's `__iter__` and `__next__`, and no
reference says so (the call names only `zip_longest`; the iteration happens
in the standard library).

The rule: a method of the class (or of a base or subclass) that calls a
builtin or itertools function that consumes an iterable is a dispatch user
of the class's `__iter__`/`__next__` (how "protocol"); the receiver rule
then keeps the tests that can hold the class. Only the class's own
methods are linked: the argument may be `self` there, while any other
caller of `list(...)` would link every `__iter__` in the workspace. On boltons (after impact_protocols' library `__eq__`) it finds
35 pairs for 204 false ones, on more-itertools 18 for 4. The consumers are those that take `self` as
an argument in practice; `list`, `iter`, `min`/`max`/`sum` are left out:
click's ProgressBar calls them on its fields (24 pairs for 86 false).

A consumer's argument must be `self` or read off it (SELF_ARGUMENT): a
method consuming some other iterable iterates no instance. Default
selection, depth 8, before -> after on all 16 projects (evals.impact, same
cached truth; the 13 not named unchanged): packaging -69 false / -1 true
pair, P 0.525 -> 0.531 (SpecifierSet.__iter__ through
`frozenset(map(Specifier, parts))` in `__init__`); pyparsing -757 false /
-217 true, R 0.887 -> 0.885, P 0.289 -> 0.289; more-itertools -1 false / -12 true (R 0.936 -> 0.925, P 0.827 -> 0.826):
peekable.prepend's `reversed(items)` iterates no peekable, but the tests of
prepend do (`list(p)` in the test, which nothing links), so the old link
was right by chance there.
"""

from __future__ import annotations

import ast

from indexer.analysis.impact_guards import Guards
from indexer.graph.python_ast import callee_name
from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
# Only methods passing `self` itself to the consumer (switch, for its test):
# packaging's SpecifierSet.__init__ calls `frozenset(map(Specifier, parts))`,
# which iterates no SpecifierSet (89 false pairs of SpecifierSet.__iter__).
SELF_ARGUMENT = True
ITERATION_PROTOCOL = ("__iter__", "__next__")
# Library functions that iterate an argument (as the index names outside targets).
CONSUMERS = tuple(f"builtins.{name}" for name in ("zip", "enumerate", "sorted", "tuple", "reversed", "set", "frozenset")) + tuple(
    f"itertools.{name}" for name in ("zip_longest", "chain", "islice", "tee"))


_CONSUMER_NAMES = frozenset(name.rpartition(".")[2] for name in CONSUMERS)


def self_iterating_users(walk, method, hierarchy: set[str]) -> list[str]:
    """The methods of `hierarchy` (the method's class, its bases and
    subclasses) that call a consumer and may iterate `self`."""
    if not RULE or method.kind != SymbolKind.METHOD or method.name not in ITERATION_PROTOCOL:
        return []
    users = [user for user in walk.callers(CONSUMERS) if user.rsplit(".", 1)[0] in hierarchy]
    return [user for user in users if _passes_self(walk, user)] if SELF_ARGUMENT else users


def _passes_self(walk, user: str) -> bool:
    """Whether a consumer call in `user` takes `self` or a value read off it
    as an argument (`zip_longest(self, other)`, `islice(self._it, n)`), not
    some other iterable (`frozenset(map(Specifier, parts))` in an
    `__init__`). A body that cannot be read is kept."""
    key = ("self iterated", user)
    if key not in walk.memo:
        sym = walk.graph.symbol(user)
        node = Guards(walk.graph, walk.memo).node_of(sym) if sym is not None else None
        walk.memo[key] = node is None or any(
            isinstance(sub, ast.Call) and callee_name(sub.func) in _CONSUMER_NAMES and any(
                _of_self(arg.value if isinstance(arg, ast.Starred) else arg) for arg in sub.args)
            for sub in ast.walk(node))
    return walk.memo[key]


def _of_self(expr: ast.AST) -> bool:
    """`self`, or a value read off it (`self._it`: a wrapper iterating
    itself pulls from what it wraps)."""
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        expr = expr.value
    return isinstance(expr, ast.Name) and expr.id == "self"
