"""impact_changed: a setter called back under `if Owner.ATTR != saved:`
runs only in the tests that change ATTR some other way (issue 12,
pyparsing's `reset_pyparsing_context.restore`). One source, one case per
idiom, each checked with the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_changed
from indexer.analysis.impact import impact
from tests.unit.impact_cases import assert_switched, fresh_memo, graph_fixture, selected  # noqa: F401 (fresh_memo: autouse)

CHANGED = {
    "lib/__init__.py": "",
    "lib/core.py": """
        class El:
            CHARS = " "

            @staticmethod
            def set_chars(chars):
                El.CHARS = chars

            @staticmethod
            def log(chars):
                return chars

        class Context:
            def __enter__(self):
                self.saved = El.CHARS
                return self

            def __exit__(self, *args):
                if El.CHARS != self.saved:
                    El.set_chars(self.saved)
                El.log(self.saved)
        """,
    "tests/test_core.py": """
        from lib.core import Context, El

        def test_plain():
            with Context():
                assert El()

        def test_setter():
            with Context():
                El.set_chars("x")

        def test_attribute():
            with Context():
                El.CHARS = "y"
        """,
}
T = "tests/test_core.py::"

CASES = [
    # Called back under `!=`: only the tests that change CHARS (by the setter, by name).
    ("changed", "lib.core.El.set_chars", {"test_setter", "test_attribute"}, {"test_plain"}),
    # Called back unconditionally: no guard, on or off.
    ("plain call", "lib.core.El.log", {"test_plain", "test_setter", "test_attribute"}, set()),
]


changed_graph = graph_fixture("changed_graph", CHANGED)


@pytest.mark.parametrize("case, target, kept, off", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("rule", [True, False])
def test_changed_guard(changed_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_changed, "RULE", rule)
    found = selected(impact(changed_graph, target))
    assert_switched(found, T, kept, off, rule)
