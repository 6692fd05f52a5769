"""Impact rules found on projects the rules were never tuned on (issue 12's
generalisation check: cachetools, more-itertools, boltons). One source case
per rule, each checked with the rule on and switched off, so the case fails
without it."""

from __future__ import annotations

import importlib

import pytest

from indexer.analysis import (impact_abc, impact_introspect, impact_lifecycle, impact_members, impact_mixins, impact_precision,
                               impact_protocols, impact_rechain, impact_selfiter, impact_supplied)
from indexer.analysis import impact as impact_module
from indexer.analysis.impact import impact
from indexer.graph.vocab import RefKind
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)


# cachetools: test methods written once in a plain mixin (not a test file,
# not a test class) and collected in each TestCase that inherits them; each
# test class names its own cache class as `Cache`.
MIXIN = {
    "lib.py": """
        class Cache:
            def __init__(self, maxsize):
                self.maxsize = maxsize

        class LRUCache(Cache):
            pass

        class Other:
            def __init__(self, maxsize):
                self.maxsize = maxsize
        """,
    "tests/__init__.py": """
        class CacheTestMixin:
            Cache = None

            def test_insert(self):
                cache = self.Cache(maxsize=2)
                assert cache.maxsize == 2
        """,
    "tests/test_cache.py": """
        import unittest
        import lib
        from . import CacheTestMixin

        class CacheTest(unittest.TestCase, CacheTestMixin):
            Cache = lib.Cache
        """,
    "tests/test_lru.py": """
        import unittest
        from lib import LRUCache
        from . import CacheTestMixin

        class LRUCacheTest(unittest.TestCase, CacheTestMixin):
            Cache = LRUCache
        """,
    "tests/test_other.py": """
        import unittest
        from lib import Other
        from . import CacheTestMixin

        class OtherTest(unittest.TestCase, CacheTestMixin):
            Cache = Other
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_mixin_s_test_methods_run_in_each_test_class_that_inherits_them(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_mixins, "RULE", rule)
    indexer, g = build(tmp_path, MIXIN)
    report = impact(g, "lib.Cache.__init__")
    wanted = {"tests/test_cache.py::CacheTest::test_insert", "tests/test_lru.py::LRUCacheTest::test_insert"}
    assert (wanted <= selected(report)) is rule
    assert "tests/test_other.py::OtherTest::test_insert" not in selected(report)
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
def test_self_dispatch_in_a_mixin_keeps_every_test_class_the_change_reaches(tmp_path, monkeypatch, rule):
    # Each test class's `Cache` reaches `self.Cache(...)` in the mixin; the
    # copies in classes holding another cache class are ruled out, and every
    # class whose `Cache` the change reaches keeps its copy (the walk keeps
    # one chain per node: the others are read from its dispatch links).
    monkeypatch.setattr(impact_members, "MIXIN_RULE", rule)
    indexer, g = build(tmp_path, MIXIN)
    report = impact(g, "lib.Cache.__init__")
    assert "tests/test_other.py::OtherTest::test_insert" in listed(report) or not rule
    assert ("tests/test_other.py::OtherTest::test_insert" in selected(report)) is not rule
    assert {"tests/test_cache.py::CacheTest::test_insert", "tests/test_lru.py::LRUCacheTest::test_insert"} \
        <= selected(report)
    indexer.close()


# boltons: a unittest class builds its object in `setUp`; the tests only
# read `self.buffer`, and no call names `setUp`.
SETUP = {
    "lib.py": """
        class Buffer:
            def __init__(self):
                self.data = []

            def write(self, x):
                self.data.append(x)
        """,
    "tests/test_buffer.py": """
        import unittest
        from lib import Buffer

        class BufferTest(unittest.TestCase):
            def setUp(self):
                self.buffer = Buffer()

            def test_empty(self):
                assert self.buffer.data == []

        class ReusedTest(BufferTest):
            def test_again(self):
                assert not self.buffer.data

        class UnrelatedTest(unittest.TestCase):
            def test_other(self):
                assert True
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_set_up_runs_around_every_test_of_its_class_and_subclasses(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_mixins, "SETUP_RULE", rule)
    indexer, g = build(tmp_path, SETUP)
    report = impact(g, "lib.Buffer.__init__")
    wanted = {"tests/test_buffer.py::BufferTest::test_empty", "tests/test_buffer.py::ReusedTest::test_empty",
              "tests/test_buffer.py::ReusedTest::test_again"}
    assert (wanted <= selected(report)) is rule
    assert "tests/test_buffer.py::UnrelatedTest::test_other" not in listed(report)
    indexer.close()


# cachetools: the mixin calls `self.DECORATOR(...)`, which only its test
# subclasses define (the resolver leaves the read unresolved).
SUPPLIED = {
    "lib.py": """
        def fifo_cache(maxsize):
            return dict()

        def lru_cache(maxsize):
            return dict()
        """,
    "tests/test_func.py": """
        import unittest
        import lib

        class DecoratorTestMixin:
            def decorator(self, maxsize):
                return self.DECORATOR(maxsize)

            def test_decorator(self):
                assert self.decorator(2) == {}

        class FIFODecoratorTest(unittest.TestCase, DecoratorTestMixin):
            DECORATOR = staticmethod(lib.fifo_cache)

        class LRUDecoratorTest(unittest.TestCase, DecoratorTestMixin):
            DECORATOR = staticmethod(lib.lru_cache)
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_member_a_subclass_supplies_reaches_the_base_s_self_reads(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_supplied, "RULE", rule)
    indexer, g = build(tmp_path, SUPPLIED)
    report = impact(g, "lib.fifo_cache")
    # Off, the read is a guess by name that keeps every copy; cachetools'
    # six `DECORATOR`s left it unresolved, and then no copy at all.
    assert "tests/test_func.py::FIFODecoratorTest::test_decorator" in selected(report)
    assert ("tests/test_func.py::LRUDecoratorTest::test_decorator" in selected(report)) is not rule
    indexer.close()


# cachetools: a test class's own method (`self.cache(...)` in the mixin)
# is held by the test instance pytest makes, which no call shows.
INSTANCE = {
    "lib.py": """
        class Cache:
            def lookup(self, key):
                return key

        class Table:
            def lookup(self, key):
                return key

        def make():
            return Cache()
        """,
    "tests/test_cached.py": """
        import unittest
        import lib

        class CachedMixin:
            def test_get(self):
                assert self.cache().lookup(1) == 1

        class CacheWrapperTest(unittest.TestCase, CachedMixin):
            def cache(self):
                return lib.make()

        class DictWrapperTest(unittest.TestCase, CachedMixin):
            def cache(self):
                return lib.Table()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_test_class_s_method_is_held_by_the_tests_pytest_makes(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_mixins, "INSTANCE_RULE", rule)
    # impact_rechain keeps this test too (a second chain through the mixin
    # needs no receiver): off, so the case shows this rule alone.
    monkeypatch.setattr(impact_rechain, "RULE", False)
    indexer, g = build(tmp_path, INSTANCE)
    report = impact(g, "lib.make")
    assert ("tests/test_cached.py::CacheWrapperTest::test_get" in selected(report)) is rule
    assert "tests/test_cached.py::DictWrapperTest::test_get" not in selected(report)
    indexer.close()


# boltons: `__del__` closes the file; attrs and cachetools: tests pickle and
# copy instances, which runs their `__getstate__` / `__deepcopy__`.
LIFECYCLE = {
    "lib.py": """
        class Spooled:
            def __init__(self):
                self.buffer = []

            def close(self):
                self.buffer = None

            def __del__(self):
                self.close()

        class Point:
            def __init__(self, x):
                self.x = x

            def __getstate__(self):
                return {"x": self.x}

            def __setstate__(self, state):
                self.x = state["x"]

        class Other:
            def __init__(self, x):
                self.x = x
        """,
    "tests/test_lib.py": """
        import copy
        import pickle
        from lib import Other, Point, Spooled

        def test_spooled():
            assert Spooled().buffer == []

        def test_pickle():
            assert pickle.loads(pickle.dumps(Point(1))).x == 1

        def test_copy_other():
            assert copy.deepcopy(Other(1)).x == 1

        def test_point():
            assert Point(2).x == 2
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_finalizer_runs_in_the_tests_that_make_instances(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_lifecycle, "RULE", rule)
    indexer, g = build(tmp_path, LIFECYCLE)
    assert ("tests/test_lib.py::test_spooled" in selected(impact(g, "lib.Spooled.close"))) is rule
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
def test_copy_and_pickle_run_the_copy_protocol_of_what_they_hold(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_lifecycle, "RULE", rule)
    indexer, g = build(tmp_path, LIFECYCLE)
    for method in ("lib.Point.__getstate__", "lib.Point.__setstate__"):
        report = impact(g, method)
        assert ("tests/test_lib.py::test_pickle" in selected(report)) is rule
        assert "tests/test_lib.py::test_copy_other" not in selected(report)  # copies no Point
        assert "tests/test_lib.py::test_point" not in selected(report)  # copies nothing
    indexer.close()


# boltons: a descriptor class used as a decorator; reading the decorated
# name runs its `__get__`, so the decorated name holds an instance.
DECORATOR_CLASS = {
    "lib.py": """
        class cachedproperty:
            def __init__(self, func):
                self.func = func

            def __get__(self, obj, objtype=None):
                value = obj.__dict__[self.func.__name__] = self.func(obj)
                return value

        class URL:
            def __init__(self, text):
                self.text = text

            @cachedproperty
            def query_params(self):
                return self.text.split("?")[-1]

            def to_text(self):
                return self.query_params
        """,
    "tests/test_lib.py": """
        from lib import URL

        def test_to_text():
            assert URL("a?b").to_text() == "b"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_decorating_with_a_class_makes_its_instance(tmp_path, monkeypatch, rule):
    if not rule:
        monkeypatch.setattr(impact_module, "_MAKES_INSTANCE",
                            tuple(k for k in impact_module._MAKES_INSTANCE if k != RefKind.DECORATOR))
    indexer, g = build(tmp_path, DECORATOR_CLASS)
    report = impact(g, "lib.cachedproperty.__get__")
    assert ("tests/test_lib.py::test_to_text" in selected(report)) is rule
    indexer.close()


# boltons: `(ud['path'] or _e).split('/')` in URL.__init__ was name-matched
# to iterutils.split, a module function no attribute can name, putting every
# URL test in split's selection. An attribute of an expression the resolver
# cannot evaluate is guessed among members only.
OPAQUE_RECEIVER = {
    "iterutils.py": """
        def split(src, sep=None):
            return [src]
        """,
    "urlutils.py": """
        class URL:
            def __init__(self, parts):
                self.path = (parts.get('path') or '').split('/')
        """,
    "tests/test_iterutils.py": """
        from iterutils import split

        def test_split():
            assert split('a') == ['a']
        """,
    "tests/test_urlutils.py": """
        from urlutils import URL

        def test_url():
            assert URL({'path': 'a/b'}).path == ['a', 'b']
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_attribute_of_an_opaque_object_is_no_bare_name_guess(tmp_path, monkeypatch, rule):
    # the package re-exports its `extract` function under the module name
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "OPAQUE_RECEIVERS", rule)
    # (`x or ''` evaluates to a str where expressions.OR_VALUES is on: no guess either way)
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.expressions"), "OR_VALUES", False)
    indexer, g = build(tmp_path, OPAQUE_RECEIVER)
    report = impact(g, "iterutils.split")
    assert "tests/test_iterutils.py::test_split" in selected(report)
    assert ("tests/test_urlutils.py::test_url" not in listed(report)) is rule
    indexer.close()


# boltons: urlutils defines a fallback OrderedMultiDict, then rebinds the
# name with `try: from .dictutils import OrderedMultiDict` before subclassing
# it; a C speedup that is not in the workspace leaves the fallback in place.
TRY_IMPORT = {
    "pkg/__init__.py": "",
    "pkg/dictutils.py": """
        class OrderedMultiDict(dict):
            def __init__(self, *args):
                dict.__init__(self, *args)
        """,
    "pkg/urlutils.py": """
        class OrderedMultiDict(dict):
            def __init__(self, *args):
                dict.__init__(self, *args)

        try:
            from .dictutils import OrderedMultiDict
        except ImportError:
            pass

        class QueryParamDict(OrderedMultiDict):
            pass

        def escape(text):
            return text

        try:
            from ._speedups import escape
        except ImportError:
            pass
        """,
    "tests/test_urlutils.py": """
        from pkg.urlutils import QueryParamDict, escape

        def test_query():
            assert QueryParamDict([('a', 1)])

        def test_escape():
            assert escape('a') == 'a'
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_try_import_replaces_the_definition_before_it(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "TRY_IMPORT_REBINDS", rule)
    indexer, g = build(tmp_path, TRY_IMPORT)
    imported = selected(impact(g, "pkg.dictutils.OrderedMultiDict.__init__"))
    fallback = selected(impact(g, "pkg.urlutils.OrderedMultiDict.__init__"))
    assert ("tests/test_urlutils.py::test_query" in imported) is rule
    assert ("tests/test_urlutils.py::test_query" not in fallback) is rule
    # `_speedups` is not in the workspace: the definition still runs.
    assert "tests/test_urlutils.py::test_escape" in selected(impact(g, "pkg.urlutils.escape"))
    indexer.close()


# cachetools: a mixin's test methods (not tests themselves, collected in
# the test classes that inherit them) call `cache.pop(k)` on a cache whose
# class each test class supplies; `pop` is also dict's, so the guess was
# dropped as library code's would be. Code in test files keeps its guesses;
# the receiver rule still asks for an instance of the class.
TEST_CODE_GUESS = {
    "lib.py": """
        class Cache:
            def __init__(self, maxsize):
                self.data = {}

            def pop(self, key):
                return self.data.pop(key, None)

        class Other:
            def pop(self, key):
                return key
        """,
    "tests/__init__.py": """
        class CacheTestMixin:
            Cache = None

            def test_pop(self):
                cache = self.Cache(maxsize=2)
                assert cache.pop(1) is None
        """,
    "tests/test_cache.py": """
        import unittest
        import lib
        from . import CacheTestMixin

        class CacheTest(unittest.TestCase, CacheTestMixin):
            Cache = lib.Cache
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_code_in_test_files_keeps_its_builtin_shaped_guesses(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_precision, "TEST_CODE_GUESSES", rule)
    indexer, g = build(tmp_path, TEST_CODE_GUESS)
    assert ("tests/test_cache.py::CacheTest::test_pop" in selected(impact(g, "lib.Cache.pop"))) is rule
    # the receiver rule: no test makes an Other
    assert "tests/test_cache.py::CacheTest::test_pop" not in selected(impact(g, "lib.Other.pop"))
    indexer.close()


# boltons: `ret = super().__new__(cls); ret._clear_ll()` in a dict
# subclass's `__new__`: what `__new__` of a base outside the workspace makes
# is an instance of the class whose method calls it.
NEW_INSTANCE = {
    "lib.py": """
        class OMD(dict):
            def __new__(cls, *a, **kw):
                ret = super().__new__(cls)
                ret._clear_ll()
                return ret

            def _clear_ll(self):
                self.root = []
        """,
    "tests/test_lib.py": """
        from lib import OMD

        def test_omd():
            assert OMD().root == []
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_builtin_new_makes_an_instance_of_the_calling_class(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.resolve"), "NEW_MAKES_OWN_INSTANCE", rule)
    indexer, g = build(tmp_path, NEW_INSTANCE)
    assert ("tests/test_lib.py::test_omd" in selected(impact(g, "lib.OMD._clear_ll"))) is rule
    indexer.close()


# boltons: OrderedMultiDict(dict) overrides `__getitem__`; `omd['a']` in a
# test names no method (the subscript is dict's C protocol), so the tests
# that make instances run it, as for a collections.abc container.
BUILTIN_CONTAINER = {
    "lib.py": """
        class OMD(dict):
            def __getitem__(self, key):
                return dict.__getitem__(self, key)[-1]

        class Plain:
            def __getitem__(self, key):
                return key
        """,
    "tests/test_lib.py": """
        from lib import OMD, Plain

        def make(pairs):
            return OMD(pairs)

        def test_omd():
            omd = make({'a': [1]})
            assert omd['a'] == 1

        def test_plain():
            assert Plain()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_builtin_container_subclass_s_protocol_runs_where_instances_are_made(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_abc, "BUILTIN_RULE", rule)
    # (the subscript's own implicit use would find it too: this checks the class rule alone)
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "OPERATOR_PROTOCOLS", False)
    indexer, g = build(tmp_path, BUILTIN_CONTAINER)
    assert ("tests/test_lib.py::test_omd" in selected(impact(g, "lib.OMD.__getitem__"))) is rule
    assert "tests/test_lib.py::test_plain" not in selected(impact(g, "lib.Plain.__getitem__"))
    indexer.close()


# boltons: a library value class's `__eq__` runs where the tests compare its
# instances (`assert omd == other`); no reference names it.
VALUE_EQ = {
    "lib.py": """
        class OMD:
            def __init__(self, pairs):
                self.pairs = list(pairs)

            def __eq__(self, other):
                return self.pairs == getattr(other, 'pairs', None)

        class Plain:
            def __eq__(self, other):
                return True
        """,
    "tests/test_lib.py": """
        from lib import OMD

        def test_equal():
            omd = OMD([1])
            assert omd == OMD([1])

        def test_none():
            assert [1] == [1]
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_library_class_s_eq_runs_where_tests_make_its_instances(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_protocols, "LIBRARY_RULE", rule)
    # (`omd == OMD(...)`'s own implicit use would find it too: this checks the class rule alone)
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "OPERAND_PROTOCOLS", False)
    indexer, g = build(tmp_path, VALUE_EQ)
    assert ("tests/test_lib.py::test_equal" in selected(impact(g, "lib.OMD.__eq__"))) is rule
    assert "tests/test_lib.py::test_none" not in selected(impact(g, "lib.Plain.__eq__"))  # no Plain made
    indexer.close()


# boltons: `SpooledIOBase.__eq__` walks both files with `zip_longest(self,
# other)`, which runs the class's own `__iter__`/`__next__` in the stdlib.
SELF_ITERATION = {
    "lib.py": """
        from itertools import zip_longest

        class Lines:
            def __init__(self, lines):
                self.lines = lines

            def __iter__(self):
                return iter(self.lines)

            def same(self, other):
                return all(a == b for a, b in zip_longest(self, other))

        class Other:
            def __iter__(self):
                return iter(())

            def size(self):
                return 0

        class Parts:
            def __init__(self, text):
                self.parts = frozenset(map(str.strip, text.split(",")))

            def __iter__(self):
                return iter(self.parts)
        """,
    "tests/test_lib.py": """
        from lib import Lines, Other, Parts

        def test_same():
            assert Lines(['a']).same(Lines(['a']))

        def test_other():
            assert Other().size() == 0

        def test_parts():
            assert Parts("a, b").parts
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_class_iterating_itself_runs_its_iter(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_selfiter, "RULE", rule)
    indexer, g = build(tmp_path, SELF_ITERATION)
    assert ("tests/test_lib.py::test_same" in selected(impact(g, "lib.Lines.__iter__"))) is rule
    assert "tests/test_lib.py::test_other" not in selected(impact(g, "lib.Other.__iter__"))  # no consumer call
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
def test_a_consumer_of_a_field_iterates_no_self(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_selfiter, "SELF_ARGUMENT", rule)
    indexer, g = build(tmp_path, SELF_ITERATION)
    # `frozenset(map(...))` in Parts.__init__ iterates a map, not a Parts
    assert ("tests/test_lib.py::test_parts" in selected(impact(g, "lib.Parts.__iter__"))) is not rule
    assert "tests/test_lib.py::test_same" in selected(impact(g, "lib.Lines.__iter__"))  # `zip_longest(self, other)`
    indexer.close()


# cachetools: `key in self`, `self[key]`, `self.__size[key] = size` run the
# protocol methods of the instance's class (and a subclass's overrides);
# no name says so.
OPERATORS = {
    "lib.py": """
        class Sizes:
            def __setitem__(self, key, value):
                assert value == 1

        class Cache:
            sizes = Sizes()

            def __contains__(self, key):
                return False

            def __getitem__(self, key):
                raise KeyError(key)

            def __delitem__(self, key):
                pass

            def get(self, key):
                if key in self:
                    return self[key]

            def put(self, key):
                self.sizes[key] = 1

            def drop(self, key):
                del self[key]

        class Timed(Cache):
            def __contains__(self, key):
                return True
        """,
    "tests/test_lib.py": """
        from lib import Cache, Timed

        def test_get():
            assert Cache().get(1) is None

        def test_timed_get():
            assert Timed().get(1) is None

        def test_put():
            Cache().put(1)

        def test_drop():
            Cache().drop(1)
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_in_and_subscripts_run_the_operand_s_protocol_methods(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "OPERATOR_PROTOCOLS", rule)
    indexer, g = build(tmp_path, OPERATORS)
    assert ("tests/test_lib.py::test_get" in selected(impact(g, "lib.Cache.__contains__"))) is rule
    assert ("tests/test_lib.py::test_get" in selected(impact(g, "lib.Cache.__getitem__"))) is rule
    assert ("tests/test_lib.py::test_timed_get" in selected(impact(g, "lib.Timed.__contains__"))) is rule
    assert ("tests/test_lib.py::test_put" in selected(impact(g, "lib.Sizes.__setitem__"))) is rule
    assert ("tests/test_lib.py::test_drop" in selected(impact(g, "lib.Cache.__delitem__"))) is rule
    assert "tests/test_lib.py::test_put" not in selected(impact(g, "lib.Cache.__getitem__"))
    indexer.close()


# cachetools: `Cache(MutableMapping).__setitem__` calls `self.popitem()`,
# which Cache inherits from the ABC (the index resolves it there); a
# subclass's `popitem` is what runs for its instances.
OUTSIDE_INHERITED = {
    "lib.py": """
        import collections.abc

        class Cache(collections.abc.MutableMapping):
            def put(self, key):
                self.popitem()

        class LRUCache(Cache):
            def popitem(self):
                return 1

        class Other:
            def popitem(self):
                return 2
        """,
    "tests/test_lib.py": """
        from lib import LRUCache, Other

        def test_put():
            LRUCache().put(1)

        def test_other():
            assert Other()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_override_of_a_method_inherited_from_outside_runs_in_the_base_s_self_calls(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.analysis.impact_outside"), "RULE", rule)
    indexer, g = build(tmp_path, OUTSIDE_INHERITED)
    assert ("tests/test_lib.py::test_put" in selected(impact(g, "lib.LRUCache.popitem"))) is rule
    assert "tests/test_lib.py::test_put" not in selected(impact(g, "lib.Other.popitem"))
    indexer.close()


# cachetools: `self.timer()` calls the property `timer`, which returns
# `self.__timer`, a `_Timer` instance: its `__call__` runs.
PROPERTY_CALL = {
    "lib.py": """
        class Timed:
            class _Timer:
                def __init__(self, timer):
                    self.__timer = timer

                def __call__(self):
                    return self.__timer()

            def __init__(self, timer):
                self.__timer = Timed._Timer(timer)

            @property
            def timer(self):
                return self.__timer

            def expired(self):
                return self.timer() < 3
        """,
    "tests/test_lib.py": """
        from lib import Timed

        def test_expired():
            assert Timed(lambda: 1).expired()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_calling_a_property_that_returns_a_self_attribute_runs_its_call(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.resolve"), "PROPERTY_SELF_ATTRIBUTE", rule)
    # (a method's return evaluated with its self finds it too: resolve.SELF_RETURNS)
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.resolve"), "SELF_RETURNS", rule)
    indexer, g = build(tmp_path, PROPERTY_CALL)
    assert ("tests/test_lib.py::test_expired" in selected(impact(g, "lib.Timed._Timer.__call__"))) is rule
    indexer.close()


# wrapt: a proxy class forwards what it lacks through `__getattr__`; a test
# that hands one to library introspection (`inspect.getmembers`, `getattr`)
# runs it, and no reference says so.
INTROSPECT = {
    "lib.py": """
        class Proxy:
            def __init__(self, wrapped):
                object.__setattr__(self, "wrapped", wrapped)

            def __getattr__(self, name):
                return getattr(self.wrapped, name)

        def target():
            return 1
        """,
    "tests/test_lib.py": """
        import inspect
        from lib import Proxy, target

        def test_members():
            assert inspect.getmembers(Proxy(target))

        def test_plain():
            assert Proxy(target).wrapped is target

        def test_lookup():
            assert getattr(Proxy(target), "__name__") == "target"

        def test_isinstance():
            assert isinstance(Proxy(target), Proxy)  # reads the type, never __getattr__
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_introspection_runs_a_proxys_getattr(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_introspect, "RULE", rule)
    indexer, g = build(tmp_path, INTROSPECT)
    report = impact(g, "lib.Proxy.__getattr__")
    assert ("tests/test_lib.py::test_members" in selected(report)) is rule
    assert ("tests/test_lib.py::test_lookup" in selected(report)) is rule
    assert "tests/test_lib.py::test_isinstance" not in selected(report)
    assert "tests/test_lib.py::test_plain" not in selected(report)  # introspects nothing
    indexer.close()


# wrapt: a proxy answers `isinstance` and `inspect.signature` for what it
# wraps through its `__class__` and `__signature__` properties; a test that
# hands one to them runs the property, and no reference says so.
TYPE_PROPERTIES = {
    "lib.py": """
        import inspect

        class Proxy:
            def __init__(self, wrapped):
                object.__setattr__(self, "wrapped", wrapped)

            @property
            def __class__(self):
                return self.wrapped.__class__

            @property
            def __signature__(self):
                return inspect.signature(self.wrapped)

        def decorator(wrapper):
            def _decorator(function):
                return Proxy(function)
            return _decorator
        """,
    "tests/test_lib.py": """
        import inspect
        import types
        import lib

        @lib.decorator
        def passthru(wrapped, args):
            return wrapped(*args)

        @passthru
        def target(a, b):
            return a

        def test_isinstance():
            assert isinstance(target, types.FunctionType)

        def test_signature():
            assert str(inspect.signature(target)) == "(a, b)"

        def test_type():
            assert type(target) is lib.Proxy  # the C-level type, never the property

        def test_plain():
            assert target.wrapped
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_isinstance_and_signature_run_a_proxys_type_properties(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_introspect, "TYPE_RULE", rule)
    indexer, g = build(tmp_path, TYPE_PROPERTIES)
    report = impact(g, "lib.Proxy.__class__")
    assert ("tests/test_lib.py::test_isinstance" in selected(report)) is rule
    assert ("tests/test_lib.py::test_signature" in selected(report)) is rule  # its isinstance checks
    assert "tests/test_lib.py::test_type" not in selected(report)
    assert "tests/test_lib.py::test_plain" not in selected(report)
    report = impact(g, "lib.Proxy.__signature__")
    assert ("tests/test_lib.py::test_signature" in selected(report)) is rule
    assert "tests/test_lib.py::test_isinstance" not in selected(report)
    assert "tests/test_lib.py::test_plain" not in selected(report)
    indexer.close()


# wrapt: `Proxy.__new__(Proxy)` makes an instance without running
# `__init__`; what `__init__` sets is missing, so reading it (an operator
# reads `self.wrapped`) falls to the class's `__getattr__`.
UNINITIALIZED = {
    "lib.py": """
        class Proxy:
            def __init__(self, wrapped):
                object.__setattr__(self, "wrapped", wrapped)

            def __getattr__(self, name):
                raise ValueError("wrapper has not been initialized")

            def __add__(self, other):
                return self.wrapped + other
        """,
    "tests/test_lib.py": """
        import pytest
        from lib import Proxy

        def test_uninitialized():
            one = Proxy.__new__(Proxy)
            with pytest.raises(ValueError):
                one + Proxy(2)

        def test_initialized():
            assert Proxy(1) + 2 == 3
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_instance_made_without_init_reads_through_getattr(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_introspect, "UNINITIALIZED_RULE", rule)
    indexer, g = build(tmp_path, UNINITIALIZED)
    report = selected(impact(g, "lib.Proxy.__getattr__"))
    assert ("tests/test_lib.py::test_uninitialized" in report) is rule
    assert "tests/test_lib.py::test_initialized" not in report
    indexer.close()


# wrapt: a proxy answers `__name__`/`__module__` (functools.WRAPPER_ASSIGNMENTS)
# for what it wraps through properties; library code reading `f.__name__`
# of an object of unknown type is a guess, followed for such a property
# (reading it runs it), not for a plain method of a common name.
DUNDER_PROPERTY = {
    "lib.py": """
        class Proxy:
            def __init__(self, wrapped):
                self.wrapped = wrapped

            @property
            def __name__(self):
                return self.wrapped.__name__

            def describe(self):
                return "proxy"

        def proxy(function):
            return Proxy(function)

        def label(function):
            return function.__name__

        def describe(function):
            return function.describe
        """,
    "tests/test_lib.py": """
        import lib

        def test_label():
            assert lib.label(lib.proxy(len)) == "len"

        def test_describe():
            assert lib.describe(lib.proxy(len))
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_guessed_read_of_a_wrapper_identity_property_runs_it(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_precision, "DUNDER_PROPERTY_READS", rule)
    indexer, g = build(tmp_path, DUNDER_PROPERTY)
    assert ("tests/test_lib.py::test_label" in selected(impact(g, "lib.Proxy.__name__"))) is rule
    # a name-matched read of a method (not run by the read) stays unfollowed
    assert "tests/test_lib.py::test_describe" not in selected(impact(g, "lib.Proxy.describe"))
    indexer.close()
