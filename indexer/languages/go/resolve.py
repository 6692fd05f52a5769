"""Go resolution over every Go summary of the index.

Packages by directory, import paths by go.mod (module path, local
`replace`s); names in a package across its files; `pkg.Name`; selectors on
typed receivers (declared types, composite literals, `new`, return types of
functions and methods, fields, range and index); promoted fields and
methods of embedded types; interfaces by structural satisfaction (an
"inherit" edge from each workspace type to every workspace interface whose
method names it has, so impact and type hierarchies follow interface
methods to their implementations). Every edge carries (confidence, how)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from indexer.languages.base import FileFacts
from indexer.languages.go.facts import GoSummary, TypeInfo
from indexer.graph.vocab import RefKind, SymbolKind

# Each rule with its confidence. Go's types are static: a selector typed
# from a declaration, a literal or a return type is as sure as a scope
# lookup. Structural satisfaction compares method names only (not
# signatures), hence below 1. A name match shares 0.4 among its candidates.
HOWS = {"scope": 1.0, "import": 1.0, "typed": 1.0, "embedded": 1.0, "structural": 0.9, "implements": 0.9,
        "external": 1.0, "name-match": 0.4, "unresolved": 0.0}
WEAK_HOWS = ("typed", "embedded", "structural", "implements", "external", "name-match", "unresolved")
_MAX_CANDIDATES = 3
_DEPTH = 12
_BUILTINS = frozenset(
    "append cap clear close complex copy delete imag len make max min new panic print println real recover"
    " bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string"
    " uint uint8 uint16 uint32 uint64 uintptr any true false iota nil".split())


@dataclass
class Resolution:
    refs: list = field(default_factory=list)
    tests: set = field(default_factory=set)


@dataclass
class _Package:
    qualname: str
    dir: str
    types: dict = field(default_factory=dict)  # name -> TypeInfo
    methods: dict = field(default_factory=dict)  # type name -> {method: results}
    funcs: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)  # member name -> [type names defining it]


class World:
    """Every Go package of the index, merged from its files' summaries."""

    def __init__(self, summaries):
        self.packages: dict[str, _Package] = {}
        self.by_dir: dict[str, str] = {}
        self.gomods: list[tuple[str, str]] = []  # (module path, directory), longest path first
        self.by_member: dict[str, list[str]] = {}  # member name -> type qualnames
        # Files outside the default build first: where two files define one
        # name for different builds, the default build's definition wins.
        ordered = sorted((s for s in summaries if isinstance(s, GoSummary)), key=lambda s: not s.excluded)
        uses: set[str] = set()
        for summary in ordered:
            uses.update(getattr(summary, "uses", ()))
            if summary.gomod is not None:
                module, replaces = summary.gomod
                if module:
                    self.gomods.append((module, summary.dir))
                self.gomods.extend(replaces.items())
                continue
            pkg = self.packages.get(summary.module)
            if pkg is None:
                pkg = self.packages[summary.module] = _Package(summary.module, summary.dir)
            if not summary.module.endswith("_test") or summary.dir not in self.by_dir:
                self.by_dir.setdefault(summary.dir, summary.module)
            pkg.types.update(summary.types)
            for recv, methods in summary.methods.items():
                pkg.methods.setdefault(recv, {}).update(methods)
            pkg.funcs.update(summary.funcs)
            pkg.values.update(summary.values)
        # longest module path first; of two folders declaring one path, a go.work `use`d one
        self.gomods.sort(key=lambda m: (-len(m[0]), m[1] not in uses))
        for pkg in self.packages.values():
            for name, info in pkg.types.items():
                for member in (*info.fields, *info.imethods):
                    self.by_member.setdefault(member, []).append(f"{pkg.qualname}.{name}")
            for recv, methods in pkg.methods.items():
                for member in methods:
                    self.by_member.setdefault(member, []).append(f"{pkg.qualname}.{recv}")
        self._interfaces: dict[str, frozenset] | None = None
        self._implementers: dict[str, list[str]] | None = None
        self._paths: dict[str, str | None] = {}

    # -- packages and types ----------------------------------------------------
    def package_of_path(self, import_path: str) -> str | None:
        """The package qualname an import path names, None outside the workspace."""
        if import_path in self._paths:
            return self._paths[import_path]
        found = None
        for module, directory in self.gomods:
            if import_path == module or import_path.startswith(module + "/"):
                rest = import_path[len(module):].lstrip("/")
                found = self.by_dir.get(posixpath.join(directory, rest).strip("/") if directory else rest)
                break
        if not self.gomods:
            # No go.mod at all (GOPATH layouts, fragments): the longest
            # directory the import path ends with. With go.mods, a path none
            # claims is outside the workspace (std, dependencies).
            best = -1
            for directory, qualname in self.by_dir.items():
                if directory and (import_path == directory or import_path.endswith("/" + directory)) \
                        and len(directory) > best:
                    found, best = qualname, len(directory)
        self._paths[import_path] = found
        return found

    def split(self, type_qualname: str) -> tuple[_Package | None, str]:
        # a package's qualname holds no dot: the rest is the type (`Run.point` for a local one)
        pkg, _, name = type_qualname.partition(".")
        return self.packages.get(pkg), name

    def type_info(self, type_qualname: str) -> TypeInfo | None:
        pkg, name = self.split(type_qualname)
        return pkg.types.get(name) if pkg is not None else None

    def resolve_te(self, te, pkg: str, depth: int = 0):
        """A written type expression (in package `pkg`) -> a resolved type:
        ("t", type qualname) | ("ptr", R) | ("slice", R) | ("map", R, R)
        | ("chan", R) | ("func", (R, ...)) | ("ext",) | None (builtin/unknown)."""
        if te is None or depth > _DEPTH:
            return None
        kind = te[0]
        if kind == "n":
            _, path, name = te
            if path is None:
                owner = self.packages.get(pkg)
                if owner is not None and name in owner.types:
                    return ("t", f"{pkg}.{name}")
                return None
            target = self.package_of_path(path)
            if target is None:
                return ("ext",)
            owner = self.packages.get(target)
            return ("t", f"{target}.{name}") if owner is not None and name in owner.types else None
        if kind in ("ptr", "slice", "chan"):
            inner = self.resolve_te(te[1], pkg, depth + 1)
            return (kind, inner) if inner else None
        if kind == "map":
            return ("map", self.resolve_te(te[1], pkg, depth + 1), self.resolve_te(te[2], pkg, depth + 1))
        if kind == "func":
            return ("func", tuple(self.resolve_te(r, pkg, depth + 1) for r in te[1]))
        return None

    def underlying(self, rtype, depth: int = 0):
        """Through pointers and aliases to a named type's resolved form."""
        while rtype is not None and depth < _DEPTH:
            depth += 1
            if rtype[0] == "ptr":
                rtype = rtype[1]
                continue
            if rtype[0] == "t":
                info = self.type_info(rtype[1])
                if info is not None and info.kind == "alias" and info.underlying is not None:
                    inner = self.resolve_te(info.underlying, rtype[1].rpartition(".")[0], depth)
                    if inner is None:
                        return rtype
                    rtype = inner
                    continue
            return rtype
        return rtype

    def shape(self, rtype):
        """A defined non-struct type (`type List []Item`) as its underlying
        slice/map/chan type, for indexing and ranging."""
        if rtype is not None and rtype[0] == "t":
            info = self.type_info(rtype[1])
            if info is not None and info.kind in ("other", "alias") and info.underlying is not None:
                return self.resolve_te(info.underlying, rtype[1].rpartition(".")[0]) or rtype
        return rtype

    def member(self, type_qualname: str, name: str, depth: int = 0, seen=None):
        """(member qualname, resolved type of its value, promoted?) of a field
        or method of a type, through embedded types (shallowest first)."""
        if depth > _DEPTH:
            return None
        pkg, tname = self.split(type_qualname)
        if pkg is None:
            return None
        info = pkg.types.get(tname)
        if info is None:
            return None
        if info.kind == "alias" and info.underlying is not None:
            target = self.resolve_te(info.underlying, pkg.qualname)
            target = self.underlying(target)
            if target is not None and target[0] == "t" and target[1] != type_qualname:
                return self.member(target[1], name, depth + 1, seen)
            return None
        qual = f"{type_qualname}.{name}"
        if name in info.fields:
            return qual, self.resolve_te(info.fields[name], pkg.qualname), False
        methods = pkg.methods.get(tname, {})
        if name in methods:
            return qual, ("func", tuple(self.resolve_te(r, pkg.qualname) for r in methods[name])), False
        if name in info.imethods:
            return qual, ("func", tuple(self.resolve_te(r, pkg.qualname) for r in info.imethods[name])), False
        seen = seen or set()
        seen.add(type_qualname)
        for embed in info.embeds:
            target = self.underlying(self.resolve_te(embed, pkg.qualname))
            if target is None or target[0] != "t" or target[1] in seen:
                continue
            if target[1].rpartition(".")[2] == name:  # the embedded field itself
                return target[1], target, True
            found = self.member(target[1], name, depth + 1, seen)
            if found is not None:
                return found[0], found[1], True
        return None

    # -- structural satisfaction ---------------------------------------------
    def interfaces(self) -> dict[str, frozenset]:
        """Workspace interfaces with a method set we can see whole."""
        if self._interfaces is None:
            out = {}
            for pkg in self.packages.values():
                for name, info in pkg.types.items():
                    if info.kind == SymbolKind.INTERFACE:
                        methods = self._interface_methods(f"{pkg.qualname}.{name}", 0)
                        if methods:
                            out[f"{pkg.qualname}.{name}"] = methods
            self._interfaces = out
        return self._interfaces

    def _interface_methods(self, qualname: str, depth: int) -> frozenset | None:
        info = self.type_info(qualname)
        if info is None or info.kind != SymbolKind.INTERFACE or depth > _DEPTH:
            return None
        names = set(info.imethods)
        for embed in info.embeds:
            target = self.resolve_te(embed, qualname.rpartition(".")[0])
            if target is None or target[0] != "t":
                return None  # an outside interface or a type set: not a plain method set
            inner = self._interface_methods(target[1], depth + 1)
            if inner is None:
                return None
            names |= inner
        return frozenset(names)

    def implementers(self, interface: str) -> list[str]:
        """Workspace types (not interfaces) whose method names cover `interface`'s."""
        if self._implementers is None:
            by_iface: dict[str, list[str]] = {}
            interfaces = self.interfaces()
            for pkg in self.packages.values():
                for name, info in pkg.types.items():
                    if info.kind in ("interface", "alias"):
                        continue
                    qualname = f"{pkg.qualname}.{name}"
                    methods = self.method_set(qualname)
                    if not methods:
                        continue
                    for iface, needed in interfaces.items():
                        if needed <= methods and self.satisfies(qualname, iface, needed):
                            by_iface.setdefault(iface, []).append(qualname)
            self._implementers = by_iface
        return self._implementers.get(interface, [])

    def satisfies(self, type_qualname: str, interface: str, needed: frozenset) -> bool:
        """Beyond method names: an unexported method ties an interface to its
        own package, and each method must return as many results."""
        type_pkg, iface_pkg = type_qualname.rpartition(".")[0], interface.rpartition(".")[0]
        if type_pkg != iface_pkg and any(not name[:1].isupper() for name in needed):
            return False
        for name in needed:
            mine, theirs = self.member(type_qualname, name), self.member(interface, name)
            if mine is None or theirs is None or mine[1] is None or theirs[1] is None:
                continue
            if mine[1][0] == "func" and theirs[1][0] == "func" and len(mine[1][1]) != len(theirs[1][1]):
                return False
        return True

    def method_set(self, type_qualname: str, depth: int = 0) -> set[str]:
        pkg, tname = self.split(type_qualname)
        info = pkg.types.get(tname) if pkg is not None else None
        if info is None or depth > _DEPTH:
            return set()
        out = set(pkg.methods.get(tname, ()))
        if info.kind == SymbolKind.INTERFACE:
            out |= set(info.imethods)
        for embed in info.embeds:
            target = self.underlying(self.resolve_te(embed, pkg.qualname))
            if target is not None and target[0] == "t":
                out |= self.method_set(target[1], depth + 1)
        return out


class Resolver:
    def __init__(self, world: World):
        self.world = world

    def resolve_file(self, facts: FileFacts) -> Resolution:
        out = Resolution()
        if facts.extra is None or facts.extra[0].gomod is not None:
            return out
        _File(self.world, facts, out).run()
        return out


class _File:
    def __init__(self, world: World, facts: FileFacts, out: Resolution):
        self.world, self.facts, self.out = world, facts, out
        self.pkg = facts.module
        self.package = world.packages.get(self.pkg)
        self.gofacts = facts.extra[0]
        self.pos = (0, 0)

    def run(self) -> None:
        facts = self.facts
        for ref in facts.refs:
            owner = facts.symbols[ref.owner].qualname if ref.owner >= 0 else self.pkg
            for target, conf, how in self.resolve(ref):
                self.out.refs.append((ref.span, ref.name, ref.kind, owner, target, conf, how))
        self.structural()

    def emit_one(self, target, how):
        return [(target, HOWS[how], how)]

    def resolve(self, ref) -> list[tuple]:
        self.pos = ref.span[:2]
        if ref.module is not None:  # pkg.Name
            path = ref.module[1]
            target_pkg = self.world.package_of_path(path) if path else None
            if target_pkg is None:
                return self.emit_one(None, "external" if path else "unresolved")
            pkg = self.world.packages.get(target_pkg)
            if pkg is not None and (ref.name in pkg.types or ref.name in pkg.funcs or ref.name in pkg.values):
                return self.emit_one(f"{target_pkg}.{ref.name}", "import")
            return self.emit_one(None, "unresolved")
        if ref.receiver is None:
            return self.resolve_name(ref.name, ref.scope)
        if ref.receiver[0] == "lit" and ref.kind == RefKind.WRITE:  # a struct literal's field key
            rtype = self.world.underlying(self.world.resolve_te(ref.receiver[1], self.pkg))
            if rtype is None or rtype[0] != "t":
                return self.resolve_name(ref.name, ref.scope) if rtype is None else []
        else:
            rtype = self.world.underlying(self.type_of(ref.receiver, ref.scope, 0))
        if rtype is not None and rtype[0] == "ext":
            return self.emit_one(None, "external")
        if rtype is not None and rtype[0] == "t":
            found = self.world.member(rtype[1], ref.name)
            if found is not None and found[1] == ("t", found[0]):
                return []  # the embedded field itself (`u.Model`): a field, not a use of the type
            if found is not None:
                out = self.emit_one(found[0], "embedded" if found[2] else "typed")
                owner = found[0].rpartition(".")[0]
                info = self.world.type_info(owner)
                if info is not None and info.kind == SymbolKind.INTERFACE:
                    # A call through an interface method may run each
                    # implementation: a use of theirs too (as gopls counts it).
                    for impl in self.world.implementers(owner):
                        method = self.world.member(impl, ref.name)
                        if method is not None and method[0] != found[0]:
                            out.append((method[0], HOWS["implements"], "implements"))
                return out
            return self.emit_one(None, "unresolved")
        return self.name_match(ref.name)

    def name_match(self, name: str) -> list[tuple]:
        owners = self.world.by_member.get(name, ())
        if not owners or len(owners) > _MAX_CANDIDATES:
            return self.emit_one(None, "unresolved")
        share = HOWS["name-match"] / len(owners)
        return [(f"{owner}.{name}", share, "name-match") for owner in owners]

    def lookup_local(self, name: str, scope: int):
        """The innermost local `name` visible at `self.pos`."""
        pos = self.pos
        while scope > 0:
            binding = self.facts.scopes[scope].names.get(name)
            if binding is not None and binding[3] <= pos:
                return scope, binding
            scope = self.facts.scopes[scope].parent
        return None

    def resolve_name(self, name: str, scope: int) -> list[tuple]:
        found = self.lookup_local(name, scope)
        if found is not None:  # a local: no graph symbol, unless a type declared in the function
            return self.emit_one(f"{self.pkg}.{found[1][4]}", "scope") if len(found[1]) > 4 else []
        pkg = self.package
        if pkg is not None and (name in pkg.types or name in pkg.funcs or name in pkg.values):
            return self.emit_one(f"{self.pkg}.{name}", "scope")
        if name in _BUILTINS or name in self.gofacts.imports:
            return []
        return self.emit_one(None, "unresolved")

    # -- types of values -----------------------------------------------------
    def type_of(self, ve, scope: int, depth: int):
        if ve is None or depth > _DEPTH:
            return None
        world = self.world
        kind = ve[0]
        if kind == "id":
            found = self.lookup_local(ve[1], scope)
            if found is not None:
                bound_scope, binding = found
                outer, self.pos = self.pos, binding[2]  # its value reads what was visible before it
                try:
                    return self.held(binding[1], bound_scope, depth + 1)
                finally:
                    self.pos = outer
            return self.package_member(self.pkg, ve[1], depth)
        if kind == "pkg":
            target = world.package_of_path(ve[1])
            return ("ext",) if target is None else self.package_member(target, ve[2], depth)
        if kind == "sel":
            inner = world.underlying(self.type_of(ve[1], scope, depth + 1))
            if inner is None or inner[0] != "t":
                return ("ext",) if inner == ("ext",) else None
            found = world.member(inner[1], ve[2])
            return found[1] if found is not None else None
        if kind == "nth" and (ve[1] is None or ve[1][0] != "call"):
            # `v, ok := m[k]`, `x, ok := y.(T)`: the first is the value.
            return self.type_of(ve[1], scope, depth + 1) if ve[2] == 0 else None
        if kind in ("call", "nth"):
            callee = self.type_of(ve[1] if ve[0] == "call" else ve[1][1], scope, depth + 1)
            if callee is None:
                return None
            if callee[0] == "typename":
                return ("t", callee[1])
            if callee[0] == "func":
                index = ve[2] if kind == "nth" else 0
                return callee[1][index] if index < len(callee[1]) else None
            return ("ext",) if callee == ("ext",) else None
        if kind in ("lit", "type"):
            return world.resolve_te(ve[1], self.pkg)
        if kind == "new":
            inner = world.resolve_te(ve[1], self.pkg)
            return ("ptr", inner) if inner else None
        if kind == "addr":
            inner = self.type_of(ve[1], scope, depth + 1)
            return ("ptr", inner) if inner else None
        if kind in ("deref", "index", "key", "elem"):
            inner = self.type_of(ve[1], scope, depth + 1)
            if inner is not None and inner[0] == "ptr" and kind != "deref":
                inner = inner[1]  # indexing a pointer to an array
            if kind != "deref":
                inner = world.shape(inner)  # `type List []Item`: index as the slice
            if inner is None:
                return None
            if kind == "deref":
                return inner[1] if inner[0] == "ptr" else None
            if inner[0] == "slice" or inner[0] == "chan":
                return inner[1] if kind != "key" or inner[0] == "chan" else None
            if inner[0] == "map":
                return inner[1] if kind == "key" else inner[2]
            return None
        return None

    def held(self, held, scope: int, depth: int):
        if held is None:
            return None
        if held[0] == "type":
            return self.world.resolve_te(held[1], self.pkg)
        return self.type_of(held, scope, depth)

    def package_member(self, pkg_qualname: str, name: str, depth: int):
        """What a package-level name denotes as a value: a type name, a
        function, or a variable's type."""
        pkg = self.world.packages.get(pkg_qualname)
        if pkg is None:
            return None
        if name in pkg.types:
            return ("typename", f"{pkg_qualname}.{name}")
        if name in pkg.funcs:
            return ("func", tuple(self.world.resolve_te(r, pkg_qualname) for r in pkg.funcs[name]))
        if name in pkg.values:
            held = pkg.values[name]
            if held is None or depth > _DEPTH:
                return None
            if held[0] == "type":
                return self.world.resolve_te(held[1], pkg_qualname)
            # A package variable's value, evaluated in its own package.
            other = _PackageScope(self.world, pkg_qualname)
            return other.type_of(held, 0, depth + 1)
        return None

    # -- interfaces ------------------------------------------------------------
    def structural(self) -> None:
        """Each non-interface type defined here -> every workspace interface
        it satisfies by method names (kind "inherit", how "structural")."""
        interfaces = self.world.interfaces()
        if not interfaces:
            return
        for sym in self.facts.symbols:
            if sym.kind != SymbolKind.CLASS or "interface" in sym.flags or "alias" in sym.flags:
                continue
            for iface in interfaces:
                if sym.qualname in self.world.implementers(iface):
                    name = iface.rpartition(".")[2]
                    self.out.refs.append((sym.name_span, name, "inherit", sym.qualname, iface,
                                          HOWS["structural"], "structural"))


class _PackageScope(_File):
    """Evaluates a package-level variable's value where it was declared."""

    def __init__(self, world: World, pkg: str):
        self.world, self.pkg = world, pkg
        self.package = world.packages.get(pkg)

    def lookup_local(self, name, scope):
        return None

    pos = (0, 0)
