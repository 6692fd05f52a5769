"""Impact of code a test file runs at collection (issue 12, pyparsing pass):
one source case per rule, each checked with the rule on and switched off,
so the case fails without it."""

from __future__ import annotations

import pytest

from indexer.analysis import impact as impact_module
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)

# `table = [make_word()]` in a test class body runs `make_word` when the
# module is imported (collection), as `CASES = [make_word()]` at module
# level does; the class's tests use the word, never run `make_word`.
# `test_direct` calls it itself.
COLLECTED = {
    "lib/__init__.py": "",
    "lib/core.py": """
        class Word:
            def __init__(self, chars):
                self.chars = chars

            def parse(self, text):
                return text.strip(self.chars)

        def make_word():
            return Word("ab")
        """,
    "tests/test_core.py": """
        from lib.core import make_word

        CASES = [make_word()]

        def test_cases():
            assert CASES[0].parse("a") == ""

        def test_direct():
            assert make_word().parse("b") == ""

        class TestThings:
            table = [make_word()]

            def test_table(self):
                assert self.table[0].parse("b") == ""

            def test_also_direct(self):
                assert make_word()
        """,
}
TABLE = "tests/test_core.py::TestThings::test_table"
DIRECT = {"tests/test_core.py::test_direct", "tests/test_core.py::TestThings::test_also_direct"}


@pytest.fixture(scope="module")
def collected_graph(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("collected"), COLLECTED)
    yield graph
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
def test_a_test_class_statement_runs_at_collection(collected_graph, monkeypatch, rule):
    monkeypatch.setattr(impact_module, "CLASS_STATEMENT_TESTS", rule)
    report = impact(collected_graph, "lib.core.make_word")
    assert DIRECT <= selected(report)
    # Listed either way (nothing vanishes); selected only without the rule.
    assert TABLE in listed(report)
    assert (TABLE in selected(report)) is not rule
    # A module global made at import is not a dependent of the test either way.
    assert "tests/test_core.py::test_cases" not in listed(report)
