"""The order in which one level of the impact walk weighs its links (issue 17,
huge answers).

A level keeps at most `room` new nodes: the most certain, ties broken by
the order in which one pass over the links in order first found them. A hub
such as the standard library's `TestCase.assertEqual` has 13,676 callers
and a room of 2,000: weighing every link (its user's symbol read, the
unrun, stub and abstract rules asked) was most of the answer's time.

A link's confidence is at most its source's times its own (the rules only
scale it down: impact_unrun's factor), known before the user is read. So
the users not yet reached are weighed most certain first, in batches, and
the weighing stops once the `room`-th best found so far beats every user
left: it can be neither better nor, at equal confidence, found earlier.
One more node past the room is found first, so that the walk knows it was
cut short as a whole pass would. Users already reached (re-entered by a
clean chain: they take no room) are weighed first, all of them, since the
room counts them.

The caller weighs each link in the order given, per user in the pass's
order, fills `found` (user -> its best reach) and `first` (user -> the
index of the link that first entered it), and restores `found` to the
pass's order afterwards: its answer equals the whole pass's.
"""

from __future__ import annotations

import heapq
import itertools

BATCH = 128  # users weighed past the room before the stop is checked again
ORDERED = True  # False: every link, in the pass's order (the switch for its test)


def best_first(walk, level_edges: dict[str, list[tuple]], found: dict, first: dict[str, int],
               max_factor: float):
    """Batches of `(index, source's reach, source's containers, link)` of one
    level's links, each batch's users read in one query (`walk.prefetch`).
    `max_factor`: the most the walk's rules multiply a link's confidence by."""
    room = walk.limit - (len(walk.reach) - 1)
    count = itertools.count()
    if not ORDERED or sum(map(len, level_edges.values())) <= room \
            or len({link[0] for edges in level_edges.values() for link in edges}.difference(walk.reach)) <= room:
        # Nothing can be cut: the whole pass, in order.
        walk.prefetch(link[0] for edges in level_edges.values() for link in edges)
        yield [(next(count), base, containers, link) for node, edges in level_edges.items()
               for base, containers in ((walk.reach[node], walk.ancestors(node)),) for link in edges]
        return
    links = [(node, link) for node, edges in level_edges.items() for link in edges]
    sources: dict[str, tuple] = {}

    def batch(indexes) -> list[tuple]:
        out = []
        for index in indexes:
            node, link = links[index]
            if node not in sources:
                sources[node] = (walk.reach[node], walk.ancestors(node))
            out.append((index, *sources[node], link))
        return out

    by_user: dict[str, list[int]] = {}
    for index, (_node, link) in enumerate(links):
        by_user.setdefault(link[0], []).append(index)
    outside = [user for user in by_user if user not in walk.reach]
    inside = sorted(index for user, indexes in by_user.items() if user in walk.reach for index in indexes)
    if inside:
        yield batch(inside)
        room += sum(1 for user in found if user in walk.reach)
    # Each user's bound: (-confidence, first link index); distinct, so ties need no other key.
    factor, certainty = max(max_factor, 1.0), {node: walk.reach[node].confidence for node in level_edges}
    best: dict[str, float] = {}
    for node, link in links:
        value = certainty[node] * link[2]
        if value > best.get(link[0], -1.0):
            best[link[0]] = value
    keyed = sorted(((-best[user] * factor, by_user[user][0]), user) for user in outside)
    order, bounds = [user for _b, user in keyed], [b for b, _user in keyed]
    at = 0
    while at < len(order):
        if len(found) > room and (room <= 0 or bounds[at] >= heapq.nsmallest(
                room, ((-reach.confidence, first[user]) for user, reach in found.items()))[-1]):
            return
        users = order[at:at + max(room + 1 - len(found), 0) + max(BATCH, 1)]
        at += len(users)
        walk.prefetch(users)
        yield batch(sorted(i for user in users for i in by_user[user]))
