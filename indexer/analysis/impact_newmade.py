"""Instances a `__new__` makes of another class (issue 12, pyparsing):

    class Literal(Token):
        def __new__(cls, match_string="", *, matchString=""):
            if len(match_string) == 1:
                return super().__new__(_SingleCharLiteral)   # pyparsing/core.py
            ...

`Literal("x")` returns a `_SingleCharLiteral`: whoever calls `Literal` may
hold one. In a receiver walk (who can hold an instance of a class: the
walk follows only what makes one, calls and subclasses) the class's read
in another class's `__new__` makes an instance too; the walk then goes on
to that `__new__`, whose callers are those of its class (the constructor
link). Before, no test held a `_SingleCharLiteral`, and its `parseImpl`
selected none of its 704 tests.

Only a read whose user is a method named `__new__`: a class named in any
other function is handed around, not made (the walk follows its calls).
"""

from __future__ import annotations

from indexer.graph.vocab import RefKind, SymbolKind

RULE = True  # switch, for its test


def made_in_new(walk, kind: str, user: str) -> bool:
    """Whether a `kind` use of a created class by `user` makes an instance:
    a read in a `__new__` method (`super().__new__(Other)`)."""
    if not RULE or kind != RefKind.READ:
        return False
    symbol = walk.symbol(user)
    return symbol is not None and symbol.kind == SymbolKind.METHOD and symbol.name == "__new__"
