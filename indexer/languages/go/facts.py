"""What only Go files carry: `GoFacts` in `FileFacts.extra`, the per-file
`GoSummary` other files see, and the shapes of types and values in both.

Type expressions (TE), as written, with package aliases already turned into
import paths so a summary stands on its own:
    ("n", import_path_or_None, "T") | ("ptr", TE) | ("slice", TE)
    | ("map", TE, TE) | ("chan", TE) | ("func", (TE, ...))
Value expressions (VE), what a local or package variable holds:
    ("id", "x") | ("pkg", import_path, "Name") | ("sel", VE, "f")
    | ("call", VE) | ("nth", VE, i) | ("lit", TE) | ("new", TE)
    | ("addr", VE) | ("deref", VE) | ("index", VE) | ("key", VE) | ("elem", VE)
    | ("type", TE) (a declared type)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.languages.base import Compact


@dataclass(slots=True)
class GoFacts(Compact):
    package: str  # the package clause's name
    dir: str  # the package directory, POSIX, "" at the root
    imports: dict  # alias -> import path (the last path element when unnamed)
    generated: bool = False  # "// Code generated ... DO NOT EDIT."
    gomod: tuple | None = None  # go.mod only: (module path, {replaced path: local dir})


@dataclass(slots=True)
class TypeInfo(Compact):
    kind: str  # struct, interface, alias, other
    fields: dict = field(default_factory=dict)  # name -> TE
    embeds: tuple = ()  # TE of embedded fields / interfaces
    imethods: dict = field(default_factory=dict)  # interface method -> result TEs
    underlying: tuple | None = None  # TE an alias or defined type stands for


@dataclass(slots=True)
class GoSummary(Compact):
    module: str  # the package's qualified name, shared by its files
    path: str
    dir: str
    package: str
    types: dict = field(default_factory=dict)  # name -> TypeInfo
    methods: dict = field(default_factory=dict)  # receiver type name -> {method: result TEs}
    funcs: dict = field(default_factory=dict)  # name -> result TEs
    values: dict = field(default_factory=dict)  # const/var name -> VE or None
    imports: tuple = ()  # import paths
    gomod: tuple | None = None
    # Outside the default build (linux/amd64, no custom tags): `//go:build
    # purego`, `_windows.go`. Still indexed; the default build's
    # definitions win where both define a name.
    excluded: bool = False
    # A go.work's `use` folders (workspace-relative): where two go.mod files
    # declare one module path, the workspace's module wins.
    uses: tuple = ()

    @property
    def symbols(self) -> set:
        """Qualnames other files may use (what summary_changes compares)."""
        out = {f"{self.module}.{n}" for n in (*self.types, *self.funcs, *self.values)}
        for recv, methods in self.methods.items():
            out.update(f"{self.module}.{recv}.{m}" for m in methods)
        for name, info in self.types.items():
            out.update(f"{self.module}.{name}.{m}" for m in (*info.fields, *info.imethods))
        return out
