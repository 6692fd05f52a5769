"""Impact recall idioms from pyparsing's missed pairs (issue 12). One
source case per idiom, each checked with its switch on and off, so the case
fails without it; each holds an off-case the rule must not touch."""

from __future__ import annotations

import importlib

import pytest

from indexer.analysis import impact_newmade, impact_selfhash
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)


def set_switch(monkeypatch, switch: str, rule: bool) -> None:
    """Set a rule's switch named `module.NAME`: an `impact_*` module of the
    analysis layer, else one of the Python language's modules."""
    module, name = switch.split(".")
    package = "indexer.analysis." if module.startswith("impact") else "indexer.languages.python."
    monkeypatch.setattr(importlib.import_module(package + module), name, rule)


# pyparsing's `__diag__`: `enable = classmethod(lambda cls, name: cls._set(name, True))`
# is a method whose body is a lambda; the test calls it through a conditional
# expression. `helper = lambda v: _double(v)` in a module is a function.
# `Flags.make` builds a lambda it passes on, no binding: the class keeps it.
BOUND_LAMBDA = {
    "lib.py": """
        def _double(v):
            return v * 2

        helper = lambda v: _double(v)

        def _unused(v):
            return v

        class Flags:
            @classmethod
            def _set(cls, name, value):
                setattr(cls, name, value)

            enable = classmethod(lambda cls, name: cls._set(name, True))
            disable = classmethod(lambda cls, name: cls._set(name, False))
            keys = sorted(["b", "a"], key=lambda k: _unused(k))

        class diag(Flags):
            warn = False
        """,
    "tests/test_lib.py": """
        from lib import diag, helper

        def restore(name, value):
            (diag.enable if value else diag.disable)(name)

        def test_restore():
            restore("warn", True)

        def test_helper():
            assert helper(2) == 4

        def test_nothing():
            assert diag.warn is False
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_lambda_bound_to_a_name_belongs_to_it(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "BOUND_LAMBDAS", rule)
    indexer, g = build(tmp_path, BOUND_LAMBDA)
    assert ("tests/test_lib.py::test_restore" in selected(impact(g, "lib.Flags._set"))) is rule
    assert ("tests/test_lib.py::test_helper" in selected(impact(g, "lib._double"))) is rule
    # off-case: a lambda passed as an argument in a class body ran with the class statement
    assert "tests/test_lib.py::test_restore" not in selected(impact(g, "lib._unused"))
    indexer.close()


# pyparsing's `Literal.__new__` returns `super().__new__(_SingleCharLiteral)`
# for a one-character string: who calls `Literal` may hold a `_Single`.
# `Other` is made by its own test only: it never holds a `_Single`.
NEW_MAKES_ANOTHER = {
    "lib.py": """
        class Token:
            def parse(self, text):
                return self.parseImpl(text)

            def parseImpl(self, text):
                return text

        class Literal(Token):
            def __new__(cls, match=""):
                if len(match) == 1:
                    return super().__new__(_Single)
                return super().__new__(cls)

            def __init__(self, match=""):
                self.match = match

            def parseImpl(self, text):
                return text.startswith(self.match)

        class _Single(Literal):
            def parseImpl(self, text):
                return text[:1] == self.match

        class Other(Token):
            def parseImpl(self, text):
                return not text
        """,
    "tests/test_lib.py": """
        from lib import Literal, Other

        def test_literal():
            assert Literal("x").parse("xy")

        def test_other():
            assert Other().parse("")
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_class_made_in_another_class_new_is_held_by_its_callers(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_newmade, "RULE", rule)
    indexer, g = build(tmp_path, NEW_MAKES_ANOTHER)
    found = selected(impact(g, "lib._Single.parseImpl"))
    assert ("tests/test_lib.py::test_literal" in found) is rule
    assert "tests/test_lib.py::test_other" not in found  # off-case: makes no Literal
    indexer.close()


# pyparsing's `if tokens:` / `not res`: a truth test runs the operand's
# `__bool__` where the operand is known to hold the class (a local bound to
# a call that returns one). `test_parse` tests no truth.
TRUTH_TEST = {
    "lib.py": """
        class Results:
            def __init__(self, items):
                self.items = items

            def __bool__(self):
                return bool(self.items)

        def parse(text):
            return Results(text.split())

        def check(text):
            res = parse(text)
            return "ok" if res else "empty"

        def negate(text):
            res = Results([text])
            return not res

        def loop(text):
            res = parse(text)
            while res:
                res.items.pop()
            if res or text:
                return 1
            return 0
        """,
    "tests/test_lib.py": """
        from lib import check, loop, negate, parse

        def test_check():
            assert check("a b") == "ok"

        def test_negate():
            assert negate("a") is False

        def test_loop():
            assert loop("a b") == 1

        def test_parse():
            assert parse("a").items == ["a"]
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_truth_test_runs_bool(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "TRUTH_PROTOCOLS", rule)
    indexer, g = build(tmp_path, TRUTH_TEST)
    found = selected(impact(g, "lib.Results.__bool__"))
    for test in ("test_check", "test_negate", "test_loop"):
        assert (f"tests/test_lib.py::{test}" in found) is rule
    assert "tests/test_lib.py::test_parse" not in found  # off-case: no truth test
    indexer.close()


# pyparsing's `f"{type(exc).__name__}: {exc}"` in `explain_exception` and
# the tests' `print(result)`: display runs the operand's `__str__`
# (`{exc!r}` its `__repr__`). `test_make` displays nothing.
DISPLAY = {
    "lib.py": """
        class Error(Exception):
            def __str__(self):
                return "error"

            def __repr__(self):
                return "Error()"

        def explain(exc: Error):
            return f"{type(exc).__name__}: {exc}"

        def debug(exc: Error):
            return f"{exc!r}"

        def make():
            return Error()
        """,
    "tests/test_lib.py": """
        from lib import debug, explain, make

        def test_explain():
            assert explain(make())

        def test_debug():
            assert debug(make())

        def test_print():
            err = make()
            print("got", err, sep="")

        def test_make():
            assert make() is not None
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_display_runs_str(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "STRING_PROTOCOLS", rule)
    indexer, g = build(tmp_path, DISPLAY)
    shown = selected(impact(g, "lib.Error.__str__"))
    assert ("tests/test_lib.py::test_explain" in shown) is rule
    assert ("tests/test_lib.py::test_print" in shown) is rule
    assert ("tests/test_lib.py::test_debug" in selected(impact(g, "lib.Error.__repr__"))) is rule
    assert "tests/test_lib.py::test_debug" not in shown  # off-case: `!r` runs __repr__ alone
    assert "tests/test_lib.py::test_make" not in shown  # off-case: displays nothing
    indexer.close()


# pyparsing's packrat cache: `_parseCache` looks up `(self, loc)`, which runs
# the element's `__hash__`. `test_plain` parses through `parse_plain`, which
# keys nothing by `self`.
SELF_KEYED = {
    "lib.py": """
        class Element:
            cache = {}

            def __hash__(self):
                return id(self)

            def parse_cached(self, text):
                lookup = (self, text)
                found = self.cache.get(lookup)
                if found is None:
                    found = self.cache[lookup] = self.parse_plain(text)
                return found

            def parse_plain(self, text):
                return text.split()

        class Word(Element):
            pass
        """,
    "tests/test_lib.py": """
        from lib import Word

        def test_cached():
            assert Word().parse_cached("a b")

        def test_plain():
            assert Word().parse_plain("a b")
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_cache_keyed_by_self_runs_hash(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_selfhash, "RULE", rule)
    indexer, g = build(tmp_path, SELF_KEYED)
    found = selected(impact(g, "lib.Element.__hash__"))
    assert ("tests/test_lib.py::test_cached" in found) is rule
    assert "tests/test_lib.py::test_plain" not in found  # off-case: keys nothing by self
    indexer.close()


# pyparsing's `except ParseException as pe: ... pe.lineno` (and `str(pe)`):
# the name an `except` clause binds holds an instance of the caught class
# (of a tuple's workspace class). `Cursor.lineno` shares the name, so a
# guess by name alone cannot tell them apart; `test_other` catches a
# builtin exception and reads nothing of the project's; `twice` binds `exc`
# in two clauses, so it keeps no type (click's `except (EOFError, ...) as e`
# then `except ClickException as e: e.show()`).
CAUGHT = {
    "lib.py": """
        class ParseError(Exception):
            @property
            def lineno(self):
                return 1

        class Cursor:
            @property
            def lineno(self):
                return 2

        def parse(text):
            if not text:
                raise ParseError()
            return text

        def where(text):
            try:
                parse(text)
            except ParseError as exc:
                return exc.lineno
            return 0

        def where_either(text):
            try:
                parse(text)
            except (ValueError, ParseError) as exc:
                return exc.lineno
            return 0

        def other(text):
            try:
                return int(text)
            except ValueError as exc:
                return exc.args

        def twice(text):
            try:
                parse(text)
            except ValueError as exc:
                return exc.args
            except ParseError as exc:
                return exc.lineno
            return 0
        """,
    "tests/test_lib.py": """
        from lib import Cursor, other, where, where_either

        def test_where():
            assert where("") == 1

        def test_either():
            assert where_either("") == 1

        def test_other():
            assert other("x")


        def test_cursor():
            assert Cursor().lineno == 2
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_except_name_holds_the_caught_class(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.expressions"), "EXCEPT_TYPES", rule)
    indexer, g = build(tmp_path, CAUGHT)
    found = selected(impact(g, "lib.ParseError.lineno"))
    for test in ("test_where", "test_either"):
        assert (f"tests/test_lib.py::{test}" in found) is rule, test
    assert "tests/test_lib.py::test_other" not in found  # off-case: a builtin exception
    assert "tests/test_lib.py::test_cursor" not in found  # off-case: the other lineno
    indexer.close()


# pyparsing's packrat switch: `recursion_memos: Dict[...] = {}` in
# ParserElement's body, then `ParserElement.recursion_memos = _LRUMemo(...)`
# in a static method: `ParserElement.recursion_memos.clear()` may run
# _LRUMemo.clear. `wipe` clears a plain dict; `Stack.clear` is another clear.
REASSIGNED = {
    "lib.py": """
        from typing import Dict

        class LRUMemo:
            def __init__(self, capacity):
                self.capacity = capacity

            def clear(self):
                return None

        class Stack:
            def clear(self):
                return None

        class Element:
            memos: Dict[int, int] = {}

            @staticmethod
            def enable(limit):
                Element.memos = LRUMemo(limit)

            @staticmethod
            def reset():
                Element.memos.clear()

        def wipe(d: Dict[int, int]):
            d.clear()
        """,
    "tests/test_lib.py": """
        from lib import Element, Stack, wipe

        def test_reset():
            Element.enable(3)
            Element.reset()

        def test_wipe():
            wipe({1: 2})

        def test_stack():
            Stack().clear()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_class_attribute_holds_what_its_methods_build(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "CLASS_REASSIGNED", rule)
    indexer, g = build(tmp_path, REASSIGNED)
    cleared = selected(impact(g, "lib.LRUMemo.clear"))
    assert ("tests/test_lib.py::test_reset" in cleared) is rule
    assert "tests/test_lib.py::test_wipe" not in cleared  # off-case: a plain dict
    assert "tests/test_lib.py::test_stack" not in cleared  # off-case: another class's clear
    indexer.close()


# pyparsing's parse actions: `expr.set_parse_action(convert)` where
# `set_parse_action(self, *fns: ParseAction)` and `ParseAction` is a Union
# of Callables whose longest takes (str, int, ParseResults): `drop(s, l, t)`'s
# `t` is a ParseResults, and so is `lambda t:`'s (aligned from the right);
# `setParseAction = compat(..., set_parse_action)` takes the same callbacks.
# `keep` is passed to a function whose parameter has no Callable annotation.
CALLBACKS = {
    "lib.py": """
        from typing import Any, Callable, Union

        class Results:
            def __getattr__(self, name):
                return name

            def __delitem__(self, key):
                return None

        class Row:
            def __getattr__(self, name):
                return name

            def __delitem__(self, key):
                return None

        Action = Union[Callable[[], Any], Callable[[Results], Any], Callable[[str, int, Results], Any]]

        def compat(name, fn):
            def inner(*args, **kwargs):
                return fn(*args, **kwargs)
            return inner

        class Element:
            def set_parse_action(self, *fns: Action):
                self.fns = fns
                return self

            def keep(self, fn):
                self.fns = (fn,)
                return self

            def parse(self, text):
                return [fn(text, 0, Results()) for fn in self.fns]

            setParseAction = compat("setParseAction", set_parse_action)
        """,
    "tests/test_lib.py": """
        from lib import Element

        def test_getattr():
            Element().set_parse_action(lambda t: t.year).parse("1999")

        def test_delitem():
            def drop(s, l, t):
                del t["k"]
            Element().set_parse_action(drop).parse("x")

        def test_camel():
            Element().setParseAction(lambda t: t.day).parse("x")

        def test_kept():
            def other(t):
                return t.month
            Element().keep(other).parse("x")
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_callback_takes_what_the_callee_annotation_gives(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "CALLBACK_PARAMS", rule)
    indexer, g = build(tmp_path, CALLBACKS)
    got = selected(impact(g, "lib.Results.__getattr__"))
    assert ("tests/test_lib.py::test_getattr" in got) is rule
    assert ("tests/test_lib.py::test_camel" in got) is rule
    assert ("tests/test_lib.py::test_delitem" in selected(impact(g, "lib.Results.__delitem__"))) is rule
    assert "tests/test_lib.py::test_kept" not in got  # off-case: no annotation on `keep`'s parameter
    assert "tests/test_lib.py::test_getattr" not in selected(impact(g, "lib.Row.__getattr__"))  # off-case
    indexer.close()


def test_a_name_two_except_clauses_bind_holds_neither():
    from indexer.languages.python.extract import extract
    import textwrap
    facts = extract(textwrap.dedent(CAUGHT["lib.py"]).encode(), "lib.py", "lib")
    held = {s.qualname: s.type_expr for s in facts.symbols}
    assert held["lib.where.exc"] == ("call", ("name", "ParseError"))
    assert held["lib.twice.exc"] is None


# pyparsing's camelCase aliases: `parseString = replaced_by_pep8("parseString",
# parse_string)` where replaced_by_pep8 ends `return cast(C, _inner)` (C a
# TypeVar): calling the alias runs `_inner`, whose lines are the factory's.
# `plain` casts a parameter, not a closure: its value stays the cast type.
CAST = {
    "lib.py": """
        from typing import Callable, TypeVar, cast

        C = TypeVar("C", bound=Callable)

        def replaced_by_pep8(compat_name: str, fn: C) -> C:
            def _inner(self, *args, **kwargs):
                return fn(self, *args, **kwargs)
            return cast(C, _inner)

        def plain(fn):
            return cast(C, fn)

        class Element:
            def parse_string(self, text):
                return text.split()

            parseString = replaced_by_pep8("parseString", parse_string)
        """,
    "tests/test_lib.py": """
        from lib import Element

        def test_camel():
            assert Element().parseString("a b") == ["a", "b"]

        def test_snake():
            assert Element().parse_string("a b") == ["a", "b"]
        """,
}


@pytest.mark.parametrize("switch", ["extract.CAST_CLOSURES", "impact.NESTED_TARGETS"])
@pytest.mark.parametrize("rule", [True, False])
def test_a_cast_closure_is_the_closure(tmp_path, monkeypatch, rule, switch):
    # the closure is the factory's value (CAST_CLOSURES), and its callers run the factory's lines (NESTED_TARGETS)
    module, name = switch.split(".")
    where = "indexer.analysis.impact" if module == "impact" else "indexer.languages.python.extract"
    monkeypatch.setattr(importlib.import_module(where), name, rule)
    indexer, g = build(tmp_path, CAST)
    made = selected(impact(g, "lib.replaced_by_pep8"))
    assert ("tests/test_lib.py::test_camel" in made) is rule
    assert "tests/test_lib.py::test_snake" not in made  # off-case: the snake_case method itself
    indexer.close()


# itsdangerous's fixtures: `signer_factory` returns `partial(Signer, ...)`,
# `signer` calls it, tests take `signer`. Calling the partial calls Signer
# (Signer.__init__ runs), and `signer.sign(...)` is Signer.sign. Off-cases:
# `other_factory` wraps a different class; `keep` holds a plain function
# never called through the partial.
PARTIAL_FIXTURE = {
    "lib.py": """
        class Signer:
            def __init__(self, key):
                self.key = key

            def sign(self, value):
                return value + self.key

        class Other:
            def __init__(self, key):
                self.key = key
        """,
    "tests/test_lib.py": """
        from functools import partial

        import pytest

        from lib import Other, Signer

        @pytest.fixture()
        def signer_factory():
            return partial(Signer, key="k")

        @pytest.fixture()
        def signer(signer_factory):
            return signer_factory()

        @pytest.fixture()
        def other_factory():
            return partial(Other, key="k")

        def test_sign(signer):
            assert signer.sign("v")

        def test_factory(signer_factory):
            assert signer_factory(key="x")

        def test_other(other_factory):
            assert other_factory()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_partial_calls_what_it_wraps(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.expressions"), "PARTIAL_VALUES", rule)
    # (PARTIAL_CALLS links `partial(Signer)` to Signer by itself: off, so the case shows this rule alone)
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "PARTIAL_CALLS", False)
    indexer, g = build(tmp_path, PARTIAL_FIXTURE)
    made = selected(impact(g, "lib.Signer.__init__"))
    for test in ("test_sign", "test_factory"):
        assert (f"tests/test_lib.py::{test}" in made) is rule, test
    assert "tests/test_lib.py::test_other" not in made  # off-case: another class's partial
    assert ("tests/test_lib.py::test_sign" in selected(impact(g, "lib.Signer.sign"))) is rule
    indexer.close()


# itsdangerous's test packages: tests/ has no __init__.py, so pytest puts it
# on sys.path and tests/pkg/test_timed.py imports `pkg.test_base`. The
# subclass inherits the base's tests, which run the changed method under the
# subclass's id too.
BASEDIR = {
    "lib.py": """
        def run():
            return 1
        """,
    "tests/pkg/__init__.py": "",
    "tests/pkg/test_base.py": """
        from lib import run

        class TestBase:
            def test_run(self):
                assert run()
        """,
    "tests/pkg/test_timed.py": """
        from pkg.test_base import TestBase

        class TestTimed(TestBase):
            pass
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_test_package_imports_from_its_pytest_basedir(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.resolve"), "PYTEST_BASEDIR", rule)
    indexer, g = build(tmp_path, BASEDIR)
    found = selected(impact(g, "lib.run"))
    assert "tests/pkg/test_base.py::TestBase::test_run" in found
    assert ("tests/pkg/test_timed.py::TestTimed::test_run" in found) is rule
    indexer.close()


# itsdangerous's parametrized factory: `params=(Serializer, partial(Serializer, ...))`
# and `return partial(request.param, ...)`: the fixture's value calls Serializer.
# Off-case: `plain` returns `request.param` of a fixture without params.
FIXTURE_PARAMS = {
    "lib.py": """
        class Serializer:
            def __init__(self, key, fmt=None):
                self.key = key

            def dumps(self, value):
                return value
        """,
    "tests/test_lib.py": """
        from functools import partial

        import pytest

        from lib import Serializer

        class TestSerializer:
            @pytest.fixture(params=(Serializer, partial(Serializer, fmt="pickle")))
            def factory(self, request):
                return partial(request.param, key="k")

            @pytest.fixture()
            def serializer(self, factory):
                return factory()

            def test_dumps(self, serializer):
                assert serializer.dumps(1) == 1

        @pytest.fixture()
        def plain(request):
            return request.param

        def test_plain(plain):
            assert plain
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_fixture_returning_its_param_gives_one_of_its_params(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "FIXTURE_PARAMS", rule)
    # (PARTIAL_CALLS links the `params=` display's `partial(Serializer)` by itself: off, to show this rule alone)
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "PARTIAL_CALLS", False)
    indexer, g = build(tmp_path, FIXTURE_PARAMS)
    assert ("tests/test_lib.py::TestSerializer::test_dumps" in selected(impact(g, "lib.Serializer.__init__"))) is rule
    assert ("tests/test_lib.py::TestSerializer::test_dumps" in selected(impact(g, "lib.Serializer.dumps"))) is rule
    assert "tests/test_lib.py::test_plain" not in selected(impact(g, "lib.Serializer.__init__"))
    indexer.close()


# pytest collects a test class (or function) again in every test module that
# imports it by name: itsdangerous's test_timed.py imports TestSigner to
# subclass it and runs `test_timed.py::TestSigner::test_sign` too. Off-case:
# a helper module (no tests) importing the class collects nothing.
RECOLLECTED = {
    "lib.py": """
        def sign(v):
            return v
        """,
    "tests/test_signer.py": """
        from lib import sign

        class TestSigner:
            def test_sign(self):
                assert sign(1)

        def test_plain():
            assert sign(2)
        """,
    "tests/test_timed.py": """
        from tests.test_signer import TestSigner, test_plain

        class TestTimed(TestSigner):
            pass
        """,
    "tests/helpers.py": """
        from tests.test_signer import TestSigner
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_imported_test_class_is_collected_again(tmp_path, monkeypatch, rule):
    from indexer.analysis import impact_mixins
    monkeypatch.setattr(impact_mixins, "IMPORTED_RULE", rule)
    indexer, g = build(tmp_path, RECOLLECTED)
    found = selected(impact(g, "lib.sign"))
    assert {"tests/test_signer.py::TestSigner::test_sign", "tests/test_timed.py::TestTimed::test_sign"} <= found
    for again in ("tests/test_timed.py::TestSigner::test_sign", "tests/test_timed.py::test_plain"):
        assert (again in found) is rule, again
    assert not any(t.startswith("tests/helpers.py") for t in found)
    indexer.close()


# itsdangerous's fixture override: the subclass's `signer_factory` returns
# `partial(TimestampSigner, ...)`, the tests it inherits reach it through the
# base's `signer` fixture. `partial(C, ...)` is a (deferred) call of C, so the
# override makes TimestampSigners, and the inherited test's copy in the
# subclass holds one: it runs TimestampSigner.sign. A fixture's `return
# signer_factory()` sees its argument as the fixture it names, so `signer`
# in the test is typed (not a name-matched guess).
OVERRIDE = {
    "lib.py": """
        class Signer:
            def __init__(self, key):
                self.key = key

            def sign(self, value):
                return value + self.key

        class TimestampSigner(Signer):
            def sign(self, value):
                return value + "@" + self.key
        """,
    "tests/test_lib.py": """
        from functools import partial

        import pytest

        from lib import Signer, TimestampSigner

        class TestSigner:
            @pytest.fixture()
            def signer_factory(self):
                return partial(Signer, key="k")

            @pytest.fixture()
            def signer(self, signer_factory):
                return signer_factory()

            def test_sign(self, signer):
                assert signer.sign("v")

        class TestTimestampSigner(TestSigner):
            @pytest.fixture()
            def signer_factory(self):
                return partial(TimestampSigner, key="k")
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_partial_is_a_call_of_what_it_wraps(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "PARTIAL_CALLS", rule)
    indexer, g = build(tmp_path, OVERRIDE)
    uses = {(r.enclosing, r.kind) for r in g.references("lib.TimestampSigner")}
    assert (("tests.test_lib.TestTimestampSigner.signer_factory", "call") in uses) is rule
    found = selected(impact(g, "lib.TimestampSigner.sign"))
    assert ("tests/test_lib.py::TestTimestampSigner::test_sign" in found) is rule
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
def test_a_fixture_sees_its_arguments_as_fixtures(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.resolve"), "FIXTURE_ARGS", rule)
    indexer, g = build(tmp_path, OVERRIDE)
    hows = {r.how for r in g.references("lib.Signer.sign") if r.enclosing == "tests.test_lib.TestSigner.test_sign"}
    assert ("name-match" not in hows and bool(hows)) is rule, hows
    indexer.close()


# itsdangerous: `class TimedSerializer(Serializer[_TSerialized])` overrides
# `loads`; a test typed `serializer: Serializer` whose fixture builds the
# subclass runs the override. The subscripted base is the class's base.
GENERIC_BASE = {
    "lib.py": """
        import typing as t

        T = t.TypeVar("T")

        class Serializer(t.Generic[T]):
            def loads(self, s):
                return s

        class TimedSerializer(Serializer[T]):
            def loads(self, s):
                return s.strip()
        """,
    "tests/test_lib.py": """
        import pytest

        from lib import Serializer, TimedSerializer

        @pytest.fixture()
        def serializer():
            return TimedSerializer()

        def test_loads(serializer: Serializer):
            assert serializer.loads(" a ") == "a"
        """,
}


def test_a_generic_base_is_the_base(tmp_path):
    indexer, g = build(tmp_path, GENERIC_BASE)
    assert {r.enclosing for r in g.references("lib.Serializer") if r.kind == "inherit"} == {"lib.TimedSerializer"}
    assert "tests/test_lib.py::test_loads" in selected(impact(g, "lib.TimedSerializer.loads"))
    indexer.close()


# markupsafe: the standard library calls back into a workspace class.
# `string.Formatter.vformat` calls the `format_field` override of the
# formatter `render` makes; `str.__mod__` runs the `__str__` of the helper
# `interpolate` makes. A Tag is made by `label`, which formats, and by
# `count`, which does not: not a helper made for the engine. `plain` calls
# vformat on a formatter it did not make.
LIBRARY = {
    "lib.py": """
        import string

        class Escaper(string.Formatter):
            def format_field(self, value, spec):
                return str(value).replace("<", "&lt;")

        class Helper:
            def __init__(self, obj):
                self.obj = obj

            def __str__(self):
                return str(self.obj).upper()

        def render(template, *args):
            return Escaper().vformat(template, args, {})

        def interpolate(template: str, arg):
            return template.__mod__(Helper(arg))

        class Tag:
            def __str__(self):
                return "tag"

        def label(template: str, arg):
            return template.__mod__((Tag(), arg))

        def count(arg):
            return [Tag(), arg]

        def plain(template):
            return string.Formatter().vformat(template, (), {})
        """,
    "tests/test_lib.py": """
        from lib import count, interpolate, plain, render

        def test_render():
            assert render("{}", "<") == "&lt;"

        def test_interpolate():
            assert interpolate("%s", "a") == "A"

        def test_count():
            assert len(count(1)) == 1

        def test_plain():
            assert plain("x") == "x"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_library_calls_back_an_override(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.analysis.impact_library"), "TEMPLATE_RULE", rule)
    indexer, g = build(tmp_path, LIBRARY)
    found = selected(impact(g, "lib.Escaper.format_field"))
    assert found == ({"tests/test_lib.py::test_render"} if rule else set()), found
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
def test_a_library_runs_the_protocol_of_what_it_is_handed(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.analysis.impact_library"), "PROTOCOL_RULE", rule)
    indexer, g = build(tmp_path, LIBRARY)
    found = selected(impact(g, "lib.Helper.__str__"))
    assert found == ({"tests/test_lib.py::test_interpolate"} if rule else set()), found
    assert not selected(impact(g, "lib.Tag.__str__"))
    indexer.close()


# typeguard: an `ast.NodeTransformer` whose `visit` override runs the
# library's own (`super().visit(node)`), which calls `visit_Name` back by
# the node's class name. A unittest class's `setUp` running
# `super().setUp()` calls back none of its helpers.
EXTENDING = {
    "lib.py": """
        import ast

        class Renamer(ast.NodeTransformer):
            def __init__(self, prefix):
                self.prefix = prefix

            def visit(self, node):
                return super().visit(node)

            def visit_Name(self, node):
                return ast.Name(id=self.prefix + node.id, ctx=node.ctx)

        def rename(source, prefix):
            tree = ast.parse(source)
            renamer = Renamer(prefix)
            renamed = renamer.visit(tree)
            return ast.unparse(renamed)
        """,
    "tests/test_lib.py": """
        import unittest

        from lib import rename

        def test_rename():
            assert rename("a + b", "x_") == "x_a + x_b"

        class Case(unittest.TestCase):
            def setUp(self):
                super().setUp()
                self.prefix = "y_"

            def _helper(self):
                return rename("c", self.prefix)

            def test_helped(self):
                self.assertEqual(self._helper(), "y_c")

            def test_plain(self):
                self.assertEqual(self.prefix, "y_")
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_override_running_its_library_base_is_a_template_caller(tmp_path, monkeypatch, rule):
    set_switch(monkeypatch, "impact_library.EXTENDING_OVERRIDES", rule)
    indexer, g = build(tmp_path, EXTENDING)
    found = selected(impact(g, "lib.Renamer.visit_Name"))
    expected = {"tests/test_lib.py::test_rename", "tests/test_lib.py::Case::test_helped"}
    assert found == (expected if rule else set()), found
    helped = selected(impact(g, "tests.test_lib.Case._helper"))
    assert helped == {"tests/test_lib.py::Case::test_helped"}, helped
    indexer.close()


# structlog: a class whose base is a library's is handed to that library,
# which makes it and calls its overrides back. `dictConfig` makes the
# formatter named by a class in a dict; `setFormatter` takes an instance;
# both are calls into `logging`, the base's package (PACKAGE_CALLS), not
# members of `logging.Formatter`. `make_filter` reads the class and calls
# into `logging` too, but reads a static method off it, which the library
# never calls back; `describe` makes one and calls into logging, but hands
# it nothing.
HANDED = {
    "lib.py": """
        import logging
        import logging.config

        class Plain(logging.Formatter):
            def __init__(self, fmt=None):
                super().__init__(fmt)

            def format(self, record):
                return "plain: " + record.getMessage()

            @staticmethod
            def level_of(record):
                return record.levelname

        def configure():
            logging.config.dictConfig({"version": 1, "formatters": {"f": {"()": Plain}}})

        def attach():
            handler = logging.StreamHandler()
            handler.setFormatter(Plain())
            logging.getLogger().addHandler(handler)

        def make_filter():
            logging.getLogger("x")
            return Plain.level_of

        def describe():
            Plain()
            logging.getLogger("x")
            return Plain.__name__
        """,
    "tests/test_lib.py": """
        import logging
        from lib import attach, configure, describe, make_filter

        def test_configure():
            configure()
            logging.getLogger().warning("x")

        def test_attach():
            attach()
            logging.getLogger().warning("x")

        def test_filter():
            assert make_filter()

        def test_describe():
            assert describe() == "Plain"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_library_calls_back_what_it_is_handed(tmp_path, monkeypatch, rule):
    set_switch(monkeypatch, "impact_library.PACKAGE_CALLS", rule)
    indexer, g = build(tmp_path, HANDED)
    found = selected(impact(g, "lib.Plain.format"))
    expected = {"tests/test_lib.py::test_configure", "tests/test_lib.py::test_attach"}
    assert found == (expected if rule else set()), found
    assert not selected(impact(g, "lib.Plain.level_of")) & expected
    # dictConfig makes the class it is handed: its constructor runs there
    assert ("tests/test_lib.py::test_configure" in selected(impact(g, "lib.Plain.__init__"))) is rule
    indexer.close()


# structlog: a bound logger forwards each log call to the logger it wraps
# by the method's name, `getattr(self._logger, name)(...)`; a capturing
# logger answers every name with `__getattr__`. The receiver rule keeps the
# tests that can hold one: `test_plain` wraps a logger with the method.
DELEGATE = {
    "lib.py": """
        class Bound:
            def __init__(self, logger):
                self._logger = logger

            def _proxy(self, name, event):
                return getattr(self._logger, name)(event)

            def info(self, event):
                return self._proxy("info", event)

        class Capturing:
            def __init__(self):
                self.calls = []

            def __getattr__(self, name):
                return lambda event: self.calls.append((name, event))

        class Plain:
            def info(self, event):
                return event
        """,
    "tests/test_lib.py": """
        from lib import Bound, Capturing, Plain

        def test_captures():
            cl = Capturing()
            Bound(cl).info("x")
            assert cl.calls == [("info", "x")]

        def test_plain():
            assert Bound(Plain()).info("x") == "x"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_delegate_called_by_a_computed_name_runs_its_getattr(tmp_path, monkeypatch, rule):
    set_switch(monkeypatch, "impact_introspect.DELEGATE_RULE", rule)
    indexer, g = build(tmp_path, DELEGATE)
    found = selected(impact(g, "lib.Capturing.__getattr__"))
    assert found == ({"tests/test_lib.py::test_captures"} if rule else set()), found
    indexer.close()


# structlog: `@pytest.mark.usefixtures("configure_for_formatter")` on a test
# class runs the fixture (which configures the library) around each of its
# tests; on a function, and `pytestmark` for a whole module, likewise.
# `test_other` asks for nothing.
USEFIXTURES = {
    "lib.py": """
        def configure():
            return {"configured": True}

        def reset():
            return {}
        """,
    "tests/conftest.py": """
        import pytest
        from lib import configure, reset

        @pytest.fixture(name="configured")
        def _configured():
            yield configure()

        @pytest.fixture()
        def clean():
            return reset()
        """,
    "tests/test_lib.py": """
        import pytest

        @pytest.mark.usefixtures("configured")
        class TestConfigured:
            def test_one(self):
                assert True

            def test_two(self):
                assert True

        @pytest.mark.usefixtures("configured")
        def test_function():
            assert True

        def test_other():
            assert True
        """,
    "tests/test_marked.py": """
        import pytest

        pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("clean")]

        def test_marked():
            assert True
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_usefixtures_marks_run_their_fixtures(tmp_path, monkeypatch, rule):
    set_switch(monkeypatch, "extract.USEFIXTURES", rule)
    indexer, g = build(tmp_path, USEFIXTURES)
    found = selected(impact(g, "lib.configure"))
    expected = {"tests/test_lib.py::TestConfigured::test_one", "tests/test_lib.py::TestConfigured::test_two",
                "tests/test_lib.py::test_function"}
    assert found == (expected if rule else set()), found
    assert selected(impact(g, "lib.reset")) == ({"tests/test_marked.py::test_marked"} if rule else set())
    # the reference sits on the fixture's name in the mark: a rename of the fixture rewrites it
    spans = {(r.path, r.range.start.line) for r in g.references("tests.conftest._configured") if r.kind == "fixture"}
    assert spans == ({("tests/test_lib.py", 2), ("tests/test_lib.py", 10)} if rule else set()), spans
    indexer.close()


# dateutil's parser: `res, skipped = self._parse(timestr)` unpacks a tuple
# whose first item is `self._result()` (a local of `_parse`, made by a
# method of self); `len(res)` runs the result's `__len__`. The method's
# return is evaluated outside it, where its `self` is an instance of its
# class (SELF_RETURNS). `pair()` returns no workspace values; `a, b =
# Result(), Other()` unpacks a tuple display.
TUPLE_RETURNS = {
    "lib.py": """
        class Result:
            def __len__(self):
                return 1

        class Other:
            def describe(self):
                return "other"

        class Parser:
            def _result(self):
                return Result()

            def _parse(self, text):
                res = self._result()
                return res, [text]

            def current(self):
                return self._result()

        def parse(text):
            res, skipped = Parser()._parse(text)
            if len(res) == 0:
                raise ValueError(text)
            return skipped

        def fresh():
            return len(Parser().current())

        def pair():
            return 1, 2

        def both():
            a, b = Result(), Other()
            return b.describe()
        """,
    "tests/test_lib.py": """
        from lib import both, fresh, pair, parse

        def test_parse():
            assert parse("x") == ["x"]

        def test_fresh():
            assert fresh() == 1

        def test_pair():
            assert pair() == (1, 2)

        def test_both():
            assert both() == "other"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_unpacked_tuple_return_holds_its_items(tmp_path, monkeypatch, rule):
    set_switch(monkeypatch, "extract.TUPLE_RETURNS", rule)
    set_switch(monkeypatch, "resolve.SELF_RETURNS", rule)
    indexer, g = build(tmp_path, TUPLE_RETURNS)
    found = selected(impact(g, "lib.Result.__len__"))
    assert found == ({"tests/test_lib.py::test_parse", "tests/test_lib.py::test_fresh"} if rule else set()), found
    described = {t.id: t.confidence for t in impact(g, "lib.Other.describe").tests}
    assert (described.get("tests/test_lib.py::test_both", 0) >= 0.9) is rule  # (off: a guess by name)
    indexer.close()


# dateutil: a test class's helper takes an unannotated `rule` and runs
# `str(rule)`; its tests hand it an `Rule(...)`, directly or through a local,
# by position or by keyword. The calls of `check` disagree (a Rule, an
# Other), so its `value.describe()` stays a guess by name at both classes.
CALLER_TYPES = {
    "lib.py": """
        class Rule:
            def __str__(self):
                return "RULE"

            def describe(self):
                return "rule"

        class Other:
            def describe(self):
                return "other"
        """,
    "tests/test_lib.py": """
        import unittest

        from lib import Other, Rule

        def check(value):
            return value.describe()

        class RuleTest(unittest.TestCase):
            def _roundtrip(self, rule, strict=True):
                self.assertEqual(str(rule), "RULE")

            def test_direct(self):
                self._roundtrip(Rule())

            def test_local(self):
                rule = Rule()
                self._roundtrip(rule=rule, strict=False)

            def test_check(self):
                check(Rule())
                check(Other())
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_parameter_holds_what_the_files_calls_pass(tmp_path, monkeypatch, rule):
    set_switch(monkeypatch, "extract.CALLER_TYPES", rule)
    indexer, g = build(tmp_path, CALLER_TYPES)
    found = selected(impact(g, "lib.Rule.__str__"))
    expected = {"tests/test_lib.py::RuleTest::test_direct", "tests/test_lib.py::RuleTest::test_local"}
    assert found == (expected if rule else set()), found
    guessed = {t.id: t.confidence for t in impact(g, "lib.Other.describe").tests}
    assert 0 < guessed.get("tests/test_lib.py::RuleTest::test_check", 0) < 0.9, guessed  # (still a guess)
    indexer.close()


# structlog: a factory builds its logger classes with `type(name, (Base,),
# namespace)`, the namespace filled with its own functions taking `self`
# (one named for each level by a computed key) and a module-level one. `bl.info(...)` on an
# instance calls one of them, and their `self._proxy` is Base's. A class
# built from Base directly (`Base(...)`) has no such method.
TYPE_BUILT = {
    "lib.py": """
        from typing import Any, Protocol

        class Base:
            def __init__(self, sink):
                self.sink = sink

            def _proxy(self, name, event):
                self.sink.append((name, event))

        def exception(self: "Logger", event):
            return self.error(event)

        class Logger(Protocol):
            def error(self, event): ...

        def _make(min_level):
            def make_method(level):
                def meth(self: Any, event):
                    return self._proxy(str(level), event)
                return meth

            def log(self, level, event):
                return self._proxy(str(level), event)

            meths = {"log": log}
            meths["exception"] = exception
            for level in (10, 20):
                meths[str(level)] = make_method(level)
            return type("Built", (Base,), meths)

        Filtering = _make(0)

        def make_logger():
            return Filtering
        """,
    "tests/test_lib.py": """
        from lib import Base, make_logger

        def test_info():
            sink = []
            make_logger()(sink).info("x")
            assert sink

        def test_exception():
            sink = []
            make_logger()(sink).exception("x")
            assert sink

        def test_base():
            assert Base([]).sink == []
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_type_built_class_runs_its_factorys_functions(tmp_path, monkeypatch, rule):
    set_switch(monkeypatch, "extract.TYPE_METHODS", rule)
    indexer, g = build(tmp_path, TYPE_BUILT)
    expected = {"tests/test_lib.py::test_info", "tests/test_lib.py::test_exception"} if rule else set()
    assert selected(impact(g, "lib._make")) == expected
    assert "tests/test_lib.py::test_info" in selected(impact(g, "lib.Base._proxy")) or not rule
    assert "tests/test_lib.py::test_base" not in selected(impact(g, "lib.Base._proxy"))
    # a module-level function the namespace holds, called by its name (it calls a level's method:
    # `_make` runs for test_exception too)
    assert selected(impact(g, "lib.exception")) == ({"tests/test_lib.py::test_exception"} if rule else set())
    indexer.close()


# glom's modes: `scope[MODE] = FILL` then `scope[glom](...)`, which looks
# the mode up in the same scope and runs it; `Keep.remember` only stores it.
# structlog's `reset_defaults`: a copy of the default processors stored in
# the configuration runs none of them (an autouse fixture runs it around
# every test).
STORED = {
    "lib.py": """
        MODE = "mode"

        def _filled(target):
            return target

        def FILL(target, scope):
            return _filled(target)

        def _run(target, scope):
            return scope[MODE](target, scope)

        class Fill:
            def glomit(self, target, scope):
                scope[MODE] = FILL
                return scope[_run](target, scope)

        class Keep:
            def remember(self, scope):
                scope[MODE] = FILL
                return scope

        def add_one(event):
            return event + 1

        DEFAULTS = [add_one]

        class Config:
            chain = ()

        CONFIG = Config()

        def reset():
            CONFIG.chain = DEFAULTS[:]

        def process(event, chain):
            for step in chain:
                event = step(event)
            return event
        """,
    "tests/test_lib.py": """
        from lib import DEFAULTS, Fill, Keep, _run, process, reset

        def test_fill():
            assert Fill().glomit(1, {_run: _run}) == 1

        def test_keep():
            assert Keep().remember({})

        def test_reset():
            reset()

        def test_process():
            assert process(1, DEFAULTS) == 2
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_store_then_a_call_through_the_container_runs_it(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.stored_reads"), "CALLED_THROUGH", rule)
    indexer, g = build(tmp_path, STORED)
    found = selected(impact(g, "lib._filled"))
    assert found == ({"tests/test_lib.py::test_fill"} if rule else set()), found
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
def test_a_stored_copy_runs_nothing(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.stored_reads"), "COPIES", rule)
    indexer, g = build(tmp_path, STORED)
    found = selected(impact(g, "lib.add_one"))
    assert "tests/test_lib.py::test_process" in found
    assert ("tests/test_lib.py::test_reset" in found) is not rule, found
    indexer.close()


# structlog's conftest: `@pytest.fixture(autouse=True) def _reset_config():
# structlog.reset_defaults()` runs before every test under tests/, none of
# which names it. A module's autouse fixture runs around that module's
# tests, a class's around that class's.
AUTOUSE = {
    "lib.py": """
        def reset():
            return 0

        def clear():
            return 1

        def prepare():
            return 2

        def work():
            return 3
        """,
    "tests/__init__.py": "",
    "tests/conftest.py": """
        import pytest
        from lib import reset

        @pytest.fixture(autouse=True)
        def _reset_config():
            reset()

        @pytest.fixture
        def worker():
            return 1
        """,
    "tests/test_top.py": """
        import pytest
        from lib import clear, prepare, work

        @pytest.fixture(autouse=True)
        def _clear():
            clear()

        def test_top():
            assert work() == 3

        class TestPrepared:
            @pytest.fixture(autouse = True)
            def _prepare(self):
                prepare()

            def test_prepared(self):
                pass
        """,
    "tests/sub/__init__.py": "",
    "tests/sub/test_deep.py": """
        def test_deep():
            pass
        """,
    "other/test_far.py": """
        def test_far():
            pass
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_autouse_fixture_runs_around_every_test_in_its_scope(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.analysis.impact_mixins"), "AUTOUSE_RULE", rule)
    indexer, g = build(tmp_path, AUTOUSE)
    everywhere = {"tests/test_top.py::test_top", "tests/test_top.py::TestPrepared::test_prepared",
                  "tests/sub/test_deep.py::test_deep"}
    assert selected(impact(g, "lib.reset")) == (everywhere if rule else set())
    assert selected(impact(g, "lib.clear")) == (everywhere - {"tests/sub/test_deep.py::test_deep"} if rule else set())
    assert selected(impact(g, "lib.prepare")) == ({"tests/test_top.py::TestPrepared::test_prepared"} if rule else set())
    assert selected(impact(g, "lib.work")) == {"tests/test_top.py::test_top"}  # named, not autouse
    indexer.close()


# structlog's `@pytest.fixture(name="cr") def _cr(): return ConsoleRenderer()`:
# tests ask for `cr`, so `cr(...)` runs ConsoleRenderer.__call__. The same
# in a test class and in a conftest. A parameter hypothesis's `@given` fills
# is no fixture (attrs' `@given(simple_classes()) def test_change(self, C)`
# beside a fixture named C).
NAMED_FIXTURES = {
    "lib.py": """
        class Renderer:
            def __call__(self, event):
                return str(event)

        class Padder:
            def pad(self, text):
                return text + " "

        class Styler:
            def style(self, text):
                return text
        """,
    "tests/__init__.py": "",
    "tests/conftest.py": """
        import pytest
        from lib import Styler

        @pytest.fixture(name="styles")
        def _styles():
            return Styler()
        """,
    "tests/test_dev.py": """
        import pytest
        from hypothesis import given, strategies as st
        from lib import Padder, Renderer

        @pytest.fixture(name="cr")
        def _cr():
            return Renderer()

        def test_render(cr):
            assert cr("a") == "a"

        @given(st.just(str))
        def test_given(cr):
            assert cr("a")

        def test_style(styles):
            assert styles.style("a") == "a"

        class TestPad:
            @pytest.fixture(name="padder")
            def _padder(self):
                return Padder()

            def test_pad(self, padder):
                assert padder.pad("a") == "a "
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_fixture_named_by_its_decorator(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "FIXTURE_NAMES", rule)
    indexer, g = build(tmp_path, NAMED_FIXTURES)
    found = {q: selected(impact(g, q)) for q in ("lib.Renderer.__call__", "lib.Padder.pad", "lib.Styler.style")}
    if rule:
        assert found == {"lib.Renderer.__call__": {"tests/test_dev.py::test_render"},
                         "lib.Padder.pad": {"tests/test_dev.py::TestPad::test_pad"},
                         "lib.Styler.style": {"tests/test_dev.py::test_style"}}, found
    else:
        assert "tests/test_dev.py::test_render" not in found["lib.Renderer.__call__"], found
    indexer.close()


# pathspec's tests: `list(map(GitWildMatchPattern, lines))` makes patterns,
# `set(map(spec.check_file, files))` checks each file.
MAPPED = {
    "lib.py": """
        class Pattern:
            def __init__(self, text):
                self.text = text

        class Spec:
            def check_file(self, path):
                return path.endswith(".py")
        """,
    "tests/test_lib.py": """
        from lib import Pattern, Spec

        def test_patterns():
            assert len(list(map(Pattern, ["a", "b"]))) == 2

        def test_check():
            assert set(map(Spec().check_file, ["a.py"])) == {True}
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_map_calls_what_it_is_given(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "MAP_CALLS", rule)
    indexer, g = build(tmp_path, MAPPED)
    assert selected(impact(g, "lib.Pattern.__init__")) == ({"tests/test_lib.py::test_patterns"} if rule else set())
    # (a bound method passed on is a read the walk follows either way)
    assert selected(impact(g, "lib.Spec.check_file")) == {"tests/test_lib.py::test_check"}
    indexer.close()


# structlog's configuration: `default_wrapper_class: Any = BoundLogger` and
# `logger_factory: Callable[..., Logger] = LoggerFactory()`: the value, not
# the loose annotation, says what the attribute holds.
LOOSE = {
    "lib.py": """
        from typing import Any, Callable

        class BoundLogger:
            def info(self, event):
                return event

        class LoggerFactory:
            def __call__(self):
                return BoundLogger()

        class Config:
            wrapper_class: Any = BoundLogger
            factory: Callable[..., BoundLogger] = LoggerFactory()

        CONFIG = Config()

        def get_logger():
            return CONFIG.wrapper_class()

        def make_logger():
            return CONFIG.factory()
        """,
    "tests/test_lib.py": """
        from lib import get_logger, make_logger

        def test_info():
            assert get_logger().info("a") == "a"

        def test_factory():
            assert make_logger()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_loose_annotation_leaves_the_type_to_the_value(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.expressions"), "LOOSE_ANNOTATIONS", rule)
    indexer, g = build(tmp_path, LOOSE)
    assert selected(impact(g, "lib.BoundLogger.info")) == ({"tests/test_lib.py::test_info"} if rule else set())
    assert ("lib.LoggerFactory.__call__" in {r.target for r in g.references_from("lib.make_logger")}) is rule
    indexer.close()


# pathspec's pattern registry: `util.register_pattern('gitwildmatch',
# GitWildMatchPattern)` at module level stores the class in a dict that
# `lookup_pattern` reads; `from_lines('gitwildmatch', ...)` calls what it
# looks up. `registered_names` only lists the keys.
REGISTERED = {
    "lib/__init__.py": "",
    "lib/util.py": """
        _registered = {}

        def register(name, factory):
            if name in _registered:
                raise KeyError(name)
            _registered[name] = factory

        def lookup(name):
            return _registered[name]

        def registered_names():
            return list(_registered)
        """,
    "lib/patterns.py": """
        from lib import util

        class WildPattern:
            def __init__(self, text):
                self.text = text

        util.register('wild', WildPattern)


        class OtherPattern:
            def __init__(self, text):
                self.text = text

        util.register('other', OtherPattern)
        """,
    "lib/spec.py": """
        from lib import util
        import lib.patterns

        def from_lines(factory, lines):
            factory = util.lookup(factory)
            return [factory(line) for line in lines]
        """,
    "tests/test_spec.py": """
        from lib.spec import from_lines
        from lib.util import registered_names

        def test_from_lines():
            assert len(from_lines("wild", ["a"])) == 1

        def test_names():
            assert registered_names()

        def test_other():
            assert len(from_lines("other", ["a"])) == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_registered_callable_runs_where_the_registry_is_read(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.analysis.impact_registered"), "RULE", rule)
    indexer, g = build(tmp_path, REGISTERED)
    found = selected(impact(g, "lib.patterns.WildPattern.__init__"))
    assert found == ({"tests/test_spec.py::test_from_lines"} if rule else set()), found
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
def test_a_registry_link_holds_the_key_it_was_registered_under(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.analysis.impact_registered"), "KEYED", rule)
    indexer, g = build(tmp_path, REGISTERED)
    found = selected(impact(g, "lib.patterns.WildPattern.__init__"))
    other = "tests/test_spec.py::test_other"
    assert found == ({"tests/test_spec.py::test_from_lines"} | (set() if rule else {other})), found
    found = selected(impact(g, "lib.patterns.OtherPattern.__init__"))
    assert found == ({other} | (set() if rule else {"tests/test_spec.py::test_from_lines"})), found
    indexer.close()


# glom's `bbrepr = _BBRepr().repr`: a module binds the library template
# method of an instance it makes; `reprlib.Repr.repr` calls `repr1` back in
# whoever calls `bbrepr(...)`.
BOUND_TEMPLATE = {
    "lib.py": """
        from reprlib import Repr

        class _BBRepr(Repr):
            def repr1(self, x, level):
                return "x"

        bbrepr = _BBRepr().repr

        def describe(spec):
            return "<%s>" % bbrepr(spec)

        def plain(spec):
            return "<%s>" % spec
        """,
    "tests/test_lib.py": """
        from lib import describe, plain

        def test_describe():
            assert describe(1)

        def test_plain():
            assert plain(1)
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_module_bound_template_method_calls_back_an_override(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.analysis.impact_library"), "MODULE_MAKERS", rule)
    indexer, g = build(tmp_path, BOUND_TEMPLATE)
    found = selected(impact(g, "lib._BBRepr.repr1"))
    assert found == ({"tests/test_lib.py::test_describe"} if rule else set()), found
    indexer.close()


# structlog's wrapper classes: `_make_filtering_bound_logger(level)` returns
# `type(name, (BoundLoggerBase,), meths)`; `make_filtering_bound_logger(0)`
# returns `LEVEL_TO_FILTERING_LOGGER[0]`, a dict of those classes (annotated
# `-> type[FilteringBoundLogger]`, a Protocol); the
# configuration holds one and `bind` calls `self._wrapper_class or` it.
BUILT_CLASSES = {
    "lib.py": """
        from typing import Any

        class Base:
            def __init__(self, logger):
                self._logger = logger

        def _make(level):
            def meth(self, event):
                return event
            return type("Filtering", (Base,), {"info": meth})

        AtDebug = _make(10)
        AtInfo = _make(20)
        LEVELS = {10: AtDebug, 20: AtInfo}

        class Protocolish:
            def info(self, event):
                ...

        def make_filtering(level) -> type[Protocolish]:
            return LEVELS[level]

        class Config:
            wrapper: Any = make_filtering(10)

        CONFIG = Config()

        def get_logger():
            cls = CONFIG.wrapper
            return cls(None)

        def names():
            return list(LEVELS)

        class Proxy:
            def __init__(self, wrapper_class=None):
                self._wrapper_class = wrapper_class

            def bind(self):
                cls = self._wrapper_class or CONFIG.wrapper
                return cls(None)
        """,
    "tests/test_lib.py": """
        from lib import AtInfo, Proxy, get_logger, names

        def test_get():
            assert get_logger()

        def test_bind():
            assert Proxy().bind()

        def test_direct():
            assert AtInfo(None)

        def test_names():
            assert names()
        """,
}


@pytest.mark.parametrize("rule", ["TYPE_BUILT", "DICT_VALUES", "OR_VALUES", "CLASS_RETURNS", None])
def test_a_class_built_by_type_and_held_in_a_dict(tmp_path, monkeypatch, rule):
    if rule is not None:
        module = "extract" if rule == "CLASS_RETURNS" else "expressions"
        monkeypatch.setattr(importlib.import_module(f"indexer.languages.python.{module}"), rule, False)
    indexer, g = build(tmp_path, BUILT_CLASSES)
    found = selected(impact(g, "lib.Base.__init__"))
    every = {"tests/test_lib.py::test_get", "tests/test_lib.py::test_direct", "tests/test_lib.py::test_bind"}
    expected = {None: every, "OR_VALUES": every - {"tests/test_lib.py::test_bind"},
                "CLASS_RETURNS": {"tests/test_lib.py::test_direct"},
                "DICT_VALUES": {"tests/test_lib.py::test_direct"}, "TYPE_BUILT": set()}[rule]
    assert found == expected, found
    indexer.close()


# glom's `T = TType()` with `class TType(object)` defining `__getattr__`:
# `T.a.b` runs the hook. The explicit `object` base once answered
# `builtins.object.a`; `T.__class__` is object's own.
OBJECT_BASE = {
    "lib.py": """
        class TType(object):
            def __getattr__(self, name):
                return _child(self, name)

        def _child(parent, name):
            return TType()

        T = TType()
        """,
    "tests/test_lib.py": """
        from lib import T

        def test_attr():
            assert T.a.b

        def test_class():
            assert T.__class__
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_name_object_lacks_goes_to_getattr(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.resolve"), "OBJECT_BASE", rule)
    indexer, g = build(tmp_path, OBJECT_BASE)
    found = selected(impact(g, "lib._child"))
    assert found == ({"tests/test_lib.py::test_attr"} if rule else set()), found
    indexer.close()


# attrs' `@pytest.fixture(scope="session", name="C")` builds an attrs class
# once, for the first test that asks for it; the others get the class and
# never run the building code (listed, ruled out). A function-scoped
# fixture runs for each, and so does what a scoped fixture returns
# (markupsafe's session fixture `escape` returns `_mod.escape`).
SCOPED_FIXTURES = {
    "lib.py": """
        def build():
            return type("C", (), {})

        def prepare():
            return 1
        """,
    "tests/test_a.py": """
        import pytest
        from lib import build, prepare

        @pytest.fixture(scope="session")
        def C():
            return build()

        @pytest.fixture(scope="session")
        def make():
            return build

        @pytest.fixture
        def ready():
            return prepare()

        def test_first(C, ready):
            assert C

        def test_second(C, ready):
            assert C

        def test_made(make):
            assert make()

        def test_made_again(make):
            assert make()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_wider_scoped_fixture_runs_for_its_first_test(tmp_path, monkeypatch, rule):
    monkeypatch.setitem(importlib.import_module("indexer.analysis.impact_unrun").RULES, "scoped_fixture", rule)
    indexer, g = build(tmp_path, SCOPED_FIXTURES)
    both = {"tests/test_a.py::test_first", "tests/test_a.py::test_second"}
    # (`make` returns the function: each test calls it)
    made = {"tests/test_a.py::test_made", "tests/test_a.py::test_made_again"}
    report = impact(g, "lib.build")
    assert selected(report) == ({"tests/test_a.py::test_first"} if rule else both) | made
    assert listed(report) == both | made  # nothing vanishes
    assert selected(impact(g, "lib.prepare")) == both
    indexer.close()


# structlog's ConsoleRenderer calls `col.formatter(col.key, value)`, where
# `Column.formatter: ColumnFormatter` is a Protocol that KeyValue implements
# without naming it; `col` has no known type (name-matched). Stamper's
# `__call__` takes other parameters: it does not implement Formatter, but
# does implement Processor, whose annotated list a function iterates.
# `lib/typing.py` beside the code must not shadow the stdlib's `typing`.
PROTOCOL_IMPLEMENTERS = {
    "lib/__init__.py": "",
    "lib/typing.py": """
        Anything = object
        """,
    "lib/core.py": """
        from dataclasses import dataclass
        from typing import Protocol


        class Formatter(Protocol):
            def __call__(self, key: str, value: object) -> str:
                \"\"\"Format one pair.\"\"\"


        class Processor(Protocol):
            def __call__(self, logger, name, event_dict): ...


        @dataclass
        class Column:
            key: str
            formatter: Formatter


        class KeyValue:
            def __init__(self, sep):
                self.sep = sep

            def __call__(self, key: str, value: object) -> str:
                return key + self.sep + str(value)


        class Stamper:
            def __call__(self, logger, name, event_dict):
                return event_dict


        class Renderer:
            def __init__(self, columns=None):
                self.columns = columns or [Column("", KeyValue("="))]

            def render(self, event):
                return " ".join(col.formatter(col.key, v) for col in self.columns for v in event)


        def run_processors(procs: list[Processor], event):
            for proc in procs:
                event = proc(None, "x", event)
            return event
        """,
    "tests/test_core.py": """
        from lib.core import Renderer, Stamper, run_processors

        def test_render():
            assert Renderer().render(["x"])

        def test_processors():
            assert run_processors([Stamper()], {}) == {}
        """,
}


@pytest.mark.parametrize("switch", ["impact_structural.RULE", "resolve.STDLIB_FIRST", "resolve.MATCHED_CALLABLES"])
@pytest.mark.parametrize("rule", [True, False])
def test_a_protocol_implementer_runs_where_the_protocol_is_called(tmp_path, monkeypatch, rule, switch):
    set_switch(monkeypatch, switch, rule)
    indexer, g = build(tmp_path, PROTOCOL_IMPLEMENTERS)
    render = "tests/test_core.py::test_render"
    processors = "tests/test_core.py::test_processors"
    assert (render in selected(impact(g, "lib.core.KeyValue.__call__"))) is rule
    # off-case: Stamper's __call__ does not take (key, value); it is a Processor
    stamper = selected(impact(g, "lib.core.Stamper.__call__"))
    assert render not in stamper
    # (a Processor only where `typing.Protocol` resolves and the rule links it)
    assert (processors in stamper) is (rule or switch == "resolve.MATCHED_CALLABLES")
    indexer.close()


# glom's tests read the exception pytest caught: `str(exc_info.value)` runs
# GlomError.__str__, and so does `match=`; unittest's `cm.exception` holds
# one too. A bare `pytest.raises(E)` displays nothing. The call form
# `pytest.raises(E, f, *args)` returns the ExceptionInfo (typeguard).
RAISES_INFO = {
    "lib.py": """
        class LibError(Exception):
            def __init__(self, path):
                self.path = path

            def __str__(self):
                return f"failed at {self.path}"

            def describe(self):
                return "at " + str(self.path)

        def run(x):
            if x < 0:
                raise LibError(x)
            return x
        """,
    "tests/test_lib.py": """
        import unittest

        import pytest
        from lib import LibError, run

        def test_message():
            with pytest.raises(LibError) as exc_info:
                run(-1)
            assert "failed" in str(exc_info.value)

        def test_describe():
            with pytest.raises((LibError, ValueError)) as excinfo:
                run(-2)
            assert excinfo.value.describe()

        def test_match():
            with pytest.raises(LibError, match="failed"):
                run(-1)

        def test_raises_only():
            with pytest.raises(LibError):
                run(-1)

        def test_called_form():
            pytest.raises(LibError, run, -3).match("failed")

        def test_called_form_only():
            pytest.raises(LibError, run, -4)

        def test_exconly():
            with pytest.raises(LibError) as info:
                run(-1)
            assert info.exconly().startswith("lib.LibError")

        class TestCase(unittest.TestCase):
            def test_cm(self):
                with self.assertRaises(LibError) as cm:
                    run(-1)
                self.assertEqual(cm.exception.describe(), "at -1")

            def test_regex(self):
                with self.assertRaisesRegex(LibError, "fail"):
                    run(-1)
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_the_exception_a_test_caught_is_an_instance_of_its_class(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.expressions"), "RAISES_INFO", rule)
    indexer, g = build(tmp_path, RAISES_INFO)
    shown = {"tests/test_lib.py::test_message", "tests/test_lib.py::test_match",
             "tests/test_lib.py::TestCase::test_regex", "tests/test_lib.py::test_exconly",
             "tests/test_lib.py::test_called_form"}
    described = {"tests/test_lib.py::test_describe", "tests/test_lib.py::TestCase::test_cm"}
    assert selected(impact(g, "lib.LibError.__str__")) == (shown if rule else set())
    assert selected(impact(g, "lib.LibError.describe")) == (described if rule else set())
    # off-case: every test runs `run`, whose raise builds the exception
    assert len(selected(impact(g, "lib.LibError.__init__"))) == 9
    indexer.close()


# dateutil's rrule imports its parser lazily into a module global
# (`parser = None`, then `global parser; from dateutil import parser` in the
# method that needs it), and splits text with `list(cls(s))`, iterating an
# iterator class. A `try:` import of a global inside a function, too.
LAZY_GLOBALS = {
    "pkg/__init__.py": "",
    "pkg/parser.py": """
        class _Lexer:
            def __init__(self, text):
                self.parts = text.split()

            def __iter__(self):
                return self

            def __next__(self):
                if not self.parts:
                    raise StopIteration
                return self.token()

            def token(self):
                return self.parts.pop(0)

            @classmethod
            def split(cls, text):
                return list(cls(text))

        def parse(text):
            return _Lexer.split(text)

        def unused(text):
            return text
        """,
    "pkg/rule.py": """
        parser = None
        fast = None

        def until(value):
            global parser
            if not parser:
                from pkg import parser
            return parser.parse(value)

        def speed():
            global fast
            try:
                import pkg.fastparser as fast
            except ImportError:
                fast = None
            return fast
        """,
    "tests/test_rule.py": """
        from pkg.rule import until

        def test_until():
            assert until("a b") == ["a", "b"]
        """,
}


@pytest.mark.parametrize("switch", ["extract.GLOBAL_IMPORTS", "extract.ITERATING_BUILTINS"])
@pytest.mark.parametrize("rule", [True, False])
def test_a_lazy_global_import_binds_the_module_name(tmp_path, monkeypatch, rule, switch):
    set_switch(monkeypatch, switch, rule)
    indexer, g = build(tmp_path, LAZY_GLOBALS)
    test = "tests/test_rule.py::test_until"
    parses = switch != "extract.GLOBAL_IMPORTS" or rule
    assert (test in selected(impact(g, "pkg.parser.parse"))) is parses
    assert (test in selected(impact(g, "pkg.parser._Lexer.token"))) is (rule and parses)
    assert test not in selected(impact(g, "pkg.parser.unused"))  # off-case
    assert g.symbol("pkg.rule.speed") is not None  # (a global's `try:` import extracts)
    indexer.close()


# jinja2's NodeVisitor.get_visitor is `getattr(self, f"visit_{type(node).__name__}")`:
# the handlers are its subclasses' (CodeGenerator.visit_Template). A class
# that does not derive from the visitor is no receiver of that getattr.
VISITOR_SUBCLASSES = {
    "lib.py": """
        class Visitor:
            def visit(self, node):
                handler = getattr(self, f"visit_{type(node).__name__}", None)
                return handler(node) if handler is not None else None

        class Template:
            pass

        class Block:
            pass

        class Generator(Visitor):
            def visit_Template(self, node):
                return "code"

            def _simple(self, node):
                return "block"

            visit_Block = _simple

        class Other:
            def visit_Template(self, node):
                return "other"

        def compile_template():
            return Generator().visit(Template())

        def compile_block():
            return Generator().visit(Block())
        """,
    "tests/test_lib.py": """
        from lib import Other, Template, compile_block, compile_template

        def test_compile():
            assert compile_template() == "code"

        def test_block():
            assert compile_block() == "block"

        def test_other():
            assert Other().visit_Template(Template()) == "other"
        """,
}


@pytest.mark.parametrize("switch", ["impact_visitors.RULE", "resolve.GETATTR_SUBCLASSES"])
@pytest.mark.parametrize("rule", [True, False])
def test_a_base_getattr_on_self_reaches_a_subclass_handler(tmp_path, monkeypatch, rule, switch):
    set_switch(monkeypatch, switch, rule)
    indexer, g = build(tmp_path, VISITOR_SUBCLASSES)
    assert ("tests/test_lib.py::test_compile" in selected(impact(g, "lib.Generator.visit_Template"))) is rule
    assert ("tests/test_lib.py::test_block" in selected(impact(g, "lib.Generator._simple"))) is rule  # an alias
    assert selected(impact(g, "lib.Other.visit_Template")) == {"tests/test_lib.py::test_other"}  # off-case
    indexer.close()


# typeguard's checkers: `checker_lookup_functions.append(builtin_checker_lookup)`
# at module level, then `for lookup in checker_lookup_functions: lookup(...)`.
# A function the module never stores is no user of the loop.
DIRECT_REGISTRY = {
    "lib.py": """
        LOOKUPS = []
        HANDLERS = {}

        def builtin_lookup(kind):
            return kind.upper()

        def on_text(value):
            return value

        def not_registered(kind):
            return kind

        LOOKUPS.append(builtin_lookup)
        HANDLERS["text"] = on_text

        def check(kind):
            for lookup in LOOKUPS:
                found = lookup(kind)
                if found:
                    return found
            return None

        def handle(kind, value):
            return HANDLERS[kind](value)
        """,
    "tests/test_lib.py": """
        from lib import check, handle, not_registered

        def test_check():
            assert check("a") == "A"

        def test_handle():
            assert handle("text", 1) == 1

        def test_not_registered():
            assert not_registered("a") == "a"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_callable_stored_into_a_module_registry_runs_where_it_is_read(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.analysis.impact_registered"), "DIRECT", rule)
    indexer, g = build(tmp_path, DIRECT_REGISTRY)
    assert ("tests/test_lib.py::test_check" in selected(impact(g, "lib.builtin_lookup"))) is rule
    assert ("tests/test_lib.py::test_handle" in selected(impact(g, "lib.on_text"))) is rule
    assert selected(impact(g, "lib.not_registered")) == {"tests/test_lib.py::test_not_registered"}  # off-case
    indexer.close()


# jinja2's `create_cache(size) -> Optional[MutableMapping[...]]` returns an
# LRUCache, and `_lexer_cache: MutableMapping[...] = LRUCache(50)` holds one:
# the body and the value say more than a library protocol. An annotation
# naming a workspace class keeps its word.
ABSTRACT_TYPES = {
    "lib.py": """
        import typing as t

        class LRUCache:
            def __init__(self, size):
                self.size = size
                self.data = {}

            def get(self, key, default=None):
                return self.data.get(key, default)

        class Plain:
            def get(self, key, default=None):
                return default

        def create_cache(size: int) -> t.Optional[t.MutableMapping[str, int]]:
            if size == 0:
                return None
            return LRUCache(size)

        def plain_cache() -> Plain:
            return LRUCache(1)

        _lexers: t.MutableMapping[str, int] = LRUCache(50)

        class Environment:
            def __init__(self):
                self.cache = create_cache(10)
                self.plain = plain_cache()

            def load(self, name):
                return self.cache.get(name)

            def load_plain(self, name):
                return self.plain.get(name)

        def get_lexer(key):
            return _lexers.get(key)
        """,
    "tests/test_lib.py": """
        from lib import Environment, get_lexer

        def test_load():
            assert Environment().load("x") is None

        def test_lexer():
            assert get_lexer("x") is None

        def test_plain():
            assert Environment().load_plain("x") is None
        """,
}


@pytest.mark.parametrize("switch", ["extract.ABSTRACT_RETURNS", "expressions.ABSTRACT_ANNOTATIONS"])
@pytest.mark.parametrize("rule", [True, False])
def test_a_library_protocol_annotation_yields_to_a_workspace_value(tmp_path, monkeypatch, rule, switch):
    set_switch(monkeypatch, switch, rule)
    indexer, g = build(tmp_path, ABSTRACT_TYPES)
    found = selected(impact(g, "lib.LRUCache.get"))
    returns = switch != "extract.ABSTRACT_RETURNS" or rule
    annotations = switch != "expressions.ABSTRACT_ANNOTATIONS" or rule
    assert ("tests/test_lib.py::test_load" in found) is returns
    assert ("tests/test_lib.py::test_lexer" in found) is annotations
    assert "tests/test_lib.py::test_plain" not in found  # off-case: `-> Plain` is a workspace class
    indexer.close()


# dateutil's `_resultbase` has `__len__` and no `__bool__`: `if not res:`
# runs `__len__`. A class with its own `__bool__` keeps it.
LEN_TRUTH = {
    "lib.py": """
        class Result:
            def __len__(self):
                return 1

        class Flagged:
            def __bool__(self):
                return True

            def __len__(self):
                return 0

        def parse(text):
            res = Result()
            if not res:
                return None
            return res

        def flagged():
            value = Flagged()
            return "yes" if value else "no"
        """,
    "tests/test_lib.py": """
        from lib import flagged, parse

        def test_parse():
            assert parse("x") is not None

        def test_flagged():
            assert flagged() == "yes"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_truth_test_without_bool_runs_len(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.resolve"), "LEN_TRUTH", rule)
    indexer, g = build(tmp_path, LEN_TRUTH)
    assert ("tests/test_lib.py::test_parse" in selected(impact(g, "lib.Result.__len__"))) is rule
    assert selected(impact(g, "lib.Flagged.__len__")) == set()  # off-case: __bool__ decides
    assert selected(impact(g, "lib.Flagged.__bool__")) == {"tests/test_lib.py::test_flagged"}
    indexer.close()


# dateutil: `MO, TU, WE = weekdays = tuple(weekday(x) for x in range(3))`,
# then `MO(+1)` runs weekday.__call__; `rows = [Row(x) for x in xs]` then
# `for row in rows: row.show()`. Unpacking a plain call says nothing.
COMPREHENSIONS = {
    "lib.py": """
        class weekday:
            def __init__(self, n):
                self.n = n

            def __call__(self, k):
                return weekday(self.n + k)

        class Row:
            def __init__(self, x):
                self.x = x

            def show(self):
                return str(self.x)

        def pair():
            return 1, 2

        MO, TU, WE = weekdays = tuple(weekday(x) for x in range(3))
        first, second = pair()

        def show_all(xs):
            rows = [Row(x) for x in xs]
            return [row.show() for row in rows]
        """,
    "tests/test_lib.py": """
        from lib import MO, show_all, first

        def test_next_monday():
            assert MO(+1).n == 1

        def test_show():
            assert show_all([1]) == ["1"]

        def test_first():
            assert first == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_comprehension_of_calls_holds_what_they_make(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.expressions"), "COMPREHENSION_VALUES", rule)
    indexer, g = build(tmp_path, COMPREHENSIONS)
    assert ("tests/test_lib.py::test_next_monday" in selected(impact(g, "lib.weekday.__call__"))) is rule
    # (off, `row.show()` is still guessed by its name: at a guess's confidence)
    shown = {t.id: t.confidence for t in impact(g, "lib.Row.show").tests}
    assert (shown.get("tests/test_lib.py::test_show", 0) >= 0.9) is rule
    assert "tests/test_lib.py::test_first" not in selected(impact(g, "lib.weekday.__call__"))  # off-case
    indexer.close()
