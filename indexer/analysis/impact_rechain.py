"""Another chain to a test, when a rule rules out the first (the receiver
rule at a dispatch on the chain: impact.py `_PathReceivers`).

The walk keeps one chain per node: the first found. When the receiver
rule rules a test out because that chain dispatches into a class the test
never holds, the test may still reach the target along another chain:

    def split_opt(opt): ...
    class Group:                      # the test never makes one
        def invoke(self, ctx): self.resolve(...)   # -> split_opt
    class Parser:                     # every command has one
        def parse(self): split_opt(...)

`test -> main -> Group.invoke (dispatch) -> resolve -> split_opt` was the
chain found first; `test -> main -> ... -> Parser.parse -> split_opt` runs
it all the same. The test is kept when the walk's links (every link it
saw, not only the first per node) reach it from the target within the
depth without a dispatch out of a class the test does not hold.
"""

from __future__ import annotations

from collections import deque

RULE = True  # switch, for its test
# Links the walk adds without a call level (impact.py `_same_level`).
_FREE = ("flow", "local")


class Rechain:
    """Reachability over one walk's links, per set of forbidden dispatch sources."""

    def __init__(self, walk, depth: int):
        self.walk = walk
        self.depth = depth
        self.users: dict[str, list[tuple[str, str]]] | None = None
        self.memo: dict[frozenset, dict[str, int]] = {}
        self.sources: set[str] | None = None
        # Per test id: the dispatch sources whose receiver it never holds. The
        # answer of `tests_of` is fixed for the length of one report (its
        # receiver walks are memoised), so one test's set serves every node
        # it reaches (on pyparsing most of the receiver walks' CPU went to
        # rebuilding it per (node, test)).
        self.forbidden: dict[str, frozenset[str]] = {}

    def reaches(self, test: str, forbidden: frozenset[str]) -> bool:
        """Whether `test` (a reached node) is reached within the depth with no
        dispatch link out of a `forbidden` node and no tainted node on the way."""
        if forbidden not in self.memo:
            self.memo[forbidden] = self._levels(forbidden)
        return test in self.memo[forbidden]

    def _levels(self, forbidden: frozenset[str]) -> dict[str, int]:
        if self.users is None:
            self.users = users_of(self.walk)
        return levels(self.walk, self.users, self.depth,
                      lambda node, user, kind: kind == "dispatch" and node in forbidden)

    def dispatch_sources(self) -> set[str]:
        """The nodes with a dispatch link out of them (where the receiver rule may apply)."""
        if self.sources is None:  # (the walk's links are final once its report starts)
            self.sources = {callee for callee, _user, kind in self.walk.edges if kind == "dispatch"}
        return self.sources


# Past this many dispatch sources in one walk, a ruled-out test stays ruled
# out (each source's receiver walk is a query of its own, memoised per index).
MAX_SOURCES = 60


def kept(rechain: Rechain | None, tests_of, node: str, test_id: str) -> bool:
    """Whether a test the receiver rule ruled out on its first chain reaches
    the target along another (`tests_of(method)`: the tests that may hold its
    receiver, None: any)."""
    if not RULE or rechain is None:
        return False
    sources = rechain.dispatch_sources()
    if len(sources) > MAX_SOURCES:
        return False
    forbidden = rechain.forbidden.get(test_id)
    if forbidden is None:
        # In a fixed order, not the set's (which PYTHONHASHSEED changes): a source's
        # first `tests_of` may start its receiver walk, and a walk started
        # while another is under way sees that one unconstrained (_PathReceivers
        # breaks the cycle so) and is memoised as it came out.
        forbidden = frozenset(s for s in sorted(sources)
                              if (allowed := tests_of(s)) is not None and test_id not in allowed)
        rechain.forbidden[test_id] = forbidden
    return rechain.reaches(node, forbidden)


def users_of(walk) -> dict[str, list[tuple[str, str]]]:
    """Every link the walk saw (not only the first per node), by callee."""
    users: dict[str, list[tuple[str, str]]] = {}
    for callee, user, kind in walk.edges:
        users.setdefault(callee, []).append((user, kind))
    return users


def levels(walk, users, depth: int, blocked) -> dict[str, int]:
    """The reached nodes `users` reach from the walk's start within `depth`,
    through no tainted node and no link `blocked(node, user, kind)` refuses:
    0-1 breadth first, a free link staying on its level."""
    reach, tainted = walk.reach, walk.tainted
    start = next(iter(reach))
    seen = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        level = seen[node]
        for user, kind in users.get(node, ()):
            if user not in reach or user in tainted or blocked(node, user, kind):
                continue
            at = level + (0 if kind in _FREE else 1)
            if at > depth or seen.get(user, at + 1) <= at:
                continue
            seen[user] = at
            if at == level:
                queue.appendleft(user)  # a free link: same level, first
            else:
                queue.append(user)
    return seen
