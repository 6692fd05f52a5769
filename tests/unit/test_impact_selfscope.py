"""impact_selfscope: whose `self` a local definition reads, and the mixin
test copies that keep the base's own method (issue 12, cachetools). One
source tree per idiom; each case switches its rule on and off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_selfscope
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)

# cachetools: the mixin's test subclasses its test class's own `Cache`
# inside the test (`class DefaultCache(self.Cache)`); each test class runs
# its copy with its own cache class.
LOCAL_CLASS = {
    "lib.py": """
        class Cache:
            def __missing__(self, key):
                raise KeyError(key)

        class LRUCache(Cache):
            def __missing__(self, key):
                return key
        """,
    "tests/__init__.py": """
        class CacheTestMixin:
            Cache = None

            def test_missing(self):
                class DefaultCache(self.Cache):
                    pass

                def make():
                    return self.Cache()

                assert DefaultCache().__missing__(1) == make().__missing__(1)
        """,
    "tests/test_cache.py": """
        import unittest
        import lib
        from . import CacheTestMixin

        class CacheTest(unittest.TestCase, CacheTestMixin):
            Cache = lib.Cache
        """,
    "tests/test_lru.py": """
        import unittest
        from lib import LRUCache
        from . import CacheTestMixin

        class LRUCacheTest(unittest.TestCase, CacheTestMixin):
            Cache = LRUCache
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_local_class_in_a_mixin_test_reads_the_test_class_s_self(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_selfscope, "RULE", rule)
    indexer, g = build(tmp_path, LOCAL_CLASS)
    report = impact(g, "lib.LRUCache.__missing__")
    assert "tests/test_lru.py::LRUCacheTest::test_missing" in selected(report)
    # CacheTest's copy subclasses lib.Cache, whose instances never run LRUCache's method:
    # listed, ruled out, by the rule; selected without it.
    assert "tests/test_cache.py::CacheTest::test_missing" in listed(report)
    assert ("tests/test_cache.py::CacheTest::test_missing" in selected(report)) is not rule
    indexer.close()


def test_self_scope_climbs_only_out_of_functions(tmp_path):
    indexer, g = build(tmp_path, LOCAL_CLASS)
    scope = impact_selfscope.self_scope
    assert scope(g.symbol("tests.CacheTestMixin.test_missing.DefaultCache"), g.symbol).qualname \
        == "tests.CacheTestMixin.test_missing"
    assert scope(g.symbol("tests.CacheTestMixin.test_missing.make"), g.symbol).qualname \
        == "tests.CacheTestMixin.test_missing"
    # A method of a class at module level is its own scope; so is a module-level class.
    assert scope(g.symbol("lib.LRUCache.__missing__"), g.symbol).qualname == "lib.LRUCache.__missing__"
    assert scope(g.symbol("lib.LRUCache"), g.symbol).qualname == "lib.LRUCache"
    assert scope(None, g.symbol) is None
    indexer.close()


# cachetools: the mixin's tests call `self.decorator(...)`; the base's
# `decorator` calls the test class's `DECORATOR`, and one test class
# overrides `decorator` itself. A change under every decorator reaches the
# test through both; the walk keeps one chain (through the override).
BASE_AND_OVERRIDE = {
    "lib.py": """
        def cached(func):
            return func

        def lru_cache(func):
            return cached(func)

        def mru_cache(func):
            return cached(func)

        def fifo_cache(func):
            return func
        """,
    "tests/test_func.py": """
        import unittest
        import lib

        class DecoratorTestMixin:
            def decorator(self, func):
                return self.DECORATOR(func)

            def test_decorator(self):
                assert self.decorator(len)([1]) == 1

        class LRUDecoratorTest(unittest.TestCase, DecoratorTestMixin):
            DECORATOR = staticmethod(lib.lru_cache)

        class FIFODecoratorTest(unittest.TestCase, DecoratorTestMixin):
            DECORATOR = staticmethod(lib.fifo_cache)

        class MRUDecoratorTest(unittest.TestCase, DecoratorTestMixin):
            def decorator(self, func):
                return lib.mru_cache(func)
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_mixin_copies_that_keep_the_base_s_method_hold_what_it_reaches(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_selfscope, "INHERITED_RULE", rule)
    indexer, g = build(tmp_path, BASE_AND_OVERRIDE)
    report = impact(g, "lib.cached")
    assert "tests/test_func.py::MRUDecoratorTest::test_decorator" in selected(report)
    assert ("tests/test_func.py::LRUDecoratorTest::test_decorator" in selected(report)) is rule
    # FIFO's copy keeps the base's `decorator` too, but its DECORATOR never calls `cached`.
    assert "tests/test_func.py::FIFODecoratorTest::test_decorator" not in selected(report)
    indexer.close()
