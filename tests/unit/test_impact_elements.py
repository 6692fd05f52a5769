"""impact_elements: code under `if ... in p:` (p a parameter or a local
copied from one) runs only for callers that can pass an iterable holding
an Ellipsis there (issue 12, pyparsing's `And.__init__ -> SkipTo`). One
source, one case per idiom, each checked with the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_elements
from indexer.analysis.impact import impact
from tests.unit.impact_cases import assert_switched, fresh_memo, graph_fixture, selected  # noqa: F401 (fresh_memo: autouse)

ELEMENTS = {
    "lib/__init__.py": "",
    "lib/seq.py": """
        def skip_to(x):
            return x

        def pending(x):
            return x

        class El:
            def __add__(self, other):
                if other is Ellipsis:
                    return pending(self)
                if isinstance(other, str):
                    other = self.wrap(other)
                if not isinstance(other, El):
                    return NotImplemented
                return Seq([self, other])

            def __mul__(self, count):
                return Seq([self] * count)

            def wrap(self, text):
                return El()

        class Seq(El):
            def __init__(self, items_arg):
                items = list(items_arg)
                if items and Ellipsis in items:
                    for item in items:
                        skip_to(item)
                self.items = items
        """,
    "tests/test_seq.py": """
        from lib.seq import El, Seq

        def test_skip():
            assert Seq([El(), ..., El()])

        def test_made():
            a = El()
            assert Seq([a, El()])

        def test_generated():
            assert Seq(El() for _ in range(3))

        def test_unknown(parts):
            assert Seq(parts)

        def test_add():
            assert El() + El()

        def test_add_text():
            assert El() + "x"

        def test_mul():
            assert El() * 3

        def make():
            return El()

        def test_add_made():
            assert El() + make()

        def test_add_skip():
            assert El() + ...
        """,
}
T = "tests/test_seq.py::"

CASES = [
    # A display holding `...` or an iterable of unknown origin may hold an
    # Ellipsis; constructions, a comprehension of them, `self` and an operand
    # narrowed by `isinstance` (after `is Ellipsis`'s early return) never do.
    ("skip_to", "lib.seq.skip_to", {"test_skip", "test_unknown"},
     {"test_made", "test_generated", "test_add", "test_add_text", "test_mul"}),
]


elements_graph = graph_fixture("elements_graph", ELEMENTS)


@pytest.mark.parametrize("case, target, kept, off", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("rule", [True, False])
def test_membership_guards(elements_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_elements, "RULE", rule)
    found = selected(impact(elements_graph, target))
    assert_switched(found, T, kept, off, rule)


# `other is Ellipsis` (impact_identity): a call's result is never one (CALLS_RULE).
CALLS = [("pending", "lib.seq.pending", {"test_add_skip"}, {"test_add_made"})]


@pytest.mark.parametrize("case, target, kept, off", CALLS, ids=[c[0] for c in CALLS])
@pytest.mark.parametrize("rule", [True, False])
def test_no_call_returns_ellipsis(elements_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_elements, "CALLS_RULE", rule)
    found = selected(impact(elements_graph, target))
    assert_switched(found, T, kept, off, rule)
