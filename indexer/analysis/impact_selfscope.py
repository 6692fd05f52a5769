"""Whose `self` a local definition sees (issue 12, cachetools): a class or
function defined inside a method reads the method's `self` as a closure
variable, so `self.Cache` in

    class CacheTestMixin:
        def test_missing(self):
            class DefaultCache(self.Cache):   # the test instance's Cache
                ...

is the test class's `Cache`, exactly as in the method's own body. The
self-dispatch rule (impact_members) binds such a dispatch to the test
classes that override `Cache`; it looked for the class around the
dispatching node itself, found a method there (DefaultCache's parent), and
left every inherited copy of the test holding every subclass's `Cache`.

Finds and costs, default selection at depth 8, each rule switched off in
the final code (evals.impact, eight projects):
- `RULE` (1.): cachetools -1,139 false pairs, no true one lost (precision
  0.546 -> 0.693 at recall 0.939). Rules 1 and 2 together leave pluggy,
  toolz, attrs, marshmallow, click, more-itertools and boltons identical
  pair for pair at depths 6, 8 and 10 (not measured one by one there).
- `INHERITED_RULE` (2.): cachetools +403 true pairs for +318 false ones
  (0.810 / 0.721 -> 0.939 / 0.693): the FIFO, LFU, LRU, RR and TTL copies
  of the decorator mixin's tests.
"""

from __future__ import annotations

from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
_LOCAL_KINDS = (SymbolKind.CLASS, SymbolKind.FUNCTION, SymbolKind.METHOD)
_SCOPES = (SymbolKind.FUNCTION, SymbolKind.METHOD)


def self_scope(sym, lookup):
    """The method whose `self` `sym` reads: `sym` itself unless it is a class
    or function defined inside a function, then the outermost function of
    that nesting (a method when the nesting starts in a class body)."""
    if not RULE or sym is None:
        return sym
    seen = 0
    while sym.kind in _LOCAL_KINDS and sym.parent and seen < 16:
        parent = lookup(sym.parent)
        if parent is None or parent.kind not in _SCOPES:
            return sym
        sym, seen = parent, seen + 1
    return sym


# 2. The copies that keep the base's own method. The walk keeps one chain per
# node: `DecoratorTestMixin.test_decorator` (`self.decorator(...)`) was
# reached through `MRUDecoratorTest.decorator`, an override, so only the
# MRU copies of the test were kept, though the base's own `decorator` (which
# the FIFO, LFU, LRU, RR and TTL copies run) is reached as well and calls
# into the same test. Those copies hold it too: the classes that inherit
# the base's method, as far as that method's own chain allows.
INHERITED_RULE = True  # switch, for its test


def inherited_holders(into, lookup, subclasses, allowed_of):
    """`inherited(user, name)`: the test classes whose copies of `user` run
    a reached, not overridden `name` that calls into `user`. `into(user)`
    lists the reached nodes with a link into `user` other than a dispatch;
    `allowed_of(node)` is the self-dispatch rule's answer for that node's
    own chain (None: no constraint)."""
    busy: set[tuple[str, str]] = set()

    def inherited(user: str, name: str) -> set[str]:
        out: set[str] = set()
        if not INHERITED_RULE or (user, name) in busy:
            return out
        busy.add((user, name))
        try:
            for callee in into(user):
                sym = lookup(callee)
                if sym is None or sym.kind != SymbolKind.METHOD or sym.name != name or not sym.parent:
                    continue
                subs = subclasses(sym.parent)
                over = {c for c in subs if lookup(f"{c}.{name}") is not None}
                beneath = over | {q for c in over for q in subclasses(c)}
                classes = {sym.parent, *(c for c in subs if c not in beneath)}
                allowed = allowed_of(callee)
                out |= classes if allowed is None else classes & allowed
        finally:
            busy.discard((user, name))
        return out

    return inherited
