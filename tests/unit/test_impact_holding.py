"""Which tests hold which classes (issue 12, pyparsing): a class body's
annotation declares an attribute and makes no instance (impact_declared),
and in a receiver walk a call of the walked class's own method needs an
instance already (impact_heldself). One source case per rule, each checked
with the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_declared, impact_heldself, impact_heldtype
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import selected, listed  # noqa: F401 (fresh_memo: autouse)
from tests.unit.impact_cases import fresh_memo  # noqa: F401

# Element's body annotates a memo keyed by Loop; nothing there makes a Loop.
# test_word holds a plain Element; test_loop makes a Loop.
DECLARED = {
    "lib.py": """
        from typing import Dict, Tuple

        class Element:
            memos: Dict[Tuple[int, "Loop"], int] = {}

            def parse(self, text):
                return self.parse_impl(text)

            def parse_impl(self, text):
                return text

        class Loop(Element):
            def parse_impl(self, text):
                return [text]
        """,
    "tests/test_lib.py": """
        from lib import Element, Loop

        def test_word():
            assert Element().parse("a") == "a"

        def test_loop():
            assert Loop().parse("a") == ["a"]
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_class_body_annotation_makes_no_instance(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_declared, "CLASS_BODY_RULE", rule)
    indexer, g = build(tmp_path, DECLARED)
    report = impact(g, "lib.Loop.parse_impl")
    assert "tests/test_lib.py::test_loop" in selected(report)
    assert ("tests/test_lib.py::test_word" in selected(report)) is not rule
    assert "tests/test_lib.py::test_word" in listed(report)  # ruled out, never dropped
    indexer.close()


# Loop.copy makes a Loop, but only `self.copy()` in Element.named reaches
# it: a test holding an Element holds no Loop through it. Element's body
# names `named` (an alias) and annotates a memo keyed by Loop: the class is
# reached both ways, and the annotation's chain to test_word (found first)
# crosses no dispatch, so only the requirements of every chain rule it out.
HELD_SELF = {
    "lib.py": """
        from typing import Dict, Tuple

        class Element:
            memos: Dict[Tuple[int, "Loop"], int] = {}

            def named(self, name):
                return self.copy()

            setName = named

            def copy(self):
                return self

            def parse(self, text):
                return self.parse_impl(text)

            def parse_impl(self, text):
                return text

        class Loop(Element):
            def copy(self):
                return Loop()

            def parse_impl(self, text):
                return [text]
        """,
    "tests/test_lib.py": DECLARED["tests/test_lib.py"],
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_walked_class_method_hands_out_no_first_instance(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_heldself, "OWN_METHOD_RULE", rule)
    indexer, g = build(tmp_path, HELD_SELF)
    report = impact(g, "lib.Loop.parse_impl")
    assert "tests/test_lib.py::test_loop" in selected(report)
    assert ("tests/test_lib.py::test_word" in selected(report)) is not rule
    assert "tests/test_lib.py::test_word" in listed(report)
    indexer.close()


# A Skip is made only under `isinstance(self.expr, Pending)`: test_plain
# holds a Wrap of a plain Element, never a Pending, so never a Skip.
HELD_TYPE = {
    "lib.py": """
        class Element:
            def __init__(self, expr=None):
                self.expr = expr

            def parse(self, text):
                return self.parse_impl(text)

            def parse_impl(self, text):
                return text

        class Pending(Element):
            pass

        class Skip(Element):
            def parse_impl(self, text):
                return text[1:]

        class Wrap(Element):
            def combine(self, other):
                if isinstance(self.expr, Pending):
                    return Skip(other)
                return other
        """,
    "tests/test_lib.py": """
        from lib import Element, Pending, Wrap

        def test_plain():
            assert Wrap(Element()).combine(Element()).parse("ab") == "ab"

        def test_pending():
            assert Wrap(Pending()).combine(Element()).parse("ab") == "b"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_code_under_isinstance_needs_a_held_instance(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_heldtype, "RULE", rule)
    indexer, g = build(tmp_path, HELD_TYPE)
    report = impact(g, "lib.Skip.parse_impl")
    assert "tests/test_lib.py::test_pending" in selected(report)
    assert ("tests/test_lib.py::test_plain" in selected(report)) is not rule
    assert "tests/test_lib.py::test_plain" in listed(report)
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
def test_a_constructor_under_isinstance_needs_a_held_instance(tmp_path, monkeypatch, rule):
    # The constructor link (`Skip.__init__ <- Wrap.combine`) has no use of `__init__`
    # by name: the uses of its class carry the guard.
    source = dict(HELD_TYPE)
    source["lib.py"] = source["lib.py"].replace("""        class Skip(Element):
""", """        def register(element):
            return element

        class Skip(Element):
            def __init__(self, expr=None):
                self.expr = expr
                register(self)

""")
    monkeypatch.setattr(impact_heldtype, "RULE", rule)
    indexer, g = build(tmp_path, source)
    report = impact(g, "lib.register")
    assert "tests/test_lib.py::test_pending" in selected(report)
    assert ("tests/test_lib.py::test_plain" in selected(report)) is not rule
    indexer.close()
