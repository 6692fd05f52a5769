"""Import updates when a module moves (file rename) or a symbol moves to
another module: every importer, proposed as edits for the user to accept.
"""

from __future__ import annotations

from collections import defaultdict
import tree_sitter as ts

from indexer.languages.python.syntax import _Columns, normalize_source, parser
from indexer.languages.python.modules import module_name, source_roots
from indexer.graph.model import Range
from indexer.graph.query import Graph
from indexer.languages.python.edits.rename import TextEdit
from indexer.graph.vocab import RefKind


def module_of_path(graph: Graph, rel_path: str) -> str:
    paths = graph.indexed_paths()
    return module_name(rel_path, source_roots(paths + [rel_path]))[0]


def _parse(graph: Graph, path: str, overlays: dict[str, bytes]) -> tuple[bytes, ts.Tree] | None:
    source = overlays.get(path)
    if source is None:
        try:
            source = (graph.root / path).read_bytes()
        except OSError:
            return None
    source = normalize_source(source)
    return source, parser().parse(source)


def _importers(graph: Graph, module: str) -> list[str]:
    """Files with an import (or qualified use) of the module or a name in it."""
    return graph.files_using_module(module)


def _dotted_nodes(tree: ts.Tree):
    """Module names in import statements, and attribute chains elsewhere."""
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in ("import_statement", "import_from_statement"):
            for child in node.named_children:
                if child.type == "dotted_name":
                    yield child, node
                elif child.type == "aliased_import":
                    name = child.child_by_field_name("name")
                    if name is not None:
                        yield name, node
                elif child.type == "relative_import":
                    yield child, node
            continue
        if node.type == "attribute":
            yield node, None
            continue  # the outermost chain is enough
        stack.extend(node.named_children)


def _absolute(node: ts.Node, statement: ts.Node | None, module_of_file: str, is_package: bool) -> str | None:
    text = node.text.decode("utf-8", "replace")
    if node.type != "relative_import":
        return text.replace(" ", "")
    level = len(text) - len(text.lstrip("."))
    rest = text[level:]
    parts = module_of_file.split(".")
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: max(0, len(parts) - (level - 1))]
    base = ".".join(parts)
    return f"{base}.{rest}" if base and rest else (base or rest)


def module_move_edits(graph: Graph, old_path: str, new_path: str,
                      overlays: dict[str, bytes] | None = None) -> list[TextEdit]:
    """Edits that point every importer of the module at `old_path` to the
    module that `new_path` will be (relative imports become absolute)."""
    overlays = overlays or {}
    old_module = module_of_path(graph, old_path)
    new_module = module_of_path(graph, new_path)
    if old_module == new_module:
        return []
    edits: list[TextEdit] = []
    for path in _importers(graph, old_module):
        if path == old_path:
            continue
        parsed = _parse(graph, path, overlays)
        if parsed is None:
            continue
        source, tree = parsed
        row = graph.module_of(path)
        here, is_package = (row[0], bool(row[1])) if row else ("", False)
        columns = _Columns(source)
        for node, statement in _dotted_nodes(tree):
            absolute = _absolute(node, statement, here, is_package)
            if absolute is None:
                continue
            if absolute == old_module or absolute.startswith(old_module + ".") and statement is not None:
                replacement = new_module + absolute[len(old_module):]
                edits.append(TextEdit(path, Range.of(*columns.span(node)), replacement, True,
                                      f"import of {old_module}, now {new_module}"))
            elif statement is None and absolute.startswith(old_module + "."):
                # A qualified use such as `pkg.old.func()` after `import pkg.old`.
                prefix = _attribute_prefix(node, old_module)
                if prefix is not None:
                    edits.append(TextEdit(path, Range.of(*columns.span(prefix)), new_module, True,
                                          f"qualified use of {old_module}"))
    return edits


def _attribute_prefix(node: ts.Node, dotted: str) -> ts.Node | None:
    """The sub-chain of an attribute expression that spells `dotted`."""
    current = node
    while current is not None and current.type == "attribute":
        if current.text.decode("utf-8", "replace").replace(" ", "") == dotted:
            return current
        current = current.child_by_field_name("object")
    return current if current is not None and current.text.decode() == dotted else None


def symbol_move_edits(graph: Graph, qualname: str, new_module: str,
                      overlays: dict[str, bytes] | None = None) -> list[TextEdit]:
    """`from old import f` -> `from new import f` in every importer; an import
    that brings other names too is split in two."""
    overlays = overlays or {}
    symbol = graph.symbol(qualname)
    if symbol is None or not symbol.parent:
        return []
    old_module, name = symbol.parent, symbol.name
    by_file: dict[str, list] = defaultdict(list)
    for ref in graph.references(qualname):
        if ref.kind == RefKind.IMPORT and ref.name == name:
            by_file[ref.path].append(ref)
    edits: list[TextEdit] = []
    for path, refs in sorted(by_file.items()):
        parsed = _parse(graph, path, overlays)
        if parsed is None:
            continue
        source, tree = parsed
        columns = _Columns(source)
        for ref in refs:
            statement = _statement_at(tree, ref.range.start.line)
            if statement is None or statement.type != "import_from_statement":
                continue
            names = [c for c in statement.children_by_field_name("name")]
            indent = " " * statement.start_point[1]
            moved = [c for c in names if (c.child_by_field_name("name") or c).text.decode().split(".")[0] == name]
            kept = [c for c in names if c not in moved]
            moved_text = ", ".join(c.text.decode() for c in moved)
            new_line = f"from {new_module} import {moved_text}"
            if kept:
                module_node = statement.child_by_field_name("module_name")
                kept_text = ", ".join(c.text.decode() for c in kept)
                replacement = f"from {module_node.text.decode()} import {kept_text}\n{indent}{new_line}"
            else:
                replacement = new_line
            edits.append(TextEdit(path, Range.of(*columns.span(statement)), replacement, ref.confidence >= 0.5,
                                  f"{name} moved from {old_module} to {new_module}"))
    return edits


def _statement_at(tree: ts.Tree, line: int) -> ts.Node | None:
    node = tree.root_node.descendant_for_point_range((line, 0), (line, 0))
    while node is not None and node.type not in ("import_from_statement", "import_statement"):
        if node.type == "module":
            # The position is in whitespace before the statement: look at the line.
            for child in node.named_children:
                if child.start_point[0] <= line <= child.end_point[0]:
                    return child if child.type in ("import_from_statement", "import_statement") else None
            return None
        node = node.parent
    return node

