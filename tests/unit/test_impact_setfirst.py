"""impact_setfirst: a chain that needs `self.attr is None` (or another
singleton) stops at a method that sets `self.attr` from a parameter just
before it uses `self`; the parameter's identity guard then applies to that
method's callers (issue 12, pyparsing's `StringEnd.__init__ ->
set_name("end of text") -> str(self) -> name -> default_name`). One
source, one case per idiom, each checked with the rule on and switched
off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_setfirst
from indexer.analysis.impact import impact
from tests.unit.impact_cases import assert_switched, fresh_memo, graph_fixture, selected  # noqa: F401 (fresh_memo: autouse)

SOURCES = {
    "lib/__init__.py": "",
    "lib/el.py": """
        class El:
            def __init__(self):
                self.customName = None
                self._defaultName = None

            def generate(self):
                return type(self).__name__

            @property
            def default_name(self):
                if self._defaultName is None:
                    self._defaultName = self.generate()
                return self._defaultName

            @property
            def name(self):
                return self.customName if self.customName is not None else self.default_name

            def __str__(self):
                return self.name

            def set_name(self, name):
                self.customName = name
                self.errmsg = "Expected " + str(self)
                return self

            def describe(self):
                return str(self)

        class End(El):
            def __init__(self):
                super().__init__()
                self.set_name("end of text")

        class Start(El):
            def __init__(self, label=None):
                super().__init__()
                self.set_name(label)

        class Other(El):
            def __init__(self):
                super().__init__()
                self.customName = "x"
                self.describe()
        """,
    "tests/test_el.py": """
        from lib.el import End, Start

        def test_end():
            assert End()

        def test_start():
            assert Start()

        def test_str():
            from lib.el import El
            assert str(El())
        """,
}
T = "tests/test_el.py::"

CASES = [
    # set_name("end of text") sets customName to a string before str(self): no default_name.
    ("literal name", "lib.el.El.generate", {"test_start", "test_str"}, {"test_end"}),
]


setfirst_graph = graph_fixture("setfirst_graph", SOURCES)


@pytest.mark.parametrize("case, target, kept, off", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("rule", [True, False])
def test_set_first(setfirst_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_setfirst, "RULE", rule)
    assert_switched(selected(impact(setfirst_graph, target)), T, kept, off, rule)
