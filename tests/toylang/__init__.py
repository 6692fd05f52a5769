"""A deliberately tiny second language, to prove the language boundary.

"toyjson": JSON files (the official `tree-sitter-json` grammar wheel) where
every object key is a symbol, qualified by the file's dotted path and the
keys above it (`config/app.json` -> `toyjson:config.app.db.host`), and
every string value spelled `"$config.base.db.host"` is a reference to that
key in any file. That is the whole language: a package implementing
`LanguageSupport` plus one `languages.register(...)` line, and it goes
through index, refs, impact and search like Python does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

import tree_sitter as ts
import tree_sitter_json

from indexer.languages.base import Compact, FileFacts, RefFact, ScopeFact, SymbolFact, qualify
from indexer.graph.text import Columns

NAME = "toyjson"
_LANGUAGE = ts.Language(tree_sitter_json.language())


@dataclass(slots=True)
class JsonSummary(Compact):
    module: str
    path: str
    symbols: set = field(default_factory=set)  # qualnames


@dataclass(slots=True)
class Resolution:
    refs: list = field(default_factory=list)
    tests: set = field(default_factory=set)


def _text(node: ts.Node) -> str:
    inner = [c for c in node.named_children if c.type == "string_content"]
    return inner[0].text.decode("utf-8", "replace") if inner else ""


def extract(source: bytes, rel_path: str, module: str, is_package: bool) -> FileFacts:
    root = ts.Parser(_LANGUAGE).parse(source).root_node
    columns = Columns(source)
    whole = columns.span(root)
    name = module.rsplit(".", 1)[-1]
    symbols = [SymbolFact(name, module, "module", whole, (0, 0, 0, 0), -1)]
    refs: list[RefFact] = []

    def walk(node: ts.Node, parent: int, prefix: str) -> None:
        if node.type == "pair":
            key, value = node.child_by_field_name("key"), node.child_by_field_name("value")
            if key is None:
                return
            key_name = _text(key)
            qualname = f"{prefix}.{key_name}"
            symbols.append(SymbolFact(key_name, qualname, "variable", columns.span(node), columns.span(key), parent,
                                      signature=f"{key_name}: {value.type if value is not None else '?'}"))
            if value is not None:
                walk(value, len(symbols) - 1, qualname)
        elif node.type == "string" and _text(node).startswith("$"):
            dotted = _text(node)[1:]
            refs.append(RefFact(columns.span(node), dotted.rsplit(".", 1)[-1], "read", 0,
                                module=(0, dotted, None), owner=parent))
        else:
            for child in node.named_children:
                walk(child, parent, prefix)

    walk(root, 0, module)
    errors = [f"{root.start_point[0] + 1}:1: syntax error"] if root.has_error else []
    return FileFacts(path=rel_path, module=module, language=NAME, is_package=is_package, symbols=symbols,
                     scopes=[ScopeFact("module", 0, -1)], refs=refs, imports=[], errors=errors,
                     line_count=root.end_point[0] + 1)


class _Resolver:
    def __init__(self, known):
        self.known = known  # qualname -> bool

    def resolve_file(self, facts: FileFacts) -> Resolution:
        out = Resolution()
        for ref in facts.refs:
            owner = facts.symbols[ref.owner].qualname if ref.owner >= 0 else facts.module
            target = qualify(NAME, ref.module[1])
            if self.known(target):
                out.refs.append((ref.span, ref.name, ref.kind, owner, target, 1.0, "path"))
            else:
                out.refs.append((ref.span, ref.name, ref.kind, owner, None, 0.0, "unresolved"))
        return out


def _store_lookup(store):
    modules = set(store.module_names(NAME))
    cache: dict[str, JsonSummary | None] = {}

    def known(qualname: str) -> bool:
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if module in modules:
                if module not in cache:
                    cache[module] = store.load_summary(module=module)
                summary = cache[module]
                return summary is not None and qualname in summary.symbols
        return False
    return known


class JsonSupport:
    name = NAME
    extensions = (".json",)
    weak_hows = ("unresolved",)
    edits = None

    def source_roots(self, rel_paths: list[str]) -> list[str]:
        return [""]

    def module_name(self, rel_path: str, source_roots: list[str]) -> tuple[str, bool]:
        return qualify(NAME, ".".join(PurePosixPath(rel_path).with_suffix("").parts)), False

    def normalize_source(self, source: bytes) -> bytes:
        return source.replace(b"\r\n", b"\n")

    def extract(self, source: bytes, rel_path: str, module: str, is_package: bool) -> FileFacts:
        return extract(source, rel_path, module, is_package)

    def summarize(self, facts: FileFacts) -> JsonSummary:
        return JsonSummary(facts.module, facts.path, {s.qualname for s in facts.symbols})

    def dependencies(self, facts: FileFacts) -> set[str]:
        out = set()
        for ref in facts.refs:
            parts = ref.module[1].split(".")
            out.update(qualify(NAME, ".".join(parts[:cut])) for cut in range(1, len(parts)))
        return out

    def summary_changes(self, old, new) -> tuple[set[str], set[str]]:
        before, after = old.symbols if old else set(), new.symbols if new else set()
        return before - after, {q.rsplit(".", 1)[-1] for q in before ^ after}

    def is_member(self, parent_kind: str, kind: str) -> bool:
        return parent_kind == "variable"  # a nested key is a member of its object

    def resolver(self, store, summaries):
        if summaries is not None:
            everything = {q for s in summaries for q in s.symbols}
            return _Resolver(everything.__contains__)
        return _Resolver(_store_lookup(store))
