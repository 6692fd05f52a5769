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
Measured (pyparsing, depth 8, PYTHONHASHSEED=0, against main 1257552):
`set_default_whitespace_chars` 1,685 -> 24 selected tests (33 -> 24 true;
lost: six `test_pep8_synonyms`, which call it by a name in an `exec`
string, and three that inherit the whitespace an earlier test left);
pyparsing 166,893 -> 165,232 predicted, 93,582 -> 93,573 true (precision
0.561 -> 0.566); eval user CPU 124 s -> 126 s. Its memo lives in the
table's scratch dict: an entry a link in the table itself (the first
version) pushed pyparsing's table past its limit, each start over walked
every receiver class again, and the eval took over 7 CPU minutes.
"""

from __future__ import annotations

import ast
from pathlib import Path

from indexer.analysis.impact_flags import FLAG
from indexer.analysis.impact_guards import _lines
from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
CHANGED = "$changed:"  # the token: CHANGED + "ATTR|callee|user"
_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)


def changed_guard(guards, callee: str, user: str, scratch: dict) -> frozenset[str]:
    """`{CHANGED + ...}` where every call of `callee` in `user` sits under
    `if X.ATTR != ...:` and `callee` writes some `.ATTR`; else nothing.
    `scratch`: IMPACT_MEMO's scratch dict of `guards.memo`. Asked on every
    link, so memoised there: an entry a link in the table itself pushed
    pyparsing's past its limit, and each start over walked every receiver
    class again (an eval over 7 CPU minutes against main's 2)."""
    if not RULE:
        return frozenset()
    key = ("changed guard", callee, user)
    held = scratch.get(key)
    if held is None:
        held = scratch[key] = _changed_guard(guards, callee, user, scratch)
    return held


def _changed_guard(guards, callee: str, user: str, scratch: dict) -> frozenset[str]:
    func = _with_not_equal(guards, user, scratch)  # (most users compare nothing: read no uses)
    if func is None:
        return frozenset()
    written = _written_attributes(guards, callee, scratch)
    lines = [ref.range.start.line + 1 for ref in guards._uses(callee) if ref.enclosing == user] if written else []
    needed = None
    for line in lines:
        found = {a for a in _changed_conditions(func, line) if a in written}
        needed = found if needed is None else needed & found
    return frozenset(CHANGED + f"{a}|{callee}|{user}" for a in sorted(needed)[:1]) if needed else frozenset()


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


def _with_not_equal(guards, user: str, scratch: dict):
    """The function node of `user` where it holds an `if ... != ...:`; else None."""
    key = ("not-equal if", user)
    if key not in scratch:
        sym, node = guards.graph.symbol(user), None
        if sym is not None and sym.kind in _CALLABLE and "!=" in "\n".join(
                _lines(Path(guards.graph.root) / sym.path)[sym.range.start.line:sym.range.end.line + 1]):
            node = guards.node_of(sym)  # (parsed, and kept in the table, only where its text compares)
        scratch[key] = node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            isinstance(n, ast.If) and isinstance(n.test, ast.Compare) and any(isinstance(o, ast.NotEq) for o in n.test.ops)
            for n in ast.walk(node)) else None
    return scratch[key]


def _written_attributes(guards, callee: str, scratch: dict) -> set[str]:
    """The `.ATTR` names a function assigns to (none: not a function)."""
    key = ("written attributes", callee)
    if key not in scratch:
        sym = guards.graph.symbol(callee)
        node = guards.node_of(sym) if sym is not None and sym.kind in _CALLABLE else None
        scratch[key] = set() if node is None else {
            t.attr for n in ast.walk(node) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Attribute)}
    return scratch[key]


def given_changed(token_body: str, given: frozenset[str], selects) -> bool:
    """Whether a test gives `CHANGED + token_body`: it names ATTR, or
    `selects(callee, user)` (the callee's walk, never entering `user`) holds it."""
    attr, callee, user = token_body.split("|")
    return FLAG + attr in given or selects(callee, user)
