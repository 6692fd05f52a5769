"""What impact's value guards read of a file, stored at index time
(languages/python/guard_facts.py): source in, facts out, one case per idiom;
then the facts following an edit through the real indexer."""

from __future__ import annotations

import textwrap

import pytest

from indexer.analysis import impact as impact_module
from indexer.analysis.affected import DEFAULT_MIN_CONFIDENCE
from indexer.analysis.impact import RULED_OUT_CONFIDENCE, impact
from indexer.analysis.impact_guards import Guards
from indexer.languages.python.extract import extract
from tests.support import build, write_tree

# (source, calls with keywords as (first line, last line, callee, keywords),
# sorted, dynamic keywords)
CASES = {
    "a class built with keywords": (
        "Option('x', prompt=True, hidden=False)\n",
        [(1, 1, "Option", ("prompt", "hidden"))], []),
    "an attribute callee over several lines": (
        "click.option(\n    '--x',\n    envvar='X',\n)\n",
        [(1, 4, "option", ("envvar",))], []),
    "only **kwargs: no keyword named": (
        "def f(cls, **kw):\n    return cls(**kw)\n",
        [], []),
    "a parameter called": (
        "def make(cls):\n    return cls(parent=None)\n",
        [(2, 2, "cls", ("parent",))], ["parent"]),
    "a call's result called (no name)": (
        "def copy(self):\n    return type(self)(parent=self)\n",
        [], ["parent"]),
    "an item called": (
        "def run(handlers, k):\n    return handlers[k](verbose=True)\n",
        [], ["verbose"]),
    "a class held by self": (
        "class A:\n    def m(self):\n        return self.context_class(obj=1), self.Formatter(width=2)\n",
        [(3, 3, "Formatter", ("width",)), (3, 3, "context_class", ("obj",))], ["obj", "width"]),
    "a method of self is named": (
        "class A:\n    def m(self):\n        return self.helper(x=1)\n",
        [(3, 3, "helper", ("x",))], []),
    "a local bound in the function": (
        "def f():\n    factory = pick()\n    return factory(a=1)\n",
        [(3, 3, "factory", ("a",))], ["a"]),
    "a name unpacked in the function": (
        "def f(pairs):\n    for key, (maker, _) in pairs:\n        maker(b=1)\n",
        [(3, 3, "maker", ("b",))], ["b"]),
    "a global function is named": (
        "def f():\n    return make(a=1)\n\ndef make(a=None):\n    return a\n",
        [(2, 2, "make", ("a",))], []),
    "module level is no function's code": (
        "cls = pick()\ncls(a=1)\n",
        [(2, 2, "cls", ("a",))], []),
    "`except ... as` binds no local": (
        "def f():\n    try:\n        pass\n    except E as handler:\n        pass\n    return handler(a=1)\n",
        [(6, 6, "handler", ("a",))], []),
    "a closure calls its maker's parameter": (
        "def outer(cls):\n    def inner():\n        return cls(a=1)\n    return inner\n",
        [(3, 3, "cls", ("a",))], ["a"]),
}


@pytest.mark.parametrize("source, calls, dynamic", CASES.values(), ids=CASES.keys())
def test_guard_facts(source, calls, dynamic):
    facts = extract(source.encode(), "lib/m.py", "lib.m")
    assert facts.extra.guards[:2] == (calls, dynamic)


# (source, (line of the function's name, name) -> regions (first line, last line, atoms))
CONDITIONS = {
    "an if on an attribute of self": (
        "def f(self):\n    if self.prompt is not None and ready:\n        self.ask()\n",
        {(1, "f"): [(3, 3, (("attr", "prompt"), ("name", "ready")))]}),
    "an early return": (
        "def f(self, x=None):\n    if not x or self.off is None:\n        return\n    go()\n    more()\n",
        {(1, "f"): [(4, 5, (("attr", "off"), ("name", "x")))]}),
    "elif has its own test, else none": (
        "def f(a, b):\n    if a:\n        x()\n    elif b == 'on':\n        y()\n    else:\n        z()\n",
        {(1, "f"): [(3, 3, (("name", "a"),)), (5, 5, (("name", "b"),))]}),
    "isinstance of a type that excludes None": (
        "def f(c=None):\n    if isinstance(c, (list, tuple)):\n        go()\n    if isinstance(c, object):\n        no()\n",
        {(1, "f"): [(3, 3, (("isinstance", "c"),))]}),
    "falsy constants, calls and module level require nothing": (
        "if DEBUG:\n    go()\n\ndef f(x):\n    if x == 0 or ready():\n        go()\n    if x == '':\n        go()\n",
        {}),
    "nested blocks, a decorated def first in the body": (
        "def f(self):\n    for i in y:\n        if self.a:\n            @deco\n            def g():\n                pass\n            g()\n",
        {(1, "f"): [(5, 7, (("attr", "a"),))]}),
    "inside a match nothing counts (as in the ast walk)": (
        "def f(x):\n    match x:\n        case 1:\n            if x:\n                go()\n",
        {}),
}


@pytest.mark.parametrize("source, regions", CONDITIONS.values(), ids=CONDITIONS.keys())
def test_conditions(source, regions):
    assert extract(source.encode(), "lib/m.py", "lib.m").extra.guards[2] == regions


# A constructor keyword guards `consume -> ask` until library code passes it.
PROJECT = {
    "lib/__init__.py": "",
    "lib/opt.py": """
        class Option:
            def __init__(self, name, prompt=None):
                self.name = name
                self.prompt = prompt

            def consume(self, value):
                if value is None and self.prompt is not None:
                    value = self.ask()
                return value

            def ask(self):
                return input(self.prompt)
    """,
    "lib/build.py": """
        from lib.opt import Option


        def plain(name):
            return Option(name)
    """,
    "tests/test_opt.py": """
        from lib.build import plain
        from lib.opt import Option


        def test_plain():
            assert plain("x").consume(1) == 1


        def test_prompt():
            assert Option("x", prompt="?").consume(None)
    """,
}


def _confidences(graph, target):
    impact_module.IMPACT_MEMO.clear()
    return {t.id: t.confidence for t in impact(graph, target).tests}


def test_guard_facts_follow_an_edit(tmp_path, monkeypatch):
    # `consume(1)` never passes None at `value is None` (impact_identity drops
    # the link outright): off, to see the keyword guard's ruled-out listing.
    monkeypatch.setattr(impact_module, "IDENTITY_RULE", False)
    indexer, graph = build(tmp_path, PROJECT)
    try:
        root = tmp_path / "ws"
        assert Guards(graph, {}).keyword_attributes("lib.opt.Option") == {"prompt"}
        tests = _confidences(graph, "lib.opt.Option.ask")
        assert tests["tests/test_opt.py::test_prompt"] >= DEFAULT_MIN_CONFIDENCE
        assert tests["tests/test_opt.py::test_plain"] == RULED_OUT_CONFIDENCE

        # The library now builds an Option with `prompt=`: any test may hold one.
        write_tree(root, {"lib/build.py": PROJECT["lib/build.py"] + """

        def asking(name):
            return Option(name, prompt="?")
        """})
        indexer.run()
        assert graph.guard_calls(["lib/build.py"])["lib/build.py"] == [(9, 9, "Option", ("prompt",))]
        assert Guards(graph, {}).keyword_attributes("lib.opt.Option") == frozenset()
        assert _confidences(graph, "lib.opt.Option.ask")["tests/test_opt.py::test_plain"] >= DEFAULT_MIN_CONFIDENCE

        # Back to the plain builder, plus a factory that passes `prompt` to a
        # class it is handed: the keyword is still given by library code.
        write_tree(root, {"lib/build.py": PROJECT["lib/build.py"], "lib/factory.py": """
        def make(cls):
            return cls("x", prompt="?")
        """})
        indexer.run()
        assert graph.guard_calls(["lib/build.py"]) == {}
        assert Guards(graph, {})._dynamic_keywords() == {"prompt"}
        assert Guards(graph, {}).keyword_attributes("lib.opt.Option") == frozenset()

        # The factory deleted: its facts go with it, and the guard is back.
        (root / "lib/factory.py").unlink()
        indexer.run()
        assert graph.guard_dynamic_keywords() == []
        assert Guards(graph, {}).keyword_attributes("lib.opt.Option") == {"prompt"}
        assert _confidences(graph, "lib.opt.Option.ask")["tests/test_opt.py::test_plain"] == RULED_OUT_CONFIDENCE
    finally:
        indexer.close()


def test_the_stored_facts_are_the_extractors(tmp_path):
    """Every Python file's row holds what extraction found (none: no row)."""
    indexer, graph = build(tmp_path, PROJECT)
    try:
        for path, text in PROJECT.items():
            calls, _dynamic, _conditions = extract(textwrap.dedent(text).lstrip("\n").encode(), path, "m").extra.guards
            assert graph.guard_calls([path]).get(path, []) == calls, path
    finally:
        indexer.close()
