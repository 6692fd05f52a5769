"""Impact through a real LSP session: the codemeld/impact request and
command, the "N dependents · M tests" code lens, the impact line in hover,
and breaking-change diagnostics while a signature change is unsaved."""

from __future__ import annotations

import pytest
from lsprotocol import types

from e2e_support import Doc, _plain, eventually

IMPACT = "codemeld/impact"
# Tests on the shared read-only server run on its (module-scoped) event loop.
shared = pytest.mark.asyncio(loop_scope="module")


async def impact(client, doc: Doc, needle: str, **extra) -> dict:
    pos = doc.pos(needle)
    result = await client.protocol.send_request_async(IMPACT, {
        "textDocument": {"uri": doc.uri}, "position": {"line": pos.line, "character": pos.character}, **extra})
    return result if isinstance(result, dict) else _plain(result)


@shared
async def test_impact_request_reports_dependents_tests_and_files(shop):
    utils = Doc(shop.root, "shop/utils.py")
    report = await impact(shop, utils, "format_price")
    assert report["target"]["qualname"] == "shop.utils.format_price"
    assert report["target"]["uri"].endswith("/shop/utils.py")
    names = {d["symbol"]["qualname"] for d in report["dependents"]}
    assert "shop.checkout.checkout" in names
    assert all({"symbol", "depth", "kind", "confidence", "via"} <= set(d) for d in report["dependents"])
    assert report["tests"] and all(t["id"].startswith("tests/") and "::" in t["id"] for t in report["tests"])
    assert "shop/checkout.py" in report["files"]
    assert report["summary"]["dependents"] == len(report["dependents"])
    shallow = await impact(shop, utils, "format_price", depth=1)
    assert shallow["summary"]["maxDepth"] == 1


@shared
async def test_impact_command_and_code_lens(shop):
    utils = Doc(shop.root, "shop/utils.py")
    pos = utils.pos("format_price")
    by_command = _plain(await shop.workspace_execute_command_async(types.ExecuteCommandParams(
        command="codemeld.impact", arguments=[utils.uri, {"line": pos.line, "character": pos.character}])))
    assert by_command["target"]["qualname"] == "shop.utils.format_price"
    lenses = await shop.text_document_code_lens_async(types.CodeLensParams(text_document=utils.id))
    unresolved = [lens for lens in lenses if lens.command is None]
    assert unresolved, [lens.command.title for lens in lenses if lens.command]
    resolved = await shop.code_lens_resolve_async(unresolved[-1])
    assert "dependent" in resolved.command.title and "test" in resolved.command.title
    assert resolved.command.command == "codemeld.impact"


@shared
async def test_hover_has_one_line_of_counts_and_the_docstring_once(shop):
    utils = Doc(shop.root, "shop/utils.py")
    hover = await shop.text_document_hover_async(types.HoverParams(text_document=utils.id,
                                                                  position=utils.pos("format_price")))
    text = hover.contents.value
    assert text.startswith("```python\ndef format_price(value: float) -> str\n```")
    assert text.count("Format a price with its currency") == 1
    # The same counts, with the same words, as Find All References and the lenses.
    refs = await shop.text_document_references_async(types.ReferenceParams(
        text_document=utils.id, position=utils.pos("format_price"),
        context=types.ReferenceContext(include_declaration=False)))
    files = {r.uri for r in refs}
    assert f"{len(refs)} references in {len(files)} files · " in text
    assert text.count("direct dependents") == 1 and "callers" not in text and "Impact:" not in text


async def test_unsaved_signature_change_publishes_diagnostics_on_callers(live):
    utils, checkout = Doc(live.root, "shop/utils.py"), Doc(live.root, "shop/checkout.py")
    live.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=utils.uri, language_id="python", version=1, text=utils.text)))
    # Add a required parameter, unsaved.
    at = utils.pos("value: float", offset=len("value: float"))
    live.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=utils.uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(range=types.Range(at, at), text=", currency")]))

    async def broken():
        found = live.diagnostics.get(checkout.uri) or []
        return [d for d in found if d.source == "codemeld"]

    diagnostics = await eventually(broken, timeout=15)
    assert diagnostics, live.diagnostics
    assert "missing required argument 'currency'" in diagnostics[0].message
    assert diagnostics[0].range.start.line == checkout.pos("format_price(amount)").line
    report = await impact(live, utils, "format_price")
    assert any("currency" in b["message"] for b in report["breaking"])
    # Undo the edit: the diagnostics go away while still unsaved.
    live.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=utils.uri, version=3),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=utils.text)]))

    async def cleared():
        return not await broken()

    assert await eventually(cleared, timeout=15)
