"""Impact on a parser-combinator library (pyparsing's shapes, issue 12):
a parse method swapped through a class-level alias, a private method
name-matched into an example's class, and an element made only inside
another element's `parseImpl`. Each case fails with its rule switched off;
a test a rule rules out stays listed, never dropped."""

from __future__ import annotations

import pytest

from indexer.analysis import impact as impact_module
from indexer.analysis import impact_heldself, impact_operands, impact_precision, impact_unrun
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)

# `_parse = _parse_plain` in the class body; a test helper saves it and puts
# it back (`Element._parse = saved`): the writer runs nothing of it.
ALIAS_SWAP = {
    "lib/__init__.py": "",
    "lib/core.py": """
        class Element:
            def _parse_plain(self, s):
                return s.strip()

            _parse = _parse_plain

            def parse(self, s):
                return self._parse(s)
        """,
    "lib/testing.py": """
        from lib.core import Element


        class Context:
            def __init__(self):
                self._saved = {}

            def save(self):
                self._saved["parse"] = Element._parse
                return self

            def restore(self):
                Element._parse = self._saved["parse"]
        """,
    "tests/test_ctx.py": """
        from lib.core import Element
        from lib.testing import Context


        def test_restores():
            Context().save().restore()
            assert Element()


        def test_parses():
            assert Element().parse(" a ") == "a"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_write_of_an_alias_runs_nothing_of_its_function(tmp_path, monkeypatch, rule):
    monkeypatch.setitem(impact_unrun.RULES, "write_alias", rule)
    indexer, g = build(tmp_path, ALIAS_SWAP)
    try:
        report = impact(g, "lib.core.Element._parse_plain")
        assert "tests/test_ctx.py::test_parses" in selected(report)
        assert "tests/test_ctx.py::test_restores" in listed(report)  # nothing vanishes
        assert ("tests/test_ctx.py::test_restores" in selected(report)) is not rule
    finally:
        indexer.close()


# `e._parse(s)` in the library (`e` of unknown type) is guessed to be every
# `_parse`: the example's parser class is another package's.
FOREIGN_PRIVATE = {
    "lib/__init__.py": "",
    "lib/core.py": """
        class Element:
            def _parse(self, s):
                return s


        class And(Element):
            def __init__(self, exprs):
                self.exprs = exprs

            def _parse(self, s):
                for e in self.exprs:
                    s = e._parse(s)
                return s
        """,
    "examples/__init__.py": "",
    "examples/calc.py": """
        def evaluate(s):
            return len(s)


        class CalcParser:
            def _parse(self, s):
                return evaluate(s)
        """,
    "tests/test_lib.py": """
        from lib.core import And, Element
        from examples.calc import CalcParser


        def test_and():
            assert And([Element()])._parse("x") == "x"


        def test_calc():
            assert CalcParser()._parse("x") == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_private_guess_is_not_followed_into_another_package(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_precision, "FOREIGN_PRIVATE_RULE", rule)
    indexer, g = build(tmp_path, FOREIGN_PRIVATE)
    try:
        report = impact(g, "examples.calc.evaluate")
        assert "tests/test_lib.py::test_calc" in selected(report)
        assert ("tests/test_lib.py::test_and" in selected(report)) is not rule
        # the library's own guess stays
        assert "tests/test_lib.py::test_and" in selected(impact(g, "lib.core.Element._parse"))
    finally:
        indexer.close()


# `Block.parse_impl` makes a `Helper` and parses with it; `_parse` reaches
# every `parse_impl` through `self.parse_impl(s)`. Only a test that holds a
# Block holds a Helper.
MADE_IN_AN_OVERRIDE = {
    "lib/__init__.py": "",
    "lib/core.py": """
        class Element:
            def _parse(self, s):
                return self.parse_impl(s)

            def parse_impl(self, s):
                return s

            def parse(self, s):
                return self._parse(s)


        class Word(Element):
            def parse_impl(self, s):
                return s.strip()


        class Helper(Element):
            def parse_impl(self, s):
                return s.upper()


        class Block(Element):
            def parse_impl(self, s):
                inner = Helper()
                return inner._parse(s)
        """,
    "tests/test_lib.py": """
        from lib.core import Block, Word


        def test_word():
            assert Word().parse(" a ") == "a"


        def test_block():
            assert Block().parse("a") == "A"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_receiver_walk_asks_for_the_receiver_at_its_dispatches(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_module, "RECEIVER_PATH_RULE", rule)
    indexer, g = build(tmp_path, MADE_IN_AN_OVERRIDE)
    try:
        report = impact(g, "lib.core.Helper.parse_impl")
        assert "tests/test_lib.py::test_block" in selected(report)
        assert ("tests/test_lib.py::test_word" in selected(report)) is not rule
    finally:
        indexer.close()


# `a + b` of two elements runs a's `__add__`; the family's `__radd__` runs
# only for a left operand that gives up (a string).
REFLECTED = {
    "lib/__init__.py": "",
    "lib/core.py": """
        class Element:
            def __add__(self, other):
                if isinstance(other, str):
                    other = Literal(other)
                return And([self, other])

            def __radd__(self, other):
                return Literal(other) + self

            def parse(self, s):
                return s


        class Literal(Element):
            def __init__(self, text):
                self.text = text


        class And(Element):
            def __init__(self, exprs):
                self.exprs = exprs


        def both(a: Element, b: Element):
            return a + b


        def prefixed(b: Element):
            return "x" + b
        """,
    "tests/test_lib.py": """
        from lib.core import Literal, both, prefixed


        def test_both():
            assert both(Literal("a"), Literal("b"))


        def test_prefixed():
            assert prefixed(Literal("b"))
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_family_operator_runs_the_forward_method(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_operands, "REFLECTED_RULE", rule)
    indexer, g = build(tmp_path, REFLECTED)
    try:
        report = impact(g, "lib.core.Element.__radd__")
        assert "tests/test_lib.py::test_prefixed" in selected(report)
        assert ("tests/test_lib.py::test_both" in selected(report)) is not rule
        assert "tests/test_lib.py::test_both" in selected(impact(g, "lib.core.Element.__add__"))
    finally:
        indexer.close()


# `Block.parse_impl` makes another Block (a nested block): a test holds a
# Block through that chain only if it holds one already.
MADE_IN_ITS_OWN_METHOD = {
    "lib/__init__.py": "",
    "lib/core.py": """
        class Element:
            def _parse(self, s):
                return self.parse_impl(s)

            def parse_impl(self, s):
                return s

            def parse(self, s):
                return self._parse(s)


        class Word(Element):
            def parse_impl(self, s):
                return s.strip()


        class Block(Element):
            def __init__(self, depth=0):
                self.depth = depth

            def parse_impl(self, s):
                if self.depth < 1:
                    return Block(self.depth + 1)._parse(s)
                return s.upper()
        """,
    "tests/test_lib.py": """
        from lib.core import Block, Word


        def test_word():
            assert Word().parse(" a ") == "a"


        def test_block():
            assert Block().parse("a") == "A"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_class_made_only_by_its_own_method_needs_another_holder(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_module, "RECEIVER_SELF_RULE", rule)
    # (impact_heldself's requirement on every chain rules test_word out too)
    monkeypatch.setattr(impact_heldself, "OWN_METHOD_RULE", rule)
    indexer, g = build(tmp_path, MADE_IN_ITS_OWN_METHOD)
    try:
        report = impact(g, "lib.core.Block.parse_impl")
        assert "tests/test_lib.py::test_block" in selected(report)
        assert ("tests/test_lib.py::test_word" in selected(report)) is not rule
    finally:
        indexer.close()
