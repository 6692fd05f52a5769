"""Dynamic dispatch the Python resolver follows (issue 12, dispatch.py).

A computed getattr name (`getattr(self, f"_compare_{op}")`, packaging's
Specifier) links to every member of the receiver's class its literal pieces
match; an operator expression (`a + b`, `-a`, `a < b`, `a[k]`) has the value
its dunder returns (pyparsing's `Word(...) + "," + Word(...)` is a
ParserElement). Source in, expected references out; each with its switch
off, and the off-cases: an unknown receiver or operand, an unannotated
dunder, builtin operands, a name with too little literal text."""

from __future__ import annotations

import importlib

import pytest

from indexer.languages.python import dispatch
from tests.support import build

resolve_module = importlib.import_module("indexer.languages.python.resolve")

GETATTR = {
    "spec.py": """
        class Base:
            def _compare_base(self, a, b):
                return a == b

        class Spec(Base):
            def _compare_equal(self, a, b):
                return a == b

            def _compare_less(self, a, b):
                return a < b

            def other(self):
                return 1

            def by_fstring(self, op, a, b):
                return getattr(self, f"_compare_{op}")(a, b)

            def by_plus(self, op):
                return getattr(self, "_compare_" + op)

            def by_percent(self, op):
                return getattr(self, "_compare_%s" % op)

            def by_format(self, op):
                return getattr(self, "_compare_{}".format(op))

            def by_suffix(self, op):
                return getattr(self, op + "_equal")

            def too_little(self, op):
                return getattr(self, f"_{op}")

            def unknown(self, thing, op):
                return getattr(thing, f"_compare_{op}")

            def literal(self):
                return getattr(self, "other")
    """,
}

ALL = {"spec.Spec._compare_equal", "spec.Spec._compare_less", "spec.Base._compare_base"}


def _targets(g, qualname: str, how: str) -> set[str]:
    return {r.target for r in g.references_from(qualname) if r.how == how and r.target}


@pytest.mark.parametrize("method, wanted", [
    ("by_fstring", ALL),
    ("by_plus", ALL),
    ("by_percent", ALL),
    ("by_format", ALL),
    ("by_suffix", {"spec.Spec._compare_equal"}),
    ("too_little", set()),   # `_*` would match every private name
    ("unknown", set()),      # the receiver's class is not known
    ("literal", set()),      # a literal name keeps its own rule (getattr)
])
def test_a_computed_getattr_links_the_matching_members(tmp_path, method, wanted):
    indexer, g = build(tmp_path, GETATTR)
    assert _targets(g, f"spec.Spec.{method}", "getattr-match") == wanted
    if wanted:
        refs = [r for r in g.references_from(f"spec.Spec.{method}") if r.how == "getattr-match"]
        assert all(0 < r.confidence < 0.9 for r in refs if r.target)  # below a literal getattr's
        assert all("*" in r.name for r in refs)  # the glob, never a member's name: a rename leaves it alone
        # ... and the glob kept once with no target, for the subclasses' members (impact_visitors)
        assert [r.confidence for r in refs if r.target is None] == [0.0]
    indexer.close()


# `getattr(x, name)(...)` with no literal piece in the name: on an unknown
# receiver one row named "*" with no target (impact_introspect's delegate
# rule); on an instance whose class has `__getattr__`, that; a read (no
# call), or a known class without the hook, keeps nothing.
DELEGATES = {
    "proxy.py": """
        class Hooked:
            def __getattr__(self, name):
                return name

        class Plain:
            def info(self):
                return 1

        def unknown(logger, name):
            return getattr(logger, name)(1)

        def read_only(logger, name):
            return getattr(logger, name)

        def hooked(name):
            return getattr(Hooked(), name)()

        def plain(name):
            return getattr(Plain(), name)()
    """,
}


@pytest.mark.parametrize("function, wanted", [
    ("unknown", [("*", None)]),
    ("read_only", []),
    ("hooked", [("__getattr__", "proxy.Hooked.__getattr__")]),
    ("plain", []),
])
def test_a_method_called_by_a_wholly_computed_name(tmp_path, function, wanted):
    indexer, g = build(tmp_path, DELEGATES)
    rows = [(r.name, r.target) for r in g.references_from(f"proxy.{function}") if r.how == "getattr-any"]
    assert rows == wanted
    indexer.close()


def test_the_wholly_computed_name_switch_off(tmp_path, monkeypatch):
    monkeypatch.setattr(dispatch, "GETATTR_ANY", False)
    indexer, g = build(tmp_path, DELEGATES)
    assert not [r for r in g.references_from("proxy.unknown") if r.how == "getattr-any"]
    indexer.close()


def test_the_literal_getattr_is_unchanged(tmp_path):
    indexer, g = build(tmp_path, GETATTR)
    assert _targets(g, "spec.Spec.literal", "getattr") == {"spec.Spec.other"}
    indexer.close()


def test_the_getattr_switch_off(tmp_path, monkeypatch):
    monkeypatch.setattr(dispatch, "GETATTR_PATTERNS", False)
    indexer, g = build(tmp_path, GETATTR)
    assert _targets(g, "spec.Spec.by_fstring", "getattr-match") == set()
    indexer.close()


DESCRIPTOR = {
    "meta.py": """
        class Validator:
            def __set_name__(self, owner, name):
                self.name = name

            def __get__(self, instance, owner):
                return getattr(self, f"_process_{self.name}")(instance)

            def _process_version(self, value):
                return value

            def _process_summary(self, value):
                return value

            def _process_unused(self, value):
                return value

        class Metadata:
            version: "Validator" = Validator()
            summary = Validator()
            other = 1

        class Plain:
            def __get__(self, instance, owner):
                return getattr(self, f"_process_{self.name}")(instance)

            def _process_version(self, value):
                return value

        class Lonely:
            def __set_name__(self, owner, name):
                self.name = name

            def __get__(self, instance, owner):
                return getattr(self, f"_process_{self.name}")(instance)

            def _process_nothing(self, value):
                return value
    """,
}


def test_a_set_name_descriptor_links_each_member_to_its_owner_attribute(tmp_path):
    indexer, g = build(tmp_path, DESCRIPTOR)
    assert _targets(g, "meta.Validator.__get__", "getattr-match") == set()
    assert _targets(g, "meta.Metadata.version", "getattr-match") == {"meta.Validator._process_version"}
    assert _targets(g, "meta.Metadata.summary", "getattr-match") == {"meta.Validator._process_summary"}
    # no __set_name__: the name is not the attribute's; no owner: as before
    assert _targets(g, "meta.Plain.__get__", "getattr-match") == {"meta.Plain._process_version"}
    assert _targets(g, "meta.Lonely.__get__", "getattr-match") == {"meta.Lonely._process_nothing"}
    refs = [r for r in g.references_from("meta.Metadata.version") if r.how == "getattr-match"]
    assert refs and all(r.name == "_process_*" for r in refs)  # the glob, as any computed getattr
    indexer.close()


def test_the_set_name_switch_off(tmp_path, monkeypatch):
    monkeypatch.setattr(dispatch, "SET_NAME_HOLES", False)
    indexer, g = build(tmp_path, DESCRIPTOR)
    assert _targets(g, "meta.Validator.__get__", "getattr-match") == {
        "meta.Validator._process_version", "meta.Validator._process_summary", "meta.Validator._process_unused"}
    indexer.close()


OPERATORS = {
    "pe.py": """
        class Element:
            def __add__(self, other) -> "Element":
                return And(self, other)

            def __neg__(self) -> "Element":
                return self

            def __lt__(self, other) -> "Element":
                return self

            def __getitem__(self, key) -> "Element":
                return self

            def __sub__(self, other):
                return other

            def parse(self, text):
                return text

        class And(Element):
            def __init__(self, a, b):
                self.a, self.b = a, b

        class Plain:
            def __add__(self, other):
                return 3

            def parse(self, text):
                return text

        class Items:
            def __getitem__(self, key) -> Element:
                return Element()

        def word(chars) -> Element:
            return Element()
    """,
    "use.py": """
        from pe import Element, Plain, Items, word

        def chained():
            greet = word("a") + "," + word("b")
            return greet.parse("x")

        def parenthesized():
            return (word("a") + word("b")).parse("x")

        def negated():
            return (-word("a")).parse("x")

        def compared():
            return (word("a") < 3).parse("x")

        def subscripted():
            return Items()[0].parse("x")

        def unannotated():
            return (word("a") - word("b")).parse("x")

        def plain():
            return (Plain() + 1).parse("x")

        def unknown(thing):
            return (thing + 1).parse("x")

        def builtins_only():
            return ("a" + "b").parse("x")
    """,
}


def _parse_targets(g, function: str) -> set[str]:
    return {r.target for r in g.references_from(f"use.{function}") if r.name == "parse" and r.how != "name-match"}


@pytest.mark.parametrize("function, wanted", [
    ("chained", {"pe.Element.parse"}),       # ((word + ",") + word) through __add__ -> "Element"
    ("parenthesized", {"pe.Element.parse"}),
    ("negated", {"pe.Element.parse"}),
    ("compared", {"pe.Element.parse"}),
    ("subscripted", {"pe.Element.parse"}),   # Items.__getitem__ -> Element
    ("unannotated", set()),                  # __sub__ returns its argument: unknown
    ("plain", {"builtins.int.parse"}),       # Plain.__add__ returns an int: outside the workspace
    ("unknown", set()),                      # the operand's class is unknown
    ("builtins_only", set()),                # str + str: nothing in the workspace
])
def test_an_operator_expression_has_its_dunders_value(tmp_path, function, wanted):
    indexer, g = build(tmp_path, OPERATORS)
    assert _parse_targets(g, function) == wanted
    indexer.close()


def test_the_operator_switch_off(tmp_path, monkeypatch):
    monkeypatch.setattr(dispatch, "OPERATOR_VALUES", False)
    monkeypatch.setattr(resolve_module, "GETITEM_RESULT", False)
    indexer, g = build(tmp_path, OPERATORS)
    assert _parse_targets(g, "chained") == set()
    assert _parse_targets(g, "subscripted") == set()
    indexer.close()
