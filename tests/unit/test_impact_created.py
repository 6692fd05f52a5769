"""Impact rules for classes the change built and functions handed out as
values (attrs, issue 12): one source case per rule, each checked with the
rule on and switched off, so the case fails without it."""

from __future__ import annotations

import importlib

import pytest

from indexer.analysis import impact as impact_module
from indexer.analysis import impact_returns
from indexer.analysis.impact import RULED_OUT_CONFIDENCE, impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)


# `@attrs class Point` runs `build` once, when lib is imported; `make` and
# its test only use the class. `rebuild` runs `build` at call time, four
# calls below `test_both`, which also makes a Point: reached first (depth 4)
# through the created class, then (depth 5) by a chain that runs `build`.
CREATED = {
    "lib.py": """
        def build():
            pass

        def attrs(cls):
            build()
            return cls

        @attrs
        class Point:
            def __init__(self, x):
                self.x = x

        def make(x):
            return Point(x)

        def rebuild(cls):
            return attrs(cls)

        def deep():
            return rebuild(object)

        def deeper():
            return deep()
        """,
    "tests/test_lib.py": """
        from lib import deeper, make

        def test_make():
            assert make(1).x == 1

        def test_both():
            assert make(1).x == 1
            assert deeper()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_the_users_of_a_class_the_change_built_are_ruled_out(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_module, "CREATED_RULE", rule)
    indexer, g = build(tmp_path, CREATED)
    report = impact(g, "lib.build")
    assert "tests/test_lib.py::test_make" in listed(report)  # listed: nothing vanishes
    assert ("tests/test_lib.py::test_make" in selected(report)) is not rule
    confidence = {t.id: t.confidence for t in report.tests}
    assert (confidence["tests/test_lib.py::test_make"] == RULED_OUT_CONFIDENCE) is rule
    assert "tests/test_lib.py::test_both" in selected(report)
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
def test_a_clean_chain_re_enters_a_created_class_user(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_module, "REENTER_RULE", rule)
    indexer, g = build(tmp_path, CREATED)
    report = impact(g, "lib.build")
    assert "tests/test_lib.py::test_both" in listed(report)
    assert ("tests/test_lib.py::test_both" in selected(report)) is rule
    both = next(t for t in report.tests if t.id == "tests/test_lib.py::test_both")
    assert (both.via[-2:] == ("lib.deeper", "tests.test_lib.test_both")) is rule  # the chain that runs it
    assert "tests/test_lib.py::test_make" not in selected(report)
    indexer.close()


# A receiver walk asks who can hold an instance: a class body that builds
# one (`field = Str()`) hands it to every user of the class.
HELD = {
    "lib.py": """
        class Str:
            def render(self):
                return "s"

        class Schema:
            field = Str()

        def dump():
            return Schema.field.render()
        """,
    "tests/test_lib.py": """
        from lib import dump

        def test_dump():
            assert dump() == "s"
        """,
}


def test_a_class_body_instance_is_held_by_the_class_users(tmp_path):
    indexer, g = build(tmp_path, HELD)
    assert "tests/test_lib.py::test_dump" in selected(impact(g, "lib.Str.render"))
    indexer.close()


# `determine` hands `_assign` to its caller, which calls it: `_assign` runs
# in `script`'s call, one level below `make`, not two.
RETURNED = {
    "lib.py": """
        def _assign(name):
            return name

        def _setattr(name):
            return name

        def determine(frozen):
            if frozen:
                return _setattr
            return (), _assign

        def script(frozen):
            _lines, fmt = determine(frozen)
            return fmt("x")

        def make():
            return script(False)
        """,
    "tests/test_lib.py": """
        from lib import make

        def test_make():
            assert make() == "x"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_function_its_reader_returns_adds_no_level(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_returns, "RULE", rule)
    # (the unpacked tuple types `fmt` itself too: extract.TUPLE_RETURNS)
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "TUPLE_RETURNS", rule)
    indexer, g = build(tmp_path, RETURNED)
    report = impact(g, "lib._assign", depth=3)
    assert ("tests/test_lib.py::test_make" in selected(report)) is rule
    assert "lib.determine" in {d.symbol.qualname for d in report.dependents}
    indexer.close()
