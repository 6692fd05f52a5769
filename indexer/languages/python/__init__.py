"""Python support: module naming, fact extraction, cross-file resolution, edits."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from indexer.languages.base import FileFacts
from indexer.languages.python import modules, pytest_config
from indexer.languages.python.extract import extract, normalize_source
from indexer.languages.python.provider import MemoryProvider, StoreProvider
from indexer.languages.python.resolve import Resolver, absolute_module
from indexer.languages.python.summary import MEMBER_KINDS, summarize
from indexer.graph.vocab import How, SymbolKind

# What a class body holds as its members (a set built once, not per symbol written).
_CLASS_MEMBER_KINDS = MEMBER_KINDS | {SymbolKind.VARIABLE, SymbolKind.CONSTANT, SymbolKind.CLASS}

# Edges whose meaning may change when an unrelated file does.
WEAK_HOWS = (How.NAME_MATCH, How.UNRESOLVED, How.EXTERNAL, How.MRO, How.ANNOTATION, How.CONSTRUCTOR,
             How.RETURN_TYPE)


class PythonSupport:
    name = "python"
    extensions = (".py", ".pyi")
    weak_hows = WEAK_HOWS

    def stored_reads(self, lines: list[bytes], first: int):
        """Reads of a function that only store or compare it (impact_unrun),
        in one definition's source lines (the first at 0-based line `first`)."""
        from indexer.languages.python.stored_reads import StoredReads
        return StoredReads.of_lines(lines, first)

    def returned_reads(self, lines: list[bytes], first: int) -> set[tuple[int, int]]:
        """Where a function returns a name as a value (impact_returns)."""
        from indexer.languages.python.stored_reads import returned_reads
        return returned_reads(lines, first)

    def guard_facts(self, facts: FileFacts) -> tuple | None:
        """The value guards' facts of a file (guard_facts.py), taken out of
        `facts` (the index stores them in a table of their own)."""
        extra = facts.extra
        out = extra.guards if extra is not None else None
        if out is not None:
            extra.guards = None
        return out

    @property
    def edits(self):
        from indexer.languages.python import edits
        return edits

    def source_roots(self, rel_paths: list[str]) -> list[str]:
        return modules.source_roots(rel_paths)

    def module_name(self, rel_path: str, source_roots: list[str]) -> tuple[str, bool]:
        return modules.module_name(rel_path, source_roots)

    def normalize_source(self, source: bytes) -> bytes:
        return normalize_source(source)

    def extract(self, source: bytes, rel_path: str, module: str, is_package: bool,
                options: tuple[str, ...] = ()) -> FileFacts:
        return extract(source, rel_path, module, is_package, test_globs=options)

    def workspace_options(self, root) -> tuple[str, ...]:
        """What extraction reads of the workspace's configuration: pytest's
        `python_files` (pytest_config.py)."""
        return pytest_config.configured_test_files(root)

    def summarize(self, facts: FileFacts):
        return summarize(facts)

    def dependencies(self, facts: FileFacts) -> set[str]:
        out: set[str] = set()
        for imp in facts.imports:
            base = absolute_module(imp.level, imp.module, facts.module, facts.is_package)
            if base:
                out.add(base)
            for name in imp.names:
                if name != "*":
                    out.add(f"{base}.{name}" if base else name)
        return out

    def summary_changes(self, old, new) -> tuple[set[str], set[str]]:
        if old is None:
            return set(), {q.rsplit(".", 1)[-1] for q in new.symbols} | set(new.names) if new else set()
        if new is None:
            return set(old.symbols), {q.rsplit(".", 1)[-1] for q in old.symbols}
        removed = set(old.symbols) - set(new.symbols)
        changed = {q for q in set(new.symbols) ^ set(old.symbols)}
        changed |= {q for q in set(new.symbols) & set(old.symbols) if new.symbols[q] != old.symbols[q]}
        names = {q.rsplit(".", 1)[-1] for q in changed}
        names |= {n for n in set(old.names) | set(new.names) if old.names.get(n) != new.names.get(n)}
        if old.stars != new.stars or old.all_names != new.all_names:
            names |= set(old.names) | set(new.names)
        return removed, names

    def names_only(self, old, new) -> set[str] | None:
        """The names a change of this module's summary only adds or removes,
        or None when it changes anything else. A use whose resolution such a
        change can move bears one of those names (`m.name`, `from m import
        name`, a bare name under `from m import *`, `self.name` in a
        subclass), so only the importers that use one need resolving again
        (Indexer._dependents). Dunder names never qualify: `__getattr__`,
        `__all__`, `__init__`, `__iter__`... move uses of other names."""
        if old is None or new is None or old.stars != new.stars or old.all_names != new.all_names:
            return None
        shared = old.names.keys() & new.names.keys()
        if any(new.names[name] != old.names[name] for name in shared):
            return None
        for qualname in old.symbols.keys() & new.symbols.keys():
            was, now = old.symbols[qualname], new.symbols[qualname]
            if now != was and replace(now, members={}) != replace(was, members={}):
                return None  # changed, beyond a class gaining or losing members (named below)
        moved = {q.rsplit(".", 1)[-1] for q in new.symbols.keys() ^ old.symbols.keys()}
        moved |= new.names.keys() ^ old.names.keys()
        if not moved or any(name.startswith("__") and name.endswith("__") for name in moved):
            return None
        return moved

    def is_member(self, parent_kind: str, kind: str) -> bool:
        return parent_kind == SymbolKind.CLASS and kind in _CLASS_MEMBER_KINDS

    def resolver(self, store, summaries: Iterable | None) -> Resolver:
        if summaries is not None:
            return Resolver(MemoryProvider(list(summaries)))
        return Resolver(StoreProvider(store))
