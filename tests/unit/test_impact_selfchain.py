"""impact_selfchain: a chain of `self` links from a method never enters a
subclass that overrides it (issue 12, pyparsing's `Token._generateDefaultName`
reached from `Word.__init__`'s `self.name`). One source, one case per
idiom, each checked with the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_selfchain
from indexer.analysis.impact import impact
from tests.unit.impact_cases import assert_switched, fresh_memo, graph_fixture, selected  # noqa: F401 (fresh_memo: autouse)

SELFCHAIN = {
    "lib/__init__.py": "",
    "lib/core.py": """
        class El:
            def __init__(self):
                self.ready = True

            @property
            def default_name(self):
                return self._generate()

            def _generate(self):
                return "el"

            @property
            def name(self):
                return self.default_name

            def __str__(self):
                return self.name

        class Token(El):
            def __init__(self):
                super().__init__()

            def _generate(self):
                return "token"

        class NoMatch(Token):
            pass

        class Word(Token):
            def __init__(self):
                super().__init__()
                self.errmsg = "Expected " + self.name

            def _generate(self):
                return "word"

        class Lit(Token):
            def __init__(self):
                self.errmsg = "Expected " + str(self)

            def _generate(self):
                return "lit"

        class Chars(Word):
            pass
        """,
    "tests/test_core.py": """
        from lib.core import Chars, Lit, NoMatch, Word

        def test_nomatch():
            assert NoMatch().name == "token"

        def test_word():
            assert Word().errmsg and NoMatch()

        def test_word_alone():
            assert Word().errmsg

        def test_lit():
            assert Lit().errmsg and NoMatch()

        def test_chars():
            assert Chars().errmsg and NoMatch()
        """,
}
T = "tests/test_core.py::"

CASES = [
    # `self.name` in an overriding subclass's method: its self never runs Token's.
    ("self read in an override", "lib.core.Token._generate", {"test_nomatch"}, {"test_word"}),
    # `str(self)` is the same self.
    ("str(self) in an override", "lib.core.Token._generate", {"test_nomatch"}, {"test_lit"}),
    # A subclass of the overriding class inherits the override.
    ("subclass of an override", "lib.core.Token._generate", {"test_nomatch"}, {"test_chars"}),
    # The override itself: its own class's and its subclasses' chains are kept.
    # An override that calls up through its base's (`super().__init__()` in Word, then Token) runs it.
    ("super chain", "lib.core.El.__init__", {"test_word_alone"}, set()),
    ("the override", "lib.core.Word._generate", {"test_word", "test_chars"}, set()),
]


selfchain_graph = graph_fixture("selfchain_graph", SELFCHAIN)


@pytest.mark.parametrize("case, target, kept, off", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("rule", [True, False])
def test_self_chains(selfchain_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_selfchain, "RULE", rule)
    found = selected(impact(selfchain_graph, target))
    assert_switched(found, T, kept, off, rule)
