"""textDocument/codeAction (+ codeAction/resolve): the signature ripple.

The offers and their edits are the host's (`server.host.features.offers`,
`edits_for`); this module is the LSP adapter: capabilities, laziness,
document versions. When a definition's parameters change in an open buffer (compared with its
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

from lsprotocol import types

from indexer.explain.llm import LLMConfig
from server import convert, edits
from server.host.features import RIPPLE, edits_for, offers


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
