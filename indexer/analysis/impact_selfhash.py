"""A class's `__hash__` run by its own methods that key a cache by `self`
(issue 12, pyparsing):

    class ParserElement:
        def __hash__(self):
            return id(self)

        def _parseCache(self, instring, loc, do_actions=True, callPreParse=True):
            lookup = (self, instring, loc, callPreParse, do_actions)
            value = cache.get(lookup)            # pyparsing/core.py (packrat)

No reference names `__hash__` there. The rule: the methods of the class
and of its subclasses (not its bases: their `self` is such an instance
only when a subclass runs them) that look up, store or hash a key holding
`self` (`d[self]`, `d.get((self, x))`, `s.add(self)`, `hash(self)`, or a
local bound to a tuple holding `self` used so) are dispatch users of the
class's `__hash__` (how "protocol"); the receiver rule then keeps the tests
that can hold the class. Narrower than impact_protocols.HASH_RULE (every
holder of the class, where a function after it may hash: off, packaging
0.633 -> 0.573 precision). `x in xs` is left out (a list compares, it
hashes nothing).
"""

from __future__ import annotations

import ast
from pathlib import Path

from indexer.analysis.impact_guards import _own_node
from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
_KEYED_CALLS = frozenset(("get", "pop", "setdefault", "add", "discard"))


def self_keyed_users(walk, method, owner: str, subs: list[str]) -> list[str]:
    """The methods of `owner` (the `__hash__`'s class) and its subclasses
    that key a lookup by `self` (memoised per class in `walk.memo`)."""
    if not RULE or method.kind != SymbolKind.METHOD or method.name != "__hash__":
        return []
    key = ("self keyed users", owner)
    if key not in walk.memo:
        found = []
        for cls in sorted({owner, *subs}):
            for sym in walk.graph.members(cls):
                if sym.kind != SymbolKind.METHOD or sym.name in ("__hash__", "__eq__"):
                    continue
                node = _own_node(Path(walk.graph.root) / sym.path, sym)
                if node is not None and keys_by_self(node):
                    found.append(sym.qualname)
        walk.memo[key] = found
    return walk.memo[key]


def _is_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def keys_by_self(function: ast.AST) -> bool:
    """Whether a function's body looks up, stores or hashes a key holding `self`."""
    tuples = set()  # locals bound to a tuple that holds `self`
    for sub in ast.walk(function):
        if isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Tuple) and any(map(_is_self, sub.value.elts)):
            tuples.update(t.id for t in sub.targets if isinstance(t, ast.Name))

    def keyed(node: ast.AST) -> bool:
        return _is_self(node) or (isinstance(node, ast.Name) and node.id in tuples) or (
            isinstance(node, ast.Tuple) and any(map(_is_self, node.elts)))

    for sub in ast.walk(function):
        if isinstance(sub, ast.Subscript) and keyed(sub.slice):
            return True
        if isinstance(sub, ast.Call) and sub.args and keyed(sub.args[0]) and (
                (isinstance(sub.func, ast.Attribute) and sub.func.attr in _KEYED_CALLS)
                or (isinstance(sub.func, ast.Name) and sub.func.id == "hash")):
            return True
    return False
