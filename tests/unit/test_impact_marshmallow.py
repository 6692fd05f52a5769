"""Impact reach and precision rules found on marshmallow (issue 12): one
source case per rule, each checked with the rule on and switched off, so
the case fails without the rule."""

from __future__ import annotations

import pytest

from indexer.analysis import impact as impact_module
from indexer.analysis.affected import DEFAULT_MIN_CONFIDENCE
from indexer.analysis.impact import IMPACT_MEMO, impact
from tests.support import build


def selected(report) -> set[str]:
    """The default selection of `codemeld tests affected`."""
    return {t.id for t in report.tests if t.confidence >= DEFAULT_MIN_CONFIDENCE}


@pytest.fixture(autouse=True)
def fresh_memo():
    IMPACT_MEMO.clear()  # receiver walks are memoised per index: rules switch between cases
    yield
    IMPACT_MEMO.clear()


CONTAINER = {
    "pkg/__init__.py": "",
    "pkg/oset.py": """
        from collections.abc import MutableSet

        class OrderedSet(MutableSet):
            def __init__(self, iterable=None):
                self.map = {}
                if iterable is not None:
                    self |= iterable

            def __len__(self):
                return len(self.map)

            def __contains__(self, key):
                return key in self.map

            def add(self, key):
                self.map[key] = key

            def discard(self, key):
                self.map.pop(key, None)

            def __iter__(self):
                return iter(self.map)

            def helper(self):
                return 1
        """,
    "pkg/schema.py": """
        from pkg.oset import OrderedSet

        class Schema:
            set_class = OrderedSet

            def __init__(self, only=()):
                names = self.set_class(only)
                self.count = len(names)
        """,
    "tests/test_schema.py": """
        from pkg.schema import Schema

        def test_schema():
            assert Schema(only=["a"]).count == 1

        def test_nothing():
            assert True
        """,
}


@pytest.mark.parametrize("rule", [True, False])
@pytest.mark.parametrize("method", ["__len__", "__iter__", "add"])
def test_a_container_abcs_abstract_methods_run_where_its_instances_are_made(tmp_path, monkeypatch, rule, method):
    # `len(names)` and `self |= iterable` (MutableSet.__ior__ calls add) name
    # no method: only the rule links them to the tests that build the set.
    monkeypatch.setattr(impact_module, "ABC_RULE", rule)
    indexer, g = build(tmp_path, CONTAINER)
    report = impact(g, f"pkg.oset.OrderedSet.{method}")
    assert ("tests/test_schema.py::test_schema" in selected(report)) is rule
    assert "tests/test_schema.py::test_nothing" not in selected(report)
    indexer.close()


@pytest.mark.parametrize("method", ["helper", "discard", "__contains__"])
def test_membership_removal_and_own_methods_are_not_linked(tmp_path, method):
    # Only code that asks runs them (`k in s`, `s.discard(k)`): measured, linking
    # them where the instance is made is mostly wrong.
    indexer, g = build(tmp_path, CONTAINER)
    report = impact(g, f"pkg.oset.OrderedSet.{method}")
    assert "tests/test_schema.py::test_schema" not in selected(report)
    indexer.close()
