"""textDocument/codeAction (+ codeAction/resolve): the signature ripple.

When a definition's parameters change in an open buffer (compared with its
saved state: `FolderIndex.baseline`), the definition and each call site it
breaks get "Update N call sites of f()" (one WorkspaceEdit over every
caller) and "Add a default to keep callers of f() working". With an LLM
endpoint configured, a changed function also gets "Ask <model> to update the
callers of f()" for what the structural rules cannot follow (return type,
semantics); its edits all need confirmation. The server never applies an
edit: it returns them, the user applies them in the editor.

Laziness: editors ask for code actions on every cursor move, so when the
client can resolve `edit`, actions come back with `data` only and the edit
is built on codeAction/resolve (the model is only ever asked then). Every
edit is checked against the versions the action was offered for.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from lsprotocol import types

from indexer.languages.python.edits.breaking import breaking_changes
from indexer.explain.llm import ChatClient, LLMConfig
from indexer.languages.python.edits.propagate import changed_definitions, propagate
from indexer.languages.python.edits.ripple import add_defaults, update_call_sites
from server import convert, edits

RIPPLE, DEFAULTS, ASK = "ripple", "defaults", "ask"
_CACHE_SIZE = 16
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def _changes(graph, folder, doc_path: str, text: bytes, overlays: dict[str, bytes]):
    """(ripples, defaults, breaks) of one open document against its saved
    state; None without one. Cached by every open text it depends on."""
    baseline = folder.baseline(doc_path)
    if baseline is None:
        return None
    key = (str(folder.root), doc_path, id(baseline), hash(text),
           hash(tuple(sorted((p, hash(t)) for p, t in overlays.items()))))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    found = (update_call_sites(graph, doc_path, text, overlays, baseline=baseline),
             add_defaults(graph, doc_path, text, baseline=baseline),
             breaking_changes(graph, doc_path, text, overlays, baseline=baseline))
    with _cache_lock:
        _cache[key] = found
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def _overlaps(r, start: int, end: int) -> bool:
    return r.start.line <= end and r.end.line >= start


def _about(target: str, breaking_target: str) -> bool:
    return breaking_target == target or target == breaking_target + ".__init__"


def offers(graph, path: str, folder, start: int, end: int, model: str | None) -> list[dict]:
    """Query thread: the actions for lines start..end of `path`, as `data` dicts."""
    overlays = folder.open_texts()
    out = []
    for doc_path, text in sorted(overlays.items()):
        found = _changes(graph, folder, doc_path, text, overlays)
        if not found:
            continue
        ripples, defaults, breaks = found
        for kind, ripple in [(RIPPLE, r) for r in ripples] + [(DEFAULTS, r) for r in defaults]:
            here = False
            if doc_path == path:  # on the definition (the index holds the buffer: its positions are current)
                here = any(s.path == path and _overlaps(s.range, start, end) for s in graph.symbols(ripple.target))
            here = here or any(b.path == path and _about(ripple.target, b.target) and _overlaps(b.range, start, end)
                               for b in breaks)
            here = here or any(e.path == path and _overlaps(e.range, start, end) for e in ripple.edits)
            if here:
                out.append({"kind": kind, "path": doc_path, "target": ripple.target, "title": ripple.title})
    if model and path in overlays and folder.baseline(path) is not None:
        enclosing = graph.enclosing_symbol(path, start)
        while enclosing is not None and enclosing.kind not in ("function", "method"):
            enclosing = graph.symbol(enclosing.parent) if enclosing.parent else None
        if enclosing is not None and any(r.kind == "call" and r.path != path for r in graph.references(enclosing.qualname)):
            changed = {q for q, _, _ in changed_definitions(graph, path, overlays[path])}
            if enclosing.qualname in changed:
                out.append({"kind": ASK, "path": path, "target": enclosing.qualname,
                            "title": f"Ask {model} to update the callers of {enclosing.name}()"})
    return out


def edits_for(graph, path: str, folder, data: dict, config: LLMConfig | None):
    """Query thread: the indexer TextEdits an offered action stands for (None: no longer applies)."""
    overlays = folder.open_texts()
    text = overlays.get(data["path"])
    if text is None:
        return None
    if data["kind"] == ASK:
        if config is None:
            return None
        proposals = propagate(graph, data["path"], text, ChatClient(config), only=data["target"])
        return [p.edit for p in proposals]
    found = _changes(graph, folder, data["path"], text, overlays)
    if not found:
        return None
    for ripple in found[0] if data["kind"] == RIPPLE else found[1]:
        if ripple.target == data["target"]:
            return list(ripple.edits)
    return None


def _config(ls) -> LLMConfig | None:
    raw = getattr(ls, "init_options", None)
    try:
        return LLMConfig.resolve(raw if isinstance(raw, dict) else None)
    except (TypeError, ValueError):
        return None


def _resolvable(ls) -> bool:
    caps = ls.client_capabilities
    action = caps.text_document.code_action if caps and caps.text_document else None
    support = action.resolve_support if action else None
    return bool(support and "edit" in support.properties)


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite],
        resolve_provider=True))
    async def code_action(ls, params: types.CodeActionParams):
        uri = params.text_document.uri
        located = ls.session.locate(uri)
        if located is None:
            return None
        folder, _ = located
        before = edits.versions(ls)
        config = _config(ls)
        model = (config.model or "the model") if config is not None else None
        _, annotations = convert.edit_capabilities(ls.client_capabilities)
        lazy = _resolvable(ls)
        if not (lazy and annotations):
            model = None  # the model's edits need confirmation, and are only made on resolve
        answer = await ls.session.at(uri, offers, folder, params.range.start.line, params.range.end.line, model)
        if answer is None or not answer.value:
            return None
        out = []
        for data in answer.value:
            data = {**data, "uri": uri, "versions": before}
            action = types.CodeAction(title=data["title"], data=data, kind=types.CodeActionKind.QuickFix
                                      if data["kind"] == RIPPLE else types.CodeActionKind.RefactorRewrite)
            out.append(action if lazy else await _resolve(ls, action))
        return [a for a in out if a is not None] or None

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls, action: types.CodeAction):
        resolved = await _resolve(ls, action)
        if resolved is None:
            raise edits.failed(f"codemeld: '{action.title}' no longer applies")
        return resolved


async def _resolve(ls, action: types.CodeAction) -> types.CodeAction | None:
    data = action.data if isinstance(action.data, dict) else None
    if not data or not {"kind", "path", "target", "uri", "versions"} <= set(data):
        return None
    located = ls.session.locate(data["uri"])
    if located is None:
        return None
    folder = located[0]
    before = data["versions"]
    changed_doc = convert.path_uri(folder.root, data["path"])
    # The offer (its title, its count) was made for this version of the changed document.
    edits.refuse_if_changed(ls, before, {changed_doc, data["uri"]}, "code action")
    answer = await ls.session.at(data["uri"], edits_for, folder, data, _config(ls))
    if answer is None or not answer.value:
        return None
    touched = edits.uris(answer.root, answer.value) | {changed_doc, data["uri"]}
    edits.refuse_if_changed(ls, before, touched, "code action")
    action.edit = edits.build(ls, answer.root, answer.value, before, "code action")
    return action
