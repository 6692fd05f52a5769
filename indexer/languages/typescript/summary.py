"""`TsSummary`: what other files can see of one TypeScript/JavaScript file
(module-scope bindings, exports, `export *`, every symbol's kind and type
facts), or of one config file (its module-resolution settings)."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.languages.base import Compact, FileFacts


@dataclass(slots=True)
class TsSummary(Compact):
    module: str
    path: str
    dialect: str = "typescript"
    # module-scope name -> ("def", qualname) | ("import", spec, name) | ("val", Expr)
    names: dict = field(default_factory=dict)
    exports: dict = field(default_factory=dict)
    stars: tuple = ()
    # qualname -> (kind, type_expr, returns, bases)
    symbols: dict = field(default_factory=dict)
    config: dict | None = None
    # function/method qualname -> declared parameter types (Expr or None), in order
    params: dict = field(default_factory=dict)
    namespaces: dict = field(default_factory=dict)  # see TsFacts
    augments: tuple = ()
    # type alias qualname -> its type parameters' names, in order
    tparams: dict = field(default_factory=dict)
    # member qualname -> the literal its type is (`ok: true` -> "true")
    literals: dict = field(default_factory=dict)
    tbounds: dict = field(default_factory=dict)  # see TsFacts


def summarize(facts: FileFacts) -> TsSummary:
    extra = facts.extra
    symbols = facts.symbols
    names = {}
    if facts.scopes:
        for name, binding in facts.scopes[0].names.items():
            names[name] = ("def", symbols[binding[1]].qualname) if binding[0] == "def" else binding
    table = {s.qualname: (s.kind, s.type_expr, s.returns, s.bases) for s in symbols[1:]}
    return TsSummary(facts.module, facts.path, extra.dialect if extra else "typescript", names,
                     dict(extra.exports) if extra else {}, tuple(extra.stars) if extra else (), table,
                     extra.config if extra else None, dict(extra.params) if extra else {},
                     dict(extra.namespaces) if extra else {}, tuple(extra.augments) if extra else (),
                     {q: tuple(names) for q, names in extra.tparams.items()} if extra else {},
                     dict(extra.literals) if extra else {}, dict(extra.tbounds) if extra else {})
