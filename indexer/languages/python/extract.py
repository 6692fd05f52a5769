"""Python facts from one tree-sitter parse.

The queries in `queries/python-*.scm` say which node plays which role; this
module turns their captures into symbols, scopes and references in one sweep
over the file in document order, keeping a stack of open scopes (the sweep).
The grammar and source handling are `syntax.py`; expressions and the small
value readers are `expressions.py`.
"""

from __future__ import annotations

import ast
import hashlib
import operator
import re

import tree_sitter as ts

from indexer.graph import python_ast
from indexer.languages.base import OPAQUE, FileFacts, ImportFact, RefFact, ScopeFact, SymbolFact
from indexer.languages.python import dispatch, doctests
from indexer.languages.python.facts import PythonFacts
from indexer.languages.python.guard_facts import guard_facts
from indexer.languages.python.pytest_config import is_test_module
from indexer.languages.python.expressions import (_annotation_value, _bare_qualifier, _assigned_value, _bound_value,
    _decorators, _docstring, _dunder_all, _dunder_all_contents, _narrowing_regions, _params, _typevar_bound,
    _typevar_call, _value_position, expr_of, raises_match)
from indexer.languages.python import expressions as _expressions
from indexer.languages.python.syntax import (_Columns, _RECOVERY_ROUNDS, _flatten_deep, _query_cursor, _recover, _region,
    _squash, _syntax_errors, _text, normalize_source, parser)  # noqa: F401  (re-exported)
from indexer.graph.vocab import How, RefKind, SymbolKind

# An attribute of an object the resolver cannot evaluate (`(a or b).split`)
# keeps an opaque receiver: guessed among members, never as a bare name.
OPAQUE_RECEIVERS = True


# `class OMD: ...` then `try: from .dictutils import OMD / except ImportError:
# pass`: the try's import replaces the fallback defined before it, for the
# code after it (boltons' urlutils subclasses the imported class).
TRY_IMPORT_REBINDS = True
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def _tries_an_import(node: ts.Node) -> bool:
    """Whether an import statement sits in the body of a `try` that catches
    a failed import."""
    block = node.parent
    statement = block.parent if block is not None else None
    if statement is None or statement.type != "try_statement" or statement.child_by_field_name("body") != block:
        return False
    for clause in statement.named_children:
        if clause.type != "except_clause":
            continue
        caught = [c for c in clause.named_children if c.type != "block"]
        if not caught:
            return True  # a bare `except:`
        names = {part for c in caught for part in _text(c).replace("(", " ").replace(")", " ").replace(",", " ").split()}
        if names & _IMPORT_ERRORS:
            return True
    return False


class _Rebinding:
    """A scope's names seen by an import in such a `try`: its import replaces
    a definition's binding where a plain import would keep the first, and
    keeps the definition's qualname as the fallback the resolver takes when
    the import leaves the workspace (a C speedup module)."""

    __slots__ = ("names", "symbols")

    def __init__(self, names: dict, symbols: list):
        self.names, self.symbols = names, symbols

    def setdefault(self, name, binding):
        existing = self.names.get(name)
        if existing is not None and existing[0] == "def":
            binding = (*binding, self.symbols[existing[1]].qualname)
        elif existing is not None:
            return existing
        self.names[name] = binding
        return binding


class _GlobalImports:
    """A function's names seen by an import of a name it declares `global`
    (dateutil's lazy `global parser; if not parser: from dateutil import
    parser`, beside a module-level `parser = None`): the import binds the
    module's name, replacing the placeholder's binding as a `try:` import
    does (the placeholder stays the fallback when the import leaves the
    workspace). Every other name binds in the function as before."""

    __slots__ = ("names", "own", "module")

    def __init__(self, names, own: dict, module: _Rebinding):
        self.names, self.own, self.module = names, own, module  # (names: own, or a _Rebinding of it)

    def setdefault(self, name, binding):
        if self.own.get(name) == ("global",):
            return self.module.setdefault(name, binding)
        return self.names.setdefault(name, binding)


# An import of a name its function declares `global` binds the module's name
# (`_GlobalImports`; switch, for its test).
GLOBAL_IMPORTS = True


# When one identifier matches several patterns, the first role here wins.
ROLE_PRIORITY = (
    "skip.defname", "skip.import", "skip.scope", "bind.param", "ref.keyword",
    "ref.compvar", "ref.decorator.attr", "ref.inherit.attr", "ref.write.attr",
    "ref.call.attr", "ref.attribute", "ref.decorator", "ref.inherit",
    "ref.write", "ref.call", "ref.read",
)
_REF_KIND = {
    "ref.call.attr": "call", "ref.decorator.attr": "decorator",
    "ref.inherit.attr": "inherit", "ref.write.attr": "write",
    "ref.attribute": "attribute", "ref.call": "call", "ref.decorator": "decorator",
    "ref.inherit": "inherit", "ref.write": "write", "ref.read": "read",
}

# role -> (reference kind, on an attribute) for the plain uses add_use takes.
_USE_ROLES = {role: (kind, role.endswith(".attr") or role == "ref.attribute") for role, kind in _REF_KIND.items()}
_FIRST = operator.itemgetter(0)
_START_BYTE = operator.attrgetter("start_byte")
# Plain strings: comparing with a StrEnum member costs an attribute lookup on its class.
_READ, _ANNOTATION, _WRITE, _CALL, _DECORATOR = (k.value for k in (RefKind.READ, RefKind.ANNOTATION, RefKind.WRITE,
                                                                    RefKind.CALL, RefKind.DECORATOR))
# Identifier roles from lowest priority up (the catch-all ref.read apart):
# written in this order, each identifier keeps its highest role.
_RISING_PRIORITY = tuple(reversed(ROLE_PRIORITY[:-1]))
# Implicit protocol uses of `in` and subscripts (switch, for its test).
# Default selection at depth 8: cachetools 205 pairs for 266 false ones
# (`key in self`, `self.__size[key] = size`), boltons 42 for 112,
# more-itertools 30 for 5; the other five projects unchanged.
OPERATOR_PROTOCOLS = True
# ... and of the other operators and the protocol builtins (issue 12,
# wrapt): `a + b` runs a.__add__ (or b.__radd__), `-a` a.__neg__, `a += b`
# a.__iadd__, `a < b` a.__lt__ (or b.__gt__), `for x in a` a.__iter__,
# `len(a)` a.__len__, `str(a)` a.__str__, `isinstance(a, T)` reads
# a.__class__. Implicit uses, kept by the resolver only where the operand
# is a workspace instance whose class has the method (switch, for its test).
# Default selection at depth 8, true / false pairs: wrapt +109 / +13 (its
# ObjectProxy's 60 operator dunders), boltons +75 / +22, click +28 / +24
# (precision 0.606 kept), marshmallow +23 / 0, attrs +17 / 0, more-itertools
# +14 / 0, toolz +9 / 0, pluggy +2 / +1, blinker +2 / +1; cachetools and
# funcy unchanged.
OPERAND_PROTOCOLS = True
# ... and of truth tests: `if x:`, `while x:`, `not x`, `x and y`'s left
# run x.__bool__ (switch, for its test). Depth 8, default selection, against
# the same code without it: pyparsing +1,113 true / +49 false pairs (0.837 /
# 0.439 -> 0.847 / 0.442: ParseResults.__bool__), more-itertools +1 / 0;
# the other fourteen identical.
TRUTH_PROTOCOLS = True
# ... and of display: `f"{x}"` and `print(x)` run x.__str__ (`f"{x!r}"`
# x.__repr__, `f"{x:>4}"` x.__format__) (switch, for its test). Off: on
# pyparsing (depth 8, default selection, with TRUTH_PROTOCOLS) it found 44
# true pairs for 3,865 false ones (205,834 / 90,910 -> 209,743 / 90,954);
# ParseBaseException.__str__'s 319 missed tests stayed missed.
STRING_PROTOCOLS = False
# A fixture `@pytest.fixture(params=(A, partial(A, k=v)))` returning
# `request.param` gives one of its params (switch, for its test; the
# resolver's "alt" takes the last workspace value). Off, itsdangerous's
# `serializer_factory` fixture gave its tests' `serializer` no type.
FIXTURE_PARAMS = True
# `partial(C, ...)` uses C as a call (deferred), not a read: the function
# building it makes C's instances (switch, for its test). Off, a fixture
# override returning `partial(TimestampSigner, ...)` made no TimestampSigner
# for the receiver rule, and every test of its methods was ruled out.
PARTIAL_CALLS = True
# `@pytest.fixture(name="cr")` binds the fixture as `cr` in its scope too:
# tests ask for it by that name (switch, for its test). Off, structlog's
# tests of `ConsoleRenderer` got no `cr` and every `cr(...)` was a guess.
FIXTURE_NAMES = True
# `@pytest.mark.usefixtures("name", ...)` on a test or a test class asks for
# those fixtures as parameters would: each string is a reference of flow
# "usefixtures" owned by the decorated definition (the resolver links it to
# the fixture from each test it covers). Off, structlog's
# `TestProcessorFormatter` ran its class's fixture with no link (switch,
# for its test).
USEFIXTURES = True
# `def f() -> type[P]` returns what its body returns, where that evaluates
# (switch, for its test): structlog's `make_filtering_bound_logger(0) ->
# type[FilteringBoundLogger]` (a Protocol) returns a BoundLoggerBase subclass.
CLASS_RETURNS = True
# `map(C, xs)` and `starmap(C, xs)` call C on each item, as partial does
# later (switch, for its test). Off, pathspec's tests building patterns by
# `map(GitWildMatchPattern, lines)` made none.
MAP_CALLS = True
# (text that must be in the file, callee texts whose first argument is a deferred call, switch)
_DEFERRING = (
    (b"partial(", (b"partial", b"functools.partial"), lambda: PARTIAL_CALLS),
    (b"map(", (b"map", b"starmap", b"itertools.starmap"), lambda: MAP_CALLS),
)
_FIXTURE_NAME = re.compile(r"""\bname\s*=\s*["']([A-Za-z_]\w*)["']""")
# operator -> the stem of its methods (`add`: __add__, __radd__, __iadd__); one table with dispatch's values
_BINARY_DUNDERS = {op: method[2:-2] for op, method in dispatch.BINARY.items()}
_UNARY_DUNDERS = dispatch.UNARY
# comparison -> (left operand's method, right operand's reflected one)
_COMPARE_DUNDERS = {
    "<": ("__lt__", "__gt__"), "<=": ("__le__", "__ge__"), ">": ("__gt__", "__lt__"), ">=": ("__ge__", "__le__"),
    "==": ("__eq__", "__eq__"), "!=": ("__ne__", "__ne__"),
}
# builtin -> the methods it runs on its first (and second) positional argument
_BUILTIN_DUNDERS = {
    "len": ("__len__",), "str": ("__str__",), "repr": ("__repr__",), "hash": ("__hash__",), "bool": ("__bool__",),
    "iter": ("__iter__",), "reversed": ("__reversed__",), "round": ("__round__",), "abs": ("__abs__",),
    "int": ("__int__",), "float": ("__float__",), "complex": ("__complex__",), "bytes": ("__bytes__",),
    "dir": ("__dir__",), "format": ("__format__",), "next": ("__next__",), "hex": ("__index__",),
    "oct": ("__index__",), "bin": ("__index__",), "vars": ("__dict__",), "divmod": ("__divmod__", "__rdivmod__"),
    "pow": ("__pow__", "__rpow__"), "isinstance": ("__class__",),
}
# A function annotated to return a library protocol or `Any` (`Mapping`,
# `Iterable`, `Optional[MutableMapping[...]]`) returns what its `return`
# statements give when that is a workspace instance: jinja2's
# `create_cache(size) -> Optional[MutableMapping[...]]` returns an LRUCache,
# whose `get` and `__getitem__` ran in 600 tests that nothing linked (switch,
# for its test).
ABSTRACT_RETURNS = True
_ABSTRACT = _expressions.PROTOCOL_ANNOTATIONS | {"Any", "object"}


def _annotation_head(expr) -> str | None:
    if not expr:
        return None
    if expr[0] == "name":
        return expr[1]
    if expr[0] == "attr":
        return expr[2]
    return None


def _abstract_annotation(returns) -> bool:
    """Whether a return annotation names a library protocol or `Any`
    (through `Optional[...]`): `_ABSTRACT`."""
    expr = returns
    while expr and expr[0] == "sub" and _annotation_head(expr[1]) == "Optional" and len(expr) > 2:
        expr = expr[2]
    head = _annotation_head(expr[1]) if expr and expr[0] == "sub" else _annotation_head(expr)
    return head in _ABSTRACT


# Builtins that iterate their first argument (zip: every one): `list(x)`
# runs x.__iter__ and, where x's class is its own iterator, x.__next__; so
# does `for v in x` (switch, for its test). dateutil's `_timelex.split`
# is `list(cls(s))`: its lexer's __next__ and get_token ran in 374 tests that
# nothing linked.
ITERATING_BUILTINS = True
_ITERATING = frozenset(("list", "tuple", "set", "frozenset", "sorted", "enumerate", "sum", "min", "max", "any", "all",
                        "zip"))
_NOT_POSITIONAL = frozenset(("keyword_argument", "list_splat", "dictionary_splat", "generator_expression"))
# A function returning one of its own local functions (a decorator factory:
# `singledispatch = dispatch_on("obj")`, then `@singledispatch def g`)
# returns ("local", qualname): calling what it gave calls the closure
# (resolve.py's "alias" call), which no scope of another module could name
# (switch, for its test). Sixteen projects, depth 8, default selection, off
# in the final code: decorator +42 true / +6 false pairs (0.467 / 0.860 ->
# 0.867 / 0.867), funcy +19 / +12 (0.873 / 0.698 -> 0.895 / 0.695);
# the others identical.
RETURNED_CLOSURES = True
# ... and so does one returning `cast(T, inner)` of it (pyparsing's
# `replaced_by_pep8`: `return cast(C, _inner)`, C a TypeVar): the camelCase
# aliases it makes run `_inner` (switch, for its test). With impact.py
# NESTED_TARGETS, depth 8, default selection, on top of EXCEPT_TYPES,
# CLASS_REASSIGNED and CALLBACK_PARAMS (since off): pyparsing +4,059 true /
# +4,098 false pairs (0.850 / 0.508 -> 0.888 / 0.507; replaced_by_pep8
# +869); the other fifteen identical.
CAST_CLOSURES = True
# A function returning `type(name, (Base,), namespace)` builds a class: its
# own functions (nested up to two deep) whose first parameter is `self` are
# the built class's methods. Their `self` is a Base (an `Any` annotation
# yields), and the factory's flags name them ("builds:<qualname>"), so a
# member Base lacks, called on an instance of the built class, reaches them
# (resolve.Resolver.built_methods). structlog's `_make_filtering_bound_logger`
# (switch, for its test).
TYPE_METHODS = True
# `return res, skipped` records ("tuple", res, skipped) (each element a local
# replaced by what it holds), and `a, b = f(...)` binds a to ("element",
# f(...), 0): the resolver takes the element of the tuple f returns.
# dateutil's `res, skipped_tokens = self._parse(timestr)` then `len(res)`
# (switch, for its test).
TUPLE_RETURNS = True
# `C.x = Built(...)` in a method of C, whose body declares x (pyparsing's
# `recursion_memos: MutableMapping[...] = {}`, then `ParserElement.
# recursion_memos = _LRUMemo(...)`): x may hold the built value too
# (switch, for its test).
CLASS_REASSIGNED = True
# `expr.set_parse_action(convert)` / `(lambda t: ...)`: a function or lambda
# of this file, passed by position to a method whose parameter is annotated
# with a Callable (or a Union of them, through an alias: pyparsing's
# `*fns: ParseAction`), has parameters of the types the Callable lists,
# aligned from the right (pyparsing's parse actions take (s, l, t), (l, t)
# or (t)): `t` is a ParseResults, so `t.year`, `del t[k]` resolve (switch,
# for its test). Off: on pyparsing (depth 8, default selection, with the
# other rules of this change) it found 98 true pairs for 220 false ones
# (0.887 / 0.508 -> 0.888 / 0.507), below the precision pyparsing needs;
# the other fifteen identical.
CALLBACK_PARAMS = False
# `object.__setattr__(self, "x", v)` defines C.x (switch, for its test).
# wrapt: -32 true / -168 false pairs: `self._self_parent` in the proxies'
# `__get__` had been taken for a `__getattr__` lookup, which never runs
# there; the other ten projects unchanged.
SETATTR_ATTRIBUTES = True
# `enable = classmethod(lambda cls, name: cls._set(name, True))` in a class
# body (or `f = lambda x: g(x)` in a module): the lambda's uses belong to the
# name it is bound to, the method (or function) whose calls run them, not to
# the class or module whose statement only made it (switch, for its test).
BOUND_LAMBDAS = True
# An unannotated parameter of a function (or method) of this file holds what
# this file's calls of it pass there: `f(x)` where `f` names the function,
# `self.m(x)` / `cls.m(x)` in a method of m's own class, by position or by
# keyword. Its type is ("callers", (scope, expr), ...), each evaluated where
# that call is (resolve.py: the value they all give, else nothing).
# A test helper's `rule` that 231 tests hand an `rrule(...)`: `str(rule)`
# runs `rrule.__str__` (dateutil). Only calls in the file count, so a change
# elsewhere never moves a parameter's type (switch, for its test).
CALLER_TYPES = True
_CALLER_OPTIONS = 8  # distinct (scope, argument) kept per parameter: a sample of its calls
_SELF_NAMES = frozenset((b"self", b"cls"))
_LAMBDA_WRAPPERS = frozenset((b"classmethod", b"staticmethod", b"property"))
_OPERAND_ROLES = frozenset(("operator.binary", "operator.unary", "operator.augmented", "operator.for", "operator.truth",
                            "operator.format"))
# The protocol methods `with` and `async with` run on their context manager.
_WITH, _ASYNC_WITH = ("__enter__", "__exit__"), ("__aenter__", "__aexit__")
# Captures that are not identifiers, by rank (what sorts first at one byte).
_STATEMENT_CAPTURES = (
    (-3, ("def.class", "def.function", "scope.lambda", "scope.comprehension", "scope.outer")),
    (-2, ("import.plain", "import.from", "import.future")),
    (-1, ("return.value", "with.item", "loop.async", "operator.compare", "operator.subscript", "operator.binary", "operator.unary",
          "operator.augmented", "operator.for", "operator.truth", "operator.format",
          "call.result", "call.callback", "annotation.string", "bind.global", "bind.nonlocal")),
)


class _Incomplete(Exception):
    """The catch-all capture missed an identifier another role captured."""


def _every_identifier(captures: dict) -> list:
    """Every identifier any role captured, once each, in document order."""
    at: dict[int, ts.Node] = {}
    for role in ROLE_PRIORITY:
        for node in captures.get(role, ()):
            at.setdefault(node.start_byte, node)
    return [at[start] for start in sorted(at)]

# Decorators that return the function they wrap (or a descriptor around it),
# so calls through the decorated name still reach the definition.
_PROPERTY_DECORATORS = re.compile(r"^(property|(functools\.)?cached_property|\w+\.(setter|getter|deleter))$")
_FIXTURE_DECORATOR = re.compile(r"^(pytest\.)?fixture\b")
_CONSTANT_NAME = re.compile(r"^_*[A-Z][A-Z0-9_]*$")
_TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test)\.py$")
_DOTTED_NAME = re.compile(rb"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_NOT_NAMES = frozenset({b"None", b"True", b"False"})
_MAX_ALT_RETURNS = 3  # returns an unannotated function's value may come from


class _Extractor:
    def __init__(self, source: bytes, rel_path: str, module: str, is_package: bool, complete: bool = False,
                 test_globs: tuple[str, ...] = ()):
        self.source = source
        self.complete = complete  # sweep the union of every role's identifiers (see _Incomplete)
        self.rel_path = rel_path
        self.module = module
        self.is_package = is_package
        self.cols = _Columns(source)
        self.view = memoryview(source)  # slices without copies (a def's hash reads its whole text)
        self.caught: set[int] = set()  # variables typed by their `except T as name` (forgotten when rebound)
        # The workspace's pytest `python_files` replaces the default pattern (pytest_config.py).
        self.is_test_file = (is_test_module(rel_path, test_globs) if test_globs
                             else bool(_TEST_FILE.search("/" + rel_path)))
        self.symbols: list[SymbolFact] = []
        self.scopes: list[ScopeFact] = []
        self.refs: list[RefFact] = []
        self.imports: list[ImportFact] = []
        self.star_imports: list[tuple[int, str]] = []
        self.scope_of_node: dict[int, int] = {}
        self.ref_starts: list[int] = []  # start byte of each ref, parallel to self.refs
        self.type_factories: dict[int, tuple] = {}  # function symbol -> the base its `type(...)` builds on
        self.headers: list[tuple[int, int]] = []  # (end byte of a def's header, symbol)
        # Assigned values of module/class-level names and self attributes:
        # (start byte, end byte, symbol bound, value node, tag override).
        self.flows: list[tuple[int, int, int, ts.Node, str]] = []
        # `partial(C, ...)` and `map(C, xs)` use C as a deferred call
        # (PARTIAL_CALLS, MAP_CALLS): the callees looked for, only those the file's text holds.
        self.deferring = tuple(callee for marker, callees, rule in _DEFERRING if rule() and marker in source
                               for callee in callees)
        # ... and `return ... request.param ...` in a fixture (FIXTURE_PARAMS): every return is asked, most files have none.
        self.has_request_param = FIXTURE_PARAMS and b"request.param" in source
        self.captures: dict = {}  # the query's, kept for guard_facts
        # CALLER_TYPES: calls `f(...)` and `self.f(...)` as (name, through self/cls, scope, callee
        # node); the unannotated parameters, (function symbol, name) -> symbol, and their functions' names.
        self.call_sites: list[tuple[str, bool, int, ts.Node]] = []
        self.untyped_params: dict[tuple[int, str], int] = {}
        self.untyped_functions: set[str] = set()

    def text(self, node: ts.Node | None) -> str:
        """A node's text, sliced from the source: a third of `node.text`'s cost."""
        if node is None:
            return ""
        return self.source[node.start_byte:node.end_byte].decode("utf-8", "replace")

    # -- symbols and scopes ------------------------------------------------

    def add_symbol(self, sym: SymbolFact) -> int:
        self.symbols.append(sym)
        return len(self.symbols) - 1

    def add_scope(self, kind: str, symbol: int, parent: int) -> int:
        self.scopes.append(ScopeFact(kind, symbol, parent))
        return len(self.scopes) - 1

    def owner_symbol(self, scope: int) -> int:
        """The symbol a use inside `scope` belongs to (anonymous scopes skipped)."""
        while self.scopes[scope].symbol < 0:
            scope = self.scopes[scope].parent
        return self.scopes[scope].symbol

    def class_of_method(self, scope: int) -> int | None:
        """Symbol index of the class when `scope` is a method's scope."""
        parent = self.scopes[scope].parent
        if self.scopes[scope].kind == SymbolKind.FUNCTION and parent >= 0 and self.scopes[parent].kind == SymbolKind.CLASS:
            return self.scopes[parent].symbol
        return None

    def define_def(self, node: ts.Node, scope: int) -> None:
        is_class = node.type == "class_definition"
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return
        name = self.text(name_node)
        owner = self.owner_symbol(scope)
        parent_sym = self.symbols[owner]
        outer_kind = self.scopes[scope].kind
        span_node, decorators, decorator_exprs = _decorators(node)
        body = node.child_by_field_name("body")
        flags: list[str] = []
        if is_class:
            kind = "class"
            bases_node = node.child_by_field_name("superclasses")
            bases = tuple(
                e for e in (expr_of(c) for c in (bases_node.named_children if bases_node else ())
                            if c.type != "keyword_argument") if e
            )
            base_text = _squash(self.text(bases_node)) if bases_node is not None else ""
            signature = f"class {name}{base_text}"
            params: tuple = ()
            returns = None
        else:
            kind = "method" if outer_kind == SymbolKind.CLASS else "function"
            bases = ()
            params = _params(node.child_by_field_name("parameters"))
            ret = node.child_by_field_name("return_type")
            returns = expr_of(ret, in_annotation=True)
            if CLASS_RETURNS and returns is not None and returns[0] == "sub" and returns[1] \
                    and returns[1][-1] in ("type", "Type"):
                # `-> type[P]`: the class the body returns says more (a
                # subclass, or a class for a Protocol P); the annotation
                # stays the fallback (`return` statements widen it to an alt).
                returns = ("=", ("call", returns))
            elif ABSTRACT_RETURNS and returns is not None and _abstract_annotation(returns):
                # `-> Optional[MutableMapping[K, V]]` over `return LRUCache(size)`: the body's
                # workspace class says more than a library protocol (the annotation stays a fallback).
                returns = ("=", ("call", returns))
            is_async = node.children and node.children[0].type == "async"
            if is_async:
                flags.append("async")
            signature = (
                f"{'async ' if is_async else ''}def {name}"
                f"{_squash(self.text(node.child_by_field_name('parameters')))}"
                + (f" -> {_squash(self.text(ret))}" if ret is not None else "")
            )
        if FIXTURE_NAMES and params and any(d.startswith(("given(", "hypothesis.given(")) for d in decorators):
            # `@given(st.x(), data=st.data())` fills the last positional
            # parameters and the named ones itself: pytest asks no fixture for them.
            flags.extend(f"given:{name}" for name in _given_names(decorators, params))
        for deco in decorators:
            head = deco.split("(", 1)[0]
            if _PROPERTY_DECORATORS.match(head):
                flags.append("property")
            elif head in ("classmethod", "staticmethod"):
                flags.append(head)
            elif _FIXTURE_DECORATOR.match(deco):
                flags.append("fixture")
            elif head.endswith("abstractmethod"):
                flags.append("abstract")
            elif head in ("overload", "typing.overload"):
                flags.append("overload")
        is_test = self.test_status(name, kind, owner, scope, bases)
        sym = SymbolFact(
            name=name,
            qualname=f"{parent_sym.qualname}.{name}",
            kind=kind,
            span=self.cols.span(span_node),
            name_span=self.cols.span(name_node),
            parent=owner,
            signature=signature,
            docstring=_docstring(body),
            flags=tuple(flags),
            decorators=decorators,
            decorator_exprs=decorator_exprs,
            params=params,
            returns=returns,
            bases=bases,
            body_hash=hashlib.blake2b(self.view[node.start_byte:node.end_byte], digest_size=8).hexdigest(),
            body_line=body.start_point[0] if body is not None else None,
            is_test=is_test,
        )
        if USEFIXTURES and span_node is not node:
            for content in _usefixtures_strings(span_node):
                self.refs.append(RefFact(self.cols.span(content), self.text(content), "read", scope,
                                         flow="usefixtures"))
                self.ref_starts.append(content.start_byte)
        index = self.add_symbol(sym)
        if TYPE_METHODS and not is_class and body is not None \
                and self.source.find(b"type(", body.start_byte, body.end_byte) >= 0:  # (every def: a C scan first)
            base = _type_built_base(body)
            if base is not None:
                self.type_factories[index] = base
                # a module-level function taking self put in the namespace (`meths["exception"] = exception`)
                for value in _namespace_values(body):
                    binding = self.scopes[0].names.get(value)
                    held = self.symbols[binding[1]] if binding is not None and binding[0] == "def" else None
                    if held is not None and held.kind == SymbolKind.FUNCTION and held.params \
                            and held.params[0][0] == "self":
                        sym.flags = (*sym.flags, f"builds:{held.qualname}")
        # Decorators were swept before the def itself: hand them over.
        if span_node is not node:
            i = len(self.refs) - 1
            while i >= 0 and self.ref_starts[i] >= span_node.start_byte:
                self.refs[i].owner = index
                i -= 1
        if is_class:
            self.headers.append((_region(node)[0], index))
        # The first definition keeps the name (property getters before their
        # setters, the first branch of platform-dependent definitions).
        existing = self.scopes[scope].names.get(name)
        if existing is None or existing[0] != "def":
            self.scopes[scope].names[name] = ("def", index)
        for alias in _fixture_names(decorators) if FIXTURE_NAMES and "fixture" in flags else ():
            self.scopes[scope].names.setdefault(alias, ("def", index))
        self.scope_of_node[node.id] = self.add_scope("class" if is_class else "function", index, scope)

    def test_status(self, name: str, kind: str, owner: int, scope: int, bases: tuple) -> bool:
        if kind == SymbolKind.CLASS:
            base_names = [b[-1] if b[0] == "attr" else b[1] for b in bases if b[0] in ("name", "attr")]
            if any(str(b).endswith("TestCase") for b in base_names):
                return True
            return self.is_test_file and name.startswith("Test") and self.scopes[scope].kind == SymbolKind.MODULE
        if not name.startswith("test"):
            return False
        if kind == SymbolKind.FUNCTION:
            return self.is_test_file and self.scopes[scope].kind == SymbolKind.MODULE
        return self.symbols[owner].is_test  # methods of a test class

    def bind_variable(self, node: ts.Node, name: str, scope: int) -> int | None:
        """First binding of a name in a scope defines a variable symbol."""
        names = self.scopes[scope].names
        if not name or name in names:
            binding = names.get(name)
            if self.caught and binding is not None and binding[0] == "def" and binding[1] in self.caught:
                # `except (EOFError, KeyboardInterrupt) as e:` ... `except ClickException as e:`
                # in one function: one type would be wrong for the other clauses.
                self.caught.discard(binding[1])
                self.symbols[binding[1]].type_expr = None
            return None  # (a zero-width identifier the parser invented to recover from an error binds nothing)
        scope_kind = self.scopes[scope].kind
        if scope_kind in ("lambda", "comprehension"):
            names[name] = ("local",)
            return None
        owner = self.owner_symbol(scope)
        kind = "constant" if scope_kind != SymbolKind.FUNCTION and _CONSTANT_NAME.match(name) else "variable"
        span = self.cols.span(node)
        statement = node.parent
        while statement is not None and statement.type in ("pattern_list", "tuple_pattern", "list_pattern"):
            statement = statement.parent
        type_expr = wraps = None
        caught = False
        if statement is not None and statement.type == "assignment":
            left = statement.child_by_field_name("left")
            unpacked = _assigned_value(statement) \
                if left != node and node.parent == left and left.type in ("pattern_list", "tuple_pattern") else None
            if _expressions.COMPREHENSION_VALUES and unpacked is not None:
                # `MO, TU, ... = tuple(weekday(x) for x in range(7))`: each an element
                value = expr_of(unpacked)
                type_expr = ("iter", value) if value is not None and value[0] == "listof" else None
            if TUPLE_RETURNS and type_expr is None and unpacked is not None \
                    and all(item.type == "identifier" for item in left.named_children):
                # `res, skipped = self._parse(s)`: each name the element of what the call returns
                value = self.tuple_value(unpacked, scope) or self.local_value(unpacked, scope)
                if value is not None and value[0] in ("call", "tuple"):
                    type_expr = ("element", value, left.named_children.index(node))
            if left == node:
                annotation = statement.child_by_field_name("type")
                if annotation is not None and not _bare_qualifier(annotation):
                    type_expr = _annotation_value(annotation)
                else:
                    value = _assigned_value(statement)
                    type_expr = _typevar_bound(value) or expr_of(value)
                    if CALLBACK_PARAMS and scope_kind == SymbolKind.CLASS and value is not None and value.type == "call":
                        wraps = self.wrapped_member(value, names)
            stmt_span = self.cols.span(statement)
        else:
            stmt_span = span
            type_expr = _bound_value(node)
            caught = type_expr is not None and statement is not None and statement.type == "as_pattern_target" \
                and statement.parent is not None and statement.parent.parent is not None \
                and statement.parent.parent.type in ("except_clause", "except_group_clause")
        index = self.add_symbol(SymbolFact(
            name=name,
            qualname=f"{self.symbols[owner].qualname}.{name}",
            kind=kind,
            span=stmt_span,
            name_span=span,
            parent=owner,
            type_expr=type_expr,
            flags=(f"wraps:{wraps}",) if wraps else (),
        ))
        names[name] = ("def", index)
        if caught:
            self.caught.add(index)
        return index

    def wrapped_member(self, call: ts.Node, names: dict) -> str | None:
        """`setParseAction = replaced_by_pep8("setParseAction", set_parse_action)`
        in a class body: the method of the class the call wraps (its callbacks
        are that method's, CALLBACK_PARAMS)."""
        arguments = call.child_by_field_name("arguments")
        for arg in arguments.named_children if arguments is not None else ():
            if arg.type == "identifier":
                binding = names.get(self.text(arg))
                if binding is not None and binding[0] == "def" and self.symbols[binding[1]].kind == SymbolKind.METHOD:
                    return self.text(arg)
        return None

    def flow_into(self, target: ts.Node, scope: int, owner: int | None, tag: str = "") -> None:
        """Uses inside the value assigned to `target` also flow into the symbol
        `owner` (module/class-level names, self attributes): see add_ref."""
        statement = target.parent
        if owner is None or statement is None or statement.type != "assignment":
            return
        if statement.child_by_field_name("left") != target:
            return
        value = _assigned_value(statement)
        if value is not None:
            while self.flows and self.flows[-1][1] <= value.start_byte:
                self.flows.pop()
            self.flows.append((value.start_byte, value.end_byte, owner, value, tag))

    def bind_self_attribute(self, attr_node: ts.Node, receiver, scope: int) -> None:
        """`self.x = ...` in a method defines the instance attribute C.x."""
        class_index = self.class_of_method(scope)
        if class_index is None or receiver is None or receiver[0] != "name":
            return
        method = self.symbols[self.scopes[scope].symbol]
        if not method.params or "staticmethod" in method.flags or method.params[0][0] != receiver[1]:
            return
        class_scope = self.scopes[scope].parent
        name = self.text(attr_node)
        if name in self.scopes[class_scope].names:
            return
        statement = attr_node.parent.parent if attr_node.parent is not None else None
        type_expr = None
        if statement is not None and statement.type == "assignment":
            annotation = statement.child_by_field_name("type")
            if annotation is not None and not _bare_qualifier(annotation):
                type_expr = _annotation_value(annotation)
            else:
                type_expr = self.local_value(statement.child_by_field_name("right"), scope)
        index = self.add_symbol(SymbolFact(
            name=name,
            qualname=f"{self.symbols[class_index].qualname}.{name}",
            kind="attribute",
            span=self.cols.span(statement if statement is not None else attr_node),
            name_span=self.cols.span(attr_node),
            parent=class_index,
            type_expr=type_expr,
        ))
        self.scopes[class_scope].names[name] = ("def", index)

    def widen_class_attribute(self, attr_node: ts.Node, receiver, scope: int) -> None:
        """`C.x = C2(...)` (or `cls.x`, `self.x`) in a method of C, whose body
        declares x (`x: Dict[...] = {}`, `x = None`): x may hold what the
        method builds too (CLASS_REASSIGNED): ("alt", built..., declared),
        of which the resolver takes the declared value when it is a
        workspace one, else the last workspace value built."""
        if not CLASS_REASSIGNED or receiver is None or receiver[0] != "name":
            return
        class_index = self.class_of_method(scope)
        if class_index is None:
            return
        method = self.symbols[self.scopes[scope].symbol]
        own = receiver[1] == self.symbols[class_index].name
        if not own and (not method.params or "staticmethod" in method.flags or method.params[0][0] != receiver[1]):
            return
        binding = self.scopes[self.scopes[scope].parent].names.get(self.text(attr_node))
        statement = attr_node.parent.parent if attr_node.parent is not None else None
        if binding is None or binding[0] != "def" or statement is None or statement.type != "assignment" \
                or statement.child_by_field_name("left") != attr_node.parent:
            return
        declared = self.symbols[binding[1]]
        built = self.local_value(_assigned_value(statement), scope)
        if declared.kind not in (SymbolKind.VARIABLE, SymbolKind.CONSTANT) or declared.type_expr is None \
                or built is None or built[0] != "call" or built == declared.type_expr:
            return
        held = declared.type_expr
        options = held[1:] if held[0] == "alt" else (held,)  # the declared value stays last
        if built not in options and len(options) <= _MAX_ALT_RETURNS:
            declared.type_expr = ("alt", *options[:-1], built, options[-1])

    def bind_setattr(self, arguments: ts.Node, scope: int) -> None:
        """`object.__setattr__(self, "x", v)` / `setattr(self, "x", v)` in a
        method defines the instance attribute C.x, as `self.x = v` does."""
        if not SETATTR_ATTRIBUTES:
            return
        args = [a for a in arguments.named_children if a.type != "comment"]
        if len(args) != 3 or args[0].type != "identifier" or args[1].type != "string":
            return
        parts = [c for c in args[1].named_children if c.type not in ("string_start", "string_end")]
        if len(parts) != 1 or parts[0].type != "string_content" or not parts[0].text.decode("utf-8", "replace").isidentifier():
            return
        class_index = self.class_of_method(scope)
        if class_index is None:
            return
        method = self.symbols[self.scopes[scope].symbol]
        if not method.params or "staticmethod" in method.flags or method.params[0][0] != self.text(args[0]):
            return
        class_scope = self.scopes[scope].parent
        name = self.text(parts[0])
        if name in self.scopes[class_scope].names:
            return
        statement = arguments.parent
        index = self.add_symbol(SymbolFact(
            name=name,
            qualname=f"{self.symbols[class_index].qualname}.{name}",
            kind="attribute",
            span=self.cols.span(statement),
            name_span=self.cols.span(parts[0]),
            parent=class_index,
            type_expr=self.local_value(args[2], scope),
        ))
        self.scopes[class_scope].names[name] = ("def", index)

    def self_attribute(self, attr_node: ts.Node, receiver, scope: int) -> int | None:
        """The attribute symbol `self.x` (in a method) assigns, if any."""
        class_index = self.class_of_method(scope)
        if class_index is None or receiver is None or receiver[0] != "name":
            return None
        method = self.symbols[self.scopes[scope].symbol]
        if not method.params or "staticmethod" in method.flags or method.params[0][0] != receiver[1]:
            return None
        binding = self.scopes[self.scopes[scope].parent].names.get(self.text(attr_node))
        return binding[1] if binding is not None and binding[0] == "def" else None

    def type_built_self(self, scope: int, qualname: str):
        """The base of the class a factory enclosing `scope` (a function's,
        up to two levels out) builds with `type(...)`, whose method the
        function `qualname` is; the factory's flags name it (TYPE_METHODS)."""
        current = self.scopes[scope].parent
        for _level in range(2):
            if current < 0 or self.scopes[current].kind != SymbolKind.FUNCTION:
                return None
            factory = self.scopes[current].symbol
            if factory in self.type_factories:
                self.symbols[factory].flags = (*self.symbols[factory].flags, f"builds:{qualname}")
                return self.type_factories[factory]
            current = self.scopes[current].parent
        return None

    def tuple_value(self, node: ts.Node, scope: int):
        """`a, b` (a tuple display of 2-8 items) as ("tuple", a, b), each item
        a local_value, ("?",) where none (TUPLE_RETURNS); else None."""
        if node.type not in ("expression_list", "tuple") or not 1 < len(node.named_children) <= 8:
            return None
        return ("tuple", *(self.local_value(item, scope) or ("?",) for item in node.named_children))

    def local_value(self, node: ts.Node | None, scope: int):
        """The value of `node`, with parameters replaced by their annotations
        (which other modules could not see)."""
        value = expr_of(node)
        if value is not None and value[0] == "name":
            binding = self.scopes[scope].names.get(value[1])
            if binding is not None and binding[0] == "def":
                sym = self.symbols[binding[1]]
                if sym.kind in (SymbolKind.PARAMETER, SymbolKind.VARIABLE) and sym.type_expr is not None:
                    return sym.type_expr
        return value

    def bind_param(self, node: ts.Node, scope: int) -> None:
        name = self.text(node)
        names = self.scopes[scope].names
        if self.scopes[scope].kind != SymbolKind.FUNCTION:
            held = self.lambda_callback(node, scope) if CALLBACK_PARAMS else None
            names[name] = ("local", held) if held is not None else ("local",)
            return
        function = self.symbols[self.scopes[scope].symbol]
        type_expr = None
        holder = node.parent
        while holder is not None and holder.type in ("list_splat_pattern", "dictionary_splat_pattern"):
            holder = holder.parent
        annotation = holder.child_by_field_name("type") \
            if holder is not None and holder.type in ("typed_parameter", "typed_default_parameter") else None
        if annotation is not None:
            type_expr = _annotation_value(annotation)
        flags: tuple[str, ...] = ()
        splat = node.parent is not None and node.parent.type in ("list_splat_pattern", "dictionary_splat_pattern")
        if self.type_factories and name == "self" and function.kind == SymbolKind.FUNCTION and function.params \
                and function.params[0][0] == name and not splat \
                and (annotation is None or _bare_qualifier(annotation)):  # (`self: Any` says nothing)
            base = self.type_built_self(scope, function.qualname)
            type_expr = ("call", base) if base is not None else type_expr
        if function.params and function.params[0][0] == name and function.kind == SymbolKind.METHOD and not splat:
            # (`def __call__(*args)`: args is a tuple that holds self, not self;
            # wrapt: `len(args)` had run ObjectProxy.__len__, 70 false pairs)
            if "staticmethod" not in function.flags:
                flags = ("cls",) if "classmethod" in function.flags or function.name == "__new__" else ("self",)
        if type_expr is None and not flags and CALLER_TYPES:
            self.untyped_params[(self.scopes[scope].symbol, name)] = len(self.symbols)
            self.untyped_functions.add(function.name)
        index = self.add_symbol(SymbolFact(
            name=name,
            qualname=f"{function.qualname}.{name}",
            kind="parameter",
            span=self.cols.span(holder if holder is not None and holder.type != "parameters" else node),
            name_span=self.cols.span(node),
            parent=self.scopes[scope].symbol,
            type_expr=type_expr,
            flags=flags,
        ))
        names[name] = ("def", index)

    # -- imports -----------------------------------------------------------

    def import_ref(self, ident: ts.Node, scope: int, level: int, module: str, attr: str | None) -> None:
        self.add_ref(ident, RefFact(self.cols.span(ident), self.text(ident), "import", scope,
                                    module=(level, module, attr)))

    def module_refs(self, dotted: ts.Node, scope: int, level: int, prefix: str = "") -> str:
        """Import uses for each part of a dotted module name; returns the name."""
        parts: list[str] = []
        for ident in dotted.named_children:
            if ident.type != "identifier":
                continue
            parts.append(self.text(ident))
            full = ".".join(p for p in (prefix, ".".join(parts)) if p)
            self.import_ref(ident, scope, level, full, None)
        return ".".join(parts)

    def define_import(self, node: ts.Node, scope: int) -> None:
        # The first binding of a name wins, as for definitions: the first
        # branch of `try: import x / except: import y as x` or of a platform
        # switch is the one readers expect (and the one type checkers pick).
        names = self.scopes[scope].names
        if TRY_IMPORT_REBINDS and _tries_an_import(node):
            names = _Rebinding(names, self.symbols)
        if GLOBAL_IMPORTS and scope != 0 and ("global",) in self.scopes[scope].names.values():
            names = _GlobalImports(names, self.scopes[scope].names, _Rebinding(self.scopes[0].names, self.symbols))
        line = node.start_point[0]
        if node.type == "import_statement":
            for item in node.named_children:
                if item.type == "dotted_name":
                    dotted = self.module_refs(item, scope, 0)
                    top = dotted.split(".")[0]
                    names.setdefault(top, ("import", top, None, 0))
                    self.imports.append(ImportFact(0, dotted, (), line))
                elif item.type == "aliased_import":
                    dotted_node = item.child_by_field_name("name")
                    alias = item.child_by_field_name("alias")
                    if dotted_node is None or alias is None:
                        continue
                    dotted = self.module_refs(dotted_node, scope, 0)
                    names.setdefault(self.text(alias), ("import", dotted, None, 0))
                    self.imports.append(ImportFact(0, dotted, (), line))
            return
        if node.type == "future_import_statement":
            return
        module_node = node.child_by_field_name("module_name")
        level, module = 0, ""
        if module_node is not None:
            if module_node.type == "relative_import":
                for child in module_node.children:
                    if child.type == "import_prefix":
                        level = len(child.text.strip())
                    elif child.type == "dotted_name":
                        module = self.module_refs(child, scope, level)
            else:
                module = self.module_refs(module_node, scope, 0)
        imported: list[str] = []
        for position, child in enumerate(node.children):
            if child.type == "wildcard_import":
                imported.append("*")
                if self.scopes[scope].kind == SymbolKind.MODULE:
                    self.star_imports.append((level, module))
            elif node.field_name_for_child(position) != "name":
                continue
            elif child.type == "dotted_name":
                ident = child.named_children[0] if child.named_children else None
                if ident is None:
                    continue
                name = self.text(ident)
                imported.append(name)
                self.import_ref(ident, scope, level, module, name)
                names.setdefault(name, ("import", module, name, level))
            elif child.type == "aliased_import":
                dotted_node = child.child_by_field_name("name")
                alias = child.child_by_field_name("alias")
                if dotted_node is None or alias is None or not dotted_node.named_children:
                    continue
                ident = dotted_node.named_children[0]
                name = self.text(ident)
                imported.append(name)
                self.import_ref(ident, scope, level, module, name)
                if alias.text == ident.text:
                    # `import x as x` is the explicit re-export idiom: the alias
                    # names the same thing, so it is a use too.
                    self.import_ref(alias, scope, level, module, name)
                names.setdefault(self.text(alias), ("import", module, name, level))
        self.imports.append(ImportFact(level, module, tuple(imported), line))

    # -- the sweep ---------------------------------------------------------

    def run(self, tree: ts.Tree) -> FileFacts:
        root = tree.root_node
        source = self.source
        module_name = self.module.rsplit(".", 1)[-1]
        self.add_symbol(SymbolFact(
            name=module_name,
            qualname=self.module,
            kind="module",
            span=self.cols.span(root),
            name_span=(0, 0, 0, 0),
            parent=-1,
            docstring=_docstring(root),
            body_hash=hashlib.blake2b(source, digest_size=8).hexdigest(),
        ))
        self.add_scope("module", 0, -1)

        captures = self.captures = _query_cursor().captures(root)  # (guard_facts reads them too)
        # Scope-opening nodes, and the statements the sweep visits in order:
        # every capture that is not an identifier (a few percent of them).
        openers: list[tuple[int, int, int, ts.Node]] = []  # (start, end, node.id, node)
        # (start, rank, end, arrival, role, node): nodes of one capture that
        # start at one byte (`a[i][j]`, `f(x)[0]`) go inner first, by their end;
        # their arrival follows the order the query's matches finished in,
        # which varies from run to run (153 stdlib files' uses moved).
        items: list = []
        for rank, caps in _STATEMENT_CAPTURES:
            for cap in caps:
                for node in captures.get(cap, ()):
                    if rank == -3:
                        start, end = _region(node)
                        openers.append((start, end, node.id, node))
                    items.append((node.start_byte, rank, node.end_byte, len(items), cap, node))
        items.sort()
        openers.sort(key=_FIRST)
        self.openers, self.next_opener = openers, 0
        self.outer = {node.id for node in captures.get("scope.outer", ())}  # (see outer_scope)
        self.outer_scopes: dict[int, int] = {}
        self.annotations, self.next_ann = sorted((n.start_byte, n.end_byte) for n in captures.get("annotation", ())), 0
        self.stack: list[tuple[int, int]] = [(len(source) + 1, 0)]  # (end_byte, scope)
        self.ann_stack: list[int] = []
        self.held: tuple[int, bool, int] = (0, False, -1)  # advance's last answer
        self.narrowing = _narrowing_regions(captures)

        # Identifiers: the catch-all @ref.read lists every one, in document
        # order; the other roles, written lowest priority first, leave each
        # identifier's winning role under its start byte. Plain reads (most
        # identifiers) never enter that dict, nor a sort.
        role_at: dict[int, str] = {}
        for role in _RISING_PRIORITY:
            for node in captures.get(role, ()):
                role_at[node.start_byte] = role
        # (Captures come out in the order their patterns' matches finish, not
        # quite in document order: sorted here, by start byte.)
        idents = captures.get("ref.read", []) if not self.complete else _every_identifier(captures)
        idents = sorted(zip(map(_START_BYTE, idents), idents), key=_FIRST)
        refs, ref_starts = self.refs, self.ref_starts
        wide_rows = self.cols.wide_rows  # (empty in an ASCII file)
        never = len(source) + 2
        item_start = items[0][0] if items else never
        next_item = n_roles = 0
        horizon = -1  # below it the scope and annotation stacks stay as they are
        scope, in_ann = 0, False
        for start, node in idents:
            if start >= horizon or start >= item_start:
                while item_start <= start:  # statements sort before the identifiers at their byte
                    _start, _rank, _end, _arrival, role, item = items[next_item]
                    self.visit(role, item, *self.advance(item_start)[:2])
                    next_item += 1
                    item_start = items[next_item][0] if next_item < len(items) else never
                scope, in_ann, horizon = self.advance(start)
            role = role_at.get(start)
            if role is None:  # a plain read (add_use and add_ref, inline)
                end = node.end_byte
                row, col = node.start_point
                if row not in wide_rows:
                    span = (row, col, row, col + end - start)  # an identifier never spans lines
                else:
                    span = self.cols.span(node)
                kind = _ANNOTATION if in_ann else _READ
                if self.deferring and not in_ann and _wrapped_by_partial(node, self.deferring):
                    kind = _CALL  # `partial(C, ...)`: a deferred call of C (PARTIAL_CALLS)
                ref = RefFact(span, source[start:end].decode("utf-8", "replace"), kind, scope)
                if self.headers or self.flows:
                    self.add_ref(node, ref)
                else:
                    refs.append(ref)
                    ref_starts.append(start)
                continue
            n_roles += 1
            use = _USE_ROLES.get(role)
            if use is not None:
                self.add_use(node, use, scope, in_ann)
            else:
                self.visit(role, node, scope, in_ann)
        if n_roles != len(role_at) and not self.complete:
            raise _Incomplete  # an identifier the catch-all missed: sweep again over all of them
        while next_item < len(items):  # statements after the last identifier
            _start, _rank, _end, _arrival, role, item = items[next_item]
            self.visit(role, item, *self.advance(item_start)[:2])
            next_item += 1
            item_start = items[next_item][0] if next_item < len(items) else never
        self.add_string_refs(root)
        if self.untyped_params and self.call_sites:
            self.type_params_by_callers()
        return FileFacts(
            path=self.rel_path,
            module=self.module,
            language="python",
            is_package=self.is_package,
            symbols=self.symbols,
            scopes=self.scopes,
            refs=self.refs,
            imports=self.imports,
            errors=_syntax_errors(root) if root.has_error else [],
            line_count=root.end_point[0] + 1,
            extra=PythonFacts(self.star_imports, _dunder_all(root)),
        )

    def outer_scope(self, function_scope: int) -> int:
        """Where a function's (or lambda's) parameter defaults and annotations
        are evaluated (issue 12, tenacity: `def __init__(self, sleep=sleep)`
        read the parameter itself, so `nap.sleep` had no user): an anonymous
        scope, one per function, that binds nothing and whose parent is the
        scope around the function, so names are looked up there; it keeps the
        function as the owner of its uses, since calls that leave the
        argument out run with that value.

        Measured (fourteen projects, depth 8, default selection, against the
        same code without it): tenacity +41 true / +62 false pairs (0.808 /
        0.501 -> 0.824 / 0.498: nap.sleep's 41 tests, and the constructors'
        other callers); the other thirteen identical."""
        found = self.outer_scopes.get(function_scope)
        if found is None:
            held = self.scopes[function_scope]
            if held.parent < 0:
                return function_scope
            found = self.outer_scopes[function_scope] = self.add_scope("lambda", held.symbol, held.parent)
        return found

    def type_params_by_callers(self) -> None:
        """CALLER_TYPES: each unannotated parameter of a function this file
        calls gets ("callers", (scope, expr), ...), what those calls pass."""
        symbols, untyped, wanted = self.symbols, self.untyped_params, self.untyped_functions
        options: dict[int, list[tuple[int, tuple]]] = {}
        for name, through_self, scope, callee in self.call_sites:
            if name not in wanted:
                continue
            function = self.called_function(name, through_self, scope)
            if function is None:
                continue
            arguments = self.call_arguments(callee, callee.parent if through_self else callee)
            if arguments is None:
                continue
            sym = symbols[function]
            positional = [p[0] for p in sym.params if p[1] in ("posonly", "pos")]
            if sym.kind == SymbolKind.METHOD and "staticmethod" not in sym.flags:
                positional = positional[1:]  # (self or cls, bound by the call)
            position = 0
            for arg in arguments.named_children:
                if arg.type == "keyword_argument":
                    key, value = arg.child_by_field_name("name"), arg.child_by_field_name("value")
                    param = self.text(key) if key is not None else None
                elif arg.type in _NOT_POSITIONAL:
                    break  # (a splat: the positions after it are unknown)
                elif arg.type == "comment":
                    continue
                else:
                    param, value = (positional[position] if position < len(positional) else None), arg
                    position += 1
                held = untyped.get((function, param)) if param is not None else None
                expr = expr_of(value) if held is not None and value is not None else None
                if expr is None:
                    continue
                seen = options.setdefault(held, [])
                if (scope, expr) not in seen and len(seen) < _CALLER_OPTIONS:
                    seen.append((scope, expr))
        for index, seen in options.items():
            symbols[index].type_expr = ("callers", *seen)

    def called_function(self, name: str, through_self: bool, scope: int) -> int | None:
        """The function of this file a call `name(...)` (`self.name(...)`
        when through_self) in `scope` runs, as its symbol index, or None."""
        scopes = self.scopes
        if through_self:  # a method of the class whose method holds the call
            at = scope
            while at >= 0 and scopes[at].kind != SymbolKind.CLASS:
                at = scopes[at].parent
            binding = scopes[at].names.get(name) if at >= 0 else None
        else:  # the name as Python looks it up: enclosing functions, then the module (class bodies skipped)
            at, binding = scope, None
            while at >= 0:
                held = scopes[at]
                if at == scope or held.kind != SymbolKind.CLASS:
                    binding = held.names.get(name)
                    if binding is not None:
                        break
                at = held.parent
        if binding is None or binding[0] != "def":
            return None
        kind = self.symbols[binding[1]].kind
        return binding[1] if kind == SymbolKind.FUNCTION or kind == SymbolKind.METHOD else None

    def lambda_holder(self, node: ts.Node, scope: int) -> int:
        """The variable a lambda is bound to in a class or module body, as
        `name = lambda ...` or `name = classmethod(lambda ...)` (also
        staticmethod, property): its symbol index, or -1."""
        if self.scopes[scope].kind not in (SymbolKind.MODULE, SymbolKind.CLASS):
            return -1
        value = node
        parent = node.parent
        if parent is not None and parent.type == "argument_list" and parent.named_child_count == 1:
            call = parent.parent
            function = call.child_by_field_name("function") if call is not None and call.type == "call" else None
            if function is None or function.type != "identifier" or function.text not in _LAMBDA_WRAPPERS:
                return -1
            value, parent = call, call.parent
        if parent is None or parent.type != "assignment" or parent.child_by_field_name("right") != value:
            return -1
        left = parent.child_by_field_name("left")
        if left is None or left.type != "identifier":
            return -1
        binding = self.scopes[scope].names.get(self.text(left))
        if binding is None or binding[0] != "def":
            return -1
        symbol = self.symbols[binding[1]]
        return binding[1] if symbol.kind in (SymbolKind.VARIABLE, SymbolKind.CONSTANT) and symbol.name_span == self.cols.span(left) else -1

    def advance(self, at: int) -> tuple[int, bool, int]:
        """Open and close scopes and annotations up to byte `at`: (the scope
        there, inside an annotation, the next byte where either changes)."""
        held = self.held
        if at < held[2]:  # before the last answer's horizon nothing opens or closes (most calls)
            return held
        openers, annotations, stack, ann_stack = self.openers, self.annotations, self.stack, self.ann_stack
        while self.next_opener < len(openers) and openers[self.next_opener][0] <= at:
            o_start, o_end, o_id, o_node = openers[self.next_opener]
            self.next_opener += 1
            while stack[-1][0] <= o_start:
                stack.pop()
            scope_index = self.scope_of_node.get(o_id)
            if o_id in self.outer:
                scope_index = self.outer_scope(stack[-1][1])
            elif scope_index is None:  # lambda or comprehension: anonymous scope
                kind = "lambda" if o_node.type == "lambda" else "comprehension"
                holder = self.lambda_holder(o_node, stack[-1][1]) if kind == "lambda" and BOUND_LAMBDAS else -1
                scope_index = self.add_scope(kind, holder, stack[-1][1])
                self.scope_of_node[o_id] = scope_index
            stack.append((o_end, scope_index))
        while stack[-1][0] <= at:
            stack.pop()
        while self.next_ann < len(annotations) and annotations[self.next_ann][0] <= at:
            ann_stack.append(annotations[self.next_ann][1])
            self.next_ann += 1
        while ann_stack and ann_stack[-1] <= at:
            ann_stack.pop()
        never = len(self.source) + 2
        horizon = min(openers[self.next_opener][0] if self.next_opener < len(openers) else never, stack[-1][0],
                      annotations[self.next_ann][0] if self.next_ann < len(annotations) else never,
                      ann_stack[-1] if ann_stack else never)
        self.held = held = (stack[-1][1], bool(ann_stack), horizon)
        return held

    def visit(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        """Everything the sweep meets but a plain use of a name: one handler a
        role (`_VISITORS`: a chain of tests cost half a million visits up to
        fifteen comparisons each on the standard library). scope.* opened
        when its region starts; skip.* are no uses."""
        handler = _VISITORS.get(role)
        if handler is not None:
            handler(self, role, node, scope, in_ann)

    def _visit_def(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        self.define_def(node, scope)

    def _visit_import(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        self.define_import(node, scope)

    def _visit_return(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        self.infer_return(node, scope)

    def _visit_with(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        self.add_with_item(node, scope)

    def _visit_async_for(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        self.add_async_for(node, scope)

    def _visit_call_result(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        self.add_call_result(node, scope)

    def _visit_callback(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        self.add_callbacks(node, scope)

    def _visit_compare(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        self.add_membership(node, scope)
        self.add_comparison(node, scope)

    def _visit_operands(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        if not in_ann:  # `int | None`: a type, not an `or`
            self.add_operands(role, node, scope)

    def _visit_subscript(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        if not in_ann:  # `List[int]`: a generic type, not an item lookup
            self.add_subscript(node, scope)

    def _visit_string_annotation(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        if in_ann and node.start_point[0] == node.end_point[0]:
            self.add_string_annotation(node, scope)

    def _visit_global(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        self.scopes[scope].names[self.text(node)] = ("global",)

    def _visit_nonlocal(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        self.scopes[scope].names[self.text(node)] = ("nonlocal",)

    def _visit_param(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        self.bind_param(node, scope)

    def _visit_compvar(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        # No symbol, but what it holds is known: ("local", value).
        self.scopes[scope].names[self.text(node)] = ("local", _bound_value(node))

    def _visit_keyword(self, role: str, node: ts.Node, scope: int, in_ann: bool) -> None:
        # (each `.parent` walks down from the root: asked once each)
        parent = node.parent
        grand = parent.parent if parent is not None else None
        call = grand.parent if grand is not None else None
        callee = expr_of(call.child_by_field_name("function")) if call is not None and call.type == "call" else None
        if callee is not None:
            self.add_ref(node, RefFact(self.cols.span(node), self.text(node), "keyword", scope, call=callee))

    def infer_return(self, value: ts.Node, scope: int) -> None:
        """An unannotated function returns (or a fixture yields) what its first
        evaluable `return`/`yield` gives: ("=", expr)."""
        if self.scopes[scope].kind != SymbolKind.FUNCTION:
            return
        function = self.symbols[self.scopes[scope].symbol]
        held = function.returns
        closure = self.cast_closure(value, scope) if CAST_CLOSURES and value.type == "call" else None
        if closure is not None:
            # `-> C` (a TypeVar) then `return cast(C, _inner)`: the closure says more than the annotation
            function.returns = ("=", ("local", closure))
            return
        if held is not None and held[0] != "=":
            return  # annotated
        expr = self.tuple_value(value, scope) if TUPLE_RETURNS else None
        if expr is None:
            expr = self.local_value(value, scope)
        if self.has_request_param and expr is not None and _REQUEST_PARAM in _subexpressions(expr):
            params = _fixture_params(value)
            if params:  # `request.param` is one of the fixture's params
                expr = _replaced(expr, _REQUEST_PARAM, ("alt", *params) if len(params) > 1 else params[0])
        if RETURNED_CLOSURES and expr is not None and expr[0] == "name":
            # `def factory(): def inner(...): ...; return inner`: the value is
            # the local function, which no other module's scope can name.
            binding = self.scopes[scope].names.get(expr[1])
            if binding is not None and binding[0] == "def" and self.symbols[binding[1]].kind == SymbolKind.FUNCTION:
                expr = ("local", self.symbols[binding[1]].qualname)
        if expr is None:
            return
        if held is None:
            function.returns = ("=", expr)
        elif expr != held[1] and (held[1][0] != "alt" or (expr not in held[1] and len(held[1]) <= _MAX_ALT_RETURNS)):
            # A later `return` may give what the first cannot (instanceproperty:
            # `return partial(...)` for a factory, else `return
            # InstanceProperty(...)`): the resolver takes the last workspace value.
            first = held[1][1:] if held[1][0] == "alt" else (held[1],)
            function.returns = ("=", ("alt", *first, expr))

    def cast_closure(self, value: ts.Node, scope: int) -> str | None:
        """The qualname of the local function `cast(T, inner)` returns
        (pyparsing's replaced_by_pep8: `return cast(C, _inner)`), if that is
        what `value` is."""
        cast = value.child_by_field_name("function")
        if cast is None or cast.text not in (b"cast", b"typing.cast", b"t.cast"):
            return None
        args = value.child_by_field_name("arguments")
        named = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if len(named) != 2 or named[1].type != "identifier":
            return None
        binding = self.scopes[scope].names.get(self.text(named[1]))
        if binding is None or binding[0] != "def" or self.symbols[binding[1]].kind != SymbolKind.FUNCTION:
            return None
        return self.symbols[binding[1]].qualname

    def add_with_item(self, item: ts.Node, scope: int) -> None:
        """`with cm:` calls cm.__enter__ and cm.__exit__: implicit uses, put
        on the `with` keyword so they never collide with a name's position."""
        value = item.child_by_field_name("value") or (item.named_children[0] if item.named_children else None)
        if value is not None and value.type == "as_pattern" and value.named_children:
            value = value.named_children[0]
        receiver = expr_of(value)
        statement = item.parent.parent if item.parent is not None else None
        if receiver is None or statement is None or statement.type != "with_statement":
            return
        keyword = next((c for c in statement.children if c.type == "with"), None)
        if keyword is None:
            return
        # `async with cm:` awaits cm.__aenter__ and cm.__aexit__ instead (issue 12, tenacity).
        dunders = _ASYNC_WITH if statement.children[0].type == "async" else _WITH
        for dunder in dunders:
            self.add_ref(keyword, RefFact(self.cols.span(keyword), dunder, "implicit", scope, receiver=receiver))
        matched = raises_match(value)  # `pytest.raises(E, match=...)` runs str() of the E raised
        if matched is not None:
            self.add_ref(keyword, RefFact(self.cols.span(keyword), "__str__", "implicit", scope,
                                          receiver=("call", matched)))

    def add_async_for(self, statement: ts.Node, scope: int) -> None:
        """`async for x in it:` awaits it.__aiter__() and then __anext__ on
        what that gives (nearly always `it` itself: tenacity's AsyncRetrying
        returns self): implicit uses of both on `it`'s class, put on the
        `for` keyword, kept by the resolver only when `it` is a workspace
        instance (as `with`).

        Measured with `async with` (fourteen projects, depth 8, default
        selection, against the same code without both): tenacity +258 true
        / +29 false pairs (0.720 / 0.468 -> 0.824 / 0.498 with outer_scope
        on); the other thirteen identical."""
        receiver = expr_of(statement.child_by_field_name("right"))
        keyword = next((c for c in statement.children if c.type == "for"), None)
        if receiver is None or keyword is None:
            return
        for dunder in ("__aiter__", "__anext__"):
            self.add_ref(keyword, RefFact(self.cols.span(keyword), dunder, "implicit", scope, receiver=receiver))

    def add_membership(self, compare: ts.Node, scope: int) -> None:
        """`k in c` and `k not in c` run c.__contains__: an implicit use put
        on the `in` token (no name there), kept by the resolver only when
        `c` is a workspace instance (as `with`)."""
        if not OPERATOR_PROTOCOLS:
            return
        children = compare.children
        for i, op in enumerate(children[:-1]):
            if op.type not in ("in", "not in"):
                continue
            receiver = expr_of(children[i + 1])
            if receiver is not None:
                self.add_ref(op, RefFact(self.cols.span(op), "__contains__", "implicit", scope, receiver=receiver))

    def add_comparison(self, compare: ts.Node, scope: int) -> None:
        """`a < b` runs a.__lt__ (b.__gt__ when a's gives up), `a == b`
        a.__eq__ (or b.__eq__): implicit uses put on the operator token."""
        if not OPERAND_PROTOCOLS:
            return
        children = compare.children
        for i in range(1, len(children) - 1):
            names = _COMPARE_DUNDERS.get(children[i].type)
            if names is not None:
                self._operand_ref(children[i], children[i - 1], names[0], scope)
                self._operand_ref(children[i], children[i + 1], names[1], scope)

    def add_operands(self, role: str, node: ts.Node, scope: int) -> None:
        """The protocol methods an operator or a `for` runs on its operands
        (OPERAND_PROTOCOLS; a builtin call's: add_builtin_operands)."""
        if not OPERAND_PROTOCOLS:
            return
        if role == "operator.binary":
            op = node.child_by_field_name("operator")
            name = _BINARY_DUNDERS.get(op.type) if op is not None else None
            if name is not None:
                self._operand_ref(op, node.child_by_field_name("left"), f"__{name}__", scope)
                self._operand_ref(op, node.child_by_field_name("right"), f"__r{name}__", scope)
        elif role == "operator.unary":
            op = node.child_by_field_name("operator")
            name = _UNARY_DUNDERS.get(op.type) if op is not None else None
            if name is not None:
                self._operand_ref(op, node.child_by_field_name("argument"), name, scope)
        elif role == "operator.augmented":
            op = node.child_by_field_name("operator")
            name = _BINARY_DUNDERS.get(op.type[:-1]) if op is not None else None
            if name is not None:
                self._operand_ref(op, node.child_by_field_name("left"), f"__i{name}__", scope)
                self._operand_ref(op, node.child_by_field_name("right"), f"__r{name}__", scope)
        elif role == "operator.format":
            if STRING_PROTOCOLS:
                self.add_interpolation(node, scope)
        elif role == "operator.truth":
            if TRUTH_PROTOCOLS:
                self.add_truth_test(node, scope)
        elif role == "operator.for":
            keyword = next((c for c in node.children if c.type == "in"), None)
            # `async for` runs __aiter__/__anext__ instead (add_async_for)
            if keyword is not None and not any(c.type == "async" for c in node.children):
                self._operand_ref(keyword, node.child_by_field_name("right"), "__iter__", scope)
                if ITERATING_BUILTINS:  # (an iterator class's __iter__ returns itself: its __next__ runs)
                    self._operand_ref(keyword, node.child_by_field_name("right"), "__next__", scope)

    def add_interpolation(self, node: ts.Node, scope: int) -> None:
        """`f"{x}"` runs x.__str__, `{x!r}` x.__repr__, `{x:spec}`
        x.__format__ (STRING_PROTOCOLS), put on the `{`."""
        brace = node.children[0] if node.children else None
        named = [c for c in node.named_children if c.type != "comment"]
        if brace is None or not named:
            return
        method = "__str__"
        for child in named[1:]:
            if child.type == "type_conversion":
                method = "__str__" if child.text == b"!s" else "__repr__"
            elif child.type == "format_specifier":
                method = "__format__"
        self._operand_ref(brace, named[0], method, scope)

    def add_truth_test(self, node: ts.Node, scope: int) -> None:
        """`if x:`, `elif x:`, `while x:`, `not x`, `a if x else b` and the
        left of `x and y` / `x or y` run x.__bool__ (TRUTH_PROTOCOLS), put
        on the keyword."""
        if node.type == "boolean_operator":
            keyword, operand = node.child_by_field_name("operator"), node.child_by_field_name("left")
        elif node.type == "not_operator":
            keyword, operand = node.children[0] if node.children else None, node.child_by_field_name("argument")
        elif node.type == "conditional_expression":
            keyword = next((c for c in node.children if c.type == "if"), None)
            named = [c for c in node.named_children if c.type != "comment"]
            operand = named[1] if len(named) == 3 else None
        else:
            keyword, operand = node.children[0] if node.children else None, node.child_by_field_name("condition")
        if keyword is not None and operand is not None:
            self._operand_ref(keyword, operand, "__bool__", scope)

    def add_builtin_operands(self, names: tuple[str, ...], arguments: ts.Node, scope: int) -> None:
        """`len(a)` runs a.__len__ (OPERAND_PROTOCOLS): `names` are the
        methods the builtin runs on its first (and second) positional
        argument, put on the argument list's `(`."""
        if not OPERAND_PROTOCOLS:
            return
        paren = arguments.children[0] if arguments.children else None
        if paren is None or paren.type != "(":
            return
        args = [a for a in arguments.named_children if a.type != "comment"]
        if any(a.type in ("keyword_argument", "list_splat", "dictionary_splat") for a in args[:len(names)]):
            return
        for name, arg in zip(names, args):
            self._operand_ref(paren, arg, name, scope)

    def call_arguments(self, callee: ts.Node, function: ts.Node) -> ts.Node | None:
        """The argument list of the call whose function is `function` (the
        callee's node, or the attribute it ends), None when it is not called
        with one (a bare decorator, `f(x for x in y)`)."""
        call = function.parent if function is not callee else callee.parent
        if call is None or call.type != "call" or call.child_by_field_name("function") != function:
            return None
        arguments = call.child_by_field_name("arguments")
        return arguments if arguments is not None and arguments.type == "argument_list" else None

    def _operand_ref(self, at: ts.Node, operand: ts.Node | None, name: str, scope: int) -> None:
        receiver = expr_of(operand) if operand is not None and operand.type in ("identifier", "attribute", "call") \
            else None
        if receiver is not None:
            self.add_ref(at, RefFact(self.cols.span(at), name, "implicit", scope, receiver=receiver))

    def add_subscript(self, subscript: ts.Node, scope: int) -> None:
        """`c[k]` runs c.__getitem__, `c[k] = v` c.__setitem__, `del c[k]`
        c.__delitem__ (`c[k] += v` both of the first two); put on the `[`."""
        if not OPERATOR_PROTOCOLS:
            return
        value = subscript.child_by_field_name("value")
        bracket = next((c for c in subscript.children if c.type == "["), None)
        receiver = expr_of(value) if value is not None else None
        if receiver is None or bracket is None:
            return
        parent = subscript.parent
        if parent is not None and parent.type in ("expression_list", "pattern_list", "tuple_pattern") and \
                parent.parent is not None and parent.parent.type == "delete_statement":
            parent = parent.parent
        if parent is not None and parent.type == "delete_statement":
            names = ("__delitem__",)
        elif parent is not None and parent.type == "assignment" and parent.child_by_field_name("left") == subscript:
            names = ("__setitem__",)
        elif parent is not None and parent.type == "augmented_assignment" and parent.child_by_field_name("left") == subscript:
            names = ("__getitem__", "__setitem__")
        else:
            names = ("__getitem__",)
        for name in names:
            self.add_ref(bracket, RefFact(self.cols.span(bracket), name, "implicit", scope, receiver=receiver))

    def add_call_result(self, arguments: ts.Node, scope: int) -> None:
        """`f(x)(y)` calls what `f(x)` returns: an implicit `__call__` whose
        receiver is the inner call, put on the outer call's `(` (no name
        there to collide with); the resolver keeps it only when the value is
        a workspace instance (its __call__) or class (constructed)."""
        call = arguments.parent
        receiver = expr_of(call.child_by_field_name("function")) if call is not None else None
        paren = arguments.children[0] if arguments.children else None
        if receiver is None or paren is None or paren.type != "(":
            return
        ref = RefFact(self.cols.span(paren), "__call__", "implicit", scope, receiver=receiver)
        self.headers_owner(paren.start_byte, ref)
        self.refs.append(ref)
        self.ref_starts.append(paren.start_byte)

    def lambda_callback(self, node: ts.Node, scope: int):
        """`expr.add_parse_action(lambda t: ...)`: the lambda's parameter may
        hold what the callee's annotation says its callbacks get."""
        params = node.parent
        lam = params.parent if params is not None and params.type == "lambda_parameters" else None
        arguments = lam.parent if lam is not None and lam.type == "lambda" else None
        if arguments is None or arguments.type != "argument_list" or arguments.parent is None \
                or any(p.type != "identifier" for p in params.named_children):
            return None
        callee = expr_of(arguments.parent.child_by_field_name("function"))
        if callee is None or callee[0] != "attr":
            return None
        position = 0
        for arg in arguments.named_children:
            if arg.type in ("keyword_argument", "list_splat", "dictionary_splat"):
                return None
            if arg == lam:
                break
            position += arg.type != "comment"
        slot = next(j for j, p in enumerate(params.named_children) if p == node)
        return ("callback", callee, self.scopes[scope].parent, position, slot, len(params.named_children))

    def add_callbacks(self, arguments: ts.Node, scope: int) -> None:
        """`expr.set_parse_action(convert)` where `convert` is a function of
        this file with unannotated parameters: each may hold what the
        callee's annotation says its callbacks get (CALLBACK_PARAMS)."""
        if not CALLBACK_PARAMS or arguments.parent is None:
            return
        callee = expr_of(arguments.parent.child_by_field_name("function"))
        if callee is None or callee[0] != "attr":
            return  # (a method of a workspace object: `map(f, xs)`, `sorted(k)` take no annotation of ours)
        position = 0
        for arg in arguments.named_children:
            if arg.type in ("keyword_argument", "list_splat", "dictionary_splat"):
                break
            if arg.type == "comment":
                continue
            if arg.type == "identifier":
                binding, at = None, scope
                while at >= 0 and binding is None:
                    binding = self.scopes[at].names.get(self.text(arg))
                    at = self.scopes[at].parent
                if binding is not None and binding[0] == "def":
                    self.type_callback(binding[1], callee, scope, position)
            position += 1

    def type_callback(self, index: int, callee, scope: int, position: int) -> None:
        function = self.symbols[index]
        if function.kind != SymbolKind.FUNCTION or not function.params \
                or any(kind not in ("pos", "posonly") for _name, kind, _ann, _default in function.params):
            return
        count = len(function.params)
        for param in self.symbols[index + 1:]:
            if param.parent != index or param.kind != SymbolKind.PARAMETER:
                break
            slot = next((j for j, entry in enumerate(function.params) if entry[0] == param.name), None)
            if slot is not None and param.type_expr is None:
                param.type_expr = ("callback", callee, scope, position, slot, count)

    def add_string_annotation(self, content: ts.Node, scope: int) -> None:
        """Forward references: each dotted name in "pkg.Node[T]" is a use."""
        row, base_col = content.start_point
        text = content.text
        for match in _DOTTED_NAME.finditer(text):
            if match.group() in _NOT_NAMES:
                continue
            receiver = None
            offset = match.start()
            for part in match.group().split(b"."):
                start = base_col + offset
                span = (row, self.cols.col(row, start), row, self.cols.col(row, start + len(part)))
                name = part.decode("utf-8", "replace")
                ref = RefFact(span, name, "annotation", scope, receiver=receiver)
                self.headers_owner(content.start_byte + offset, ref)
                self.refs.append(ref)
                self.ref_starts.append(content.start_byte + offset)
                receiver = ("name", name) if receiver is None else ("attr", receiver, name)
                offset += len(part) + 1

    def headers_owner(self, start: int, ref: RefFact) -> None:
        while self.headers and self.headers[-1][0] <= start:
            self.headers.pop()
        if self.headers:
            ref.owner = self.headers[-1][1]  # inside a class's bases

    def add_string_refs(self, root: ts.Node) -> None:
        """Names written as strings that still name a definition: `__all__`
        entries (module level) and `TypeVar("T", bound="Base")`. The bound's
        string is parsed like a string annotation."""
        for content in _dunder_all_contents(root):
            name = self.text(content)
            if re.fullmatch(r"[A-Za-z_]\w*", name):
                self.refs.append(RefFact(self.cols.span(content), name, "read", 0))
                self.ref_starts.append(content.start_byte)
        for stmt in root.named_children:
            if stmt.type != "expression_statement" or not stmt.named_children:
                continue
            assign = stmt.named_children[0]
            if assign.type != "assignment":
                continue
            left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
            if USEFIXTURES and left is not None and left.text == b"pytestmark" and right is not None:
                # `pytestmark = pytest.mark.usefixtures("db")` (or a list of marks): every test of the module
                for content in _mark_strings(right):
                    self.refs.append(RefFact(self.cols.span(content), self.text(content), "read", 0,
                                             flow="usefixtures"))
                    self.ref_starts.append(content.start_byte)
            bound = _typevar_call(right)
            if bound is not None and bound.type == "string":
                for content in bound.named_children:
                    if content.type == "string_content":
                        self.add_string_annotation(content, 0)

    def narrowed(self, name: str, start: int):
        """The type `name` is narrowed to at byte `start` by isinstance, if any."""
        found = None
        for r_start, r_end, r_name, r_type in self.narrowing:
            if r_start > start:
                break
            if r_name == name and start < r_end:
                found = r_type  # later (inner) regions win
        return found

    def add_ref(self, node: ts.Node, ref: RefFact) -> None:
        start = node.start_byte
        if self.narrowing and ref.receiver is not None and ref.receiver[0] == "name":
            narrowed = self.narrowed(ref.receiver[1], start)
            if narrowed is not None:
                ref.receiver = narrowed
        headers = self.headers
        if headers:  # headers_owner, inline: this runs once per reference
            while headers and headers[-1][0] <= start:
                headers.pop()
            if headers:
                ref.owner = headers[-1][1]
        self.refs.append(ref)
        self.ref_starts.append(start)
        if self.flows:
            self.add_flows(node, ref, start)

    def add_flows(self, node: ts.Node, ref: RefFact, start: int) -> None:
        """A use in a value position of an assigned value is also a "flow"
        use owned by the name it is assigned to: `short = impl` makes `short`
        a dependent of `impl` (the ordinary use stays with its scope owner)."""
        while self.flows and self.flows[-1][1] <= start:
            self.flows.pop()
        expr = node
        parent = node.parent
        if parent is not None and parent.type == "attribute" and parent.child_by_field_name("attribute") == node:
            expr = parent
        for f_start, f_end, owner, value, tag in self.flows:
            if not (f_start <= start < f_end):
                continue
            found = _value_position(expr, value)
            if found is not None:
                self.refs.append(RefFact(ref.span, ref.name, "flow", ref.scope, receiver=ref.receiver,
                                         owner=owner, flow=tag or found))
                self.ref_starts.append(start)

    def add_getattr(self, node: ts.Node, scope: int) -> None:
        """`getattr(obj, "name"[, default])` uses obj.name."""
        call = node.parent
        if call is None or call.type != "call" or call.child_by_field_name("function") != node:
            return
        args = call.child_by_field_name("arguments")
        positional = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if len(positional) < 2:
            return
        outer = call.parent
        kind = "call" if outer is not None and outer.type == "call" and outer.child_by_field_name("function") == call else "read"
        if positional[1].type != "string" or any(c.type == "interpolation" for c in positional[1].named_children):
            pattern = dispatch.getattr_pattern(positional[1]) if dispatch.GETATTR_PATTERNS else None
            receiver = expr_of(positional[0]) if pattern is not None else None
            hole = dispatch.set_name_hole(positional[0], positional[1]) if receiver is not None else None
            if hole is not None:  # `_process_{name}`: dispatch.split_hole
                pattern = pattern.replace("*", "{" + hole + "}")
            if receiver is not None:  # `getattr(self, f"_compare_{op}")`: every method so named
                self.add_ref(positional[1], RefFact(self.cols.span(positional[1]), pattern, kind, scope,
                                                    receiver=receiver, flow=How.GETATTR_MATCH.value))
            elif pattern is None and kind == RefKind.CALL and dispatch.GETATTR_ANY \
                    and (receiver := expr_of(positional[0])) is not None:
                # `getattr(self._logger, method_name)(...)`: whatever the receiver's `__getattr__` answers
                self.add_ref(positional[1], RefFact(self.cols.span(positional[1]), "*", kind, scope,
                                                    receiver=receiver, flow=How.GETATTR_ANY.value))
            return
        content = [c for c in positional[1].named_children if c.type == "string_content"]
        if len(content) != 1 or not re.fullmatch(rb"[A-Za-z_]\w*", content[0].text):
            return
        receiver = expr_of(positional[0])
        if receiver is None:
            return
        self.add_ref(content[0], RefFact(self.cols.span(content[0]), self.text(content[0]), kind, scope,
                                         receiver=receiver, flow="getattr"))

    def add_use(self, node: ts.Node, use: tuple[str, bool], scope: int, in_annotation: bool) -> None:
        start, end = node.start_byte, node.end_byte
        name = self.source[start:end].decode("utf-8", "replace")
        row, col = node.start_point
        if row not in self.cols.wide_rows:
            span = (row, col, row, col + end - start)  # an identifier never spans lines
        else:
            span = self.cols.span(node)
        kind, is_attr = use
        if is_attr:
            attribute = node.parent
            obj = attribute.child_by_field_name("object") if attribute is not None else None
            # An object out of the resolver's reach (`(a or b).split`) still
            # makes this an attribute: never a bare name's guesses.
            receiver = expr_of(obj) if obj is not None else None
            if receiver is None and obj is not None and OPAQUE_RECEIVERS:
                receiver = OPAQUE
            if kind == _WRITE:
                self.widen_class_attribute(node, receiver, scope)
                self.bind_self_attribute(node, receiver, scope)
                owner = self.self_attribute(node, receiver, scope)
                if owner is not None:
                    self.flow_into(attribute, scope, owner, "stored")
            calls = kind == _CALL or kind == _DECORATOR
            if in_annotation:
                kind = "annotation"
            elif kind == _READ and self.deferring and _wrapped_by_partial(attribute, self.deferring):
                kind = _CALL  # `partial(mod.C, ...)`: a deferred call of C
            self.add_ref(node, RefFact(span, name, kind, scope, receiver=receiver))
            if kind == _CALL and use[0] == _CALL and obj is not None and obj.type == "identifier" \
                    and obj.text in _SELF_NAMES:
                self.call_sites.append((name, True, scope, node))
            if kind == _CALL and name in doctests.RUNNERS:
                self.add_doctest_runner(attribute, scope)
            if calls and name == "__setattr__" and obj.type == "identifier" and obj.text == b"object":
                # `object.__setattr__(self, "x", v)` (once a query pattern
                # whose text predicates, tried on every call, cost a sixth
                # of the query's time)
                arguments = self.call_arguments(node, attribute)
                if arguments is not None:
                    self.bind_setattr(arguments, scope)
            return
        if kind == _WRITE:
            index = self.bind_variable(node, name, scope)
            if self.scopes[scope].kind in (SymbolKind.MODULE, SymbolKind.CLASS):
                binding = self.scopes[scope].names.get(name)
                self.flow_into(node, scope, binding[1] if binding and binding[0] == "def" else None)
            if index is not None:
                return  # the defining assignment is the declaration, not a use
        elif in_annotation:
            kind = "annotation"
        elif kind == _READ and self.deferring and _wrapped_by_partial(node, self.deferring):
            kind = _CALL  # `partial(C, ...)`: a deferred call of C
        calls = use[0] == _CALL or use[0] == _DECORATOR
        self.add_ref(node, RefFact(span, name, kind, scope))
        if kind == _CALL and use[0] == _CALL:
            self.call_sites.append((name, False, scope, node))
        if name == "getattr" and kind == _CALL:
            self.add_getattr(node, scope)
        elif kind == _CALL and name in doctests.RUNNERS:
            self.add_doctest_runner(node, scope)
        elif calls and name == "print" and STRING_PROTOCOLS and not in_annotation:
            arguments = self.call_arguments(node, node)
            if arguments is not None:
                args = [a for a in arguments.named_children if a.type != "comment"]
                shown = next((i for i, a in enumerate(args)
                              if a.type in ("keyword_argument", "list_splat", "dictionary_splat")), len(args))
                self.add_builtin_operands(("__str__",) * shown, arguments, scope)
        elif calls and name in _ITERATING and ITERATING_BUILTINS and not in_annotation:
            # `list(cls(s))` iterates its argument: __iter__, then __next__ of an iterator class
            arguments = self.call_arguments(node, node)
            args = [a for a in arguments.named_children if a.type != "comment"] if arguments is not None else []
            paren = arguments.children[0] if arguments is not None and arguments.children else None
            if paren is not None and paren.type == "(":
                for operand in (args if name == "zip" else args[:1]):
                    if operand.type in _NOT_POSITIONAL:
                        break
                    self._operand_ref(paren, operand, "__iter__", scope)
                    self._operand_ref(paren, operand, "__next__", scope)
        elif calls and (name == "setattr" or name in _BUILTIN_DUNDERS):
            # `setattr(self, "x", v)` and the protocol builtins (`len(a)`):
            # read here, at the callee, not by query patterns with text
            # predicates that every call in the file was tried against.
            arguments = self.call_arguments(node, node)
            if arguments is None:
                pass
            elif name == "setattr":
                self.bind_setattr(arguments, scope)
            elif not in_annotation:  # (`int | None`: a type, not an operator)
                self.add_builtin_operands(_BUILTIN_DUNDERS[name], arguments, scope)

    def add_doctest_runner(self, callee: ts.Node | None, scope: int) -> None:
        """`doctest.testmod(m)` runs the examples of module `m`: a call use of
        `m.__doctest__` (doctests.py), put on the call's `(`."""
        call = callee.parent if callee is not None else None
        if call is None or call.type != "call" or call.child_by_field_name("function") != callee:
            return
        args = call.child_by_field_name("arguments")
        first = next((a for a in args.named_children if a.type != "comment"), None) if args is not None else None
        paren = args.children[0] if args is not None and args.children else None
        if first is None or first.type in ("keyword_argument", "list_splat", "dictionary_splat") or paren is None:
            return
        ref = doctests.runner_ref(self.cols.span(paren), self.text(callee).rsplit(".", 1)[-1], expr_of(first), scope)
        if ref is not None:
            self.headers_owner(paren.start_byte, ref)
            self.refs.append(ref)
            self.ref_starts.append(paren.start_byte)


# role -> what the sweep does with a capture that is not a plain use (`_Extractor.visit`)
_VISITORS = {
    "def.class": _Extractor._visit_def, "def.function": _Extractor._visit_def,
    "import.plain": _Extractor._visit_import, "import.from": _Extractor._visit_import,
    "import.future": _Extractor._visit_import,
    "return.value": _Extractor._visit_return, "with.item": _Extractor._visit_with,
    "loop.async": _Extractor._visit_async_for, "call.result": _Extractor._visit_call_result,
    "call.callback": _Extractor._visit_callback,
    "operator.compare": _Extractor._visit_compare, "operator.subscript": _Extractor._visit_subscript,
    **{role: _Extractor._visit_operands for role in _OPERAND_ROLES},
    "annotation.string": _Extractor._visit_string_annotation,
    "bind.global": _Extractor._visit_global, "bind.nonlocal": _Extractor._visit_nonlocal,
    "bind.param": _Extractor._visit_param, "ref.compvar": _Extractor._visit_compvar,
    "ref.keyword": _Extractor._visit_keyword,
}

def extract(source: bytes, rel_path: str, module: str, is_package: bool = False,
            test_globs: tuple[str, ...] = ()) -> FileFacts:
    tree = parser().parse(source)
    errors: list[str] = []
    for _ in range(_RECOVERY_ROUNDS):
        if not tree.root_node.has_error:
            break
        repaired = _recover(source, tree)
        if repaired is None:
            break
        errors = errors or _syntax_errors(tree.root_node)
        source, tree = repaired, parser().parse(repaired)
    flattened = _flatten_deep(source, tree)
    if flattened is not None:
        source, deep_notes = flattened
        tree = parser().parse(source)
        errors = deep_notes + errors
    extractor = _Extractor(source, rel_path, module, is_package, test_globs=test_globs)
    try:
        facts = extractor.run(tree)
    except _Incomplete:
        extractor = _Extractor(source, rel_path, module, is_package, complete=True, test_globs=test_globs)
        facts = extractor.run(tree)
    if errors:
        facts.errors = errors + [e for e in facts.errors if e not in errors]
    facts.extra.guards = guard_facts(extractor.captures, source)
    if doctests.DOCTESTS:
        found = doctests.example_source(source, tree.root_node)
        if found is not None:
            examples = _sweep(found[0], rel_path, module, is_package, test_globs)
            doctests.merge(facts, examples, found[1])
    return facts


def _sweep(source: bytes, rel_path: str, module: str, is_package: bool, test_globs: tuple[str, ...]) -> FileFacts:
    """The facts of `source` as it parses (no repair of broken statements)."""
    tree = parser().parse(source)
    flattened = _flatten_deep(source, tree)
    if flattened is not None:
        source = flattened[0]
        tree = parser().parse(source)
    try:
        return _Extractor(source, rel_path, module, is_package, test_globs=test_globs).run(tree)
    except _Incomplete:
        return _Extractor(source, rel_path, module, is_package, complete=True, test_globs=test_globs).run(tree)


_REQUEST_PARAM = ("attr", ("name", "request"), "param")


def _subexpressions(expr) -> list:
    out, todo = [], [expr]
    while todo:
        item = todo.pop()
        if isinstance(item, tuple):
            out.append(item)
            todo.extend(item[1:])
    return out


def _replaced(expr, old, new):
    if expr == old:
        return new
    if not isinstance(expr, tuple):
        return expr
    return (expr[0], *(_replaced(item, old, new) for item in expr[1:]))


def _type_built_base(body: ts.Node) -> tuple | None:
    """The base (an expression) of `return type(name, (Base, ...), ns)`, a
    statement of the function's own body."""
    for stmt in body.named_children:
        value = stmt.named_children[0] if stmt.type == "return_statement" and stmt.named_children else None
        func = value.child_by_field_name("function") if value is not None and value.type == "call" else None
        if func is None or func.type != "identifier" or func.text != b"type":
            continue
        args = value.child_by_field_name("arguments")
        named = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if len(named) == 3 and named[1].type == "tuple" and named[1].named_children:
            return expr_of(named[1].named_children[0])
    return None


def _namespace_values(body: ts.Node) -> list[str]:
    """The names a function's own statements store as values: `d[k] = name`
    and the values of dict literals `{"k": name}` they assign."""
    out = []
    for stmt in body.named_children:
        assign = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
        if assign is None or assign.type != "assignment":
            continue
        left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
        if right is None:
            continue
        if right.type == "identifier" and left is not None and left.type == "subscript":
            out.append(right.text.decode("utf-8", "replace"))
        elif right.type == "dictionary":
            out.extend(pair.child_by_field_name("value").text.decode("utf-8", "replace")
                       for pair in right.named_children if pair.type == "pair"
                       and pair.child_by_field_name("value") is not None
                       and pair.child_by_field_name("value").type == "identifier")
    return out


def _usefixtures_strings(decorated: ts.Node) -> list[ts.Node]:
    """The string contents of `@pytest.mark.usefixtures("a", "b")` (or
    `@mark.usefixtures`) decorating a definition: the fixtures' names."""
    return [content for decorator in decorated.named_children
            if decorator.type == "decorator" and decorator.named_children
            for content in _mark_strings(decorator.named_children[0])]


def _mark_strings(mark: ts.Node) -> list[ts.Node]:
    """The fixtures' names (string contents) a `...mark.usefixtures("a")`
    call names, or the calls in a list or tuple of marks name."""
    if mark.type in ("list", "tuple"):
        return [content for item in mark.named_children for content in _mark_strings(item)]
    func, args = mark.child_by_field_name("function"), mark.child_by_field_name("arguments")
    if mark.type != "call" or func is None or args is None or not func.text.endswith(b"mark.usefixtures"):
        return []
    out = []
    for arg in args.named_children:
        content = [c for c in arg.named_children if c.type == "string_content"] if arg.type == "string" else []
        if len(content) == 1 and re.fullmatch(rb"[A-Za-z_]\w*", content[0].text):
            out.append(content[0])
    return out


def _given_names(decorators, params: tuple) -> list[str]:
    """The parameters hypothesis's `@given(...)` fills: as many of the last
    positional ones as it has positional strategies, and its keywords."""
    out: list[str] = []
    positional = [p[0] for p in params if p[1] in ("pos", "posonly")]
    for deco in decorators:
        if not deco.startswith(("given(", "hypothesis.given(")):
            continue
        try:
            module = python_ast.parse(deco)  # (the lock: ast.parse races in 3.11's threads)
        except (SyntaxError, ValueError):
            continue
        call = module.body[0].value if len(module.body) == 1 and isinstance(module.body[0], ast.Expr) else None
        if not isinstance(call, ast.Call):
            continue
        count = sum(1 for a in call.args if not isinstance(a, ast.Starred))
        out.extend(positional[len(positional) - count:] if count else [])
        out.extend(k.arg for k in call.keywords if k.arg)
    return out


def _fixture_names(decorators) -> list[str]:
    """The names `@pytest.fixture(name="...")` gives its function."""
    return [m.group(1) for deco in decorators if _FIXTURE_DECORATOR.match(deco)
            for m in [_FIXTURE_NAME.search(deco)] if m is not None]


def _fixture_params(value: ts.Node) -> list | None:
    """The evaluable `params=(...)` of the fixture whose return statement
    holds `value` (None: no such fixture)."""
    node = value.parent
    while node is not None and node.type != "function_definition":
        node = node.parent
    decorated = node.parent if node is not None else None
    if decorated is None or decorated.type != "decorated_definition":
        return None
    for decorator in decorated.children:
        call = decorator.named_children[0] if decorator.type == "decorator" and decorator.named_children else None
        func = call.child_by_field_name("function") if call is not None and call.type == "call" else None
        if func is None or not func.text.split(b".")[-1] == b"fixture":
            continue
        args = call.child_by_field_name("arguments")
        for arg in args.named_children if args is not None else ():
            if arg.type == "keyword_argument" and arg.child_by_field_name("name").text == b"params":
                display = arg.child_by_field_name("value")
                if display is None or display.type not in ("tuple", "list"):
                    return None
                found = [expr_of(item) for item in display.named_children if item.type != "comment"]
                return [e for e in found if e is not None] or None
    return None


def _wrapped_by_partial(expr: ts.Node | None, callees: tuple = (b"partial", b"functools.partial")) -> bool:
    """Whether `expr` is the first positional argument of a call of one of
    `callees`: `partial(...)`, `functools.partial(...)`, `map(...)` (what
    they will call)."""
    arguments = expr.parent if expr is not None else None
    if arguments is None or arguments.type != "argument_list":
        return False
    first = next((a for a in arguments.named_children if a.type != "comment"), None)
    call = arguments.parent
    return first == expr and call is not None and call.type == "call" \
        and call.child_by_field_name("function").text in callees
