"""Decorators defined in a string literal that a test module runs with
`exec` (impact_execd, issue 12: wrapt's tests), and `__set_name__` only in
class statements that run inside a function (impact_decorated.LOCAL_CLASSES).
Each case runs with its switch on and off; the off-cases must never be
selected."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_createdflow, impact_decorated, impact_execd
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

LIB = """
    class Wrapper:
        def __init__(self, wrapped):
            self.wrapped = wrapped

        def __call__(self, *args):
            return self.wrapped(*args)

        def __get__(self, instance, owner):
            return self

        def __set_name__(self, owner, name):
            self.name = name

        def __getattr__(self, name):
            return getattr(self.wrapped, name)

    def decorator(wrapped):
        return Wrapper(wrapped)

    def plain(wrapped):
        return wrapped
    """

PKG_INIT = """
    from lib.core import decorator, plain
    """

EXECD = '''
    import types
    import lib

    DECORATORS_CODE = """
    import lib

    @lib.decorator
    def passthru(wrapped):
        return wrapped

    @lib.plain
    def untouched(wrapped):
        return wrapped
    """

    decorators = types.ModuleType("decorators")
    exec(DECORATORS_CODE, decorators.__dict__, decorators.__dict__)

    class Class:
        @decorators.passthru
        def function(self):
            return 1

        @decorators.untouched
        def other(self):
            return 2

    Alias = Class

    @decorators.passthru
    def function():
        return 1

    def test_read_method():
        assert Class.function

    def test_call_function():
        assert function()

    def test_other():
        assert Class.other

    def test_read_alias():
        assert Alias.function

    called = decorators.passthru(len)

    def test_getattr_called():
        assert getattr(called, "__name__") == "len"

    def test_getattr_plain():
        assert getattr(len, "__name__") == "len"

    def test_decorate_inside():
        @decorators.passthru
        def inner():
            return 1
        assert inner

    def test_decorate_untouched_inside():
        @decorators.untouched
        def inner():
            return 1
        assert inner

    def test_class_inside():
        class Local:
            @decorators.passthru
            def method(self):
                return 1
        assert Local
    '''

FILES = {"lib/__init__.py": PKG_INIT, "lib/core.py": LIB, "tests/test_execd.py": EXECD}


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    indexer, g = build(tmp_path_factory.mktemp("execd"), FILES)
    yield g
    indexer.close()


T = "tests/test_execd.py::"


@pytest.mark.parametrize("rule", [True, False])
def test_a_name_an_exec_d_literal_decorates_with_a_maker_holds_its_product(graph, monkeypatch, rule):
    monkeypatch.setattr(impact_execd, "RULE", rule)
    get = selected(impact(graph, "lib.core.Wrapper.__get__"))
    assert (T + "test_read_method" in get) is rule  # `Class.function` runs Wrapper.__get__
    call = selected(impact(graph, "lib.core.Wrapper.__call__"))
    assert (T + "test_call_function" in call) is rule  # `function()` runs Wrapper.__call__
    # off-cases: a name the literal decorates with no maker, and what no test reads
    assert T + "test_other" not in get
    assert T + "test_other" not in call


def test_the_literal_is_read_only_where_exec_runs_it():
    import ast
    tree = ast.parse("CODE = 'def f(): pass'\nexec(CODE, ns.__dict__)\nOTHER = 'def g(): pass'\nprint(OTHER)\n"
                     "exec(OTHER, some_function())\n")
    assert impact_execd.exec_literals(tree) == ["def f(): pass"]  # not OTHER: printed, and run in an unknown namespace
    defs = impact_execd.literal_definitions(ast.parse(
        "import lib\nfrom pkg import deco as d\n@lib.decorator\ndef a(): pass\n@d(flag=1)\nclass B: pass\n"
        "@unknown\ndef c(): pass\n"))
    assert defs == [("a", ["lib.decorator"]), ("B", ["pkg.deco"]), ("c", [])]


@pytest.mark.parametrize("rule", [True, False])
def test_set_name_runs_only_in_class_statements_inside_functions(graph, monkeypatch, rule):
    monkeypatch.setattr(impact_decorated, "LOCAL_CLASSES", rule)
    # impact_createdflow rules the alias out on its own (a created class's
    # alias is a use of what the class statement built): off, so that this
    # case shows what LOCAL_CLASSES alone decides
    monkeypatch.setattr(impact_createdflow, "RULE", False)
    monkeypatch.setattr(impact_createdflow, "MEMBER_RULE", False)
    got = selected(impact(graph, "lib.core.Wrapper.__set_name__"))
    assert T + "test_class_inside" in got  # its class statement runs in the test
    # `class Class` at the module's top level runs at import, before any test
    # (a test reading it through an alias was linked at full confidence)
    assert (T + "test_read_alias" in got) is not rule


@pytest.mark.parametrize("rule", [True, False])
def test_decorating_with_an_exec_d_product_inside_a_function_runs_its_call(graph, monkeypatch, rule):
    monkeypatch.setattr(impact_decorated, "EXEC_CALL_RULE", rule)
    call = selected(impact(graph, "lib.core.Wrapper.__call__"))
    assert (T + "test_decorate_inside" in call) is rule  # `@decorators.passthru` calls the Wrapper
    assert T + "test_decorate_untouched_inside" not in call


@pytest.mark.parametrize("rule", [True, False])
def test_a_variable_bound_to_a_call_of_an_exec_d_product_holds_it(graph, monkeypatch, rule):
    monkeypatch.setattr(impact_execd, "CALL_RULE", rule)
    # `getattr(called, ...)` runs Wrapper.__getattr__ (impact_introspect) only
    # where the test can hold a Wrapper: `called = decorators.passthru(len)`
    got = selected(impact(graph, "lib.core.Wrapper.__getattr__"))
    assert (T + "test_getattr_called" in got) is rule
    assert T + "test_getattr_plain" not in got
