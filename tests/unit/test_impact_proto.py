"""Dunder-protocol links narrowed by what they act on (issue 12, pyparsing):
a method copying its own `self` runs no unrelated class's copy protocol
(impact_copyself); a property's setter is run by the writes of the
attribute, not its reads (impact_setter). Each case on and off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_copyself, impact_setter
from indexer.analysis.impact import impact, impact_at
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

# pyparsing: `ParserElement.copy` calls `copy.copy(self)`; nearly every test
# reaches it and holds a ParseResults, whose pickle protocol it never runs.
COPY_SELF = {
    "lib.py": """
        import copy

        class Element:
            def __init__(self, text):
                self.text = text

            def copy(self):
                return copy.copy(self)

            def parse(self, s):
                return Results([self.copy().text, s])

        class Literal(Element):
            def __getnewargs__(self):
                return (self.text,)

        class Results:
            def __init__(self, items):
                self.items = items

            def __getstate__(self):
                return self.items

            def __setstate__(self, state):
                self.items = state

        class Holder:
            def __init__(self, results):
                self.results = results

            def clone(self):
                return copy.deepcopy(self)  # deep: copies the Results it holds

        def duplicate(value):
            return copy.deepcopy(value)
        """,
    "tests/test_lib.py": """
        import pickle
        from lib import Element, Holder, Literal, duplicate

        def test_parse():
            assert Element("a").parse("b").items == ["a", "b"]

        def test_literal():
            assert Literal("a").copy().text == "a"

        def test_duplicate():
            assert duplicate(Element("a").parse("b")).items == ["a", "b"]

        def test_clone():
            assert Holder(Element("a").parse("b")).clone().results.items == ["a", "b"]

        def test_pickle():
            result = Element("a").parse("b")
            assert pickle.loads(pickle.dumps(result)).items == ["a", "b"]
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_copying_self_runs_only_its_own_class_s_copy_protocol(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_copyself, "RULE", rule)
    indexer, g = build(tmp_path, COPY_SELF)
    for method in ("lib.Results.__getstate__", "lib.Results.__setstate__"):
        chosen = selected(impact(g, method))
        assert ("tests/test_lib.py::test_parse" in chosen) is not rule  # copies an Element, never a Results
        assert "tests/test_lib.py::test_pickle" in chosen  # pickles a local: kept
        assert "tests/test_lib.py::test_duplicate" in chosen  # deep-copies a parameter: kept
        assert "tests/test_lib.py::test_clone" in chosen  # deep-copies a self that holds one: kept
    # Literal is a subclass of the copying method's class: kept.
    assert "tests/test_lib.py::test_literal" in selected(impact(g, "lib.Literal.__getnewargs__"))
    indexer.close()


# pyparsing: `ParserElement.name` is a property with a setter; six tests
# assign it, nearly all read it.
SETTER = {
    "lib.py": """
        class Element:
            def __init__(self):
                self.custom = None

            @property
            def name(self):
                return self.custom or "element"

            @name.setter
            def name(self, value):
                self.set_custom(value)

            def set_custom(self, value):
                self.custom = value
        """,
    "tests/test_lib.py": """
        from lib import Element

        def test_reads():
            assert Element().name == "element"

        def test_writes():
            e = Element()
            e.name = "x"
            assert e.custom == "x"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_setter_is_run_by_the_writes_of_its_attribute(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_setter, "RULE", rule)
    indexer, g = build(tmp_path, SETTER)
    setter = next(s.selection_range.start for s in g.symbols("lib.Element.name")
                  if any(d.endswith(".setter") for d in s.decorators))
    for report in (impact(g, "lib.Element.name", line=setter.line),
                   impact_at(g, "lib.py", setter.line, setter.character)):  # the editor's query on its def
        chosen = selected(report)
        assert ("tests/test_lib.py::test_writes" in chosen) is rule  # off: the getter's answer, a write runs no getter
        assert ("tests/test_lib.py::test_reads" in chosen) is not rule
    getter_line = next(s.selection_range.start.line for s in g.symbols("lib.Element.name")
                       if "property" in s.decorators)
    assert "tests/test_lib.py::test_reads" in selected(impact(g, "lib.Element.name", line=getter_line))
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
def test_a_change_the_setter_calls_reaches_the_writes_not_the_reads(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_setter, "CHAIN_RULE", rule)
    indexer, g = build(tmp_path, SETTER)
    chosen = selected(impact(g, "lib.Element.set_custom"))
    assert ("tests/test_lib.py::test_writes" in chosen) is rule  # off: a write runs no getter (impact_unrun)
    assert ("tests/test_lib.py::test_reads" in chosen) is not rule  # the getter calls no set_custom
    indexer.close()
