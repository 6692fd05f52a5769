"""A new parameter list for a Python function, with every call site rewritten
to match (the MCP `change_signature` preview builds on this)."""

from __future__ import annotations

from indexer.languages.python.edits import ripple
from indexer.languages.python.syntax import _Columns, normalize_source, parser
from indexer.graph.model import Range, Symbol
from indexer.graph.query import Graph
from indexer.edits.textedit import TextEdit
from indexer.graph.vocab import SymbolKind


def signature_edits(graph: Graph, symbol: Symbol, new_parameters: str) -> tuple[str, list[TextEdit]]:
    """(the normalized parameter list, the edits). ValueError with the reason
    when the change cannot be made."""
    if symbol.kind not in (SymbolKind.FUNCTION, SymbolKind.METHOD):
        raise ValueError(f"{symbol.qualname} is a {symbol.kind}; only functions and methods have signatures")
    params = new_parameters.strip()
    if not params.startswith("("):
        params = f"({params})"
    probe = parser().parse(f"def f{params}:\n    pass\n".encode())
    func = probe.root_node.named_children[0] if probe.root_node.named_children else None
    if probe.root_node.has_error or func is None or func.type != "function_definition":
        raise ValueError(f"{new_parameters!r} is not a valid Python parameter list")
    file = graph.root / symbol.path
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {symbol.path}: {exc.strerror or exc}") from exc
    source = normalize_source(raw)
    node = _definition_node(parser().parse(source).root_node, symbol.selection_range.start.line, symbol.name)
    if node is None:
        raise ValueError(f"{symbol.qualname} is not where the index says ({symbol.path}:"
                         f"{symbol.selection_range.start.line + 1}); the file changed since it was indexed")
    old_params = node.child_by_field_name("parameters")
    old_return = node.child_by_field_name("return_type")
    end_node = old_return or old_params
    new_source = source[:old_params.start_byte] + params.encode() + source[end_node.end_byte:]
    columns = _Columns(source)
    start, end = columns.span(old_params), columns.span(end_node)
    definition_edit = TextEdit(symbol.path, Range.of(start[0], start[1], end[2], end[3]), params, True,
                               "the new signature")
    edits = [definition_edit]
    for change in ripple.update_call_sites(graph, symbol.path, new_source):
        if change.target == symbol.qualname:
            edits.extend(e for e in change.edits if e.path != symbol.path or not _overlaps(e, definition_edit))
    return params, edits


def _overlaps(a: TextEdit, b: TextEdit) -> bool:
    return not (a.range.end.line < b.range.start.line or a.range.start.line > b.range.end.line)


def _definition_node(root, line: int, name: str):
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "function_definition":
            name_node = node.child_by_field_name("name")
            if name_node is not None and name_node.start_point[0] == line and name_node.text.decode() == name:
                return node
        stack.extend(node.named_children)
    return None
