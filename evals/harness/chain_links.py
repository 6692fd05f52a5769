"""Where the false pairs of an impact evaluation come from: the links of
the chain that reached each selected (function, test) pair, tallied over
false and true pairs (`python -m evals.impact --edges N`)."""

from __future__ import annotations

from collections import Counter


def chain_links(via: tuple[str, ...], links: dict[str, str]) -> tuple[str, ...]:
    """`user <- used [kind/how]` for each link of an affected test's chain
    (`via`: the changed symbol ... the test), the last hop into the test left
    out; `links`: each dependent's "kind/how"."""
    return tuple(f"{user} <- {used} [{links[user]}]" for used, user in zip(via, via[1:-1]) if user in links)


def tally(pairs) -> tuple[Counter, Counter]:
    """(false, true) counts per link over `(links, is_true)` pairs: a pair
    counts under every link of its chain (the first chain found; another may
    take its place when a link is cut)."""
    false: Counter = Counter()
    true: Counter = Counter()
    for links, is_true in pairs:
        (true if is_true else false).update(links)
    return false, true
