"""Module-level names bound to a call's result (impact_bound, issue 12:
voluptuous, tenacity): a closure factory's readers, the holders of an
instance made in a library module's body, and a module that shares its
qualname with a function. One source case per idiom, each checked with its
rule on and switched off, so the case fails without it; each case holds an
off-case the rule must not touch."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_bound
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)

# voluptuous: `_sort_item = _compile_itemsort()` at import; `item_priority`
# (the factory's own code) runs in every test that validates a mapping.
# `make_table()` returns data, not a function: its readers do not run it.
FACTORY = {
    "lib.py": """
        def _compile_itemsort():
            def item_priority(item):
                return 0 if item[0] == "x" else 1
            return item_priority

        def make_table():
            return {"a": 1}

        _sort_item = _compile_itemsort()
        TABLE = make_table()

        def candidates(schema):
            return sorted(schema.items(), key=_sort_item)

        def lookup(key):
            return TABLE[key]
        """,
    "tests/test_lib.py": """
        from lib import candidates, lookup

        def test_candidates():
            assert candidates({"x": 1})

        def test_lookup():
            assert lookup("a") == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_readers_of_a_name_bound_to_a_factory_run_its_closure(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_bound, "FACTORY_RULE", rule)
    indexer, g = build(tmp_path, FACTORY)
    assert ("tests/test_lib.py::test_candidates" in selected(impact(g, "lib._compile_itemsort"))) is rule
    assert ("tests/test_lib.py::test_candidates" in selected(impact(g, "lib._compile_itemsort.item_priority"))) is rule
    # Off-case: a factory of data ran at import; `lookup`'s test runs none of it.
    assert "tests/test_lib.py::test_lookup" not in listed(impact(g, "lib.make_table"))
    indexer.close()


# tenacity: `retry_never = _retry_never()` in the library: only the tests
# that reach the name hold that instance. `default_wait = Wait()` passed
# nowhere but read by `run` makes every test of `run` a holder.
INSTANCES = {
    "lib/__init__.py": "",
    "lib/strategies.py": """
        class base:
            def __call__(self, state):
                return False

        class _never(base):
            def __call__(self, state):
                return False

        class _always(base):
            def __call__(self, state):
                return True

        never = _never()
        always = _always()
        """,
    "lib/runner.py": """
        from lib.strategies import always, base

        class Runner:
            def __init__(self, retry: base = always):
                self.retry = retry

            def run(self, state):
                return self.retry(state)
        """,
    "tests/test_runner.py": """
        from lib import strategies
        from lib.runner import Runner

        def test_default():
            assert Runner().run(1)

        def test_never():
            assert not Runner(retry=strategies.never).run(1)
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_instance_bound_in_a_library_module_is_held_through_its_name(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_bound, "INSTANCE_RULE", rule)
    indexer, g = build(tmp_path, INSTANCES)
    never = selected(impact(g, "lib.strategies._never.__call__"))
    assert "tests/test_runner.py::test_never" in never
    assert ("tests/test_runner.py::test_default" in never) is not rule
    # Off-case: the default instance is held by every Runner.
    assert "tests/test_runner.py::test_default" in selected(impact(g, "lib.strategies._always.__call__"))
    indexer.close()


# tenacity: the package's `retry` function and its `retry.py` module share
# the qualname `pkg.retry`; what the module's body makes is not something
# the function runs.
NAMESAKE = {
    "pkg/__init__.py": """
        from pkg.retry import _never

        def retry(fn):
            return fn
        """,
    "pkg/retry.py": """
        class _never:
            def __call__(self, state):
                return False

        never = _never()
        """,
    "tests/test_pkg.py": """
        import pkg

        @pkg.retry
        def job():
            return 1

        def test_job():
            assert job() == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_module_body_is_not_walked_as_its_namesake_function(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_bound, "NAMESAKE_RULE", rule)
    indexer, g = build(tmp_path, NAMESAKE)
    assert ("tests/test_pkg.py::test_job" in selected(impact(g, "pkg.retry._never"))) is not rule
    assert "tests/test_pkg.py::test_job" in selected(impact(g, "pkg.retry"))  # off-case: the function itself
    indexer.close()


# The name passed on in a module body (`register(never)`): the instance
# reaches code the walk does not follow (it stops at modules), so it lifts
# the receiver rule as before. `__all__` and imports do not.
PASSED_ON = {
    "lib/__init__.py": INSTANCES["lib/__init__.py"],
    "lib/strategies.py": INSTANCES["lib/strategies.py"] + """
        __all__ = ["never", "always"]
        _REGISTERED = []

        def register(strategy):
            _REGISTERED.append(strategy)

        def registered(index):
            return _REGISTERED[index]

        register(never)
        """,
    "lib/runner.py": INSTANCES["lib/runner.py"],
    "tests/test_runner.py": """
        from lib.runner import Runner
        from lib.strategies import registered

        def test_registered():
            assert not Runner(retry=registered(0)).run(1)
        """,
}


@pytest.mark.parametrize("check", [True, False])
def test_an_instance_passed_on_in_a_module_body_lifts_the_receiver_rule(tmp_path, monkeypatch, check):
    if not check:
        monkeypatch.setattr(impact_bound, "_passed_on_in_a_module", lambda *args: False)
        monkeypatch.setattr(impact_bound, "PART_RULE", False)  # (its own check of the same: `_holders`)
    indexer, g = build(tmp_path, PASSED_ON)
    assert ("tests/test_runner.py::test_registered" in selected(impact(g, "lib.strategies._never.__call__"))) is check
    indexer.close()


# pyparsing: grammar objects are built in library module bodies, in
# expressions (`word = Word().named("word")`, `pair = word + number`), not
# bound whole. The tests that reach those names (or a name built from them)
# hold the instance; a test that reaches only `number` holds no Word.
PARTS = {
    "lib/__init__.py": "",
    "lib/core.py": """
        class Element:
            def parse(self, s):
                return self.parse_impl(s)

            def named(self, name):
                self.name = name
                return self

            def __add__(self, other):
                return Pair(self, other)

        class Pair(Element):
            def __init__(self, a, b):
                self.a, self.b = a, b

            def parse_impl(self, s):
                return self.a.parse(s), self.b.parse(s)

        class Word(Element):
            def parse_impl(self, s):
                return s.split()

        class Number(Element):
            def parse_impl(self, s):
                return int(s)

        word = Word().named("word")
        number = Number()
        """,
    "lib/grammar.py": """
        from lib.core import number, word

        pair = word + number

        def parse_pair(s):
            return pair.parse(s)
        """,
    "tests/test_grammar.py": """
        from lib import core
        from lib.grammar import parse_pair

        def test_pair():
            assert parse_pair("a 1")

        def test_number():
            assert core.number.parse("1") == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_instance_built_into_a_module_level_value_is_held_through_its_name(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_bound, "PART_RULE", rule)
    indexer, g = build(tmp_path, PARTS)
    words = selected(impact(g, "lib.core.Word.parse_impl"))
    assert "tests/test_grammar.py::test_pair" in words
    assert ("tests/test_grammar.py::test_number" in words) is not rule
    # Off-case: `number`'s own method keeps its reader.
    assert "tests/test_grammar.py::test_number" in selected(impact(g, "lib.core.Number.parse_impl"))
    indexer.close()


# pyparsing's examples/: scripts that only tests import build grammar objects
# and pass them on in their bodies (`show(word)`). Their tests hold the
# instance, not every test of the suite.
SCRIPTS = {
    "lib/__init__.py": "",
    "lib/core.py": PARTS["lib/core.py"].replace('word = Word().named("word")', "").replace("number = Number()", ""),
    "lib/show.py": """
        def show(element):
            return element
        """,
    "lib/numbers.py": """
        from lib.core import Number

        number = Number()
        """,
    "examples/__init__.py": "",
    "examples/grammar.py": """
        from lib.core import Word
        from lib.show import show

        word = Word()
        show(word)
        """,
    "tests/test_grammar.py": """
        from examples.grammar import word

        def test_word():
            assert word.parse("a")
        """,
    "tests/test_numbers.py": """
        from lib.numbers import number

        def test_number():
            assert number.parse("1") == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_instance_a_script_passes_on_is_held_by_its_importers(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_bound, "SCRIPT_RULE", rule)
    indexer, g = build(tmp_path, SCRIPTS)
    words = selected(impact(g, "lib.core.Word.parse_impl"))
    assert "tests/test_grammar.py::test_word" in words
    assert ("tests/test_numbers.py::test_number" in words) is not rule
    indexer.close()
