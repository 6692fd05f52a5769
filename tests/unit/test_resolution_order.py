"""A resolver's answer for a file must not depend on which files it resolved
before: the indexer hands files to workers in an order (and a number of
workers) that varies, and the cold index must equal itself (issue 17).

Data-driven: source files in, every file resolved by one resolver in each
order of the files, the refs of each file compared across orders."""

from __future__ import annotations

import itertools
import textwrap

import pytest

from indexer.languages.python.extract import extract
from indexer.languages.python.resolve import Resolver
from indexer.languages.python.provider import MemoryProvider
from indexer.languages.python.summary import summarize

CASES = {
    # Asked for BASE first, the resolver looks up Registry.kind while BASE
    # (a base of Registry) is still being computed: the cycle guard skips that
    # base and finds Conn.kind. Remembered, that cut-short member made the
    # later `Registry.kind` (and BASE itself) differ from a fresh answer.
    "a class member cut short by the cycle guard is not cached": {
        "reg.py": """
            class Third:
                pass

            class Other:
                kind = Third

            class Conn:
                kind = Other

            class Registry(BASE, Conn):
                pass

            BASE = Registry.kind
            """,
        "use_base.py": """
            from reg import BASE
            BASE.kind
            """,
        "use_kind.py": """
            from reg import Registry
            Registry.kind
            """,
        "expect": {"use_kind.py": ("kind", "reg.Other.kind"), "use_base.py": ("kind", "reg.Other.kind")},
    },
    # A decorator that reads the function it decorates (through ALIAS) sees
    # it undecorated while the decorators are being applied: ALIAS must not
    # be remembered as the bare function.
    "a value seen through a decorator's cycle guard is not cached": {
        "deco.py": """
            class Wrapped:
                def run(self):
                    return 1

            def wrap(fn) -> Wrapped:
                return Wrapped()

            @wrap
            @ALIAS.noop
            def task():
                return 1

            ALIAS = task
            """,
        "use_task.py": """
            from deco import task
            task.run()
            """,
        "use_alias.py": """
            from deco import ALIAS
            ALIAS.run()
            """,
        "expect": {"use_task.py": ("run", "deco.Wrapped.run"), "use_alias.py": ("run", "deco.Wrapped.run")},
    },
}


def _facts(files: dict[str, str]) -> dict[str, object]:
    out = {}
    for rel, text in files.items():
        module = rel[:-3].replace("/", ".")
        out[rel] = extract(textwrap.dedent(text).lstrip("\n").encode(), rel, module, False)
    return out


def _refs(facts, order: tuple[str, ...]) -> dict[str, list[tuple]]:
    """Every file's refs from one resolver (one worker) that met the files in `order`."""
    resolver = Resolver(MemoryProvider([summarize(f) for f in facts.values()]))
    out = {}
    for rel in order:
        refs = resolver.resolve_file(facts[rel]).refs
        out[rel] = sorted((name, kind, target, how, confidence)
                          for _span, name, kind, _encl, target, confidence, how in refs)
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_refs_do_not_depend_on_resolution_order(name):
    case = dict(CASES[name])
    expect = case.pop("expect")
    facts = _facts(case)
    answers = [_refs(facts, order) for order in itertools.permutations(facts)]
    first = answers[0]
    for order, answer in zip(itertools.permutations(facts), answers):
        assert answer == first, f"resolving in the order {order} changed the refs"
    for rel, (use, target) in expect.items():
        targets = {r[2] for r in first[rel] if r[0] == use}
        assert target in targets, f"{rel}: {use} resolved to {targets}, expected {target}"
