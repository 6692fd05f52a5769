"""Impact rules from the second round of unseen projects (issue 12: wrapt,
funcy, blinker). One source case per idiom, each checked with its rule on
and switched off, so the case fails without it; every case also holds an
off-case the rule must not select."""

from __future__ import annotations

import importlib

import pytest

from indexer.analysis import impact_attrhooks, impact_carried, impact_decorated, impact_metaclass
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)


# wrapt: a proxy base defines `__setattr__`; its subclasses' `__init__`
# assign `self._self_x`, which runs the hook. A sibling class that writes
# its own attributes never does.
ATTRIBUTE_HOOK = {
    "lib.py": """
        class ObjectProxy:
            def __init__(self, wrapped):
                object.__setattr__(self, "__wrapped__", wrapped)

            def __setattr__(self, name, value):
                object.__setattr__(self, name, value)

        class Surrogate(ObjectProxy):
            def __init__(self, wrapped, adapter):
                super().__init__(wrapped)
                self._self_adapter = adapter

        class Plain:
            def __init__(self, value):
                self.value = value

        def surrogate(wrapped):
            return Surrogate(wrapped, None)
        """,
    "tests/test_lib.py": """
        from lib import Plain, surrogate

        def test_surrogate():
            assert surrogate(len)

        def test_plain():
            assert Plain(1).value == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_self_write_runs_the_class_s_setattr(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_attrhooks, "RULE", rule)
    # (the resolver's own `__setattr__` use of a write on a known instance finds it
    # too, resolve.ATTRIBUTE_WRITES: this checks the impact rule alone)
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.resolve"), "ATTRIBUTE_WRITES", False)
    indexer, g = build(tmp_path, ATTRIBUTE_HOOK)
    report = selected(impact(g, "lib.ObjectProxy.__setattr__"))
    # Through a subclass's __init__, reached by the factory that calls it.
    assert ("tests/test_lib.py::test_surrogate" in report) is rule
    assert "tests/test_lib.py::test_plain" not in report  # Plain has no hook
    indexer.close()


# wrapt: `@decorator def passthru` binds `passthru` to what the decorator's
# builder returns, a FunctionWrapper; `@passthru def g` binds g to the
# result of FunctionWrapper.__call__. Using those names runs the class's
# protocol methods. `@plain def h` (a function decorator) holds no instance.
DECORATOR_PRODUCT = {
    "lib.py": """
        class FunctionWrapper:
            def __init__(self, wrapped, wrapper):
                self.wrapped = wrapped
                self.wrapper = wrapper

            def __call__(self, *args):
                return self.wrapper(self.wrapped, args)

            def __get__(self, instance, owner):
                return self

            def __set_name__(self, owner, name):
                self.name = name

        def decorator(wrapper):
            def _build(wrapped, wrapper):
                return FunctionWrapper(wrapped, wrapper)
            return _build(wrapper, None)

        def plain(func):
            return func
        """,
    "tests/test_lib.py": """
        import lib

        @lib.decorator
        def passthru(wrapped, args):
            return wrapped(*args)

        @lib.plain
        def unwrapped(wrapped, args):
            return wrapped(*args)

        class Class:
            @passthru
            def method(self):
                return 2

        def test_call():
            assert passthru(len, ([1],)) == 1

        def test_decorate():
            @passthru
            def inner():
                pass

        def test_get():
            assert Class.method

        def test_set_name():
            class Local:
                @passthru
                def method(self):
                    pass

        def test_unwrapped():
            assert unwrapped(len, ([1],)) == 1
        """,
}

# method -> the tests the rule adds (each off-case: test_unwrapped, never).
PRODUCT_CASES = [
    ("lib.FunctionWrapper.__call__", {"tests/test_lib.py::test_call", "tests/test_lib.py::test_decorate"}),
    ("lib.FunctionWrapper.__get__", {"tests/test_lib.py::test_get"}),
    ("lib.FunctionWrapper.__set_name__", {"tests/test_lib.py::test_set_name"}),
]


@pytest.mark.parametrize("rule", [True, False])
@pytest.mark.parametrize("method, wanted", PRODUCT_CASES)
def test_a_decorator_s_product_runs_its_class_s_protocol(tmp_path, monkeypatch, rule, method, wanted):
    monkeypatch.setattr(impact_decorated, "RULE", rule)
    indexer, g = build(tmp_path, DECORATOR_PRODUCT)
    report = selected(impact(g, method))
    assert (wanted <= report) is rule
    assert "tests/test_lib.py::test_unwrapped" not in report
    indexer.close()


@pytest.mark.parametrize("chained", [True, False])
def test_a_name_decorated_by_a_product_is_held_only_when_chained(tmp_path, monkeypatch, chained):
    """`Class.method` is decorated by `passthru` (itself a product): its
    `__get__` is reached only when products chain."""
    monkeypatch.setattr(impact_decorated, "CHAINED", chained)
    indexer, g = build(tmp_path, DECORATOR_PRODUCT)
    assert ("tests/test_lib.py::test_get" in selected(impact(g, "lib.FunctionWrapper.__get__"))) is chained
    indexer.close()


# boltons / attrs: classes named in a tuple a loop walks, or in a pytest
# parametrize list, are constructed through a local the index cannot
# evaluate. A test that reads the class only to check a type (and calls no
# unknown local) constructs nothing.
CARRIED = {
    "lib.py": """
        class LRI:
            def __init__(self, size):
                self.size = size

            def get(self, key):
                return key

        class LRU(LRI):
            def get(self, key):
                return key + 1
        """,
    "tests/test_lib.py": """
        import pytest
        from lib import LRI, LRU

        def test_loop():
            caches_to_test = (LRU, LRI)
            for cache_type in caches_to_test:
                cache = cache_type(2)
                cache.get(1)

        @pytest.mark.parametrize("cls", [LRU, LRI])
        def test_param(cls):
            cls(2).get(1)

        def test_type_only(make):
            assert issubclass(LRU, LRI)
            make()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
@pytest.mark.parametrize("method", ["lib.LRI.__init__", "lib.LRU.get"])
def test_a_class_carried_in_a_loop_or_parametrize_list_is_constructed(tmp_path, monkeypatch, rule, method):
    monkeypatch.setattr(impact_carried, "RULE", rule)
    indexer, g = build(tmp_path, CARRIED)
    report = selected(impact(g, method))
    assert ({"tests/test_lib.py::test_loop", "tests/test_lib.py::test_param"} <= report) is rule
    assert "tests/test_lib.py::test_type_only" not in report  # its unknown call comes before no read
    indexer.close()


# marshmallow: the metaclass's `__new__` reads `klass.OPTIONS_CLASS` on the
# class it makes; the resolver records it on the metaclass's outside base.
# A class that binds the same name without the metaclass is never read.
METACLASS = {
    "lib.py": """
        from abc import ABCMeta

        class SchemaOpts:
            def __init__(self, meta):
                self.meta = meta

        class OtherOpts:
            def __init__(self, meta):
                self.meta = meta

        class SchemaMeta(ABCMeta):
            def __new__(mcs, name, bases, attrs):
                klass = super().__new__(mcs, name, bases, attrs)
                klass.opts = klass.OPTIONS_CLASS(klass.Meta)
                return klass

        class Schema(metaclass=SchemaMeta):
            OPTIONS_CLASS = SchemaOpts

            class Meta:
                pass

        class Other:
            OPTIONS_CLASS = OtherOpts
        """,
    "tests/test_lib.py": """
        from lib import Other, Schema

        def test_schema():
            class MySchema(Schema):
                pass
            assert MySchema.opts

        def test_other():
            assert Other.OPTIONS_CLASS
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_metaclass_reads_the_class_attributes_of_the_class_it_makes(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_metaclass, "RULE", rule)
    indexer, g = build(tmp_path, METACLASS)
    assert ("tests/test_lib.py::test_schema" in selected(impact(g, "lib.SchemaOpts.__init__"))) is rule
    assert "tests/test_lib.py::test_schema" not in selected(impact(g, "lib.OtherOpts.__init__"))
    indexer.close()


# wrapt: a class handed to a function that calls that parameter
# (`wrap_object(..., FunctionWrapper, ...)` runs `factory(original)`); a
# function that only stores what it is given (`register`) constructs nothing.
PASSED = {
    "lib.py": """
        class FunctionWrapper:
            def __init__(self, wrapped, wrapper):
                self.wrapped = wrapped

        def wrap_object(module, name, factory, args=()):
            original = getattr(module, name)
            wrapper = factory(original, *args)
            setattr(module, name, wrapper)
            return wrapper

        def register(kind, registry={}):
            registry[kind.__name__] = kind

        def wrap_function_wrapper(module, name, wrapper):
            return wrap_object(module, name, FunctionWrapper, (wrapper,))

        def remember():
            register(FunctionWrapper)
        """,
    "tests/test_lib.py": """
        import lib

        def test_wrap():
            lib.wrap_function_wrapper(lib, "register", None)

        def test_register():
            lib.remember()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_class_passed_to_a_function_that_calls_the_parameter_is_constructed(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_carried, "PASSED_RULE", rule)
    # (the file's own call types `factory` as the class: extract.CALLER_TYPES
    # finds it too, where the caller is in the same file)
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "CALLER_TYPES", False)
    indexer, g = build(tmp_path, PASSED)
    report = selected(impact(g, "lib.FunctionWrapper.__init__"))
    assert ("tests/test_lib.py::test_wrap" in report) is rule
    assert "tests/test_lib.py::test_register" not in report
    indexer.close()


# wrapt: reading a held method through an instance runs the descriptor's
# `__get__`, which returns a bound wrapper made through a name bound to its
# class (`__bound_function_wrapper__ = BoundFunctionWrapper`, in the
# subclass); calling the method runs the bound wrapper's `__call__`
# (BOUND_RULE). Off-cases: a held plain function (no `__get__` on a call),
# and a method decorated by a plain decorator.
BOUND = {
    "lib.py": """
        class _WrapperBase:
            def __init__(self, wrapped, wrapper, parent=None):
                self.wrapped = wrapped
                self.wrapper = wrapper
                self.parent = parent

            def __get__(self, instance, owner):
                if self.parent is None:
                    return self.__bound_function_wrapper__(self.wrapped, self.wrapper, self)
                return self

            def __call__(self, *args):
                return self.wrapper(self.wrapped, args)

        class BoundFunctionWrapper(_WrapperBase):
            def __call__(self, *args):
                return self.wrapper(self.wrapped, args)

        class FunctionWrapper(_WrapperBase):
            __bound_function_wrapper__ = BoundFunctionWrapper

        def decorator(wrapper):
            def _build(wrapped):
                return FunctionWrapper(wrapped, wrapper)
            return _build

        def plain(func):
            return func
        """,
    "tests/test_lib.py": """
        import lib

        @lib.decorator
        def wrapped(wrapped, args):
            return wrapped(*args)

        class Class:
            @wrapped
            def method(self):
                return 2

            @lib.plain
            def other(self):
                return 3

        @wrapped
        def function():
            return 1

        def test_method():
            assert Class().method() == 2

        def test_function():
            assert function() == 1

        def test_other():
            assert Class().other() == 3
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_calling_a_held_method_runs_the_bound_wrapper_s_call(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_decorated, "BOUND_RULE", rule)
    indexer, g = build(tmp_path, BOUND)
    report = selected(impact(g, "lib.BoundFunctionWrapper.__call__"))
    assert ("tests/test_lib.py::test_method" in report) is rule
    assert not report & {"tests/test_lib.py::test_function", "tests/test_lib.py::test_other"}
    # (the call reads the method through the descriptor's `__get__` first)
    assert ("tests/test_lib.py::test_method" in selected(impact(g, "lib._WrapperBase.__get__"))) is rule
    indexer.close()


# wrapt: `@instance.method def g`, `method` held by the descriptor: the def
# statement calls the bound wrapper its `__get__` makes (BOUND_DECORATOR_RULE).
BOUND_DECORATOR = {
    "lib.py": BOUND["lib.py"],
    "tests/test_lib.py": """
        import lib

        @lib.decorator
        def wrapped(wrapped, args):
            return wrapped(*args)

        class Instance:
            @wrapped
            def decorator(self, function):
                return function

            @lib.plain
            def other(self, function):
                return function

        def test_decorate():
            instance = Instance()

            @instance.decorator
            def function():
                return 1

        def test_other():
            instance = Instance()

            @instance.other
            def function():
                return 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_decorating_with_a_held_method_runs_the_bound_wrapper_s_call(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_decorated, "BOUND_DECORATOR_RULE", rule)
    indexer, g = build(tmp_path, BOUND_DECORATOR)
    report = selected(impact(g, "lib.BoundFunctionWrapper.__call__"))
    assert ("tests/test_lib.py::test_decorate" in report) is rule
    assert "tests/test_lib.py::test_other" not in report
    indexer.close()


# wrapt: a decorator applied by a call, `name = decorator(f)`, binds what
# `@decorator def name` would; calling that name runs the product's
# `__call__`, and so does calling a name bound to a call of it (CHAINED).
CALLED_PRODUCT = {
    "lib.py": DECORATOR_PRODUCT["lib.py"],
    "tests/test_lib.py": """
        import lib

        def wrapper(wrapped, args):
            return wrapped(*args)

        def test_called():
            passthru = lib.decorator(wrapper)
            assert passthru(len, ([1],)) == 1

        def test_chained():
            passthru = lib.decorator(wrapper)
            function = passthru(len)
            function([1])

        def test_plain():
            passthru = lib.plain(wrapper)
            assert passthru(len, ([1],)) == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_decorator_applied_by_a_call_binds_its_product(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_decorated, "CALLED_RULE", rule)
    indexer, g = build(tmp_path, CALLED_PRODUCT)
    report = selected(impact(g, "lib.FunctionWrapper.__call__"))
    assert ({"tests/test_lib.py::test_called", "tests/test_lib.py::test_chained"} <= report) is rule
    assert "tests/test_lib.py::test_plain" not in report
    indexer.close()


# wrapt (and functools.partial's pure-Python code): `def __init__(*args,
# **kwargs)` unpacks `self` from `*args` so that callers may pass `self=`;
# `self.x = v` on that local runs the class's `__setattr__` as on a parameter.
LOCAL_SELF = {
    "lib.py": """
        class ObjectProxy:
            def __init__(self, wrapped):
                object.__setattr__(self, "__wrapped__", wrapped)

            def __setattr__(self, name, value):
                object.__setattr__(self, name, value)

        class Partial(ObjectProxy):
            def __init__(*args, **kwargs):
                def _unpack_self(self, *args):
                    return self, args
                self, args = _unpack_self(*args)
                super(Partial, self).__init__(args[0])
                self._self_args = args[1:]

        class Other(ObjectProxy):
            def __init__(*args, **kwargs):
                def _unpack_self(self, *args):
                    return self, args
                self, args = _unpack_self(*args)
                super(Other, self).__init__(args[0])
                other = self
        """,
    "tests/test_lib.py": """
        from lib import Other, Partial

        def test_partial():
            assert Partial(len, 1)

        def test_other():
            assert Other(len, 1)
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_write_on_a_local_self_runs_the_class_s_setattr(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_attrhooks, "LOCAL_SELF_RULE", rule)
    indexer, g = build(tmp_path, LOCAL_SELF)
    report = selected(impact(g, "lib.ObjectProxy.__setattr__"))
    assert ("tests/test_lib.py::test_partial" in report) is rule
    assert "tests/test_lib.py::test_other" not in report  # writes no attribute of its self
    indexer.close()
