"""TypeScript declaration merging: what one name declared several times
means. The plugin already keeps `interface I` twice in one scope as one
symbol (same qualname, members of both) and flattens a `namespace`'s
members into its file; this adds the two merges that need more:

- a namespace merged into a function, class or enum of the same name
  (`function greet() {}` + `namespace greet { export const x }`):
  `greet.x` is the namespace's `x`;
- `declare module "./box" { interface Box {...} }`: the augmenting
  declaration's members are members of `./box`'s `Box` (the resolver treats
  the augmentations as merged declarations, found after the original's own).

Extraction records the facts (`record_*`, into `TsFacts`); the resolver asks
`Augments` and `namespace_member`.
"""

from __future__ import annotations

from collections import defaultdict

import tree_sitter as ts

from indexer.languages.typescript.syntax import text

_MERGEABLE = ("interface_declaration", "class_declaration", "abstract_class_declaration")


def _declarations(body: ts.Node | None):
    for statement in body.named_children if body is not None else ():
        if statement.type == "export_statement":
            statement = statement.child_by_field_name("declaration")
        if statement is not None:
            yield statement


def record_namespace(extra, name: str, body: ts.Node | None) -> None:
    """The names a `namespace name { ... }` body declares at its top."""
    names = set(extra.namespaces.get(name, ()))
    for declaration in _declarations(body):
        if declaration.type in ("lexical_declaration", "variable_declaration"):
            for declarator in declaration.named_children:
                ident = declarator.child_by_field_name("name") if declarator.type == "variable_declarator" else None
                if ident is not None and ident.type == "identifier":
                    names.add(text(ident))
        else:
            ident = declaration.child_by_field_name("name")
            if ident is not None and ident.type in ("identifier", "type_identifier"):
                names.add(text(ident))
    extra.namespaces[name] = tuple(sorted(names))


def record_augments(extra, spec: str, body: ts.Node | None, module: str) -> None:
    """The interfaces and classes a `declare module "spec" { ... }` declares
    (their qualnames in this file: members are flattened to its level)."""
    for declaration in _declarations(body):
        ident = declaration.child_by_field_name("name") if declaration.type in _MERGEABLE else None
        if ident is not None:
            extra.augments.append((spec, text(ident), f"{module}.{text(ident)}"))


class Augments:
    """Original declaration qualname -> the declarations that augment it,
    and back (so a member is found from either side)."""

    def __init__(self, summaries, resolve_module):
        self.merged: dict[str, list[str]] = defaultdict(list)
        for summary in summaries:
            for spec, name, qualname in getattr(summary, "augments", ()):
                module = resolve_module(spec, summary.path)
                if module is None or module == summary.module:
                    continue
                original = f"{module}.{name}"
                if qualname not in self.merged[original]:
                    self.merged[original].append(qualname)
                    self.merged[qualname].append(original)

    def of(self, qualname: str) -> list[str]:
        return self.merged.get(qualname, [])


def namespace_member(summary, name: str, member: str) -> str | None:
    """The qualname `name.member` means where a namespace `name` is merged
    into a function, class or enum of `summary`'s file (None: no such member)."""
    if summary is None or member not in getattr(summary, "namespaces", {}).get(name, ()):
        return None
    return f"{summary.module}.{member}"
