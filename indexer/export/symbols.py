"""SCIP symbol strings from graph qualnames (the grammar in scip.proto:
`<scheme> ' ' <manager> ' ' <name> ' ' <version> ' ' <descriptors>`).

Descriptors follow scip-python's conventions so both tools name the same
thing the same way: a module is one namespace with its dotted name
(`` `pkg.mod`/ ``) and `__init__:` names the module itself; classes are
types (`Cls#`), functions and methods are methods (`f().`), parameters
are `(p)`, everything else is a term (`x.`).
"""

from __future__ import annotations

import builtins
import re

from indexer.export.package import Package, external_package, is_module_path

SCHEME = "scip-python"
MANAGER = "python"
_SIMPLE = re.compile(r"[A-Za-z0-9_+\-$]+")
_TYPE_KINDS = frozenset({"class"})
_METHOD_KINDS = frozenset({"function", "method"})


def escape_name(name: str) -> str:
    """A descriptor name: bare when simple, else in backticks (doubled inside)."""
    if _SIMPLE.fullmatch(name):
        return name
    return "`" + name.replace("`", "``") + "`"


def _package_field(value: str) -> str:
    return value.replace(" ", "  ") if value else "."


def package_prefix(package: Package, scheme: str = SCHEME) -> str:
    return f"{scheme} {MANAGER} {_package_field(package.name)} {_package_field(package.version)} "


def descriptor(name: str, kind: str) -> str:
    if kind in _TYPE_KINDS:
        return escape_name(name) + "#"
    if kind in _METHOD_KINDS:
        return escape_name(name) + "()."
    if kind == "parameter":
        return "(" + escape_name(name) + ")"
    return escape_name(name) + "."


def module_descriptor(module: str) -> str:
    return escape_name(module) + "/"


def local_symbol(number: int) -> str:
    return f"local {number}"


def is_local(symbol: str) -> bool:
    return symbol.startswith("local ")


class SymbolNamer:
    """Qualname -> SCIP symbol, for the workspace (kinds known from the
    graph) and for names outside it (kinds guessed, see `external`)."""

    def __init__(self, package: Package, kinds: dict[str, str], modules: set[str], scheme: str = SCHEME):
        self.prefix = package_prefix(package, scheme)
        self.scheme = scheme
        self.kinds = kinds  # workspace qualname -> kind
        self.modules = modules  # workspace module names
        self._cache: dict[str, str | None] = {}

    def workspace(self, qualname: str) -> str | None:
        """The symbol of a workspace definition or module; None when the
        qualname is not one."""
        if qualname in self._cache:
            return self._cache[qualname]
        out = None
        if qualname in self.modules:
            out = self.prefix + module_descriptor(qualname) + "__init__:"
        elif qualname in self.kinds:
            module = self._module_of(qualname)
            if module is not None:
                out = self.prefix + module_descriptor(module)
                parts = qualname[len(module) + 1:].split(".")
                for i, part in enumerate(parts):
                    kind = self.kinds.get(f"{module}.{'.'.join(parts[:i + 1])}", "variable")
                    out += descriptor(part, kind)
        self._cache[qualname] = out
        return out

    def _module_of(self, qualname: str) -> str | None:
        head = qualname
        while "." in head:
            head = head.rsplit(".", 1)[0]
            if head in self.modules:
                return head
        return None

    def external(self, dotted: str, ref_kind: str = "read", is_module: bool = False) -> str:
        """A name outside the workspace. Its module is the longest prefix
        found as a module on sys.path; the rest are guessed: builtins by
        what they are, Capitalized names as types, called names as methods."""
        key = f"{dotted}\0{ref_kind}\0{is_module}"
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        parts = dotted.split(".")
        split = len(parts) if is_module else 1
        for i in range(len(parts), 0, -1) if not is_module else ():
            if is_module_path(".".join(parts[:i])):
                split = i
                break
        module, rest = ".".join(parts[:split]), parts[split:]
        out = package_prefix(external_package(parts[0]), self.scheme) + module_descriptor(module)
        if not rest:
            out += "__init__:"
        for i, part in enumerate(rest):
            last = i == len(rest) - 1
            out += descriptor(part, _guess_kind(module, part, last, ref_kind))
        self._cache[key] = out
        return out


def _guess_kind(module: str, name: str, last: bool, ref_kind: str) -> str:
    if module == "builtins":
        value = getattr(builtins, name, None)
        if isinstance(value, type):
            return "class"
        if callable(value):
            return "function"
        return "variable"
    if name[:1].isupper() and not name.isupper():
        return "class"
    if last and ref_kind == "call":
        return "function"
    return "variable"
