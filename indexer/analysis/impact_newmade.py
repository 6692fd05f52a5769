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
    a read in a `__new__` method (`super().__new__(Other)`), not a
    metaclass's (whose `__new__` makes classes: `vars(Mixin)` copied into
    the class it makes is no instance of Mixin)."""
    if not RULE or kind != RefKind.READ:
        return False
    symbol = walk.symbol(user)
    if symbol is None or symbol.kind != SymbolKind.METHOD or symbol.name != "__new__":
        return False
    return not _metaclass(walk, symbol.parent)


def _metaclass(walk, cls: str | None) -> bool:
    """Whether `cls` derives from `type`."""
    return any(base in ("builtins.type", "type") for base in ancestors(walk, cls))


def ancestors(walk, cls: str | None) -> list[str]:
    """Every base on `cls`'s hierarchy, in or out of the workspace, as the
    index resolved them (the bases' table memoised per index in `walk.memo`;
    impact_library reads the outside ones)."""
    key = ("newmade class bases",)
    if key not in walk.memo:
        walk.memo[key] = walk.graph.class_bases()
    bases = walk.memo[key]
    out, seen, todo = [], set(), [cls] if cls else []
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for base in bases.get(current, ()):
            out.append(base)
            todo.append(base)
    return out
