"""Overrides of a method the base inherits from outside (issue 12,
cachetools): `Cache(MutableMapping).__setitem__` calls `self.popitem()`;
Cache defines no `popitem`, so the index resolves the call to
`collections.abc.MutableMapping.popitem`, and `LRUCache.popitem` (the
method a LRUCache instance runs there) had no dependent: 117 missed pairs.

The rule: a method overriding a name that the class's workspace bases
inherit from an outside base (the index names it `outside.Base.name`) is a
dispatch target of the bases' methods that call that outside member (how
"self"), as a base's own definition would be. The receiver rule then keeps
the tests that can hold the subclass. On cachetools (default selection,
depth 8) it finds 198 pairs for 351 false ones (popitem runs only when the
cache is full); the other seven projects are unchanged.
"""

from __future__ import annotations

from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test


def outside_callers(walk, method, bases: list[str], workspace_bases: set[str]) -> list[str]:
    """The methods of `workspace_bases` (bases of the method's class that do
    not define the name) that call `outside_base.name` for an outside base of
    the class."""
    if not RULE or method.kind != SymbolKind.METHOD or not workspace_bases:
        return []
    outside = [f"{base}.{method.name}" for base in bases if walk.symbol(base) is None]
    if not outside:
        return []
    return [user for user in walk.callers(outside) if user.rsplit(".", 1)[0] in workspace_bases]
