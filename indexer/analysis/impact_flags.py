"""Module-level flags (issue 12, pyparsing precision): code under `if
Owner.FLAG:` (or `if FLAG:`), where FLAG is bound to a falsy constant in a
module-level class `Owner` (or at module level) of the same file, runs only
in a test that turns the flag on; a test turns it on by its name.

    class __diag__(__config_flags):
        enable_debug_on_named_expressions = False

    def set_name(self, name):
        ...
        if __diag__.enable_debug_on_named_expressions:
            self.set_debug(name is not None)

`set_name -> set_debug` runs only in the tests that enable the flag
(`pp.enable_diag(pp.Diagnostics.enable_debug_on_named_expressions)`): the
guard (impact_guards) of such a use is the token `$flag:NAME`, which
`requirements` carries down the chains; a test gives it where its own code,
its class, or a function of the tests it calls names the flag (an
attribute, a name, or a string). A flag that library code sets by name to
anything but a falsy constant (`Owner.FLAG = value`, `global FLAG`, a call
with the string "FLAG" or the keyword `FLAG=`) guards nothing: a test may
turn it on without naming it.

pyparsing, default selection, depth 8 (evals.impact, PYTHONHASHSEED=0,
with impact_elements and impact_switches.RECURSION_RULE): all 417
functions 178,700 -> 168,010 predicted pairs, 90,593 -> 90,233 true (P
0.507 -> 0.537, R 0.844 -> 0.841); set_debug_actions 1,524 -> 18 false,
visit_all -450. The true pairs lost (set_debug -115, recurse -52,
ParseElementEnhance.__init__ -36...) are tests that run set_debug(False)
through `parseString(..., parseAll=True)` (coverage: parse_string's line
`StringEnd().set_debug(False)`); main selected them only through the
set_name chain (`set_name <- one_of <- oneOf <- testCaselessOneOf`),
and the real chain through parse_string is ruled out for them on main
too: a recall miss of its own, which this rule uncovers. The other fifteen projects: the same
predicted and true pairs as main a9d32fe, every one.
"""

from __future__ import annotations

import ast
from pathlib import Path

from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
FLAG = "$flag:"  # a flag's guard token: FLAG + its name
_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)
_FALSY = (None, False, 0, "")


def flag_guard(guards, callee: str, user: str, required) -> frozenset[str]:
    """The flag tokens every use of `callee` in `user` runs under.
    `required(body, line, names)`: impact_guards' condition reader."""
    if not RULE:
        return frozenset()
    key = ("flag guard", callee, user)
    if key in guards.memo:
        return guards.memo[key]
    out: frozenset[str] = frozenset()
    sym = guards.graph.symbol(user)
    names = _flags(guards, sym.path) if sym is not None and sym.kind in _CALLABLE else None
    if names:
        lines = [ref.range.start.line + 1 for ref in guards._uses(callee) if ref.enclosing == user]
        func = guards.node_of(sym) if lines else None
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            local = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
            local.update(a.arg for a in ast.walk(func.args) if isinstance(a, ast.arg))
            names = {k: v for k, v in names.items() if k not in local}  # a local shadows a global
            needed = None
            for line in lines:
                found = {t for t in required(func.body, line, names) if isinstance(t, str) and t.startswith(FLAG)}
                needed = found if needed is None else needed & found
                if not needed:
                    break
            out = frozenset(needed or ())
    guards.memo[key] = out
    return out


def _flags(guards, path: str) -> dict:
    """`{(Owner, FLAG) or FLAG: token}` of the flags defined in the file."""
    key = ("flags", path)
    if key in guards.memo:
        return guards.memo[key]
    out: dict = {}
    tree = guards.tree(path)
    for stmt in tree.body if tree is not None else ():
        if isinstance(stmt, ast.ClassDef):
            for name in _falsy_bindings(stmt.body):
                if not _set_by_library(guards, name):
                    out[(stmt.name, name)] = FLAG + name
        for name in _falsy_bindings([stmt]):
            if sum(name in _bound(s) for s in tree.body) == 1 and not _set_by_library(guards, name):
                out[name] = FLAG + name
    guards.memo[key] = out
    return out


def _falsy_bindings(body: list) -> list[str]:
    return [stmt.targets[0].id for stmt in body
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Constant) and stmt.value.value in _FALSY
            and not isinstance(stmt.value.value, bytes)]


def _bound(stmt: ast.stmt) -> set[str]:
    """The names a module-level statement binds (assignments, defs, imports)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}


def _set_by_library(guards, name: str) -> bool:
    """Whether code outside the tests sets `name` by name to anything but a
    falsy constant (an assignment, `global`, the string or keyword in a call)."""
    from indexer.analysis.impact_guards import _in_tests  # (impact_guards imports this module)

    key = ("flag set", name)
    if key in guards.memo:
        return guards.memo[key]
    out = False
    for path in guards.graph.indexed_paths():
        if not path.endswith(".py") or _in_tests(path):
            continue
        try:
            text = (Path(guards.graph.root) / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if name not in text:
            continue
        tree = guards.tree(path)
        if tree is None or any(_sets(node, name) for node in ast.walk(tree)):
            out = True
            break
    guards.memo[key] = out
    return out


def _sets(node: ast.AST, name: str) -> bool:
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        # (a plain name is bound in its own scope: another class's member, a
        # local; a function rebinds the global only under `global`, below)
        if any(isinstance(t, ast.Attribute) and t.attr == name for target in targets for t in ast.walk(target)):
            value = node.value
            return not (isinstance(node, ast.Assign) and isinstance(value, ast.Constant) and value.value in _FALSY)
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return name in node.names
    if isinstance(node, ast.Call):
        return any(isinstance(a, ast.Constant) and a.value == name for a in node.args) \
            or any(k.arg == name for k in node.keywords)
    return False


def flag_tokens(node: ast.AST) -> frozenset[str]:
    """The flags a test's code may turn on: every name, attribute and string it writes."""
    if not RULE:
        return frozenset()
    out = set()
    if isinstance(node, ast.ClassDef):
        # A test's class gives what its own statements name, not its other tests
        # (pyparsing's test methods share one TestCase).
        node = ast.Module(body=[s for s in node.body if not isinstance(
            s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))] + node.bases + node.decorator_list,
            type_ignores=[])
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            out.add(FLAG + sub.attr)
        elif isinstance(sub, ast.Name):
            out.add(FLAG + sub.id)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value.isidentifier():
            out.add(FLAG + sub.value)
    return frozenset(out)
