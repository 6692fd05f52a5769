"""Code in a string literal that a module runs with `exec` (issue 12,
wrapt): the names it defines exist at run time, and the index, which reads
the string as a string, knows none of them.

    DECORATORS_CODE = '''
    import wrapt

    @wrapt.decorator
    def passthru_decorator(wrapped, instance, args, kwargs):
        return wrapped(*args, **kwargs)
    '''
    decorators = types.ModuleType('decorators')
    exec(DECORATORS_CODE, decorators.__dict__, decorators.__dict__)

    class Class:
        @decorators.passthru_decorator      # a FunctionWrapper
        def function(self, arg): ...

The resolver leaves `decorators.passthru_decorator` outside the workspace
(an attribute of a `types.ModuleType` instance), so impact_decorated never
learns that `Class.function` holds the product of `wrapt.decorator`.

The rule reads the literal: a call named `exec`/`exec_` at a module's top
level whose code is a string literal (or a module-level name bound to one)
and whose namespace is `ns.__dict__`, `vars(ns)` or the module's own
globals. The string is parsed with `ast`; each function or class it
defines keeps its decorators' dotted names, read through the string's own
imports (`import wrapt` -> `wrapt.decorator`) and then through the
workspace's re-exports (`wrapt.decorator` -> `wrapt.decorators.decorator`).
`decorated_through_exec(walk, decorators)` then gives the symbols of that
module decorated by such a name (a use named `passthru_decorator` that the
resolver left outside the workspace or unresolved) when one of the name's
own decorators is among `decorators`: impact_decorated counts them as
holding the decorator's product, as if the def had been written in the
module. A decorator call in the string (`@wrapt.decorator(adapter=p)`)
counts as its function: the factory returns a decorator that makes the
same product.

Files are found by the name of the callee (one query over the uses), read
only when they call `exec`/`exec_`, and parsed once per walk memo. Like the
other recall rules for unseen projects it runs only up to
impact._recall_rules_scale's 600 Python files.

Measured on the eleven evaluated projects at the default depth 8 (default
selection), against the same code with RULE off: wrapt +167 true / +299
false pairs (0.696 / 0.609 -> 0.774 / 0.569): `_FunctionWrapperBase.__get__`
and the constructors it runs reach the tests that read `Class.function`.
Most of the false pairs are not the rule's own: they follow the tests it
reaches along the class-creation chains (`with_metaclass`, the metaclass's
`__new__`) and the library `__eq__` rule, which run at import. The other
ten projects are unchanged: none defines a decorated name in an exec'd
literal (toolz has 1 file and boltons 2 that call `exec`, on other code).

CALL_RULE: the call form, `function1d = decorators.passthru_decorator(
function1)` (wrapt's tests/test_function.py, test_class.py), binds the
variable to the product: the receiver walks count the tests reading it as
holders. wrapt +9 true / +15 false pairs (the introspection rules'
`__getattr__`/`__class__`/`__signature__` links of those tests; the false
ones the property setters' shared qualnames and `__eq__`).
"""

from __future__ import annotations

import ast
from pathlib import Path

from indexer.graph import python_ast
from indexer.graph.vocab import How, RefKind, SymbolKind

RULE = True  # switch, for its test
# The call form too: `function1d = decorators.passthru(function1)` binds
# the variable to the product as `@decorators.passthru` would (a switch).
CALL_RULE = True
EXEC_NAMES = ("exec", "exec_")
# Hows of a use the resolver could not place in the workspace.
_OUTSIDE = ("external", "unresolved", "name-match")


def decorated_through_exec(walk, decorators: set[str]) -> set[str]:
    """Symbols decorated by a name an exec'd literal defines with one of
    `decorators` (workspace qualnames) among its own decorators."""
    if not RULE or not decorators:
        return set()
    out = set()
    for path, name, own in _exec_definitions(walk):
        if own.isdisjoint(decorators):
            continue
        out.update(enclosing for enclosing, _target, how in walk.graph.named_uses_in_file(path, name, RefKind.DECORATOR)
                   if how in _OUTSIDE)
    return out


def exec_decorated_users(walk, qualname: str) -> list[tuple[str, str, float, str]]:
    """Synthetic decorator uses (enclosing, kind, confidence, how) of
    `qualname` by the symbols decorated with a name an exec'd literal
    defines with `qualname` among its decorators: the walk's own link from
    a decorator to what it decorates, through the string."""
    if not RULE:
        return []
    out = []
    for path, name, own in _exec_definitions(walk):
        if qualname in own:
            out.extend((enclosing, RefKind.DECORATOR, 1.0, How.VALUE) for enclosing, _target, how
                       in walk.graph.named_uses_in_file(path, name, RefKind.DECORATOR) if how in _OUTSIDE)
            if CALL_RULE:
                # (a call: what makes the instance, as the receiver walk follows it)
                out.extend((variable, RefKind.CALL, 1.0, How.VALUE) for variable in _called_into(walk, path, name))
    return out


def _called_into(walk, path: str, name: str) -> list[str]:
    """The variables of `path` whose whole value is a call of `name`, an
    exec'd literal's definition (`NAME = ns.name(arg)`)."""
    scopes = sorted({enclosing for enclosing, _target, how in walk.graph.named_uses_in_file(path, name, RefKind.CALL)
                     if how in _OUTSIDE})
    if not scopes:
        return []
    try:
        lines = (Path(walk.graph.root) / path).read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError:
        return []
    out = []
    for variable in walk.graph.symbols_in_file(path):
        if variable.kind != SymbolKind.VARIABLE or variable.parent not in scopes:
            continue
        first = variable.range.start.line
        tree = python_ast.parse_at("\n".join(lines[first:variable.range.end.line + 1]), first,
                                   variable.range.start.character > 0)
        stmt = tree.body[-1] if tree is not None and tree.body else None
        if isinstance(stmt, ast.If) and variable.range.start.character > 0 and stmt.body:
            stmt = stmt.body[0]  # (parse_at's `if 1:`)
        value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
        parts = _dotted(value.func) if isinstance(value, ast.Call) else None
        if parts and parts[-1] == name:
            out.append(variable.qualname)
    return out


def _exec_definitions(walk) -> list[tuple[str, str, frozenset[str]]]:
    """(path, name, its decorators' qualnames) of every function or class
    that a module's exec'd literal defines (memoised per walk memo)."""
    key = ("exec definitions",)
    if key in walk.memo:
        return walk.memo[key]
    out = []
    for path in walk.graph.files_calling(EXEC_NAMES):
        try:
            text = (Path(walk.graph.root) / path).read_text(encoding="utf-8", errors="replace")
            tree = python_ast.parse(text)
        except (SyntaxError, ValueError, OSError):
            continue
        for code in exec_literals(tree):
            try:
                inner = python_ast.parse(code)
            except (SyntaxError, ValueError):
                continue
            for name, dotted in literal_definitions(inner):
                own = frozenset(q for d in dotted if (q := _workspace_name(walk, d)) is not None)
                if own:
                    out.append((path, name, own))
    walk.memo[key] = out
    return out


def exec_literals(tree: ast.Module) -> list[str]:
    """The string literals a module's top-level `exec(CODE, ns.__dict__)`
    calls run (CODE a literal or a module-level name bound to one)."""
    strings = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    strings[target.id] = node.value.value
    out = []
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name) or call.func.id not in EXEC_NAMES:
            continue
        if not call.args or not all(_namespace(arg) for arg in call.args[1:3]):
            continue
        code = call.args[0]
        if isinstance(code, ast.Constant) and isinstance(code.value, str):
            out.append(code.value)
        elif isinstance(code, ast.Name) and code.id in strings:
            out.append(strings[code.id])
    return out


def _namespace(node: ast.AST) -> bool:
    """`ns.__dict__`, `vars(ns)`, `globals()`: a namespace exec fills."""
    if isinstance(node, ast.Attribute):
        return node.attr == "__dict__" and isinstance(node.value, ast.Name)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in ("vars", "globals", "locals") and len(node.args) <= 1
    return False


def literal_definitions(tree: ast.Module) -> list[tuple[str, list[str]]]:
    """(name, dotted decorator names read through the code's own imports)
    of each top-level function and class."""
    imported: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imported[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    imported[head] = head
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    out = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        names = []
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call):
                decorator = decorator.func
            parts = _dotted(decorator)
            if parts and parts[0] in imported:
                names.append(".".join([imported[parts[0]], *parts[1:]]))
        out.append((node.name, names))
    return out


def _dotted(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def _workspace_name(walk, dotted: str) -> str | None:
    """The workspace symbol a dotted name reaches: itself, or the target of
    its package's import of the last part (`wrapt.decorator`)."""
    if walk.symbol(dotted) is not None:
        return dotted
    module, _, attr = dotted.rpartition(".")
    owner = walk.symbol(module) if module else None
    if owner is None or owner.kind != SymbolKind.MODULE:
        return None
    for ref in walk.graph.references_from(module):
        if ref.name == attr and ref.kind == RefKind.IMPORT and ref.target and walk.symbol(ref.target) is not None:
            return ref.target
    return None
