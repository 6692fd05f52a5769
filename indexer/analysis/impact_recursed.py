"""A function's use of itself is no way into it (issue 12, pyparsing
precision): impact_identity's entries, without the recursion that cannot
carry the guarded value.

    class ParserElement:
        def __radd__(self, other):
            if other is Ellipsis:
                return SkipTo(self)("_skipped*") + self   # only `... + expr`
            if isinstance(other, str_type):
                other = self._literalStringClass(other)
            if not isinstance(other, ParserElement):
                return NotImplemented
            return other + self                          # a use of __radd__ again

The walk entered `__radd__` from `SkipTo.__init__` (or `__call__`) under
`other is Ellipsis`, and keeps a user of `__radd__` where some entry's
guard can be met. `__radd__` uses itself too (`other + self`, recorded as
`self`'s reflected method), under `other is not Ellipsis`; counted as an
entry, that guard let every `a + expr` through. A recursive use is a way
into the chain only when the function, calling itself, can pass values
meeting another entry's guard (the inner call must take the guarded
branch): here neither `SkipTo(...)(...) + self` (a call's result) nor
`other + self` (narrowed by `isinstance`) passes an Ellipsis.

Python runs `other.__add__(self)` at `other + self` first, which the index
does not record (`other`'s class is unknown there): `"x" + expr` makes an
And through it. So a reflected operator's own use stays an entry where
the walk reached its class's forward method (`ParserElement.__add__`) no
deeper and that site, passing `self` as the forward method's operand, can
meet one of its entries' guards (`self` is never the Ellipsis that
`__add__ -> _PendingSkip` needs; the walk from `And` keeps every `a + expr`).

Default selection, depth 8, all sixteen projects (evals.impact --no-hybrid,
PYTHONHASHSEED=0), against main 1257552: pyparsing 166,893 -> 164,519
predicted pairs, 93,582 -> 93,186 true (P 0.561 -> 0.566, R 0.872 ->
0.868; with impact_augassign 164,442 / 93,178, P 0.567), the other fifteen
identical. Most of it is in the receiver walks (who can hold a SkipTo,
_PendingSkip, Suppress): only in walks asking who runs the target, it was
-116 predicted. The links `__radd__ <- __call__` 3,376 -> 1,374 false pairs
(343 -> 60 true), `__radd__ <- SkipTo.__init__` 2,809 -> under 889; the
rest reach the same tests through `_PendingSkip.__add__` / `Suppress.__add__`
(923 -> 2,255 and under 889 -> 1,981 false). The true pairs lost
(ParseResults.__iadd__ and __bool__ -104 each, can_parse_next -24...) came
through `_parseNoCache -> Each.parseImpl` in tests that build no Each:
their real way is And.parseImpl's `resultlist += exprtokens`, a use the
index does not record (`resultlist` from a tuple unpacking).
"""

from __future__ import annotations

RULE = True  # switch, for its test


def own_entry_counts(identity, guards, walk, node: str, others: list, into: dict) -> bool:
    """Whether `node`'s use of itself is an entry: some use of `node` in its
    own body may pass values meeting one of `others` (the guards of the
    other entries; `identity` is impact_identity), or `node` is a reflected
    operator whose class's forward method the walk reached no deeper and
    its own operator sites (`other + self`, which run `other.__add__(self)`
    first: the index records the reflected use alone, `other` being of
    unknown class) may meet that method's entries."""
    if not RULE:
        return True
    if any(identity.can_satisfy(guards, walk, node, node, guard) for guard in others):
        return True
    owner, _, name = node.rpartition(".")
    forward = f"{owner}.{_FORWARD[name]}" if name in _FORWARD else None
    reach = walk.reach.get(forward) if forward is not None else None
    if reach is None or reach.depth > walk.reach[node].depth:
        return False
    entries = identity._entries(guards, walk, forward, into)
    if entries is None:
        return True
    sites = identity._uses_in(guards, walk, node, node)  # the operator sites, where `__rX__` is recorded
    return any(identity._can_satisfy(guards, walk, forward, node, guard, refs=sites) for guard in entries)


_BINARY = ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift", "and", "xor", "or")
_FORWARD = {f"__r{n}__": f"__{n}__" for n in _BINARY}
