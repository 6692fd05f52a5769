"""Impact reach and precision rules found on marshmallow (issue 12): one
source case per rule, each checked with the rule on and switched off, so
the case fails without the rule."""

from __future__ import annotations

import importlib

import pytest

from indexer.analysis import impact as impact_module
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)


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
    # (`len(names)`'s own implicit use finds `__len__` too: this checks the ABC rule alone)
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "OPERAND_PROTOCOLS", False)
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


ABSTRACT = {
    "pkg/__init__.py": "",
    "pkg/base.py": """
        from abc import ABC, abstractmethod

        class FieldABC(ABC):
            @abstractmethod
            def serialize(self, value):
                pass

            @abstractmethod
            def validate(self, value):
                pass
        """,
    "pkg/fields.py": """
        from pkg.base import FieldABC

        class Field(FieldABC):
            def serialize(self, value):
                return str(value)

            def validate(self, value):
                return super().validate(value)

        def make() -> FieldABC:  # a factory: its callers hold a FieldABC
            return Field()

        def dump(fields, value):
            make()
            return [f.serialize(value) for f in fields]
        """,
    "tests/test_fields.py": """
        from pkg.fields import Field, dump

        def test_dump():
            assert dump([Field()], 1) == ["1"]

        def test_validate():
            Field().validate(1)
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_call_of_an_abstract_method_runs_an_override(tmp_path, monkeypatch, rule):
    # `f.serialize(value)` on an unknown receiver is name-matched to the
    # abstract `FieldABC.serialize` too; at run time it is always an override.
    monkeypatch.setattr(impact_module, "ABSTRACT_RULE", rule)
    indexer, g = build(tmp_path, ABSTRACT)
    report = impact(g, "pkg.base.FieldABC.serialize")
    assert "tests/test_fields.py::test_dump" in {t.id for t in report.tests}  # listed: nothing vanishes
    assert ("tests/test_fields.py::test_dump" in selected(report)) is not rule
    indexer.close()


def test_super_still_runs_an_abstract_method(tmp_path):
    indexer, g = build(tmp_path, ABSTRACT)
    report = impact(g, "pkg.base.FieldABC.validate")
    assert "tests/test_fields.py::test_validate" in selected(report)
    indexer.close()
