"""Impact through a hub (click's `CliRunner.invoke -> main`): what a test
runner's swap of a library function and a receiver walk cut by its depth do
to the selection. Each case fails with its rule switched off; a test a rule
rules out stays listed (at RULED_OUT_CONFIDENCE), never dropped."""

from __future__ import annotations

import pytest

from indexer.analysis import impact as impact_module
from indexer.analysis import impact_unrun
from indexer.analysis.impact import impact
from indexer.languages.python import stored_reads
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)

# A runner that swaps the prompt function for a fake and puts it back: it
# reads `termui.prompt_func` only to restore it, and never calls it.
SWAP = {
    "lib/__init__.py": "",
    "lib/termui.py": """
        def prompt_func(text):
            return input(text)


        def prompt(text):
            return prompt_func(text)
        """,
    "lib/testing.py": """
        from lib import termui


        def fake(text):
            return "y"


        class Runner:
            def invoke(self, func):
                old = termui.prompt_func
                termui.prompt_func = fake
                try:
                    return func()
                finally:
                    termui.prompt_func = old

            def keep(self):
                saved = termui.prompt_func
                return saved("name")
        """,
    "tests/test_run.py": """
        from lib.termui import prompt
        from lib.testing import Runner


        def test_invokes():
            assert Runner().invoke(lambda: 1) == 1


        def test_prompts():
            assert Runner().invoke(lambda: prompt("name"))


        def test_keeps():
            assert Runner().keep()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_saved_and_restored_function_is_not_run(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(stored_reads, "SAVE_RESTORE", rule)
    monkeypatch.setitem(impact_unrun.RULES, "write", rule)
    indexer, g = build(tmp_path, SWAP)
    try:
        report = impact(g, "lib.termui.prompt_func")
        assert "tests/test_run.py::test_invokes" in listed(report)  # nothing vanishes
        assert ("tests/test_run.py::test_invokes" in selected(report)) is not rule
        assert "tests/test_run.py::test_prompts" in selected(report)  # calls prompt()
        assert "tests/test_run.py::test_keeps" in selected(report)  # `saved(...)` calls it
    finally:
        indexer.close()


# `Base.run` dispatches `self.step()` to `Fancy.step`; only test_fancy holds
# a Fancy. A far test holds one too, 13 links from the class: the walk over
# Fancy's holders (at least impact.RECEIVER_MIN_DEPTH deep) is cut short by
# its depth, not by the size limit.
DEEP_HOLDER = {
    "lib/__init__.py": "",
    "lib/core.py": """
        class Base:
            def run(self):
                return self.step()

            def step(self):
                return 1


        class Fancy(Base):
            def step(self):
                return 2


        def run_it(obj):
            return obj.run()


        def make1():
            return Fancy()


        def make2():
            return make1()


        def make3():
            return make2()


        def make12():
            return make3()


        def make5():
            return make12()


        def make6():
            return make5()


        def make7():
            return make6()


        def make8():
            return make7()


        def make9():
            return make8()


        def make10():
            return make9()


        def make11():
            return make10()


        def make12():
            return make11()
        """,
    "tests/test_core.py": """
        from lib.core import Base, Fancy, make12, run_it


        def test_plain():
            assert run_it(Base()) == 1


        def test_fancy():
            assert run_it(Fancy()) == 2


        def test_far():
            assert make12()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_receiver_walk_cut_by_depth_still_names_the_holders(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_module, "RECEIVER_DEPTH_CUT", rule)
    indexer, g = build(tmp_path, DEEP_HOLDER)
    try:
        report = impact(g, "lib.core.Fancy.step", depth=3)
        assert "tests/test_core.py::test_fancy" in selected(report)
        assert "tests/test_core.py::test_plain" in listed(report)  # nothing vanishes
        assert ("tests/test_core.py::test_plain" in selected(report)) is not rule
    finally:
        indexer.close()
