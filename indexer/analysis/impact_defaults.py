"""Calls written in a parameter's default value (issue 12, tenacity).
Python evaluates a default once, when the `def` statement runs (at
import), never when the function is called:

    class BaseRetrying:
        def __init__(self, sleep=sleep, stop=stop_never,
                     wait: "WaitBaseT" = wait_none(),     # tenacity/__init__.py
                     ...):

`BaseRetrying.__init__ -> wait_none()` runs `wait_none.__init__` (and,
through `super().__init__`, `wait_fixed.__init__`) once, at import; a test
that builds a `Retrying` runs neither. A call link whose every use in the
user sits in the user's default values (positional or keyword-only; the
lines of the default expressions before the first line of the body, so a
one-line `def f(x=g()): return g()` keeps its link) runs nothing when the
user runs. Its tests are ruled out (listed at RULED_OUT_CONFIDENCE, left
out of the default selection); the dependents stay listed, because the
default object is what the function then uses ("what breaks" still
includes it). Only calls: a default that names a function (`before=
before_nothing`) hands that function to every call, which may run it.

Cost: one parse of the user's own lines (impact_guards._own_node) for a
call link into a user that has a default holding a call, memoised while
the index is unchanged; cheap, but like the other precision rules for
unseen projects it runs only up to impact.GUARD_MAX_FILES Python files.

Finds, default selection (evals.impact, same cached truth, depth 8):
tenacity -334 false pairs, no true one lost (precision 0.507 -> 0.550 at
recall 0.872): `wait_none()` and `retry_if_exception_type()` in the
defaults of `BaseRetrying.__init__`, `AsyncRetrying.__init__` and the
`retry` overload stubs (`wait_none.__init__` -102, `wait_fixed.__init__`
-77, `retry_if_exception.__init__` -89, `to_seconds` -66). Without the
lambda exception it also lost 29 true pairs of
`retry_if_exception_type.__init__`, whose lambda the default object runs
per retry; without the class exception 45 more (`wait_fixed.__call__`
through the default object). The other thirteen projects: identical.
"""

from __future__ import annotations

import ast
from pathlib import Path

from indexer.graph.model import Symbol
from indexer.graph.vocab import RefKind, SymbolKind

RULE = True  # switch, for its test
_CONSTRUCTOR = "constructor"
# What the call runs: a function, or a class's `__init__` (a link to the class
# itself stands for the instance made, whose methods run later, per call).
_RUN = (SymbolKind.FUNCTION, SymbolKind.METHOD)


def default_only(graph, memo: dict, kind: str, how: str, used: Symbol | None, user: Symbol | None,
                 asked: bool = False) -> bool:
    """Whether the call link `user` -> `used` is written only in `user`'s
    parameter defaults: it runs when the `def` runs, not when `user` runs.
    A constructor link (`how` "constructor") is a call of `used`'s class.
    `asked`: `used` is the function the walk asks about; one whose body
    makes a lambda or a nested function keeps the link (that code, written
    in `used`, is what the default object runs later, per call)."""
    if not RULE or kind != RefKind.CALL or used is None or user is None or used.kind not in _RUN:
        return False
    if asked and _makes_code(graph, memo, used):
        return False
    spans = _default_spans(graph, memo, user)
    if not spans:
        return False
    target = used.qualname.rpartition(".")[0] if how == _CONSTRUCTOR else used.qualname
    key = ("default use", target, user.qualname)
    if key not in memo:
        lines = [ref.range.start.line + 1 for ref in graph.uses_in(target, user.qualname, (RefKind.CALL,))]
        memo[key] = bool(lines) and all(any(a <= line <= b for a, b in spans) for line in lines)
    return memo[key]


def _makes_code(graph, memo: dict, used: Symbol) -> bool:
    key = ("makes code", used.qualname, used.path)
    if key not in memo:
        from indexer.analysis.impact_guards import _own_node
        node = _own_node(Path(graph.root) / used.path, used)
        memo[key] = node is None or makes_code(node)  # unknown: keep the link
    return memo[key]


def makes_code(node: ast.AST) -> bool:
    """A def whose body creates a lambda or a nested function or class."""
    return any(isinstance(n, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
               for stmt in getattr(node, "body", ()) for n in ast.walk(stmt))


def _default_spans(graph, memo: dict, user: Symbol) -> tuple[tuple[int, int], ...]:
    """1-based line spans of the default expressions of `user` (every
    definition of the name: `@overload` stubs first) that hold a call and
    end before the first line of their function's body."""
    key = ("default spans", user.qualname, user.path)
    if key not in memo:
        from indexer.analysis.impact_guards import _own_node  # the def parsed from its own lines
        out: list[tuple[int, int]] = []
        for sym in graph.symbols(user.qualname):
            if sym.path != user.path:
                continue
            node = _own_node(Path(graph.root) / sym.path, sym)
            out.extend(spans_of(node))
        memo[key] = tuple(out)
    return memo[key]


def spans_of(node: ast.AST | None) -> list[tuple[int, int]]:
    """The default expressions of a def node that hold a call, as 1-based
    line spans that end before its body's first line."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.body:
        return []
    body = node.body[0].lineno
    if isinstance(node.body[0], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body[0].decorator_list:
        body = min(body, *(d.lineno for d in node.body[0].decorator_list))
    defaults = [d for d in (*node.args.defaults, *node.args.kw_defaults) if d is not None]
    return [(d.lineno, d.end_lineno) for d in defaults
            if d.end_lineno < body and any(isinstance(n, ast.Call) for n in ast.walk(d))]
