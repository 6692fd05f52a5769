"""impact_recursed: a function's use of itself is an entry into it only
where the recursion can pass values meeting another entry's guard;
impact_augassign: `x += v` binds x to an operator's result, no singleton
(issue 12, pyparsing's `ParserElement.__radd__ -> SkipTo`). One source,
one case per idiom, each checked with the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_augassign, impact_recursed
from indexer.analysis.impact import impact
from tests.unit.impact_cases import assert_switched, fresh_memo, graph_fixture, selected  # noqa: F401 (fresh_memo: autouse)

SOURCES = {
    "lib/__init__.py": "",
    "lib/el.py": """
        def skip_to(x):
            return x

        def pending(x):
            return x

        def leaf(node):
            return node

        def make(x):
            return x

        def walk_down(node, depth):
            if depth is None:
                return leaf(node)
            return walk_down(node, None)

        def count_down(node, depth):
            if depth is None:
                return leaf(node)
            if depth:
                return count_down(node, depth - 1)
            return node

        class El:
            def __add__(self, other):
                if other is Ellipsis:
                    return pending(self)
                if not isinstance(other, El):
                    return NotImplemented
                return make(El())

            def __radd__(self, other):
                if other is Ellipsis:
                    return make(skip_to(self)) + self
                if isinstance(other, str):
                    other = El()
                if not isinstance(other, El):
                    return NotImplemented
                return other + self
        """,
    "tests/test_el.py": """
        from lib.el import El, count_down, walk_down

        def test_skip():
            assert ... + El()

        def test_text():
            assert "x" + El()

        def test_walk():
            assert walk_down(1, 3)

        def test_count():
            assert count_down(1, 3)

        def test_add_skip():
            assert El() + ...

        def test_aug_operand():
            b = El()
            b += El()
            assert El() + b
        """,
}
T = "tests/test_el.py::"

RECURSED = [
    # `other + self` in `__radd__` uses `__radd__` again under `other is not
    # Ellipsis`: no way to `skip_to`, which runs under `other is Ellipsis`.
    ("reflected", "lib.el.skip_to", {"test_skip"}, {"test_text"}),
    # A recursion passing the guarded value on (`walk_down(node, None)`) is
    # an entry; one that never does (`count_down(node, depth - 1)`) is not.
    ("recursion", "lib.el.leaf", {"test_walk"}, {"test_count"}),
    # `other + self` runs `other.__add__` too, which the index does not record:
    # where the walk reached `El.__add__`, the reflected self-use stays an entry.
    ("forward", "lib.el.make", {"test_text", "test_skip"}, set()),
]

AUGMENTED = [
    # `b += El()`: b holds an operator's result, never an Ellipsis.
    ("augmented", "lib.el.pending", {"test_add_skip"}, {"test_aug_operand"}),
]


el_graph = graph_fixture("el_graph", SOURCES)


def _check(graph, target, kept, off, rule):
    found = selected(impact(graph, target))
    assert_switched(found, T, kept, off, rule)


@pytest.mark.parametrize("case, target, kept, off", RECURSED, ids=[c[0] for c in RECURSED])
@pytest.mark.parametrize("rule", [True, False])
def test_own_use_is_no_entry(el_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_recursed, "RULE", rule)
    _check(el_graph, target, kept, off, rule)


@pytest.mark.parametrize("case, target, kept, off", AUGMENTED, ids=[c[0] for c in AUGMENTED])
@pytest.mark.parametrize("rule", [True, False])
def test_augmented_binding_is_no_singleton(el_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_augassign, "RULE", rule)
    _check(el_graph, target, kept, off, rule)
