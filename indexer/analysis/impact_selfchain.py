"""A chain of `self` links carries the target's receiver: it never enters a
subclass that overrides the target (issue 12, pyparsing precision).

    class ParserElement:
        @property
        def default_name(self):
            return self._generateDefaultName()     # dispatch-self to Token's
        @property
        def name(self):
            return self.default_name

    class Token(ParserElement):
        def _generateDefaultName(self): ...       # the target

    class Word(Token):
        def __init__(self, ...):
            self.errmsg = "Expected " + self.name   # self is a Word
        def _generateDefaultName(self): ...       # overrides the target

The chain `Token._generateDefaultName <- default_name [dispatch-self] <-
name [returned] <- Word.__init__ [mro]` holds one object, `self`, on every
link; in `Word.__init__` it is a Word (or a subclass, which inherits Word's
override), whose `_generateDefaultName` is never Token's: the chain runs
nothing there. The test-level receiver rule (impact._receiver_tests) keeps
these tests, since they also hold a NoMatch or a StringEnd elsewhere.

The rule: the target is a method of class T; every link from it to the
link's parent is a `self` link (`self`, `mro`, `super`, `dispatch-self`,
a reader that returns a `self.x` read, or a
`str(self)`-like builtin call); the user is a method of a
subclass of T that (or one of whose bases below T) overrides the target
without calling up to it (impact.overriding_subclasses). The tests reached
only so are ruled out (soft, as impact_overridden); the dependents stay.

Measured (pyparsing, depth 8, PYTHONHASHSEED=0, default selection):
160,143 -> 160,065 predicted, 93,137 true kept (0.868 / 0.582); only
`Token._generateDefaultName` moves, 1,469 -> 1,391 false pairs. Its rest
goes through `StringEnd.__init__ -> set_name("end of text")`, whose
`str(self)` never reads `default_name` (a custom name is set first): a
value the rule does not see. Overriders are judged to a fixpoint: an
override calling up through a base's override (`super().__init__()`) runs
the target (without it, 55 true pairs of three `__init__`s were lost).
"""

from __future__ import annotations

from pathlib import Path

from indexer.analysis.impact_exact import _rows
from indexer.analysis.impact_unrelated import unrelated_method
from indexer.graph.vocab import How, RefKind, SymbolKind

RULE = True  # switch, for its test
_SELF_LINKS = (How.SELF, How.MRO, How.SUPER, "dispatch-self")
_RETURNED = "returned"
_DUNDER = How.DUNDER  # `str(self)`: the same object when the argument is `self`
_USES = (RefKind.READ, RefKind.ATTRIBUTE, RefKind.CALL)


def off_receiver(walk, how: str, parent: str, enclosing: str, overriders) -> bool:
    """Whether the link `parent` -> `enclosing` (a method) ends a chain of
    `self` links from the walk's target into a class whose instances never
    run the target. `overriders(target)`: the target's overriding
    subclasses with their own subclasses."""
    if not RULE or how not in (*_SELF_LINKS, _DUNDER):
        return False
    user = walk.symbol(enclosing)
    if user is None or user.kind != SymbolKind.METHOD or not user.parent:
        return False
    links = [(how, parent, enclosing)]
    node = parent
    for _ in range(walk.max_depth + 2):
        reach = walk.reach.get(node)
        if reach is None:
            return False
        if reach.parent is None:  # the target
            sym = walk.symbol(node)
            return sym is not None and sym.kind == SymbolKind.METHOD \
                and (user.parent in overriders(sym) or unrelated_method(walk, user.parent, sym)) \
                and all(_self_link(walk, *link) for link in links)
        links.append((reach.how, reach.parent, node))
        node = reach.parent
    return False


def _self_link(walk, how: str, used: str, user: str) -> bool:
    """Whether `user` reaches `used` on its own `self` (memoised: graph only)."""
    if how in _SELF_LINKS:
        return True
    if how not in (_RETURNED, _DUNDER):
        return False
    key = ("selfchain link", how, used, user)
    if key not in walk.memo:
        refs = walk.graph.uses_in(used, user, _USES)
        walk.memo[key] = any(ref.how in _SELF_LINKS for ref in refs) if how == _RETURNED \
            else bool(refs) and all(_on_self(walk, ref) for ref in refs if ref.how == _DUNDER)
    return walk.memo[key]


def _on_self(walk, ref) -> bool:
    """A dunder call's argument is `self` (`str(self)`; the range is its `(`)."""
    rows = _rows(Path(walk.graph.root) / ref.path)
    line, col = ref.range.start.line, ref.range.start.character
    if rows is None or not 0 <= line < len(rows):
        return False
    return rows[line][col:].replace(" ", "").startswith("(self)")
