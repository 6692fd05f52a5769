"""A callable stored in an attribute by one method runs, through the
attribute, only in a test that can run that method (issue 12, pyparsing
precision).

    def set_debug_actions(self, start_action, ...):
        self.debugActions = self.DebugActions(start_action or _default_start_debug_action, ...)

    def _parseNoCache(self, ...):
        if self.debugActions.debug_try:
            self.debugActions.debug_try(...)

The value flow `_default_start_debug_action -> debugActions` (extract's
"stored" flow into a self attribute) then `debugActions <- _parseNoCache`
linked every test that parses to the default debug actions, though only a
test whose chain runs `set_debug_actions` ever stores them (6,066 false
pairs, 264 true). The guard of such a flow link is the token `RUNS` +
the storing methods; a test gives it where it is among the tests the
walk of a storer selects (impact's `storer_tests`).

Narrow on purpose: only where every store of the function into the
attribute is in a method that is no dunder (`__init__` runs for every
holder) and that nothing calls from a module or class body (import time).
Measured (pyparsing, depth 8, PYTHONHASHSEED=0, same cached truth as
wt-prec 963937c): as a guard requirement alone, 168,010 -> 167,965
predicted pairs, 90,233 true kept (P 0.537, R 0.841 unchanged): the
tests come back through the clean chain `set_debug <- parse_string`
(`StringEnd().set_debug(False)`, which never runs the `if flag:` reads).
With its token also tainting the walk softly (impact_flags' way) it is
unmeasured: the run (with impact_changed) went past the deadline. Off.
Later (wt-posarg): the clean chain is not `parse_string`'s
`set_debug(False)` (impact_switches already reads that positional False)
but `IndentedBlock.parseImpl`'s `nested_block.set_debug(self.debug)`,
which `_parseNoCache` dispatches from every parse; impact_switchattr
guards it with this module's token. The soft taint (`TAINT`) is then not
needed and stays off. Both rules on, the pyparsing eval ran past 3x main's
CPU (the storers' walks, `storer_tests`): off until that is cheap.
wt-storer2: switch_guard's and storer_guard's entry per link now sit in
IMPACT_MEMO's scratch dict (`link_memo`: an entry per link in its table
pushed pyparsing past the table's limit, and each start-over redid every
receiver and storer walk), and storer_tests goes through impact_order's
ORDER_MEMO (no None placeholder); together they took the eval from past
24 CPU minutes to the figures below (which of the two did most was not
separated; the storers' own walks are few: two in the whole eval). Measured
(pyparsing, depth 8, PYTHONHASHSEED=0, same code, off and on run side by
side on a loaded 2-core machine): off 161,631 predicted / 93,137 true
(P 0.576, R 0.868), 169.5 s user CPU; both on 155,501 / 92,923 (P 0.598,
R 0.866), 235.5 s (+39%); rerun alone side by side on a quieter machine:
off 169.4 s, on 212.3 s (+25%), same answers. --order reversed: all 417
answers identical. On (fast tier with both on: 1601 passed, 3 skipped).
wt-leak: those off and on runs went through a measuring wrapper of `impact`
that made evals.impact drop `line=` (evals/harness/keywords.py), so
`ParserElement.name`'s setter answered as its getter: 1,566 false pairs on
both sides. Plain runs: off 160,065 / 93,137, on (6969329) 153,935 / 92,923
(P 0.604); the rules' own saving is as measured (-6,130 predicted, -214 true).
"""

from __future__ import annotations

from indexer.graph.vocab import RefKind, SymbolKind

RULE = True  # switch, for its test: on (wt-storer2: cheap enough, see the module note)
# The token also taints the walk softly (impact.py's flag taint): off, the
# requirement alone does (see the module note).
TAINT = False
RUNS = "$runs:"  # the token: RUNS + the storers' qualnames, joined by "|"
_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)
_AT_IMPORT = (SymbolKind.MODULE, SymbolKind.CLASS)


def storer_guard(walk, callee: str, user: str, kind: str) -> frozenset[str]:
    """`{RUNS + storers}` where `user` is a self attribute that holds the
    function `callee` only by the stores of such methods; else nothing."""
    if not RULE or kind != RefKind.FLOW:
        return frozenset()
    key = ("storer guard", callee, user)
    memo = link_memo(walk)  # (one entry per link: kept off IMPACT_MEMO's table limit)
    if key not in memo:
        memo[key] = frozenset()
        used, attr = walk.symbol(callee), walk.symbol(user)
        if used is not None and used.kind in _CALLABLE and attr is not None and attr.kind == SymbolKind.ATTRIBUTE:
            storers = {ref.enclosing for ref in walk.graph.references(callee) if ref.enclosing
                       and walk.graph.uses_in(user, ref.enclosing, (RefKind.WRITE,))}
            if storers and all(_late_method(walk, s) for s in storers):
                memo[key] = frozenset([RUNS + "|".join(sorted(storers))])
    return memo[key]


def link_memo(walk) -> dict:
    """IMPACT_MEMO's scratch dict of the walk's table: per-link guard entries
    there never count toward the table's limit (an entry per link in the
    table made pyparsing's start over, and every start-over redid every
    receiver and storer walk)."""
    from indexer.analysis.impact import IMPACT_MEMO  # (impact imports this module)
    return IMPACT_MEMO.scratch(walk.memo)


def storer_taint(walk, callee: str, user: str, kind: str) -> frozenset[str]:
    """storer_guard's token as a soft taint of the walk too (impact_flags'
    way), where `TAINT` is on."""
    return storer_guard(walk, callee, user, kind) if TAINT else frozenset()


def _late_method(walk, qualname: str) -> bool:
    """A method, no dunder, that no module or class body calls."""
    sym = walk.symbol(qualname)
    if sym is None or sym.kind != SymbolKind.METHOD or sym.name.startswith("__"):
        return False
    for ref in walk.graph.references_of_kinds(qualname, (RefKind.CALL,)):
        owner = walk.symbol(ref.enclosing) if ref.enclosing else None
        if owner is None or owner.kind in _AT_IMPORT:
            return False
    return True


def discharged(requirement, runs, prefix: str = RUNS):
    """The requirement with each RUNS token discharged where the test can run
    one of its storers (`runs(storer) -> bool`) and each alternative needing
    one it cannot dropped; None: no alternative is left (ruled out). Another
    `prefix`: `runs(token body)` judges each of its tokens (impact_changed)."""
    if not requirement or not any(t.startswith(prefix) for a in requirement for t in a):
        return requirement
    out = set()
    for alternative in requirement:
        tokens = {t for t in alternative if t.startswith(prefix)}
        if all((any(runs(s) for s in t[len(RUNS):].split("|")) if prefix == RUNS else runs(t[len(prefix):]))
               for t in tokens):
            out.add(frozenset(alternative - tokens))
    return frozenset(out) if out else None
