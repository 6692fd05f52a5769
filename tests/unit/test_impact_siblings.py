"""impact_siblings: a test's class gives its tests the keywords of its body
less its other test methods (issue 12, pyparsing's one-class suite giving
`recurse=True` to all). One source, one case per idiom, each checked with
the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_siblings
from indexer.analysis.impact import impact
from tests.unit.impact_cases import assert_switched, fresh_memo, graph_fixture, selected  # noqa: F401 (fresh_memo: autouse)

SIBLINGS = {
    "lib/__init__.py": "",
    "lib/core.py": """
        def visit(el):
            return el

        def dump(el):
            return el

        class El:
            def set_debug(self, flag=True, recurse=False):
                if recurse:
                    visit(self)
                return self

            def show(self, verbose=False):
                if verbose:
                    dump(self)
                return self
        """,
    "tests/test_core.py": """
        import unittest

        from lib.core import El

        class TestEl(unittest.TestCase):
            def test_plain(self):
                assert El().set_debug()

            def test_recurse(self):
                assert El().set_debug(recurse=True)

        class TestShared(unittest.TestCase):
            options = dict(verbose=True)

            def test_show(self):
                assert El().show(**self.options)

            def test_show_again(self):
                assert El().show(**self.options)
        """,
}
T = "tests/test_core.py::"

CASES = [
    # A sibling test's keyword: only the test that passes it.
    ("sibling keyword", "lib.core.visit", {"TestEl::test_recurse"}, {"TestEl::test_plain"}),
    # The class body's own keyword (a class attribute): every test of the class, on or off.
    ("class keyword", "lib.core.dump", {"TestShared::test_show", "TestShared::test_show_again"}, set()),
]


siblings_graph = graph_fixture("siblings_graph", SIBLINGS)


@pytest.mark.parametrize("case, target, kept, off", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("rule", [True, False])
def test_sibling_keywords(siblings_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_siblings, "RULE", rule)
    found = selected(impact(siblings_graph, target))
    assert_switched(found, T, kept, off, rule)
