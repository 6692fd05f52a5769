"""impact_flags: code under `if Owner.FLAG:` (a falsy class attribute that
library code never sets by name) runs only in the tests that name the flag
(issue 12, pyparsing's `__diag__.enable_debug_on_named_expressions`). One
source, one case per idiom, each checked with the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact as impact_module
from indexer.analysis import impact_flags
from indexer.analysis.impact import impact
from tests.unit.impact_cases import assert_switched, fresh_memo, graph_fixture, selected  # noqa: F401 (fresh_memo: autouse)

FLAGS = {
    "lib/__init__.py": "",
    "lib/diag.py": """
        class __diag__:
            trace_names = False

        class Verbose:
            loud = False

        QUIET = None

        def enable(name):
            setattr(__diag__, name, True)

        def turn_up():
            Verbose.loud = True

        def trace(x):
            return x

        def shout(x):
            return x

        def hush(x):
            return x

        class El:
            def set_name(self, name):
                self.name = name
                if __diag__.trace_names:
                    trace(self)
                if Verbose.loud:
                    shout(self)
                if QUIET:
                    hush(self)
                return self

        def parse(el):
            return el.set_name("x")

        def log(x):
            return x

        class Node:
            def set_name(self, name):
                if __diag__.trace_names:
                    self.set_debug(True)
                return self

            def set_debug(self, flag=True):
                if flag:
                    log(self)
                return self

            def run(self):
                return self.run_impl()

            def run_impl(self):
                return self

        class Block(Node):
            def run_impl(self):
                self.set_debug(self.on)
                return self

        def helper(node):
            node.set_name("x")
            return node.run()
        """,
    "tests/test_diag.py": """
        from lib import diag
        from lib.diag import El, enable, parse, turn_up

        def test_named():
            assert El().set_name("a")

        def test_parse():
            assert parse(El())

        def test_enabled():
            enable("trace_names")
            assert El().set_name("a")

        def test_attribute():
            diag.__diag__.trace_names = True
            assert parse(El())

        def test_turned_up():
            turn_up()
            assert El().set_name("a")

        def test_quiet():
            diag.QUIET = 1
            assert parse(El())

        def test_helper():
            assert diag.helper(diag.Node())

        def test_helper_block():
            assert diag.helper(diag.Block())

        class TestCase:
            def test_plain(self):
                assert parse(El())

            def test_on(self):
                enable("trace_names")
                assert parse(El())
        """,
}
T = "tests/test_diag.py::"

CASES = [
    # A class attribute flag: only the tests that name it (a string, an attribute).
    # A test's class gives only what its own statements name, not its other tests'.
    ("class flag", "lib.diag.trace", {"test_enabled", "test_attribute", "TestCase::test_on"},
     {"test_named", "test_parse", "test_turned_up", "test_quiet", "TestCase::test_plain"}),
    # A module-level flag (`if QUIET:`): likewise.
    ("module flag", "lib.diag.hush", {"test_quiet"}, {"test_named", "test_parse", "test_enabled", "test_turned_up"}),
    # A flag library code sets by name (`Verbose.loud = True`) guards nothing.
    ("set by library", "lib.diag.shout", {"test_named", "test_parse", "test_turned_up", "test_enabled"}, set()),
]


flags_graph = graph_fixture("flags_graph", FLAGS)


@pytest.mark.parametrize("case, target, kept, off", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("rule", [True, False])
def test_flag_guards(flags_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_flags, "RULE", rule)
    found = selected(impact(flags_graph, target))
    assert_switched(found, T, kept, off, rule)


# The flag's chain and a flag-free one (`Block.run_impl -> set_debug`) meet in
# `helper`: the token alone leaves the test its first chain, the soft taint
# lets the receiver rule judge the clean one (a test holding no Block).
TAINT = [("helper", "lib.diag.log", {"test_helper_block"}, {"test_helper"})]


@pytest.mark.parametrize("case, target, kept, off", TAINT, ids=[c[0] for c in TAINT])
@pytest.mark.parametrize("rule", [True, False])
def test_flag_taint(flags_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_module, "FLAG_TAINT", rule)
    found = selected(impact(flags_graph, target))
    assert_switched(found, T, kept, off, rule)
