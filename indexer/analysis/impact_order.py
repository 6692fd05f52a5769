"""Receiver walks memoised so that an answer never depends on the queries
asked before it (issue 12).

impact's receiver walks (who can hold a class's instance) ask for other
classes' receiver walks, through dispatches and isinstance links, and those
can ask back: a cycle. A key under way answers a placeholder (None, "no
constraint") to the walks nested in it. Before, a nested walk that read
one was memoised per index as if it were its own answer: a later query read
it where a fresh process would have walked again. On pyparsing,
`MatchFirst.streamline` alone in a fresh process selected 488 tests, after
the eval's earlier queries 1,299; a long-running server gave different
answers for the same function.

Here an entry keeps what it saw: `seen`, every breakable key its walk asked
for (its nested walks' included), and `read`, the ones of those that were
under way when it ran (the placeholders it read, directly or through a
nested walk). A later lookup reuses it only when the keys under way now,
among `seen`, are `read` again; else it walks again and keeps that answer
beside the first. An answer is then what the walk would give with an empty
memo under the same keys under way: by induction, a query's answer equals a
fresh process's, whatever ran before it. A key's entries are a short list
(one per distinct set of placeholders read).

RULE off: the old memo (first answer kept; order-dependent); for its test.
"""

from __future__ import annotations

import threading

RULE = True  # switch, for its test


class _Frame:
    __slots__ = ("key", "seen", "direct")

    def __init__(self, key):
        self.key = key
        self.seen: set = set()  # the breakable keys asked for, transitively
        self.direct: set = set()  # keys this frame looked up itself (their entries merged once)


class _Entry:
    __slots__ = ("value", "seen", "read")

    def __init__(self, value, seen: frozenset, read: frozenset):
        self.value, self.seen, self.read = value, seen, read


class OrderFreeMemo:
    """Lookups of values whose computation may look them up again. Per
    thread: the keys under way (a server may answer queries on several)."""

    def __init__(self):
        self._local = threading.local()
        self.walks = 0  # computations run (the cost figure the eval reports)

    def _state(self):
        local = self._local
        if not hasattr(local, "frames"):
            local.frames = []  # every computation under way, innermost last
            local.active = {}  # breakable key -> how many frames of it are under way
        return local

    def lookup(self, table: dict, key, compute, breaks: bool = True):
        """`table[key]`'s value for the keys under way now, computing it
        (`compute()`) where no entry fits. `breaks`: a lookup of the key
        while it is under way answers None (the cycle's placeholder); a key
        that does not break (a class's receiver walk, shared by its methods)
        is computed again, nested, as before."""
        if not RULE:
            return self._plain(table, key, compute, breaks)
        state = self._state()
        frames, active = state.frames, state.active
        top = frames[-1] if frames else None
        if breaks and key in active:
            top.seen.add(key)  # a placeholder read
            return None
        entries = table.get(key)
        if entries is not None:
            for entry in entries:
                if all((k in entry.seen) == (k in entry.read) for k in active) \
                        and entry.read.issubset(active):
                    if top is not None and key not in top.direct:
                        top.direct.add(key)
                        top.seen |= entry.seen
                        if breaks:
                            top.seen.add(key)
                    return entry.value
        frame = _Frame(key)
        frames.append(frame)
        if breaks:
            active[key] = active.get(key, 0) + 1
        try:
            self.walks += 1
            value = compute()
        finally:
            frames.pop()
            if breaks:
                if active[key] == 1:
                    del active[key]
                else:
                    active[key] -= 1
        seen = frozenset(frame.seen)
        read = frozenset(k for k in active if k in seen)
        table.setdefault(key, []).append(_Entry(value, seen, read))
        if top is not None:
            top.direct.add(key)
            top.seen |= seen
            if breaks:
                top.seen.add(key)
        return value

    def _plain(self, table: dict, key, compute, breaks: bool):
        held = table.get(key)
        if held is not None:
            return held[0].value
        if breaks:
            table[key] = [_Entry(None, frozenset(), frozenset())]  # the placeholder, kept as it came out
        self.walks += 1
        value = compute()
        table[key] = [_Entry(value, frozenset(), frozenset())]
        return value


# One per process: impact's receiver walks (IMPACT_MEMO's tables hold the entries).
ORDER_MEMO = OrderFreeMemo()
