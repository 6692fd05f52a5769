"""impact_identity: code under `if p is None:` (`is not None`'s else, `is
Ellipsis`, after an early return under the opposite test) runs only for
callers that can pass that constant at p (issue 12, pyparsing's
`expr("label")` and `a + b`). One source, one case per idiom, each checked
with the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact as impact_module
from indexer.analysis import impact_elements
from indexer.analysis.impact import impact
from tests.unit.impact_cases import assert_switched, fresh_memo, graph_fixture, selected  # noqa: F401 (fresh_memo: autouse)

IDENTITY = {
    "lib/__init__.py": "",
    "lib/el.py": """
        def fresh(x):
            return x

        def limited(x):
            return x

        def everything(x):
            return [x]

        def skip_to(x):
            return x

        def joined(x, y):
            return (x, y)

        def make():
            return El()

        class El:
            def __call__(self, name=None):
                if name is not None:
                    return name
                return fresh(self)

            def rename(self, name=None):
                if name is not None:
                    out = name
                else:
                    out = fresh(self)
                return out

            def lookup(self, key):
                if key is None:
                    return everything(self)
                return key

            def scan(self, limit=0):
                if limit is None:
                    return limited(self)
                return limit

            def __add__(self, other):
                if other is Ellipsis:
                    return skip_to(self)
                return joined(self, other)
        """,
    "tests/test_el.py": """
        from lib.el import El, make

        def test_call_label():
            assert El()("label")

        def test_call_plain():
            el = El()
            assert el()

        def test_call_unknown(flag):
            assert El()(flag)

        def test_rename_label():
            assert El().rename("x")

        def test_rename_plain():
            assert El().rename()

        def test_lookup_key():
            assert El().lookup(key="k")

        def test_lookup_none():
            assert El().lookup(None)

        def test_scan_default():
            assert El().scan() == 0

        def test_scan_none():
            assert El().scan(limit=None)

        def test_add_locals():
            a = El()
            b = El()
            assert a + b

        def test_add_string():
            assert El() + "x"

        def test_add_skip():
            assert El() + ...

        def test_add_made():
            assert El() + make()
        """,
}
T = "tests/test_el.py::"

CASES = [
    # Early return under `name is not None`: a literal label never reaches the
    # rest; an omitted name (default None) and a parameter (unknown) do.
    ("lib.el.fresh:call", "lib.el.fresh", {"test_call_plain", "test_call_unknown", "test_rename_plain"},
     {"test_call_label", "test_rename_label"}),
    # `is None`'s body: an omitted argument whose default is not None never reaches it.
    ("lib.el.limited", "lib.el.limited", {"test_scan_none"}, {"test_scan_default"}),
    # `is None`'s body (a parameter without default): a literal key never reaches it, a literal None does.
    ("lib.el.everything", "lib.el.everything", {"test_lookup_none"}, {"test_lookup_key"}),
    # `other is Ellipsis`: only `+ ...`, or an operand of unknown origin (a
    # function's result); never a string, nor locals bound to constructions.
    ("lib.el.skip_to", "lib.el.skip_to", {"test_add_skip", "test_add_made"},
     {"test_add_locals", "test_add_string"}),
]


identity_graph = graph_fixture("identity_graph", IDENTITY)


@pytest.mark.parametrize("case, target, kept, off", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("rule", [True, False])
def test_identity_guards(identity_graph, monkeypatch, rule, case, target, kept, off):
    monkeypatch.setattr(impact_module, "IDENTITY_RULE", rule)
    # A function's result kept as a possible `...`: impact_elements.CALLS_RULE off, to see this rule's part.
    monkeypatch.setattr(impact_elements, "CALLS_RULE", False)
    found = selected(impact(identity_graph, target))
    assert_switched(found, T, kept, off, rule)
