"""Exact receivers (impact_exact, issue 12): a value whose class is known
exactly (made right there, or a local bound once to one) runs that class's
method, never a subclass's override. One case per idiom, each with the
rule on and off; the receivers that stay dispatching stay listed either way."""

from __future__ import annotations

import pytest

from indexer.analysis import impact as impact_module, impact_exact
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

FAMILY = {
    "lib/__init__.py": "",
    "lib/core.py": """
        class Element:
            def __add__(self, other):
                return self

            def __neg__(self):
                return self

            def __call__(self, s):
                return s

            def parse(self, s):
                return s

            def quiet(self):
                return self


        class Skip(Element):
            def __add__(self, other):
                return Skip()

            def __neg__(self):
                return Skip()

            def __call__(self, s):
                return s.strip()

            def parse(self, s):
                return s.strip()


        class Literal(Element):
            def __new__(cls, text=""):
                if cls is Literal:
                    if not text:
                        return Skip()
                return super().__new__(cls)


        class Empty(Literal):
            pass


        class Holder:
            def __init__(self, other=None):
                self.inner = Element().quiet()
                self.other = Element()
                if other is not None:
                    self.other = other

            def run(self, s):
                return self.inner.parse(s)

            def run_other(self, s):
                return self.other.parse(s)
        """,
    "lib/api.py": """
        from lib import core
        from lib.core import Element, Empty, Literal


        def call_on_constructor(s):
            return Element().parse(s)


        def operator_on_constructor(x):
            return Element() + x


        def unary_on_constructor():
            return -core.Element()


        def call_of_constructed(s):
            return Element()(s)


        def local_bound_once(s):
            e = Element()
            return e.parse(s)


        def local_rebound(s, other):
            e = Element()
            if s:
                e = other
            return e.parse(s)


        def parameter(e, s):
            return e.parse(s)


        def made_by_new(s):
            return Literal().parse(s)


        def made_past_new(s):
            return Empty().parse(s)


        def returned_self(s):
            return Element().quiet().parse(s)
        """,
    "tests/test_api.py": """
        from lib import api
        from lib.core import Element, Holder, Skip


        def test_call_on_constructor():
            assert api.call_on_constructor("a") == "a"
            assert Skip()  # a test holding a Skip (impact_precision's receiver rule stays out of the way)


        def test_operator_on_constructor():
            assert api.operator_on_constructor(1)
            assert Skip()  # a test holding a Skip (impact_precision's receiver rule stays out of the way)


        def test_unary_on_constructor():
            assert api.unary_on_constructor()
            assert Skip()  # a test holding a Skip (impact_precision's receiver rule stays out of the way)


        def test_call_of_constructed():
            assert api.call_of_constructed("a") == "a"
            assert Skip()  # a test holding a Skip (impact_precision's receiver rule stays out of the way)


        def test_local_bound_once():
            assert api.local_bound_once("a") == "a"
            assert Skip()  # a test holding a Skip (impact_precision's receiver rule stays out of the way)


        def test_local_rebound():
            assert api.local_rebound(" a", Skip()) == "a"


        def test_parameter():
            assert api.parameter(Skip(), " a") == "a"


        def test_made_by_new():
            assert api.made_by_new(" a") == "a"


        def test_returned_self():
            assert api.returned_self("a") == "a"
            assert Skip()  # a test holding a Skip (impact_precision's receiver rule stays out of the way)


        def test_attribute_set_once():
            assert Holder().run("a") == "a"
            assert Skip()  # a test holding a Skip (impact_precision's receiver rule stays out of the way)


        def test_attribute_set_twice():
            assert Holder(Skip()).run_other(" a") == "a"


        def test_made_past_new():
            assert api.made_past_new("a") == "a"
            assert Skip()  # a test holding a Skip (impact_precision's receiver rule stays out of the way)
        """,
}

EXACT = [("Skip.parse", "test_call_on_constructor"), ("Skip.__add__", "test_operator_on_constructor"),
         ("Skip.__neg__", "test_unary_on_constructor"), ("Skip.__call__", "test_call_of_constructed"),
         ("Skip.parse", "test_local_bound_once"), ("Skip.parse", "test_made_past_new"),
         ("Skip.parse", "test_returned_self"), ("Skip.parse", "test_attribute_set_once")]
DISPATCHING = [("Skip.parse", "test_local_rebound"), ("Skip.parse", "test_parameter"),
               ("Skip.parse", "test_made_by_new"), ("Skip.parse", "test_attribute_set_twice")]


@pytest.fixture(scope="module")
def family(tmp_path_factory):
    indexer, g = build(tmp_path_factory.mktemp("exact"), FAMILY)
    yield g
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
@pytest.mark.parametrize("method, test", EXACT)
def test_an_exact_receiver_runs_its_own_class_method(family, monkeypatch, rule, method, test):
    monkeypatch.setattr(impact_exact, "RULE", rule)
    report = impact(family, f"lib.core.{method}")
    assert (f"tests/test_api.py::{test}" in selected(report)) is not rule


@pytest.mark.parametrize("rule", [True, False])
@pytest.mark.parametrize("method, test", DISPATCHING)
def test_a_receiver_of_unknown_class_still_dispatches(family, monkeypatch, rule, method, test):
    monkeypatch.setattr(impact_exact, "RULE", rule)
    assert f"tests/test_api.py::{test}" in selected(impact(family, f"lib.core.{method}"))


@pytest.mark.parametrize("calls", [900, 3000])
def test_a_long_call_chain_is_no_exact_receiver(tmp_path, monkeypatch, calls):
    """A receiver 900 calls deep beside an exact one is left
    unknown, not walked down to its constructor on the stack (a
    RecursionError before); a file too deep for `ast` has no exact
    receiver (its test stays selected)."""
    files = dict(FAMILY)
    files["lib/chain.py"] = "from lib.core import Element\n\n\ndef chained(s):\n    Element()" \
        + ".quiet()" * calls + "\n    return Element().parse(s)\n"
    files["tests/test_chain.py"] = ("from lib.chain import chained\nfrom lib.core import Skip\n\n\n"
                                    "def test_chained():\n    assert chained('a') == 'a'\n    assert Skip()\n")
    indexer, g = build(tmp_path, files)
    try:
        ruled = selected(impact(g, "lib.core.Skip.parse"))
        monkeypatch.setattr(impact_exact, "RULE", False)
        assert ("tests/test_chain.py::test_chained" in ruled) is (calls > 1000)
        assert "tests/test_chain.py::test_chained" in selected(impact(g, "lib.core.Skip.parse"))
    finally:
        indexer.close()


def test_a_large_workspace_keeps_dispatching(family, monkeypatch):
    """Past impact.GUARD_MAX_FILES Python files the rule, which reads each
    dispatch user's source, stays off (as impact's other source rules)."""
    monkeypatch.setattr(impact_module, "GUARD_MAX_FILES", 1)
    assert "tests/test_api.py::test_call_on_constructor" in selected(impact(family, "lib.core.Skip.parse"))
