"""Impact precision rules for tenacity and voluptuous (issue 12): a call
written in a parameter's default value runs when the `def` runs, not when
the function is called (impact_defaults); `self.x` in a template method
never reaches a subclass that overrides the template method
(impact_overridden). One source case per idiom, checked with the rule on
and switched off; each holds off-cases the rule must not touch."""

from __future__ import annotations

import ast

import pytest

from indexer.analysis import impact_defaults, impact_overridden
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)

# tenacity: `wait=wait_none()` in `BaseRetrying.__init__` (and in the
# `retry` overload stubs) builds one object at import; `wait_none.__init__`
# and, through `super().__init__`, `wait_fixed.__init__` run then, never
# per test. Off-cases: `stop_after()` called in the body runs per call;
# `before=before_nothing` hands the function to every call;
# `if_type.__init__` makes a lambda that the default object runs later.
DEFAULTS = {
    "lib.py": """
        from typing import overload

        class wait_fixed:
            def __init__(self, wait):
                self.wait = wait

            def __call__(self, state):
                return self.wait

        class wait_none(wait_fixed):
            def __init__(self):
                super().__init__(0)

        class if_type:
            def __init__(self, kind=Exception):
                self.predicate = lambda e: isinstance(e, kind)

            def __call__(self, e):
                return self.predicate(e)

        class stop_after:
            def __init__(self, n=3):
                self.n = n

        def before_nothing(state):
            return None

        class Retrying:
            def __init__(self, wait=wait_none(),
                         retry=if_type(),
                         before=before_nothing):
                self.wait = wait
                self.retry = retry
                self.before = before
                self.stop = stop_after()

            def __call__(self, fn):
                self.before(None)
                if self.retry(Exception()):
                    self.wait(None)
                return fn()

        @overload
        def retry(fn: int) -> int: ...

        @overload
        def retry(
            *, wait=wait_none()
        ) -> int: ...

        def retry(*args, **kwargs):
            return Retrying(**kwargs)
        """,
    "tests/test_lib.py": """
        from lib import Retrying, retry

        def test_retrying():
            assert Retrying()(lambda: 1) == 1

        def test_decorator():
            assert retry() is not None
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_call_in_a_default_runs_when_the_def_runs(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_defaults, "RULE", rule)
    indexer, g = build(tmp_path, DEFAULTS)
    for target in ("lib.wait_none.__init__", "lib.wait_fixed.__init__"):
        report = impact(g, target)
        for test in ("tests/test_lib.py::test_retrying", "tests/test_lib.py::test_decorator"):
            assert (test in selected(report)) is not rule, (target, test)
            assert test in listed(report)  # ruled out, never dropped
        assert "lib.Retrying.__init__" in {d.symbol.qualname for d in report.dependents}  # the dependents stay
    # Off-cases: a call in the body, a function handed over, code the
    # default's constructor makes (its lambda runs per call).
    for target in ("lib.stop_after.__init__", "lib.before_nothing", "lib.if_type.__init__"):
        assert "tests/test_lib.py::test_retrying" in selected(impact(g, target)), target
    indexer.close()


# (def text, the default spans that hold a call): positional and
# keyword-only defaults over several lines; a one-line def keeps its link
# (the body shares the line); a bare name or a constant holds no call.
_SPAN_CASES = [
    ("def f(a=g(),\n      b=1):\n    return a\n", [(1, 1)]),
    ("def f(*, a=g(\n        1)):\n    return a\n", [(1, 2)]),
    ("def f(a=g()): return g()\n", []),
    ("def f(a=g, b=None):\n    return a\n", []),
    ("async def f(a=[g()]):\n    return a\n", [(1, 1)]),
    ("class C:\n    pass\n", []),
]


@pytest.mark.parametrize("source, spans", _SPAN_CASES)
def test_the_default_spans_of_a_def(source, spans):
    assert impact_defaults.spans_of(ast.parse(source).body[0]) == spans


@pytest.mark.parametrize("source, makes", [
    ("def f(k):\n    self.p = lambda e: k\n", True),
    ("def f(k):\n    def inner():\n        return k\n    return inner\n", True),
    ("def f(k):\n    self.k = k\n", False),
])
def test_a_body_that_makes_code(source, makes):
    assert impact_defaults.makes_code(ast.parse(source).body[0]) is makes


# voluptuous (impact_overridden): `self.path` in `Invalid.prepend` never
# reaches `Multiple.path`, since `Multiple` overrides `prepend` (calling
# `error.prepend` on other objects only). Off-cases: `Logged` overrides
# `prepend` but calls `super().prepend`; `Plain` inherits it.
OVERRIDDEN = {
    "err.py": """
        class Invalid(Exception):
            def __init__(self, path=()):
                self._path = list(path)

            @property
            def path(self):
                return self._path

            def prepend(self, path):
                self._path = list(path) + self.path

        class Multiple(Invalid):
            def __init__(self, errors):
                self.errors = errors

            @property
            def path(self):
                return self.errors[0].path

            def prepend(self, path):
                for error in self.errors:
                    error.prepend(path)

        class Logged(Invalid):
            @property
            def path(self):
                return ["logged"]

            def prepend(self, path):
                super().prepend(path)

        class Plain(Invalid):
            @property
            def path(self):
                return ["plain"]
        """,
    "tests/test_err.py": """
        from err import Invalid, Logged, Multiple, Plain

        def test_prepend():
            error = Invalid(["a"])
            Multiple([error]).prepend(["b"])   # runs Invalid.prepend on `error` only
            Logged().prepend(["c"])            # Invalid.prepend reads Logged.path
            Plain().prepend(["d"])             # ... and Plain.path
            assert error._path == ["b", "a"]
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_template_method_the_subclass_overrides_never_reaches_it(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_overridden, "RULE", rule)
    indexer, g = build(tmp_path, OVERRIDDEN)
    report = impact(g, "err.Multiple.path")
    assert ("tests/test_err.py::test_prepend" in selected(report)) is not rule
    assert "tests/test_err.py::test_prepend" in listed(report)  # ruled out, never dropped
    assert "err.Invalid.prepend" in {d.symbol.qualname for d in report.dependents}  # the dependents stay
    for target in ("err.Logged.path", "err.Plain.path"):  # a super() call; no override
        assert "tests/test_err.py::test_prepend" in selected(impact(g, target)), target
    indexer.close()
