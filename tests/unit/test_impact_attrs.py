"""Impact precision rules found on attrs: one source case per rule, each
checked with the rule on and switched off, so the case fails without it."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_isinstance, impact_params
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)


# A class decorator whose closure adds `__str__` only when its caller passed
# `str=`; a library wrapper forwards `str=str` (gives nothing) and a partial
# passes `frozen=True` (gives `frozen` to every user: no guard).
KEYWORD_PARAMETER = {
    "pkg/__init__.py": "from pkg._make import attrs, define, frozen\n",
    "pkg/_make.py": """
        from functools import partial

        class Builder:
            def __init__(self, cls):
                self.cls = cls

            def add_str(self):
                self.cls.__str__ = lambda s: "x"

            def add_frozen(self):
                self.cls.__setattr__ = None

            def build(self):
                return self.cls

        def attrs(maybe_cls=None, str=False, frozen=False, slots=False):
            def wrap(cls):
                builder = Builder(cls)
                if str is True:
                    builder.add_str()
                if frozen:
                    builder.add_frozen()
                return builder.build()
            if maybe_cls is None:
                return wrap
            return wrap(maybe_cls)

        def define(maybe_cls=None, str=False, frozen=False):
            return attrs(maybe_cls, str=str, frozen=frozen)

        frozen = partial(define, frozen=True)
        """,
    "tests/test_str.py": """
        import pkg

        def test_with_str():
            @pkg.attrs(str=True)
            class C:
                pass
            assert str(C())

        def test_plain():
            @pkg.define
            class D:
                pass
            assert D()

        def test_frozen():
            @pkg.frozen
            class E:
                pass
            assert E()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_keyword_parameter_guards_what_its_closure_runs(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_params, "RULE", rule)
    indexer, g = build(tmp_path, KEYWORD_PARAMETER)
    report = impact(g, "pkg._make.Builder.add_str")
    assert "tests/test_str.py::test_with_str" in selected(report)
    assert "tests/test_str.py::test_plain" in listed(report)  # listed: nothing vanishes
    assert ("tests/test_str.py::test_plain" in selected(report)) is not rule
    # `frozen` is given where the library's own partial names `define`:
    # its users run add_frozen; `define`'s plain users do not.
    frozen = impact(g, "pkg._make.Builder.add_frozen")
    assert "tests/test_str.py::test_frozen" in selected(frozen)
    assert "tests/test_str.py::test_plain" in listed(frozen)
    assert ("tests/test_str.py::test_plain" in selected(frozen)) is not rule
    indexer.close()


# `converter` is rebound, but only under a test requiring it: a caller that
# never passes `converter` never runs `pipe`.
REBOUND_UNDER_OWN_TEST = {
    "pkg/__init__.py": "from pkg.make import attrib, pipe\n",
    "pkg/make.py": """
        def pipe(*converters):
            return converters[0]

        def attrib(default=None, converter=None):
            if converter and isinstance(converter, (list, tuple)):
                converter = pipe(*converter)
            return default, converter
        """,
    "tests/test_attrib.py": """
        from pkg import attrib

        def test_plain():
            assert attrib(default=1)

        def test_converters():
            assert attrib(converter=[int, str])
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_rebinding_under_the_parameters_own_test_keeps_the_guard(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_params, "REBIND_RULE", rule)
    monkeypatch.setattr(impact_isinstance, "BUILTIN_RULE", False)  # it rules out test_plain too (no list made)
    indexer, g = build(tmp_path, REBOUND_UNDER_OWN_TEST)
    report = impact(g, "pkg.make.pipe")
    assert "tests/test_attrib.py::test_converters" in selected(report)
    assert "tests/test_attrib.py::test_plain" in listed(report)
    assert ("tests/test_attrib.py::test_plain" in selected(report)) is not rule
    indexer.close()


# `isinstance(hooks, list)` holds only when the caller replaced the None default.
ISINSTANCE_OF_PARAMETER = {
    "pkg/__init__.py": "from pkg.make import attrib, pipe\n",
    "pkg/make.py": """
        def pipe(*hooks):
            return hooks[0]

        def attrib(default=None, on_setattr=None):
            if isinstance(on_setattr, (list, tuple)):
                on_setattr = pipe(*on_setattr)
            return default, on_setattr
        """,
    "tests/test_attrib.py": """
        from pkg import attrib

        def test_plain():
            assert attrib(default=1)

        def test_hooks():
            assert attrib(on_setattr=[int, str])
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_isinstance_of_a_none_default_parameter_requires_it(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_params, "ISINSTANCE_RULE", rule)
    monkeypatch.setattr(impact_isinstance, "BUILTIN_RULE", False)  # it rules out test_plain too (no list made)
    indexer, g = build(tmp_path, ISINSTANCE_OF_PARAMETER)
    report = impact(g, "pkg.make.pipe")
    assert "tests/test_attrib.py::test_hooks" in selected(report)
    assert "tests/test_attrib.py::test_plain" in listed(report)
    assert ("tests/test_attrib.py::test_plain" in selected(report)) is not rule
    indexer.close()
