"""Test methods a test class inherits from a plain class (issue 12,
cachetools): pytest collects every `test*` method of a unittest.TestCase
subclass or a `Test*` class, inherited ones included.

    # tests/__init__.py
    class CacheTestMixin:
        def test_insert(self):
            cache = self.Cache(maxsize=2)

    # tests/test_cache.py
    class CacheTest(unittest.TestCase, CacheTestMixin):
        Cache = Cache

`CacheTestMixin.test_insert` is no test where it is written (no test file,
no test class), yet it runs as `tests/test_cache.py::CacheTest::test_insert`
and in every other test subclass. Without this rule the walk reached the
mixin's method and stopped there: on cachetools 149 of `Cache.__init__`'s
182 tests were missed.
"""

from __future__ import annotations

from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
_PREFIX = "test"  # pytest's python_functions and unittest's testMethodPrefix


def inherited_test_ids(walk, sym, subclasses, node_id) -> list[str]:
    """The collected ids of a `test*` method of a class that is not a test,
    one per test subclass that inherits it (does not define the name
    itself). `subclasses(qualname)` lists every subclass, `node_id(symbol)`
    is pytest's id of a symbol."""
    if not RULE or sym.is_test or sym.kind != SymbolKind.METHOD or not sym.name.startswith(_PREFIX) \
            or not sym.parent:
        return []
    owner = walk.symbol(sym.parent)
    if owner is None or owner.kind != SymbolKind.CLASS or owner.is_test:
        return []
    out = []
    for sub in subclasses(owner.qualname):
        sub_symbol = walk.symbol(sub)
        if sub_symbol is None or not sub_symbol.is_test or walk.symbol(f"{sub}.{sym.name}") is not None:
            continue
        out.append(f"{node_id(sub_symbol)}::{sym.name}")
    return out
