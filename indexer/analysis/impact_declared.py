"""A class body's annotation declares an attribute; it makes no instance
(issue 12, pyparsing: which tests hold which classes).

    class ParserElement:
        recursion_memos: Dict[Tuple[int, "Forward", bool], ...] = {}

The receiver walk of `Forward` (who can hold a Forward, impact's
`_receiver_tests`) followed the annotation use to `ParserElement`, and from
there every test that holds any parser element: `Forward.copy`,
`ParseResults.__getstate__` and the other methods of both classes looked run
by all 1,712 tests. The value of an annotated class attribute comes from
its assignment (a call, walked on its own) or from whoever sets it (a
dataclass field: the constructor's caller, as a parameter's,
impact_holders): the annotation itself hands out nothing. impact_holders
already treats a function's parameter and local annotations so; a return
annotation (a factory, `-> C`) still makes one.

The edge keeps the guard token `PASSED` (impact_holders), which no test
gives: a test reached only so is listed, ruled out, never dropped.
CLASS_BODY_RULE: a class's own body (its enclosing scope is the class).
MODULE_BODY_RULE: a module's body (`handler: Handler`, `x: Dict[str, C]`).
Figures: impact_heldself (the two together free Forward's methods; this
alone, pyparsing 200,927 -> 199,137 predicted, 87,430 -> 87,260 true).
"""

from __future__ import annotations

from indexer.graph.vocab import SymbolKind

CLASS_BODY_RULE = True  # switch, for its test
MODULE_BODY_RULE = True  # switch, for its test


def declares_only(user) -> bool:
    """An annotation use of a class in `user`'s own body makes none."""
    if user is None:
        return False
    if user.kind == SymbolKind.CLASS:
        return CLASS_BODY_RULE
    if user.kind == SymbolKind.MODULE:
        return MODULE_BODY_RULE
    return False
