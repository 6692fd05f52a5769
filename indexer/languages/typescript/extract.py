"""One sweep over the query captures of a TypeScript/JavaScript file, in
document order, with a stack of open scopes: symbols, scopes with their
bindings, every use with its kind and receiver, imports and exports (ES and
CommonJS), test blocks (vitest/jest `describe`/`it`/`test`). Never raises on
bad input: a file mid-edit yields what its tree still holds.

Bindings in `ScopeFact.names`: ("def", symbol index) | ("import", specifier,
name) where name is an export name, "default", "*" (namespace) or "="
(CommonJS `module.exports`) | ("val", Expr or None) for locals and
parameters (the Expr says what the value is).

Exprs: ("name", x) | ("attr", Expr, y) | ("call", Expr) | ("new", Expr)
| ("type", Expr) (an instance of the type) | ("this", class qualname)
| ("super", class qualname) | ("require", specifier)
| ("arg", callee Expr, position) (an instance of the callee's declared
parameter type) | ("union", (Expr, ...)) (the named parts of a union or
intersection type; ("inline",) for an inline object type among them)
| ("self_module",) (the file's own module: a `namespace` name)
| ("array", Expr) (an array of the type) | ("index", Expr) (an element of
an array value) | ("fn", (param type Expr or None, ...), return type Expr
or None) (a function type) | ("obj", ((name, Expr or None), ...)) (a
parameter's inline object type, whose properties no symbol holds)
| ("generic", Expr, (type argument Expr or None, ...)) (`F<A, B>`: a type
alias's type parameters stand for them) | ("qual", qualname) (a symbol
named from inside a function body) | ("disc", Expr, ((key, literal), ...))
(an object literal's type: the union parts whose literal-typed members
agree with its literal values) | ("ret", Expr) (what a call of the function
value Expr returns: the type a function expression's `return` gets from
where the function stands)
| ("cb", Expr, k) (parameter k of the function type Expr: a callback's
parameter typed by where the callback stands).
"""

from __future__ import annotations

import logging
import re

import tree_sitter as ts

from indexer.languages.base import FileFacts, ImportFact, RefFact, ScopeFact, SymbolFact
from indexer.languages.typescript import merging, syntax
from indexer.languages.typescript.facts import TsFacts
from indexer.languages.typescript.syntax import string_value, text
from indexer.graph.vocab import SymbolKind

log = logging.getLogger(__name__)

NAME = "typescript"
TEST_FUNCS = frozenset({"it", "test"})
SUITE_FUNCS = frozenset({"describe", "suite", "context"})
TEST_MODIFIERS = frozenset({"only", "skip", "concurrent", "todo", "fails", "sequential"})
_FUNCTION_VALUES = frozenset({"arrow_function", "function_expression", "function", "generator_function"})
_CLASS_VALUES = frozenset({"class"})
_WRAPPERS = frozenset({"parenthesized_expression", "await_expression", "non_null_expression", "satisfies_expression"})
_JSX_NAMES = frozenset({"jsx_opening_element", "jsx_closing_element", "jsx_self_closing_element"})
_DECLARATION_NAMES = frozenset({
    "class_declaration", "abstract_class_declaration", "class", "interface_declaration", "type_alias_declaration",
    "enum_declaration", "function_declaration", "generator_function_declaration", "function_expression",
    "method_definition", "type_parameter", "internal_module", "module", "function_signature",
})
_IGNORED_PARENTS = frozenset({"labeled_statement", "break_statement", "continue_statement", "import_specifier",
                              "namespace_import", "import_clause", "export_specifier", "namespace_export",
                              "import_require_clause"})
# utility types whose members are their first argument's
# (Promise<T> too: what `await` and an async function's `return` see is T)
_SAME_MEMBERS = frozenset({"Pick", "Omit", "Partial", "Required", "Readonly", "NonNullable", "Promise", "PromiseLike",
                           "Awaited"})
_SAFE_NAME = re.compile(r"[.\s]+")
_DOC_LINK = re.compile(rb"\{@link(?:code|plain)?\s+([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)")


def qualpart(name: str) -> str:
    """A name as one part of a dotted qualname (test titles hold dots and spaces)."""
    return _SAFE_NAME.sub("_", name.strip()) or "_"


def expr_of(node: ts.Node | None, this_class: str | None = None, inline=None):
    """The resolver's Expr for a value or type node (None when it has none).
    `inline`: what an inline object type inside a function type stands for
    (the type alias that holds its properties as members)."""
    while node is not None and node.type in _WRAPPERS:
        node = node.named_children[0] if node.named_children else None
    if node is None:
        return None
    t = node.type
    if t in ("identifier", "type_identifier", "shorthand_property_identifier", "property_identifier"):
        return ("name", text(node))
    if t == "this":  # outside a class: what a `this:` parameter declares, if any
        return ("this", this_class) if this_class else ("name", "this")
    if t == "super":
        return ("super", this_class) if this_class else None
    if t == "member_expression":
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        inner = expr_of(obj, this_class)
        return ("attr", inner, text(prop)) if inner and prop is not None else None
    if t == "nested_type_identifier":
        inner = expr_of(node.child_by_field_name("module"), this_class)
        name = node.child_by_field_name("name")
        return ("attr", inner, text(name)) if inner and name is not None else None
    if t == "call_expression":
        fn = node.child_by_field_name("function")
        if fn is not None and fn.type == "identifier" and text(fn) == "require":
            spec = _first_string_arg(node)
            return ("require", spec) if spec is not None else None
        inner = expr_of(fn, this_class)
        return ("call", inner) if inner else None
    if t == "subscript_expression":  # `xs[i]`: an element, when xs is an array
        inner = expr_of(node.child_by_field_name("object"), this_class)
        return ("index", inner) if inner else None
    if t == "new_expression":
        inner = expr_of(node.child_by_field_name("constructor"), this_class)
        return ("new", inner) if inner else None
    if t in ("as_expression", "type_assertion"):
        kids = node.named_children
        typ = kids[-1] if t == "as_expression" else kids[0]
        inner = expr_of(typ, this_class)
        return ("type", inner) if inner else None
    if t in ("generic_type",):
        name = node.child_by_field_name("name")
        args = node.child_by_field_name("type_arguments")
        if text(name) in _SAME_MEMBERS and args is not None and args.named_children:
            return expr_of(args.named_children[0], this_class)  # Pick<T, "a">: T's members
        if text(name) in ("Array", "ReadonlyArray") and args is not None and args.named_children:
            inner = expr_of(args.named_children[0], this_class)
            return ("array", inner) if inner else None
        inner = expr_of(name, this_class)
        if inner and args is not None and args.named_children:  # `F<A, B>`: an alias instantiates with them
            return ("generic", inner, tuple(expr_of(a, this_class, inline) for a in args.named_children))
        return inner
    if t == "array_type" or t == "readonly_type":
        inner = expr_of(node.named_children[0] if node.named_children else None, this_class)
        return ("array", inner) if inner and t == "array_type" else inner
    if t == "function_type":  # `(a: A, b: B) => R`: its parameters (for callbacks) and what a call returns
        params = node.child_by_field_name("parameters")
        kids = [p for p in params.named_children if p.type != "comment" and not _is_this_param(p)] \
            if params is not None else []
        return ("fn", tuple(type_expr(p.child_by_field_name("type"), this_class)
                            if p.child_by_field_name("type") is not None else None for p in kids),
                type_expr(node.child_by_field_name("return_type"), this_class, inline))
    if t == "object_type" and inline is not None:
        return inline
    if t == "parenthesized_type":
        return expr_of(node.named_children[0] if node.named_children else None, this_class)
    if t in ("union_type", "intersection_type"):
        parts = []
        for child in node.named_children:
            # an inline `{ ... }` part: its properties belong to the alias that holds it
            part = (inline if inline and inline[0] == "members" else ("inline",)) if child.type == "object_type" \
                else expr_of(child, this_class, inline if inline and inline[0] == "members" else None)
            if part and part[0] == "union":
                parts.extend(p for p in part[1] if p not in parts)
            elif part and part not in parts:
                parts.append(part)
        return (parts[0] if len(parts) == 1 and parts[0] != ("inline",) else ("union", tuple(parts))) if parts else None
    if t == "type_annotation":
        return expr_of(node.named_children[0] if node.named_children else None, this_class)
    return None


def type_expr(node: ts.Node | None, this_class: str | None = None, inline=None):
    """("type", T) for a type annotation node, None when it names no type."""
    inner = expr_of(node, this_class, inline)
    return ("type", inner) if inner else None


def literal_of(node: ts.Node | None) -> str | None:
    """The value a literal (or single literal type) spells: `'a'` -> "a",
    `true` -> "true", `1` -> "1"; None for anything else."""
    while node is not None and node.type in ("type_annotation", "literal_type") and node.named_children:
        node = node.named_children[0]
    if node is None:
        return None
    if node.type == "string":
        return string_value(node)
    return text(node) if node.type in ("true", "false", "number") else None


def _first_string_arg(call: ts.Node) -> str | None:
    args = call.child_by_field_name("arguments")
    if args is None or not args.named_children:
        return None
    return string_value(args.named_children[0])


def _require_spec(node: ts.Node | None) -> str | None:
    if node is not None and node.type == "call_expression":
        fn = node.child_by_field_name("function")
        if fn is not None and fn.type == "identifier" and text(fn) == "require":
            return _first_string_arg(node)
    return None


def _is_module_exports(node: ts.Node | None) -> bool:
    return (node is not None and node.type == "member_expression"
            and text(node.child_by_field_name("object")) == "module"
            and text(node.child_by_field_name("property")) == "exports")


def _exports_member(node: ts.Node) -> str | None:
    """`exports.x` or `module.exports.x` -> "x"."""
    if node.type != "member_expression":
        return None
    obj = node.child_by_field_name("object")
    if obj is None or not (text(obj) == "exports" and obj.type == "identifier" or _is_module_exports(obj)):
        return None
    return text(node.child_by_field_name("property")) or None


# declarations whose type parameters a use's type arguments bind (`F<A>`, `I<A>`, `C<A>`)
_GENERIC_KINDS = frozenset({SymbolKind.TYPE_ALIAS, SymbolKind.INTERFACE, SymbolKind.CLASS})
_GENERIC_DECLARATIONS = frozenset({"type_alias_declaration", "interface_declaration", "class_declaration",
                                   "abstract_class_declaration"})


_OPAQUE = ("opaque",)  # a receiver no rule evaluates


def _is_this_param(param: ts.Node) -> bool:
    """`this: T` declares what `this` is, no position an argument takes."""
    pattern = param.child_by_field_name("pattern")
    return pattern is not None and pattern.type == "this"


def _in_type_parameters(node: ts.Node) -> bool:
    """Whether a property sits in an inline object type of a type parameter's
    constraint or default (`I<T = { a: A }>`): no member of the declaration."""
    node = node.parent
    while node is not None and node.type not in _MEMBER_HOMES:
        if node.type == "type_parameters":
            return True
        node = node.parent
    return False


_MEMBER_HOMES = frozenset({"interface_body", "class_body", "type_alias_declaration", "program"})


class _Sweep:
    def __init__(self, source: bytes, rel_path: str, module: str, dialect: str):
        self.columns = syntax.Columns(source)
        self.rel_path, self.module, self.dialect = rel_path, module, dialect
        self.symbols: list[SymbolFact] = []
        self.scopes: list[ScopeFact] = [ScopeFact("module", 0, -1)]
        self.refs: list[RefFact] = []
        self.imports: list[ImportFact] = []
        self.extra = TsFacts(dialect=dialect)
        self.skip: set[int] = set()  # node ids of names that declare, not use
        self.kinds: dict[int, str] = {}  # node id -> ref kind override (inherit)
        self.pending: dict[int, int] = {}  # value node id -> the symbol it defines
        self.objects: dict[int, int] = {}  # object literal node id -> the symbol its members belong to
        self.members: dict[tuple[int, str], int] = {}  # (class symbol, name) -> member symbol
        self.contexts: dict[int, object] = {}  # function scope -> the function type it gets from where it stands
        self.declared: dict[int, object] = {}  # anonymous function scope -> its declared return type
        self.inferred: set[int] = set()  # symbols whose `returns` is inferred from a `return`, not declared
        self.no_inference: set[int] = set()  # generators: what `return` gives is not what a call returns
        # open scopes: (end byte, scope index, owner symbol, class symbol for `this`)
        self.stack: list[tuple[int, int, int, int]] = [(1 << 62, 0, 0, -1)]

    # -- helpers ---------------------------------------------------------------
    @property
    def scope(self) -> int:
        return self.stack[-1][1]

    @property
    def owner(self) -> int:
        return self.stack[-1][2]

    @property
    def this_class(self) -> int:
        return self.stack[-1][3]

    def this_qualname(self) -> str | None:
        return self.symbols[self.this_class].qualname if self.this_class >= 0 else None

    def at_module_level(self) -> bool:
        return self.scopes[self.scope].kind == SymbolKind.MODULE

    def add_symbol(self, name: str, kind: str, node: ts.Node, name_node: ts.Node | None, parent: int,
                   **extra) -> int:
        parent_q = self.symbols[parent].qualname
        qualname = f"{parent_q}.{qualpart(name)}"
        name_span = self.columns.span(name_node) if name_node is not None else self.columns.span(node)
        body_line = node.start_point[0]
        self.symbols.append(SymbolFact(name, qualname, kind, self.columns.span(node), name_span, parent,
                                       body_line=body_line, **extra))
        index = len(self.symbols) - 1
        if name_node is not None:
            self.skip.add(name_node.id)
        if self.symbols[parent].kind in (SymbolKind.CLASS, SymbolKind.INTERFACE, SymbolKind.TYPE_ALIAS, SymbolKind.ENUM, SymbolKind.VARIABLE, SymbolKind.CONSTANT, SymbolKind.FIELD):
            self.members[(parent, name)] = index
        return index

    def bind(self, name: str, binding: tuple, scope: int | None = None) -> None:
        names = self.scopes[self.scope if scope is None else scope].names
        if binding[0] == "def" and names.get(name) == _NAMESPACE:
            names[name] = binding  # a namespace merged into a function, class or enum: the name is the declaration
        else:
            names.setdefault(name, binding)  # the first declaration wins (function hoisting)

    def push(self, node: ts.Node, kind: str, symbol: int, this_class: int) -> int:
        self.scopes.append(ScopeFact(kind, symbol, self.scope))
        index = len(self.scopes) - 1
        self.stack.append((node.end_byte, index, symbol if symbol >= 0 else self.owner, this_class))
        return index

    def use(self, node: ts.Node, name: str, kind: str, receiver=None, module=None) -> None:
        self.refs.append(RefFact(self.columns.span(node), name, kind, self.scope, receiver=receiver,
                                 module=module, owner=self.owner))

    def object_keys(self, obj: ts.Node | None, typed) -> None:
        """An object literal whose type is known from context (`const x: T = {...}`,
        `return {...}` under a declared return type): its keys use T's members."""
        while obj is not None and obj.type in _WRAPPERS and obj.named_children:
            obj = obj.named_children[0]
        if obj is None or obj.type != "object" or not typed:
            return
        discriminants = []
        for item in obj.named_children:
            key, value = (item.child_by_field_name("key"), item.child_by_field_name("value")) \
                if item.type == "pair" else (None, None)
            literal = literal_of(value) if key is not None and key.type == "property_identifier" else None
            if literal is not None:
                discriminants.append((text(key), literal))
        if discriminants:  # `{ ok: false, ... }` under `OK | Failed`: the parts whose literal members agree
            typed = ("disc", typed, tuple(discriminants))
        for item in obj.named_children:
            key = None
            if item.type == "pair":
                key = item.child_by_field_name("key")
            elif item.type == "shorthand_property_identifier":
                key = item
            elif item.type == "method_definition":
                key = item.child_by_field_name("name")
            if key is not None and key.type in ("property_identifier", "shorthand_property_identifier"):
                self.refs.append(RefFact(self.columns.span(key), text(key), "write", self.scope, receiver=typed,
                                         owner=self.owner))
                if item.type == "pair":  # `{ result: { type: "data" } }`: the inner keys are result's type's
                    self.object_keys(item.child_by_field_name("value"), ("attr", typed, text(key)))

    def signature(self, node: ts.Node, name: str) -> str:
        params = node.child_by_field_name("parameters")
        ret = node.child_by_field_name("return_type")
        sig = f"{name}{text(params) if params is not None else '()'}"
        if ret is not None:
            sig += text(ret) if text(ret).startswith(":") else f": {text(ret)}"
        return sig[:400]

    def docstring(self, node: ts.Node) -> str:
        """The JSDoc comment right above a declaration (or its export)."""
        target = node.parent if node.parent is not None and node.parent.type == "export_statement" else node
        prev = target.prev_sibling
        if prev is None or prev.type != "comment":
            return ""
        raw = text(prev)
        if not raw.startswith("/**"):
            return ""
        lines = [line.strip().lstrip("*").strip() for line in raw[3:-2].splitlines()]
        return "\n".join(line for line in lines if line).strip()

    # -- bindings of patterns and parameters ---------------------------------
    def bind_pattern(self, node: ts.Node | None, value, scope: int | None = None) -> None:
        if node is None:
            return
        t = node.type
        if t == "identifier":
            self.skip.add(node.id)
            self.bind(text(node), ("val", value), scope)
        elif t in ("object_pattern", "array_pattern"):
            for child in node.named_children:
                if child.type == "object_assignment_pattern":  # `{ a = 1 }`: a default, still `a` of the value
                    left = child.child_by_field_name("left")
                    if left is not None and left.type == "shorthand_property_identifier_pattern":
                        child = left
                if child.type == "shorthand_property_identifier_pattern":
                    name = text(child)
                    self.bind(name, ("val", ("attr", value, name) if value and t == "object_pattern" else None), scope)
                    if value and t == "object_pattern":  # `const { url } = this.config` reads config.url
                        self.use(child, name, "read", receiver=value)
                elif child.type == "pair_pattern":
                    key = child.child_by_field_name("key")
                    inner = ("attr", value, text(key)) if value and key is not None else None
                    if inner and key.type == "property_identifier":
                        self.use(key, text(key), "read", receiver=value)
                    self.bind_pattern(child.child_by_field_name("value"), inner, scope)
                else:
                    self.bind_pattern(child, None, scope)
        elif t in ("assignment_pattern", "object_assignment_pattern"):
            self.bind_pattern(node.child_by_field_name("left"), value, scope)
        elif t == "rest_pattern":
            for child in node.named_children:
                self.bind_pattern(child, None, scope)

    def inline_type(self, annotation: ts.Node):
        """("type", ("obj", ((name, type Expr or None), ...))) for a parameter's
        inline object type `opts: { a: A; b(): B }`: no symbol holds those
        properties, so their uses are no edges, but their types still type
        what is read through them (`opts.a.x`)."""
        node = annotation.named_children[0] if annotation.named_children else None
        if node is None or node.type != "object_type":
            return None
        this_q = self.this_qualname()
        fields = []
        for member in node.named_children:
            name = member.child_by_field_name("name")
            if name is None or member.type not in ("property_signature", "method_signature"):
                continue
            if member.type == "method_signature":
                params = member.child_by_field_name("parameters")
                kids = [p for p in params.named_children if p.type != "comment"] if params is not None else []
                typed = ("type", ("fn", tuple(type_expr(p.child_by_field_name("type"), this_q)
                                             if p.child_by_field_name("type") is not None else None for p in kids),
                                  type_expr(member.child_by_field_name("return_type"), this_q)))
            else:
                typed = type_expr(member.child_by_field_name("type"), this_q)
            fields.append((text(name), typed))
        return ("type", ("obj", tuple(fields)))

    def bind_params(self, fn: ts.Node, scope: int, owner_class: int, context=None) -> tuple[list[tuple], list]:
        """Binds the parameters; returns their (name, kind, annotation, default)
        and their declared types. `context` is the type of the first parameter
        when the function's type comes from where it stands (a typed variable,
        an argument): a function-type alias whose object parameter's
        properties are its members."""
        params = fn.child_by_field_name("parameters")
        single = fn.child_by_field_name("parameter")  # `x => ...`
        out, types = [], []
        if single is not None:
            self.bind_pattern(single, ("cb", context, 0) if context else None, scope)
            return out, types
        if params is None:
            return out, types
        for param in params.named_children:
            if _is_this_param(param):  # `function (this: T, ...)`: `this` in the body is a T
                annotation = param.child_by_field_name("type")
                typed = type_expr(annotation, self.this_qualname()) if annotation is not None else None
                if typed:
                    self.bind("this", ("val", typed), scope)
        for position, param in enumerate(p for p in params.named_children if p.type != "comment"
                                         and not _is_this_param(p)):
            if param.type in ("required_parameter", "optional_parameter"):
                pattern = param.child_by_field_name("pattern")
                annotation = param.child_by_field_name("type")
                typed = type_expr(annotation, self.this_qualname()) if annotation is not None else None
                if typed is None and annotation is not None:
                    typed = self.inline_type(annotation)
                types.append(typed)
                if typed is None and context:
                    typed = ("cb", context, position)
                self.bind_pattern(pattern, typed, scope)
                if pattern is not None and pattern.type == "identifier":
                    out.append((text(pattern), "", text(annotation).lstrip(": ") if annotation else "", ""))
                    # a parameter property (`constructor(private db: Db)`) is also a field
                    if owner_class >= 0 and any(c.type in ("accessibility_modifier", "readonly")
                                                for c in param.children):
                        field = self.add_symbol(text(pattern), "field", param, None, owner_class, type_expr=typed,
                                                signature=text(param)[:200])
                        self.symbols[field].name_span = self.columns.span(pattern)
                        # the parameter is the property: its uses in the body are the field's (as tsserver says)
                        self.scopes[scope].names[text(pattern)] = ("def", field)
            else:
                types.append(None)
                self.bind_pattern(param, ("cb", context, position) if context else None, scope)
                if param.type == "identifier":
                    out.append((text(param), "", "", ""))
        return out, types

    # -- captures ----------------------------------------------------------------
    def on_function(self, node: ts.Node) -> None:
        t = node.type
        owner_class = -1
        this_class = self.this_class if t == "arrow_function" else -1
        symbol = self.pending.pop(node.id, -1)
        name_node = node.child_by_field_name("name")
        if symbol < 0 and t in ("function_declaration", "generator_function_declaration") and name_node is not None:
            name = text(name_node)
            symbol = self.add_symbol(name, "function", node, name_node, self.owner,
                                     signature=self.signature(node, name), docstring=self.docstring(node),
                                     returns=type_expr(node.child_by_field_name("return_type")))
            self.bind(name, ("def", symbol))
        elif symbol < 0 and t in ("arrow_function", "function_expression") and node.parent is not None \
                and node.parent.type == "pair" and node.parent.parent is not None \
                and node.parent.parent.id in self.objects:
            key = node.parent.child_by_field_name("key")
            holder = self.objects[node.parent.parent.id]
            if key is not None:
                name = string_value(key) or text(key)
                symbol = self.add_symbol(name, "method" if holder > 0 else "function", node.parent, key, holder,
                                         signature=self.signature(node, name),
                                         returns=type_expr(node.child_by_field_name("return_type")))
        elif symbol < 0 and t == "method_definition" and name_node is not None:
            parent = node.parent
            holder = -1
            if parent is not None and parent.type == "class_body":
                holder = self.this_class
                owner_class = holder
                this_class = holder
            elif parent is not None and parent.type == "object":
                holder = self.objects.get(parent.id, -1)
            if holder >= 0:
                name = text(name_node)
                kind = "method"
                if any(c.type == "get" or c.type == "set" for c in node.children[:3]):
                    kind = "property"
                existing = self.members.get((holder, name))
                if existing is not None and self.symbols[existing].kind == SymbolKind.PROPERTY and kind == SymbolKind.PROPERTY:
                    symbol = existing  # a setter beside its getter: one property
                    self.skip.add(name_node.id)
                else:
                    symbol = self.add_symbol(name, kind, node, name_node, holder,
                                             signature=self.signature(node, name), docstring=self.docstring(node),
                                             returns=type_expr(node.child_by_field_name("return_type"),
                                                               self.symbols[holder].qualname if owner_class >= 0 else None))
        elif symbol >= 0:
            sym = self.symbols[symbol]
            sym.signature = sym.signature or self.signature(node, sym.name)
            sym.returns = sym.returns or type_expr(node.child_by_field_name("return_type"), self.this_qualname())
            if self.symbols[sym.parent].kind == SymbolKind.CLASS and t != "arrow_function":
                this_class = owner_class = sym.parent
            elif self.symbols[sym.parent].kind == SymbolKind.CLASS:
                this_class = sym.parent
        scope = self.push(node, "function", symbol, this_class)
        declared = node.child_by_field_name("return_type") if symbol < 0 else None
        if declared is not None:  # an anonymous function's own return type
            self.declared[scope] = type_expr(declared, self.this_qualname())
        context = self.context_type(node)
        if context:
            self.contexts[scope] = context
        params, types = self.bind_params(node, scope, owner_class if t == "method_definition" else -1, context)
        if symbol > 0 and (t.startswith("generator") or any(c.type == "*" for c in node.children)):
            self.no_inference.add(symbol)
        body = node.child_by_field_name("body") if t == "arrow_function" else None
        if body is not None and body.type != "statement_block":  # `=> ({ a: 1 })`: keys of what it returns
            self.object_keys(body, self.result_type(scope))
            self.infer_result(scope, body)
        if symbol >= 0 and params and not self.symbols[symbol].params:
            self.symbols[symbol].params = tuple(params)
        if symbol >= 0 and any(types):
            self.extra.params.setdefault(self.symbols[symbol].qualname, tuple(types))

    def result_type(self, scope: int):
        """What the function of `scope` returns: its declared return type, or
        the result of the function type it gets from where it stands
        (`(): TRPCLink => () => (opts) => ...`: each arrow returns the next)."""
        symbol = self.scopes[scope].symbol
        if symbol > 0 and self.symbols[symbol].returns and symbol not in self.inferred:
            return self.symbols[symbol].returns
        if scope in self.declared:
            return self.declared[scope]
        context = self.contexts.get(scope)
        return ("ret", context) if context else None

    def promise_executor(self, new: ts.Node):
        """`return new Promise((resolve) => ...)` under a result type T (a
        declared `Promise<T>` reads as T): resolve takes a T."""
        constructor = new.child_by_field_name("constructor")
        if constructor is None or text(constructor) != "Promise" or len(self.stack) < 2:
            return None
        outer = new.parent
        while outer is not None and outer.type in _WRAPPERS:
            new, outer = outer, outer.parent
        if outer is None or not (outer.type == "return_statement" or outer.type == "arrow_function"
                                 and outer.child_by_field_name("body") == new):
            return None
        result = self.result_type(self.stack[-2][1])
        return ("type", ("fn", (("type", ("fn", (result,), None)),), None)) if result else None

    def context_type(self, fn: ts.Node):
        """The type a function expression gets from where it stands: the
        annotation of the variable it initialises, or the callee's parameter
        it is passed as (("arg", callee, position))."""
        if fn.type not in ("arrow_function", "function_expression"):
            return None
        parent = fn.parent
        while parent is not None and parent.type in _WRAPPERS:
            fn, parent = parent, parent.parent
        if parent is None:
            return None
        if parent.type == "call_expression" and parent.child_by_field_name("function") == fn:
            # `const x: T = (() => { return {...}; })()`: the function returns T
            outer = parent.parent
            while outer is not None and outer.type in _WRAPPERS:
                parent, outer = outer, outer.parent
            annotation = outer.child_by_field_name("type") if outer is not None and \
                outer.type == "variable_declarator" and outer.child_by_field_name("value") == parent else None
            result = type_expr(annotation, self.this_qualname()) if annotation is not None else None
            return ("type", ("fn", (), result)) if result else None
        if parent.type == "variable_declarator" and parent.child_by_field_name("value") == fn:
            annotation = parent.child_by_field_name("type")
            return type_expr(annotation, self.this_qualname()) if annotation is not None else None
        if parent.type == "return_statement":  # `return (opts) => ...` under a declared or contextual return type
            return self.result_type(self.stack[-2][1]) if len(self.stack) > 1 else None
        if parent.type == "arrow_function" and parent.child_by_field_name("body") == fn:
            annotation = parent.child_by_field_name("return_type")
            if annotation is not None:
                return type_expr(annotation, self.this_qualname())
            return self.result_type(self.stack[-2][1]) if len(self.stack) > 1 else None
        if parent.type == "arguments" and parent.parent is not None and parent.parent.type == "new_expression":
            executor = self.promise_executor(parent.parent)
            callee = expr_of(parent.parent.child_by_field_name("constructor"), self.this_qualname())
            if executor is not None or not callee or callee == ("name", "Promise"):
                return executor
            args = [a for a in parent.named_children if a.type != "comment"]  # `new C((x) => ...)`: C's constructor's
            return ("arg", ("attr", callee, "constructor"), next(i for i, a in enumerate(args) if a == fn))
        if parent.type == "arguments" and parent.parent is not None and parent.parent.type == "call_expression":
            callee = expr_of(parent.parent.child_by_field_name("function"), self.this_qualname())
            if not callee or callee[0] == "require":
                return None
            args = [a for a in parent.named_children if a.type != "comment"]
            return ("arg", callee, next(i for i, a in enumerate(args) if a == fn))
        return None

    def on_class(self, node: ts.Node) -> None:
        symbol = self.pending.pop(node.id, -1)
        name_node = node.child_by_field_name("name")
        bases = []
        for heritage in node.named_children:
            if heritage.type != "class_heritage":
                continue
            for clause in heritage.named_children:
                if clause.type == "extends_clause":
                    value = clause.child_by_field_name("value")
                    targets = [value] if value is not None else []
                elif clause.type == "implements_clause":
                    targets = list(clause.named_children)
                else:  # javascript: the heritage holds the expression itself
                    targets = [clause]
                for target in targets:
                    expr = expr_of(target)
                    if expr:
                        bases.append(expr)
                    self._mark_inherit(target)
        if symbol < 0 and name_node is not None:
            name = text(name_node)
            symbol = self.add_symbol(name, "class", node, name_node, self.owner, docstring=self.docstring(node))
            if node.type != "class":  # a class expression's name is visible only inside it
                self.bind(name, ("def", symbol))
        if symbol >= 0:
            sym = self.symbols[symbol]
            sym.kind = "class"
            sym.bases = tuple(bases)
            sym.signature = f"class {sym.name}"
        body = node.child_by_field_name("body")
        self.push(body if body is not None else node, "class", symbol, symbol)
        if body is not None:
            self.stack[-1] = (node.end_byte, *self.stack[-1][1:])

    def _mark_inherit(self, node: ts.Node) -> None:
        while node is not None and node.type in ("generic_type", "member_expression", "nested_type_identifier"):
            node = (node.child_by_field_name("name") or node.child_by_field_name("property"))
        if node is not None:
            self.kinds[node.id] = "inherit"

    def on_interface(self, node: ts.Node) -> None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return
        bases = []
        for child in node.named_children:
            if child.type == "extends_type_clause":
                for target in child.named_children:
                    expr = expr_of(target)
                    if expr:
                        bases.append(expr)
                    self._mark_inherit(target)
        name = text(name_node)
        symbol = self.add_symbol(name, "interface", node, name_node, self.owner, bases=tuple(bases),
                                 signature=f"interface {name}", docstring=self.docstring(node))
        if any(b[0] == "generic" for b in bases):  # `extends B<{ path: P }>`: the inline argument's properties
            # are this interface's own members, so the argument stands for them
            inline = ("members", self.symbols[symbol].qualname)
            self.symbols[symbol].bases = tuple(expr_of(target, None, inline) for child in node.named_children
                                               if child.type == "extends_type_clause"
                                               for target in child.named_children if expr_of(target))
        self.bind(name, ("def", symbol))
        self.push(node, "class", symbol, -1)

    def on_typealias(self, node: ts.Node) -> None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return
        name = text(name_node)
        value = node.child_by_field_name("value")
        is_fn = value is not None and value.type == "function_type"  # its parameters are recorded below
        # a function type's inline object types (parameter or result) hold their properties as the alias's members
        returns = type_expr(value.child_by_field_name("return_type"), None, ("name", name)) if is_fn else None
        symbol = self.add_symbol(name, "type", node, name_node, self.owner, type_expr=None if is_fn else expr_of(value),
                                 signature=f"type {name} = {text(value)}"[:300], docstring=self.docstring(node),
                                 returns=returns)
        if value is not None and value.type == "generic_type":  # `type A = F<{ ctx: C }>`: the inline argument's
            # properties are A's own members, so the argument stands for A's members themselves
            self.symbols[symbol].type_expr = expr_of(value, None, ("members", self.symbols[symbol].qualname))
        params = value.child_by_field_name("parameters") if value is not None and value.type == "function_type" \
            else None
        if params is not None:  # `type F = (opts: O) => void`: a call's arguments are O's
            types = [type_expr(p.child_by_field_name("type")) if p.child_by_field_name("type") is not None else None
                     for p in params.named_children if p.type != "comment"]
            if any(types):
                self.extra.params.setdefault(self.symbols[symbol].qualname, tuple(types))
        self.bind(name, ("def", symbol))
        self.push(node, "class", symbol, -1)

    def on_enum(self, node: ts.Node) -> None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return
        name = text(name_node)
        symbol = self.add_symbol(name, "enum", node, name_node, self.owner, signature=f"enum {name}",
                                 docstring=self.docstring(node))
        self.bind(name, ("def", symbol))
        body = node.child_by_field_name("body")
        for member in body.named_children if body is not None else ():
            member_name = member.child_by_field_name("name") if member.type == "enum_assignment" else member
            if member_name is not None and member_name.type in ("property_identifier", "string"):
                self.add_symbol(text(member_name).strip("'\""), "constant", member, member_name, symbol)

    def on_field(self, node: ts.Node) -> None:
        holder = self.owner
        if self.symbols[holder].kind not in (SymbolKind.CLASS, SymbolKind.INTERFACE, SymbolKind.TYPE_ALIAS, SymbolKind.FIELD) \
                or _in_type_parameters(node):
            return
        name_node = node.child_by_field_name("name") or node.child_by_field_name("property")
        if name_node is None or name_node.type not in ("property_identifier", "private_property_identifier"):
            return
        annotation = node.child_by_field_name("type")
        value = node.child_by_field_name("value")
        this_q = self.symbols[holder].qualname if self.symbols[holder].kind == SymbolKind.CLASS else None
        typed = type_expr(annotation, this_q) if annotation is not None else None
        if typed is None and value is not None:
            typed = expr_of(value, this_q)
            typed = typed if typed and typed[0] in ("new", "call", "type") else None
        kind = "method" if value is not None and value.type in _FUNCTION_VALUES else "field"
        name = text(name_node)
        if annotation is not None:
            self.object_keys(value, typed)
        symbol = self.add_symbol(name, kind, node, name_node, holder, type_expr=typed,
                                 signature=text(node).split("=")[0].strip()[:200], docstring=self.docstring(node))
        literal = literal_of(annotation) if annotation is not None else None
        qualname = self.symbols[symbol].qualname
        if literal is not None or qualname in self.extra.literals:
            # `ok: true`: a union's part an object literal's `ok: false` rules out; one qualname
            # declared twice (`{ kind: 'a' } | { kind: 'b' }` held by one alias) says nothing
            known = self.extra.literals.get(qualname, literal)
            self.extra.literals[qualname] = literal if known == literal else None
        if kind == SymbolKind.METHOD:
            self.pending[value.id] = symbol
        inline = annotation.named_children[0] if annotation is not None and annotation.named_children else None
        if inline is not None and inline.type == "object_type":
            self.push(inline, "class", symbol, -1)  # `_def: { queries: Q }`: its properties are the field's members

    def on_signature(self, node: ts.Node) -> None:
        holder = self.owner
        name_node = node.child_by_field_name("name")
        if name_node is None or self.symbols[holder].kind not in (SymbolKind.CLASS, SymbolKind.INTERFACE, SymbolKind.TYPE_ALIAS, SymbolKind.FIELD) \
                or _in_type_parameters(node):
            return
        name = text(name_node)
        symbol = self.add_symbol(name, "method", node, name_node, holder, signature=self.signature(node, name),
                                 returns=type_expr(node.child_by_field_name("return_type")),
                                 docstring=self.docstring(node))
        params = node.child_by_field_name("parameters")
        types = []
        for param in params.named_children if params is not None else ():
            if param.type == "comment":
                continue
            self._skip_pattern(param.child_by_field_name("pattern") or param)
            annotation = param.child_by_field_name("type")
            types.append(type_expr(annotation) if annotation is not None else None)
        if any(types):
            self.extra.params.setdefault(self.symbols[symbol].qualname, tuple(types))

    def _skip_pattern(self, node: ts.Node | None) -> None:
        if node is None:
            return
        if node.type == "identifier":
            self.skip.add(node.id)
        for child in node.named_children:
            if child.type in ("identifier", "object_pattern", "array_pattern", "pair_pattern", "rest_pattern",
                              "assignment_pattern"):
                self._skip_pattern(child if child.type != "pair_pattern" else child.child_by_field_name("value"))

    def on_declarator(self, node: ts.Node) -> None:
        name_node = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        annotation = node.child_by_field_name("type")
        if name_node is None:
            return
        spec = _require_spec(value)
        if spec is None and value is not None and value.type == "member_expression":
            inner = _require_spec(value.child_by_field_name("object"))
            if inner is not None:  # const x = require("m").x
                prop = value.child_by_field_name("property")
                self._import(spec_node=value, spec=inner)
                if name_node.type == "identifier":
                    self.skip.add(name_node.id)
                    self.bind(text(name_node), ("import", inner, text(prop)))
                    self.use(prop, text(prop), "import", module=(0, inner, text(prop)))
                    self.skip.add(value.child_by_field_name("object").child_by_field_name("function").id)
                return
        if spec is not None:
            self._import(spec_node=value, spec=spec)
            self.skip.add(value.child_by_field_name("function").id)
            if name_node.type == "identifier":
                self.skip.add(name_node.id)
                self.bind(text(name_node), ("import", spec, "="))
                # the name binds what the module exports (tsserver counts it as a use)
                self.use(name_node, text(name_node), "import", module=(0, spec, "="))
            elif name_node.type == "object_pattern":
                for child in name_node.named_children:
                    key = child if child.type == "shorthand_property_identifier_pattern" else (
                        child.child_by_field_name("key") if child.type == "pair_pattern" else None)
                    local = child if child.type == "shorthand_property_identifier_pattern" else (
                        child.child_by_field_name("value") if child.type == "pair_pattern" else None)
                    if key is None or local is None:
                        continue
                    self.skip.add(local.id)
                    self.bind(text(local), ("import", spec, text(key)))
                    self.use(key, text(key), "import", module=(0, spec, text(key)))
            return
        if name_node.type != "identifier":
            self.bind_pattern(name_node, expr_of(value, self.this_qualname()))
            return
        name = text(name_node)
        this_q = self.this_qualname()
        typed = type_expr(annotation, this_q) if annotation is not None else expr_of(value, this_q)
        if annotation is not None:
            self.object_keys(value, typed)
        is_fn = value is not None and value.type in _FUNCTION_VALUES
        is_class = value is not None and value.type in _CLASS_VALUES
        if self.at_module_level() or is_fn or is_class:
            declaration = node.parent
            const = declaration is not None and declaration.type == "lexical_declaration" and text(
                declaration).startswith("const")
            kind = "function" if is_fn else "class" if is_class else ("constant" if const and name.isupper()
                                                                      else "variable")
            symbol = self.add_symbol(name, kind, node, name_node, self.owner, type_expr=None if is_fn else typed,
                                     signature=(f"const {name}" if const else name)
                                     + (text(annotation) if annotation is not None else ""),
                                     docstring=self.docstring(declaration) if declaration is not None else "")
            self.bind(name, ("def", symbol))
            if is_fn or is_class:
                self.pending[value.id] = symbol
            elif value is not None and value.type == "object":
                self.objects[value.id] = symbol
        else:
            self.skip.add(name_node.id)
            self.bind(name, ("val", typed))

    def _import(self, spec_node: ts.Node, spec: str, names: tuple[str, ...] = ()) -> None:
        self.imports.append(ImportFact(0, spec, names, spec_node.start_point[0]))

    def on_import(self, node: ts.Node) -> None:
        source = node.child_by_field_name("source")
        spec = string_value(source)
        if spec is None:
            return
        names: list[str] = []
        for clause in node.named_children:
            if clause.type == "import_require_clause":  # import x = require("m")
                ident = clause.named_children[0] if clause.named_children else None
                if ident is not None:
                    self.skip.add(ident.id)
                    self.bind(text(ident), ("import", spec, "="))
                    names.append("=")
                continue
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":  # default import
                    self.skip.add(part.id)
                    self.bind(text(part), ("import", spec, "default"))
                    self.use(part, text(part), "import", module=(0, spec, "default"))
                    names.append("default")
                elif part.type == "namespace_import":
                    ident = part.named_children[0] if part.named_children else None
                    if ident is not None:
                        self.skip.add(ident.id)
                        self.bind(text(ident), ("import", spec, "*"))
                        self.use(ident, text(ident), "import", module=(0, spec, "*"))
                        names.append("*")
                elif part.type == "named_imports":
                    for item in part.named_children:
                        if item.type != "import_specifier":
                            continue
                        name_node, alias = item.child_by_field_name("name"), item.child_by_field_name("alias")
                        if name_node is None:
                            continue
                        imported = string_value(name_node) or text(name_node)
                        local = alias if alias is not None else name_node
                        self.skip.add(name_node.id)
                        self.skip.add(local.id)
                        self.bind(text(local), ("import", spec, imported))
                        self.use(name_node, imported, "import", module=(0, spec, imported))
                        if alias is not None:  # `a as b`: b names the import too (tsserver counts it)
                            self.use(alias, text(alias), "import", module=(0, spec, imported))
                        names.append(imported)
        self._import(node, spec, tuple(names))

    def on_export(self, node: ts.Node) -> None:
        exports = self.extra.exports
        source = node.child_by_field_name("source")
        spec = string_value(source)
        declaration = node.child_by_field_name("declaration")
        value = node.child_by_field_name("value")
        is_default = any(c.type == "default" for c in node.children)
        if declaration is not None:
            for name in _declared_names(declaration):
                exports.setdefault("default" if is_default else name, ("local", name))
            return
        if is_default and value is not None:
            inner = value
            while inner.type in _WRAPPERS and inner.named_children:
                inner = inner.named_children[0]
            if inner.type in _FUNCTION_VALUES or inner.type in _CLASS_VALUES:
                name_node = inner.child_by_field_name("name")
                kind = "class" if inner.type in _CLASS_VALUES else "function"
                symbol = self.add_symbol("default", kind, inner, name_node, 0, docstring=self.docstring(node))
                self.pending[inner.id] = symbol
                exports["default"] = ("def", self.symbols[symbol].qualname)
            elif inner.type == "object":
                symbol = self.add_symbol("default", "variable", inner, None, 0)
                self.objects[inner.id] = symbol
                exports["default"] = ("def", self.symbols[symbol].qualname)
            elif inner.type == "identifier":
                exports["default"] = ("local", text(inner))
            else:
                exports["default"] = ("val", expr_of(inner))
            return
        for child in node.named_children:
            if child.type == "export_clause":
                for item in child.named_children:
                    if item.type != "export_specifier":
                        continue
                    name_node, alias = item.child_by_field_name("name"), item.child_by_field_name("alias")
                    if name_node is None:
                        continue
                    name = string_value(name_node) or text(name_node)
                    exported = (string_value(alias) or text(alias)) if alias is not None else name
                    if alias is not None:
                        self.skip.add(alias.id)
                    self.skip.add(name_node.id)
                    # `export { x as y }`: x and y both name the exported thing (tsserver counts both)
                    if spec is not None:
                        exports[exported] = ("import", spec, name)
                        self.use(name_node, name, "import", module=(0, spec, name))
                        if alias is not None:
                            self.use(alias, name, "import", module=(0, spec, name))
                    else:
                        exports[exported] = ("local", name)
                        self.use(name_node, name, "read")
                        if alias is not None:
                            self.use(alias, name, "read")
            elif child.type == "namespace_export" and spec is not None:
                ident = child.named_children[0] if child.named_children else None
                if ident is not None:
                    self.skip.add(ident.id)
                    exports[string_value(ident) or text(ident)] = ("import", spec, "*")
        if spec is not None:
            if not any(c.type in ("export_clause", "namespace_export") for c in node.named_children):
                self.extra.stars.append(spec)  # export * from "m"
            self._import(node, spec)

    def on_assign(self, node: ts.Node) -> None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return
        exports = self.extra.exports
        if _is_module_exports(left):
            spec = _require_spec(right)
            if spec is not None:
                exports["="] = ("import", spec, "=")
                self._import(node, spec)
            elif right.type == "identifier":
                exports["="] = ("local", text(right))
            elif right.type == "object":
                self.objects[right.id] = 0
                for item in right.named_children:
                    if item.type == "shorthand_property_identifier":
                        exports[text(item)] = ("local", text(item))
                    elif item.type == "pair":
                        key, value = item.child_by_field_name("key"), item.child_by_field_name("value")
                        if key is None or value is None:
                            continue
                        if value.type in ("identifier",):
                            exports[text(key)] = ("local", text(value))
                        elif value.type in _FUNCTION_VALUES or value.type in _CLASS_VALUES:
                            kind = "class" if value.type in _CLASS_VALUES else "function"
                            symbol = self.add_symbol(text(key), kind, item, key, 0)
                            self.pending[value.id] = symbol
                            exports[text(key)] = ("def", self.symbols[symbol].qualname)
                        else:
                            exports[text(key)] = ("val", expr_of(value))
                    elif item.type == "method_definition":
                        name_node = item.child_by_field_name("name")
                        if name_node is not None:
                            exports[text(name_node)] = ("def", f"{self.module}.{qualpart(text(name_node))}")
            elif right.type in _FUNCTION_VALUES or right.type in _CLASS_VALUES:
                name_node = right.child_by_field_name("name")
                name = text(name_node) if name_node is not None else "exports"
                kind = "class" if right.type in _CLASS_VALUES else "function"
                symbol = self.add_symbol(name, kind, right, name_node, 0)
                self.pending[right.id] = symbol
                self.bind(name, ("def", symbol), 0)
                exports["="] = ("def", self.symbols[symbol].qualname)
            else:
                exports["="] = ("val", expr_of(right))
            return
        if left.type == "object_pattern":  # `({ a, b: c } = value)`: reads a and b of the value
            value = expr_of(right, self.this_qualname())
            for child in left.named_children if value else ():
                if child.type == "object_assignment_pattern":
                    child = child.child_by_field_name("left")
                key = child if child is not None and child.type == "shorthand_property_identifier_pattern" else (
                    child.child_by_field_name("key") if child is not None and child.type == "pair_pattern" else None)
                if key is not None and key.type in ("shorthand_property_identifier_pattern", "property_identifier"):
                    self.use(key, text(key), "read", receiver=value)
            return
        member = _exports_member(left)
        if member is not None:
            prop = left.child_by_field_name("property")
            self.skip.add(prop.id)
            if right.type in _FUNCTION_VALUES or right.type in _CLASS_VALUES:
                kind = "class" if right.type in _CLASS_VALUES else "function"
                symbol = self.add_symbol(member, kind, node, prop, 0)
                self.pending[right.id] = symbol
                exports[member] = ("def", self.symbols[symbol].qualname)
            elif right.type == "identifier":
                exports[member] = ("local", text(right))
            else:
                symbol = self.add_symbol(member, "variable", node, prop, 0, type_expr=expr_of(right))
                exports[member] = ("def", self.symbols[symbol].qualname)
            return
        if self.dialect.startswith("typescript") and left.type in ("member_expression", "identifier"):
            # `this.runtime = { ... }`: the keys name members of the assigned target's declared type
            self.object_keys(right, expr_of(left, self.this_qualname()))
        # this.x = value in a class body: the class gets a field (JavaScript declares them so)
        if left.type == "member_expression" and self.this_class >= 0:
            obj, prop = left.child_by_field_name("object"), left.child_by_field_name("property")
            if obj is not None and obj.type == "this" and prop is not None and prop.type == "property_identifier":
                name = text(prop)
                if (self.this_class, name) not in self.members:
                    typed = expr_of(right, self.this_qualname())
                    typed = typed if typed and typed[0] in ("new", "call", "type") else None
                    kind = "method" if right.type in _FUNCTION_VALUES else "field"
                    symbol = self.add_symbol(name, kind, node, prop, self.this_class, type_expr=typed)
                    if kind == SymbolKind.METHOD:
                        self.pending[right.id] = symbol

    def on_call(self, node: ts.Node) -> None:
        fn = node.child_by_field_name("function")
        if fn is None:
            return
        callee = expr_of(fn, self.this_qualname())
        args = node.child_by_field_name("arguments")
        if callee and callee[0] != "require" and args is not None and args.type == "arguments":
            # `f({ a, b: 1 })`: the keys name members of f's declared parameter type
            for position, arg in enumerate(a for a in args.named_children if a.type != "comment"):
                self.object_keys(arg, ("arg", callee, position))
        head = fn
        if head.type == "member_expression" and text(head.child_by_field_name("property")) in TEST_MODIFIERS:
            head = head.child_by_field_name("object")
        if head is None or head.type != "identifier":
            if fn.type == "identifier" and text(fn) == "require":
                spec = _first_string_arg(node)
                if spec is not None:
                    self._import(node, spec)
            return
        callee = text(head)
        if callee == "require":
            spec = _first_string_arg(node)
            if spec is not None:
                self._import(node, spec)
            return
        if callee not in TEST_FUNCS and callee not in SUITE_FUNCS:
            return
        args = node.child_by_field_name("arguments")
        if args is None or len(args.named_children) < 2:
            return
        title, body = args.named_children[0], args.named_children[1]
        name = string_value(title)
        if name is None or body.type not in _FUNCTION_VALUES:
            return
        is_test = callee in TEST_FUNCS
        # titles are not identifiers: the qualname part says which call made
        # it (`describe_Cart`), so a suite never shares a name with the class it tests
        symbol = self.add_symbol(name, "function", node, title, self.owner, is_test=is_test,
                                 flags=("test",) if is_test else ("suite",), signature=f"{callee}({text(title)})")
        sym = self.symbols[symbol]
        sym.qualname = f"{self.symbols[sym.parent].qualname}.{qualpart(callee + ' ' + name)}"
        self.skip.discard(title.id)
        self.pending[body.id] = symbol

    def on_return(self, node: ts.Node) -> None:
        value = node.named_children[0] if node.named_children else None
        owner = self.stack[-1][1]
        if value is not None and self.scopes[owner].kind == SymbolKind.FUNCTION:
            self.object_keys(value, self.result_type(owner))
            self.infer_result(owner, value)

    def infer_result(self, scope: int, value: ts.Node) -> None:
        """A named function without a declared return type returns what its
        first `return` with a known value does (locals replaced by their
        values, so the Expr evaluates at module scope)."""
        symbol = self.scopes[scope].symbol
        if symbol <= 0 or self.symbols[symbol].returns or symbol in self.no_inference \
                or self.symbols[symbol].kind not in (SymbolKind.FUNCTION, SymbolKind.METHOD):
            return
        portable = self.portable(expr_of(value, self.this_qualname()), 0)
        if portable:
            self.symbols[symbol].returns = portable
            self.inferred.add(symbol)

    def portable(self, expr, depth: int):
        """`expr` with the names bound in enclosing function scopes replaced
        by their values; None when one has no known value."""
        if not expr or depth > 12:
            return None
        tag = expr[0]
        if tag == "name":
            index = self.scope
            while index > 0:
                binding = self.scopes[index].names.get(expr[1])
                if binding is not None:
                    if binding[0] == "def":
                        return ("qual", self.symbols[binding[1]].qualname)
                    return self.portable(binding[1], depth + 1) if binding[0] == "val" else None
                index = self.scopes[index].parent
            return expr
        if tag in ("attr", "call", "new", "index", "ret", "arg", "cb", "generic"):
            inner = self.portable(expr[1], depth + 1)
            return (tag, inner, *expr[2:]) if inner else None
        if tag == "type":
            return ("type", self._portable_type(expr[1], depth + 1))
        return expr if tag in ("this", "super", "require", "self_module", "qual") else None

    def _portable_type(self, expr, depth: int):
        """A type Expr with local type parameters replaced by their constraint
        (None, an unknown part, where they have none)."""
        if not isinstance(expr, tuple) or depth > 12:
            return expr
        if len(expr) == 2 and expr[0] == "name" and isinstance(expr[1], str):
            index = self.scope
            while index > 0:
                binding = self.scopes[index].names.get(expr[1])
                if binding is not None:
                    value = binding[1] if binding[0] == "val" else None
                    return self._portable_type(value[1], depth + 1) if value and value[0] == "type" else None
                index = self.scopes[index].parent
            return expr
        return tuple(self._portable_type(part, depth + 1) for part in expr)

    def on_use(self, node: ts.Node) -> None:
        if node.id in self.skip:
            return
        parent = node.parent
        if parent is None:
            return
        pt = parent.type
        name = text(node)
        if pt in _IGNORED_PARENTS:
            return
        if pt in _DECLARATION_NAMES and parent.child_by_field_name("name") == node:
            return
        if pt in _JSX_NAMES:
            if not name[:1].isupper():
                return  # <div>: an intrinsic element
            self.use(node, name, "call")
            return
        if (pt == "required_parameter" or pt == "optional_parameter") and parent.child_by_field_name("value") != node:
            return  # the parameter's own name; its default value is a use
        kind = self.kinds.get(node.id)
        if kind is None:
            if pt in ("call_expression", "new_expression") and (
                    parent.child_by_field_name("function") == node or parent.child_by_field_name("constructor") == node):
                kind = "call"
            elif pt in ("assignment_expression", "augmented_assignment_expression") and \
                    parent.child_by_field_name("left") == node:
                kind = "write"
            elif pt == "update_expression":
                kind = "write"
            else:
                kind = "read"
        self.use(node, name, kind)

    def on_member(self, node: ts.Node) -> None:
        if node.id in self.skip:
            return
        member = node.parent
        receiver = expr_of(member.child_by_field_name("object"), self.this_qualname())
        if receiver and receiver[0] == "require":
            return  # require("m").x: the import use is recorded by the declarator
        # `this.x` outside a class, `[].concat`, `(a || b).x`: a member of a value no rule types, never
        # the bare name `x` of the scope (at most a name-match guess)
        receiver = receiver or _OPAQUE
        outer = member.parent
        kind = self.kinds.get(node.id, "read")
        if outer is not None:
            if outer.type in ("call_expression", "new_expression") and (
                    outer.child_by_field_name("function") == member or outer.child_by_field_name("constructor") == member):
                kind = "call"
            elif outer.type in ("assignment_expression", "augmented_assignment_expression") and \
                    outer.child_by_field_name("left") == member:
                kind = "write"
            elif outer.type in _JSX_NAMES:
                kind = "call"
        self.use(node, text(node), kind, receiver=receiver)

    def on_type(self, node: ts.Node) -> None:
        if node.id in self.skip:
            return
        parent = node.parent
        if parent is None or parent.type == "nested_type_identifier":
            return
        if parent.type in _DECLARATION_NAMES and parent.child_by_field_name("name") == node:
            return
        self.use(node, text(node), self.kinds.get(node.id, "annotation"))

    def on_typemember(self, node: ts.Node) -> None:
        name = node.child_by_field_name("name")
        receiver = expr_of(node.child_by_field_name("module"))
        if name is not None and receiver:
            kind = self.kinds.get(name.id, "annotation")
            self.use(name, text(name), kind, receiver=receiver)


    def on_namespace(self, node: ts.Node) -> None:
        """`namespace X { export ... }`: the members are declared at the module's
        level, so `X.member` is the module's member (X evaluates to the module).
        What merging needs is kept (see merging.py): the names X's body
        declares, and the interfaces and classes a `declare module "m"` adds to m."""
        name_node = node.child_by_field_name("name")
        if name_node is not None and name_node.type == "identifier":
            self.skip.add(name_node.id)
            self.bind(text(name_node), _NAMESPACE)
            merging.record_namespace(self.extra, text(name_node), node.child_by_field_name("body"))
        elif name_node is not None and string_value(name_node):
            merging.record_augments(self.extra, string_value(name_node), node.child_by_field_name("body"), self.module)

    def on_callsig(self, node: ts.Node) -> None:
        """A call signature of an interface or object type: its parameter types
        become the holder's (overloads merged, the first typed one per position)."""
        holder = self.symbols[self.owner]
        params = node.child_by_field_name("parameters")
        if params is not None and holder.kind == SymbolKind.FIELD and holder.returns is None:
            # `next: { (): Promise<R>; ... }`: a call of the field returns the first signature's result
            holder.returns = type_expr(node.child_by_field_name("return_type"))
        if params is None or holder.kind not in (SymbolKind.INTERFACE, SymbolKind.TYPE_ALIAS):
            return
        types = [type_expr(p.child_by_field_name("type")) if p.child_by_field_name("type") is not None else None
                 for p in params.named_children if p.type != "comment"]
        known = list(self.extra.params.get(holder.qualname, ()))
        known += [None] * (len(types) - len(known))
        merged = tuple(old or new for old, new in zip(known, types + [None] * (len(known) - len(types))))
        if any(merged):
            self.extra.params[holder.qualname] = merged
        if holder.returns is None:  # what a call of the interface's value returns
            holder.returns = type_expr(node.child_by_field_name("return_type"))
        for param in params.named_children:
            self._skip_pattern(param.child_by_field_name("pattern") or param)

    def on_funcsig(self, node: ts.Node) -> None:
        """`function f(a: A): R;` (an overload): the first typed parameter per
        position is the one callers' arguments are read against. Each overload
        is a declaration of the function: a symbol of the same qualname as the
        implementation (one symbol for references and rename, as for methods)."""
        name = node.child_by_field_name("name")
        params = node.child_by_field_name("parameters")
        if name is None or params is None:
            return
        self.add_symbol(text(name), "function", node, name, self.owner, signature=self.signature(node, text(name)),
                        docstring=self.docstring(node), returns=type_expr(node.child_by_field_name("return_type")))
        qualname = f"{self.symbols[self.owner].qualname}.{qualpart(text(name))}"
        types = [type_expr(p.child_by_field_name("type")) if p.child_by_field_name("type") is not None else None
                 for p in params.named_children if p.type != "comment"]
        known = list(self.extra.params.get(qualname, ()))
        width = max(len(known), len(types))
        known, types = known + [None] * (width - len(known)), types + [None] * (width - len(types))
        merged = tuple(old or new for old, new in zip(known, types))
        if any(merged):
            self.extra.params[qualname] = merged
        for param in params.named_children:
            self._skip_pattern(param.child_by_field_name("pattern") or param)

    def on_typeparam(self, node: ts.Node) -> None:
        name = node.child_by_field_name("name")
        bound = node.child_by_field_name("constraint") or node.child_by_field_name("value")
        inner = bound.named_children[0] if bound is not None and bound.named_children else None
        holder = self.scopes[self.scope].symbol
        if name is not None and holder > 0 and self.symbols[holder].kind in _GENERIC_KINDS \
                and node.parent is not None and node.parent.parent is not None \
                and node.parent.parent.type in _GENERIC_DECLARATIONS:
            self.extra.tparams.setdefault(self.symbols[holder].qualname, []).append(text(name))
            typed = type_expr(inner, self.this_qualname())
            if typed:
                self.extra.tbounds.setdefault(self.symbols[holder].qualname, {})[text(name)] = typed
        if name is not None:
            self.bind(text(name), ("val", type_expr(inner, self.this_qualname())))

    def _lookup_receiver(self, node: ts.Node):
        """The type `T["a"]["b"]` reads "b" of: T's member "a" (nested lookups)."""
        if node.type in ("type_identifier", "nested_type_identifier"):
            return type_expr(node, self.this_qualname())
        kids = node.named_children
        if node.type != "lookup_type" or len(kids) != 2 or kids[1].type != "literal_type" or not kids[1].named_children:
            return None
        inner, name = self._lookup_receiver(kids[0]), string_value(kids[1].named_children[0])
        return ("attr", inner, name) if inner and name else None

    def on_lookup(self, node: ts.Node) -> None:
        kids = node.named_children
        if len(kids) != 2 or kids[1].type != "literal_type" or not kids[1].named_children \
                or kids[0].type not in ("type_identifier", "nested_type_identifier", "lookup_type"):
            return  # `F<T>["k"]` of a computed (conditional, mapped) type: which branch is not ours to say
        key = kids[1].named_children[0]
        name = string_value(key)
        receiver = self._lookup_receiver(kids[0])
        if name and receiver and key.start_point[0] == key.end_point[0]:
            (row, start, _, end) = self.columns.span(key)
            self.refs.append(RefFact((row, start + 1, row, end - 1), name, "annotation", self.scope,
                                     receiver=receiver, owner=self.owner))

    def on_newcall(self, node: ts.Node) -> None:
        """`new C({ a: 1 })`: the keys name members of the constructor's declared parameter type."""
        constructor, args = node.child_by_field_name("constructor"), node.child_by_field_name("arguments")
        callee = expr_of(constructor, self.this_qualname())
        if not callee or args is None or args.type != "arguments":
            return
        for position, arg in enumerate(a for a in args.named_children if a.type != "comment"):
            self.object_keys(arg, ("arg", ("attr", callee, "constructor"), position))

    def on_forof(self, node: ts.Node) -> None:
        """`for (const x of xs)`: x is an element of xs. Blocks share their
        function's scope here, so a second loop binding x to another value
        leaves x untyped rather than wrong."""
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        if left is None or left.type != "identifier" or right is None or operator is None \
                or text(operator) != "of" or node.child_by_field_name("kind") is None:
            return
        self.skip.add(left.id)
        name, value = text(left), expr_of(right, self.this_qualname())
        names = self.scopes[self.scope].names
        binding = ("val", ("index", value) if value else None)
        if names.get(name, binding) != binding:
            binding = ("val", None)
        names[name] = binding

    def on_comment(self, node: ts.Node) -> None:
        """`{@link A.b}` in a doc comment uses A (and b on it), as tsserver counts them."""
        raw = node.text
        if b"{@link" not in raw:
            return
        row0, col0 = node.start_point
        for match in _DOC_LINK.finditer(raw):
            offset = match.start(1)
            newline = raw.rfind(b"\n", 0, offset)
            row = row0 + raw.count(b"\n", 0, offset)
            col = offset - newline - 1 if newline >= 0 else col0 + offset
            receiver = None
            holder = self.symbols[self.scopes[self.scope].symbol] if self.scopes[self.scope].symbol >= 0 else None
            if holder is not None and b"." not in match.group(1) and holder.kind in (
                    SymbolKind.CLASS, SymbolKind.INTERFACE) and holder.parent == 0:
                # in a class or interface body the link may name a member: tried as one too
                name = match.group(1).decode("utf-8", "replace")
                start, end = self.columns.col(row, col), self.columns.col(row, col + len(match.group(1)))
                self.refs.append(RefFact((row, start, row, end), name, "annotation", self.scope,
                                         receiver=("name", holder.name), owner=self.owner))
            for part in match.group(1).split(b"."):
                name = part.decode("utf-8", "replace")
                start, end = self.columns.col(row, col), self.columns.col(row, col + len(part))
                self.refs.append(RefFact((row, start, row, end), name, "annotation", self.scope, receiver=receiver,
                                         owner=self.owner))
                receiver = ("name", name) if receiver is None else ("attr", receiver, name)
                col += len(part) + 1


_NAMESPACE = ("val", ("self_module",))


def _declared_names(declaration: ts.Node) -> list[str]:
    if declaration.type in ("lexical_declaration", "variable_declaration"):
        out = []
        for declarator in declaration.named_children:
            if declarator.type == "variable_declarator":
                name = declarator.child_by_field_name("name")
                if name is not None and name.type == "identifier":
                    out.append(text(name))
        return out
    name = declaration.child_by_field_name("name")
    return [text(name)] if name is not None else []


_HANDLERS = {
    "function": _Sweep.on_function, "class": _Sweep.on_class, "declarator": _Sweep.on_declarator,
    "import": _Sweep.on_import, "export": _Sweep.on_export, "assign": _Sweep.on_assign, "call": _Sweep.on_call,
    "use": _Sweep.on_use, "member": _Sweep.on_member, "field": _Sweep.on_field, "signature": _Sweep.on_signature,
    "interface": _Sweep.on_interface, "typealias": _Sweep.on_typealias, "enum": _Sweep.on_enum,
    "type": _Sweep.on_type, "typemember": _Sweep.on_typemember, "return": _Sweep.on_return,
    "comment": _Sweep.on_comment, "namespace": _Sweep.on_namespace, "typeparam": _Sweep.on_typeparam,
    "lookup": _Sweep.on_lookup, "callsig": _Sweep.on_callsig, "funcsig": _Sweep.on_funcsig,
    "forof": _Sweep.on_forof, "newcall": _Sweep.on_newcall,
}
# When one node is captured in several roles, the defining role runs first.
_ORDER = {name: i for i, name in enumerate(_HANDLERS)}


def extract(source: bytes, rel_path: str, module: str, is_package: bool) -> FileFacts:
    dialect = syntax.dialect(rel_path)
    name = module.rsplit(".", 1)[-1]
    line_count = source.count(b"\n") + (0 if source.endswith(b"\n") or not source else 1)
    if dialect == "json":
        from indexer.languages.typescript.project import read_config
        facts = _empty(source, rel_path, module, is_package, name, line_count)
        facts.extra = TsFacts(dialect="json", config=read_config(source, rel_path))
        return facts
    skipped = syntax.minified(source) or syntax.generated(source)
    if skipped:
        log.info("skipped %s: %s", rel_path, skipped)
        facts = _empty(source, rel_path, module, is_package, name, line_count)
        facts.extra = TsFacts(dialect=dialect, skipped=skipped)
        facts.errors = [f"skipped: {skipped}"]
        return facts
    tree = syntax.parser(dialect).parse(source)
    root = tree.root_node
    sweep = _Sweep(source, rel_path, module, dialect)
    sweep.symbols.append(SymbolFact(name, module, "module", sweep.columns.span(root), (0, 0, 0, 0), -1))
    captures = ts.QueryCursor(syntax.query(dialect)).captures(root)
    ordered = sorted(((node.start_byte, -node.end_byte, _ORDER[role], node) for role, nodes in captures.items()
                      for node in nodes), key=lambda item: item[:3])
    stack = sweep.stack
    for start, _neg_end, order, node in ordered:
        while len(stack) > 1 and start >= stack[-1][0]:
            stack.pop()
        _DISPATCH[order](sweep, node)
    return FileFacts(path=rel_path, module=module, language=NAME, is_package=is_package, symbols=sweep.symbols,
                     scopes=sweep.scopes, refs=sweep.refs, imports=sweep.imports,
                     errors=syntax.syntax_errors(root), line_count=line_count, extra=sweep.extra)


_DISPATCH = list(_HANDLERS.values())


def _empty(source, rel_path, module, is_package, name, line_count) -> FileFacts:
    lines = source.split(b"\n")
    end = (len(lines) - 1, len(lines[-1]))
    module_symbol = SymbolFact(name, module, "module", (0, 0, *end), (0, 0, 0, 0), -1)
    return FileFacts(path=rel_path, module=module, language=NAME, is_package=is_package, symbols=[module_symbol],
                     scopes=[ScopeFact("module", 0, -1)], refs=[], imports=[], errors=[], line_count=line_count)
