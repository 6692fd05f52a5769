"""Closures add no call level to the impact walk.

A decorator factory (`def attrs(**opts): def wrap(cls): ...; return wrap`)
splits one logical step over a definer and its closure: the closure runs
only when its definer calls it or hands it out, so the definer's callers are
the ones that run it. Counting the hop definer -> closure as a call level
made attrs' class generator sit 3 levels deeper than it is (`define` ->
`define.wrap` -> `define.do_it` -> `attrs` -> `attrs.wrap`), and tests that
build a class with `@define` fell past the default depth.

Only a closure its definer uses (calls, reads, returns) is linked: a local
function the definer never mentions is dead code or reached otherwise, and
following every local function to its definer reached far more than it
should (attrs at depth 6: precision 0.48 -> 0.35).
"""

from __future__ import annotations

from indexer.graph.model import Symbol


def closure_edge(graph, closure: Symbol, definer: Symbol, memo: dict) -> tuple | None:
    """(definer, "local", 1.0, "closure") when the definer itself uses the
    closure, else None. `memo`: a dict kept while the index is unchanged."""
    key = ("closure used", closure.qualname)
    if key not in memo:
        memo[key] = any(enclosing == definer.qualname
                        for _target, enclosing, *_rest in graph.incoming([closure.qualname]))
    return (definer.qualname, "local", 1.0, "closure") if memo[key] else None
