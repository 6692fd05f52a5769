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
