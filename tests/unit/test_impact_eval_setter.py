"""A property setter's impact answer, asked by its line, is its own: never
its getter's, whatever was asked before it in the process and however the
evaluation reaches `impact` (issue 12).

wt-storer2's pyparsing figures gave `ParserElement.name`'s setter its
getter's 1,572 tests in every full eval and 6 asked alone: it looked like a
query-order leak in impact's memos. It was the harness: those runs went
through a measuring script that replaced `impact` with a wrapper
`impact(graph, qualname, *a, **k)` before evals.impact was imported, and
evals.impact read the wrapper's signature as an older checkout's (no
`line`), so it never passed `line=` (the two-query `--only` run was a
plain one). The engine's answer does not depend on the queries before it:
the last case checks that directly (it passed before the fix too)."""

from __future__ import annotations

import pytest

from evals.harness.keywords import supported
from indexer.analysis.impact import impact
from tests.unit.impact_cases import fresh_memo, graph_fixture, listed, selected  # noqa: F401 (fresh_memo: autouse)

FILES = {
    "lib.py": """
        class Box:
            def __init__(self):
                self._name = ""

            @property
            def name(self):
                return self._name

            @name.setter
            def name(self, value):
                self._name = value

            def store(self, value):
                self.name = value
        """,
    "tests/test_lib.py": """
        from lib import Box

        def test_reads():
            assert Box().name == ""

        def test_writes():
            box = Box()
            box.name = "x"

        def test_stores():
            Box().store("y")
        """,
}
GETTER_LINE, SETTER_LINE = 5, 9  # 0-based lines of the two `def name`
READS, WRITES, STORES = (f"tests/test_lib.py::{name}" for name in ("test_reads", "test_writes", "test_stores"))

box = graph_fixture("box", FILES)


def measured(graph, qualname, *args, **kwargs):
    """A measuring script's wrapper of `impact` (wt-storer2's, counting calls)."""
    return impact(graph, qualname, *args, **kwargs)


def older(graph, qualname, depth=None, limit=2000, coverage=None):
    """An older checkout's impact: no `line`, no `learned`."""
    return impact(graph, qualname, depth=depth, limit=limit, coverage=coverage)


@pytest.mark.parametrize("function", [impact, measured])
def test_the_eval_asks_for_a_setter_by_its_line(box, function):
    """evals.impact's call: its keywords as harness.keywords keeps them for
    the function it calls. Before, read once from `impact`'s own parameters,
    the wrapper took no `line` and the setter answered with its getter's READS."""
    def answer(line):
        return selected(function(box, "lib.Box.name", depth=8, **supported(function, learned=False, line=line)))
    assert answer(SETTER_LINE) == {WRITES, STORES}
    assert answer(GETTER_LINE) == {READS}


def test_the_eval_still_runs_an_older_impact(box):
    assert supported(older, learned=False, line=SETTER_LINE) == {}
    assert supported(measured, learned=False, line=None) == {"learned": False}
    assert selected(older(box, "lib.Box.name", depth=8, **supported(older, line=SETTER_LINE))) == {READS}


@pytest.mark.parametrize("before", [
    [],                                                  # alone (a fresh memo)
    [("lib.Box.name", GETTER_LINE)],                     # after its getter
    [("lib.Box.store", None), ("lib.Box.__init__", None), ("lib.Box.name", None)],  # after the rest, unlined
])
def test_a_setter_answers_alike_whatever_was_asked_before(box, before):
    for qualname, line in before:
        impact(box, qualname, depth=8, line=line)
    assert listed(impact(box, "lib.Box.name", depth=8, line=SETTER_LINE)) == {WRITES, STORES}
