"""A function that returns one of its own local functions (a decorator
factory) gives that closure: a name bound to the factory's result calls it
(issue 12, decorator: `singledispatch = dispatch_on("obj")`, then
`@singledispatch def g`; `_contextmanager = decorator(ContextManager)`,
then `_contextmanager(func)`). Checked with the rule on and switched off;
off-cases: a factory returning a parameter, and one returning a module
function (already a name any module can see)."""

from __future__ import annotations

import importlib

import pytest

from indexer.analysis.impact import impact
from indexer.analysis import impact_bound
from indexer.languages.python import resolve
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

extract = importlib.import_module("indexer.languages.python.extract")  # (the package exports the function)

SOURCES = {
    "lib.py": """
        def dispatch_on(*names):
            def gen_func_dec(func):
                return func
            gen_func_dec.__name__ = "dispatch_on"
            return gen_func_dec

        def decorator(caller):
            def dec(func=None):
                return func
            return dec

        _contextmanager = decorator(len)

        def contextmanager(func):
            return _contextmanager(func)

        def identity(func):
            return func

        def passing(func):
            return func

        def module_level():
            return identity
        """,
    "tests/test_lib.py": """
        from lib import contextmanager, dispatch_on, module_level, passing

        singledispatch = dispatch_on("obj")
        same = passing(len)
        plain = module_level()

        def test_dispatch():
            @singledispatch
            def g(obj):
                return 1

        def test_contextmanager():
            @contextmanager
            def h():
                yield

        def test_plain():
            assert plain(1) == 1
            assert same([1]) == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_name_bound_to_a_factory_s_result_calls_its_closure(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(extract, "RETURNED_CLOSURES", rule)
    monkeypatch.setattr(resolve, "DECORATING_ALIAS", rule)
    # impact_bound's FACTORY_RULE also reaches a closure through a
    # module-level name bound to the factory's result: the off case needs both.
    monkeypatch.setattr(impact_bound, "FACTORY_RULE", rule)
    indexer, g = build(tmp_path, SOURCES)
    assert ("tests/test_lib.py::test_dispatch" in selected(impact(g, "lib.dispatch_on.gen_func_dec"))) is rule
    assert ("tests/test_lib.py::test_contextmanager" in selected(impact(g, "lib.decorator.dec"))) is rule
    # A module function the factory returns was found before (a name), and still is.
    assert "tests/test_lib.py::test_plain" in selected(impact(g, "lib.identity"))
    assert "tests/test_lib.py::test_plain" not in selected(impact(g, "lib.dispatch_on.gen_func_dec"))
    indexer.close()
