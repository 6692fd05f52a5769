"""Impact precision of the `__eq__` protocol link for packaging (issue 12,
impact_equse): a hashed container made of fresh instances hashes them but
compares none (CREATION_RULE); an attribute read off a call's result
(CALL_ATTRIBUTE_RULE) and a call or property annotated to return builtin
scalars (SCALAR_RULE) hold no instance; and the `__hash__` link
(impact_protocols.HASH_RULE, off by default). One source case per idiom,
each checked with its rule on and switched off, so the case fails without
it; each case holds an off-case the rule must not touch."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_equse, impact_protocols
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)

LIB = """
    class Proxy:
        def __init__(self, wrapped):
            self.__wrapped__ = wrapped

        def __eq__(self, other):
            return self.__wrapped__ == other

        def __hash__(self):
            return hash(self.__wrapped__)

        @property
        def label(self):
            return str(self.__wrapped__)

        def unwrap(self):
            return self.__wrapped__

        def matches(self, other) -> bool:
            return self.__wrapped__ is other

    class Hashing:
        def __init__(self, values):
            self.proxies = frozenset(map(Proxy, values))

    def make(value):
        return Proxy(value)

    def name_of(proxy) -> str:
        return str(proxy)

    def same(proxy) -> "Proxy":
        return proxy

    def check(value) -> bool:
        proxy = Proxy(value)
        return proxy.matches(value)

    def keep(value):
        proxy = Proxy(value)
        return proxy.unwrap()

    class Table:
        def get(self, key) -> str:
            return str(key)
    """


# packaging: `SpecifierSet.__init__` stores `frozenset(map(Specifier,
# specs))`; the specifiers are distinct, so only their `__hash__` runs. A
# test that builds one and compares nothing is ruled out; one that looks an
# instance up in the set (`in`) compares.
CREATION = {
    "lib.py": LIB,
    "tests/test_lib.py": """
        from lib import Hashing, Proxy

        def test_builds():
            assert Hashing(["a", "b"]) is not None

        def test_looks_up():
            assert Proxy("a") in Hashing(["a", "b"]).proxies
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_hashed_container_of_fresh_instances_compares_none(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_equse, "CREATION_RULE", rule)
    indexer, g = build(tmp_path, CREATION)
    report = impact(g, "lib.Proxy.__eq__")
    assert "tests/test_lib.py::test_looks_up" in selected(report)
    assert ("tests/test_lib.py::test_builds" in selected(report)) is not rule
    assert "tests/test_lib.py::test_builds" in listed(report)
    indexer.close()


# packaging: `Specifier(spec).operator == op` compares the str the property
# gives, `Version("2.1.0").major == 2` an int. Off-case: a method called on
# the result (`make(1).unwrap() == 1`) may give an instance.
CALL_ATTRIBUTE = {
    "lib.py": LIB,
    "tests/test_lib.py": """
        import pytest
        from lib import make

        @pytest.mark.parametrize("expected", ["1", "2"])
        def test_label(expected):
            value = 1
            assert make(value).label == expected

        def test_unwrap():
            value = 1
            assert make(value).unwrap() == value
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_attribute_read_off_a_call_holds_no_instance(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_equse, "CALL_ATTRIBUTE_RULE", rule)
    indexer, g = build(tmp_path, CALL_ATTRIBUTE)
    report = impact(g, "lib.Proxy.__eq__")
    assert "tests/test_lib.py::test_unwrap" in selected(report)
    assert ("tests/test_lib.py::test_label" in selected(report)) is not rule
    assert "tests/test_lib.py::test_label" in listed(report)
    indexer.close()


# packaging: `canonicalize_version(version) == expected` where the function
# is annotated `-> str`. Off-cases: one annotated to return the class, and
# a builtin's member of a name the workspace annotates (`d.get(k)`, where
# `Table.get -> str`: `d` may be a dict holding instances).
SCALAR = {
    "lib.py": LIB,
    "tests/test_lib.py": """
        from lib import make, name_of, same

        def test_name():
            assert name_of(make(1)) == "1"

        def test_same():
            assert same(make(1)) == 1

        def test_dict_get():
            table = {1: make(1)}
            assert table.get(1) == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_call_returning_builtin_scalars_holds_no_instance(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_equse, "SCALAR_RULE", rule)
    indexer, g = build(tmp_path, SCALAR)
    report = impact(g, "lib.Proxy.__eq__")
    assert "tests/test_lib.py::test_same" in selected(report)
    assert "tests/test_lib.py::test_dict_get" in selected(report)
    assert ("tests/test_lib.py::test_name" in selected(report)) is not rule
    assert "tests/test_lib.py::test_name" in listed(report)
    indexer.close()


@pytest.mark.parametrize("text, scalar", [
    ("str", True), ("tuple[int, ...]", True), ("bool | None", True), ("Optional[str]", True),
    ("'str'", True), ("Proxy", False), ("list[Proxy]", False), ("Self", False)])
def test_scalar_annotations(text, scalar):
    assert impact_equse._scalar_annotation(text) is scalar


# The `__hash__` link (off by default: on packaging it kept far more tests
# than it found): a test that makes a dict keyed by an instance runs it; one
# that only prints one does not.
HASHING = {
    "lib.py": LIB,
    "tests/test_lib.py": """
        from lib import make

        def test_key():
            table = {make(1): True}
            assert table

        def test_str():
            assert str(make(1))
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_hash_link_reaches_the_holders_that_hash(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_protocols, "HASH_RULE", rule)
    indexer, g = build(tmp_path, HASHING)
    report = impact(g, "lib.Proxy.__hash__")
    assert ("tests/test_lib.py::test_key" in selected(report)) is rule
    assert "tests/test_lib.py::test_str" not in selected(report)
    indexer.close()


# packaging: `summary = "Hello"; ...; assert meta.summary == summary` and
# `items = {str(item) for item in spec}; assert items == {...}`
# compare strs. Off-cases: a local bound to the instances themselves
# (`list(map(make, values))`), and one bound by a loop.
LOCALS = {
    "lib.py": LIB,
    "tests/test_lib.py": """
        from lib import make

        def test_literal():
            expected = "1"
            value = make(1)
            assert value.label == expected

        def test_strs():
            items = {str(item) for item in [make(1)]}
            assert items == {"1"}

        def test_list():
            values = list(map(make, [1, 2]))
            assert values == [1, 2]

        def test_loop():
            for value in [make(1)]:
                assert value == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_local_bound_to_values_that_hold_no_instance_holds_none(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_equse, "LOCALS_RULE", rule)
    indexer, g = build(tmp_path, LOCALS)
    report = impact(g, "lib.Proxy.__eq__")
    for kept in ("test_list", "test_loop"):
        assert f"tests/test_lib.py::{kept}" in selected(report)
    for compares_strs in ("test_literal", "test_strs"):
        assert (f"tests/test_lib.py::{compares_strs}" in selected(report)) is not rule
        assert f"tests/test_lib.py::{compares_strs}" in listed(report)
    indexer.close()


# packaging: `_eval_op` makes `spec = Specifier(...)` and returns
# `spec.contains(lhs)` (`-> bool`): the specifier never leaves it, so the
# marker tests above it never compare one. Off-case: a maker returning
# what a method of unknown result gives (`proxy.unwrap()`).
CONFINED = {
    "lib.py": LIB,
    "tests/test_lib.py": """
        from lib import check, keep

        def test_check():
            values = [1]
            assert check(1)
            assert values[0] == 1

        def test_keep():
            assert keep(1) == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_instance_its_maker_only_calls_methods_on_stays_there(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_equse, "CONFINED_RULE", rule)
    indexer, g = build(tmp_path, CONFINED)
    report = impact(g, "lib.Proxy.__eq__")
    assert "tests/test_lib.py::test_keep" in selected(report)
    assert ("tests/test_lib.py::test_check" in selected(report)) is not rule
    assert "tests/test_lib.py::test_check" in listed(report)
    indexer.close()
