"""A typed edit that changes what a module exports: the edited document
answers at once, and the importers it affects are re-resolved right after
(the writer's deferred job), until the index is what a save would give."""

from __future__ import annotations

from lsprotocol import types

from e2e_support import Doc, eventually, status, where


def change_whole(client, doc: Doc, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def _refs(client, doc: Doc, needle: str):
    return where(await client.text_document_references_async(types.ReferenceParams(
        text_document=doc.id, position=doc.pos(needle), context=types.ReferenceContext(include_declaration=False))))


async def test_module_level_edit_answers_now_and_importers_follow(live):
    utils, checkout = Doc(live.root, "shop/utils.py"), Doc(live.root, "shop/checkout.py")
    live.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=utils.uri, language_id="python", version=1, text=utils.text)))
    before = await _refs(live, utils, "format_price(value")
    assert ("shop/checkout.py", 10) in before
    # A new module-level name using the function: the module's exports change.
    probe = len(utils.text.rstrip("\n").split("\n")) + 2  # 1-based, after a blank line
    change_whole(live, utils, utils.text.rstrip("\n") + "\n\nPROBE = format_price\n", version=2)
    after = await _refs(live, utils, "format_price(value")
    assert ("shop/utils.py", probe) in after and set(before) <= set(after)
    # Renamed in the buffer: checkout.py's use no longer reaches a definition,
    # once the deferred re-resolution of the importers has run.
    renamed = utils.text.replace("def format_price", "def format_cost")
    change_whole(live, utils, renamed, version=3)

    async def importer_resolved():
        current = await status(live)
        found = await live.text_document_definition_async(types.DefinitionParams(
            text_document=checkout.id, position=checkout.pos("format_price(amount)")))
        return current["pending"] == 0 and where(found) == []

    assert await eventually(importer_resolved, timeout=20)
