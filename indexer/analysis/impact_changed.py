"""A setter called under `if Owner.ATTR != saved:` runs only in a test that
changed ATTR some other way (issue 12, pyparsing precision).

    def restore(self):                    # pyparsing_test.reset_pyparsing_context
        if ParserElement.DEFAULT_WHITE_CHARS != self._save_context["default_whitespace"]:
            ParserElement.set_default_whitespace_chars(self._save_context["default_whitespace"])

`restore <- set_default_whitespace_chars` linked every test using the
context manager (1,652 false pairs, 9 true): the setter is called back only
where the test changed the whitespace. The guard of such a call, where the
callee itself writes `ATTR`, is the token `CHANGED` + ATTR|callee|user; a
test gives it where its code names ATTR (impact_guards `given`, the flag
tokens) or it is among the tests the callee's walk selects without
entering `user` (impact's `storer_tests`).
Unmeasured: its pyparsing run went past the session's deadline (over 10
minutes against ~4 without it, even with the per-setter memo). Off.
"""

from __future__ import annotations

import ast

from indexer.analysis.impact_flags import FLAG
from indexer.graph.vocab import SymbolKind

RULE = False  # switch, for its test: off until measured (see the module note)
CHANGED = "$changed:"  # the token: CHANGED + "ATTR|callee|user"
_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)


def changed_guard(guards, callee: str, user: str) -> frozenset[str]:
    """`{CHANGED + ...}` where every call of `callee` in `user` sits under
    `if X.ATTR != ...:` and `callee` writes some `.ATTR`; else nothing."""
    if not RULE:
        return frozenset()
    key = ("changed guard", callee, user)
    if key not in guards.memo:
        guards.memo[key] = frozenset()
        sym, target = guards.graph.symbol(user), guards.graph.symbol(callee)
        if sym is not None and sym.kind in _CALLABLE and target is not None and target.kind in _CALLABLE:
            func = _with_not_equal(guards, sym)  # (most users compare nothing: read no uses)
            lines = [ref.range.start.line + 1 for ref in guards._uses(callee) if ref.enclosing == user] \
                if func is not None else []
            written = _written_attributes(guards, target) if lines else set()
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) and written:
                needed = None
                for line in lines:
                    found = {a for a in _changed_conditions(func, line) if a in written}
                    needed = found if needed is None else needed & found
                if needed:
                    guards.memo[key] = frozenset(CHANGED + f"{a}|{callee}|{user}" for a in sorted(needed)[:1])
    return guards.memo[key]


def _changed_conditions(func: ast.AST, line: int) -> set[str]:
    """ATTR of each `if X.ATTR != e:` (either side) whose body holds `line`."""
    out = set()
    for node in ast.walk(func):
        if isinstance(node, ast.If) and node.body and node.body[0].lineno <= line <= node.body[-1].end_lineno:
            test = node.test
            if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.NotEq):
                for side in (test.left, test.comparators[0]):
                    if isinstance(side, ast.Attribute) and isinstance(side.value, ast.Name):
                        out.add(side.attr)
    return out


def _with_not_equal(guards, sym):
    """The function's node where it holds an `if ... != ...:`; else None (memoised)."""
    key = ("not-equal if", sym.qualname, sym.selection_range.start.line)
    if key not in guards.memo:
        node = guards.node_of(sym)
        guards.memo[key] = node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            isinstance(n, ast.If) and isinstance(n.test, ast.Compare) and any(isinstance(o, ast.NotEq) for o in n.test.ops)
            for n in ast.walk(node)) else None
    return guards.memo[key]


def _written_attributes(guards, target) -> set[str]:
    key = ("written attributes", target.qualname, target.selection_range.start.line)
    if key not in guards.memo:
        node = guards.node_of(target)
        guards.memo[key] = set() if node is None else {
            t.attr for n in ast.walk(node) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Attribute)}
    return guards.memo[key]


def given_changed(token_body: str, given: frozenset[str], selects) -> bool:
    """Whether a test gives `CHANGED + token_body`: it names ATTR, or
    `selects(callee, user)` (the callee's walk, never entering `user`) holds it."""
    attr, callee, user = token_body.split("|")
    return FLAG + attr in given or selects(callee, user)
