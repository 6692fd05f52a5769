"""Go support: packages by directory, imports by go.mod module path, fact
extraction from the `tree-sitter-go` grammar wheel, cross-file resolution
with receiver types, embedding and structural interfaces, `go test` ids."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterable

from indexer.languages.base import FileFacts
from indexer.languages.go import extract as _extract
from indexer.languages.go import testids
from indexer.languages.go.gomod import GOMOD_MODULE
from indexer.languages.go.resolve import WEAK_HOWS, Resolver, World
from indexer.graph.vocab import SymbolKind

NAME = "go"


class GoSupport:
    name = NAME
    # ".mod" and ".work" bring go.mod and go.work files in (module paths and
    # workspace `use`s resolve imports); any other such file yields empty facts.
    extensions = (".go", ".mod", ".work")
    weak_hows = WEAK_HOWS

    @property
    def edits(self):
        """Go's edit facet: rename (over the graph); breaking changes, call-site
        ripple and change_signature by position (see languages/callsig.py)."""
        from indexer.languages.callsig import edit_facet
        from indexer.languages.go import rename
        from indexer.languages.go.calls import GoCalls
        return edit_facet(GoCalls(), rename=rename)

    def source_roots(self, rel_paths: list[str]) -> list[str]:
        return [""]

    def module_name(self, rel_path: str, source_roots: list[str]) -> tuple[str, bool]:
        # A hint only: extract() names the package (the root package takes
        # its package clause's name, which only the source knows).
        if PurePosixPath(rel_path).name in ("go.mod", "go.work"):
            return GOMOD_MODULE, False
        key = _extract.package_key(rel_path).replace(".", "_")
        return f"{NAME}:{key or '_'}", False

    def normalize_source(self, source: bytes) -> bytes:
        if source.startswith(b"\xef\xbb\xbf"):
            source = source[3:]
        return source.replace(b"\r\n", b"\n")

    def extract(self, source: bytes, rel_path: str, module: str, is_package: bool) -> FileFacts:
        return _extract.extract(source, rel_path, module, is_package)

    def summarize(self, facts: FileFacts):
        return facts.extra[1] if facts.extra is not None else None

    def dependencies(self, facts: FileFacts) -> set[str]:
        """Import paths' packages are not known by name here (go.mod decides),
        so a file depends on its own package, every imported path's last
        folders, and go.mod; `summary_changes` reports names besides."""
        if facts.extra is None:
            return set()
        out = {facts.module, GOMOD_MODULE}
        for path in facts.extra[0].imports.values():
            parts = path.split("/")
            out.update(f"{NAME}:{'/'.join(parts[cut:]).replace('.', '_')}" for cut in range(len(parts)))
        return out

    def summary_changes(self, old, new) -> tuple[set[str], set[str]]:
        before = old.symbols if old is not None else set()
        after = new.symbols if new is not None else set()
        removed = before - after
        names = {q.rsplit(".", 1)[-1] for q in before ^ after}
        if old is not None and new is not None:
            for name in set(old.types) & set(new.types):
                if old.types[name] != new.types[name]:
                    names.add(name)
                    names |= set(old.types[name].imethods) | set(new.types[name].imethods)
            for table in ("funcs", "values", "methods"):
                a, b = getattr(old, table), getattr(new, table)
                names |= {n for n in set(a) & set(b) if a[n] != b[n]}
        if (old is None) != (new is None) or (old and new and (old.gomod, old.uses) != (new.gomod, new.uses)):
            names.add("*")
        return removed, names

    def is_member(self, parent_kind: str, kind: str) -> bool:
        return parent_kind == SymbolKind.CLASS and kind in (SymbolKind.METHOD, SymbolKind.ATTRIBUTE)

    def symbol_parent(self, facts: FileFacts, symbol) -> tuple[str, str] | None:
        """A method's receiver type may live in another file of its package:
        (parent qualname, parent kind) from the qualname then."""
        if symbol.kind == SymbolKind.METHOD and symbol.parent == 0:
            return symbol.qualname.rpartition(".")[0], "class"
        return None

    def test_id(self, symbol, lookup) -> str:
        return testids.test_id(symbol, lookup)

    def resolver(self, store, summaries: Iterable | None) -> Resolver:
        if summaries is None:
            summaries = store.all_summaries(NAME)
        return Resolver(World(list(summaries)))
