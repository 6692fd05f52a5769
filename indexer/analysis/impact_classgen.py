"""Which uses in a class statement build the class (impact's "define" links).

A class statement runs its decorators, its base classes' `__init_subclass__`,
its metaclass and the calls in its body; what it produces is a class the
rest of the program then uses (impact lists those users ranked low, at
CREATED_CONFIDENCE). Reading a name in the body runs nothing:
`SERIALIZATION_FUNCS = {"iso": utils.isoformat}` or
`TYPE_MAPPING = {dt.datetime: fields.DateTime}` stores a function or a class
to be called later, and the walk already follows the stored value through
the attribute it lands in (value flow: "registry", "alias"). Counting the
read as class creation made a change to `utils.isoformat` reach every user of
`DateTime`, then of `Schema` (whose TYPE_MAPPING names DateTime), then every
schema in marshmallow's tests.
"""

from __future__ import annotations

from indexer.graph.model import Symbol
from indexer.graph.vocab import RefKind, SymbolKind

_READS = (RefKind.READ, RefKind.ATTRIBUTE)
_STORED_KINDS = (SymbolKind.FUNCTION, SymbolKind.METHOD, SymbolKind.CLASS)


def stored_not_run(kind: str, used: Symbol | None, user: Symbol | None) -> bool:
    """A read of a function, method or class in a class body: the class
    statement stores it (the walk follows it by value flow), it does not
    run it, so the class is not built by it."""
    return kind in _READS and user is not None and user.kind == SymbolKind.CLASS \
        and used is not None and used.kind in _STORED_KINDS
