"""impact_unrelated: a chain of `self` links from a method never enters a
class no instance of the target's class can be (issue 12, pyparsing's
`_PendingSkip._generateDefaultName` reached from `Word.__init__`'s
`self.name`). One source, one case per idiom, each checked with the rule
on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_unrelated
from indexer.analysis.impact import impact
from tests.unit.impact_cases import assert_switched, fresh_memo, graph_fixture, selected  # noqa: F401 (fresh_memo: autouse)

SOURCES = {
    "lib/__init__.py": "",
    "lib/core.py": """
        class El:
            def __init__(self):
                self.errmsg = "Expected " + self.name

            @property
            def default_name(self):
                return self._generate()

            def _generate(self):
                return "el"

            @property
            def name(self):
                return self.default_name

        class Pending(El):
            def __init__(self):
                self.errmsg = ""

            def _generate(self):
                return "pending"

        class Word(El):
            def __init__(self):
                self.errmsg = "Expected " + self.name
        """,
    "tests/test_core.py": """
        from lib.core import El, Pending, Word

        def test_pending():
            assert Pending().name

        def test_word():
            assert Word().errmsg and Pending()

        def test_el():
            assert El().errmsg and Pending()
        """,
}
T = "tests/test_core.py::"

CASES = [
    # `self.name` in a sibling class's method: a Word is never a Pending.
    ("sibling class", "lib.core.Pending._generate", {"test_pending", "test_el"}, {"test_word"}),
]


unrelated_graph = graph_fixture("unrelated_graph", SOURCES)


@pytest.mark.parametrize("case, target, kept, off", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("rule", [True, False])
def test_unrelated(unrelated_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_unrelated, "RULE", rule)
    assert_switched(selected(impact(unrelated_graph, target)), T, kept, off, rule)
