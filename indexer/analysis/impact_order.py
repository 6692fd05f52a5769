"""Receiver walks memoised so that an answer never depends on the queries
asked before it (issue 12).

impact's receiver walks (who can hold a class's instance) ask for other
classes' receiver walks, through dispatches (`_PathReceivers.tests_of`) and
isinstance links (`class_holders`), and those can ask back: a cycle. Before,
a key under way answered the walks nested in it None ("no constraint"), and
a nested walk that read it was memoised per index as if it were its own
answer: a later query read it where a fresh process walked again. On
pyparsing, `MatchFirst.streamline` alone in a fresh process selected 488
tests, after the eval's earlier queries 1,299: a long-running server gave
different answers for the same function.

Now a lookup's answer depends on its key and its nesting level alone: the
walks nested in a level-n walk read level n + 1, and past LEVELS a lookup
answers None. No cycle needs breaking (the level grows down every chain of
lookups), and each (key, level) is walked once per index, whatever asked
first: the rounds of refining every class's holders from "no constraint",
LEVELS deep. A class's receiver walk, shared by its methods and by
`class_holders` (breaks=False: it is no lookup of its own), is memoised per
level too.

Tried first: keep each entry with the keys its walk asked for and those of
them it read under way, and reuse it only where the same ones are under way
again. Exact (a fresh process's answer), but on pyparsing every receiver
walk asks for nearly every other (one cycle through `ParserElement`'s
dispatches): no entry fitted a new stack, and the eval's 22nd query had not
ended after 5 CPU minutes (main's whole eval: 128 s).

RULE off: the old memo (first answer kept, order-dependent); for its test.
"""

from __future__ import annotations

import threading

RULE = True  # switch, for its test
# Rounds of receiver refinement: a query's receiver walks, the ones they ask
# for, and theirs. Default selection, depth 8, PYTHONHASHSEED=0, against
# main a9d32fe (user CPU of the whole pyparsing eval, side by side on a busy
# machine; quieter, main 94 s against LEVELS=3's 110 s, queries 100 s -> 119 s wall):
#   main      pyparsing 0.844 / 0.507 (178,700 predicted, 90,593 true), 128 s
#   LEVELS=2  pyparsing 0.841 / 0.519 (173,746, 90,207), 141 s; marshmallow
#             0.949 / 0.691 -> 0.951 / 0.661 (+1,121 predicted, +28 true)
#   LEVELS=3  pyparsing 0.838 / 0.524 (171,618, 89,897), 155 s; the other
#             fifteen select as main for each of their 3,415 functions
# (marshmallow at 4 as at 3; the other fourteen as main at 2 too). pyparsing
# moved because main's eval order leaked: `MatchFirst.streamline` selected
# 1,299 tests in it, 487 now, alone or in the eval, in either order.
LEVELS = 3


class OrderFreeMemo:
    """Lookups of values whose computation may look them up again. The
    nesting level is per thread (a server may answer queries on several)."""

    def __init__(self):
        self._local = threading.local()
        self.walks = 0  # values computed (the eval logs it: the cost of the levels)

    def lookup(self, table: dict, key, compute, breaks: bool = True):
        """`key`'s value at the current nesting level, from `table` or
        `compute()` (run one level deeper when `breaks`). Past LEVELS a
        breaking key answers None: no constraint."""
        if not RULE:
            return self._plain(table, key, compute, breaks)
        level = getattr(self._local, "level", 0)
        if breaks and level >= LEVELS:
            return None
        held = table.get((key, level))
        if held is not None:
            return held[0]
        self._local.level = level + breaks
        try:
            self.walks += 1
            value = compute()
        finally:
            self._local.level = level
        table[(key, level)] = (value,)  # (a tuple: None is a value)
        return value

    def _plain(self, table: dict, key, compute, breaks: bool):
        if key in table:
            return table[key]
        if breaks:
            table[key] = None  # the cycle's placeholder, kept as it came out
        self.walks += 1
        value = compute()
        table[key] = value
        return value


# One per process: impact's receiver walks (IMPACT_MEMO's tables hold the entries).
ORDER_MEMO = OrderFreeMemo()
