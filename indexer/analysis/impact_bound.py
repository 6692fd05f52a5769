"""A module-level name bound to a call's result holds what the call made
(issue 12: voluptuous, tenacity).

    def _compile_itemsort():            # voluptuous/schema_builder.py
        def item_priority(item_): ...
        return item_priority
    _sort_item = _compile_itemsort()    # ran once, at import

    def _iterate_mapping_candidates(schema):
        return sorted(schema.items(), key=_sort_item)   # runs item_priority

The walk never passes through a module (what imports a module is not
affected by its other contents), so the call at module level ended every
chain: no test looked affected by `_compile_itemsort`, whose closure 92
voluptuous tests run. Two links now go from the callee to the module-level
names its call's value is bound to (`NAME = callee(...)`; kind "flow",
how "bound"), adding no level, as the other value-flow links:

- FACTORY_RULE: a function that returns a function it defines (a closure
  factory). Readers of the name run the closure, which is the factory's own
  code. A function returning anything else is not followed: the tests that
  read `X = compute()` do not run `compute` (it ran at import).
- INSTANCE_RULE: a class, in the receiver walks (who can hold an instance,
  impact._receiver_tests). `retry_never = _retry_never()` is reached only
  through the name: its holders are the tests that reach the name. Before,
  any instance made in a library module's body lifted the receiver rule
  (impact_precision.global_instance): every test looked able to hold one,
  and `_retry_never.__call__` looked run by every test that retries. An
  instance made in a module body without a binding (`register(C())`), or
  bound to a name that a module body passes on (`register(NAME)`; not an
  import, nor an `__all__` entry), still lifts it (`bound_elsewhere`).

Finds, default selection at depth 8 (evals.impact, the shared cached truth,
docstring-only functions not scored; each rule switched off in the final
code, the others on; the other ten projects: identical or within 0.003):
- FACTORY_RULE: voluptuous R 0.829 -> 0.880 (+91 true pairs, P 0.503 ->
  0.510; `_compile_itemsort`), decorator R 0.371 -> 0.857 (+51; P 0.830 ->
  0.841: `_contextmanager = decorator(ContextManager)`, a test module's
  `singledispatch = dispatch_on("obj")`), funcy 0.873 -> 0.901, click
  +482 true / +2,002 predicted pairs without INSTANCE_RULE (R 0.918,
  P 0.594: `_default_text_stdout = _make_cached_stream_func(...)`, read by
  `echo`); it costs attrs 238 false pairs (P 0.655 -> 0.648:
  `_DEFAULT_ON_SETATTR = setters.pipe(...)`, whose closure runs only when a
  test sets an attribute after `__init__`).
- INSTANCE_RULE: with FACTORY_RULE on, click -319 true / -1,762 predicted
  (R 0.918 -> 0.902, P 0.594 -> 0.618: the goal, which factory alone
  misses), marshmallow P 0.646 -> 0.648; tenacity identical.
- NAMESAKE_RULE: tenacity P 0.581 -> 0.653 at R 0.874 (-415 false pairs:
  the goal; `retry.py`'s body had been walked as the `@retry` decorator).

- PART_RULE (pyparsing: grammars are built in module bodies, in
  expressions: `word = Word(alphas).set_name("w")`, `expr = word + num`,
  `stmt <<= expr`, `grammar.ignore(comment)`): a call anywhere in a value
  bound to a module-level name binds it to that name, and the names whose
  values read it hold it on (transitively); receivers (`NAME.configure()`,
  `NAME[...]`), `__all__` and `if __name__ == "__main__":` pass nothing on.
  SCRIPT_RULE: a module only tests (and other such modules) import, as
  `examples/`, is held by its importers' tests, as a test module's
  instances (impact_testglobals), even when its body passes one on.
  Figures (default selection, depth 8, cache of /tmp/cache-mg; both on vs
  the merged code, OWN_HIERARCHY_GUESS off): pyparsing R 0.887 -> 0.883,
  P 0.289 -> 0.309 (-23k predicted pairs); attrs +15 predicted, boltons,
  click, packaging and the other 11 projects identical.

Cost: one query of the callee's incoming calls for the nodes of a level, and
the file's symbols for the few called in a module body; memoised while the
index is unchanged. Only up to impact.GUARD_MAX_FILES Python files, as the
other rules for unseen projects.
"""

from __future__ import annotations

import ast

from indexer.graph import python_ast
from indexer.graph.vocab import RefKind, SymbolKind

FACTORY_RULE = True  # switch, for its test
INSTANCE_RULE = True  # switch, for its test
PART_RULE = True  # switch, for its test
SCRIPT_RULE = True  # switch, for its test
HOW = "bound"
_FUNCTIONS = (SymbolKind.FUNCTION, SymbolKind.METHOD)
_NAMES = (SymbolKind.VARIABLE, SymbolKind.CONSTANT)


def _module_calls(graph, memo: dict, callee: str, part: bool = False) -> tuple[list, list]:
    """(bound, unbound): the module-level names bound to a call of `callee`
    made in a module body, and the module-body calls of it that no such
    name holds (a bare `register(C())`, `x = [C()]` holds one too: only a
    call that is the whole value counts as bound; with `part`, a call
    anywhere in the value counts: PART_RULE)."""
    key = ("bound names", callee, part)
    if key not in memo:
        bound: list[str] = []
        unbound: list = []
        modules = {enclosing for _t, enclosing, _k, _c, _h in graph.incoming([callee], RefKind.CALL)}
        for module in sorted(modules):
            # (a package's `retry` function and its `retry.py` module share a qualname)
            owner = next((s for s in graph.symbols(module) if s.kind == SymbolKind.MODULE), None)
            if owner is None:
                continue
            names = [s for s in graph.symbols_in_file(owner.path) if s.kind in _NAMES and s.parent == module]
            for ref in graph.uses_in(callee, module, (RefKind.CALL,)):
                held = _bound_to(graph, memo, module, owner.path, ref)[0] if part else [
                    s.qualname for s in names if s.range.start.line <= ref.range.start.line <= s.range.end.line
                    and _whole_value(graph, memo, s, ref)]
                if held:
                    bound.extend(q for q in held if q not in bound)
                else:
                    unbound.append((module, ref.range.start.line))
        memo[key] = (bound, unbound)
    return memo[key]


def _module_statements(graph, memo: dict, path: str) -> tuple[list, frozenset]:
    """(assignments, kept) of a module's own statements (PART_RULE): each
    statement that binds a value to names, as (first line, last line,
    names, the end positions of the names and attributes written in its
    value), and the end positions of the uses that pass nothing on. Lines
    0-based. A value is bound by `NAME = value` (also `A = B = value`,
    `NAME: T = value`), `NAME += value` (any operator), a bare `NAME <<
    value` (its result unused: the operator changes NAME) and a bare
    `NAME.method(value)` (NAME keeps it: `grammar.ignore(comment)`),
    `NAME[key] = value`. Kept: the names assigned, those read as a receiver (`NAME.configure()`,
    `NAME[...]`), any in an `__all__` statement, and any under
    `if __name__ == "__main__":`."""
    key = ("module statements", path)
    if key not in memo:
        assigns: list = []
        kept: set = set()
        try:
            with open(graph.root / path, "rb") as f:
                tree = python_ast.parse(f.read().decode("utf-8", "replace"))
        except (OSError, SyntaxError, ValueError):
            tree = None
        for stmt in tree.body if tree is not None else ():
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if _main_guard(stmt):
                # (never runs at import: what it passes on reaches no test that imports the module)
                kept.update((node.end_lineno - 1, node.end_col_offset) for node in ast.walk(stmt)
                            if isinstance(node, (ast.Name, ast.Attribute)))
                continue
            targets, value = _binding(stmt)
            for node in ast.walk(stmt):
                if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.value, (ast.Name, ast.Attribute)):
                    kept.add((node.value.end_lineno - 1, node.value.end_col_offset))
                elif isinstance(node, ast.Name) and (targets and node in targets or "__all__" in _names(stmt)):
                    kept.add((node.end_lineno - 1, node.end_col_offset))
                elif isinstance(node, ast.Constant) and "__all__" in _names(stmt):
                    kept.add((node.end_lineno - 1, node.end_col_offset - 1))  # (a string's name ends inside its quotes)
            if targets and value is not None:
                ends = frozenset((node.end_lineno - 1, node.end_col_offset) for node in ast.walk(value)
                                 if isinstance(node, (ast.Name, ast.Attribute)))
                assigns.append((stmt.lineno - 1, stmt.end_lineno - 1, tuple(t.id for t in targets), ends))
        memo[key] = (assigns, frozenset(kept))
    return memo[key]


def _names(stmt) -> tuple[str, ...]:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) else []
    return tuple(t.id for t in targets if isinstance(t, ast.Name))


def _main_guard(stmt) -> bool:
    """`if __name__ == "__main__":`"""
    test = stmt.test if isinstance(stmt, ast.If) else None
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__" \
        and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant) \
        and test.comparators[0].value == "__main__"


def _binding(stmt) -> tuple[list, object]:
    """The names a module-level statement binds a value to, and the value
    (`TABLE[k] = value`, `NS.attr = value`: TABLE, NS hold it)."""
    if isinstance(stmt, ast.Assign):
        # (`a, b = f(C())`: both may hold it)
        unpacked = [e for t in stmt.targets for e in (t.elts if isinstance(t, ast.Tuple) else [t])]
        bases = [t.value if isinstance(t, (ast.Subscript, ast.Attribute)) else t for t in unpacked]
        if all(isinstance(t, ast.Name) for t in bases):
            return bases, stmt.value
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and isinstance(stmt.target, ast.Name):
        return [stmt.target], stmt.value
    if isinstance(stmt, ast.Expr):
        expr = stmt.value
        if isinstance(expr, ast.BinOp) and isinstance(expr.left, ast.Name):
            return [expr.left], expr.right
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and isinstance(expr.func.value, ast.Name):
            return [expr.func.value], ast.Tuple(elts=[*expr.args, *(k.value for k in expr.keywords)], ctx=ast.Load())
    return [], None


def _bound_to(graph, memo: dict, module: str, path: str, ref) -> tuple[list[str], bool]:
    """(names, kept): the module-level names whose value the call or read
    at `ref` is written in (`NAME = C().configure()`, `EXPR = NAME + D()`,
    `NAME = [C()]`), and whether it is a use that passes nothing on instead
    (`_module_statements`)."""
    assigns, kept = _module_statements(graph, memo, path)
    end = (ref.range.end.line, ref.range.end.character)
    for first, last, names, ends in assigns:
        if first <= ref.range.start.line <= last and end in ends:
            return [f"{module}.{name}" for name in names], False
    return [], end in kept


def _whole_value(graph, memo: dict, name, ref) -> bool:
    """Whether the call at `ref` is the whole value bound to `name`
    (`NAME = callee(...)`, `A = B = pkg.callee(...)`, `NAME: T = callee()`)."""
    key = ("bound statement", name.path, name.range.start.line, name.range.end.line)
    if key not in memo:
        stmt = None
        try:
            with open(graph.root / name.path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").split("\n")
            text = "\n".join(lines[name.range.start.line:name.range.end.line + 1])
            body = python_ast.parse(text).body
            stmt = body[0] if len(body) == 1 and isinstance(body[0], (ast.Assign, ast.AnnAssign)) else None
        except (OSError, SyntaxError, ValueError):
            stmt = None
        value = stmt.value if stmt is not None else None
        func = value.func if isinstance(value, ast.Call) else None
        # The callee's name token: the end of `callee` / `pkg.callee` (0-based line in the file).
        memo[key] = None if func is None else (name.range.start.line + func.end_lineno - 1, func.end_col_offset)
    return memo[key] is not None and memo[key] == (ref.range.end.line, ref.range.end.character)


def factory_names(walk, node: str) -> list[str]:
    """The module-level names bound to a call of `node`, a function that
    returns a function it defines."""
    if not FACTORY_RULE:
        return []
    sym = walk.symbol(node)
    if sym is None or sym.kind not in _FUNCTIONS or not _returns_closure(walk, sym):
        return []
    return _module_calls(walk.graph, walk.memo, node)[0]


def _returns_closure(walk, sym) -> bool:
    key = ("returns closure", sym.qualname)
    memo = walk.memo
    if key not in memo:
        from indexer.analysis.impact_returns import SURE, _READS, _returned

        found = False
        closures = [s.qualname for s in walk.graph.members(sym.qualname) if s.kind == SymbolKind.FUNCTION]
        for closure in closures:
            for ref in walk.graph.uses_in(closure, sym.qualname, _READS):
                if ref.confidence >= SURE and _returned(walk.graph, ref, sym, memo):
                    found = True
                    break
            if found:
                break
        memo[key] = found
    return memo[key]


def instance_names(walk, node: str) -> list[str]:
    """In a receiver walk (`walk.runs` False), the module-level names bound
    to an instance of `node`, a class the walk asks about."""
    if not INSTANCE_RULE or walk.runs or node not in walk.created:
        return []
    sym = walk.symbol(node)
    if sym is None or sym.kind != SymbolKind.CLASS:
        return []
    names = _module_calls(walk.graph, walk.memo, node, part=PART_RULE)[0]
    return _held_on(walk.graph, walk.memo, names) if PART_RULE else names


def _held_on(graph, memo: dict, names: list[str]) -> list[str]:
    """`names` and the module-level names whose values read one of them,
    transitively (`EXPR = NAME + OTHER`: EXPR holds NAME's instance)."""
    out, todo = list(names), list(names)
    while todo:
        for held in _holders(graph, memo, todo.pop())[0]:
            if held not in out:
                out.append(held)
                todo.append(held)
    return out


def _module_body_uses(graph, name: str):
    """(module, its module symbol, use) for each use of `name` written in a
    module's own file other than an import or an `__all__` entry."""
    users = {enclosing for _t, enclosing, kind, _c, _h in graph.incoming([name]) if kind != RefKind.IMPORT}
    for module in sorted(users):
        owner = next((s for s in graph.symbols(module) if s.kind == SymbolKind.MODULE), None)
        if owner is None:
            continue
        listed = [s.range for s in graph.symbols(f"{module}.__all__") if s.path == owner.path]
        for ref in graph.uses_in(name, module, tuple(k for k in RefKind if k != RefKind.IMPORT)):
            if ref.path == owner.path and not any(r.start.line <= ref.range.start.line <= r.end.line for r in listed):
                yield module, owner, ref


def _holders(graph, memo: dict, name: str) -> tuple[list[str], frozenset[str]]:
    """(holders, loose): the module-level names whose values read `name`,
    and the modules whose body uses it otherwise (not in such a value, an
    import, an `__all__` entry or the receiver of an attribute)."""
    key = ("bound name holders", name)
    if key not in memo:
        holders: list[str] = []
        loose: set[str] = set()
        for module, owner, ref in _module_body_uses(graph, name):
            held, receiver = _bound_to(graph, memo, module, owner.path, ref)
            held = [q for q in held if q != name]
            if held:
                holders.extend(q for q in held if q not in holders)
            elif not receiver:  # (`NAME.configure(...)` keeps it where it is)
                loose.add(module)
        memo[key] = (holders, frozenset(loose))
    return memo[key]


def bound_elsewhere(graph, memo: dict, classes: list[str]) -> frozenset[str]:
    """The modules whose body makes instances of `classes` only as values
    bound to module-level names (the receiver walk follows those names)."""
    if not INSTANCE_RULE:
        return frozenset()
    bound, unbound = set(), set()
    for cls in classes:
        names, loose = _module_calls(graph, memo, cls, part=PART_RULE)
        if PART_RULE:
            # Held on through other names: one of them passed on elsewhere lifts the rule
            # for every module making the class's instances (unless a script passes it on).
            loose_on = set().union(*(_holders(graph, memo, name)[1] for name in _held_on(graph, memo, names)))
            loose_on = {m for m in loose_on if not script_module(graph, memo, m)}
            (unbound if loose_on else bound).update(name.rpartition(".")[0] for name in names)
        for name in () if PART_RULE else names:
            (unbound if _passed_on_in_a_module(graph, memo, name) else bound).add(name.rpartition(".")[0])
        unbound.update(module for module, _line in loose)
    return frozenset(bound - unbound)


def loose_scripts(graph, memo: dict, classes: list[str]) -> frozenset[str]:
    """The script modules (SCRIPT_RULE) that pass on a module-level
    instance of `classes` (or a name built from one): their tests hold it."""
    if not PART_RULE or not SCRIPT_RULE:
        return frozenset()
    out: set[str] = set()
    for cls in classes:
        names = _module_calls(graph, memo, cls, part=True)[0]
        for name in _held_on(graph, memo, names):
            out.update(m for m in _holders(graph, memo, name)[1] if script_module(graph, memo, m))
    return frozenset(out)


def script_module(graph, memo: dict, module: str) -> bool:
    """A library module that only test modules import (by its name or any
    of its names), as a project's `examples/` scripts: what its body makes
    or passes on reaches the tests that import it, not every test
    (SCRIPT_RULE; impact_testglobals treats a test module's objects so)."""
    if not SCRIPT_RULE:
        return False
    key = ("script module", module)
    if key not in memo:
        from indexer.analysis.impact_testglobals import in_tests

        memo[key] = False  # (an import cycle: not a script)
        owner = next((s for s in graph.symbols(module) if s.kind == SymbolKind.MODULE), None)
        found = False
        if owner is not None and not in_tests(owner.path) and not owner.path.endswith("__init__.py"):
            names = [module, *(s.qualname for s in graph.symbols_in_file(owner.path) if s.parent == module)]
            users = {enclosing for _t, enclosing, _k, _c, _h in graph.incoming(names, RefKind.IMPORT)}
            found = True
            for user in map(graph.symbol, users):
                if user is None or in_tests(user.path):
                    continue
                importer = user.qualname if user.kind == SymbolKind.MODULE else None
                if importer is None:
                    importer = next((s.qualname for s in graph.symbols_in_file(user.path) if s.kind == SymbolKind.MODULE), None)
                if importer is None or importer == module or not script_module(graph, memo, importer):
                    found = False  # (imported by a script: a script too)
                    break
        memo[key] = found
    return memo[key]


def _passed_on_in_a_module(graph, memo: dict, name: str) -> bool:
    """Whether a module body uses the name otherwise than importing it or
    listing it in `__all__` (`DEFAULTS = {"x": NAME}`, `register(NAME)`):
    the instance then reaches code the walk does not follow (it stops at
    modules), and it lifts the receiver rule as an unbound one does."""
    key = ("bound name passed on", name)
    if key not in memo:
        memo[key] = next(_module_body_uses(graph, name), None) is not None
    return memo[key]


NAMESAKE_RULE = True  # switch, for its test


def module_paths(graph, memo: dict) -> dict[str, str]:
    """Module qualname -> its file, for the modules that share their
    qualname with another symbol, at the index's version (`memo`)."""
    modules = memo.get(("shared module names",))
    if modules is None:
        modules = memo[("shared module names",)] = graph.shared_module_names() if NAMESAKE_RULE else {}
    return modules


def module_level_uses(graph, memo: dict, target: str, enclosing: str) -> bool:
    """Whether every use of `target` credited to `enclosing` is written in
    the body of a module of that name that shares it with another symbol
    (tenacity's `retry` function, re-exported by the package, and its
    `tenacity/retry.py`): the walk stops at a module, never walks it as the
    function (which made every `@retry` test look affected by what
    `retry.py`'s body builds, `retry_never = _retry_never()`)."""
    if not NAMESAKE_RULE:
        return False
    path = module_paths(graph, memo).get(enclosing)
    if path is None:
        return False
    key = ("module namesake uses", target, enclosing)
    if key not in memo:
        uses = graph.uses_in(target, enclosing, tuple(RefKind))
        memo[key] = bool(uses) and all(ref.path == path for ref in uses)
    return memo[key]
