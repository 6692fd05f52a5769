"""impact_isinstance: code under `isinstance(p, C)` runs only for callers
that pass a C there (issue 12, click's `Context.invoke`). One source case,
checked with the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_isinstance
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

# `Command.invoke` passes its callback, a function (annotated Callable);
# `Context.forward` passes a command it was given. Only the forward path
# runs `fill_defaults`.
CASE = {
    "lib.py": """
        from typing import Any, Callable, Optional

        def fill_defaults(cmd):
            return dict(cmd.defaults)

        class Command:
            def __init__(self, name, callback: Optional[Callable[..., Any]] = None):
                self.name = name
                self.callback = callback
                self.defaults = {}

            def invoke(self, ctx):
                return ctx.invoke(self.callback)

            def later(self, ctx):
                def run():
                    return ctx.invoke(self.callback)  # a closure's `self`: the method's
                return run()

        class Context:
            def invoke(self, callback, *args):
                if isinstance(callback, Command):
                    fill_defaults(callback)
                    callback = callback.callback
                return callback(*args)

            def forward(self, cmd):
                return self.invoke(cmd)
        """,
    "tests/test_lib.py": """
        from lib import Command, Context

        def test_run():
            assert Command("x", callback=lambda: 1).invoke(Context()) == 1

        def test_later():
            assert Command("z", callback=lambda: 3).later(Context()) == 3

        def test_forward():
            assert Context().forward(Command("y", callback=lambda: 2)) == 2
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_caller_that_passes_no_instance_skips_the_isinstance_branch(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_isinstance, "RULE", rule)
    indexer, g = build(tmp_path, CASE)
    report = impact(g, "lib.fill_defaults")
    assert "tests/test_lib.py::test_forward" in selected(report)
    assert ("tests/test_lib.py::test_run" in selected(report)) is not rule
    assert ("tests/test_lib.py::test_later" in selected(report)) is not rule
    # Outside the branch, both run it.
    assert {"tests/test_lib.py::test_run", "tests/test_lib.py::test_forward"} <= selected(impact(g, "lib.Command.__init__"))
    indexer.close()
