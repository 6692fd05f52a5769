"""impact_storer: a function stored into a self attribute by a method (no
dunder, never called at import) runs through the attribute only in the
tests that can run that method (issue 12, pyparsing's default debug
actions, stored by `set_debug_actions`, called in `_parseNoCache`). One
source, one case per idiom, each checked with the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_storer
from indexer.analysis.impact import impact
from tests.unit.impact_cases import assert_switched, fresh_memo, graph_fixture, selected  # noqa: F401 (fresh_memo: autouse)

STORED = {
    "lib/__init__.py": "",
    "lib/core.py": """
        def default_action(el):
            return el

        def init_action(el):
            return el

        class El:
            def __init__(self):
                self.action = None
                self.hook = init_action

            def set_action(self, action=None):
                self.action = action or default_action
                return self

            def set_debug(self):
                return self.set_action()

            def parse(self):
                if self.action:
                    self.action(self)
                return self.hook(self)
        """,
    "tests/test_core.py": """
        from lib.core import El

        def test_parse():
            assert El().parse()

        def test_debug():
            assert El().set_debug().parse()

        def test_action():
            assert El().set_action().parse()
        """,
}
T = "tests/test_core.py::"

CASES = [
    # Stored by a method: only the tests that run it (directly or through set_debug).
    ("method store", "lib.core.default_action", {"test_debug", "test_action"}, {"test_parse"}),
    # Stored by __init__: every holder runs it (no guard, on or off).
    ("init store", "lib.core.init_action", {"test_parse", "test_debug", "test_action"}, set()),
]


stored_graph = graph_fixture("stored_graph", STORED)


@pytest.mark.parametrize("case, target, kept, off", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("rule", [True, False])
def test_storer_guard(stored_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_storer, "RULE", rule)
    found = selected(impact(stored_graph, target))
    assert_switched(found, T, kept, off, rule)
