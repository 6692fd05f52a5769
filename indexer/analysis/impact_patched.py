"""Functions a test patches out (issue 12, packaging). A test that replaces a
function before it runs the code around it never runs that function's body:

    def test_default_platforms(monkeypatch):
        monkeypatch.setattr(tags, "platform_tags", lambda: iter(["plat"]))
        result = list(tags.compatible_tags((3, 1), "cp31"))

`compatible_tags` looks `platform_tags` up in its module's globals, finds
the lambda, and `platform_tags -> _linux_platforms -> ...` never runs in
this test. A chain that reaches the test through such a link is ruled out
(listed at confidence 0, out of the default selection, as impact_unrun);
another chain free of them keeps it (impact_rechain.levels).

What counts as patched: `monkeypatch.setattr(obj, "name", ...)` (any
fixture of the test called like it; `obj` a name the index resolves, a
module or a class), `monkeypatch.setattr("pkg.mod.name", ...)`, and
`mock.patch("pkg.mod.name")` / `mock.patch.object(obj, "name")` as a
decorator or a `with`. A link into a patched module-level function is dead
only from a user in the same module (a global lookup) or from the test
itself; a caller elsewhere may hold the original through `from mod import
name`. A patched method or class attribute is dead from every user. Not
read: patches in conftest fixtures or set-up methods (a fixture of the
test's own file that it names is read: FIXTURE_RULE), and the order of a patch and
a call in the test (a call before the patch runs the original).
Reads the tests' bodies: up to impact.GUARD_MAX_FILES Python files.

Measured (evals.impact, depth 8, default selection, same cached truth, all
16 projects): packaging 0.869 / 0.611 -> 0.869 / 0.630 (-130 false pairs,
no true one lost; a first version that read patches under `if` lost 12),
click -8 false pairs, nothing else moved; FIXTURE_RULE packaging ->
0.869 / 0.633 (-20 false pairs), nothing else moved.
"""

from __future__ import annotations

import ast

from indexer.analysis.impact_rechain import levels, users_of
from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
# A fixture of the test's own file that the test names, patching at its top
# level (`manylinux_module(monkeypatch)`), patches for the test too.
FIXTURE_RULE = True
_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)


class Patched:
    """Per report: whether a test's chain crosses a link into a function
    the test patches out, with no other chain free of such links."""

    def __init__(self, walk, guards, depth: int):
        self.walk = walk
        self.guards = guards  # impact_guards.Guards
        self.memo = walk.memo
        self.depth = depth
        self._clean: dict[frozenset, dict[str, int]] = {}
        self._users = None

    def rules_out(self, test_symbol, via: tuple[str, ...]) -> bool:
        if not RULE or test_symbol is None or test_symbol.kind not in _CALLABLE or len(via) < 2:
            return False
        names = self.patched_by(test_symbol)
        if not names:
            return False
        test = test_symbol.qualname
        if not any(self._dead(via[k], via[k + 1], names, test) for k in range(len(via) - 1)):
            return False
        if names not in self._clean:
            if self._users is None:
                self._users = users_of(self.walk)
            self._clean[names] = levels(self.walk, self._users, self.depth,
                                        lambda node, user, kind: self._dead(node, user, names, test))
        return via[-1] not in self._clean[names]

    def _dead(self, node: str, user: str, names: frozenset, test: str) -> bool:
        """Whether the link from `user` to `node` runs a patched-out `node`."""
        if node not in names:
            return False
        sym = self.walk.symbol(node)
        if sym is None:
            return False
        owner = self.walk.symbol(sym.parent) if sym.parent else None
        if owner is not None and owner.kind == SymbolKind.CLASS:
            return True  # a class attribute: every lookup finds the patch
        if user == test:
            return True
        user_sym = self.walk.symbol(user)
        return user_sym is not None and user_sym.path == sym.path

    def patched_by(self, test_symbol) -> frozenset[str]:
        key = ("patched by", test_symbol.qualname)
        if key not in self.memo:
            node = self.guards.node_of(test_symbol)
            names: set[str] = set()
            if node is not None:
                names = self._patched_in(test_symbol, node)
                if FIXTURE_RULE and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for fixture in self._fixtures(test_symbol, node):
                        fixture_node = self.guards.node_of(fixture)
                        if fixture_node is not None:
                            names |= self._patched_in(fixture, fixture_node)
            self.memo[key] = frozenset(names)
        return self.memo[key]

    def _patched_in(self, sym, node) -> set[str]:
        return patched_names(node, lambda line, col: self.guards.graph.targets_at(sym.path, line, col))

    def _fixtures(self, test_symbol, node) -> list:
        """The fixtures of the test's file that its parameters name (`def
        test_x(manylinux_module)`, `@pytest.fixture def manylinux_module(
        monkeypatch): monkeypatch.setattr(...)`)."""
        params = {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
        if not params:
            return []
        key = ("fixtures in file", test_symbol.path)
        if key not in self.memo:  # (once per file, not per test)
            self.memo[key] = tuple(sym for sym in self.guards.graph.symbols_in_file(test_symbol.path)
                                   if "fixture" in sym.flags and sym.kind in _CALLABLE)
        return [sym for sym in self.memo[key] if sym.name in params]


def patched_names(node: ast.AST, targets_at) -> set[str]:
    """The qualified names a test function patches: see the module
    docstring. `targets_at(line0, col)` gives what the index says a name at
    that spot refers to."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return set()
    fixtures = {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
    out: set[str] = set()
    for sub in _unconditional_calls(node):
        if not isinstance(sub.func, ast.Attribute):
            continue
        func, args = sub.func, sub.args
        on_fixture = isinstance(func.value, ast.Name) and func.value.id in fixtures
        if (on_fixture and func.attr == "setattr") or (func.attr == "object" and _is_patch(func.value)):
            if len(args) >= 2 and _string(args[1]) is not None:
                for base in _resolved(args[0], targets_at):
                    out.add(f"{base}.{_string(args[1])}")
            elif on_fixture and args and _string(args[0]) is not None and "." in _string(args[0]):
                out.add(_string(args[0]))
        elif func.attr == "patch" and args and _string(args[0]) is not None and "." in _string(args[0]):
            out.add(_string(args[0]))
    return out


def _unconditional_calls(node) -> list[ast.Call]:
    """The calls a test makes whatever happens: in its decorators, and in
    its body's statements outside `if`, loops, `try` and `match` (a `with`
    block's included); `if platform.system() != "Linux": monkeypatch...`
    may patch nothing."""
    found = [sub for deco in node.decorator_list for sub in ast.walk(deco) if isinstance(sub, ast.Call)]
    todo = list(node.body)
    while todo:
        stmt = todo.pop()
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            found.extend(sub for item in stmt.items for sub in ast.walk(item.context_expr) if isinstance(sub, ast.Call))
            todo.extend(stmt.body)
        elif not isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.Match,
                                   ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and not (hasattr(ast, "TryStar") and isinstance(stmt, ast.TryStar)):
            found.extend(sub for sub in ast.walk(stmt) if isinstance(sub, ast.Call))
    return found


def _is_patch(expr: ast.AST) -> bool:
    """`mock.patch`, `unittest.mock.patch`, `patch`."""
    return (isinstance(expr, ast.Attribute) and expr.attr == "patch") or (isinstance(expr, ast.Name) and expr.id == "patch")


def _string(expr: ast.AST) -> str | None:
    return expr.value if isinstance(expr, ast.Constant) and isinstance(expr.value, str) else None


def _resolved(expr: ast.AST, targets_at) -> list[str]:
    """What the index resolves a patched object to (`tags` -> `packaging.tags`)."""
    if isinstance(expr, ast.Attribute):
        spot = (expr.end_lineno - 1, expr.end_col_offset - len(expr.attr))
    elif isinstance(expr, ast.Name):
        spot = (expr.lineno - 1, expr.col_offset)
    else:
        return []
    return list(targets_at(*spot))
