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
"""

from __future__ import annotations

from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
ITERATION_PROTOCOL = ("__iter__", "__next__")
# Library functions that iterate an argument (as the index names outside targets).
CONSUMERS = tuple(f"builtins.{name}" for name in ("zip", "enumerate", "sorted", "tuple", "reversed", "set", "frozenset")) + tuple(
    f"itertools.{name}" for name in ("zip_longest", "chain", "islice", "tee"))


def self_iterating_users(walk, method, hierarchy: set[str]) -> list[str]:
    """The methods of `hierarchy` (the method's class, its bases and
    subclasses) that call a consumer and may iterate `self`."""
    if not RULE or method.kind != SymbolKind.METHOD or method.name not in ITERATION_PROTOCOL:
        return []
    return [user for user in walk.callers(CONSUMERS) if user.rsplit(".", 1)[0] in hierarchy]
