"""SCIP symbol strings from graph qualnames (the grammar in scip.proto:
`<scheme> ' ' <manager> ' ' <name> ' ' <version> ' ' <descriptors>`).

Descriptors follow scip-python's conventions so both tools name the same
thing the same way: a module is one namespace with its dotted name
(`` `pkg.mod`/ ``) and `__init__:` names the module itself; classes are
types (`Cls#`), functions and methods are methods (`f().`), parameters
are `(p)`, everything else is a term (`x.`).

Each language has its own scheme: Python's symbols read `scip-python python
...` (scip-python's, so the two tools' indexes agree), another language's
`scip-<language> . ...` with the qualname's scheme taken off the module
descriptor (`toyjson:config.app` -> `` `config.app`/ ``), so two languages
never share a symbol.
"""

from __future__ import annotations

import builtins
import re

from indexer.export.package import Package, external_package, is_module_path
from indexer.languages.base import DEFAULT_SCHEME, language_of, local_name
from indexer.graph.vocab import RefKind, SymbolKind

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


def package_prefix(package: Package, scheme: str = SCHEME, manager: str = MANAGER) -> str:
    return f"{scheme} {manager} {_package_field(package.name)} {_package_field(package.version)} "


def language_scheme(language: str) -> tuple[str, str]:
    """(scheme, package manager) of a language's symbols; "." = no manager."""
    return (SCHEME, MANAGER) if language == DEFAULT_SCHEME else (f"scip-{language}", ".")


def descriptor(name: str, kind: str) -> str:
    if kind in _TYPE_KINDS:
        return escape_name(name) + "#"
    if kind in _METHOD_KINDS:
        return escape_name(name) + "()."
    if kind == SymbolKind.PARAMETER:
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
        self.package = package
        self.prefix = package_prefix(package, scheme)
        self.scheme = scheme
        self._prefixes: dict[str, str] = {DEFAULT_SCHEME: self.prefix}
        self.kinds = kinds  # workspace qualname -> kind
        self.modules = modules  # workspace module names
        self._cache: dict[str, str | None] = {}

    def workspace(self, qualname: str) -> str | None:
        """The symbol of a workspace definition or module; None when the
        qualname is not one."""
        if qualname in self._cache:
            return self._cache[qualname]
        out = None
        prefix = self._prefix(language_of(qualname))
        if qualname in self.modules:
            out = prefix + module_descriptor(local_name(qualname)) + "__init__:"
        elif qualname in self.kinds:
            module = self._module_of(qualname)
            if module is not None:
                out = prefix + module_descriptor(local_name(module))
                parts = qualname[len(module) + 1:].split(".")
                for i, part in enumerate(parts):
                    kind = self.kinds.get(f"{module}.{'.'.join(parts[:i + 1])}", "variable")
                    out += descriptor(part, kind)
        self._cache[qualname] = out
        return out

    def _prefix(self, language: str) -> str:
        """The scheme, manager, package and version part of a language's symbols."""
        if language not in self._prefixes:
            self._prefixes[language] = package_prefix(self.package, *language_scheme(language))
        return self._prefixes[language]

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
        language = language_of(dotted)
        if language != DEFAULT_SCHEME:  # no sys.path to look in: the first name is the package
            parts = local_name(dotted).split(".")
            scheme, manager = language_scheme(language)
            out = package_prefix(Package(parts[0], ""), scheme, manager) + module_descriptor(parts[0])
            out += "".join(descriptor(part, "variable") for part in parts[1:]) if len(parts) > 1 else "__init__:"
            self._cache[key] = out
            return out
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
    if last and ref_kind == RefKind.CALL:
        return "function"
    return "variable"
