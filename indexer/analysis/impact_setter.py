"""A property's setter runs where the attribute is assigned (issue 12,
pyparsing).

    class ParserElement:
        @property
        def name(self): ...

        @name.setter
        def name(self, new_name):
            self.set_name(new_name)

The setter shares the getter's qualname, so an impact query for it answered
with the getter's dependents: every reader of `.name` (pyparsing: 1,696
tests predicted for the setter, 6 true: those that assign `wd.name = ...`).
Asked for a definition by its line (`impact(..., line=)`, as the evaluation
and a position-based query know it), a setter's first level keeps only the
uses that write the attribute (the index's `write` references); further
levels are walked as for any function. The evaluation asks for each
function by its line.

Default selection, depth 8, all 16 projects (evals.impact --no-hybrid,
PYTHONHASHSEED=0, same cached truth), this rule off -> on: pyparsing -1,578
false pairs (`ParserElement.name`'s setter: 1,584 tests -> the 6 true);
wrapt -74 false (`ObjectProxy.__name__`, `__module__`, `__doc__` setters),
P 0.656 -> 0.673; packaging -19 false / +1 true (`prereleases` setters),
P 0.633 -> 0.636; boltons -1 false / +1 true (`URL.path`); the other 12
unchanged by it.
"""

from __future__ import annotations

from indexer.graph.vocab import RefKind

RULE = True  # switch, for its test


def is_setter(graph, qualname: str, line: int | None) -> bool:
    """Whether the definition of `qualname` whose name is on `line` (0-based)
    is a property setter (`@name.setter`)."""
    if not RULE or line is None:
        return False
    return any(sym.selection_range.start.line == line and _setter(sym) for sym in graph.symbols(qualname))


def _setter(sym) -> bool:
    return "property" in sym.flags and any(
        deco.endswith(f"{sym.name}.setter") for deco in (sym.decorators or ()))


def writes_only(incoming: dict, targets) -> None:
    """Keep, in place, only the uses of `targets` that assign the attribute."""
    for target in targets:
        if target in incoming:
            incoming[target] = [use for use in incoming[target] if use[1] == RefKind.WRITE]


# A setter reached further on: `ParserElement.name`'s setter calls
# `self.set_name(v)`, so a change to `set_name` reaches the qualname `name`,
# whose readers then looked affected too (they run the getter, which calls
# no `set_name`). A node entered only through uses inside its setter's body
# is followed, like a setter target, to the writes of the attribute alone
# (a switch, for its test). Off: right in what it runs, but pyparsing's tests
# that read `.name` run `set_name` and `__str__` for other reasons the walk
# does not see, and the readers' link found them by chance. Default
# selection, depth 8, PYTHONHASHSEED=0, off -> on: pyparsing 192,620 ->
# 191,720 predicted pairs, 87,430 -> 87,286 true (-756 false, -144 true: R
# 0.815 -> 0.813, P 0.454 -> 0.455, where recall is what pyparsing misses);
# wrapt -1 false pair; packaging, boltons unchanged.
CHAIN_RULE = False


def entered_by_setter(walk, node: str, parent: str | None) -> bool:
    """Whether every use of `parent` inside `node` lies in the body of one
    of `node`'s property setters (a qualname it shares with its getter)."""
    if not RULE or not CHAIN_RULE or parent is None:
        return False
    sym = walk.symbol(node)
    if sym is None or "property" not in sym.flags:
        return False
    key = ("setter spans", node)
    if key not in walk.memo:
        walk.memo[key] = [(s.range.start.line, s.range.end.line) for s in walk.graph.symbols(node) if _setter(s)]
    spans = walk.memo[key]
    if not spans:
        return False
    key = ("entered by setter", node, parent)
    if key not in walk.memo:
        uses = walk.graph.uses_in(parent, node, tuple(RefKind))
        walk.memo[key] = bool(uses) and all(any(start <= use.range.start.line <= end for start, end in spans)
                                            for use in uses)
    return walk.memo[key]
