"""impact_constructors: a constructor link carries the guard its uses of
the class share (issue 12, click's `EchoingStdin(...)` under
`if self.echo_stdin:`). One source case, with the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_constructors
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

CASE = {
    "lib.py": """
        class Echo:
            def __init__(self, stream):
                self.stream = stream

        class Runner:
            def __init__(self, echo_stdin=False):
                self.echo_stdin = echo_stdin

            def isolation(self, data):
                if self.echo_stdin:
                    data = Echo(data)
                return data
        """,
    "tests/test_lib.py": """
        from lib import Runner

        def test_plain():
            assert Runner().isolation("x") == "x"

        def test_echo():
            assert Runner(echo_stdin=True).isolation("x").stream == "x"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_constructor_link_keeps_the_guard_of_its_class_uses(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_constructors, "RULE", rule)
    indexer, g = build(tmp_path, CASE)
    report = impact(g, "lib.Echo.__init__")
    assert "tests/test_lib.py::test_echo" in selected(report)
    assert ("tests/test_lib.py::test_plain" in selected(report)) is not rule
    indexer.close()
