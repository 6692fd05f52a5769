"""Signature ripple: when a definition's parameters change in the buffer,
rewrite each call site to match, or give the new parameters defaults so
callers keep working. The user reviews the edits; nothing is applied here.

A call is rebuilt from what it meant under the old signature: each argument
is bound to an old parameter by name, that parameter is mapped to the new
one (same name, or renamed in place), and the new call passes it
positionally while the new signature allows, by keyword after that. New
required parameters get a named placeholder (`name=...`); arguments of
removed parameters are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter as ts

from indexer.languages.python.edits.breaking import (Baseline, Definition, definitions_before, _bound_params, _new_definitions, _reordered, _Sources,
                              _uses, check_call)
from indexer.languages.python.extract import _Columns, extract, normalize_source, parser
from indexer.graph.model import Range, Reference
from indexer.graph.query import Graph
from indexer.languages.python.edits.rename import TextEdit
from indexer.graph.vocab import RefKind, SymbolKind

PLACEHOLDER = "..."


@dataclass(frozen=True, slots=True)
class Ripple:
    target: str  # qualname of the changed definition
    title: str
    edits: tuple[TextEdit, ...]


def _param_map(old: tuple, new: tuple) -> dict[str, str | None]:
    """Old parameter name -> new name (None: removed). A parameter that
    disappeared where a new one appeared at the same position was renamed."""
    new_names = [p[0] for p in new]
    mapping: dict[str, str | None] = {}
    for index, param in enumerate(old):
        name = param[0]
        if name in new_names:
            mapping[name] = name
        elif index < len(new) and new[index][0] not in {p[0] for p in old} and new[index][1] == param[1]:
            mapping[name] = new[index][0]
        else:
            mapping[name] = None
    return mapping


def rebuild_call(arguments: ts.Node, old: tuple, new: tuple) -> str | None:
    """New text of an argument list, or None when it cannot be rewritten
    safely (splats, generator arguments)."""
    positional_old = [p for p in old if p[1] in ("posonly", "pos")]
    bound: dict[str, str] = {}
    by_keyword: set[str] = set()  # passed as name=value: stays a keyword
    extra_positional: list[str] = []
    for index, arg in enumerate(a for a in arguments.named_children if a.type != "comment"):
        text = arg.text.decode("utf-8", "replace")
        if arg.type in ("list_splat", "dictionary_splat", "generator_expression"):
            return None
        if arg.type == "keyword_argument":
            name_node, value = arg.child_by_field_name("name"), arg.child_by_field_name("value")
            if name_node is None or value is None:
                return None
            bound[name_node.text.decode()] = value.text.decode("utf-8", "replace")
            by_keyword.add(name_node.text.decode())
        elif index < len(positional_old):
            bound[positional_old[index][0]] = text
        else:
            extra_positional.append(text)  # went into *args
    mapping = _param_map(old, new)
    values: dict[str, str] = {}
    keyword_names: set[str] = set()
    for old_name, text in bound.items():
        new_name = mapping.get(old_name, old_name)
        if new_name is not None:
            values[new_name] = text
            if old_name in by_keyword:
                keyword_names.add(new_name)
    parts: list[str] = []
    positional_ok = True
    for param in new:
        name, kind, _annotation, default = param
        if kind == "varargs":
            parts.extend(extra_positional)
            positional_ok = False
            continue
        if kind == "varkw":
            continue
        if name in values:
            if kind == "posonly" or (kind == "pos" and positional_ok and name not in keyword_names):
                parts.append(values[name])
            else:
                parts.append(f"{name}={values[name]}")
                positional_ok = False
        elif default is None and kind in ("posonly", "pos", "kwonly"):
            if kind == "posonly":
                parts.append(PLACEHOLDER)
            else:
                parts.append(f"{name}={PLACEHOLDER}")
                positional_ok = False
        else:
            positional_ok = False  # skipped an optional one: later ones by keyword
    # Keywords absorbed by **kwargs in both signatures stay as they were.
    if any(p[1] == "varkw" for p in new):
        known = {p[0] for p in old}
        parts.extend(f"{k}={v}" for k, v in bound.items() if k not in known)
    return "(" + ", ".join(parts) + ")"


def _local_calls(graph: Graph, path: str, source: bytes) -> list[Reference]:
    """Calls by plain name in a buffer, with the buffer's own positions."""
    row = graph.module_of(path)
    if row is None:
        return []
    facts = extract(normalize_source(source), path, row[0], bool(row[1]))
    return [Reference(path, Range.of(*ref.span), ref.name, "call", None, None, 1.0, "buffer")
            for ref in facts.refs if ref.kind == RefKind.CALL and ref.receiver is None]


def update_call_sites(graph: Graph, path: str, source: bytes, overlays: dict[str, bytes] | None = None,
                      baseline: Baseline | None = None) -> list[Ripple]:
    """One Ripple per changed definition: every call site the change breaks,
    rewritten (compared with `baseline`, or with the indexed state of `path`).
    A call that already fits the new signature is left alone, so updating
    twice changes nothing."""
    old_defs = definitions_before(graph, path, baseline)
    new_defs = _new_definitions(graph, path, source)
    sources = _Sources(graph.root, {**(overlays or {}), path: source})
    local_calls = _local_calls(graph, path, source)
    out = []
    for qualname, before in old_defs.items():
        after = new_defs.get(qualname)
        if after is None or before.kind not in (SymbolKind.FUNCTION, SymbolKind.METHOD) or before.params == after.params:
            continue
        through_instance = before.kind == SymbolKind.METHOD
        targets = [qualname]
        if before.name == "__init__" and before.parent:
            targets = [before.parent]  # constructor calls name the class
        edits = []
        sites = [ref for target in targets for ref in _uses(graph, target, baseline)
                 if ref.kind == RefKind.CALL and ref.path != path]
        # Calls in the edited buffer itself: the index's positions there are
        # stale, so they come from the buffer (module-level functions called by name).
        if before.kind == SymbolKind.FUNCTION and before.parent not in old_defs:
            sites += [ref for ref in local_calls if ref.name == before.name]
        for ref in sites:
            found = sources.arguments_at(ref.path, ref.range.start.line, ref.range.start.character)
            if found is None:
                continue
            arguments, file_source = found
            old_params, new_params = _bound_params(before, through_instance), _bound_params(after, through_instance)
            args = sources.call_at(ref.path, ref.range.start.line, ref.range.start.character)
            if args is not None and not check_call(new_params, args) and not _reordered(old_params, new_params, args):
                continue  # fits the new signature already
            text = rebuild_call(arguments, old_params, new_params)
            if text is None or text == arguments.text.decode("utf-8", "replace"):
                continue
            span = _Columns(file_source).span(arguments)
            edits.append(TextEdit(ref.path, Range.of(*span), text, ref.confidence >= 0.5,
                                  f"call of {qualname}"))
        if edits:
            short = before.name if before.name != "__init__" else before.parent.rsplit(".", 1)[-1]
            out.append(Ripple(qualname, f"Update {len(edits)} call site{'s' * (len(edits) != 1)} of {short}()",
                              tuple(edits)))
    return out


def add_defaults(graph: Graph, path: str, source: bytes, baseline: Baseline | None = None) -> list[Ripple]:
    """The alternative: give each new required parameter a default (None) in
    the buffer, so existing callers keep working."""
    old_defs = definitions_before(graph, path, baseline)
    new_defs = _new_definitions(graph, path, source)
    source = normalize_source(source)
    tree = parser().parse(source)
    columns = _Columns(source)
    out = []
    for qualname, after in new_defs.items():
        before = old_defs.get(qualname)
        if before is None or after.kind not in (SymbolKind.FUNCTION, SymbolKind.METHOD) or before.params == after.params:
            continue
        old_names = {p[0] for p in before.params}
        added = [p[0] for p in after.params
                 if p[0] not in old_names and p[3] is None and p[1] in ("pos", "kwonly")]
        if not added:
            continue
        edits = []
        for node in _parameter_nodes(tree, after):
            name = node if node.type == "identifier" else (node.named_children[0] if node.named_children else None)
            if name is None or name.text.decode() not in added:
                continue
            end = columns.span(node)[2:]
            default = "=None" if node.type == "identifier" else " = None"  # PEP 8 spacing with annotations
            edits.append(TextEdit(path, Range.of(*end, *end), default, True, "default for a new parameter"))
        if edits:
            out.append(Ripple(qualname, f"Add a default to keep callers of {after.name}() working", tuple(edits)))
    return out


def _parameter_nodes(tree: ts.Tree, definition: Definition) -> list[ts.Node]:
    """Parameter nodes of the function definition with this name and signature."""
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "function_definition":
            name = node.child_by_field_name("name")
            if name is not None and name.text.decode() == definition.name:
                params = node.child_by_field_name("parameters")
                if params is not None:
                    return [p for p in params.named_children if p.type in ("identifier", "typed_parameter")]
        stack.extend(node.named_children)
    return []
