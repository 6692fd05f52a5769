"""TypeScript/JavaScript calls and parameter lists for the signature checks
and ripple of `languages.callsig`: parameters read back from a stored
signature, the call at a reference, what a buffer exports."""

from __future__ import annotations

from functools import lru_cache

import tree_sitter as ts

from indexer.graph.text import Columns, utf8_of_utf16
from indexer.languages.callsig import Call, named_calls
from indexer.languages.typescript import syntax
from indexer.languages.typescript.syntax import text

NAME = "typescript"
_FUNCTIONS = ("function_declaration", "generator_function_declaration", "method_definition", "arrow_function",
              "function_expression", "function", "generator_function", "method_signature", "function_signature",
              "abstract_method_signature")


@lru_cache(maxsize=32)
def _tree(source: bytes, dialect: str) -> ts.Tree:
    return syntax.parser(dialect).parse(source)


def _params_of(node: ts.Node) -> tuple:
    """(name, kind, annotation, default) of each parameter; `this:` is not one."""
    out = []
    for param in node.named_children:
        if param.type == "comment":
            continue
        pattern, annotation, value = param, None, None
        optional = param.type == "optional_parameter"
        if param.type in ("required_parameter", "optional_parameter"):
            pattern = param.child_by_field_name("pattern")
            annotation = param.child_by_field_name("type")
            value = param.child_by_field_name("value")
        elif param.type == "assignment_pattern":  # JavaScript's `a = 1`
            pattern, value = param.child_by_field_name("left"), param.child_by_field_name("right")
        if pattern is None or pattern.type == "this":
            continue
        kind = "varargs" if pattern.type == "rest_pattern" else "pos"
        name = text(pattern.named_children[0] if kind == "varargs" and pattern.named_children else pattern)
        default = text(value) if value is not None else ("?" if optional else None)
        out.append((name, kind, text(annotation).lstrip(":").strip(), default))
    return tuple(out)


def _at(source: bytes, dialect: str, line: int, character: int) -> ts.Node | None:
    lines = source.split(b"\n")
    if line >= len(lines):
        return None
    column = utf8_of_utf16(lines[line].decode("utf-8", "replace"), character)
    return _tree(source, dialect).root_node.descendant_for_point_range((line, column), (line, column))


def _declared_name(node: ts.Node) -> ts.Node | None:
    """The name a function-like node is declared under (its own, or the
    variable, field or key that holds it)."""
    name = node.child_by_field_name("name")
    if name is not None:
        return name
    holder = node.parent
    if holder is not None and holder.type in ("variable_declarator", "public_field_definition", "field_definition"):
        return holder.child_by_field_name("name") or holder.child_by_field_name("property")
    if holder is not None and holder.type == "pair":
        return holder.child_by_field_name("key")
    return None


def _parameters_node(source: bytes, dialect: str, line: int, name: str) -> ts.Node | None:
    stack = [_tree(source, dialect).root_node]
    while stack:
        node = stack.pop()
        if node.start_point[0] > line or node.end_point[0] < line:
            continue
        if node.type in _FUNCTIONS:
            declared = _declared_name(node)
            params = node.child_by_field_name("parameters")
            if declared is not None and params is not None and declared.start_point[0] == line \
                    and (text(declared) == name or name in ("default",)):
                return params
        stack.extend(node.named_children)
    return None


class TypeScriptCalls:
    language = NAME

    def params(self, signature: str, kind: str, path: str) -> tuple | None:
        dialect = syntax.dialect(path)
        probe = f"class _ {{ {signature} {{}} }}".encode()
        root = _tree(probe, dialect).root_node
        method = next((n for n in root.named_children[0].child_by_field_name("body").named_children
                       if n.type == "method_definition"), None) if root.named_children and \
            root.named_children[0].child_by_field_name("body") is not None else None
        params = method.child_by_field_name("parameters") if method is not None else None
        if params is None or params.has_error:
            return None
        return _params_of(params)

    def call_at(self, source: bytes, path: str, line: int, character: int, new: bool) -> Call | None:
        node = _at(source, syntax.dialect(path), line, character)
        if node is None or node.type not in ("identifier", "property_identifier", "type_identifier"):
            return None
        callee = node
        if node.parent is not None and node.parent.type == "member_expression" \
                and node.parent.child_by_field_name("property") == node:
            callee = node.parent
        call = callee.parent
        if call is None:
            return None
        field = "constructor" if new else "function"
        if call.type != ("new_expression" if new else "call_expression") or call.child_by_field_name(field) != callee:
            return None
        arguments = call.child_by_field_name("arguments")
        if arguments is None or arguments.type != "arguments":
            return None  # `new C` without parentheses, a tagged template
        args = [a for a in arguments.named_children if a.type != "comment"]
        return Call(tuple(text(a) for a in args), any(a.type == "spread_element" for a in args),
                    Columns(source).span(arguments), text(arguments))

    def calls_named(self, source: bytes, path: str, name: str) -> list[tuple[int, int]]:
        return named_calls(_tree(source, syntax.dialect(path)).root_node, source, name, text)

    def exported(self, facts) -> set[str] | None:
        exports = facts.extra.exports if facts.extra is not None else {}
        names: set[str] = set()
        for key, value in exports.items():
            if value[0] == "local":
                names.add(value[1])
            elif value[0] == "def":
                names.add(value[1].rsplit(".", 1)[-1])
            elif key == "=":
                return None  # `module.exports = <expression>`: what it holds is not read here
            names.add(key)
        return names

    def placeholder(self, param: tuple) -> str:
        return param[0] if param[0].isidentifier() else "undefined"

    def skipped(self) -> str | None:
        return "undefined"

    def parameter_list(self, source: bytes, path: str, line: int, name: str):
        params = _parameters_node(source, syntax.dialect(path), line, name)
        if params is None:
            return None
        return params.start_byte, params.end_byte, Columns(source).span(params)

    def valid_parameters(self, params: str, path: str) -> bool:
        root = _tree(f"function f{params} {{}}".encode(), syntax.dialect(path)).root_node
        return not root.has_error and len(root.named_children) == 1

    def optional_edits(self, source: bytes, path: str, line: int, name: str, names: list[str]):
        dialect = syntax.dialect(path)
        params = _parameters_node(source, dialect, line, name)
        if params is None:
            return []
        columns, out = Columns(source), []
        typed = syntax.is_typescript(dialect)
        kids = [p for p in params.named_children if p.type != "comment"]
        for index, param in enumerate(kids):
            pattern = param.child_by_field_name("pattern") if typed else param
            if pattern is None or pattern.type != "identifier" or text(pattern) not in names:
                continue
            later = _params_of_nodes(kids[index + 1:])
            if any(p[1] == "pos" and p[3] is None and p[0] not in names for p in later):
                return []  # a required parameter may not follow an optional one
            end = columns.span(pattern)[2:]
            out.append(((*end, *end), "?" if typed else " = undefined"))
        return out


def _params_of_nodes(nodes: list[ts.Node]) -> tuple:
    class _List:  # the shape `_params_of` reads
        named_children = nodes
    return _params_of(_List)
