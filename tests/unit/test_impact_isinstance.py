"""impact_isinstance: code under `isinstance(p, C)` runs only for callers
that pass a C there (issue 12, click's `Context.invoke`). One source case,
checked with the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_isinstance
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

# `Command.invoke` passes its callback, a function (annotated Callable);
# `Context.forward` passes a command it was given. Only the forward path
# runs `fill_defaults`.
CASE = {
    "lib.py": """
        from typing import Any, Callable, Optional

        def fill_defaults(cmd):
            return dict(cmd.defaults)

        class Command:
            def __init__(self, name, callback: Optional[Callable[..., Any]] = None):
                self.name = name
                self.callback = callback
                self.defaults = {}

            def invoke(self, ctx):
                return ctx.invoke(self.callback)

            def later(self, ctx):
                def run():
                    return ctx.invoke(self.callback)  # a closure's `self`: the method's
                return run()

        class Context:
            def invoke(self, callback, *args):
                if isinstance(callback, Command):
                    fill_defaults(callback)
                    callback = callback.callback
                return callback(*args)

            def forward(self, cmd):
                return self.invoke(cmd)
        """,
    "tests/test_lib.py": """
        from lib import Command, Context

        def test_run():
            assert Command("x", callback=lambda: 1).invoke(Context()) == 1

        def test_later():
            assert Command("z", callback=lambda: 3).later(Context()) == 3

        def test_forward():
            assert Context().forward(Command("y", callback=lambda: 2)) == 2
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_caller_that_passes_no_instance_skips_the_isinstance_branch(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_isinstance, "RULE", rule)
    indexer, g = build(tmp_path, CASE)
    report = impact(g, "lib.fill_defaults")
    assert "tests/test_lib.py::test_forward" in selected(report)
    assert ("tests/test_lib.py::test_run" in selected(report)) is not rule
    assert ("tests/test_lib.py::test_later" in selected(report)) is not rule
    # Outside the branch, both run it.
    assert {"tests/test_lib.py::test_run", "tests/test_lib.py::test_forward"} <= selected(impact(g, "lib.Command.__init__"))
    indexer.close()


# `compile_` branches on the schema's builtin type: a test that makes no
# list (no display, no `list(...)`) in its own code does not run the list
# branch; library code that passes a list display (`nested`) discharges it.
BUILTIN_CASE = {
    "lib.py": """
        def compile_list(schema):
            return [compile_(s) for s in schema]

        def compile_pair(schema):
            return tuple(schema)

        def compile_(schema):
            if isinstance(schema, list):
                return compile_list(schema)
            elif isinstance(schema, (tuple, set)):
                return compile_pair(schema)
            return schema

        class Schema:
            def __init__(self, schema):
                self.compiled = compile_(schema)

        def nested(value):
            return Schema([value])
        """,
    "tests/test_lib.py": """
        from lib import Schema, nested

        def test_scalar():
            assert Schema(int).compiled is int

        def test_list():
            assert Schema([int]).compiled == [int]

        def test_made():
            assert Schema(list("ab")).compiled == ["a", "b"]

        def test_set():
            assert Schema({int}).compiled == (int,)

        def test_nested():
            assert nested(int).compiled == [int]
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_test_that_makes_no_list_skips_the_list_branch(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_isinstance, "BUILTIN_RULE", rule)
    indexer, g = build(tmp_path, BUILTIN_CASE)
    chosen = selected(impact(g, "lib.compile_list"))
    assert {"tests/test_lib.py::test_list", "tests/test_lib.py::test_made", "tests/test_lib.py::test_nested"} <= chosen
    assert ("tests/test_lib.py::test_scalar" in chosen) is not rule
    assert ("tests/test_lib.py::test_set" in chosen) is not rule
    pair = selected(impact(g, "lib.compile_pair"))
    assert "tests/test_lib.py::test_set" in pair  # a set display gives `set|tuple`
    assert ("tests/test_lib.py::test_scalar" in pair) is not rule
    # Outside the branch, every test runs it.
    assert "tests/test_lib.py::test_scalar" in selected(impact(g, "lib.compile_"))
    indexer.close()


# `Context.invoke` has `@overload` stubs: three definitions, one qualname.
# A test that calls it directly has its keywords read from the first one
# (a stub); the isinstance guard then reads the implementation. Both parses
# shared one memo entry, so the order of queries decided which body the
# guard saw (click: `Context.__enter__` queried first made `ParamType.convert`
# reach 265 functions instead of 80).
OVERLOAD_CASE = {
    "lib.py": """
        from typing import Any, Callable, overload

        def fill_defaults(cmd):
            return dict(cmd.defaults)

        class Command:
            def __init__(self, name, callback: Callable[..., Any]):
                self.name = name
                self.callback = callback
                self.defaults = {}

            def invoke(self, ctx):
                return ctx.invoke(self.callback)

        class Context:
            def __init__(self, verbose=False):
                self.verbose = verbose

            def log(self, callback):
                return repr(callback)

            @overload
            def invoke(self, callback: Command) -> Any: ...

            @overload
            def invoke(self, callback: Callable[..., Any]) -> Any: ...

            def invoke(self, callback, *args):
                if self.verbose:
                    self.log(callback)
                if isinstance(callback, Command):
                    fill_defaults(callback)
                    callback = callback.callback
                return callback(*args)

            def forward(self, cmd):
                return self.invoke(cmd)
        """,
    "tests/test_lib.py": """
        from lib import Command, Context

        def test_run():
            assert Command("x", callback=lambda: 1).invoke(Context()) == 1

        def test_direct():
            assert Context(verbose=True).invoke(lambda: 2) == 2

        def test_forward():
            assert Context().forward(Command("y", callback=lambda: 3)) == 3
        """,
}


@pytest.mark.parametrize("first", [None, "lib.Context.log"])
def test_an_overloaded_function_s_guard_reads_its_implementation_whatever_came_first(tmp_path, first):
    indexer, g = build(tmp_path, OVERLOAD_CASE)
    if first is not None:
        assert "tests/test_lib.py::test_direct" in selected(impact(g, first))  # reads `test_direct`'s callees
    chosen = selected(impact(g, "lib.fill_defaults"))
    assert "tests/test_lib.py::test_forward" in chosen
    assert "tests/test_lib.py::test_run" not in chosen
    indexer.close()


# The list `format_` branches on is made by library code (the parser),
# kept in an attribute and handed on: a test that writes only strings runs
# the list branch. An attribute, a call's result, or a name bound from one
# discharges the display tokens; a parameter handed on (or an item of one)
# keeps them (`nested` below: still only the tests that write a list).
MADE_CASE = {
    "lib.py": """
        def parse(text):
            return [part.strip() for part in text.split(",")]

        def format_list(marker):
            return ", ".join(format_(m) for m in marker)

        def format_(marker):
            if isinstance(marker, list):
                return format_list(marker)
            return marker

        def nested(marker):
            return [format_(m) for m in marker.values()]

        class Marker:
            def __init__(self, text):
                self._parts = parse(text)

            def __str__(self):
                return format_(self._parts)

        class Plain:
            def __init__(self, text):
                self._text = text

            def __str__(self):
                return format_(self._text)
        """,
    "tests/test_lib.py": """
        from lib import Marker, Plain, format_, nested

        def test_marker():
            assert str(Marker("a, b")) == "a, b"

        def test_plain():
            assert str(Plain("a")) == "a"

        def test_format_list():
            assert format_(["a"]) == "a"

        def test_nested_scalar():
            assert nested({"k": "a"})[0] == "a"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_list_library_code_made_runs_the_list_branch(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_isinstance, "BUILTIN_RULE", True)
    monkeypatch.setattr(impact_isinstance, "MADE_ELSEWHERE_RULE", rule)
    indexer, g = build(tmp_path, MADE_CASE)
    chosen = selected(impact(g, "lib.format_list"))
    assert "tests/test_lib.py::test_format_list" in chosen
    assert ("tests/test_lib.py::test_marker" in chosen) is rule  # `self._parts`: the parser's list
    assert "tests/test_lib.py::test_plain" not in chosen  # `self._text` is set from a parameter
    assert "tests/test_lib.py::test_nested_scalar" not in chosen  # items of what the test gave
    indexer.close()
