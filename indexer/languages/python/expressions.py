"""Python expressions: tree-sitter nodes -> the resolver's `Expr` tuples, and
the small readers of values around them (docstrings, `__all__`, decorators,
parameters, value positions, isinstance narrowing)."""

from __future__ import annotations

import ast
import inspect
import re

import tree_sitter as ts

from indexer.languages.python import dispatch
from indexer.languages.python.syntax import _squash, _text
from indexer.graph.vocab import RefKind
from indexer.graph import python_ast


_MAX_DOCSTRING = 4000
_OPERATORS = frozenset(("binary_operator", "unary_operator", "comparison_operator"))


_LITERALS = {
    "integer": "int", "float": "float", "true": "bool", "false": "bool", "concatenated_string": "str",
    "list": "list", "list_comprehension": "list", "dictionary": "dict", "dictionary_comprehension": "dict",
    "set": "set", "set_comprehension": "set", "tuple": "tuple",
}


# A comprehension of calls is a collection of what the call gives (`[Row(x)
# for x in xs]`, `tuple(weekday(x) for x in range(7))`: ("listof", element,
# builtin)), iterated and indexed as a `list[Row]` annotation is; and names
# unpacked from a value hold its elements (`MO, TU, ... = tuple(weekday(x)
# for x ...)`, extract.py `bind_variable`): dateutil's `MO(+1)` runs
# weekday.__call__ (switch, for its test).
COMPREHENSION_VALUES = True
_ELEMENTWISE = frozenset(("list_comprehension", "set_comprehension", "generator_expression"))
_COLLECTING = frozenset((b"list", b"tuple", b"set", b"frozenset", b"sorted"))


# `partial(C, ...)` / `functools.partial(C, ...)` evaluates to a callable
# whose call gives what calling C gives (a switch, for its test). Off, a
# fixture returning `partial(Signer, secret_key=...)` gave its tests' `signer`
# no type, and their `signer.sign(...)` calls fell to name matching.
# Measured (depth 8, default selection): itsdangerous, never tuned on,
# 0.115 / 0.841 -> 0.166 / 0.810 (the sixteen, with the other rules of
# this change: attrs +6 predicted, +2 true; the other fifteen identical).
PARTIAL_VALUES = True
_PARTIAL_CALLEES = frozenset({b"partial", b"functools.partial"})


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
    if kind == RefKind.CALL:
        func = node.child_by_field_name("function")
        callee = func.text if func is not None else None  # (read once: each `.text` copies the bytes)
        if func is not None and func.type == "identifier" and callee == b"super":
            return ("super",)
        if callee in (b"cast", b"typing.cast", b"t.cast"):
            # typing.cast(T, x) is a T (the first argument is a type, maybe a string).
            args = node.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            inner = expr_of(first, depth + 1, True)
            return ("call", inner) if inner else None
        if RAISES_INFO and callee is not None and callee.endswith(b"raises"):
            raised = raises_called(node)
            if raised is not None:
                return raised
        if PARTIAL_VALUES and callee in _PARTIAL_CALLEES:
            # `partial(C, k=v)` is a callable that, called, calls C: a fixture
            # returning it hands its tests Cs (`signer_factory()` is a Signer).
            args = node.child_by_field_name("arguments")
            named = [a for a in args.named_children if a.type != "comment"] if args is not None else []
            if named and named[0].type not in ("keyword_argument", "list_splat", "dictionary_splat"):
                inner = expr_of(named[0], depth + 1, in_annotation)
                return ("partialof", inner) if inner else None
        if func is not None and func.type == "identifier" and callee == b"type":
            # type(x) is x's class: `type(self)(...)` constructs self's class.
            args = node.child_by_field_name("arguments")
            named = [a for a in args.named_children if a.type != "comment"] if args is not None else []
            if len(named) == 1 and named[0].type not in ("keyword_argument", "list_splat", "dictionary_splat"):
                inner = expr_of(named[0], depth + 1, in_annotation)
                return ("typeof", inner) if inner else None
            if TYPE_BUILT and len(named) == 3 and named[1].type == "tuple" and named[1].named_children:
                # type(name, (Base,), ns) builds a subclass of Base: taken as Base,
                # whose __init__ and methods its instances run (structlog's
                # `_make_filtering_bound_logger`).
                return expr_of(named[1].named_children[0], depth + 1, in_annotation)
        if COMPREHENSION_VALUES and not in_annotation and func is not None and func.type == "identifier" \
                and callee in _COLLECTING:
            # `tuple(weekday(x) for x in range(7))`: a tuple of weekdays
            # (`f(x for x in y)`: the generator is the arguments node itself)
            args = node.child_by_field_name("arguments")
            named = [a for a in args.named_children if a.type != "comment"] if args is not None else []
            source = args if args is not None and args.type in _ELEMENTWISE else named[0] if len(named) == 1 else None
            inner = expr_of(source, depth + 1) if source is not None and source.type in _ELEMENTWISE else None
            if inner is not None and inner[0] == "listof":
                return ("listof", inner[1], callee.decode())
        inner = expr_of(func, depth + 1, in_annotation)
        return ("call", inner) if inner else None
    if kind in ("parenthesized_expression", "await", "type"):
        named = node.named_children
        return expr_of(named[0], depth + 1, in_annotation or node.type == "type") if named else None
    if kind in ("subscript", "generic_type"):
        value = node.child_by_field_name("value") or (node.named_children[0] if node.named_children else None)
        args = [c for c in node.named_children[1:]]
        if len(args) == 1 and args[0].type == "type_parameter":
            # `Callable[[A], R]` in an annotation: the parameter holds each argument.
            args = args[0].named_children
        first = expr_of(args[0], depth + 1, in_annotation) if args else None
        listed = args[0].named_children[0] if args and args[0].type == "type" and args[0].named_children else \
            (args[0] if args else None)
        if listed is not None and listed.type == "list" and value is not None and value.text.endswith(b"Callable"):
            # `Callable[[A, B], R]`: ("args", A, B), what its callbacks get (extract.CALLBACK_PARAMS)
            first = ("args", *(expr_of(item, depth + 1, True) for item in listed.named_children))
        last = expr_of(args[-1], depth + 1, in_annotation) if len(args) > 1 else first
        # First argument: Optional[X], List[X]; last: Callable[[...], R].
        return ("sub", expr_of(value, depth + 1, in_annotation), first, last)
    if kind == "type_parameter":
        named = node.named_children
        return expr_of(named[0], depth + 1, in_annotation) if named else None
    if kind == "boolean_operator" and OR_VALUES and not in_annotation \
            and node.child_by_field_name("operator") is not None and node.child_by_field_name("operator").type == "or":
        # `self._wrapper_class or _CONFIG.default_wrapper_class`: either side,
        # the resolver's "alt" preferring a workspace value (structlog's bind).
        options = [e for e in (expr_of(node.child_by_field_name("left"), depth + 1),
                               expr_of(node.child_by_field_name("right"), depth + 1)) if e is not None]
        return options[0] if len(options) == 1 else ("alt", *options) if options else None
    if kind == "binary_operator" and in_annotation:  # X | None: keep the non-None side
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if right is not None and right.text == b"None":
            return expr_of(left, depth + 1, in_annotation)
        if left is not None and left.text == b"None":
            return expr_of(right, depth + 1, in_annotation)
        return expr_of(left, depth + 1, in_annotation)
    if not in_annotation and dispatch.OPERATOR_VALUES and kind in _OPERATORS:
        found = dispatch.operator_dunder(node)  # `a + b`: what a.__add__ returns
        inner = expr_of(found[0], depth + 1) if found is not None and found[0] is not None else None
        return ("op", inner, found[1]) if inner is not None else None
    if kind == "dictionary" and DICT_VALUES and not in_annotation:
        # `{CRITICAL: AtCritical, ERROR: AtError}`: a dict of names, whose
        # item `LEVELS[level]` the resolver takes as the first value (still
        # a dict for everything else). structlog's make_filtering_bound_logger.
        values = [pair.child_by_field_name("value") for pair in node.named_children if pair.type == "pair"]
        if values and len(values) == len(node.named_children) \
                and all(v is not None and v.type in ("identifier", "attribute") for v in values):
            first = expr_of(values[0], depth + 1)
            if first is not None:
                return ("dictof", first)
    if COMPREHENSION_VALUES and not in_annotation and kind in _ELEMENTWISE:
        # `[Row(x) for x in xs]`, `(weekday(x) for x in range(7))`: a list of Rows
        element = expr_of(node.named_children[0], depth + 1) if node.named_children else None
        if element is not None and element[0] == "call":
            return ("listof", element, _LITERALS.get(kind, "list"))
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


# `x: Any = value`, `x: Callable[..., R] = value` say less than the value:
# the value types the name (switch, for its test). Off, structlog's
# `default_wrapper_class: Any = _BUILTIN_DEFAULT_WRAPPER_CLASS` held an Any.
LOOSE_ANNOTATIONS = True
# `type(name, (Base,), namespace)` evaluates to Base (switch, for its test).
TYPE_BUILT = True
# A dict literal of names keeps its first value for its items (switch, for its test).
DICT_VALUES = True
# `a or b` is either (switch, for its test).
OR_VALUES = True
_LOOSE = frozenset({"Any", "object", "Callable"})
# ... and so do the library's container protocols: jinja2's
# `_lexer_cache: t.MutableMapping[t.Tuple, "Lexer"] = LRUCache(50)` holds an
# LRUCache, whose `get` the lexer calls (switch, for its test; extract.py
# ABSTRACT_RETURNS is the same for return annotations).
ABSTRACT_ANNOTATIONS = True
PROTOCOL_ANNOTATIONS = frozenset(("Mapping", "MutableMapping", "Sequence", "MutableSequence", "Iterable", "Iterator",
                        "Collection", "Container", "AbstractSet", "MutableSet", "Sized", "Hashable", "Reversible"))


def _bare_qualifier(type_node: ts.Node | None) -> bool:
    """`x: Final = value` (or ClassVar) with no type argument says nothing of
    the type: the value does (pluggy's `self.hook: Final = HookRelay()`);
    nor do `Any`, `object` and `Callable[...]` (LOOSE_ANNOTATIONS)."""
    if type_node is None:
        return False
    text = type_node.text.decode("utf-8", "replace").strip() if type_node.text else ""
    head = text.split("[", 1)[0].strip().rsplit(".", 1)[-1]  # (`Callable[..., R]`: the dots are no path)
    if LOOSE_ANNOTATIONS and head in _LOOSE and "|" not in text:
        return True
    if ABSTRACT_ANNOTATIONS and head in PROTOCOL_ANNOTATIONS and "|" not in text:
        return True
    return text.rsplit(".", 1)[-1] in ("Final", "ClassVar")


# `except ParseException as exc:` binds exc to an instance of the caught
# class (`except (A, B) as e`: of A, the first one the resolver can place),
# so `str(exc)`, `exc.lineno` resolve instead of falling to name matching.
# A name two clauses bind keeps no type (extract.py `caught`). Depth 8,
# default selection, PYTHONHASHSEED=0, against the same code without it:
# voluptuous +6 true / +121 false pairs (0.880 / 0.680 -> 0.884 / 0.647),
# packaging +23 / +32 (0.865 / 0.643 -> 0.873 / 0.640); the other thirteen
# identical (click lost 765 true pairs before the two-clause rule);
# pyparsing +72 true / 0 false (with the other rules of this change).
EXCEPT_TYPES = True


def _bound_value(target: ts.Node):
    """What a name bound by `for x in xs`, `with cm as x` or `except T as x`
    holds, as an expression: ("iter", xs) is an element of xs; a context
    manager is taken to return itself from __enter__ (files, locks, most
    library types); a caught exception is an instance of its class."""
    holder = target.parent
    if holder is None:
        return None
    if holder.type in ("for_statement", "for_in_clause") and holder.child_by_field_name("left") == target:
        iterable = expr_of(holder.child_by_field_name("right"))
        return ("iter", iterable) if iterable else None
    if holder.type == "as_pattern_target" and holder.parent is not None and holder.parent.type == "as_pattern":
        pattern = holder.parent
        if pattern.parent is not None and pattern.parent.type == "with_item" and pattern.named_children:
            raised = raises_info(pattern.named_children[0]) if RAISES_INFO else None
            return raised or expr_of(pattern.named_children[0])
        if EXCEPT_TYPES and pattern.parent is not None and pattern.parent.type in _EXCEPT_CLAUSES \
                and pattern.named_children:
            return _caught(pattern.named_children[0])
    return None


_EXCEPT_CLAUSES = frozenset(("except_clause", "except_group_clause"))

# `with pytest.raises(E) as info:` binds an ExceptionInfo whose `.value` is
# the E raised; unittest's `with self.assertRaises(E) as cm:` one whose
# `.exception` is. Tests read them (`str(info.value)`, `cm.exception.code`),
# so what they run on E resolves instead of falling to name matching (switch,
# for its test). A `match=` (and `assertRaisesRegex`) runs `str()` of it:
# `raises_match`.
RAISES_INFO = True
# The checking calls, by their last dotted part: the attribute the bound info
# holds the exception in, and whether the call matches its message.
_RAISES = {b"raises": ("value", False), b"assertRaises": ("exception", False),
           b"assertRaisesRegex": ("exception", True), b"assertRaisesRegexp": ("exception", True)}


def _raises_call(node: ts.Node):
    """(the checking call's arguments, its `_RAISES` entry) for a call of
    `pytest.raises`, `raises` or `self.assertRaises*`; None for any other."""
    if node is None or node.type != "call":
        return None
    function = node.child_by_field_name("function")
    if function is None or function.type not in ("identifier", "attribute"):
        return None
    name = (function.child_by_field_name("attribute") if function.type == "attribute" else function)
    entry = _RAISES.get(name.text) if name is not None else None
    if entry is None:
        return None
    arguments = node.child_by_field_name("arguments")
    return (arguments, entry) if arguments is not None else None


def _raised_class(arguments: ts.Node):
    """The class expression of the checking call's first argument (of a
    tuple, its first class): None when it is not a name or dotted name."""
    first = next((a for a in arguments.named_children if a.type != "comment"), None)
    if first is None or first.type == "keyword_argument":
        return None
    if first.type == "parenthesized_expression" and first.named_children:
        first = first.named_children[0]
    if first.type == "tuple" and first.named_children:
        first = first.named_children[0]
    inner = expr_of(first)
    return inner if inner is not None and inner[0] in ("name", "attr") else None


def raises_info(node: ts.Node):
    """("raised", class expression, attribute) for `pytest.raises(E)` and
    `self.assertRaises(E)` (RAISES_INFO), else None."""
    found = _raises_call(node)
    if found is None:
        return None
    cls = _raised_class(found[0])
    return ("raised", cls, found[1][0]) if cls is not None else None


def raises_called(node: ts.Node):
    """("raised", E, "value") for the call form `pytest.raises(E, f, *args)`,
    which calls f at once and returns the ExceptionInfo (typeguard's
    `pytest.raises(TypeCheckError, check_type, 4, AnyStr).match(...)`)."""
    raised = raises_info(node)
    if raised is None or raised[2] != "value":  # (`assertRaises(E, f)` returns None)
        return None
    args = [a for a in node.child_by_field_name("arguments").named_children if a.type != "comment"]
    return raised if len(args) > 1 and args[1].type not in ("keyword_argument", "list_splat", "dictionary_splat") \
        else None


def raises_match(node: ts.Node):
    """The class expression of `pytest.raises(E, match=...)` and
    `assertRaisesRegex(E, ...)`: matching runs `str()` of the E raised."""
    if not RAISES_INFO:
        return None
    found = _raises_call(node)
    if found is None:
        return None
    arguments, (_attribute, regex) = found
    matches = regex or any(a.type == "keyword_argument" and a.child_by_field_name("name") is not None
                           and a.child_by_field_name("name").text == b"match" for a in arguments.named_children)
    return _raised_class(arguments) if matches else None


def _caught(node: ts.Node):
    """An instance of the class an `except` clause names: ("call", T), or for
    a tuple ("alt", ("call", A), ("call", B)...), of which the resolver takes
    a workspace class (its last; `except (ValueError, ParseException)`)."""
    if node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[0]
    if node.type != "tuple":
        inner = expr_of(node)
        return ("call", inner) if inner is not None and inner[0] in ("name", "attr") else None
    options = tuple(("call", e) for e in map(expr_of, node.named_children) if e is not None and e[0] in ("name", "attr"))
    if not options:
        return None
    return options[0] if len(options) == 1 else ("alt", *options)


def _plain_literal(raw: str) -> str | None:
    """The value of a string literal with no prefix, escape or carriage
    return: its text between the quotes (what `ast.literal_eval` gives, a
    compile less; most docstrings)."""
    if "\\" in raw or "\r" in raw or "\0" in raw:
        return None
    for quote in ('"""', "'''", '"', "'"):
        if raw.startswith(quote):
            inner = raw[len(quote):len(raw) - len(quote)]
            closed = len(raw) >= 2 * len(quote) and raw.endswith(quote) and quote not in inner
            plain = "\n" not in inner if len(quote) == 1 else not inner.endswith(quote[0])
            return inner if closed and plain else None
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
                value = _plain_literal(raw)
                if value is None:
                    try:
                        value = python_ast.literal_eval(raw)
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
