"""TypeScript and JavaScript support (.ts .tsx .mts .cts .js .jsx .mjs .cjs,
one dialect per extension), plus the config files module resolution reads
(tsconfig.json, jsconfig.json, package.json)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterable

from indexer.languages.base import FileFacts, qualify
from indexer.languages.typescript import syntax
from indexer.languages.typescript.extract import NAME, extract
from indexer.languages.typescript.resolve import MEMBER_KINDS, Resolver
from indexer.languages.typescript.summary import summarize
from indexer.graph.vocab import How, SymbolKind

# Edges whose meaning may change when an unrelated file does: imports too,
# since `paths`, workspace packages and `export *` reach files no
# specifier names (their files re-resolve when an exported name changes).
WEAK_HOWS = (How.NAME_MATCH, How.UNRESOLVED, How.EXTERNAL, How.MRO, How.ANNOTATION, How.CONSTRUCTOR,
             How.RETURN_TYPE, How.IMPORT, How.STAR_IMPORT, How.MODULE)
_CONTAINERS = ("class", "interface", "type", "enum", "variable", "constant", "field")


def module_name(rel_path: str) -> str:
    """`src/app/main.ts` -> `typescript:src.app.main`; dots inside a file name
    become `_` (`cart.test.ts` -> `...cart_test`), so a module's name never
    reads as a member of another."""
    path = PurePosixPath(rel_path)
    name = path.name
    if name in syntax.CONFIG_FILES:
        stem = name.replace(".", "_")
    else:
        stem = name[:-5] if name.endswith(".d.ts") else path.stem
        stem = stem.replace(".", "_") + ("_d" if name.endswith(".d.ts") else "")
    parts = [p.replace(".", "_") for p in path.parent.parts] + [stem]
    return qualify(NAME, ".".join(parts))


class TypeScriptSupport:
    name = NAME
    extensions = tuple(syntax.DIALECTS)
    filenames = syntax.CONFIG_FILES
    weak_hows = WEAK_HOWS

    @property
    def edits(self):
        """TypeScript's edit facet: the graph's rename (identifiers may hold
        `$`); breaking changes, call-site ripple, optional parameters and
        change_signature by position (see languages/callsig.py)."""
        from indexer.languages.callsig import edit_facet
        from indexer.languages.typescript.calls import TypeScriptCalls
        return edit_facet(TypeScriptCalls())

    def dialect(self, rel_path: str) -> str:
        """The LSP language id of a file (typescript, typescriptreact, javascript, javascriptreact)."""
        return syntax.dialect(rel_path)

    def source_roots(self, rel_paths: list[str]) -> list[str]:
        return [""]

    def module_name(self, rel_path: str, source_roots: list[str]) -> tuple[str, bool]:
        return module_name(rel_path), PurePosixPath(rel_path).stem == "index"

    def normalize_source(self, source: bytes) -> bytes:
        if source.startswith(b"\xef\xbb\xbf"):
            source = source[3:]
        if b"\r" in source:
            source = source.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return source

    def extract(self, source: bytes, rel_path: str, module: str, is_package: bool) -> FileFacts:
        return extract(source, rel_path, module, is_package)

    def summarize(self, facts: FileFacts):
        return summarize(facts)

    def dependencies(self, facts: FileFacts) -> set[str]:
        """Modules a relative specifier may name (the others re-resolve by
        exported name, see WEAK_HOWS)."""
        out: set[str] = set()
        folder = PurePosixPath(facts.path).parent
        # the config files that may govern this file (any folder up to the
        # root): an edited tsconfig.json re-resolves the files below it
        for parent in (folder, *folder.parents):
            for config in syntax.CONFIG_FILES:
                out.add(module_name((parent / config).as_posix()))
        for imp in facts.imports:
            if imp.module.startswith("."):
                base = (folder / imp.module).as_posix()
                parts = [p for p in base.split("/") if p not in ("", ".")]
                resolved: list[str] = []
                for part in parts:
                    if part == "..":
                        if resolved:
                            resolved.pop()
                    else:
                        resolved.append(part)
                joined = "/".join(resolved)
                out.add(module_name(joined + ".ts"))
                out.add(module_name(joined + "/index.ts"))
        return out

    def summary_changes(self, old, new) -> tuple[set[str], set[str]]:
        if old is None or new is None:
            present = new or old
            names = {q.rsplit(".", 1)[-1] for q in present.symbols} | set(present.exports) | set(present.names)
            if present.config is not None:
                names.add("<config>")
            return (set(old.symbols) if new is None else set()), names
        removed = set(old.symbols) - set(new.symbols)
        changed = set(new.symbols) ^ set(old.symbols)
        changed |= {q for q in set(new.symbols) & set(old.symbols) if new.symbols[q] != old.symbols[q]}
        names = {q.rsplit(".", 1)[-1] for q in changed}
        names |= {n for n in set(old.exports) | set(new.exports) if old.exports.get(n) != new.exports.get(n)}
        names |= {n for n in set(old.names) | set(new.names) if old.names.get(n) != new.names.get(n)}
        if old.stars != new.stars or old.config != new.config:
            names |= set(old.exports) | set(new.exports) | set(old.names) | set(new.names)
        if old.config != new.config:
            names.add("<config>")  # no use is named so: the files below it re-resolve (see dependencies)
        return removed, names

    def is_member(self, parent_kind: str, kind: str) -> bool:
        return parent_kind in _CONTAINERS and kind in MEMBER_KINDS | {"function", "class"}

    def test_id(self, symbol, lookup) -> str:
        """vitest/jest: the file, then each enclosing describe title, then the
        test's (`src/cart.test.ts > Cart > adds items`, as vitest prints it;
        `vitest run FILE -t "Cart adds items"` runs it, jest the same)."""
        parts = [symbol.name]
        parent = symbol.parent
        while parent:
            owner = lookup(parent)
            if owner is None or owner.kind == SymbolKind.MODULE:
                break
            parts.append(owner.name)
            parent = owner.parent
        return " > ".join([symbol.path, *reversed(parts)])

    def resolver(self, store, summaries: Iterable | None) -> Resolver:
        if summaries is None:
            summaries = store.all_summaries(NAME)
        return Resolver(list(summaries))

    def reference_family(self, graph, qualname: str) -> list[str]:
        """A member and the same-named members tsserver answers Find All
        References for together: those of its class's ancestors (through
        `extends`/`implements`), and those of every descendant of a class
        among them that declares the member. Not the whole connected
        hierarchy: a sibling that shares only an unrelated ancestor (`Subject`
        and `Subscriber` both under `SubscriptionLike`, which has no `error`)
        keeps its own `error`."""
        symbol = graph.symbol(qualname)
        if symbol is None or not symbol.parent or symbol.kind not in MEMBER_KINDS:
            return [qualname]
        parent = graph.symbol(symbol.parent)
        if parent is None or parent.kind not in (SymbolKind.CLASS, SymbolKind.INTERFACE):
            return [qualname]
        member = qualname.rsplit(".", 1)[-1]

        def declares(cls: str) -> bool:
            return graph.symbol(f"{cls}.{member}") is not None

        ancestors = _walk(symbol.parent, graph.base_targets)
        declaring = [cls for cls in ancestors if cls == symbol.parent or declares(cls)]
        family = set(declaring)
        for cls in declaring:
            family.update(c for c in _walk(cls, graph.subclass_names) if declares(c))
        family.discard(symbol.parent)
        return [qualname] + [f"{cls}.{member}" for cls in sorted(family)]


def _walk(start: str, step, limit: int = 500) -> set[str]:
    """`start` and every class reached from it by `step` (bases or subclasses), transitively."""
    seen, todo = {start}, [start]
    while todo and len(seen) < limit:
        for other in step(todo.pop()):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen
