"""impact_containeruse: a mapping's item methods reach, through the
container rule, only the holders that may use items (issue 12,
cachetools). One source tree, one case per idiom, each with the rule on
and off."""

from __future__ import annotations

import ast
import textwrap

import pytest

from indexer.analysis import impact_containeruse
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)

# The test classes name their cache class as `Cache` (cachetools'
# CacheTestMixin): `cache[1] = 1` on `self.Cache()` names no method, so
# the container rule (impact_abc) is what links the item methods.
MAPPING = {
    "lib.py": """
        import collections.abc

        class Cache(collections.abc.MutableMapping):
            def __init__(self):
                self._data = {}

            def __getitem__(self, key):
                return self._data[key]

            def __setitem__(self, key, value):
                self._data[key] = value

            def __delitem__(self, key):
                del self._data[key]

            def __iter__(self):
                return iter(self._data)

            def __len__(self):
                return len(self._data)

            def size(self):
                return 1

            def fetch(self, key):
                return self[key]

        def remember(cache, key):
            cache[key] = key
        """,
    "tests/__init__.py": """
        import lib

        class CacheTestMixin:
            Cache = None

            def test_store(self):
                cache = self.Cache()
                cache[1] = 1

            def test_sizes(self):
                cache = self.Cache()
                assert len(cache) == 0 and cache.size() == 1
                self.assertEqual(repr(cache).startswith(cache.__class__.__name__), True)

            def test_passed(self):
                cache = self.Cache()
                lib.remember(cache, 1)

            def test_update(self):
                cache = self.Cache()
                cache.update({1: 2})

            def test_get(self):
                cache = self.Cache()
                assert cache.get(1) is None

            def test_fetch(self):
                cache = self.Cache()
                cache.fetch(1)

            def test_local_class(self):
                class Default(self.Cache):
                    def __missing__(self, key):
                        self[key] = key
                        return key

                assert len(Default()) == 0
        """,
    "tests/test_cache.py": """
        import unittest
        import lib
        from . import CacheTestMixin

        class CacheTest(unittest.TestCase, CacheTestMixin):
            Cache = lib.Cache
        """,
}

_ID = "tests/test_cache.py::CacheTest::"


@pytest.mark.parametrize("rule", [True, False])
def test_set_item_reaches_the_holders_that_store_items(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_containeruse, "RULE", rule)
    indexer, g = build(tmp_path, MAPPING)
    report = impact(g, "lib.Cache.__setitem__")
    # `c[k] = v`, `c.update(...)`, a call that may store into it, a local subclass that stores into itself.
    for kept in ("test_store", "test_update", "test_passed", "test_local_class"):
        assert _ID + kept in selected(report), kept
    # Holds a cache, stores nothing: listed, ruled out (`len`, `repr`, a method that stores nothing).
    for name in ("test_sizes", "test_get", "test_fetch"):
        assert _ID + name in listed(report)
        assert (_ID + name in selected(report)) is not rule, name
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
def test_get_item_reaches_the_holders_that_read_items(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_containeruse, "RULE", rule)
    indexer, g = build(tmp_path, MAPPING)
    report = impact(g, "lib.Cache.__getitem__")
    # The ABC's `get` reads items; so does the class's own `fetch` (`self[key]`).
    for kept in ("test_get", "test_fetch", "test_passed"):
        assert _ID + kept in selected(report), kept
    assert (_ID + "test_sizes" in selected(report)) is not rule
    indexer.close()


# A sequence's `__getitem__` is also what iteration and `in` run: the rule
# leaves sequences alone.
SEQUENCE = {
    "lib.py": """
        import collections.abc

        class Row(collections.abc.Sequence):
            def __getitem__(self, index):
                if index > 1:
                    raise IndexError(index)
                return index

            def __len__(self):
                return 2
        """,
    "tests/__init__.py": """
        class RowTestMixin:
            Row = None

            def test_sum(self):
                row = self.Row()
                assert len(row) == 2
        """,
    "tests/test_row.py": """
        import unittest
        import lib
        from . import RowTestMixin

        class RowTest(unittest.TestCase, RowTestMixin):
            Row = lib.Row
        """,
}


def test_a_sequence_s_get_item_is_left_to_the_container_rule(tmp_path):
    indexer, g = build(tmp_path, SEQUENCE)
    assert "tests/test_row.py::RowTest::test_sum" in selected(impact(g, "lib.Row.__getitem__"))
    indexer.close()


@pytest.mark.parametrize("source, method, expected", [
    ("c[1] = 2", "__setitem__", True),
    ("c[1] += 2", "__setitem__", True),
    ("del c[1]", "__delitem__", True),
    ("x = c[1]", "__getitem__", True),
    ("x = 1 in c", "__getitem__", True),
    ("x = c == {}", "__getitem__", True),
    ("f(**c)", "__getitem__", True),
    ("c.update({1: 2})", "__setitem__", True),
    ("c.pop(1)", "__delitem__", True),
    ("c.clear()", "__delitem__", True),
    ("c.fetch(1)", "__getitem__", True),  # a family method that reads `self[key]` (passed in)
    ("helper(c)", "__setitem__", True),  # goes where it may be stored into
    ("self.c = c", "__setitem__", True),  # kept for later (a set-up method)
    ("yield c", "__setitem__", True),  # a fixture's value
    ("x = c[1]", "__setitem__", False),
    ("x = 1 in c", "__setitem__", False),
    ("self.assertEqual(len(c), 0)", "__setitem__", False),
    ("self.assertEqual(c, {})", "__setitem__", False),  # compares: reads only
    ("self.assertEqual(c, {})", "__getitem__", True),
    ("x = repr(c).startswith(c.__class__.__name__)", "__getitem__", False),
    ("x = sorted(c)", "__getitem__", False),
    ("x = c.size()", "__setitem__", False),
])
def test_what_may_use_items(source, method, expected):
    node = ast.parse(textwrap.dedent(f"def test(self, c):\n    {source}\n"))
    assert impact_containeruse.uses(node, method, frozenset({"fetch"})) is expected


@pytest.mark.parametrize("source, expected", [
    ("x = len(c) == 0", False),
    ("x = c.maxsize == 1", False),
    ("x = 1 in (1, 2)", False),
    ("x = 1 in c.keys()", True),  # a call's result may be anything
    ("x = c != d", True),
])
def test_comparisons_that_read_items(source, expected):
    node = ast.parse(textwrap.dedent(f"def test(self, c, d):\n    {source}\n"))
    assert impact_containeruse.uses(node, "__getitem__", frozenset()) is expected
