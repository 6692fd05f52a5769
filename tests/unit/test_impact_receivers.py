"""The receiver rule (a method runs only in tests that can hold its class),
refined (issue 12, click): an instance made in a test module's body frees
only that module's tests (impact_testglobals), and a test ruled out on its
first chain is kept when another chain reaches it (impact_rechain). One
source case per rule, each checked with the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_guards, impact_holders, impact_rechain, impact_testglobals
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

LIB = """
    def split(text):
        return text.split()

    class Parser:
        def parse(self, text):
            return split(text)

        def run(self, text):
            return self.parse(text)

    class Command:
        def parse_args(self, text):
            return Parser().run(text)

        def main(self, text=""):
            self.parse_args(text)
            return self.invoke()

        def invoke(self):
            return 1

    class Group(Command):
        def invoke(self):
            return self.resolve()

        def resolve(self):
            return split("a b")
    """

# A Group made in a test module's body: the tests of that file hold one,
# test_plain (another file) never does.
MODULE_LEVEL = {
    "lib.py": LIB,
    "tests/test_group.py": """
        from lib import Group

        GROUP = Group()

        def test_group():
            assert GROUP.main() == ["a", "b"]
        """,
    "tests/test_plain.py": """
        from lib import Command

        def test_plain():
            assert Command().main() == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_test_modules_instance_frees_only_its_own_tests(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_testglobals, "RULE", rule)
    indexer, g = build(tmp_path, MODULE_LEVEL)
    report = impact(g, "lib.Group.resolve")
    assert "tests/test_group.py::test_group" in selected(report)
    assert ("tests/test_plain.py::test_plain" in selected(report)) is not rule
    indexer.close()


# `split` is reached first through `Group.invoke`, a dispatch test_plain's
# Command never takes; `main -> parse_args -> Parser.run -> parse` runs it all the same.
OTHER_CHAIN = {
    "lib.py": LIB,
    "tests/test_group.py": """
        from lib import Group

        def test_group():
            assert Group().main() == ["a", "b"]
        """,
    "tests/test_plain.py": """
        from lib import Command

        def test_plain():
            assert Command().main("x") == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_test_ruled_out_on_its_first_chain_keeps_another(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_rechain, "RULE", rule)
    indexer, g = build(tmp_path, OTHER_CHAIN)
    report = impact(g, "lib.split")
    plain = next(t for t in report.tests if t.id == "tests/test_plain.py::test_plain")
    assert "lib.Group.invoke" in plain.via  # the first chain found dispatches into Group
    assert ("tests/test_plain.py::test_plain" in selected(report)) is rule
    assert "tests/test_group.py::test_group" in selected(report)
    # Group.resolve itself runs only where a Group is held: ruled out either way.
    assert "tests/test_plain.py::test_plain" not in selected(impact(g, "lib.Group.resolve"))
    indexer.close()


# Every command test holds a Param subclass that overrides `add`; nothing
# makes a bare Param. `get_params -> list[Param]` hands out the command's
# own (no instance made there), and `invoke` passes `**options` (any
# keyword, never an instance made elsewhere).
COLLECTION = {
    "lib.py": """
        def helper():
            pass

        class Param:
            def add(self, parser):
                helper()

        class Option(Param):
            def add(self, parser):
                parser.append(self)

        class Command:
            def __init__(self, params=None):
                self.params = params or []

            def get_params(self) -> list[Param]:
                return self.params

            def main(self, **extra):
                parser = []
                for param in self.get_params():
                    param.add(parser)
                return parser

        def invoke(cmd: Command):
            options = {"debug": False}
            return cmd.main(**options)
        """,
    "tests/test_lib.py": """
        from lib import Command, Option, invoke

        def test_invoke():
            assert invoke(Command([Option()]))
        """,
}


@pytest.mark.parametrize("off", [None, "CONTAINER_RULE", "KEEP_PASSED"])
def test_a_returned_collection_and_kwargs_make_no_instance(tmp_path, monkeypatch, off):
    if off == "CONTAINER_RULE":
        monkeypatch.setattr(impact_holders, "CONTAINER_RULE", False)
    elif off == "KEEP_PASSED":
        monkeypatch.setattr(impact_guards, "KEEP_PASSED", False)
    indexer, g = build(tmp_path, COLLECTION)
    report = impact(g, "lib.Param.add")
    assert ("tests/test_lib.py::test_invoke" in selected(report)) is (off is not None)
    assert "tests/test_lib.py::test_invoke" in selected(impact(g, "lib.Option.add"))
    indexer.close()


def test_the_other_chain_asks_its_dispatch_sources_in_a_fixed_order():
    # A source's first `tests_of` may start its receiver walk, and a walk
    # started while another is under way sees that one unconstrained (the
    # cycle guard of impact._PathReceivers) and is memoised as it came out:
    # asked in a set's order, pyparsing's selection moved by ~2,000
    # (function, test) pairs with PYTHONHASHSEED (issue 12). Forty sources
    # in hash order are sorted by chance once in 40! runs.
    from types import SimpleNamespace

    sources = [f"lib.C{n}.run" for n in range(40)]
    walk = SimpleNamespace(edges=[(s, "lib.user", "dispatch") for s in sources],
                           reach={"lib.target": None, "lib.user": None}, tainted=set())
    asked = []

    def tests_of(qualname):
        asked.append(qualname)
        return None

    impact_rechain.kept(impact_rechain.Rechain(walk, 8), tests_of, "lib.user", "tests/test_a.py::test_a")
    assert asked == sorted(sources)
