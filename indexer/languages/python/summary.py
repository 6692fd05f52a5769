"""What other modules need to know about a module to resolve names into it.

A summary holds the module-scope bindings, star imports, `__all__`, and every
non-local symbol (module- and class-level) with the facts type inference
uses. Function locals stay out: nothing outside the file can see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.languages.base import (SYM_BASES, SYM_DECORATOR_EXPRS, SYM_FLAGS, SYM_KIND, SYM_PARAMS, SYM_PARENT,
                                    SYM_QUALNAME, SYM_RETURNS, SYM_TYPE_EXPR, Compact, FileFacts, sym_row)
from indexer.languages.python.facts import python_facts
from indexer.graph.vocab import SymbolKind

# Symbol kinds that live on a class (attribute lookups find them).
MEMBER_KINDS = frozenset({"method", "attribute"})


@dataclass(slots=True)
class SymInfo(Compact):  # (sym_info passes the fields positionally, in this order)
    qualname: str
    kind: str
    module: str
    flags: tuple[str, ...] = ()
    type_expr: tuple | None = None
    returns: tuple | None = None
    bases: tuple = ()
    params: tuple = ()
    members: dict[str, str] = field(default_factory=dict)  # classes: name -> qualname
    is_member: bool = False  # defined in a class body (or via self.x)
    decorators: tuple = ()  # decorator expressions, outermost first
    alt_returns: tuple = ()  # return annotations of further @overload definitions


@dataclass(slots=True)
class ModuleSummary(Compact):
    module: str
    path: str
    is_package: bool
    names: dict[str, tuple]  # module scope: name -> binding (defs by qualname)
    stars: list[tuple[int, str]]
    all_names: list[str] | None
    symbols: dict[str, SymInfo]

    def exports(self) -> set[str]:
        """Names a star import of this module brings in."""
        if self.all_names is not None:
            return set(self.all_names)
        return {name for name in self.names if not name.startswith("_")}


def sym_info(symbols: list[tuple], module: str, index: int) -> SymInfo:
    """`symbols`: the file's symbols as rows (SYM_* positions)."""
    sym = symbols[index]
    parent = sym[SYM_PARENT]
    # (Positional: a resolver worker builds one for every symbol of every file.)
    return SymInfo(sym[SYM_QUALNAME], sym[SYM_KIND], module, sym[SYM_FLAGS], sym[SYM_TYPE_EXPR], sym[SYM_RETURNS],
                   sym[SYM_BASES], sym[SYM_PARAMS], {}, parent >= 0 and symbols[parent][SYM_KIND] == SymbolKind.CLASS,
                   sym[SYM_DECORATOR_EXPRS])


def keep_first(infos: dict[str, SymInfo], info: SymInfo) -> None:
    """First definition of a qualname wins; later overloads add their returns."""
    held = infos.get(info.qualname)
    if held is None:
        infos[info.qualname] = info
    elif info.returns is not None and held.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD):
        held.alt_returns = held.alt_returns + (info.returns,)


def class_members(symbols: list[tuple], scopes) -> dict[int, dict[str, str]]:
    """Symbol index of each class -> its member names and their qualnames."""
    out: dict[int, dict[str, str]] = {}
    for scope in scopes:
        if scope.kind != SymbolKind.CLASS:
            continue
        out[scope.symbol] = {
            name: symbols[binding[1]][SYM_QUALNAME]
            for name, binding in scope.names.items()
            if binding[0] == "def"
        }
    return out


def symbol_infos(symbols: list[tuple], scopes, module: str, with_locals: bool) -> dict[str, SymInfo]:
    """SymInfo per qualname (first definition wins, overloads add returns),
    from a file's symbols as rows (`sym_row`) and its scopes.
    Without locals: what other modules can see (no parameters, nothing
    defined inside a function)."""
    infos: dict[str, SymInfo] = {}
    members = class_members(symbols, scopes)
    for index, sym in enumerate(symbols):
        kind, parent = sym[SYM_KIND], sym[SYM_PARENT]
        if not with_locals and (kind == SymbolKind.PARAMETER
                                or parent >= 0 and symbols[parent][SYM_KIND] not in (SymbolKind.MODULE, SymbolKind.CLASS)):
            continue
        info = sym_info(symbols, module, index)
        if kind == SymbolKind.CLASS:
            info.members = members.get(index, {})
        keep_first(infos, info)
    return infos


def summarize(facts: FileFacts) -> ModuleSummary:
    symbols = symbol_infos(list(map(sym_row, facts.symbols)), facts.scopes, facts.module, with_locals=False)
    module_scope = facts.scopes[0].names if facts.scopes else {}
    names = {
        name: ("def", facts.symbols[b[1]].qualname) if b[0] == "def" else b
        for name, b in module_scope.items()
    }
    return ModuleSummary(
        module=facts.module,
        path=facts.path,
        is_package=facts.is_package,
        names=names,
        stars=list(python_facts(facts).star_imports),
        all_names=python_facts(facts).all_names,
        symbols=symbols,
    )
