"""A name-matched `x.name` in a class's own code, where the class has a
member of that name (defined or inherited, a method or a class-level alias),
is guessed to be that member only (resolve.OWN_HIERARCHY_GUESS; issue 12,
pyparsing: `e._parse(...)` in `And.parseImpl` was guessed to be an example's
unrelated `BigQueryViewParser._parse` too). Checked on and switched off;
off-cases: a caller outside any class, and a method of the same name
(`def invoke(self, ctx): ctx.invoke()` delegates), keep every guess."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_precision
from indexer.analysis.impact import impact
from indexer.languages.python import resolve
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

SOURCES = {
    "lib.py": """
        class Element:
            def _parse_plain(self, s):
                return s

            _parse = _parse_plain

        class Pair(Element):
            def parse_impl(self, s, exprs):
                return [e._parse(s) for e in exprs]

        class Wrapper:
            def _parse(self, s):
                return s.view._parse(s)  # a method delegating to its namesake on a peer: every guess kept

        def loose(exprs, s):
            return [e._parse(s) for e in exprs]
        """,
    "examples/view.py": """
        class ViewParser:
            def _parse(self, s):
                return s
        """,
    "tests/test_lib.py": """
        from lib import Pair, loose

        def test_pair():
            assert Pair().parse_impl("a", [Pair()])

        def test_loose():
            assert loose([], "a") == []
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_guess_in_a_class_prefers_its_own_member(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(resolve, "OWN_HIERARCHY_GUESS", rule)
    # (the walk's own rule for these guesses, impact_precision rule 5, would drop
    # every one of them into examples/: this case checks the resolver's alone)
    monkeypatch.setattr(impact_precision, "FOREIGN_PRIVATE_RULE", False)
    indexer, g = build(tmp_path, SOURCES)
    view = {d.symbol.qualname for d in impact(g, "examples.view.ViewParser._parse").dependents}
    assert ("lib.Pair.parse_impl" in view) is not rule
    # Off-cases: a module function's guess is kept, and a namesake's.
    assert "lib.loose" in view
    assert "lib.Wrapper._parse" in view
    indexer.close()
