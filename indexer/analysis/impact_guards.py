"""Value-sensitive reachability: calls that run only when a constructor
keyword was given, and the keywords a test gives.

Library code often switches features on by what an object was built with:

    class Option(Parameter):
        def __init__(self, ..., prompt=False, envvar=None, ...):
            self.prompt = prompt_text          # from `prompt`
        def consume_value(self, ctx, opts):
            if self.prompt is not None and not ctx.resilient_parsing:
                value = self.prompt_for_value(ctx)

`consume_value -> prompt_for_value` runs only for an Option built with
`prompt=`. A test whose command tree (built in the test by decorators:
`@click.option("--x", prompt=True)`) never passes `prompt` cannot run it, however
many hub chains (`CliRunner.invoke -> main -> ...`) lead there statically.

A *guard* of a call edge (callee used inside user) is the set of keywords
that every use of the callee in the user's body sits under (an `if` whose
condition requires `self.X`, or after `if not self.X: return`), where `X`
is an attribute that the class hierarchy's `__init__` sets only from its
keyword `X` with a falsy default. A keyword some library code passes when
it builds the class (`Option(..., callback=show_help)` inside the library)
guards nothing: any test may get such an object without naming it.

A test *gives* the keywords of the calls in its own source (decorators,
nested commands and classes, parametrize dicts) and in what it calls
directly (helpers, fixtures, the library's decorator factories such as
`password_option`, whose `kwargs.setdefault("prompt", True)` gives
`prompt`), plus the module-level code of its file.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from pathlib import Path

from indexer.analysis.impact_flags import FLAG, flag_tokens
from indexer.analysis.impact_holders import PASSED
from indexer.analysis.impact_isinstance import DISPLAY, TOKEN as INSTANCE_TOKEN, display_tokens
from indexer.analysis.impact_params import parameter_tokens
from indexer.analysis import impact_siblings
from indexer.graph.model import Symbol
from indexer.graph.query import Graph
from indexer.graph.vocab import RefKind, SymbolKind
from indexer.graph import python_ast

_FALSY = (None, False, 0, "", ())
_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)


class _Source:
    """A parsed file, with its def/class nodes by name (in `ast.walk`
    order) and, on first use, its calls (one walk a file, not one a symbol
    or a reference). Definitions sit only in statement lists, so their walk
    skips expressions: on the stdlib the full walk cost as much as the parse."""

    __slots__ = ("tree", "definitions", "_calls", "assignments", "_calls_by_line")

    def __init__(self, tree: ast.Module | None):
        self.tree = tree
        self.definitions: dict[str, list[ast.AST]] = {}
        self._calls: list[ast.Call] | None = None
        self._calls_by_line: dict[int, list[ast.Call]] | None = None
        # First line -> lines of the first assignment statement there.
        self.assignments: dict[int, tuple[int, int]] = {}
        queue = deque([tree] if tree is not None else ())
        while queue:
            node = queue.popleft()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.definitions.setdefault(node.name, []).append(node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                self.assignments.setdefault(node.lineno, (node.lineno, node.end_lineno))
            queue.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, _HOLDS_STATEMENTS))

    @property
    def calls(self) -> list[ast.Call]:
        if self._calls is None:
            self._calls = [node for node in ast.walk(self.tree) if isinstance(node, ast.Call)] \
                if self.tree is not None else []
        return self._calls

    def calls_on(self, line: int) -> list[ast.Call]:
        """The calls whose span holds `line` (1-based), in `calls` order: a
        use's call is looked up among these, not among every call of the
        file (pyparsing's 10,000-line test module: impact_params._call_at
        took most of a query's CPU scanning all of them for each use)."""
        if self._calls_by_line is None:
            by_line: dict[int, list[ast.Call]] = {}
            for node in self.calls:
                for number in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                    by_line.setdefault(number, []).append(node)
            self._calls_by_line = by_line
        return self._calls_by_line.get(line, [])


# The nodes a def/class can sit under (ast.walk order kept: a breadth-first
# walk that drops subtrees without statements keeps the others' order).
_HOLDS_STATEMENTS = (ast.stmt, ast.excepthandler, ast.match_case)


@lru_cache(maxsize=256)
def _parse(path: Path, mtime_ns: int) -> _Source:
    try:
        return _Source(python_ast.parse(path.read_text(encoding="utf-8", errors="replace")))
    except (SyntaxError, ValueError, OSError, MemoryError, RecursionError):  # (too deep for ast: as parse_at)
        return _Source(None)


def _own_node(path: Path, sym: Symbol) -> ast.AST | None:
    """The def/class node of `sym` parsed from its own lines (with its
    decorators), at the positions a parse of the whole file gives: on the
    stdlib, parsing whole files for one function each was most of a slow
    query. None where the lines alone are not certain to give that node.
    In a file that does not parse as a whole (Python 2, mid-edit) a def
    whose own lines parse still has its node (before: none, no guard)."""
    try:
        lines = _file_rows(path, path.stat().st_mtime_ns)
    except OSError:
        return None
    first, last = sym.range.start.line, sym.range.end.line
    if not first < len(lines) or last < first or last >= len(lines):
        return None
    indent = _indent(lines[first])
    # Its decorators: going up past deeper, blank and closing-bracket lines
    # (a decorator over several lines), each line at the def's indent that
    # starts with `@`. Any other line at that indent ends the previous
    # statement; one with more closing brackets than opening ones may be
    # inside a decorator's brackets: not certain.
    top = first
    while True:
        above = top - 1
        while above >= 0 and (not lines[above].strip() or lines[above].lstrip().startswith(("#", ")", "]", "}"))
                              or _indent(lines[above]) > indent):
            above -= 1
        row = lines[above].strip() if above >= 0 else ""
        if row.startswith("@") and _indent(lines[above]) == indent:
            top = above
            continue
        if sum(map(row.count, ")]}")) > sum(map(row.count, "([{")):
            return None
        break
    tree = python_ast.parse_at("\n".join(lines[top:last + 1]), top, bool(indent))
    if tree is None:
        return None
    body = tree.body[0].body if indent and len(tree.body) == 1 else tree.body
    if len(body) != 1:
        return None
    node = body[0]
    line = sym.selection_range.start.line + 1
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or node.name != sym.name \
            or not node.lineno <= line <= node.body[0].lineno \
            or (node.decorator_list and node.decorator_list[0].lineno != top + 1):
        return None
    return node


def _indent(row: str) -> int:
    return len(row) - len(row.lstrip())


@lru_cache(maxsize=64)
def _file_rows(path: Path, mtime_ns: int) -> list[str]:
    """The file's lines as `ast` counts them (read_text made every line end
    a newline; `splitlines` would also split at a form feed)."""
    return _file_text(path, mtime_ns).split("\n")


class Guards:
    """Guards of call edges and keywords of tests over one index (memoised in
    `memo`, IMPACT_MEMO's table of the index's current version)."""

    def __init__(self, graph: Graph, memo: dict):
        self.graph = graph
        self.memo = memo

    # -- source ---------------------------------------------------------------

    def source(self, path: str) -> _Source:
        file = Path(self.graph.root) / path
        try:
            mtime = file.stat().st_mtime_ns
        except OSError:
            return _Source(None)
        return _parse(file, mtime)

    def tree(self, path: str) -> ast.Module | None:
        return self.source(path).tree

    def node_of(self, sym: Symbol) -> ast.AST | None:
        """The def/class node of a symbol (its name line, 0-based). Keyed by
        the line too: `@overload` stubs and their implementation share a
        qualname (so does a property's setter), and whichever was parsed first used to answer for all of
        them (an isinstance guard then read the stub's empty body)."""
        key = ("guard node", sym.qualname, sym.selection_range.start.line)
        if key not in self.memo:
            node = _own_node(Path(self.graph.root) / sym.path, sym)
            if node is None:  # its lines alone do not parse: the whole file
                line = sym.selection_range.start.line + 1
                node = next((node for node in self.source(sym.path).definitions.get(sym.name, ())
                             if node.lineno <= line <= node.body[0].lineno), None)
            self.memo[key] = node
        return self.memo[key]

    # -- guards of an edge --------------------------------------------------

    def guard(self, callee: str, user: str) -> frozenset[str]:
        """Keywords every use of `callee` inside `user` requires (empty: none)."""
        key = ("guard", callee, user)
        if key in self.memo:
            return self.memo[key]
        out: frozenset[str] = frozenset()
        sym = self.graph.symbol(user)
        if sym is not None and sym.kind in _CALLABLE:
            lines = [ref.range.start.line + 1 for ref in self._uses(callee) if ref.enclosing == user]
            # A use on a line under no condition (stored at index time) has
            # no guard: the source is parsed only where one may exist.
            func = self.node_of(sym) if lines and self._conditioned(sym, lines) else None
            if lines and isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = dict.fromkeys(_environment_locals(func), ENVIRONMENT)
                allowed = {ENVIRONMENT}
                params = parameter_tokens(self, sym)  # the function's own keywords (impact_params)
                names.update(params)
                allowed |= set(params.values())
                if sym.kind == SymbolKind.METHOD and sym.parent:
                    allowed |= self.keyword_attributes(sym.parent)
                    if sym.name == "__init__":
                        # `if count: self.type = IntRange(min=0)`: the constructor's own keyword.
                        own = self.init_keywords(sym.parent, func)
                        names.update((name, name) for name in own)
                        allowed |= own
                needed = None
                for line in lines:
                    attrs = _attributes_required(func.body, line, names)
                    needed = attrs if needed is None else needed & attrs
                out = frozenset(a for a in (needed or ()) if a in allowed)
        self.memo[key] = out
        return out

    def regions(self, sym: Symbol) -> tuple:
        """The function's condition regions `(first line, last line, atoms)`
        stored at index time (languages/python/guard_facts.py; one read per
        file, kept in `memo`)."""
        key = ("guard conditions", sym.path)
        if key not in self.memo:
            self.memo[key] = self.graph.guard_conditions(sym.path)
        return self.memo[key].get((sym.selection_range.start.line + 1, sym.name), ())

    def _conditioned(self, sym: Symbol, lines: list[int]) -> bool:
        """Whether every line lies in a region of the function that runs
        under an `if` on a name (stored at index time:
        languages/python/guard_facts.py) that may be a guard: `self.X` with
        X a keyword of the class family's `__init__` or of the function
        (and its makers) with a falsy default, such a keyword itself, or a
        local the function may read from the environment. Else no line
        needs the source (`guard` would find nothing there)."""
        regions = self.regions(sym)
        if not all(any(first <= line <= last for first, last, _atoms in regions) for line in lines):
            return False
        possible = self._possible_atoms(sym)
        return all(any(first <= line <= last and not possible.isdisjoint(atoms) for first, last, atoms in regions)
                   for line in lines)

    def _possible_atoms(self, sym: Symbol):
        """The atoms of `sym`'s conditions that may map to a guard (a superset)."""
        key = ("guard possible", sym.qualname)
        if key in self.memo:
            return self.memo[key]
        names, nones = set(), set()
        scope = sym
        while scope is not None and scope.kind in _CALLABLE:
            for name, none in _falsy_defaults(self.graph.params_of(scope.qualname)):
                names.add(name)
                if none:
                    nones.add(name)
            scope = self.graph.symbol(scope.parent) if scope.parent else None
        attrs = set(names)
        if sym.kind == SymbolKind.METHOD and sym.parent:
            for owner in self._family(sym.parent):
                attrs.update(name for name, _none in _falsy_defaults(self.graph.params_of(f"{owner}.__init__")))
        environment = self._reads_environment(sym)
        out = _Atoms(attrs, names, nones, environment)
        self.memo[key] = out
        return out

    def _reads_environment(self, sym: Symbol) -> bool:
        """Whether the function's text names the environment (`_environment_locals` needs it)."""
        text = _text(Path(self.graph.root) / sym.path)
        lines = text.splitlines()[sym.range.start.line:sym.range.end.line + 1]
        return any("environ" in line or "getenv" in line for line in lines)

    def _uses(self, callee: str):
        key = ("guard uses", callee)
        if key not in self.memo:
            self.memo[key] = self.graph.references_of_kinds(callee, (RefKind.CALL, RefKind.READ, RefKind.ATTRIBUTE))
        return self.memo[key]

    def keyword_attributes(self, cls: str) -> frozenset[str]:
        """Attributes of instances of `cls` set only from an `__init__` keyword
        of the same name with a falsy default, that no library code passes
        when it builds one of these classes."""
        key = ("guard attrs", cls)
        if key in self.memo:
            return self.memo[key]
        family = self._family(cls)
        candidates: dict[str, bool] = {}
        for owner in family:
            init = self.graph.symbol(f"{owner}.__init__")
            node = self.node_of(init) if init is not None else None
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for name, ok in _keyword_assignments(node).items():
                candidates[name] = candidates.get(name, True) and ok
        out = frozenset(n for n, ok in candidates.items() if ok)
        if out:
            out -= self._library_keywords(family)
        self.memo[key] = out
        return out

    def init_keywords(self, cls: str, init: ast.FunctionDef) -> frozenset[str]:
        """Keywords of `cls.__init__` with a falsy default that it never rebinds
        and no library code passes to the class family."""
        key = ("guard init", cls)
        if key not in self.memo:
            own = {name for name, _ok in _keyword_assignments(init, stores_needed=False).items() if _ok}
            self.memo[key] = frozenset(own - self._library_keywords(self._family(cls)) if own else own)
        return self.memo[key]

    def _family(self, cls: str) -> list[str]:
        seen, todo = {cls}, [cls]
        for down in (False, True):
            level = [cls]
            while level:
                level = [q for q in self.graph.hierarchy_step(level, down) if q not in seen]
                seen.update(level)
                todo.extend(level)
        return todo

    def _library_keywords(self, family: list[str]) -> set[str]:
        """Keywords passed where library (non-test) code calls a class of the
        family, or calls something it cannot name (`cls(callback=f)` with `cls`
        a parameter, `type(self)(parent=self)`, `self.context_class(...)`)."""
        out: set[str] = set(self._dynamic_keywords())
        uses = []
        for cls in family:
            for ref in self.graph.references_of_kinds(cls, (RefKind.CALL,)):
                user = self.graph.symbol(ref.enclosing) if ref.enclosing else None
                if user is None or user.is_test or _in_tests(ref.path):
                    continue
                uses.append((ref.path, ref.range.start.line + 1, ref.name.rpartition(".")[2]))
        calls = self._calls({path for path, _line, _name in uses})
        for path, line, name in uses:
            # The calls of that name whose lines hold the use (stored at index time).
            for first, last, keywords in calls.get(path, {}).get(name, ()):
                if first <= line <= last:
                    out.update(keywords)
        return out

    def _calls(self, paths: set[str]) -> dict[str, dict[str, list[tuple]]]:
        """path -> callee name -> (first line, last line, keywords) of its
        calls with keywords (guard_facts in the index), memoised per file."""
        missing = [p for p in paths if ("guard calls", p) not in self.memo]
        if missing:
            stored = self.graph.guard_calls(missing)
            for path in missing:
                by_name: dict[str, list[tuple]] = {}
                for first, last, name, keywords in stored.get(path, ()):
                    by_name.setdefault(name, []).append((first, last, keywords))
                self.memo[("guard calls", path)] = by_name
        return {p: self.memo[("guard calls", p)] for p in paths}

    def _dynamic_keywords(self) -> frozenset[str]:
        """Keywords library code passes to callees it does not name (stored
        per file at index time: languages/python/guard_facts.py)."""
        key = ("guard dynamic",)
        if key not in self.memo:
            out: set[str] = set()
            for path, names in self.graph.guard_dynamic_keywords():
                if path.endswith(".py") and not _in_tests(path):
                    out.update(names.split())
            self.memo[key] = frozenset(out)
        return self.memo[key]

    # -- keywords a test gives -------------------------------------------

    def given(self, test: Symbol) -> frozenset[str]:
        key = ("guard given", test.qualname)
        if key in self.memo:
            return self.memo[key]
        out = set(self._keywords_in(test)) | self._displays_in(test) | self._tokens_in(test, flag_tokens)
        out |= self._module_keywords(test.path)
        for target in self._direct_callees(test):
            given = self._keywords_in(target)
            if not (target.is_test or _in_tests(target.path)):
                given -= {ENVIRONMENT}  # library code reading the environment sets none of it
            else:
                # Library code hands on a display only as an argument (impact_isinstance.display_passed).
                given |= self._displays_in(target) | self._tokens_in(target, flag_tokens)
            out |= given
        owner = self.graph.symbol(test.parent) if test.parent else None
        if owner is not None and owner.kind == SymbolKind.CLASS:
            out |= self._class_gives(owner)  # (not its sibling tests: impact_siblings)
        self.memo[key] = frozenset(out)
        return self.memo[key]

    def _class_gives(self, owner: Symbol) -> frozenset[str]:
        """The keywords, displays and flags a test's class gives each of its
        tests: its body less its test methods (impact_siblings)."""
        key = ("guard class gives", owner.qualname, owner.selection_range.start.line, impact_siblings.RULE)
        if key not in self.memo:
            node = impact_siblings.shared_part(self.node_of(owner))
            self.memo[key] = frozenset() if node is None else \
                _keywords(node) | display_tokens(node) | flag_tokens(node)
        return self.memo[key]

    def _keywords_in(self, sym: Symbol) -> frozenset[str]:
        return self._tokens_in(sym, _keywords)

    def _displays_in(self, sym: Symbol) -> frozenset[str]:
        return self._tokens_in(sym, display_tokens)

    def _tokens_in(self, sym: Symbol, read) -> frozenset[str]:
        # Memoised: the same callee (a class's `__init__`) is read for every
        # test that calls it (on the stdlib, most of a slow query's time).
        # Keyed by definition, as `node_of` is: `@overload` stubs share the qualname.
        key = ("guard tokens", read.__name__, sym.qualname, sym.selection_range.start.line)
        if key not in self.memo:
            node = self.node_of(sym)
            self.memo[key] = read(node) if node is not None else frozenset()
        return self.memo[key]

    def _module_keywords(self, path: str) -> frozenset[str]:
        key = ("guard module", path)
        if key not in self.memo:
            tree = self.tree(path)
            out: set[str] = set()
            for stmt in tree.body if tree is not None else ():
                if _module_level_object(stmt):
                    out |= _keywords(stmt)
            # Module-level data a test may hand in (`SCHEMA = [...]`): the displays of any statement.
            for stmt in tree.body if tree is not None else ():
                if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    out |= display_tokens(stmt)
            self.memo[key] = frozenset(out)
        return self.memo[key]

    def rules_out(self, requirement, test: Symbol) -> bool:
        """Whether the test gives none of the requirement's alternatives."""
        if not requirement or frozenset() in requirement:
            return False
        if ("guard given", test.qualname) not in self.memo:
            # What `given` may find is written in the texts it reads: a
            # token none of them contains is not given (no parse needed).
            texts = self._texts_read(test)
            if not any(all(_written(token, texts) for token in alternative) for alternative in requirement):
                return True
        given = self.given(test)
        return not any(alternative <= given for alternative in requirement)

    def _texts_read(self, test: Symbol) -> list[str]:
        """The source `given` reads for the test: its file (its own code, its
        class, the module level), and each function it or its local
        definitions call directly (a class: its `__init__`)."""
        key = ("guard texts", test.qualname)
        if key in self.memo:
            return self.memo[key]
        out = [_text(Path(self.graph.root) / test.path)]
        for target in self._direct_callees(test):
            lines = _lines(Path(self.graph.root) / target.path)
            out.append("\n".join(lines[target.range.start.line:target.range.end.line + 1]))
        self.memo[key] = out
        return out

    def _direct_callees(self, test: Symbol):
        """What the test and its local definitions (a nested command's
        decorators) call or name directly; a class stands for its
        `__init__` (what its constructor passes on)."""
        scopes, seen = [test.qualname], {test.qualname}
        while scopes:
            scope = scopes.pop()
            for ref in self.graph.references_from(scope):
                target = self.graph.symbol(ref.target) if ref.target else None
                if target is not None and target.kind == SymbolKind.CLASS:
                    target = self.graph.symbol(f"{target.qualname}.__init__")
                if target is not None and target.kind in _CALLABLE:
                    yield target
            for member in self.graph.members(scope):
                if member.qualname not in seen and member.kind in (*_CALLABLE, SymbolKind.CLASS):
                    seen.add(member.qualname)
                    scopes.append(member.qualname)


class _Atoms:
    """Which stored condition atoms may map to a guard (see `_conditioned`)."""

    def __init__(self, attrs: set, names: set, nones: set, environment: bool):
        self.attrs, self.names, self.nones, self.environment = attrs, names, nones, environment

    def isdisjoint(self, atoms) -> bool:
        for kind, name in atoms:
            if kind == "attr" and name in self.attrs or kind == "isinstance" and name in self.nones \
                    or kind == "name" and (self.environment or name in self.names):
                return False
        return True


def _written(token: str, texts: list[str]) -> bool:
    """Whether `_keywords` could find the token in one of the texts (the
    environment's token: any `env`, as in environ, getenv, `env=`)."""
    if token.startswith(DISPLAY):
        return True  # a display is not a word (impact_isinstance.display_tokens parses)
    word = "env" if token == ENVIRONMENT else token[len(FLAG):] if token.startswith(FLAG) else token
    return any(word in text for text in texts)


def _falsy_defaults(params: list | None):
    """(name, default is None) of the parameters whose default may be a
    falsy constant (`ast` sees a Constant in _FALSY; a superset here)."""
    for param in params or ():
        default = param[3] if len(param) > 3 else None
        if default is None:
            continue
        try:
            value = python_ast.literal_eval(default)
        except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
            continue
        if not isinstance(value, tuple) and value in _FALSY:
            yield param[0], value is None


@lru_cache(maxsize=64)
def _file_text(path: Path, mtime_ns: int) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _text(path: Path) -> str:
    try:
        return _file_text(path, path.stat().st_mtime_ns)
    except OSError:
        return ""


@lru_cache(maxsize=64)
def _file_lines(path: Path, mtime_ns: int) -> list[str]:
    return _file_text(path, mtime_ns).splitlines()


def _lines(path: Path) -> list[str]:
    """The file's lines (split once, not once a test)."""
    try:
        return _file_lines(path, path.stat().st_mtime_ns)
    except OSError:
        return []


def _module_level_object(stmt: ast.stmt) -> bool:
    """Module-level code every test of the file may use: statements and
    objects made by decorators (`@click.command() def cli(): ...`), not the
    tests themselves, test classes or fixtures (their own tests name them)."""
    if isinstance(stmt, ast.ClassDef):
        return not stmt.name.startswith("Test")
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return bool(stmt.decorator_list) and not stmt.name.startswith("test") and not any(
            "fixture" in ast.unparse(d) or "pytest" in ast.unparse(d) for d in stmt.decorator_list)
    return True


def _in_tests(path: str) -> bool:
    parts = path.split("/")
    return any(p in ("tests", "test", "testing") for p in parts[:-1]) or parts[-1].startswith("test_")


def _local_names(func: ast.FunctionDef) -> set[str]:
    args = func.args
    out = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    out.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    out.update(n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return out


def _keywords(node: ast.AST) -> frozenset[str]:
    """Keyword names of the calls in a subtree, string keys of its dict
    literals, and string arguments of `setdefault`/`get`-like calls."""
    out: set[str] = set()
    forwarded = _local_names(node) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            # `env=env` forwards the caller's own argument: its callers give it, not this code.
            given = [k.arg for k in sub.keywords if k.arg and not (
                isinstance(k.value, ast.Name) and k.value.id in forwarded and k.value.id == k.arg)]
            out.update(given)
            if any(k in ("env", "environ") for k in given):
                out.add(ENVIRONMENT)
            if sub.args and isinstance(sub.args[0], ast.Constant) and isinstance(sub.args[0].value, str):
                out.add(sub.args[0].value)
        elif isinstance(sub, ast.Attribute) and sub.attr in ("environ", "setenv", "putenv", "getenv"):
            out.add(ENVIRONMENT)
        elif isinstance(sub, ast.Dict):
            out.update(k.value for k in sub.keys if isinstance(k, ast.Constant) and isinstance(k.value, str))
    return frozenset(out)


def _self_attr(expr: ast.AST) -> str | None:
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
        return expr.attr
    return None


_NO_NAMES: Mapping[str, str] = MappingProxyType({})
ENVIRONMENT = "$environ"  # the token of a guard on an environment variable


def _guard_name(expr: ast.AST, env: dict[str, str]) -> str | None:
    """`self.X` -> X; a local read from the environment -> ENVIRONMENT; a
    constructor's own keyword -> its name (`env`: local name -> token)."""
    if isinstance(expr, ast.Name) and expr.id in env:
        return env[expr.id]
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and (expr.value.id, expr.attr) in env:
        return env[(expr.value.id, expr.attr)]  # `Owner.FLAG` (impact_flags)
    return _self_attr(expr)


def _environment_locals(func: ast.AST) -> set[str]:
    """Locals assigned from `os.environ.get(...)`, `os.getenv(...)`, `os.environ[...]`."""
    out = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.Call):
                value = value.func
            text = ast.unparse(value)
            if text.endswith(("environ.get", "getenv")) or text.startswith(("os.environ[", "environ[")):
                out.add(node.targets[0].id)
    return out


def _requires(test: ast.AST, env: Mapping[str, str] = _NO_NAMES) -> set[str]:
    """Attributes `self.X` that must be set (truthy or not None) for `test` to hold."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return set().union(*(_requires(v, env) for v in test.values))
    attr = _guard_name(test, env)
    if attr is not None:
        return {attr}
    if _isinstance_of_given(test, env):  # `isinstance(converter, list)`: converter=None was replaced
        return {env[("isinstance", test.args[0].id)]}
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        attr = _guard_name(left, env)
        if attr is not None and isinstance(right, ast.Constant):
            if isinstance(op, ast.IsNot) and right.value is None:
                return {attr}
            if isinstance(op, (ast.Is, ast.Eq)) and right.value not in _FALSY:
                return {attr}
    return set()


def _isinstance_of_given(test: ast.AST, env: Mapping) -> bool:
    """`isinstance(name, T)` with `name` a parameter whose default is None
    (impact_params marks it `("isinstance", name)`) and T excluding None."""
    if not (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance"
            and len(test.args) == 2 and isinstance(test.args[0], ast.Name)
            and ("isinstance", test.args[0].id) in env):
        return False
    kinds = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
    return all(isinstance(k, (ast.Name, ast.Attribute)) and ast.unparse(k).rpartition(".")[2]
               not in ("object", "NoneType", "Any") for k in kinds)


def _negated(test: ast.AST, env: Mapping[str, str] = _NO_NAMES) -> set[str]:
    """Attributes whose being unset makes `test` true (`not self.X`, `self.X is None`)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return set().union(*(_negated(v, env) for v in test.values))
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        attr = _guard_name(test.operand, env)
        return {attr} if attr else set()
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is) \
            and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None:
        attr = _guard_name(test.left, env)
        return {attr} if attr else set()
    return set()


def _exits(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise))


def _attributes_required(body: list[ast.stmt], line: int, env: Mapping[str, str] = _NO_NAMES) -> set[str]:
    """Attributes that must be set for the statement at `line` in `body` to run."""
    needed: set[str] = set()
    for stmt in body:
        if stmt.lineno > line:
            break
        end = getattr(stmt, "end_lineno", stmt.lineno)
        if end < line:
            if isinstance(stmt, ast.If) and not stmt.orelse and _exits(stmt.body):
                needed |= _negated(stmt.test, env)  # `if not self.x: return`, then the rest
            continue
        # The statement holding the line.
        if isinstance(stmt, ast.If):
            if stmt.body and stmt.body[0].lineno <= line <= stmt.body[-1].end_lineno:
                return needed | _requires(stmt.test, env) | _attributes_required(stmt.body, line, env)
            return needed | _attributes_required(stmt.orelse, line, env)
        for field in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and all(isinstance(s, ast.AST) for s in inner):
                first = inner[0].lineno
                last = getattr(inner[-1], "end_lineno", inner[-1].lineno)
                if first <= line <= last:
                    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                        return needed  # a nested definition: its own scope
                    return needed | _attributes_required(inner, line, env)
        return needed
    return needed


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _keyword_assignments(init: ast.FunctionDef, stores_needed: bool = True) -> dict[str, bool]:
    """For each keyword of `__init__` with a falsy default: whether every
    `self.<keyword> = ...` in it takes its value from that keyword (the
    keyword itself, or a local set only from it, from a falsy constant, or
    under a condition on it)."""
    defaults = python_ast.parameter_defaults(init)
    falsy = {name for name, d in defaults.items() if isinstance(d, ast.Constant) and d.value in _FALSY}
    out: dict[str, bool] = {}
    for name in falsy:
        stores = [n for n in ast.walk(init) if isinstance(n, ast.Assign)
                  and any(_self_attr(t) == name for t in n.targets)]
        if not stores and stores_needed:
            continue
        rebound = any(isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
                      for n in ast.walk(init))  # `no_args_is_help = not invoke_without_command`
        out[name] = not rebound and all(_from_keyword(init, s.value, name) for s in stores) and len(
            [n for n in ast.walk(init) if isinstance(n, (ast.AugAssign, ast.AnnAssign))
             and _self_attr(n.target) == name]) == 0
    return out


def _from_keyword(init: ast.FunctionDef, value: ast.AST, name: str) -> bool:
    if isinstance(value, ast.Constant) and value.value in _FALSY:
        return True  # switched off (`if hidden: self.prompt = None`)
    if isinstance(value, ast.Name) and value.id == name:
        return True
    if isinstance(value, ast.Name):
        local = value.id
        assigns = [n for n in ast.walk(init) if isinstance(n, ast.Assign)
                   and any(isinstance(t, ast.Name) and t.id == local for t in n.targets)]
        if not assigns:
            return False
        return all(_derived(init, a, name) for a in assigns)
    return False


def _derived(init: ast.FunctionDef, assign: ast.Assign, name: str) -> bool:
    value = assign.value
    if isinstance(value, ast.Constant) and value.value in _FALSY:
        return True
    if _mentions(value, name):
        return True
    # Under an `if` on the keyword (`if prompt is True: text = ...`).
    for node in ast.walk(init):
        if isinstance(node, ast.If) and _mentions(node.test, name) and any(s is assign for s in node.body):
            return True
    return False


# Alternatives kept per node: past this many, they merge into the tokens
# they all share (weaker, still sound).
MAX_ALTERNATIVES = 16

Requirement = frozenset  # of frozensets of tokens: one per kind of chain; a test needs one of them


def requirements(target: str, edges: list[tuple[str, str, str]], reached, guard,
                 passed=None) -> dict[str, Requirement]:
    """What the chains from `target` to each reached node require: over the
    walk's edges (callee, user, kind), the minimal sets of tokens (keywords,
    ENVIRONMENT, PASSED) of which every chain needs one, to a fixed point.
    A test that gives none of those sets fully runs none of the chains (one
    chain needs `prompt`, another the environment: a test giving neither is
    ruled out)."""
    out_edges: dict[str, list[tuple[str, str]]] = {}
    for callee, user, kind in edges:
        if user in reached and user != target:
            out_edges.setdefault(callee, []).append((user, kind))
    req: dict[str, Requirement] = {target: frozenset([frozenset()])}
    queue, queued = deque([target]), {target}
    budget = 50 * (len(edges) + 1)  # alternatives only weaken; a bound all the same
    while queue and budget > 0:
        callee = queue.popleft()
        queued.discard(callee)
        held_callee = req[callee]
        for user, kind in out_edges.get(callee, ()):
            budget -= 1
            extra = guard(callee, user, kind)
            # What the user passes where it calls the callee discharges a
            # requirement (impact_params: `@attr.s(str=True)`); None: anything.
            given = passed(callee, user, held_callee) if passed is not None and any(held_callee) else frozenset()
            held_edge = _anything_passed(held_callee, given) if given is None or isinstance(given, AnyKeyword) \
                else _minimal(frozenset(a - given for a in held_callee)) if given else held_callee
            candidate = frozenset(a | extra for a in held_edge) if extra else held_edge
            held = req.get(user)
            new = candidate if held is None else held if candidate == held else _minimal(held | candidate)
            if new != held:
                req[user] = new
                if user not in queued:
                    queued.add(user)
                    queue.append(user)
    if queue:  # out of budget: what is still moving requires nothing
        for node in list(req):
            req[node] = frozenset([frozenset()])
    return req


# `**options` passes any keyword, never an instance made elsewhere: the
# PASSED token (impact_holders) stays (click: `cls(params=params, **attrs)`
# in a decorator discharged the receiver rule of every Parameter method).
KEEP_PASSED = True


class AnyKeyword(frozenset):
    """What a user passes with `**options`: any keyword, and of the
    instance tokens (impact_isinstance) only these."""


def _anything_passed(held: Requirement, given: frozenset | None = None) -> Requirement:
    """What is left of a requirement where the user passes `**kwargs`: an
    instance made elsewhere (PASSED) and an instance token it does not pass."""
    if not KEEP_PASSED:
        return frozenset([frozenset()])
    return _minimal(frozenset(frozenset(t for t in a if t == PASSED or t.startswith(FLAG) or (
        t.startswith(INSTANCE_TOKEN) and t not in (given or ()))) for a in held))


def _minimal(alternatives: frozenset) -> Requirement:
    if frozenset() in alternatives:
        return frozenset([frozenset()])
    kept = [a for a in alternatives if not any(b < a for b in alternatives)]
    if len(kept) > MAX_ALTERNATIVES:
        return frozenset([frozenset.intersection(*kept)])
    return frozenset(kept)
