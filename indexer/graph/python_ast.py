"""The standard library's `ast.parse` and `ast.literal_eval`, one thread at
a time.

CPython 3.11's AST constructor keeps its recursion depth in interpreter-wide
state, so two threads parsing at once can raise
`SystemError: AST constructor recursion depth mismatch` (CPython gh-106905,
fixed in 3.12.1). The server parses from its query threads (impact's guards,
explain) while its indexing thread reads literals, so every engine use of
`ast` goes through here. Errors are the same as `ast`'s.
"""

from __future__ import annotations

import ast
import threading

_LOCK = threading.Lock()


def parse(source: str | bytes) -> ast.Module:
    with _LOCK:
        return ast.parse(source)


def literal_eval(text: str):
    # literal_eval(str) parses first, so it shares the parser's lock.
    with _LOCK:
        return ast.literal_eval(text)


def parse_at(text: str | bytes, first: int, indented: bool) -> ast.Module | None:
    """The lines of one statement (a def with its decorators), the first at
    0-based line `first` of its file, parsed alone at the positions a parse
    of the whole file gives: blank lines before, and an `if 1:` for an
    indented one. Parsing a function instead of its file is what keeps
    impact's source reads cheap on large modules. None where they do not
    parse alone."""
    if indented and first == 0:
        return None
    prefix = "\n" * (first - 1) + "if 1:\n" if indented else "\n" * first
    try:
        return parse((prefix.encode() if isinstance(text, bytes) else prefix) + text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def parameter_defaults(func: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> dict[str, ast.expr]:
    """Each parameter with a default, by name: the positional ones (the
    defaults fill the last of them) and the keyword-only ones."""
    args = func.args
    positional = args.posonlyargs + args.args
    out = {a.arg: d for a, d in zip(positional[len(positional) - len(args.defaults):], args.defaults)}
    out.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    return out


def tests_around(body: list[ast.stmt], line: int, conditional: bool = False) -> list[ast.expr]:
    """The tests of the `if` statements whose body (or an `elif`/`else`
    branch's) holds the statement at 1-based `line` in `body`, outermost
    first; with `conditional`, also of the conditional expressions whose
    true branch is on it (`a if isinstance(x, C) else b`). A nested def or
    class stops the search: its code runs when it is called."""
    out: list[ast.expr] = []
    while True:
        stmt = next((s for s in body if s.lineno <= line <= getattr(s, "end_lineno", s.lineno)), None)
        if stmt is None or isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return out
        if isinstance(stmt, ast.If):
            if _holds(stmt.body, line):
                out.append(stmt.test)
                body = stmt.body
            elif _holds(stmt.orelse, line):
                body = stmt.orelse
            else:
                return out
            continue
        if conditional:
            out.extend(node.test for node in ast.walk(stmt)
                       if isinstance(node, ast.IfExp) and node.body.lineno <= line <= node.body.end_lineno
                       and not node.test.lineno <= line <= node.test.end_lineno)
        inner = next((getattr(stmt, field) for field in ("body", "orelse", "finalbody", "handlers")
                      if isinstance(getattr(stmt, field, None), list) and getattr(stmt, field)
                      and all(isinstance(s, ast.stmt) for s in getattr(stmt, field))
                      and _holds(getattr(stmt, field), line)), None)
        if inner is None:
            return out
        body = inner


def _holds(body: list, line: int) -> bool:
    return bool(body) and body[0].lineno <= line <= getattr(body[-1], "end_lineno", body[-1].lineno)


def callee_name(func: ast.AST) -> str | None:
    """The last name of a call's callee (`f` of `f(...)`, `m` of `x.m(...)`)."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _name_position(node: ast.expr) -> tuple[int, int] | None:
    """(0-based line, column) of the name a Name or Attribute node ends in,
    where the index's reference to it starts."""
    if isinstance(node, ast.Name):
        return node.lineno - 1, node.col_offset
    if isinstance(node, ast.Attribute) and node.end_lineno is not None and node.end_col_offset is not None:
        return node.end_lineno - 1, node.end_col_offset - len(node.attr)
    return None


def hands_over(function: ast.AST, classes: set, calls: set) -> bool:
    """Whether, inside `function`, a call whose callee name starts at one of
    `calls` (0-based line, column) gets in its arguments a name at one of
    `classes` (a class, or a call making one), or a local name a statement
    of the function bound to a call of one; a member read off the class
    (`C.attr`) is no class."""
    received = set()  # ids of the nodes a member is read off
    bound: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute):
            received.add(id(node.value))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and _name_position(node.value.func) in classes:
            bound.update(target.id for target in node.targets if isinstance(target, ast.Name))
    for node in ast.walk(function):
        if not isinstance(node, ast.Call) or _name_position(node.func) not in calls:
            continue
        for arg in (*node.args, *(keyword.value for keyword in node.keywords)):
            for inner in ast.walk(arg):
                if id(inner) in received or not isinstance(inner, (ast.Name, ast.Attribute)):
                    continue
                if _name_position(inner) in classes or (isinstance(inner, ast.Name) and inner.id in bound):
                    return True
    return False
