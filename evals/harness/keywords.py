"""Which keywords an engine function takes, read from the function actually
called, at the call (issue 12).

The evaluations run against older checkouts too (a before/after baseline),
so they pass a newer keyword only where the engine takes it. evals.impact
read that once, at import, from `impact`'s own parameters: a measuring
script that replaced `impact` with `impact(graph, qualname, *a, **k)` before
the import made it an "older checkout", and `line=` was dropped. Every
property setter then answered as its getter (pyparsing's
`ParserElement.name` setter: its getter's 1,572 tests for its own 6), which
looked like a query-order leak in the engine (wt-storer2's figures). A
function taking `**kwargs` forwards them: it takes every keyword."""

from __future__ import annotations

import inspect


def takes_keyword(function, name: str) -> bool:
    """Whether `function` accepts the keyword `name`: named in its signature,
    or taken by its `**kwargs`."""
    parameters = inspect.signature(function).parameters
    return name in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def supported(function, **keywords) -> dict:
    """`keywords` that `function` takes, those given as None left out."""
    return {name: value for name, value in keywords.items()
            if value is not None and takes_keyword(function, name)}
