"""A template method's `self.x` never reaches a subclass that overrides the
template method itself (issue 12, voluptuous). Python looks a method up on
the instance's class first:

    class Invalid(Error):
        def prepend(self, path):
            self._path = path + self.path         # dispatch-self to MultipleInvalid.path?

    class MultipleInvalid(Invalid):
        @property
        def path(self): return self.errors[0].path
        def prepend(self, path):                  # overrides prepend, no super() call
            for error in self.errors:
                error.prepend(path)

`error.prepend(p)` on a MultipleInvalid runs `MultipleInvalid.prepend`, so
in `Invalid.prepend` `self` is never a MultipleInvalid (nor an instance of
one of its subclasses, which inherit the override): the dispatch-self link
`Invalid.prepend -> MultipleInvalid.path` runs nothing. Kept where the
override names the base's method (`super().prepend(path)`,
`Invalid.prepend(self, path)`; a call on another object matched to it
only by name, `error.prepend(path)`, does not), where the subclass binds the name to
anything but a function (`prepend = Invalid.prepend`), and where the
override sits in a class that is not a subclass of the caller's. The tests
reached only so are ruled out (soft, as impact_falsebranch); the
dependents stay.

Cost: a symbol lookup and one `uses_in` per dispatch-self link, plus a walk
up the subclass's bases, memoised while the index is unchanged. Like the
other precision rules for unseen projects it runs only up to
impact.GUARD_MAX_FILES Python files.

Finds, default selection (evals.impact, same cached truth, depth 8):
voluptuous -127 false pairs and -6 true (precision 0.483 -> 0.503, recall
0.833 -> 0.829), all of `MultipleInvalid.path` through
`Invalid.prepend`; the six true ones run it through `e.path` reads on an
`except Invalid as e` variable holding a MultipleInvalid, which the graph
does not dispatch to the property override (they were found only through
this wrong link). click -49 false pairs, no true one lost (0.615 ->
0.616). The other twelve projects: identical.
"""

from __future__ import annotations

from indexer.graph.model import Symbol
from indexer.graph.vocab import RefKind, SymbolKind

RULE = True  # switch, for its test
_DISPATCH_SELF = "dispatch-self"
_NAME_MATCH = "name-match"  # `error.prepend(path)` on another object, matched by name only: no super call
_FUNCTIONS = (SymbolKind.FUNCTION, SymbolKind.METHOD)
_USES = (RefKind.CALL, RefKind.READ, RefKind.ATTRIBUTE)


def overridden_caller(graph, memo: dict, how: str, used: Symbol | None, user: Symbol | None) -> bool:
    """Whether the dispatch-self link `user` (a method of class A) ->
    `used` (a member of B, a subclass of A) runs nothing: B defines a
    method of `user`'s name that never names A's."""
    if not RULE or how != _DISPATCH_SELF or used is None or user is None or user.kind != SymbolKind.METHOD:
        return False
    base, sub = user.parent, used.parent
    if not base or not sub or base == sub:
        return False
    key = ("overridden caller", user.qualname, sub)
    if key not in memo:
        override = graph.symbol(f"{sub}.{user.name}")
        memo[key] = (override is not None and override.kind in _FUNCTIONS
                     and base in _superclasses(graph, memo, sub)
                     and not any(ref.how != _NAME_MATCH for ref in graph.uses_in(user.qualname, override.qualname, _USES)))
    return memo[key]


def _superclasses(graph, memo: dict, cls: str) -> frozenset[str]:
    key = ("overridden bases", cls)
    if key not in memo:
        seen: set[str] = set()
        level = [cls]
        while level:
            level = [q for q in graph.hierarchy_step(level, False) if q not in seen]
            seen.update(level)
        memo[key] = frozenset(seen)
    return memo[key]
