"""In a receiver walk (who can hold an instance of C), a call of C's own
instance method needs a C already: no chain through it hands a test its
first one (issue 12, pyparsing: which tests hold which classes).

    class Forward(ParseElementEnhance):
        def copy(self):
            ret = Forward()          # makes a Forward ...
            ...

    class ParserElement:
        def _setResultsName(self, name, list_all_matches=False):
            newself = self.copy()    # ... but only for one who holds a Forward

The walk of `Forward` went `Forward -> Forward.copy -> (dispatch)
ParserElement._setResultsName -> set_results_name -> ParserElement`, and from
the class `ParserElement` to every test that holds any parser element:
`Forward.copy` and the other Forward methods looked run by all 1,712 tests
(truth: 22 for `copy`). impact's RECEIVER_SELF_RULE already rules out a
test whose *first* chain crosses a dispatch into such a method; the guard
requirements (impact_guards.requirements) see every chain, so the edge out
of such a method carries the token `PASSED` (impact_holders), which no test
gives: a test reached only through such chains is listed, ruled out.

OWN_METHOD_RULE: a method of a class the receiver walk walks (the class and
its subclasses that run the method), needing a receiver (impact_precision.receiver_class: not a
constructor, static or class method).

Finds (evals.impact --depths 8 --no-hybrid, default selection, cache of
/tmp/cache-mg, with impact_declared, which it needs: alone, the class-body
annotation's chain still reaches every test): pyparsing 0.813/0.436 (main
d17eebb run in the same session: 200,049 predicted, 87,274 true; the shared
figure is 0.815/0.435, 200,927 / 87,430) -> 0.813/0.460 (189,576 predicted,
87,226 true; Forward's holders 1,712 -> 309; -76 true of `Forward.__del__`,
run by garbage collection in later tests). Each alone: declared 199,137
predicted / 87,260 true, heldself 199,792 / 87,309. Elsewhere: packaging
0.869/0.633 -> 0.868/0.639, wrapt P 0.656 -> 0.658, tenacity 3,315 -> 3,311
predicted, click 29,778 -> 29,773; the other eleven identical.
"""

from __future__ import annotations

from indexer.analysis.impact_precision import receiver_class

OWN_METHOD_RULE = True  # switch, for its test


def needs_held(walk, callee: str, memo: dict, subclasses) -> bool:
    """`callee` is an instance method of the class the receiver walk walks
    (its root) or of one of its subclasses the walk walks; `subclasses(c)`:
    c's subclasses. (Not of a class the walk came to hold by protocol,
    `walk.created`'s later members: `==` on any parser element.)"""
    if not OWN_METHOD_RULE or walk.runs or not walk.created:
        return False
    root = next(iter(walk.reach))
    key = (callee, root)
    out = memo.get(key)
    if out is None:
        sym = walk.symbol(callee)
        cls = receiver_class(sym, walk.symbol) if sym is not None else None
        out = memo[key] = cls is not None and cls.qualname in walk.created and (
            cls.qualname == root or cls.qualname in subclasses(root))
    return out
