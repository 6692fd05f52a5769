"""Python facts from one tree-sitter parse.

The queries in `queries/python-*.scm` say which node plays which role; this
module turns their captures into symbols, scopes and references in one sweep
over the file in document order, keeping a stack of open scopes.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import re
from functools import lru_cache
from pathlib import Path

import tree_sitter as ts
import tree_sitter_python as tsp

from indexer.languages.base import FileFacts, ImportFact, RefFact, ScopeFact, SymbolFact
from indexer.languages.python.facts import PythonFacts
from indexer.text import utf16_of_utf8

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"

# When one identifier matches several patterns, the first role here wins.
ROLE_PRIORITY = (
    "skip.defname", "skip.import", "skip.scope", "bind.param", "ref.keyword",
    "ref.compvar", "ref.decorator.attr", "ref.inherit.attr", "ref.write.attr",
    "ref.call.attr", "ref.attribute", "ref.decorator", "ref.inherit",
    "ref.write", "ref.call", "ref.read",
)
_RANK = {role: i for i, role in enumerate(ROLE_PRIORITY)}
_REF_KIND = {
    "ref.call.attr": "call", "ref.decorator.attr": "decorator",
    "ref.inherit.attr": "inherit", "ref.write.attr": "write",
    "ref.attribute": "attribute", "ref.call": "call", "ref.decorator": "decorator",
    "ref.inherit": "inherit", "ref.write": "write", "ref.read": "read",
}

# Decorators that return the function they wrap (or a descriptor around it),
# so calls through the decorated name still reach the definition.
_PROPERTY_DECORATORS = re.compile(r"^(property|(functools\.)?cached_property|\w+\.(setter|getter|deleter))$")
_FIXTURE_DECORATOR = re.compile(r"^(pytest\.)?fixture\b")
_CONSTANT_NAME = re.compile(r"^_*[A-Z][A-Z0-9_]*$")
_TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test)\.py$")
_DOTTED_NAME = re.compile(rb"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_NOT_NAMES = frozenset({b"None", b"True", b"False"})
_MAX_ERRORS = 20
_MAX_DOCSTRING = 4000


@lru_cache(maxsize=1)
def _language() -> ts.Language:
    return ts.Language(tsp.language())


@lru_cache(maxsize=1)
def _query() -> ts.Query:
    text = "\n".join(
        (QUERY_DIR / name).read_text(encoding="utf-8")
        for name in ("python-defs.scm", "python-refs.scm")
    )
    return ts.Query(_language(), text)


@lru_cache(maxsize=1)
def parser() -> ts.Parser:
    return ts.Parser(_language())


class _Columns:
    """Byte columns -> UTF-16 columns; free for ASCII files (the common case)."""

    def __init__(self, source: bytes):
        self.ascii = source.isascii()
        self.lines = None if self.ascii else source.split(b"\n")

    def col(self, row: int, byte_col: int) -> int:
        if self.ascii or byte_col == 0:
            return byte_col
        return utf16_of_utf8(self.lines[row] if row < len(self.lines) else b"", byte_col)

    def span(self, node: ts.Node) -> tuple[int, int, int, int]:
        (sr, sc), (er, ec) = node.start_point, node.end_point
        return (sr, self.col(sr, sc), er, self.col(er, ec))


def _text(node: ts.Node | None) -> str:
    if node is None:
        return ""
    return node.text.decode("utf-8", "replace")


def _squash(text: str) -> str:
    return " ".join(text.split())


_LITERALS = {
    "integer": "int", "float": "float", "true": "bool", "false": "bool", "concatenated_string": "str",
    "list": "list", "list_comprehension": "list", "dictionary": "dict", "dictionary_comprehension": "dict",
    "set": "set", "set_comprehension": "set", "tuple": "tuple",
}


def expr_of(node: ts.Node | None, depth: int = 0, in_annotation: bool = False):
    """An expression the resolver can evaluate, or None when out of reach.
    Strings are str values, except inside annotations where "Foo" names a type."""
    if node is None or depth > 8:
        return None
    kind = node.type
    if kind == "identifier":
        return ("name", _text(node))
    if kind == "attribute":
        inner = expr_of(node.child_by_field_name("object"), depth + 1, in_annotation)
        attr = node.child_by_field_name("attribute")
        return ("attr", inner, _text(attr)) if inner and attr is not None else None
    if kind == "call":
        func = node.child_by_field_name("function")
        if func is not None and func.type == "identifier" and func.text == b"super":
            return ("super",)
        if func is not None and func.text in (b"cast", b"typing.cast", b"t.cast"):
            # typing.cast(T, x) is a T (the first argument is a type, maybe a string).
            args = node.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            inner = expr_of(first, depth + 1, True)
            return ("call", inner) if inner else None
        inner = expr_of(func, depth + 1, in_annotation)
        return ("call", inner) if inner else None
    if kind in ("parenthesized_expression", "await", "type"):
        named = node.named_children
        return expr_of(named[0], depth + 1, in_annotation or kind == "type") if named else None
    if kind in ("subscript", "generic_type"):
        value = node.child_by_field_name("value") or (node.named_children[0] if node.named_children else None)
        args = [c for c in node.named_children[1:]]
        first = expr_of(args[0], depth + 1, in_annotation) if args else None
        last = expr_of(args[-1], depth + 1, in_annotation) if len(args) > 1 else first
        # First argument: Optional[X], List[X]; last: Callable[[...], R].
        return ("sub", expr_of(value, depth + 1, in_annotation), first, last)
    if kind == "type_parameter":
        named = node.named_children
        return expr_of(named[0], depth + 1, in_annotation) if named else None
    if kind == "binary_operator" and in_annotation:  # X | None: keep the non-None side
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if right is not None and right.text == b"None":
            return expr_of(left, depth + 1, in_annotation)
        if left is not None and left.text == b"None":
            return expr_of(right, depth + 1, in_annotation)
        return expr_of(left, depth + 1, in_annotation)
    if kind in _LITERALS:
        return ("lit", _LITERALS[kind])
    if kind == "string" and not in_annotation:
        return ("lit", "str")
    if kind == "string":
        content = [c for c in node.named_children if c.type == "string_content"]
        if len(content) == 1 and re.fullmatch(rb"[A-Za-z_][\w.]*", content[0].text):
            parts = _text(content[0]).split(".")
            out = ("name", parts[0])
            for part in parts[1:]:
                out = ("attr", out, part)
            return out
    return None


def _typevar_call(value: ts.Node | None) -> ts.Node | None:
    """The `bound=` value of `TypeVar("T", bound=X)`, if that is what `value` is."""
    if value is None or value.type != "call":
        return None
    func = value.child_by_field_name("function")
    if func is None or func.text not in (b"TypeVar", b"typing.TypeVar", b"t.TypeVar", b"typing_extensions.TypeVar"):
        return None
    args = value.child_by_field_name("arguments")
    for arg in args.named_children if args is not None else ():
        if arg.type == "keyword_argument" and arg.child_by_field_name("name").text == b"bound":
            return arg.child_by_field_name("value")
    return None


def _typevar_bound(value: ts.Node | None):
    """A TypeVar with a bound stands for that class (`bound="Base"` too):
    `x: T` then holds an instance of the bound."""
    bound = _typevar_call(value)
    return expr_of(bound, in_annotation=True) if bound is not None else None


def _assigned_value(statement: ts.Node) -> ts.Node | None:
    """The value of an assignment: `a = b = X` assigns X to a (and to b)."""
    right = statement.child_by_field_name("right")
    while right is not None and right.type == "assignment":
        right = right.child_by_field_name("right")
    return right


_PARTIAL = frozenset({"partial", "partialmethod"})


def _value_position(node: ts.Node, value: ts.Node, depth: int = 0) -> str | None:
    """How the expression `node` inside `value` (an assigned value) ends up in
    what the assignment binds: the value itself ("alias"), an argument of a
    call that wraps it ("partial" for functools.partial/partialmethod, else
    "wrapped": staticmethod(f), curry(f), deco(f)), an element of a container
    literal ("registry"), or not at all (None: a receiver, a callee...)."""
    if node == value:
        return "alias"
    parent = node.parent
    if parent is None or depth > 6:
        return None
    if parent.type == "keyword_argument":
        if parent.child_by_field_name("value") != node:
            return None
        node, parent = parent, parent.parent
        if parent is None:
            return None
    if parent.type == "argument_list":
        call = parent.parent
        if call is None or call.type != "call" or _value_position(call, value, depth + 1) is None:
            return None
        func = call.child_by_field_name("function")
        tail = func.child_by_field_name("attribute") if func is not None and func.type == "attribute" else func
        return "partial" if tail is not None and tail.text.decode("utf-8", "replace") in _PARTIAL else "wrapped"
    if parent.type in ("list", "tuple", "set", "expression_list"):
        return "registry" if _value_position(parent, value, depth + 1) else None
    if parent.type == "pair":
        if parent.child_by_field_name("value") != node:
            return None
        container = parent.parent
        return "registry" if container is not None and _value_position(container, value, depth + 1) else None
    if parent.type in ("parenthesized_expression", "conditional_expression", "boolean_operator"):
        return _value_position(parent, value, depth + 1)
    return None


def _annotation_value(type_node: ts.Node | None):
    """A variable annotated `x: T` holds what calling T returns: an instance."""
    inner = expr_of(type_node, in_annotation=True)
    return ("call", inner) if inner else None


def _bound_value(target: ts.Node):
    """What a name bound by `for x in xs` or `with cm as x` holds, as an
    expression: ("iter", xs) is an element of xs; a context manager is taken
    to return itself from __enter__ (files, locks, most library types)."""
    holder = target.parent
    if holder is None:
        return None
    if holder.type in ("for_statement", "for_in_clause") and holder.child_by_field_name("left") == target:
        iterable = expr_of(holder.child_by_field_name("right"))
        return ("iter", iterable) if iterable else None
    if holder.type == "as_pattern_target" and holder.parent is not None and holder.parent.type == "as_pattern":
        pattern = holder.parent
        if pattern.parent is not None and pattern.parent.type == "with_item" and pattern.named_children:
            return expr_of(pattern.named_children[0])
    return None


def _docstring(body: ts.Node | None) -> str:
    if body is None:
        return ""
    for child in body.named_children:
        if child.type == "comment":
            continue
        if child.type == "expression_statement" and child.named_child_count == 1:
            string = child.named_children[0]
            if string.type == "string":
                raw = _text(string)
                try:
                    value = ast.literal_eval(raw)
                except Exception:  # f-strings, odd prefixes: keep the raw text
                    value = raw.strip("\"'")
                if isinstance(value, bytes):
                    value = value.decode("utf-8", "replace")
                return inspect.cleandoc(str(value))[:_MAX_DOCSTRING]
        return ""
    return ""


def _string_items(node: ts.Node) -> list[str]:
    out = []
    for child in node.named_children:
        if child.type == "string":
            out.extend(_text(c) for c in child.named_children if c.type == "string_content")
    return out


def _dunder_all(root: ts.Node) -> list[str] | None:
    """Literal `__all__` at module level: assignment, +=, .extend, .append."""
    names: list[str] | None = None
    for stmt in root.named_children:
        if stmt.type != "expression_statement" or not stmt.named_children:
            continue
        expr = stmt.named_children[0]
        if expr.type in ("assignment", "augmented_assignment"):
            left = expr.child_by_field_name("left")
            right = expr.child_by_field_name("right")
            if left is None or left.text != b"__all__" or right is None:
                continue
            if right.type in ("list", "tuple"):
                items = _string_items(right)
                names = (names or []) + items if expr.type == "augmented_assignment" else items
        elif expr.type == "call":
            func = expr.child_by_field_name("function")
            if func is not None and func.type == "attribute" and _text(func) in ("__all__.extend", "__all__.append"):
                args = expr.child_by_field_name("arguments")
                if args is None:
                    continue
                items: list[str] = []
                for arg in args.named_children:
                    if arg.type in ("list", "tuple"):
                        items.extend(_string_items(arg))
                    elif arg.type == "string":
                        items.extend(_text(c) for c in arg.named_children if c.type == "string_content")
                names = (names or []) + items
    return names


def _dunder_all_contents(root: ts.Node) -> list[ts.Node]:
    """The string_content nodes of a literal module-level `__all__`."""
    out: list[ts.Node] = []
    for stmt in root.named_children:
        if stmt.type != "expression_statement" or not stmt.named_children:
            continue
        expr = stmt.named_children[0]
        if expr.type in ("assignment", "augmented_assignment"):
            left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
            if left is None or left.text != b"__all__" or right is None or right.type not in ("list", "tuple"):
                continue
            for item in right.named_children:
                if item.type == "string":
                    out.extend(c for c in item.named_children if c.type == "string_content")
    return out


def _narrowing_regions(captures: dict) -> list[tuple[int, int, str, tuple]]:
    """(start byte, end byte, name, receiver value) where an isinstance check
    narrows a name: an `if isinstance(x, T):` block, and the rest of the
    block after `assert isinstance(x, T)`. Tuples of types are left alone."""
    out = []
    for role in ("narrow.if", "narrow.assert"):
        for node in captures.get(role, ()):
            call = node.child_by_field_name("condition") if role == "narrow.if" else node.named_children[0]
            if call is None or call.type != "call":
                continue
            func = call.child_by_field_name("function")
            args = call.child_by_field_name("arguments")
            if func is None or func.text != b"isinstance" or args is None or len(args.named_children) < 2:
                continue
            name_node, type_node = args.named_children[0], args.named_children[1]
            value = expr_of(type_node, in_annotation=True) if type_node.type != "tuple" else None
            if name_node.type != "identifier" or value is None:
                continue
            if role == "narrow.if":
                body = node.child_by_field_name("consequence")
                start, end = body.start_byte, body.end_byte
            else:
                start, end = node.end_byte, node.parent.end_byte if node.parent is not None else node.end_byte
            out.append((start, end, _text(name_node), ("call", value)))
    out.sort(key=lambda r: (r[0], -r[1]))
    return out


def _syntax_errors(root: ts.Node) -> list[str]:
    errors: list[str] = []
    cursor = root.walk()
    while len(errors) < _MAX_ERRORS:
        node = cursor.node
        if node.is_error or node.is_missing:
            what = f"missing {node.type}" if node.is_missing else "syntax error"
            errors.append(f"{node.start_point[0] + 1}:{node.start_point[1] + 1}: {what}")
        elif node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return errors
    return errors


def _region(node: ts.Node) -> tuple[int, int]:
    """The bytes where a scope's own names are visible."""
    if node.type == "class_definition":
        body = node.child_by_field_name("body")
        return (body.start_byte if body is not None else node.end_byte, node.end_byte)
    if node.type == "function_definition":
        params = node.child_by_field_name("parameters")
        return (params.start_byte if params is not None else node.end_byte, node.end_byte)
    return (node.start_byte, node.end_byte)


def _decorators(node: ts.Node) -> tuple[ts.Node, tuple[str, ...], tuple]:
    """The node whose span covers the decorators, their texts and expressions."""
    parent = node.parent
    if parent is None or parent.type != "decorated_definition":
        return node, (), ()
    nodes = [c for c in parent.named_children if c.type == "decorator"]
    texts = tuple(_squash(_text(c))[1:].strip() for c in nodes)
    exprs = tuple(expr_of(c.named_children[0]) if c.named_children else None for c in nodes)
    return parent, texts, exprs


def _params(params_node: ts.Node | None) -> tuple:
    """((name, kind, annotation, default), ...) with kind in
    posonly/pos/varargs/kwonly/varkw."""
    if params_node is None:
        return ()
    out: list[list] = []
    keyword_only = False
    for child in params_node.named_children:
        kind = "kwonly" if keyword_only else "pos"
        name_node = child
        annotation = default = None
        if child.type == "positional_separator":
            for entry in out:
                if entry[1] == "pos":
                    entry[1] = "posonly"
            continue
        if child.type == "keyword_separator":
            keyword_only = True
            continue
        if child.type in ("typed_parameter", "typed_default_parameter", "default_parameter"):
            annotation = _squash(_text(child.child_by_field_name("type"))) or None
            value = child.child_by_field_name("value")
            default = _squash(_text(value)) if value is not None else None
            name_node = child.child_by_field_name("name") or (child.named_children[0] if child.named_children else None)
        if name_node is None:
            continue
        if name_node.type == "list_splat_pattern":
            kind, keyword_only = "varargs", True
            name_node = name_node.named_children[0] if name_node.named_children else None
        elif name_node.type == "dictionary_splat_pattern":
            kind = "varkw"
            name_node = name_node.named_children[0] if name_node.named_children else None
        if name_node is None or name_node.type != "identifier":
            continue
        out.append([_text(name_node), kind, annotation, default])
    return tuple(tuple(entry) for entry in out)


class _Extractor:
    def __init__(self, source: bytes, rel_path: str, module: str, is_package: bool):
        self.source = source
        self.rel_path = rel_path
        self.module = module
        self.is_package = is_package
        self.cols = _Columns(source)
        self.is_test_file = bool(_TEST_FILE.search("/" + rel_path))
        self.symbols: list[SymbolFact] = []
        self.scopes: list[ScopeFact] = []
        self.refs: list[RefFact] = []
        self.imports: list[ImportFact] = []
        self.star_imports: list[tuple[int, str]] = []
        self.scope_of_node: dict[int, int] = {}
        self.ref_starts: list[int] = []  # start byte of each ref, parallel to self.refs
        self.headers: list[tuple[int, int]] = []  # (end byte of a def's header, symbol)
        # Assigned values of module/class-level names and self attributes:
        # (start byte, end byte, symbol bound, value node, tag override).
        self.flows: list[tuple[int, int, int, ts.Node, str]] = []

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
        if self.scopes[scope].kind == "function" and parent >= 0 and self.scopes[parent].kind == "class":
            return self.scopes[parent].symbol
        return None

    def define_def(self, node: ts.Node, scope: int) -> None:
        is_class = node.type == "class_definition"
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return
        name = _text(name_node)
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
            base_text = _squash(_text(bases_node)) if bases_node is not None else ""
            signature = f"class {name}{base_text}"
            params: tuple = ()
            returns = None
        else:
            kind = "method" if outer_kind == "class" else "function"
            bases = ()
            params = _params(node.child_by_field_name("parameters"))
            ret = node.child_by_field_name("return_type")
            returns = expr_of(ret, in_annotation=True)
            is_async = node.children and node.children[0].type == "async"
            if is_async:
                flags.append("async")
            signature = (
                f"{'async ' if is_async else ''}def {name}"
                f"{_squash(_text(node.child_by_field_name('parameters')))}"
                + (f" -> {_squash(_text(ret))}" if ret is not None else "")
            )
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
            body_hash=hashlib.blake2b(node.text, digest_size=8).hexdigest(),
            body_line=body.start_point[0] if body is not None else None,
            is_test=is_test,
        )
        index = self.add_symbol(sym)
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
        self.scope_of_node[node.id] = self.add_scope("class" if is_class else "function", index, scope)

    def test_status(self, name: str, kind: str, owner: int, scope: int, bases: tuple) -> bool:
        if kind == "class":
            base_names = [b[-1] if b[0] == "attr" else b[1] for b in bases if b[0] in ("name", "attr")]
            if any(str(b).endswith("TestCase") for b in base_names):
                return True
            return self.is_test_file and name.startswith("Test") and self.scopes[scope].kind == "module"
        if not name.startswith("test"):
            return False
        if kind == "function":
            return self.is_test_file and self.scopes[scope].kind == "module"
        return self.symbols[owner].is_test  # methods of a test class

    def bind_variable(self, node: ts.Node, name: str, scope: int) -> int | None:
        """First binding of a name in a scope defines a variable symbol."""
        names = self.scopes[scope].names
        if name in names:
            return None
        scope_kind = self.scopes[scope].kind
        if scope_kind in ("lambda", "comprehension"):
            names[name] = ("local",)
            return None
        owner = self.owner_symbol(scope)
        kind = "constant" if scope_kind != "function" and _CONSTANT_NAME.match(name) else "variable"
        span = self.cols.span(node)
        statement = node.parent
        while statement is not None and statement.type in ("pattern_list", "tuple_pattern", "list_pattern"):
            statement = statement.parent
        type_expr = None
        if statement is not None and statement.type == "assignment":
            if statement.child_by_field_name("left") == node:
                annotation = statement.child_by_field_name("type")
                if annotation is not None:
                    type_expr = _annotation_value(annotation)
                else:
                    value = _assigned_value(statement)
                    type_expr = _typevar_bound(value) or expr_of(value)
            stmt_span = self.cols.span(statement)
        else:
            stmt_span = span
            type_expr = _bound_value(node)
        index = self.add_symbol(SymbolFact(
            name=name,
            qualname=f"{self.symbols[owner].qualname}.{name}",
            kind=kind,
            span=stmt_span,
            name_span=span,
            parent=owner,
            type_expr=type_expr,
        ))
        names[name] = ("def", index)
        return index

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
        name = _text(attr_node)
        if name in self.scopes[class_scope].names:
            return
        statement = attr_node.parent.parent if attr_node.parent is not None else None
        type_expr = None
        if statement is not None and statement.type == "assignment":
            annotation = statement.child_by_field_name("type")
            if annotation is not None:
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

    def self_attribute(self, attr_node: ts.Node, receiver, scope: int) -> int | None:
        """The attribute symbol `self.x` (in a method) assigns, if any."""
        class_index = self.class_of_method(scope)
        if class_index is None or receiver is None or receiver[0] != "name":
            return None
        method = self.symbols[self.scopes[scope].symbol]
        if not method.params or "staticmethod" in method.flags or method.params[0][0] != receiver[1]:
            return None
        binding = self.scopes[self.scopes[scope].parent].names.get(_text(attr_node))
        return binding[1] if binding is not None and binding[0] == "def" else None

    def local_value(self, node: ts.Node | None, scope: int):
        """The value of `node`, with parameters replaced by their annotations
        (which other modules could not see)."""
        value = expr_of(node)
        if value is not None and value[0] == "name":
            binding = self.scopes[scope].names.get(value[1])
            if binding is not None and binding[0] == "def":
                sym = self.symbols[binding[1]]
                if sym.kind in ("parameter", "variable") and sym.type_expr is not None:
                    return sym.type_expr
        return value

    def bind_param(self, node: ts.Node, scope: int) -> None:
        name = _text(node)
        names = self.scopes[scope].names
        if self.scopes[scope].kind != "function":
            names[name] = ("local",)
            return
        function = self.symbols[self.scopes[scope].symbol]
        type_expr = None
        holder = node.parent
        while holder is not None and holder.type in ("list_splat_pattern", "dictionary_splat_pattern"):
            holder = holder.parent
        if holder is not None and holder.type in ("typed_parameter", "typed_default_parameter"):
            type_expr = _annotation_value(holder.child_by_field_name("type"))
        flags: tuple[str, ...] = ()
        if function.params and function.params[0][0] == name and function.kind == "method":
            if "staticmethod" not in function.flags:
                flags = ("cls",) if "classmethod" in function.flags or function.name == "__new__" else ("self",)
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
        self.add_ref(ident, RefFact(self.cols.span(ident), _text(ident), "import", scope,
                                    module=(level, module, attr)))

    def module_refs(self, dotted: ts.Node, scope: int, level: int, prefix: str = "") -> str:
        """Import uses for each part of a dotted module name; returns the name."""
        parts: list[str] = []
        for ident in dotted.named_children:
            if ident.type != "identifier":
                continue
            parts.append(_text(ident))
            full = ".".join(p for p in (prefix, ".".join(parts)) if p)
            self.import_ref(ident, scope, level, full, None)
        return ".".join(parts)

    def define_import(self, node: ts.Node, scope: int) -> None:
        # The first binding of a name wins, as for definitions: the first
        # branch of `try: import x / except: import y as x` or of a platform
        # switch is the one readers expect (and the one type checkers pick).
        names = self.scopes[scope].names
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
                    names.setdefault(_text(alias), ("import", dotted, None, 0))
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
                if self.scopes[scope].kind == "module":
                    self.star_imports.append((level, module))
            elif node.field_name_for_child(position) != "name":
                continue
            elif child.type == "dotted_name":
                ident = child.named_children[0] if child.named_children else None
                if ident is None:
                    continue
                name = _text(ident)
                imported.append(name)
                self.import_ref(ident, scope, level, module, name)
                names.setdefault(name, ("import", module, name, level))
            elif child.type == "aliased_import":
                dotted_node = child.child_by_field_name("name")
                alias = child.child_by_field_name("alias")
                if dotted_node is None or alias is None or not dotted_node.named_children:
                    continue
                ident = dotted_node.named_children[0]
                name = _text(ident)
                imported.append(name)
                self.import_ref(ident, scope, level, module, name)
                if alias.text == ident.text:
                    # `import x as x` is the explicit re-export idiom: the alias
                    # names the same thing, so it is a use too.
                    self.import_ref(alias, scope, level, module, name)
                names.setdefault(_text(alias), ("import", module, name, level))
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

        captures = _query_cursor().captures(root)
        # Scope-opening nodes, and the items the sweep visits in order.
        openers: list[tuple[int, int, int, ts.Node]] = []  # (start, end, node.id, node)
        items: list[tuple[int, int, str, ts.Node]] = []  # (start, rank, role, node)
        for cap in ("def.class", "def.function", "scope.lambda", "scope.comprehension"):
            for node in captures.get(cap, ()):
                start, end = _region(node)
                openers.append((start, end, node.id, node))
                items.append((node.start_byte, -3, cap, node))
        for cap in ("import.plain", "import.from", "import.future"):
            for node in captures.get(cap, ()):
                items.append((node.start_byte, -2, cap, node))
        for node in captures.get("return.value", ()):
            items.append((node.start_byte, -1, "return.value", node))
        for node in captures.get("with.item", ()):
            items.append((node.start_byte, -1, "with.item", node))
        for node in captures.get("annotation.string", ()):
            items.append((node.start_byte, -1, "annotation.string", node))
        for node in captures.get("bind.global", ()):
            items.append((node.start_byte, -1, "bind.global", node))
        for node in captures.get("bind.nonlocal", ()):
            items.append((node.start_byte, -1, "bind.nonlocal", node))
        best: dict[int, tuple[int, str, ts.Node]] = {}
        for role, rank in _RANK.items():
            for node in captures.get(role, ()):
                key = node.start_byte
                held = best.get(key)
                if held is None or rank < held[0]:
                    best[key] = (rank, role, node)
        items.extend((start, rank, role, node) for start, (rank, role, node) in best.items())
        items.sort(key=lambda item: (item[0], item[1]))
        openers.sort(key=lambda o: o[0])
        annotations = sorted((n.start_byte, n.end_byte) for n in captures.get("annotation", ()))

        self.narrowing = _narrowing_regions(captures)
        stack: list[tuple[int, int]] = [(len(source) + 1, 0)]  # (end_byte, scope)
        ann_stack: list[int] = []
        next_opener = next_ann = 0
        for start, _rank, role, node in items:
            while next_opener < len(openers) and openers[next_opener][0] <= start:
                o_start, o_end, o_id, o_node = openers[next_opener]
                next_opener += 1
                while stack[-1][0] <= o_start:
                    stack.pop()
                scope_index = self.scope_of_node.get(o_id)
                if scope_index is None:  # lambda or comprehension: anonymous scope
                    kind = "lambda" if o_node.type == "lambda" else "comprehension"
                    scope_index = self.add_scope(kind, -1, stack[-1][1])
                    self.scope_of_node[o_id] = scope_index
                stack.append((o_end, scope_index))
            while stack[-1][0] <= start:
                stack.pop()
            while next_ann < len(annotations) and annotations[next_ann][0] <= start:
                ann_stack.append(annotations[next_ann][1])
                next_ann += 1
            while ann_stack and ann_stack[-1] <= start:
                ann_stack.pop()
            scope = stack[-1][1]
            if role in ("def.class", "def.function"):
                self.define_def(node, scope)
            elif role.startswith("scope."):
                continue  # opened when its region starts
            elif role.startswith("import."):
                self.define_import(node, scope)
            elif role == "return.value":
                self.infer_return(node, scope)
            elif role == "with.item":
                self.add_with_item(node, scope)
            elif role == "annotation.string":
                if ann_stack and node.start_point[0] == node.end_point[0]:
                    self.add_string_annotation(node, scope)
            elif role == "bind.global":
                self.scopes[scope].names[_text(node)] = ("global",)
            elif role == "bind.nonlocal":
                self.scopes[scope].names[_text(node)] = ("nonlocal",)
            elif role == "bind.param":
                self.bind_param(node, scope)
            elif role == "ref.compvar":
                # No symbol, but what it holds is known: ("local", value).
                self.scopes[scope].names[_text(node)] = ("local", _bound_value(node))
            elif role == "ref.keyword":
                call = node.parent.parent.parent if node.parent and node.parent.parent else None
                callee = expr_of(call.child_by_field_name("function")) if call is not None and call.type == "call" else None
                if callee is not None:
                    self.add_ref(node, RefFact(self.cols.span(node), _text(node), "keyword", scope, call=callee))
            elif role.startswith("ref."):
                self.add_use(node, role, scope, bool(ann_stack))
        self.add_string_refs(root)
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

    def infer_return(self, value: ts.Node, scope: int) -> None:
        """An unannotated function returns (or a fixture yields) what its first
        evaluable `return`/`yield` gives: ("=", expr)."""
        if self.scopes[scope].kind != "function":
            return
        function = self.symbols[self.scopes[scope].symbol]
        if function.returns is not None:
            return
        expr = self.local_value(value, scope)
        if expr is not None:
            function.returns = ("=", expr)

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
        for dunder in ("__enter__", "__exit__"):
            self.add_ref(keyword, RefFact(self.cols.span(keyword), dunder, "implicit", scope, receiver=receiver))

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
            name = _text(content)
            if re.fullmatch(r"[A-Za-z_]\w*", name):
                self.refs.append(RefFact(self.cols.span(content), name, "read", 0))
                self.ref_starts.append(content.start_byte)
        for stmt in root.named_children:
            if stmt.type != "expression_statement" or not stmt.named_children:
                continue
            assign = stmt.named_children[0]
            if assign.type != "assignment":
                continue
            bound = _typevar_call(assign.child_by_field_name("right"))
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
        self.headers_owner(start, ref)
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
        if len(positional) < 2 or positional[1].type != "string":
            return
        content = [c for c in positional[1].named_children if c.type == "string_content"]
        if len(content) != 1 or not re.fullmatch(rb"[A-Za-z_]\w*", content[0].text):
            return
        receiver = expr_of(positional[0])
        if receiver is None:
            return
        outer = call.parent
        kind = "call" if outer is not None and outer.type == "call" and outer.child_by_field_name("function") == call else "read"
        self.add_ref(content[0], RefFact(self.cols.span(content[0]), _text(content[0]), kind, scope,
                                         receiver=receiver, flow="getattr"))

    def add_use(self, node: ts.Node, role: str, scope: int, in_annotation: bool) -> None:
        name = _text(node)
        kind = _REF_KIND[role]
        if role.endswith(".attr") or role == "ref.attribute":
            attribute = node.parent
            receiver = expr_of(attribute.child_by_field_name("object")) if attribute is not None else None
            if kind == "write":
                self.bind_self_attribute(node, receiver, scope)
                owner = self.self_attribute(node, receiver, scope)
                if owner is not None:
                    self.flow_into(attribute, scope, owner, "stored")
            if in_annotation:
                kind = "annotation"
            self.add_ref(node, RefFact(self.cols.span(node), name, kind, scope, receiver=receiver))
            return
        if kind == "write":
            index = self.bind_variable(node, name, scope)
            if self.scopes[scope].kind in ("module", "class"):
                binding = self.scopes[scope].names.get(name)
                self.flow_into(node, scope, binding[1] if binding and binding[0] == "def" else None)
            if index is not None:
                return  # the defining assignment is the declaration, not a use
        elif in_annotation:
            kind = "annotation"
        self.add_ref(node, RefFact(self.cols.span(node), name, kind, scope))
        if name == "getattr" and kind == "call":
            self.add_getattr(node, scope)


@lru_cache(maxsize=1)
def _query_cursor_factory():
    return _query()


def _query_cursor() -> ts.QueryCursor:
    return ts.QueryCursor(_query_cursor_factory())


_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_LONE_CR = re.compile(rb"\r(?!\n)")
_TOP_LEVEL_DEF = re.compile(rb"^(?:async[ \t]+def|def|class|@)[ \t]", re.MULTILINE)
_RECOVERY_ROUNDS = 4


def normalize_source(raw: bytes) -> bytes:
    """The bytes tree-sitter should see, as an editor shows the file: a
    UTF-8 BOM dropped, a PEP 263 coding cookie honoured (re-encoded to
    UTF-8), and old-Mac lone CRs counted as line breaks (same length, so
    positions are unchanged)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    head = raw.split(b"\n", 2)[:2]
    for line in head:
        match = _CODING_COOKIE.match(line)
        if match:
            codec = match.group(1).decode("ascii", "replace").lower()
            if codec.replace("_", "-") not in ("utf-8", "utf8"):
                try:
                    raw = raw.decode(codec).encode("utf-8")
                except (LookupError, UnicodeError):
                    pass  # keep the bytes; the file is still indexed as UTF-8
            break
    if b"\r" in raw:
        raw = _LONE_CR.sub(b"\n", raw)
    return raw


def _recover(source: bytes, tree: ts.Tree) -> bytes | None:
    """Mid-edit text such as `value = a(1,` swallows the definitions after it
    into one error node. Blank the broken statement up to the next top-level
    `def`/`class`/decorator line (offsets unchanged) so they parse again."""
    for child in tree.root_node.children:
        if not (child.is_error or child.has_error) or child.start_point[0] == child.end_point[0]:
            continue
        first_line_end = source.find(b"\n", child.start_byte)
        match = _TOP_LEVEL_DEF.search(source, first_line_end + 1 if first_line_end >= 0 else child.end_byte, child.end_byte)
        if match is None:
            continue
        blanked = bytes(b if b in (10, 13) else 32 for b in source[child.start_byte:match.start()])
        return source[:child.start_byte] + blanked + source[match.start():]
    return None


def extract(source: bytes, rel_path: str, module: str, is_package: bool = False) -> FileFacts:
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
    facts = _Extractor(source, rel_path, module, is_package).run(tree)
    if errors:
        facts.errors = errors + [e for e in facts.errors if e not in errors]
    return facts
