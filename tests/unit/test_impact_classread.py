"""impact_classread: a method read through its class's name is that
class's function, no dispatch site for a subclass's override (issue 12,
cachetools)."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_classread
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo  # noqa: F401 (autouse)

CLASS_READ = {
    "lib.py": """
        class Cache:
            def put(self, key):
                return key

        class FIFOCache(Cache):
            def put(self, key, cache_put=Cache.put):
                return cache_put(self, key)

        class LRUCache(Cache):
            def put(self, key):
                return Cache.put(self, key)

        class TTLCache(Cache):
            def put(self, key):
                return None

        def store(cache):
            return cache.put(1)
        """,
}


def _dependents(g, qualname):
    return {d.symbol.qualname for d in impact(g, qualname).dependents}


@pytest.mark.parametrize("rule", [True, False])
def test_a_method_read_off_its_class_does_not_dispatch_to_overrides(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_classread, "RULE", rule)
    indexer, g = build(tmp_path, CLASS_READ)
    # `cache_put=Cache.put` and `Cache.put(self, key)` are always Cache's own function.
    assert ("lib.FIFOCache.put" in _dependents(g, "lib.TTLCache.put")) is not rule
    assert ("lib.LRUCache.put" in _dependents(g, "lib.TTLCache.put")) is not rule
    # `cache.put(1)` on an instance of any class may run the override: still a dispatch.
    assert "lib.store" in _dependents(g, "lib.TTLCache.put")
    # And the class's own function keeps its users.
    assert "lib.FIFOCache.put" in _dependents(g, "lib.Cache.put")
    indexer.close()
