"""Impact precision rules for wrapt and click (issue 12): code that never
runs on this interpreter (impact_falsebranch), users of an alias of a class
the change created (impact_createdflow), and an `__eq__` held by tests that
compare nothing (impact_equse). One source case per
idiom, each checked with its rule on and switched off, so the case fails
without it; each case holds an off-case the rule must not touch."""

from __future__ import annotations

import sys

import pytest

from indexer.analysis import impact_createdflow, impact_equse, impact_falsebranch
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)

not_windows = pytest.mark.skipif(sys.platform.startswith("win") or sys.version_info[0] == 2,
                                 reason="the cases' false branches are Windows and Python 2 ones")


# wrapt: `def exec_` under `if PY2:` is never defined on Python 3; the call
# in `build` runs the builtin bound in the `else`. `live` under `if PY3:`
# is defined and runs.
VERSION_DEFINITION = {
    "lib.py": """
        import sys

        PY2 = sys.version_info[0] == 2
        PY3 = not PY2

        if PY2:
            def exec_(code, ns):
                exec("exec code in ns")
        else:
            import builtins
            exec_ = getattr(builtins, "exec")

        if PY3:
            def live(value):
                return value

        def build(source):
            ns = {}
            exec_(source, ns)
            return live(ns)
        """,
    "tests/test_lib.py": """
        from lib import build

        def test_build():
            assert build("x = 1") is not None
        """,
}


@not_windows
@pytest.mark.parametrize("rule", [True, False])
def test_a_definition_in_a_false_version_branch_runs_nothing(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_falsebranch, "RULE", rule)
    indexer, g = build(tmp_path, VERSION_DEFINITION)
    report = impact(g, "lib.exec_")
    assert ("tests/test_lib.py::test_build" in selected(report)) is not rule
    assert "tests/test_lib.py::test_build" in listed(report)  # ruled out, never dropped
    assert "lib.build" in {d.symbol.qualname for d in report.dependents}  # the dependents stay
    assert "tests/test_lib.py::test_build" in selected(impact(g, "lib.live"))  # off-case: a true branch
    indexer.close()


# click: `WIN` imported from a compat module; `echo` wraps the stream only
# `elif WIN:`, and `main` (after its `@overload` stubs) expands arguments
# only `os.name == "nt" and ...`.
# `plain` in the `else` and `both`, also used outside the branch, run.
PLATFORM_USES = {
    "pkg/__init__.py": "",
    "pkg/_compat.py": """
        import sys

        WIN = sys.platform.startswith("win")
        """,
    "pkg/utils.py": """
        import os
        from typing import overload
        from ._compat import WIN

        def wrap_for_ansi(stream):
            return stream

        def expand(args):
            return args

        def plain(stream):
            return stream

        def both(stream):
            return stream

        def echo(message, stream, color=None):
            if color:
                pass
            elif WIN:
                stream = wrap_for_ansi(stream)
                stream = both(stream)
            else:
                stream = plain(stream)
            return both(stream).write(message)

        @overload
        def main(args: list) -> list: ...

        @overload
        def main(args: None) -> list: ...

        def main(args, expand_args=True):  # (its `@overload` stubs come first in the index)
            if os.name == "nt" and expand_args:
                args = expand(args)
            return args
        """,
    "tests/test_utils.py": """
        import io
        from pkg.utils import echo, main

        def test_echo():
            echo("hi", io.StringIO())

        def test_main():
            assert main(["a"]) == ["a"]
        """,
}


@not_windows
@pytest.mark.parametrize("rule", [True, False])
def test_a_use_only_in_a_false_platform_branch_runs_nothing(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_falsebranch, "RULE", rule)
    indexer, g = build(tmp_path, PLATFORM_USES)
    wrapped = impact(g, "pkg.utils.wrap_for_ansi")
    assert ("tests/test_utils.py::test_echo" in selected(wrapped)) is not rule
    assert "tests/test_utils.py::test_echo" in listed(wrapped)
    assert "pkg.utils.echo" in {d.symbol.qualname for d in wrapped.dependents}
    assert ("tests/test_utils.py::test_main" in selected(impact(g, "pkg.utils.expand"))) is not rule
    # Off-cases: the `else` of a false test, and a use outside the branch too.
    assert "tests/test_utils.py::test_echo" in selected(impact(g, "pkg.utils.plain"))
    assert "tests/test_utils.py::test_echo" in selected(impact(g, "pkg.utils.both"))
    indexer.close()


# The evaluator, one test expression per idiom: (module text, the branch
# lines it rules out). Unknown tests (a parameter, an environment
# variable) rule out nothing.
_EVAL_CASES = [
    ("import sys\nif sys.version_info < (3,):\n    a = 1\n", ((3, 3),)),
    ("import sys\nif sys.version_info >= (3, 0):\n    a = 1\nelse:\n    b = 2\n", ((5, 5),)),
    ("import sys\nif sys.version_info[:2] < (2, 7):\n    a = 1\n", ((3, 3),)),
    ("import sys\nif sys.version_info.major == 2:\n    a = 1\n", ((3, 3),)),
    ("import sys\nPY3 = sys.version_info[0] >= 3\nif not PY3:\n    a = 1\n", ((4, 4),)),
    ("import os\nif os.name == 'nt':\n    a = 1\n", ((3, 3),)),
    ("import sys\nif sys.platform in ('win32', 'cygwin'):\n    a = 1\n", ((3, 3),)),
    ("import sys\nWIN = sys.platform.startswith('win')\nif WIN or False:\n    a = 1\n", ((4, 4),)),
    ("import os\nif os.environ.get('WIN'):\n    a = 1\n", ()),
    ("import sys\ndef f(flag):\n    if flag and sys.version_info > (3,):\n        a = 1\n", ()),
    ("import sys\nPY2 = sys.version_info[0] == 2\nPY2 = True\nif PY2:\n    a = 1\n", ()),  # bound twice
    ("if PY2:\n    a = 1\n", ()),  # no marker, no import: not parsed
]


@not_windows
@pytest.mark.parametrize("source, dead", _EVAL_CASES)
def test_the_false_branches_of_a_file(tmp_path, source, dead):
    file = tmp_path / "m.py"
    file.write_text(source)
    assert impact_falsebranch.dead_ranges(file) == dead


# wrapt: a metaclass builds `Base` and, through subclass statements,
# `Bound` and `Wrapper`; `Wrapper.__bound__ = Bound` binds the created
# class. A test that only uses them runs what the class statements made;
# a test that defines its own subclass runs the metaclass.
CREATED_ALIAS = {
    "lib.py": """
        class Meta(type):
            def __new__(cls, name, bases, namespace):
                namespace["made"] = True
                return type.__new__(cls, name, bases, namespace)

        class Base(metaclass=Meta):
            def __init__(self, value=None):
                self.value = value

        class Bound(Base):
            def run(self):
                return self.value

        class Wrapper(Base):
            __bound__ = Bound

            def bind(self):
                return self.__bound__(self.value).run()
        """,
    "tests/test_lib.py": """
        from lib import Base, Wrapper

        def uses(wrapper):
            return wrapper.bind()

        def test_bind():
            assert uses(Wrapper(1)) == 1

        def test_subclass():
            class Local(Base):
                pass
            assert Local(2).made
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_name_bound_to_a_created_class_is_the_created_class(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_createdflow, "RULE", rule)
    indexer, g = build(tmp_path, CREATED_ALIAS)
    report = impact(g, "lib.Meta.__new__")
    assert ("tests/test_lib.py::test_bind" in selected(report)) is not rule
    assert "tests/test_lib.py::test_subclass" in selected(report)  # off-case: a class statement at test time
    assert "lib.Wrapper.__bound__" in {d.symbol.qualname for d in report.dependents}
    indexer.close()


# wrapt: the library `__eq__` rule (impact_protocols) links a proxy's
# `__eq__` to every test that makes one; only those that compare a value
# that may be one (`==`, `assertEqual`, a dict key) run it. `str(value) ==
# "10"` compares two strs.
EQUALITY_USE = {
    "lib.py": """
        class Proxy:
            def __init__(self, wrapped):
                self.__wrapped__ = wrapped

            def __eq__(self, other):
                return self.__wrapped__ == other

            def __str__(self):
                return str(self.__wrapped__)

        def make(value):
            return Proxy(value)
        """,
    "tests/test_lib.py": """
        import unittest
        from lib import make

        def test_compares():
            value = make(1)
            assert value == 1

        def test_key():
            table = {}
            table[make(1)] = True
            assert table

        def test_str():
            value = make(10)
            assert str(value) == "10"

        class TestProxy(unittest.TestCase):
            def test_assert(self):
                self.assertEqual(make(2), 2)

            def test_type(self):
                self.assertIsInstance(make(2), object)
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_proxy_s_eq_runs_where_a_test_compares(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_equse, "RULE", rule)
    indexer, g = build(tmp_path, EQUALITY_USE)
    report = impact(g, "lib.Proxy.__eq__")
    for kept in ("test_compares", "test_key", "TestProxy::test_assert"):
        assert f"tests/test_lib.py::{kept}" in selected(report)
    for compares_nothing in ("test_str", "TestProxy::test_type"):
        assert (f"tests/test_lib.py::{compares_nothing}" in selected(report)) is not rule
        assert f"tests/test_lib.py::{compares_nothing}" in listed(report)  # ruled out, listed
    indexer.close()


# packaging: a parametrized test compares `str(spec)` with a parameter that
# every row binds to a literal (no instance on either side); a pytest.raises
# binding's `exconly()` is a str. Off-cases: a parameter bound to a call in
# some row, one rebound in the body, and a plain local compared.
EQUALITY_OPERANDS = {
    "lib.py": EQUALITY_USE["lib.py"],
    "tests/test_lib.py": """
        import pytest
        from lib import make, Proxy

        @pytest.mark.parametrize(("value", "expected"), [(1, "1"), (2, "2")])
        def test_str(value, expected):
            assert str(make(value)) == expected

        @pytest.mark.parametrize("expected", ["1", "2"])
        def test_single(expected):
            assert repr(make(1)) != expected

        def test_raises():
            with pytest.raises(ValueError) as info:
                make(int("x"))
            assert info.exconly() == "ValueError: x"

        @pytest.mark.parametrize(("value", "expected"), [(1, "1"), (2, Proxy(2))])
        def test_row_call(value, expected):
            assert str(make(value)) == expected

        @pytest.mark.parametrize("expected", ["1"])
        def test_rebound(expected):
            expected = make(1)
            assert str(make(1)) == expected

        def test_local():
            with pytest.raises(ValueError) as info:
                make(int("x"))
            value = make(1)
            assert value == info.value
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_compared_operand_bound_to_a_literal_holds_no_instance(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_equse, "PARAMETRIZED_RULE", rule)
    monkeypatch.setattr(impact_equse, "RAISES_RULE", rule)
    indexer, g = build(tmp_path, EQUALITY_OPERANDS)
    report = impact(g, "lib.Proxy.__eq__")
    for kept in ("test_row_call", "test_rebound", "test_local"):
        assert f"tests/test_lib.py::{kept}" in selected(report)
    for compares_no_instance in ("test_str", "test_single", "test_raises"):
        assert (f"tests/test_lib.py::{compares_no_instance}" in selected(report)) is not rule
        assert f"tests/test_lib.py::{compares_no_instance}" in listed(report)
    indexer.close()


# packaging: `Requirement.__init__` stores a `Marker` into `self.marker`
# and annotates `self.extras: set[str] = set(parsed.extras or [])`: the
# annotation is no lookup, and the store hands the marker to the instance
# the test holds; a test that compares nothing is ruled out. Off-cases: a
# constructor that hashes its items on the spot (`frozenset(map(Proxy, ...))`
# compares equal ones), and a test that compares what it holds.
EQUALITY_HANDOVER = {
    "lib.py": EQUALITY_USE["lib.py"] + """
        class Holder:
            def __init__(self, parsed):
                self.extras: set[str] = set(parsed.extras or [])
                self.proxy = Proxy(parsed.value)

        class Hashing:
            def __init__(self, values):
                self.proxies = frozenset(map(Proxy, values))
        """,
    "tests/test_lib.py": """
        from types import SimpleNamespace
        from lib import Holder, Hashing

        def test_holds():
            holder = Holder(SimpleNamespace(extras=["a"], value=1))
            assert str(holder.proxy)

        def test_hashes():
            assert Hashing([1, 1]) is not None

        def test_compares():
            holder = Holder(SimpleNamespace(extras=[], value=1))
            assert holder == holder
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_constructor_storing_an_instance_hands_it_to_the_caller(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_equse, "CREATION_RULE", False)  # (its own case: test_impact_equality.py)
    monkeypatch.setattr(impact_equse, "HANDOVER_RULE", rule)
    monkeypatch.setattr(impact_equse, "ANNOTATION_RULE", rule)
    indexer, g = build(tmp_path, EQUALITY_HANDOVER)
    report = impact(g, "lib.Proxy.__eq__")
    for kept in ("test_hashes", "test_compares"):
        assert f"tests/test_lib.py::{kept}" in selected(report)
    assert ("tests/test_lib.py::test_holds" in selected(report)) is not rule
    assert "tests/test_lib.py::test_holds" in listed(report)
    indexer.close()


# toolz: `@instanceproperty def __signature__` in `curry`'s body runs once,
# when the class statement runs; a test that uses `curry` runs what it
# made. A class local to a test runs its body (and the decorator) each time.
DECORATED_MEMBER = {
    "lib.py": """
        class InstanceProperty(property):
            def __init__(self, fget=None):
                property.__init__(self, fget)

        def instanceproperty(fget):
            return InstanceProperty(fget)

        class curry:
            def __init__(self, func):
                self.func = func

            def __call__(self, *args):
                return self.func(*args)

            @instanceproperty
            def __signature__(self):
                return None
        """,
    "tests/test_lib.py": """
        from lib import curry, instanceproperty

        def test_curry():
            assert curry(len)("ab") == 2

        def test_local_class():
            class Local:
                @instanceproperty
                def value(self):
                    return 1
            assert Local().value == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_method_s_decorator_runs_with_the_class_statement(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_createdflow, "MEMBER_RULE", rule)
    indexer, g = build(tmp_path, DECORATED_MEMBER)
    report = impact(g, "lib.instanceproperty")
    assert ("tests/test_lib.py::test_curry" in selected(report)) is not rule
    assert "tests/test_lib.py::test_local_class" in selected(report)  # off-case: a class statement at test time
    assert "lib.curry" in {d.symbol.qualname for d in report.dependents}
    indexer.close()

