"""Value idioms of the static impact walk found on toolz (issue 12): one
case per rule, source text in, the edge or affected test out. Each case
fails with its rule switched off (the rule named in the comment above it).

Projects are small copies of toolz's shapes: `curry` (a class with
`__call__` and `__get__`, used as a decorator, called on a call's result,
rebuilt with `type(self)(...)`), `instanceproperty` (a factory returning a
descriptor instance), and dict tests written once in a base test class and
re-run by subclasses that swap `D` (a mapping class) on the class.
"""

from __future__ import annotations

import pytest

from indexer.analysis.affected import DEFAULT_MIN_CONFIDENCE
from indexer.analysis.impact import RULED_OUT_CONFIDENCE, impact
from tests.support import build, check

LIB = {
    "fn/__init__.py": "from .core import *\n",
    "fn/core.py": """
        from functools import partial

        __all__ = ["curry", "instanceproperty", "Compose", "compose", "make"]


        class InstanceProperty(property):
            def __get__(self, obj, type=None):
                if obj is None:
                    return None
                return property.__get__(self, obj, type)


        def instanceproperty(fget=None, classval=None):
            if fget is None:
                return partial(instanceproperty, classval=classval)
            return InstanceProperty(fget)


        class curry(object):
            def __init__(self, func, *args):
                self.func_ = func
                self.args_ = args

            @instanceproperty
            def func(self):
                return self.func_

            def __call__(self, *args):
                if len(args) < 2:
                    return self.bind(*args)
                return self.func(*args)

            def bind(self, *args):
                return type(self)(self, *args)

            def __get__(self, instance, owner):
                return self


        class Compose(object):
            def __call__(self, x):
                return x


        def compose():
            return Compose()


        class Thing(object):
            def run(self):
                return 1


        def make(flag):
            if flag:
                return partial(make, False)
            return Thing()


        class Holder(object):
            @curry
            def method(self, a, b):
                return a + b


        class Counter(object):
            def __init__(self, n):
                self.n = n

            def clone(self):
                return type(self)(self.n)


        ZERO = Counter(0)
        """,
    "tests/test_values.py": """
        from fn import *
        from fn.core import Holder, curry


        def add(x, y):
            return x + y


        def test_call_of_call():
            assert curry(add)(1)(2) == 3


        def test_compose():
            assert compose()(1) == 1


        def test_local_subclass():
            class mycurry(curry):
                pass

            inc = mycurry(add)
            assert inc(1, 2) == 3


        def test_func():
            c = curry(add)
            assert c.func is add
            #> func -> fn.core.InstanceProperty.__get__ dunder


        def test_method_through_descriptor():
            assert Holder().method(1, 2) == 3
            #> method -> fn.core.curry.__get__ dunder


        def test_run():
            assert make(False).run() == 1
            #> run -> fn.core.Thing.run


        @curry
        class Curried(object):
            def __init__(self, x, y):
                self.x = x


        def test_decorated_class():
            assert Curried(1)(2).x == 1


        def test_clone():
            from fn.core import ZERO
            assert ZERO.clone().n == 0


        def test_plain():
            assert add(1, 2) == 3
        """,
}

# target, a test it must reach (above the default cut), a test it must not.
LIB_CASES = [
    # Calling what a call returns runs the result's __call__ (`curry(add)(1)`).
    ("fn.core.curry.__call__", "tests/test_values.py::test_call_of_call", "tests/test_values.py::test_plain"),
    ("fn.core.Compose.__call__", "tests/test_values.py::test_compose", "tests/test_values.py::test_plain"),
    # `type(self)(...)` constructs self's class: clone -> Counter.__init__.
    ("fn.core.Counter.__init__", "tests/test_values.py::test_clone", "tests/test_values.py::test_plain"),
    # A file's own local class is resolved there: `mycurry(add)(1, 2)` -> curry.__call__.
    ("fn.core.curry.__call__", "tests/test_values.py::test_local_subclass", "tests/test_values.py::test_plain"),
    # `@instanceproperty def func`: reading `c.func` runs InstanceProperty.__get__.
    ("fn.core.InstanceProperty.__get__", "tests/test_values.py::test_func", "tests/test_values.py::test_compose"),
    # A method decorated with a class instance (`@curry`) is a descriptor too.
    ("fn.core.curry.__get__", "tests/test_values.py::test_method_through_descriptor",
     "tests/test_values.py::test_plain"),
    # `@curry class Curried`: calling Curried runs curry.__call__.
    ("fn.core.curry.__call__", "tests/test_values.py::test_decorated_class", "tests/test_values.py::test_plain"),
    # `make` returns `partial(...)` first, a Thing last: the last workspace value wins.
    ("fn.core.Thing.run", "tests/test_values.py::test_run", "tests/test_values.py::test_plain"),
]

DICT_TESTS = {
    "mappings.py": """
        def merge(*dicts, factory=dict):
            rv = factory()
            for d in dicts:
                rv.update(d)
            return rv
        """,
    "tests/test_dicts.py": """
        from collections import defaultdict as _defaultdict
        from mappings import merge


        class TestDict(object):
            D = dict
            kw = {}

            def test_merge(self):
                D, kw = self.D, self.kw
                assert merge(D({1: 1}), D({2: 2}), **kw) == D({1: 1, 2: 2})


        class defaultdict(_defaultdict):
            def __eq__(self, other):
                return super(defaultdict, self).__eq__(other)


        class TestDefaultDict(TestDict):
            @staticmethod
            def D(dict_):
                return defaultdict(int, dict_)

            kw = {"factory": lambda: defaultdict(int)}


        class CustomMapping(object):
            def __init__(self, *args):
                self._d = dict(*args)

            def __eq__(self, other):
                return isinstance(other, CustomMapping) and self._d == other._d

            def update(self, other):
                self._d.update(other)


        class TestCustomMapping(TestDict):
            D = CustomMapping
            kw = {"factory": lambda: CustomMapping()}


        def test_plain():
            assert merge({1: 1}) == {1: 1}
        """,
}

DICT_CASES = [
    # TestDefaultDict.D (a static method) replaces TestDict.D on self: the
    # base's test methods run it, in TestDefaultDict's copies only.
    ("tests.test_dicts.TestDefaultDict.D", "tests/test_dicts.py::TestDefaultDict::test_merge",
     "tests/test_dicts.py::TestCustomMapping::test_merge"),
    # `D = CustomMapping` is the class: its constructor runs where the base reads self.D.
    ("tests.test_dicts.CustomMapping.__init__", "tests/test_dicts.py::TestCustomMapping::test_merge",
     "tests/test_dicts.py::TestDefaultDict::test_merge"),
    # `==` on a test module's class runs in the tests that make its instances.
    ("tests.test_dicts.CustomMapping.__eq__", "tests/test_dicts.py::TestCustomMapping::test_merge",
     "tests/test_dicts.py::test_plain"),
    ("tests.test_dicts.defaultdict.__eq__", "tests/test_dicts.py::TestDefaultDict::test_merge",
     "tests/test_dicts.py::test_plain"),
]

# Precision of the same rules: a reader typed by annotation does not
# dispatch to a subclass's class attribute (only `self.name` does), and a
# called call's result is its callable overload, not another one.
PRECISION = {
    "kinds.py": """
        from typing import Callable, Union, overload


        class ParamType(object):
            arity = 1

            def __call__(self, value):
                return value


        class Tuple(ParamType):
            @property
            def arity(self):
                return 2


        PAIR = Tuple()  # a module-level instance: the receiver rule steps aside for Tuple


        class Param(object):
            def __init__(self, type: ParamType):
                self.type = type
                self.nargs = self.type.arity


        class Group(object):
            @overload
            def command(self, f: Callable) -> ParamType: ...

            @overload
            def command(self) -> Callable[[Callable], ParamType]: ...

            def command(self, f=None) -> Union[Callable[[Callable], ParamType], ParamType]:
                return ParamType()
        """,
    "tests/test_kinds.py": """
        from kinds import Group, Param, ParamType, Tuple


        def test_param():
            assert Param(ParamType()).nargs == 1


        def test_tuple():
            assert Tuple().arity == 2


        def test_command():
            assert Group().command()(len)
        """,
}

PRECISION_CASES = [
    ("kinds.Tuple.arity", "tests/test_kinds.py::test_tuple", "tests/test_kinds.py::test_param"),
    ("kinds.ParamType.__call__", None, "tests/test_kinds.py::test_command"),
]


def _selected(graph, target: str) -> dict[str, float]:
    return {t.id: t.confidence for t in impact(graph, target).tests}


@pytest.fixture(scope="module")
def lib_graph(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("values-lib"), LIB)
    yield graph
    indexer.close()


@pytest.fixture(scope="module")
def dict_graph(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("values-dicts"), DICT_TESTS)
    yield graph
    indexer.close()


@pytest.fixture(scope="module")
def precision_graph(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("values-precision"), PRECISION)
    yield graph
    indexer.close()


def test_descriptor_and_return_markers(lib_graph):
    check(lib_graph, LIB)


def test_star_import_reexports_what_the_starred_module_star_imports(lib_graph):
    # `from fn import *`, where fn's __init__ itself does `from .core import *`.
    refs = lib_graph.references("fn.core.compose")
    assert any(r.path == "tests/test_values.py" and r.how == "star-import" for r in refs)


@pytest.mark.parametrize("target, affected, unaffected", LIB_CASES)
def test_value_idioms(lib_graph, target, affected, unaffected):
    tests = _selected(lib_graph, target)
    assert tests.get(affected, 0.0) >= DEFAULT_MIN_CONFIDENCE, sorted(tests)
    assert unaffected not in tests


@pytest.mark.parametrize("target, affected, unaffected", DICT_CASES)
def test_class_attributes_and_test_module_protocols(dict_graph, target, affected, unaffected):
    tests = _selected(dict_graph, target)
    assert tests.get(affected, 0.0) >= DEFAULT_MIN_CONFIDENCE, sorted(tests)
    # Listed (nothing vanishes), ruled out of the default selection, or absent.
    assert tests.get(unaffected, RULED_OUT_CONFIDENCE) < DEFAULT_MIN_CONFIDENCE


def test_dispatch_edges_say_how_they_were_found(dict_graph):
    report = impact(dict_graph, "tests.test_dicts.CustomMapping.__init__")
    hows = {d.symbol.qualname: (d.kind, d.how) for d in report.dependents}
    assert hows["tests.test_dicts.TestCustomMapping.D"] == ("flow", "alias")
    assert hows["tests.test_dicts.TestDict.test_merge"] == ("dispatch", "dispatch-self")
    eq = impact(dict_graph, "tests.test_dicts.CustomMapping.__eq__")
    assert {(d.kind, d.how) for d in eq.dependents if d.symbol.qualname == "tests.test_dicts.CustomMapping"} \
        == {("protocol", "protocol")}


@pytest.mark.parametrize("target, affected, unaffected", PRECISION_CASES)
def test_precision_of_the_value_rules(precision_graph, target, affected, unaffected):
    tests = _selected(precision_graph, target)
    if affected is not None:
        assert tests.get(affected, 0.0) >= DEFAULT_MIN_CONFIDENCE, sorted(tests)
    assert tests.get(unaffected, RULED_OUT_CONFIDENCE) < DEFAULT_MIN_CONFIDENCE, sorted(tests)
