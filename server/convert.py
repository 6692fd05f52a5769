"""The only place where indexer types meet LSP types (our to_proto/from_proto).

Indexer positions already are 0-based lines and UTF-16 columns, and the
server forces the UTF-16 position encoding, so ranges copy over as they are.
Paths are relative to a folder root; URIs are built here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from json.encoder import encode_basestring_ascii
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path

from indexer.graph.model import Range, Reference, Symbol
from indexer.analysis.hover_text import render_hover
from indexer.analysis.navigation import Call, Highlight, HoverInfo
from indexer.graph.vocab import SymbolKind
from server.host.uris import uri_to_path  # noqa: F401  (one reader of URIs, the host's)
from server.protocol.status_wire import status_wire

SHOW_REFERENCES = "codemeld.showReferences"

_KINDS = {
    "module": types.SymbolKind.Module,
    "class": types.SymbolKind.Class,
    "function": types.SymbolKind.Function,
    "method": types.SymbolKind.Method,
    "variable": types.SymbolKind.Variable,
    "constant": types.SymbolKind.Constant,
    "attribute": types.SymbolKind.Field,
    "parameter": types.SymbolKind.Variable,
    "property": types.SymbolKind.Property,
    "field": types.SymbolKind.Field,
    "interface": types.SymbolKind.Interface,
    "type": types.SymbolKind.TypeParameter,
    "enum": types.SymbolKind.Enum,
}


# -- from LSP ------------------------------------------------------------------




def plain(value):
    """Params of a custom request (pygls hands them over as named tuples) as plain JSON values."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def text_position(value) -> tuple[str, int, int] | None:
    """(uri, line, character) from `{textDocument: {uri}, position: {line, character}}`."""
    value = plain(value)
    if not isinstance(value, dict):
        return None
    doc, pos = value.get("textDocument"), value.get("position")
    if not isinstance(doc, dict) or not isinstance(pos, dict):
        return None
    uri, line, character = doc.get("uri"), pos.get("line"), pos.get("character")
    if not isinstance(uri, str) or not isinstance(line, int) or not isinstance(character, int):
        return None
    return uri, line, character


# -- to LSP ----------------------------------------------------------------------


@lru_cache(maxsize=8192)
def path_uri(root: Path, path: str) -> str:
    # Cached: answers with thousands of locations repeat a few hundred paths,
    # and from_fs_path costs tens of microseconds each.
    return from_fs_path(str(root / path)) or (root / path).as_uri()


def lsp_range(r: Range) -> types.Range:
    return types.Range(types.Position(r.start.line, r.start.character),
                       types.Position(r.end.line, r.end.character))


def symbol_kind(sym: Symbol) -> types.SymbolKind:
    return _symbol_kind(sym.kind, sym.name, sym.flags)


def _symbol_kind(kind: str, name: str, flags) -> types.SymbolKind:
    if "property" in flags:
        return types.SymbolKind.Property
    if kind == SymbolKind.METHOD and name == "__init__":
        return types.SymbolKind.Constructor
    return _KINDS.get(kind, types.SymbolKind.Variable)


def location(root: Path, path: str, r: Range) -> types.Location:
    return types.Location(uri=path_uri(root, path), range=lsp_range(r))


def span_locations(root: Path, spans) -> list[dict]:
    """LSP Location objects as plain dicts straight from (path, sl, sc, el,
    ec) tuples: the wire form, without building and unstructuring an attrs
    object per location (the bulk of a 40,000-location answer's time, see
    evals/bench_refs.py)."""
    return [{"uri": path_uri(root, path),
             "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}}
            for path, sl, sc, el, ec in spans]


def location_items(root: Path, spans) -> str:
    """The same Locations as JSON text, comma-separated items without the
    brackets ("" for none; `server.wire.array` joins pages), made straight
    from the tuples: no dict per location for cattrs and json to walk (see
    server/wire.py). One format string per file, its URI escaped once."""
    formats: dict[str, str] = {}

    def format_of(path: str) -> str:
        uri = json.dumps(path_uri(root, path)).replace("%", "%%")  # URIs hold %-escapes
        made = formats[path] = ('{"uri":' + uri + ',"range":{"start":{"line":%d,"character":%d},'
                                '"end":{"line":%d,"character":%d}}}')
        return made

    try:
        return ",".join([(formats.get(span[0]) or format_of(span[0])) % span[1:] for span in spans])
    except TypeError:  # a NULL column (%d refuses None): the dicts' JSON says null
        return json.dumps(span_locations(root, spans), separators=(",", ":"))[1:-1]


def definition_locations(root: Path, symbols: list[Symbol]) -> list[types.Location]:
    return [location(root, s.path, s.selection_range) for s in symbols]


def reference_locations(root: Path, refs: list[Reference]) -> list[types.Location]:
    return [location(root, r.path, r.range) for r in refs]


def hover(info: HoverInfo | None, explanation: str = "") -> types.Hover | None:
    if info is None:
        return None
    text = render_hover(info.symbol, info.references, info.files, info.impact, explanation)
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), range=None)


def document_symbols(symbols: list[Symbol]) -> list[types.DocumentSymbol]:
    """Nest by `parent` (symbols come in source order, parents first)."""
    nodes: dict[str, types.DocumentSymbol] = {}
    roots: list[types.DocumentSymbol] = []
    for sym in symbols:
        node = types.DocumentSymbol(
            name=sym.name, kind=symbol_kind(sym), range=lsp_range(sym.range),
            selection_range=lsp_range(sym.selection_range), detail=sym.signature or None, children=[])
        parent = nodes.get(sym.parent) if sym.parent else None
        (parent.children if parent is not None else roots).append(node)
        nodes.setdefault(sym.qualname, node)
    return roots


def workspace_symbol(root: Path, sym: Symbol) -> types.WorkspaceSymbol:
    container = sym.parent or None
    return types.WorkspaceSymbol(name=sym.name, kind=symbol_kind(sym),
                                 location=location(root, sym.path, sym.selection_range),
                                 container_name=container)


def _item_data(root: Path, sym: Symbol) -> dict:
    # Comes back with incomingCalls/outgoingCalls/supertypes/subtypes: the
    # folder and qualname identify the symbol without another position lookup.
    return {"root": str(root), "qualname": sym.qualname}


def item_target(data) -> tuple[str, str] | None:
    """(root, qualname) from a hierarchy item's data; None when the client lost it."""
    if isinstance(data, dict) and isinstance(data.get("root"), str) and isinstance(data.get("qualname"), str):
        return data["root"], data["qualname"]
    return None


def call_item(root: Path, sym: Symbol) -> types.CallHierarchyItem:
    return types.CallHierarchyItem(
        name=sym.name, kind=symbol_kind(sym), uri=path_uri(root, sym.path), range=lsp_range(sym.range),
        selection_range=lsp_range(sym.selection_range), detail=sym.qualname, data=_item_data(root, sym))


def incoming_calls(root: Path, calls: list[Call]) -> list[types.CallHierarchyIncomingCall]:
    return [types.CallHierarchyIncomingCall(from_=call_item(root, c.symbol), from_ranges=[lsp_range(r) for r in c.ranges])
            for c in calls]


_RANGE = '{"start":{"line":%d,"character":%d},"end":{"line":%d,"character":%d}}'


def incoming_call_items(root: Path, rows) -> list[str]:
    """`incoming_calls` as JSON text, one item per caller, straight from
    `navigation.incoming_call_rows` (sent as is: server/wire.py)."""
    data_root = encode_basestring_ascii(str(root))
    uris: dict[str, str] = {}  # each file's URI escaped once (a file holds many callers)
    out = []
    for (qualname, name, kind, flags, path, sl, sc, el, ec, nsl, nsc, nel, nec), sites in rows:
        number = _symbol_kind(kind, name, flags.split(",") if flags else ())
        q = encode_basestring_ascii(qualname)
        uri = uris.get(path)
        if uri is None:
            uri = uris[path] = encode_basestring_ascii(path_uri(root, path))
        out.append(
            f'{{"from":{{"name":{encode_basestring_ascii(name)},"kind":{int(number)},'
            f'"uri":{uri},"range":{_RANGE % (sl, sc, el, ec)},'
            f'"selectionRange":{_RANGE % (nsl, nsc, nel, nec)},"detail":{q},'
            f'"data":{{"root":{data_root},"qualname":{q}}}}},"fromRanges":[{",".join([_RANGE % s for s in sites])}]}}')
    return out


def outgoing_calls(root: Path, calls: list[Call]) -> list[types.CallHierarchyOutgoingCall]:
    return [types.CallHierarchyOutgoingCall(to=call_item(root, c.symbol), from_ranges=[lsp_range(r) for r in c.ranges])
            for c in calls]


def type_item(root: Path, sym: Symbol) -> types.TypeHierarchyItem:
    return types.TypeHierarchyItem(
        name=sym.name, kind=symbol_kind(sym), uri=path_uri(root, sym.path), range=lsp_range(sym.range),
        selection_range=lsp_range(sym.selection_range), detail=sym.qualname, data=_item_data(root, sym))


def code_lenses(root: Path, counts: list[tuple[Symbol, int]]) -> list[types.CodeLens]:
    out = []
    for sym, count in counts:
        start = sym.selection_range.start
        title = f"{count} reference{'' if count == 1 else 's'}"
        # Arguments match what editors' "show references" commands take; the
        # server also answers the command itself with the locations.
        command = types.Command(title=title, command=SHOW_REFERENCES,
                                arguments=[path_uri(root, sym.path), {"line": start.line, "character": start.character}])
        out.append(types.CodeLens(range=lsp_range(sym.selection_range), command=command))
    return out


IMPACT = "codemeld.impact"


def impact_lenses(root: Path, symbols: list[Symbol]) -> list[types.CodeLens]:
    """Unresolved "N dependents · M tests" lenses: the count is computed when
    the editor shows the lens (codeLens/resolve), not for the whole file."""
    out = []
    for sym in symbols:
        start = sym.selection_range.start
        out.append(types.CodeLens(range=lsp_range(sym.selection_range), data={
            "impact": sym.qualname, "uri": path_uri(root, sym.path),
            "position": {"line": start.line, "character": start.character}}))
    return out


def resolved_impact_lens(lens: types.CodeLens, title: str) -> types.CodeLens:
    data = lens.data or {}
    return types.CodeLens(range=lens.range, data=lens.data, command=types.Command(
        title=title, command=IMPACT, arguments=[data.get("uri"), data.get("position")]))


def diagnostic(b) -> types.Diagnostic:
    """A breaking change at a use site (indexer.analysis.impact.Breaking)."""
    return types.Diagnostic(range=lsp_range(b.range), message=b.message, severity=types.DiagnosticSeverity.Error,
                            source="codemeld", code="breaking-change", data={"target": b.target})


def highlights(found: list[Highlight]) -> list[types.DocumentHighlight]:
    kinds = {"read": types.DocumentHighlightKind.Read, "write": types.DocumentHighlightKind.Write}
    return [types.DocumentHighlight(range=lsp_range(h.range), kind=kinds.get(h.kind, types.DocumentHighlightKind.Text))
            for h in found]


def status(folders: list[dict]) -> dict:
    """`codemeld/status`: totals over all folders, and each folder's own."""
    return status_wire(folders)  # plain: an editor's first poll never waits for pydantic


# -- codemeld/search and codemeld/explain (JSON contracts of DESIGN.md) -----------


def search_results(root: Path, hits, source: str = "semantic") -> list[dict]:
    """`SearchHit`s (semantic) or `TextHit`s (text) -> `[{symbol, score, snippet, source}]`."""
    from server.protocol import edge  # pydantic models: loaded on first use, not at each start
    return [edge.search_result(h, path_uri(root, h.symbol.path), source).wire() for h in hits]


def explanation(result) -> dict | None:
    """`indexer.explain.Explanation` -> `{qualname, markdown, short, source, model, note}`."""
    from server.protocol import edge  # pydantic models: loaded on first use, not at each start
    return edge.explanation(result).wire() if result is not None else None


# -- edits (rename, code actions, file moves) ------------------------------------------


def edit_capabilities(caps: types.ClientCapabilities | None) -> tuple[bool, bool]:
    """(documentChanges, changeAnnotationSupport) from the client's workspaceEdit capabilities."""
    edit = caps.workspace.workspace_edit if caps and caps.workspace else None
    if edit is None:
        return False, False
    return bool(edit.document_changes), bool(edit.document_changes and edit.change_annotation_support)


def workspace_edit(root: Path, edits, versions: dict[str, int | None], document_changes: bool,
                   annotations: bool) -> tuple[types.WorkspaceEdit, int]:
    """(WorkspaceEdit, uncertain edits left out) from indexer `TextEdit`s.

    With `documentChanges`, one versioned TextDocumentEdit per file (`versions`:
    uri -> the open buffer's version, None for files that are not open) and
    every uncertain edit under a ChangeAnnotation with needsConfirmation whose
    label is the reason. A client that cannot show annotations gets the
    certain edits only: an uncertain edit is never applied unconfirmed."""
    by_uri: dict[str, list] = {}
    notes: dict[str, types.ChangeAnnotation] = {}
    ids: dict[str, str] = {}
    left_out = 0
    for edit in sorted(edits, key=lambda e: (e.path, e.range.start.line, e.range.start.character)):
        uri = path_uri(root, edit.path)
        if edit.certain:
            out = types.TextEdit(range=lsp_range(edit.range), new_text=edit.new_text)
        elif annotations:
            note_id = ids.setdefault(edit.reason, f"codemeld.confirm.{len(ids)}")
            notes[note_id] = types.ChangeAnnotation(label=edit.reason, needs_confirmation=True,
                                                    description=f"{edit.path}:{edit.range.start.line + 1}")
            out = types.AnnotatedTextEdit(range=lsp_range(edit.range), new_text=edit.new_text,
                                          annotation_id=note_id)
        else:
            left_out += 1
            continue
        by_uri.setdefault(uri, []).append(out)
    if not document_changes:
        return types.WorkspaceEdit(changes=by_uri), left_out
    changes = [types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=versions.get(uri)),
        edits=file_edits) for uri, file_edits in by_uri.items()]
    return types.WorkspaceEdit(document_changes=changes, change_annotations=notes or None), left_out


def prepare_rename(r: Range, name: str) -> types.PrepareRenamePlaceholder:
    return types.PrepareRenamePlaceholder(range=lsp_range(r), placeholder=name)
