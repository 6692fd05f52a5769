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

Cost/finds per project: see `self_scope`'s docstring.
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
