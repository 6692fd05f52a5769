"""A class that implements a Protocol without naming it (issue 12, structlog).

`typing.Protocol` is structural: `KeyValueColumnFormatter` never inherits
`ColumnFormatter`, yet every `Column.formatter(key, value)` call, typed by
the Protocol, runs its `__call__`. The graph links that call to the
Protocol's `__call__` (the resolver's dunder rule); nothing linked the
implementation to the Protocol, so a change to it reached no test.

The rule: a method `m` of class K dispatches from `P.m` of every workspace
Protocol P that defines `m` and that K conforms to the way a type checker
sees it: K (or a base) defines every method P declares, and K's `m` takes
the parameters P's does, by name (mypy and pyright check names: they may be
passed by keyword). A `*args` method is not taken for one: structlog's
`PrintLoggerFactory.__call__(self, *args)` would implement every callable
Protocol (34 false pairs for each of four functions, none true). The edge is the one an explicit
subclass gets (a dispatch from the base's method); the walk's receiver rule
then keeps the tests that can hold a K.

Measured in the note of the session that added it (evals.impact, depth 8,
default selection, against the same code without it).
"""

from __future__ import annotations

import ast

from indexer.graph.python_ast import parse
from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
PROTOCOL_BASES = frozenset(("typing.Protocol", "typing_extensions.Protocol"))


def protocol_dispatch(walk, method, owner: str, bases: list[str], defining) -> list[str]:
    """`P.m` of the Protocols P (defining `m`) that `owner` conforms to
    without inheriting them: the methods whose callers run `method`.
    `defining(name)`: the classes that define a method `name`."""
    if not RULE or method.kind != SymbolKind.METHOD:
        return []
    out = []
    ancestry = {owner, *bases}
    for protocol in sorted(defining(method.name) - ancestry):
        if not _is_protocol(walk, protocol):
            continue
        declared = _methods(walk, protocol)
        if not all(defining(name) & ancestry for name in declared):
            continue
        if _conforms(walk.symbol(f"{protocol}.{method.name}"), method):
            out.append(f"{protocol}.{method.name}")
    return out


def _is_protocol(walk, cls: str) -> bool:
    key = ("is protocol", cls)
    if key not in walk.memo:
        walk.memo[key] = bool(PROTOCOL_BASES.intersection(walk.graph.base_targets(cls)))
    return walk.memo[key]


def _methods(walk, protocol: str) -> frozenset[str]:
    key = ("protocol methods", protocol)
    if key not in walk.memo:
        walk.memo[key] = frozenset(sym.name for sym in walk.graph.members(protocol)
                                   if sym.kind == SymbolKind.METHOD)
    return walk.memo[key]


def _conforms(declared, implemented) -> bool:
    """The implementation takes the parameters the Protocol's signature
    names, in order, after the receiver."""
    if declared is None:
        return False
    want, got = _parameters(declared.signature), _parameters(implemented.signature)
    if want is None or got is None:
        return False
    return got == want


def _parameters(signature: str) -> tuple[str, ...] | None:
    """The positional parameter names after the receiver of a `def`
    signature as the index stores it; None if unreadable."""
    text = signature.strip()
    if text.startswith("async "):
        text = text[6:]
    try:
        tree = parse(text + ":\n    pass\n")
    except (SyntaxError, ValueError):
        return None
    func = tree.body[0] if tree.body else None
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    args = func.args
    return tuple(a.arg for a in (*args.posonlyargs, *args.args))[1:]
