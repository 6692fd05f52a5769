"""Operators, `for` and the protocol builtins run an operand's dunder
methods (issue 12, wrapt's ObjectProxy): `a + b`, `1 + a`, `-a`, `a += b`,
`a < b`, `a == b`, `for x in a`, `len(a)`, `str(a)`, `isinstance(a, T)`.
One case per idiom, each checked with extract.OPERAND_PROTOCOLS on and off,
plus the off-cases: an operand whose class is unknown, and a class operand
(`len(C)` runs C's metaclass's method, not C's)."""

from __future__ import annotations

import importlib

import pytest

from indexer.analysis import impact_introspect, impact_library, impact_protocols
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

LIB = """
    class Proxy:
        def __init__(self, wrapped):
            self.wrapped = wrapped

        def __add__(self, other):
            return self.wrapped + other

        def __radd__(self, other):
            return other + self.wrapped

        def __neg__(self):
            return -self.wrapped

        def __iadd__(self, other):
            self.wrapped += other
            return self

        def __lt__(self, other):
            return self.wrapped < other

        def __gt__(self, other):
            return self.wrapped > other

        def __eq__(self, other):
            return self.wrapped == other

        def __iter__(self):
            return iter(self.wrapped)

        def __len__(self):
            return len(self.wrapped)

        def __str__(self):
            return str(self.wrapped)

        def __divmod__(self, other):
            return divmod(self.wrapped, other)

        def __rdivmod__(self, other):
            return divmod(other, self.wrapped)

        @property
        def __class__(self):
            return type(self.wrapped)
    """

TESTS = """
    from lib import Proxy

    def make(value):
        return Proxy(value)

    def test_add():
        one = Proxy(1)
        assert one + 2 == 3

    def test_radd():
        assert 1 + make(2) == 3

    def test_neg():
        p = Proxy(1)
        assert -p == -1

    def test_iadd():
        p = Proxy(1)
        p += 1

    def test_lt():
        p = Proxy(1)
        assert p < 2

    def test_reflected_lt():
        p = Proxy(1)
        assert 0 < p

    def test_eq():
        p = Proxy(1)
        assert p == 1

    def test_for():
        p = Proxy([1])
        for x in p:
            assert x

    def test_comprehension():
        p = Proxy([1])
        assert [x for x in p]

    def test_len():
        p = Proxy([1])
        assert len(p) == 1

    def test_str():
        assert str(Proxy(1)) == "1"

    def test_divmod():
        p = Proxy(7)
        assert divmod(p, 2) and divmod(9, p)

    def test_isinstance():
        p = Proxy(1)
        assert isinstance(p, int)

    def test_unknown(value):
        assert len(value) and value + 1 and str(value)

    def test_class_operand():
        assert len(Proxy) or str(Proxy)
    """

# dunder -> the tests that run it (through the operand rule alone)
CASES = {
    "__add__": ["test_add"],
    "__radd__": ["test_radd"],
    "__neg__": ["test_neg"],
    "__iadd__": ["test_iadd"],
    "__lt__": ["test_lt"],
    "__gt__": ["test_reflected_lt"],
    "__eq__": ["test_eq"],
    "__iter__": ["test_for", "test_comprehension"],
    "__len__": ["test_len"],
    "__str__": ["test_str"],
    "__divmod__": ["test_divmod"],
    "__rdivmod__": ["test_divmod"],
    "__class__": ["test_isinstance"],
}
NEVER = ("test_unknown", "test_class_operand")


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    extract = importlib.import_module("indexer.languages.python.extract")
    out, closers = {}, []
    for rule in (True, False):
        saved, extract.OPERAND_PROTOCOLS = extract.OPERAND_PROTOCOLS, rule
        try:
            indexer, g = build(tmp_path_factory.mktemp(f"operands{rule}"), {"lib.py": LIB, "tests/test_lib.py": TESTS})
        finally:
            extract.OPERAND_PROTOCOLS = saved
        out[rule] = g
        closers.append(indexer)
    yield out
    for indexer in closers:
        indexer.close()


@pytest.mark.parametrize("dunder", sorted(CASES))
@pytest.mark.parametrize("rule", [True, False])
def test_an_operand_s_dunder_runs_where_the_operator_or_builtin_is_used(graphs, monkeypatch, dunder, rule):
    monkeypatch.setattr(impact_protocols, "LIBRARY_RULE", False)  # `__eq__` wherever instances are made
    monkeypatch.setattr(impact_introspect, "TYPE_RULE", False)  # `isinstance` callers of a `__class__` property
    monkeypatch.setattr(impact_library, "PROTOCOL_RULE", False)  # a maker calling `str(...)` on what it made
    got = selected(impact(graphs[rule], f"lib.Proxy.{dunder}"))
    for test in CASES[dunder]:
        assert (f"tests/test_lib.py::{test}" in got) is rule, (dunder, test)
    for test in NEVER:
        assert f"tests/test_lib.py::{test}" not in got, (dunder, test)


@pytest.mark.parametrize("rule", [True, False])
def test_a_large_workspace_s_walk_leaves_the_operand_uses_out(graphs, monkeypatch, rule):
    # impact_operands: past the recall rules' scale (600 Python files; here
    # lowered to 0) the walk does not follow them; the references stay.
    from indexer.analysis import impact as impact_module, impact_operands
    monkeypatch.setattr(impact_module, "GUARD_MAX_FILES", 0)
    monkeypatch.setattr(impact_operands, "RULE", rule)
    got = selected(impact(graphs[True], "lib.Proxy.__len__"))
    assert ("tests/test_lib.py::test_len" in got) is not rule
    assert any(r.enclosing == "tests.test_lib.test_len" for r in graphs[True].references("lib.Proxy.__len__"))
