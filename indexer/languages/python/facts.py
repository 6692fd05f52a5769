"""The facts only Python has, carried in `FileFacts.extra`."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.languages.base import Compact


@dataclass(slots=True)
class PythonFacts(Compact):
    star_imports: list[tuple[int, str]]  # (level, module) at module scope
    all_names: list[str] | None  # `__all__`, when it is a literal list
    # The value guards' facts (guard_facts.py), from extraction to the
    # writer's own table; PythonSupport.guard_facts takes them out before
    # the facts are packed.
    guards: tuple | None = None


def python_facts(facts) -> PythonFacts:
    return facts.extra if facts.extra is not None else PythonFacts([], None)
