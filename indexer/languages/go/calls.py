"""Go calls and parameter lists for the signature checks and ripple of
`languages.callsig`: parameters read back from a stored signature
(`func (m *Mem) Put(k string) error`), and the call at a reference. Go has
no optional parameters and marks exports by case (a rename), so neither
defaults nor export checks apply."""

from __future__ import annotations

from functools import lru_cache

import tree_sitter as ts

from indexer.graph.text import Columns, utf8_of_utf16
from indexer.languages.callsig import Call, named_calls
from indexer.languages.go import syntax
from indexer.languages.go.syntax import text

NAME = "go"
_DECLARATIONS = ("function_declaration", "method_declaration")


@lru_cache(maxsize=32)
def _tree(source: bytes) -> ts.Tree:
    return syntax.parser().parse(source)


def _params_of(node: ts.Node) -> tuple:
    out = []
    for param in node.named_children:
        if param.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        kind = "varargs" if param.type == "variadic_parameter_declaration" else "pos"
        annotation = text(param.child_by_field_name("type"))
        names = param.children_by_field_name("name") or [None]  # `func(int, string)`: unnamed
        for name in names:
            out.append((text(name) if name is not None else f"_{len(out)}", kind, annotation, None))
    return tuple(out)


def _declaration(source: bytes, line: int, name: str) -> ts.Node | None:
    for node in _tree(source).root_node.named_children:
        declared = node.child_by_field_name("name") if node.type in _DECLARATIONS else None
        if declared is not None and declared.start_point[0] == line and text(declared) == name:
            return node
    return None


class GoCalls:
    language = NAME

    def params(self, signature: str, kind: str, path: str) -> tuple | None:
        if not signature.startswith("func"):
            signature = f"func {signature}"  # an interface method: `Put(k string) error`
        root = _tree(f"package p\n{signature} {{}}".encode()).root_node
        declaration = next((n for n in root.named_children if n.type in _DECLARATIONS), None)
        params = declaration.child_by_field_name("parameters") if declaration is not None else None
        if params is None or params.has_error:
            return None
        return _params_of(params)

    def call_at(self, source: bytes, path: str, line: int, character: int, new: bool) -> Call | None:
        lines = source.split(b"\n")
        if new or line >= len(lines):
            return None
        column = utf8_of_utf16(lines[line].decode("utf-8", "replace"), character)
        node = _tree(source).root_node.descendant_for_point_range((line, column), (line, column))
        if node is None or node.type not in ("identifier", "field_identifier"):
            return None
        callee = node
        if node.parent is not None and node.parent.type == "selector_expression" \
                and node.parent.child_by_field_name("field") == node:
            callee = node.parent
        call = callee.parent
        if call is None or call.type != "call_expression" or call.child_by_field_name("function") != callee:
            return None
        arguments = call.child_by_field_name("arguments")
        if arguments is None:
            return None
        args = [a for a in arguments.named_children if a.type != "comment"]
        # `f(xs...)`, and `f(g())` where g may return several values: the count is unknown
        spread = any(a.type == "variadic_argument" for a in args) or (len(args) == 1 and args[0].type == "call_expression")
        return Call(tuple(text(a) for a in args), spread, Columns(source).span(arguments), text(arguments))

    def calls_named(self, source: bytes, path: str, name: str) -> list[tuple[int, int]]:
        return named_calls(_tree(source).root_node, source, name, text)

    def exported(self, facts) -> set[str] | None:
        return None  # exported by case: a change of case is a rename, reported as one

    def placeholder(self, param: tuple) -> str:
        return param[0] if not param[0].startswith("_") else "nil"

    def skipped(self) -> str | None:
        return None

    def parameter_list(self, source: bytes, path: str, line: int, name: str):
        declaration = _declaration(source, line, name)
        params = declaration.child_by_field_name("parameters") if declaration is not None else None
        if params is None:
            return None
        return params.start_byte, params.end_byte, Columns(source).span(params)

    def valid_parameters(self, params: str, path: str) -> bool:
        root = _tree(f"package p\nfunc f{params} {{}}\n".encode()).root_node
        return not root.has_error

    def optional_edits(self, source: bytes, path: str, line: int, name: str, names: list[str]):
        return []
