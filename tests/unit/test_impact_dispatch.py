"""Impact through a hub that runs whatever a test's objects were built with
(click's `CliRunner.invoke -> main`): value-sensitive guards, and a class
held through `Type[X]`. Each case fails with its rule off."""

from __future__ import annotations

import pytest

import indexer.analysis.impact as impact_module
from indexer.analysis.affected import DEFAULT_MIN_CONFIDENCE
from indexer.analysis.impact import RULED_OUT_CONFIDENCE, impact
from tests.support import build

# A tiny click: options built by decorator factories, a command whose
# `main` (the hub every test reaches through `Runner.invoke`) consumes them.
CLI_PROJECT = {
    "lib/__init__.py": "",
    "lib/cli.py": """
        import os


        class Counter:
            def bump(self, value):
                return value + 1


        class Option:
            def __init__(self, name, prompt=None, envvar=None, hidden=False, count=False):
                self.name = name
                self.prompt = prompt
                self.envvar = envvar
                self.hidden = hidden
                if hidden:
                    self.prompt = None
                self.kind = None
                if count:
                    self.kind = Counter()

            def consume(self, value):
                if self.kind is not None:
                    value = self.kind.bump(value)
                if self.envvar:
                    value = self.lookup_env()
                if value is None and self.prompt is not None:
                    value = self.ask()
                return value

            def lookup_env(self):
                return os.environ.get(self.envvar)

            def ask(self):
                return input(self.prompt)

            def force(self):
                return self.ask()


        class Command:
            def __init__(self, callback, params=()):
                self.callback = callback
                # The library builds this one with `envvar`: any test may hold it.
                self.params = list(params) + [Option("--debug", envvar="DEBUG")]

            def main(self, args):
                self.completion()
                return [p.consume(a) for p, a in zip(self.params, args)]

            def completion(self):
                instruction = os.environ.get("_COMPLETE")
                if not instruction:
                    return
                complete(self)


        def complete(cmd):
            return "done"


        def option(name, **attrs):
            def deco(f):
                f.params = getattr(f, "params", []) + [Option(name, **attrs)]
                return f
            return deco


        def password_option(name, **kwargs):
            kwargs.setdefault("prompt", "Password")
            return option(name, **kwargs)


        def command(f):
            return Command(f, getattr(f, "params", []))


        class Runner:
            def invoke(self, cli: Command, args, env=None):
                return cli.main(args)
        """,
    "tests/__init__.py": "",
    "tests/test_cli.py": """
        from lib.cli import Option, Runner, command, option, password_option


        def test_plain():
            @command
            @option("--name")
            def cli(name):
                pass
            Runner().invoke(cli, ["x"])


        def test_prompt():
            @command
            @option("--name", prompt="Name")
            def cli(name):
                pass
            Runner().invoke(cli, [None])


        def test_password():
            @command
            @password_option("--pw")
            def cli(pw):
                pass
            Runner().invoke(cli, [None])


        def test_completion():
            @command
            def cli():
                pass
            Runner().invoke(cli, [], env={"_COMPLETE": "bash_source"})


        def test_force():
            Option("--x").force()


        def test_count():
            @command
            @option("--verbose", count=True)
            def cli(verbose):
                pass
            Runner().invoke(cli, [0])
        """,
}

PLAIN, PROMPT, PASSWORD = "tests/test_cli.py::test_plain", "tests/test_cli.py::test_prompt", \
    "tests/test_cli.py::test_password"
COMPLETION, FORCE = "tests/test_cli.py::test_completion", "tests/test_cli.py::test_force"
COUNT = "tests/test_cli.py::test_count"


@pytest.fixture(scope="module")
def cli_graph(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("cli"), CLI_PROJECT)
    yield graph
    indexer.close()


def _confidences(graph, target: str, guards: bool = True) -> dict[str, float]:
    impact_module.IMPACT_MEMO.clear()
    saved, impact_module.GUARDS = impact_module.GUARDS, guards
    try:
        return {t.id: t.confidence for t in impact(graph, target).tests}
    finally:
        impact_module.GUARDS = saved


GUARD_CASES = [
    # `if ... self.prompt is not None: self.ask()`, `prompt` a keyword of
    # Option.__init__ with a falsy default: run only for tests that give it,
    # in their own calls or through a factory they call (`password_option`
    # sets it with `kwargs.setdefault("prompt", ...)`). test_force reaches ask()
    # by a chain with no guard: kept.
    ("lib.cli.Option.ask", [PROMPT, PASSWORD, FORCE], [PLAIN, COMPLETION]),
    # `instruction = os.environ.get(...)`, `if not instruction: return`: only
    # a test that sets the environment (`env=` here) runs what follows.
    ("lib.cli.complete", [COMPLETION], [PLAIN, PROMPT, PASSWORD]),
    # `if count: self.kind = Counter()` in the constructor: only a test that
    # gives `count` holds a Counter, so only it can run Counter.bump (the
    # guard applies inside the receiver rule's class walk).
    ("lib.cli.Counter.bump", [COUNT], [PLAIN, PROMPT]),
]


@pytest.mark.parametrize("target, affected, ruled_out", GUARD_CASES)
def test_a_guarded_call_needs_its_keyword(cli_graph, target, affected, ruled_out):
    tests = _confidences(cli_graph, target)
    for test in affected:
        assert tests[test] >= DEFAULT_MIN_CONFIDENCE, test
    for test in ruled_out:
        # Still listed (nothing vanishes), out of the default selection.
        assert tests[test] == RULED_OUT_CONFIDENCE < DEFAULT_MIN_CONFIDENCE, test
    # With the rule off, every test that invokes a command is selected.
    unguarded = _confidences(cli_graph, target, guards=False)
    assert all(unguarded[test] >= DEFAULT_MIN_CONFIDENCE for test in ruled_out)


def test_guards_are_off_above_the_workspace_size_they_scale_to(cli_graph, monkeypatch):
    """Above GUARD_MAX_FILES Python files the guards' query-time parses of
    guarded edges still cost seconds on the slowest queries (the stdlib):
    the answer is the unguarded one there."""
    target, _affected, ruled_out = GUARD_CASES[0]
    assert _confidences(cli_graph, target)[ruled_out[0]] == RULED_OUT_CONFIDENCE
    monkeypatch.setattr(impact_module, "GUARD_MAX_FILES", 1)
    assert _confidences(cli_graph, target) == _confidences(cli_graph, target, guards=False)


def test_an_edge_under_no_condition_reads_no_source(cli_graph, monkeypatch):
    """The index says which lines run under an `if` on a name
    (languages/python/guard_facts.py): elsewhere the guards parse nothing."""
    from indexer.analysis import impact_guards

    def no_parse(*_args):
        raise AssertionError("parsed a file for an edge under no condition")

    from indexer.graph import python_ast

    monkeypatch.setattr(impact_guards, "_parse", no_parse)
    monkeypatch.setattr(python_ast, "parse", no_parse)  # a function's own lines (impact_guards._own_node)
    guards = impact_module.Guards(cli_graph, {})
    assert guards.guard("lib.cli.Option.ask", "lib.cli.Option.force") == frozenset()  # `return self.ask()`
    with pytest.raises(AssertionError):  # `if ... self.prompt is not None:` needs the source
        guards.guard("lib.cli.Option.ask", "lib.cli.Option.consume")


def test_what_the_library_gives_or_rebinds_guards_nothing(cli_graph):
    # The library builds an Option with `envvar=`: every command holds one.
    tests = _confidences(cli_graph, "lib.cli.Option.lookup_env")
    assert tests[PLAIN] >= DEFAULT_MIN_CONFIDENCE
    guards = impact_module.Guards(cli_graph, {})
    keywords = guards.keyword_attributes("lib.cli.Option")
    assert "prompt" in keywords and "envvar" not in keywords  # the library gives envvar
    assert guards.guard("lib.cli.Option.lookup_env", "lib.cli.Option.consume") == frozenset()
    assert guards.guard("lib.cli.Option.ask", "lib.cli.Option.consume") == {"prompt"}


# `cls = t.cast(t.Type[Cmd], Cmd)` holds the class: `cls(...)` builds a Cmd
# (its `__init__`), it never calls a Cmd's `__call__` (on click, every test
# that decorated a command looked like it ran `BaseCommand.__call__ -> main`).
CAST_PROJECT = {
    "lib/__init__.py": "",
    "lib/deco.py": """
        import typing as t


        class Cmd:
            def __init__(self, callback):
                self.callback = callback

            def __call__(self, *args):
                return self.callback(*args)


        def command(f, cls: t.Optional[t.Type[Cmd]] = None):
            if cls is None:
                cls = t.cast(t.Type[Cmd], Cmd)
            return cls(f)
        """,
    "tests/__init__.py": "",
    "tests/test_deco.py": """
        from lib.deco import command


        def test_make():
            command(print)
        """,
}


def test_a_cast_to_a_type_holds_the_class(tmp_path):
    indexer, graph = build(tmp_path, CAST_PROJECT)
    try:
        impact_module.IMPACT_MEMO.clear()
        assert "tests/test_deco.py::test_make" in {t.id for t in impact(graph, "lib.deco.Cmd.__init__").tests}
        assert "tests/test_deco.py::test_make" not in {t.id for t in impact(graph, "lib.deco.Cmd.__call__").tests}
    finally:
        impact_module.IMPACT_MEMO.clear()
        indexer.close()


# `def run(cli: Base)` receives a Base; it makes none. A test that only ever
# holds a Cmd (which overrides parse without super()) cannot run Base.parse,
# though it calls run(): listed, ruled out. A factory's return annotation
# does hand one over.
HOLDER_PROJECT = {
    "lib/__init__.py": "",
    "lib/base.py": """
        class Base:
            def parse(self):
                raise NotImplementedError


        class Cmd(Base):
            def parse(self):
                return 1


        def run(cli: Base):
            return cli.parse()


        def make() -> Base:
            return Base()
        """,
    "tests/__init__.py": "",
    "tests/test_base.py": """
        from lib.base import Base, Cmd, make, run


        def test_base():
            run(Base())


        def test_cmd():
            run(Cmd())


        def test_factory():
            run(make())
        """,
}


def test_a_parameter_annotation_hands_over_no_instance(tmp_path, monkeypatch):
    from indexer.analysis import impact_holders

    indexer, graph = build(tmp_path, HOLDER_PROJECT)
    try:
        tests = _confidences(graph, "lib.base.Base.parse")
        assert tests["tests/test_base.py::test_base"] >= DEFAULT_MIN_CONFIDENCE
        assert tests["tests/test_base.py::test_factory"] >= DEFAULT_MIN_CONFIDENCE
        assert tests["tests/test_base.py::test_cmd"] == RULED_OUT_CONFIDENCE
        monkeypatch.setattr(impact_holders, "ENABLED", False)
        assert _confidences(graph, "lib.base.Base.parse")["tests/test_base.py::test_cmd"] >= DEFAULT_MIN_CONFIDENCE
    finally:
        impact_module.IMPACT_MEMO.clear()
        indexer.close()
