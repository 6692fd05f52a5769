"""One Go file -> FileFacts: package-level definitions from the query
(`queries/go-defs.scm`), then one sweep over the tree for uses, local
bindings (with what they hold, for typing receivers later) and tests.
Never raises on bad input: tree-sitter recovers, errors are reported."""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath

import tree_sitter as ts

from indexer.languages.base import FileFacts, ImportFact, RefFact, ScopeFact, SymbolFact
from indexer.languages.go import buildtags, gomod, syntax
from indexer.languages.go.facts import GoFacts, GoSummary, TypeInfo
from indexer.languages.go.syntax import Columns, text
from indexer.graph.vocab import SymbolKind

NAME = "go"
_GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.$", re.M)
_TEST_NAME = re.compile(r"^Test([^a-z].*)?$")
_MAX_ERRORS = 20
_SCOPE_NODES = {"block", "for_statement", "if_statement", "expression_switch_statement",  # type switches: below
                "select_statement", "expression_case", "type_case",
                "default_case", "communication_case"}
_TYPE_NODES = {"type_identifier", "qualified_type", "pointer_type", "slice_type", "array_type", "map_type",
               "channel_type", "generic_type", "function_type", "parenthesized_type", "struct_type",
               "interface_type", "implicit_length_array_type", "negated_type", "type_constraint"}


def package_key(rel_path: str) -> str:
    """The package directory of a file: its package's qualified name is
    `go:<dir>` (the root package takes its package clause's name instead)."""
    return str(PurePosixPath(rel_path).parent) if "/" in rel_path else ""


def subtest_name(literal: str) -> str:
    """The name `go test` gives a subtest: spaces become underscores."""
    return re.sub(r"\s", "_", literal)


def _qual_part(name: str) -> str:
    return re.sub(r"[^\w]", "_", name) or "_"


class _Extractor:
    def __init__(self, source: bytes, rel_path: str):
        self.source = source
        self.rel_path = rel_path
        self.cols = Columns(source)
        self.symbols: list[SymbolFact] = []
        self.scopes: list[ScopeFact] = []
        self.refs: list[RefFact] = []
        self.imports: dict[str, str] = {}
        self.import_facts: list[ImportFact] = []
        self.module = ""
        self.summary: GoSummary | None = None
        self.is_test_file = rel_path.endswith("_test.go")
        # inside a function: its local type names -> their key in the package's type table
        self.local_types: dict[str, str] = {}

    # -- type and value expressions ---------------------------------------
    def te(self, node: ts.Node | None) -> tuple | None:
        if node is None:
            return None
        kind = node.type
        if kind == "type_identifier":
            return ("n", None, self.local_types.get(text(node), text(node)))
        if kind == "qualified_type":
            path = self.imports.get(text(node.child_by_field_name("package")))
            return ("n", path, text(node.child_by_field_name("name"))) if path else None
        if kind == "pointer_type":
            inner = self.te(node.named_children[0] if node.named_children else None)
            return ("ptr", inner) if inner else None
        if kind in ("slice_type", "array_type", "implicit_length_array_type"):
            inner = self.te(node.child_by_field_name("element"))
            return ("slice", inner) if inner else None
        if kind == "map_type":
            return ("map", self.te(node.child_by_field_name("key")), self.te(node.child_by_field_name("value")))
        if kind == "channel_type":
            return ("chan", self.te(node.child_by_field_name("value")))
        if kind == "generic_type":
            return self.te(node.child_by_field_name("type"))
        if kind == "parenthesized_type":
            return self.te(node.named_children[0] if node.named_children else None)
        if kind == "function_type":
            return ("func", self.results(node.child_by_field_name("result")))
        return None

    def results(self, node: ts.Node | None) -> tuple:
        if node is None:
            return ()
        if node.type == "parameter_list":
            out = []
            for param in node.named_children:
                if param.type != "parameter_declaration":
                    continue
                names = param.children_by_field_name("name")
                out.extend([self.te(param.child_by_field_name("type"))] * max(1, len(names)))
            return tuple(out)
        return (self.te(node),)

    def ve(self, node: ts.Node | None, scope: int = -1) -> tuple | None:
        if node is None:
            return None
        kind = node.type
        if kind == "identifier":
            name = text(node)
            return ("id", name)
        if kind == "selector_expression":
            operand, field = node.child_by_field_name("operand"), text(node.child_by_field_name("field"))
            path = self._package_alias(operand, scope)
            if path:
                return ("pkg", path, field)
            inner = self.ve(operand, scope)
            return ("sel", inner, field) if inner else None
        if kind == "call_expression":
            func = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments")
            if func is not None and func.type == "identifier" and text(func) in ("new", "make") and args:
                first = args.named_children[0] if args.named_children else None
                made = self.te(first)
                return (("new" if text(func) == "new" else "lit"), made) if made else None
            inner = self.ve(func, scope)
            return ("call", inner) if inner else None
        if kind == "composite_literal":
            made = self.te(node.child_by_field_name("type"))
            return ("lit", made) if made else None
        if kind == "unary_expression":
            operand = self.ve(node.child_by_field_name("operand"), scope)
            op = text(node.child_by_field_name("operator"))
            if operand is None:
                return None
            return ("addr", operand) if op == "&" else ("deref", operand) if op == "*" else None
        if kind == "slice_expression":
            return self.ve(node.child_by_field_name("operand"), scope)
        if kind == "index_expression":
            inner = self.ve(node.child_by_field_name("operand"), scope)
            return ("index", inner) if inner else None
        if kind == "type_assertion_expression":
            made = self.te(node.child_by_field_name("type"))
            return ("lit", made) if made else None
        if kind == "func_literal":
            return ("lit", ("func", self.results(node.child_by_field_name("result"))))
        if kind == "parenthesized_expression":
            return self.ve(node.named_children[0] if node.named_children else None, scope)
        if kind == "type_conversion_expression":
            made = self.te(node.child_by_field_name("type"))
            return ("lit", made) if made else None
        return None

    def _package_alias(self, node: ts.Node | None, scope: int) -> str | None:
        """The import path `node` names when it is an import alias not
        shadowed by a local binding."""
        if node is None or node.type != "identifier":
            return None
        name = text(node)
        path = self.imports.get(name)
        if path is None:
            return None
        while scope >= 0:
            if name in self.scopes[scope].names:
                return None
            scope = self.scopes[scope].parent
        return path

    # -- symbols -------------------------------------------------------------
    def add_symbol(self, name: str, qualname: str, kind: str, node: ts.Node, name_node: ts.Node | None,
                   parent: int, **extra) -> int:
        self.symbols.append(SymbolFact(
            name, qualname, kind, self.cols.span(node),
            self.cols.span(name_node) if name_node is not None else self.cols.span(node), parent,
            body_hash=hashlib.sha1(node.text).hexdigest()[:16], **extra))
        return len(self.symbols) - 1

    def docstring(self, node: ts.Node) -> str:
        lines = []
        prev = node.prev_sibling
        row = node.start_point[0]
        while prev is not None and prev.type == "comment" and prev.end_point[0] == row - 1:
            body = text(prev)
            lines.append(body[2:].strip() if body.startswith("//") else body[2:-2].strip())
            row = prev.start_point[0]
            prev = prev.prev_sibling
        return "\n".join(reversed(lines))

    def signature(self, node: ts.Node) -> str:
        body = node.child_by_field_name("body")
        end = body.start_byte if body is not None else node.end_byte
        return " ".join(self.source[node.start_byte:end].decode("utf-8", "replace").split())

    # -- the walk ------------------------------------------------------------
    def run(self, root: ts.Node, module_hint: str) -> None:
        clause = next((c for c in root.named_children if c.type == "package_clause"), None)
        package = text(clause.named_children[0]) if clause is not None and clause.named_children else ""
        directory = package_key(self.rel_path)
        key = directory.replace(".", "_") or package or "_"  # dots separate qualname parts
        if package.endswith("_test"):
            key += "_test"
        self.module = f"{NAME}:{key}"
        self.package, self.dir = package, directory
        for decl in root.named_children:
            if decl.type == "import_declaration":
                self.read_imports(decl)
        self.summary = GoSummary(self.module, self.rel_path, directory, package,
                                 imports=tuple(dict.fromkeys(self.imports.values())))
        self.add_symbol(package or key, self.module, "module", root, clause.named_children[0] if clause and clause.named_children else None, -1)
        self.scopes.append(ScopeFact("module", 0, -1))
        self.read_definitions(root)
        self.walk_uses(root)

    def read_imports(self, decl: ts.Node) -> None:
        specs = [n for n in decl.named_children if n.type == "import_spec"]
        for spec_list in (n for n in decl.named_children if n.type == "import_spec_list"):
            specs.extend(n for n in spec_list.named_children if n.type == "import_spec")
        for spec in specs:
            path = syntax.string_value(spec.child_by_field_name("path"))
            if not path:
                continue
            alias_node = spec.child_by_field_name("name")
            alias = text(alias_node) if alias_node is not None else path.rsplit("/", 1)[-1]
            if alias_node is None and re.fullmatch(r"v\d+", alias) and "/" in path:
                alias = path.rsplit("/", 2)[-2]  # example.com/x/v2 is package x
            if alias not in ("_", "."):
                self.imports[alias.replace("-", "_").replace(".", "_")] = path
            self.import_facts.append(ImportFact(0, path, (alias,), spec.start_point[0]))

    def read_definitions(self, root: ts.Node) -> None:
        matches = ts.QueryCursor(syntax.defs_query()).matches(root)
        seen: set[int] = set()
        types: dict[str, int] = {}
        methods = []
        summary = self.summary
        for _pattern, captures in matches:
            role = next(k for k in captures if k != "name")
            node = captures[role][0]
            if node.id in seen:
                continue
            seen.add(node.id)
            name_node = node.child_by_field_name("name")
            name = text(name_node)
            if role in ("type", "alias"):
                types[name] = self.add_type(node, name_node, role == "alias")
            elif role == "function":
                is_test = self.is_test_file and bool(_TEST_NAME.match(name)) and self._takes_testing_t(node)
                result = self.results(node.child_by_field_name("result"))
                if not (name == "init" or name == "_"):
                    summary.funcs[name] = result
                self.add_symbol(name, f"{self.module}.{name}", "function", node, name_node, 0,
                                signature=self.signature(node), docstring=self.docstring(node),
                                returns=result or None, is_test=is_test,
                                body_line=self._body_line(node))
            elif role == "method":
                methods.append((node, name_node, name))
            elif role in ("constant", "variable"):
                spec_type = self.te(node.child_by_field_name("type"))
                values = node.child_by_field_name("value")
                value_nodes = values.named_children if values is not None else []
                names = node.children_by_field_name("name")
                decl = node.parent if node.parent.type != "var_spec_list" else node.parent.parent
                for i, each in enumerate(names):
                    ident = text(each)
                    if ident == "_":
                        continue
                    if spec_type is not None:
                        held = ("type", spec_type)
                    elif len(value_nodes) == len(names):
                        held = self.ve(value_nodes[i])
                    elif len(value_nodes) == 1:
                        inner = self.ve(value_nodes[0])
                        held = ("nth", inner, i) if inner else None
                    else:
                        held = None
                    summary.values[ident] = held
                    self.add_symbol(ident, f"{self.module}.{ident}", role, node, each, 0,
                                    signature=" ".join(text(node).split())[:200],
                                    docstring=self.docstring(decl if len(decl.named_children) == 1 else node))
        for node, name_node, name in methods:
            recv_type = self.receiver_type(node)
            if not recv_type:
                continue
            result = self.results(node.child_by_field_name("result"))
            summary.methods.setdefault(recv_type, {})[name] = result
            self.add_symbol(name, f"{self.module}.{recv_type}.{name}", "method", node, name_node,
                            types.get(recv_type, 0), signature=self.signature(node),
                            docstring=self.docstring(node), returns=result or None,
                            body_line=self._body_line(node))

    def _body_line(self, node: ts.Node) -> int | None:
        body = node.child_by_field_name("body")
        return body.start_point[0] if body is not None else None

    def _takes_testing_t(self, node: ts.Node) -> bool:
        params = node.child_by_field_name("parameters")
        return params is not None and "testing.T" in text(params)

    def receiver_type(self, node: ts.Node) -> str:
        receiver = node.child_by_field_name("receiver")
        param = next((p for p in receiver.named_children if p.type == "parameter_declaration"), None) \
            if receiver is not None else None
        kind = param.child_by_field_name("type") if param is not None else None
        while kind is not None and kind.type in ("pointer_type", "generic_type", "parenthesized_type"):
            kind = kind.child_by_field_name("type") if kind.type == "generic_type" else (
                kind.named_children[0] if kind.named_children else None)
        return text(kind) if kind is not None and kind.type == "type_identifier" else ""

    def add_type(self, node: ts.Node, name_node: ts.Node, alias: bool, key: str = "", parent: int = 0) -> int:
        """A type and its fields or interface methods; `key` names a type
        declared in a function body (`Run.point`), under `parent`."""
        name = text(name_node)
        key = key or name
        body = node.child_by_field_name("type")
        qualname = f"{self.module}.{key}"
        kind = "alias" if alias else {"struct_type": "struct", "interface_type": "interface"}.get(
            body.type if body is not None else "", "other")
        index = self.add_symbol(name, qualname, "class", node, name_node, parent, flags=(kind,),
                                signature=("type " + " ".join(text(node).split()))[:200],
                                docstring=self.docstring(node.parent if len(node.parent.named_children) == 1 else node))
        info = TypeInfo(kind)
        if kind == "struct":
            embeds = []
            for field_list in (c for c in body.named_children if c.type == "field_declaration_list"):
                for field in (c for c in field_list.named_children if c.type == "field_declaration"):
                    field_type = self.te(field.child_by_field_name("type"))
                    names = field.children_by_field_name("name")
                    if not names:
                        if field_type:
                            embeds.append(field_type)
                        continue
                    for each in names:
                        info.fields[text(each)] = field_type
                        self.add_symbol(text(each), f"{qualname}.{text(each)}", "attribute", field, each, index,
                                        signature=" ".join(text(field).split())[:200],
                                        docstring=self.docstring(field))
            info.embeds = tuple(embeds)
        elif kind == SymbolKind.INTERFACE:
            embeds = []
            for member in body.named_children:
                if member.type == "method_elem":
                    member_name = member.child_by_field_name("name")
                    info.imethods[text(member_name)] = self.results(member.child_by_field_name("result"))
                    self.add_symbol(text(member_name), f"{qualname}.{text(member_name)}", "method", member,
                                    member_name, index, signature=" ".join(text(member).split()),
                                    docstring=self.docstring(member))
                elif member.type == "type_elem" and len(member.named_children) == 1:
                    embedded = self.te(member.named_children[0])
                    if embedded:
                        embeds.append(embedded)
            info.embeds = tuple(embeds)
        else:
            info.underlying = self.te(body)
        self.summary.types[key] = info
        return index

    def declare_local_types(self, decl: ts.Node, owner: int) -> None:
        """Types declared in a function body: symbols under the function, kept
        in the package's type table as `Func.T` (so their qualnames read
        `go:pkg.Func.T`). Go allows them no methods; they satisfy interfaces,
        and local interfaces are satisfied, by method names like any other."""
        body = decl.child_by_field_name("body")
        specs = [spec for declaration in (_descendants(body, "type_declaration") if body is not None else ())
                 for spec in declaration.named_children if spec.type in ("type_spec", "type_alias")]
        prefix = self.symbols[owner].qualname[len(self.module) + 1:]
        self.local_types = {text(s.child_by_field_name("name")): f"{prefix}.{text(s.child_by_field_name('name'))}"
                            for s in specs if s.child_by_field_name("name") is not None and owner > 0}
        for spec in specs:
            name_node = spec.child_by_field_name("name")
            if name_node is not None and text(name_node) in self.local_types:
                self.add_type(spec, name_node, spec.type == "type_alias", self.local_types[text(name_node)], owner)

    # -- uses ----------------------------------------------------------------
    def owner_of(self, node: ts.Node) -> int:
        """The package-level symbol a top-level declaration defines."""
        return 0

    def walk_uses(self, root: ts.Node) -> None:
        by_span = {}
        for index, sym in enumerate(self.symbols):
            by_span.setdefault(sym.span, index)
        for decl in root.named_children:
            owner = by_span.get(self.cols.span(decl), 0)
            if decl.type in ("function_declaration", "method_declaration"):
                scope = self.new_scope("function", owner, 0)
                self.declare_local_types(decl, owner)
                self.walk(decl, scope, owner, owner if self.symbols[owner].is_test else -1)
                self.local_types = {}
            elif decl.type in ("const_declaration", "var_declaration", "type_declaration"):
                for spec in self._specs(decl):
                    spec_owner = by_span.get(self.cols.span(spec), 0)
                    self.walk(spec, 0, spec_owner, -1)

    def _specs(self, decl: ts.Node):
        for child in decl.named_children:
            if child.type in ("var_spec_list", "const_spec_list"):
                yield from child.named_children
            elif child.type != "comment":
                yield child

    def new_scope(self, kind: str, symbol: int, parent: int) -> int:
        self.scopes.append(ScopeFact(kind, symbol, parent))
        return len(self.scopes) - 1

    def bind(self, scope: int, name_node: ts.Node, held, statement: ts.Node | None = None) -> None:
        """A local: ("local", what it holds, where its statement starts,
        where it becomes visible). `x := x.f()` reads the outer x: the new
        one is visible only after its statement."""
        name = text(name_node)
        if name and name != "_":
            where = self.cols.span(statement) if statement is not None else (0, 0, 0, 0)
            self.scopes[scope].names[name] = ("local", held, where[:2], where[2:])

    def use(self, node: ts.Node, name: str, kind: str, scope: int, owner: int, receiver=None, module=None) -> None:
        self.refs.append(RefFact(self.cols.span(node), name, kind, scope, receiver=receiver, module=module,
                                 owner=owner))

    def bind_params(self, params: ts.Node | None, scope: int) -> None:
        if params is None:
            return
        for param in params.named_children:
            if param.type in ("parameter_declaration", "variadic_parameter_declaration"):
                held = self.te(param.child_by_field_name("type"))
                if param.type == "variadic_parameter_declaration" and held:
                    held = ("slice", held)
                for name in param.children_by_field_name("name"):
                    self.bind(scope, name, ("type", held) if held else None)

    def walk(self, node: ts.Node, scope: int, owner: int, test: int) -> None:
        """Uses under `node`. `test` is the enclosing test (or subtest)
        symbol, -1 outside tests: its `t.Run("name", func...)` are subtests."""
        kind = node.type
        if kind in ("function_declaration", "method_declaration", "func_literal"):
            if kind == "func_literal":
                scope = self.new_scope("function", owner, scope)
            for type_param in _type_params(node):
                self.bind(scope, type_param, None)
            self.bind_params(node.child_by_field_name("receiver"), scope)
            self.bind_params(node.child_by_field_name("parameters"), scope)
            result = node.child_by_field_name("result")
            if result is not None and result.type == "parameter_list":
                self.bind_params(result, scope)  # named results are locals too
            for child in node.named_children:
                if child.type in ("identifier", "field_identifier"):
                    continue  # the declared name
                self.walk(child, scope, owner, test)
            return
        if kind in _SCOPE_NODES:
            scope = self.new_scope("block", owner, scope)
        elif kind == "identifier":
            name = text(node)
            if name != "_":
                parent = node.parent
                ref_kind = "call" if parent is not None and parent.type == "call_expression" \
                    and parent.child_by_field_name("function") == node else "read"
                self.use(node, name, ref_kind, scope, owner)
            return
        elif kind == "type_identifier":
            self.use(node, text(node), self._type_use_kind(node), scope, owner)
            return
        elif kind == "qualified_type":
            path = self.imports.get(text(node.child_by_field_name("package")))
            name_node = node.child_by_field_name("name")
            self.use(name_node, text(name_node), self._type_use_kind(node), scope, owner,
                     module=(0, path, None) if path else (0, "", None))
            return
        elif kind == "selector_expression":
            operand = node.child_by_field_name("operand")
            field = node.child_by_field_name("field")
            parent = node.parent
            ref_kind = "call" if parent is not None and parent.type == "call_expression" \
                and parent.child_by_field_name("function") == node else "read"
            path = self._package_alias(operand, scope)
            if path is not None:
                self.use(field, text(field), ref_kind, scope, owner, module=(0, path, None))
                return
            if field is not None:
                self.use(field, text(field), ref_kind, scope, owner, receiver=self.ve(operand, scope))
            self.walk(operand, scope, owner, test)
            return
        elif kind == "short_var_declaration" or (kind == "range_clause" and _has_define(node)):
            self._walk_define(node, scope, owner, test)
            return
        elif kind in ("var_spec", "const_spec"):
            self._walk_local_spec(node, scope, owner, test)
            return
        elif kind in ("parameter_declaration", "variadic_parameter_declaration", "type_spec", "type_alias",
                      "type_parameter_declaration"):
            names = {n.id for n in node.children_by_field_name("name")}
            local = self.local_types.get(text(node.child_by_field_name("name"))) if scope > 0 else None
            if local is not None and kind in ("type_spec", "type_alias"):
                # a local type: visible from its name on; the binding names its table key
                start = self.cols.span(node)[:2]
                self.scopes[scope].names[text(node.child_by_field_name("name"))] = (
                    "local", ("type", ("n", None, local)), start, start, local)
            for child in node.named_children:
                if child.id not in names:
                    self.walk(child, scope, owner, test)
            return
        elif kind == "type_switch_statement":
            scope = self.new_scope("block", owner, scope)
            aliases = node.children_by_field_name("alias")
            for alias in aliases:
                for name in alias.named_children if alias.type == "expression_list" else [alias]:
                    self.bind(scope, name, None, alias)
            skip = {a.id for a in aliases}
            names = [n for a in aliases for n in (a.named_children if a.type == "expression_list" else [a])]
            for child in node.named_children:
                if child.id in skip:
                    continue
                if child.type == "type_case" and names:
                    # `case T:` with one type: the alias holds a T there.
                    case_scope = self.new_scope("block", owner, scope)
                    types = child.children_by_field_name("type")
                    held = self.te(types[0]) if len(types) == 1 else None
                    for name in names:
                        self.bind(case_scope, name, ("type", held) if held else None)
                    for grandchild in child.named_children:
                        self.walk(grandchild, case_scope, owner, test)
                    continue
                self.walk(child, scope, owner, test)
            return
        elif kind == "composite_literal":
            self._walk_literal(node, scope, owner, test, self.te(node.child_by_field_name("type")))
            return
        elif kind == "call_expression" and test >= 0 and self._subtest(node, scope, owner, test):
            return
        elif kind in ("field_identifier", "package_identifier", "label_name", "comment"):
            return
        for child in node.named_children:
            self.walk(child, scope, owner, test)

    def _type_use_kind(self, node: ts.Node) -> str:
        parent = node.parent
        if parent is not None and parent.type == "pointer_type":
            parent = parent.parent
        if parent is not None and parent.type == "field_declaration" and not parent.children_by_field_name("name"):
            return "inherit"  # an embedded struct
        if parent is not None and parent.type == "type_elem" and parent.parent is not None \
                and parent.parent.type == "interface_type":
            return "inherit"  # an embedded interface
        return "annotation"

    def _walk_define(self, node: ts.Node, scope: int, owner: int, test: int) -> None:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if right is not None:
            self.walk(right, scope, owner, test)
        if left is None:
            return
        names = left.named_children if left.type == "expression_list" else [left]
        if node.type == "range_clause":
            inner = self.ve(right, scope)
            for i, name in enumerate(names[:2]):
                if name.type == "identifier":
                    self.bind(scope, name, (("key", "elem")[i], inner) if inner else None, node)
            return
        values = right.named_children if right is not None and right.type == "expression_list" else [right]
        for i, name in enumerate(names):
            if name.type != "identifier":
                self.walk(name, scope, owner, test)
                continue
            if len(values) == len(names):
                held = self.ve(values[i], scope)
            elif len(values) == 1:
                inner = self.ve(values[0], scope)
                held = ("nth", inner, i) if inner else None
            else:
                held = None
            if text(name) in self.scopes[scope].names:
                self.use(name, text(name), "write", scope, owner)  # `:=` reassigning one already bound
            else:
                self.bind(scope, name, held, node)

    def _walk_local_spec(self, node: ts.Node, scope: int, owner: int, test: int) -> None:
        declared = self.te(node.child_by_field_name("type"))
        values = node.child_by_field_name("value")
        for child in node.named_children:
            if child.type != "identifier":
                self.walk(child, scope, owner, test)
        if scope == 0:
            return  # package level: the names are symbols already
        value_nodes = values.named_children if values is not None else []
        names = node.children_by_field_name("name")
        for i, name in enumerate(names):
            if declared:
                held = ("type", declared)
            elif len(value_nodes) == len(names):
                held = self.ve(value_nodes[i], scope)
            else:
                held = None
            self.bind(scope, name, held, node)

    def _walk_literal(self, node: ts.Node, scope: int, owner: int, test: int, made) -> None:
        type_node = node.child_by_field_name("type")
        if type_node is not None:
            self.walk(type_node, scope, owner, test)
        body = node.child_by_field_name("body")
        if body is not None:
            self._walk_literal_value(body, scope, owner, test, made)

    def _walk_literal_value(self, body: ts.Node, scope: int, owner: int, test: int, made) -> None:
        element_type = made[1] if made and made[0] == "slice" else made[2] if made and made[0] == "map" else None
        for element in body.named_children:
            if element.type == "keyed_element":
                key, value = element.named_children[0], element.named_children[-1]
                key_inner = key.named_children[0] if key.type == "literal_element" and key.named_children else key
                if key_inner.type == "identifier" and made and made[0] in ("n", "ptr"):
                    # A struct literal's key names a field (a map's key is a value).
                    self.use(key_inner, text(key_inner), "write", scope, owner, receiver=("lit", made))
                else:
                    self._walk_element(key_inner, scope, owner, test, made[1] if made and made[0] == "map" else None)
                self._walk_element(value, scope, owner, test, element_type)
            else:
                self._walk_element(element, scope, owner, test, element_type)

    def _walk_element(self, node: ts.Node, scope: int, owner: int, test: int, element_type) -> None:
        inner = node.named_children[0] if node.type == "literal_element" and node.named_children else node
        if inner.type == "literal_value":
            self._walk_literal_value(inner, scope, owner, test, element_type)
        else:
            self.walk(inner, scope, owner, test)

    def _subtest(self, node: ts.Node, scope: int, owner: int, test: int) -> bool:
        """`t.Run("name", func(t *testing.T) {...})` with a literal name: a
        subtest symbol that owns the function literal's uses."""
        func = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if func is None or func.type != "selector_expression" or text(func.child_by_field_name("field")) != "Run" \
                or args is None or len(args.named_children) != 2:
            return False
        literal, body = args.named_children
        name = syntax.string_value(literal)
        if name is None or body.type != "func_literal" or "\\" in name:
            return False
        parent = self.symbols[test]
        run_name = subtest_name(name)
        index = self.add_symbol(run_name, f"{parent.qualname}.{_qual_part(run_name)}", "function", node, literal,
                                test, signature=f't.Run("{name}", ...)', is_test=True,
                                body_line=body.start_point[0])
        self.walk(func, scope, owner, test)
        self.walk(body, scope, index, index)
        return True


def _type_params(node: ts.Node):
    """Names of a generic function's type parameters (and of a method's
    receiver type arguments: `func (l *List[T]) ...`)."""
    params = node.child_by_field_name("type_parameters")
    if params is not None:
        for decl in params.named_children:
            yield from decl.children_by_field_name("name")
    receiver = node.child_by_field_name("receiver")
    if receiver is not None:
        for generic in _descendants(receiver, "type_arguments"):
            for arg in generic.named_children:
                inner = arg.named_children[0] if arg.type == "type_elem" and arg.named_children else arg
                if inner.type == "type_identifier":
                    yield inner


def _descendants(node: ts.Node, kind: str):
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == kind:
            yield current
        stack.extend(current.named_children)


def _has_define(node: ts.Node) -> bool:
    return any(c.type == ":=" for c in node.children)


def extract(source: bytes, rel_path: str, module: str, is_package: bool) -> FileFacts:
    if PurePosixPath(rel_path).name in ("go.mod", "go.work"):
        return gomod.extract(source, rel_path)
    if not rel_path.endswith(".go"):
        return FileFacts(rel_path, module, NAME, False, [], [], [], [], [], 0)
    tree = syntax.parser().parse(source)
    root = tree.root_node
    errors = _errors(root) if root.has_error else []
    line_count = source.count(b"\n") + (0 if source.endswith(b"\n") else 1)
    if root.has_error:
        root, source = _recovered(source, root)
    ex = _Extractor(source, rel_path)
    ex.run(root, module)
    generated = bool(_GENERATED.search(source[:4096]))
    refs = ex.refs
    if generated:
        # Generated code: its definitions stay (hand-written code uses them),
        # its thousands of uses are not worth resolving.
        refs = []
        ex.symbols[0].flags = ("generated",)
    ex.summary.imports = tuple(dict.fromkeys(p for p in ex.imports.values()))
    ex.summary.excluded = not buildtags.in_default_build(rel_path, source)
    if ex.summary.excluded:
        ex.symbols[0].flags = (*ex.symbols[0].flags, "build-excluded")
    return FileFacts(
        path=rel_path, module=ex.module, language=NAME, is_package=False, symbols=ex.symbols,
        scopes=ex.scopes, refs=refs, imports=ex.import_facts, errors=errors,
        line_count=line_count,
        extra=(GoFacts(ex.package, ex.dir, ex.imports, generated), ex.summary),
    )


# Mid-edit text usually lacks its closing brackets at the end: parsed with
# them added, the definitions above the cursor come back (spans do not move).
_CLOSERS = (b"}", b"}\n}", b"}\n}\n}", b")\n}", b")\n}\n}")


def _recovered(source: bytes, root: ts.Node) -> tuple[ts.Node, bytes]:
    for closer in _CLOSERS:
        candidate = source + b"\n" + closer + b"\n"
        tree = syntax.parser().parse(candidate)
        if not tree.root_node.has_error:
            return tree.root_node, candidate
    return root, source


def _errors(root: ts.Node) -> list[str]:
    out: list[str] = []
    stack = [root]
    while stack and len(out) < _MAX_ERRORS:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            row, col = node.start_point
            out.append(f"{row + 1}:{col + 1}: syntax error" + (f" (missing {node.type})" if node.is_missing else ""))
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return out
