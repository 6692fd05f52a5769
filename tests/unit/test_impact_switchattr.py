"""impact_switchattr: a switch parameter passed an attribute (`x.set_debug(
self.debug)`) that only a late method turns on runs the code under the
switch only in tests that can run that method (issue 12, pyparsing's
IndentedBlock.parseImpl, which carried every parsing test to the default
debug actions). One source, one case per idiom, each checked with the rule
on and off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_switchattr
from indexer.analysis.impact import impact
from tests.unit.impact_cases import assert_switched, fresh_memo, graph_fixture, selected  # noqa: F401 (fresh_memo: autouse)

SOURCE = {
    "lib/__init__.py": "",
    "lib/core.py": """
        def trace(text):
            return text

        class Element:
            def __init__(self):
                self.debug = False
                self.loud = True

            def enable(self):
                self.debug = True
                return self

            def quiet(self):
                self.debug = False
                return self

            def set_debug(self, flag=True):
                if flag:
                    trace("on")
                return self

            def parse(self, text):
                return self.parse_impl(text)

            def parse_impl(self, text):
                return text

        class Block(Element):
            def parse_impl(self, text):
                Element().set_debug(self.debug)
                return text

        class Noisy(Element):
            def run(self):
                return Element().set_debug(self.loud)
        """,
    "tests/test_core.py": """
        from lib.core import Block, Element, Noisy

        def test_block():
            assert Block().parse("x") == "x"

        def test_block_debug():
            block = Block()
            block.enable()
            assert block.parse("x") == "x"

        def test_set_debug():
            assert Element().set_debug()

        def test_noisy():
            assert Noisy().run()
        """,
}
T = "tests/test_core.py::"

CASES = [
    # `self.debug`: on only after `enable` (`__init__` and `quiet` write False): the tests that run it.
    ("late method turns it on", "lib.core.trace", {"test_block_debug", "test_set_debug"}, {"test_block"}),
    # `self.loud`: `__init__` turns it on, every holder has it on (no guard, on or off).
    ("init turns it on", "lib.core.trace", {"test_noisy", "test_set_debug"}, set()),
]


switch_graph = graph_fixture("switch_graph", SOURCE)


@pytest.mark.parametrize("case, target, kept, off", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("rule", [True, False])
def test_switch_attribute(switch_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_switchattr, "RULE", rule)
    found = selected(impact(switch_graph, target))
    assert_switched(found, T, kept, off, rule)
