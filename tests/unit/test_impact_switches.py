"""Switch parameters in the impact walk (impact_switches, issue 12's
packaging pass): code a function runs unless its caller turns a parameter
off. One source case per shape, each checked with the rule on and off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact as impact_module
from indexer.analysis import impact_switches
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import assert_switched, fresh_memo, graph_fixture, listed, selected  # noqa: F401 (fresh_memo: autouse)

SWITCHED = {
    "lib/__init__.py": "",
    "lib/meta.py": """
        def check(data):
            return data

        def platform_tags():
            return ["linux"]

        def make():
            return {}

        def load(data, *, validate=True):
            if validate:
                check(data)
            return data

        def tags(version=None, platforms=None):
            platforms = list(platforms or platform_tags())
            return platforms

        def build(spec, cache=None):
            if cache is None:
                cache = make()
            return cache

        def strict(data, quiet=False):
            if not quiet:
                check(data)
            return data

        def trace_on(node):
            return node

        def debug(node, flag=True, recurse=False):
            if recurse:
                for child in node:
                    debug(child, flag, recurse=False)
                return node
            if flag:
                trace_on(node)
            return node
        """,
    "tests/test_meta.py": """
        from lib.meta import build, debug, load, strict, tags

        def test_load_unchecked():
            assert load({}, validate=False) == {}

        def test_load_checked():
            assert load({}) == {}

        def test_load_unknown(flag):
            assert load({}, validate=flag) == {}

        def test_tags_given():
            assert tags((3, 8), ["any"]) == ["any"]

        def test_tags_keyword():
            assert tags(platforms=("any",)) == ["any"]

        def test_tags_empty():
            assert tags(platforms=[]) == ["linux"]

        def test_tags_default():
            assert tags() == ["linux"]

        def test_build_given():
            assert build("x", cache={}) == {}

        def test_build_none():
            assert build("x", cache=None) == {}

        def test_strict_quiet():
            assert strict({}, quiet=True) == {}

        def test_strict_loud():
            assert strict({}, quiet=0) == {}

        def test_both():
            load({}, validate=False)
            load({})

        def test_debug_off():
            assert debug([], False) == []

        def test_debug_recurse_off():
            assert debug([[]], flag=False, recurse=True) == [[]]

        def test_debug_on():
            assert debug([[]], recurse=True) == [[]]
        """,
}
T = "tests/test_meta.py::"

CASES = [
    # `if validate:` (default True): `validate=False` turns it off; a name may be anything.
    ("lib.meta.check", {"test_load_checked", "test_load_unknown", "test_both", "test_strict_loud"},
     {"test_load_unchecked", "test_strict_quiet"}),
    # `platforms or platform_tags()`: a non-empty display turns it off, positionally too; `[]` does not.
    ("lib.meta.platform_tags", {"test_tags_empty", "test_tags_default"}, {"test_tags_given", "test_tags_keyword"}),
    # `if cache is None:`: any display turns it off, `None` does not.
    ("lib.meta.make", {"test_build_none"}, {"test_build_given"}),
]


switched_graph = graph_fixture("switched_graph", SWITCHED)


@pytest.mark.parametrize("target, kept, off", CASES)
@pytest.mark.parametrize("rule", [True, False])
def test_switch_parameters(switched_graph, monkeypatch, rule, target, kept, off):
    monkeypatch.setattr(impact_module, "SWITCH_RULE", rule)
    # `if cache is None:` is an identity guard too (impact_identity): off, to see this rule's part.
    monkeypatch.setattr(impact_module, "IDENTITY_RULE", False)
    found = selected(impact(switched_graph, target))
    assert_switched(found, T, kept, off, rule)


# `if flag:` in a function that calls itself under `if recurse:`, handing `flag`
# on: the recursive call neither needs nor clears the switch (RECURSION_RULE).
RECURSIVE = [("lib.meta.trace_on", {"test_debug_on"}, {"test_debug_off", "test_debug_recurse_off"})]


@pytest.mark.parametrize("target, kept, off", RECURSIVE)
@pytest.mark.parametrize("rule", [True, False])
def test_switch_through_recursion(switched_graph, monkeypatch, rule, target, kept, off):
    monkeypatch.setattr(impact_switches, "RECURSION_RULE", rule)
    found = selected(impact(switched_graph, target))
    assert_switched(found, T, kept, off, rule)


# Positional arguments, mapped as the call binds them (POSITIONAL_RULE): off,
# only keywords are read. A method called through an instance binds `self`;
# through its class the caller passes it; a decorator that may change the
# signature leaves positions unknown (the link stays).
POSITIONAL = {
    "lib/__init__.py": "",
    "lib/node.py": """
        def check(data):
            return data

        def logged(func):
            def wrapper(*args, **kwargs):
                return func(*args, **kwargs)
            return wrapper

        class Node:
            def show(self, quiet=False, strict=True):
                if strict:
                    check(self)
                return self

        def tags(version=None, strict=True):
            if strict:
                check(version)
            return version

        @logged
        def wrapped(data, strict=True):
            if strict:
                check(data)
            return data
        """,
    "tests/test_node.py": """
        from lib.node import Node, tags, wrapped

        def test_instance_off():
            assert Node().show(True, False)

        def test_instance_on():
            assert Node().show(True)

        def test_class_on():
            assert Node.show(Node(), False, True)

        def test_function_off():
            assert tags((3, 8), False) == (3, 8)

        def test_wrapped_positional():
            assert wrapped({}, False) == {}
        """,
}
P = "tests/test_node.py::"
POSITIONAL_CASES = [
    # `show(True, False)` on an instance: `strict=False` (self bound); through the class the
    # first argument is `self` (`strict=True` there, kept); a decorated function's positions
    # are unknown (kept).
    ("lib.node.check", {"test_instance_on", "test_class_on", "test_wrapped_positional"},
     {"test_instance_off", "test_function_off"}),
]


positional_graph = graph_fixture("positional_graph", POSITIONAL)


@pytest.mark.parametrize("target, kept, off", POSITIONAL_CASES)
@pytest.mark.parametrize("rule", [True, False])
def test_switch_by_position(positional_graph, monkeypatch, rule, target, kept, off):
    monkeypatch.setattr(impact_switches, "POSITIONAL_RULE", rule)
    found = selected(impact(positional_graph, target))
    assert_switched(found, P, kept, off, rule)
