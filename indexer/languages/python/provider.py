"""Where the resolver finds other modules: memory (cold index) or the store."""

from __future__ import annotations

from collections import defaultdict

from indexer.languages.python.summary import ModuleSummary, SymInfo
from indexer.graph.vocab import SymbolKind


def _with_prefixes(modules) -> set[str]:
    """Module names plus every package prefix (namespace packages have no file)."""
    out: set[str] = set()
    for name in modules:
        parts = name.split(".")
        for cut in range(1, len(parts) + 1):
            out.add(".".join(parts[:cut]))
    return out


def _prefer_source(summaries: list[ModuleSummary]) -> dict[str, ModuleSummary]:
    """One summary per module; a .py file wins over its .pyi stub."""
    out: dict[str, ModuleSummary] = {}
    for summary in summaries:
        held = out.get(summary.module)
        if held is None or (held.path.endswith(".pyi") and not summary.path.endswith(".pyi")):
            out[summary.module] = summary
    return out


class MemoryProvider:
    def __init__(self, summaries: list[ModuleSummary]):
        self.modules = _prefer_source(summaries)
        self.by_path = {s.path: s for s in summaries}
        self.names = _with_prefixes(self.modules)
        self._named: dict[str, list[SymInfo]] | None = None

    def module(self, name: str) -> ModuleSummary | None:
        return self.modules.get(name)

    def has_module(self, name: str) -> bool:
        return name in self.names

    def module_at(self, path: str) -> ModuleSummary | None:
        return self.by_path.get(path)

    def named(self, name: str) -> list[SymInfo]:
        if self._named is None:
            index: dict[str, list[SymInfo]] = defaultdict(list)
            for summary in self.modules.values():
                for info in summary.symbols.values():
                    if info.kind != SymbolKind.MODULE:
                        index[info.qualname.rsplit(".", 1)[-1]].append(info)
            self._named = dict(index)
        return self._named.get(name, [])


class StoreProvider:
    """Loads summaries from the graph store on demand (incremental updates),
    with overrides for files just re-parsed in this batch."""

    def __init__(self, store, overrides: list[ModuleSummary] = ()):
        self.store = store
        self.overrides = {s.module: s for s in overrides}
        self.override_paths = {s.path: s for s in overrides}
        self.cache: dict[str, ModuleSummary | None] = {}
        self.names = _with_prefixes(store.module_names()) | _with_prefixes(self.overrides)
        self.named_cache: dict[str, list[SymInfo]] = {}  # name-match candidates repeat across files

    def module(self, name: str) -> ModuleSummary | None:
        if name in self.overrides:
            return self.overrides[name]
        if name not in self.cache:
            self.cache[name] = self.store.load_summary(module=name)
        return self.cache[name]

    def has_module(self, name: str) -> bool:
        return name in self.names

    def module_at(self, path: str) -> ModuleSummary | None:
        if path in self.override_paths:
            return self.override_paths[path]
        return self.store.load_summary(path=path)

    def named(self, name: str) -> list[SymInfo]:
        if name not in self.named_cache:
            self.named_cache[name] = self._named(name)
        return self.named_cache[name]

    def _named(self, name: str) -> list[SymInfo]:
        out = []
        for qualname, kind, module, is_member in self.store.named_symbols(name):
            summary = self.overrides.get(module)
            if summary is not None:
                continue  # taken from the override below
            out.append(SymInfo(qualname=qualname, kind=kind, module=module, is_member=bool(is_member)))
        for summary in self.overrides.values():
            out.extend(info for info in summary.symbols.values()
                       if info.kind != SymbolKind.MODULE and info.qualname.rsplit(".", 1)[-1] == name)
        return out
