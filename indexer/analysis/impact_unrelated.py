"""A chain of `self` links never enters a class unrelated to the target's
(issue 12, pyparsing precision): impact_selfchain's overriding subclass,
widened to a class no instance of the target's class can be.

    class _PendingSkip(ParserElement):
        def _generateDefaultName(self): ...         # the target

    class Word(Token):
        def __init__(self, ...):
            self.errmsg = "Expected " + self.name   # self is a Word

The chain `_PendingSkip._generateDefaultName <- default_name
[dispatch-self] <- name [returned] <- Word.__init__ [mro]` holds one
object on every link: a `_PendingSkip` at the target, a `Word` in
`Word.__init__`. No class is a subclass of both (in the index's class
hierarchy; the class itself counts), so no object is both: the chain runs
nothing there, and impact_selfchain rules out the tests reached only so.
A base of the target's class (`ParserElement.__init__`) or a subclass is
related and kept.
"""

from __future__ import annotations

RULE = True  # switch, for its test


def _below(walk, cls: str) -> frozenset[str]:
    """The class and all its subclasses (memoised: graph only)."""
    key = ("unrelated below", cls)
    if key not in walk.memo:
        seen, level = {cls}, [cls]
        while level:
            level = [q for q in walk.graph.hierarchy_step(level, True) if q not in seen]
            seen.update(level)
        walk.memo[key] = frozenset(seen)
    return walk.memo[key]


def unrelated(walk, user_class: str, target_class: str) -> bool:
    """Whether no class is both a `user_class` and a `target_class`."""
    if not RULE or not user_class or not target_class:
        return False
    return not (_below(walk, user_class) & _below(walk, target_class))
