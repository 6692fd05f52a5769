"""What a test's class gives each of its tests: the class without its other
test methods (issue 12, pyparsing precision).

impact_guards' `given` reads the keywords (displays, flags) of a test's own
code and of its class: the class attributes, `setUp`, its helpers, which
run for every one of its tests. It read the whole class, so a sibling test
gave its keywords to all: pyparsing's `Test02_WithoutPackrat` (10,000
lines, inherited by six more classes) holds `set_debug(recurse=True)` in
one test and `enable_memo(force=True)` in another, and so every test of the
seven classes gave `recurse` and `force`: `set_debug <- visit_all` (under
`if recurse:`) and `enable_packrat <- disable_memoization` (under
`if force:`) linked each of them.

A sibling `test*` method runs in its own test only; the rest of the class
body still counts (a helper a test calls is no test method).
Measured (pyparsing, depth 8, PYTHONHASHSEED=0, with impact_changed on):
165,232 -> 162,594 predicted, 93,573 -> 93,541 true (precision 0.566 ->
0.575, recall 0.872); ten functions move, `visit_all` 1,200 -> 12 selected
(12 true kept), `disable_memoization` 1,662 -> 562 (559 true kept).
attrs 20,795 -> 20,668 predicted, no true pair lost (0.969 / 0.671 ->
0.675); the other fourteen as before. Eval user CPU (pyparsing, both
rules on) 123 s, main's 124 s.
"""

from __future__ import annotations

import ast
import copy

RULE = True  # switch, for its test
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def shared_part(node: ast.AST | None) -> ast.AST | None:
    """The class node without its `test*` methods (a shallow copy); any
    other node as it is."""
    if not RULE or not isinstance(node, ast.ClassDef):
        return node
    body = [s for s in node.body if not (isinstance(s, _FUNCTIONS) and s.name.startswith("test"))]
    if len(body) == len(node.body):
        return node
    out = copy.copy(node)
    out.body = body
    return out
