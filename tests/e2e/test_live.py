"""Live updates: unsaved buffers, saves, closes, changes made outside the
editor (watchdog and workspace/didChangeWatchedFiles), awkward files.
Each test edits its own copy of the workspace."""

from __future__ import annotations

from lsprotocol import types

from e2e_support import Doc, copy_workspace, eventually, start_client, status, stop_client, where

INSERTED = "    receipt = format_price(amount)\n"


async def references(client, doc: Doc, needle: str, declaration: bool = False):
    found = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc.id, position=doc.pos(needle),
        context=types.ReferenceContext(include_declaration=declaration)))
    return where(found)


def open_doc(client, doc: Doc, version: int = 1) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=doc.uri, language_id="python", version=version, text=doc.text)))


def insert(client, doc: Doc, line: int, text: str, version: int) -> None:
    """An incremental change, as editors send them."""
    at = types.Position(line=line, character=0)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(range=types.Range(at, at), text=text)]))


async def test_unsaved_edit_changes_references_in_another_file_before_save(live):
    utils, checkout = Doc(live.root, "shop/utils.py"), Doc(live.root, "shop/checkout.py")
    before = await references(live, utils, "format_price")
    assert ("shop/checkout.py", 10) in before and len(before) == 6  # incl. the `__all__` entry
    open_doc(live, checkout)
    # Type a new call on line 10 (1-based); the old call moves to line 11. Not saved.
    insert(live, checkout, 9, INSERTED, version=2)
    after = await references(live, utils, "format_price")
    assert ("shop/checkout.py", 10) in after and ("shop/checkout.py", 11) in after
    assert len(after) == 7
    assert "receipt =" not in checkout.text  # the disk never saw it
    # Closing without saving: back to the disk version.
    live.text_document_did_close(types.DidCloseTextDocumentParams(text_document=checkout.id))
    assert await eventually(lambda: _refs_equal(live, utils, before))


async def _refs_equal(client, doc, expected):
    return await references(client, doc, "format_price") == expected


async def test_typing_is_debounced_and_the_last_text_wins(live):
    utils, cart = Doc(live.root, "shop/utils.py"), Doc(live.root, "shop/cart.py")
    open_doc(live, cart)
    # Several keystrokes in a row: a new method calling format_price, typed in pieces.
    pieces = ["\n", "    def label(self) -> str:\n", "        return format_price(", "0.0)\n"]
    line = len(cart.text.split("\n")) - 1
    for version, piece in enumerate(pieces, start=2):
        insert(live, cart, line, piece, version)
        line += piece.count("\n")
    found = await references(live, utils, "format_price")
    assert ("shop/cart.py", 24) in found
    # The new method is in the outline too.
    outline = await live.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=cart.id))
    assert "label" in [c.name for c in outline[0].children]


async def test_removing_a_definition_in_a_buffer_updates_definitions_elsewhere(live):
    utils, checkout = Doc(live.root, "shop/utils.py"), Doc(live.root, "shop/checkout.py")
    open_doc(live, utils)
    live.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=utils.uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text="CURRENCY = 'EUR'\n")]))
    found = await live.text_document_definition_async(types.DefinitionParams(
        text_document=checkout.id, position=checkout.pos("format_price(amount)")))
    assert where(found) == []
    # Saving the same text and closing keeps the index on the (new) disk version.
    utils.path.write_text("CURRENCY = 'EUR'\n")
    live.text_document_did_save(types.DidSaveTextDocumentParams(text_document=utils.id))
    live.text_document_did_close(types.DidCloseTextDocumentParams(text_document=utils.id))
    symbols = await eventually(lambda: _outline_names(live, utils))
    assert symbols == ["CURRENCY"]


async def _outline_names(client, doc):
    found = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc.id))
    names = [s.name for s in found or []]
    return names if "format_price" not in names else None


async def test_file_changed_outside_the_editor_is_picked_up(live):
    utils = Doc(live.root, "shop/utils.py")
    report = live.root / "shop" / "report.py"
    report.write_text("from shop.utils import format_price\n\n\ndef report(total):\n    return format_price(total)\n")
    found = await eventually(lambda: _refs_in(live, utils, "shop/report.py"))
    assert ("shop/report.py", 5) in found
    # Edited outside the editor: the call moves.
    report.write_text("from shop.utils import format_price\n\n\ndef report(total):\n    x = 1\n"
                      "    return format_price(total + x)\n")
    found = await eventually(lambda: _refs_at(live, utils, ("shop/report.py", 6)))
    assert ("shop/report.py", 6) in found
    # Deleted outside the editor.
    report.unlink()
    found = await eventually(lambda: _refs_without(live, utils, "shop/report.py"))
    assert found is not None


async def test_a_branch_switch_is_picked_up_as_one_batch(live):
    """Many files appear and vanish at once (what `git checkout` does)."""
    utils = Doc(live.root, "shop/utils.py")
    before = (await status(live))["files"]
    pkg = live.root / "shop" / "generated"
    pkg.mkdir()
    for i in range(30):
        (pkg / f"gen{i}.py").write_text(f"from shop.utils import format_price\n\nLABEL = format_price({i})\n")
    found = await eventually(lambda: _count_in(live, utils, "shop/generated/", 60))
    assert found
    current = await status(live)
    assert current["files"] == before + 30
    for path in pkg.iterdir():
        path.unlink()
    pkg.rmdir()
    assert await eventually(lambda: _files(live, before))


async def _files(client, count):
    return (await status(client))["files"] == count


async def _refs_in(client, doc, path):
    found = await references(client, doc, "format_price")
    return found if any(p == path for p, _ in found) else None


async def _refs_at(client, doc, location):
    found = await references(client, doc, "format_price")
    return found if location in found else None


async def _refs_without(client, doc, path):
    found = await references(client, doc, "format_price")
    return found if all(p != path for p, _ in found) else None


async def _count_in(client, doc, prefix, count):
    found = await references(client, doc, "format_price")
    return found if sum(p.startswith(prefix) for p, _ in found) == count else None


async def test_watched_files_notification_without_watchdog(tmp_path):
    root = copy_workspace("shop", tmp_path)
    client = await start_client(tmp_path / "cache", root, options={"watch": False})
    try:
        utils = Doc(root, "shop/utils.py")
        extra = root / "shop" / "extra.py"
        extra.write_text("from shop.utils import format_price\nVALUE = format_price(1)\n")
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=extra.as_uri(), type=types.FileChangeType.Created)]))
        found = await eventually(lambda: _refs_in(client, utils, "shop/extra.py"))
        assert ("shop/extra.py", 2) in found
    finally:
        await stop_client(client)


async def test_awkward_files_never_break_the_server(tmp_path):
    root = copy_workspace("shop", tmp_path)
    (root / "shop" / "legacy.py").write_bytes(b"# caf\xe9 in latin-1\nfrom shop.utils import format_price\n"
                                              b"NAME = 'na\xefve'\nPRICE = format_price(3)\n")
    (root / "shop" / "huge.py").write_text("def huge():\n    pass\n" + "x = 1\n" * 400_000)
    (root / "shop" / "broken.py").write_text("def broken(:\n    return format_price(\n")
    (root / "shop" / "binary.py").write_bytes(b"\x00\x01\x02" * 100)
    client = await start_client(tmp_path / "cache", root, options={"maxFileSize": 1_000_000})
    try:
        utils = Doc(root, "shop/utils.py")
        found = await references(client, utils, "format_price")
        assert ("shop/legacy.py", 4) in found  # the non-UTF-8 file is indexed (bytes replaced)
        legacy = types.TextDocumentIdentifier(uri=(root / "shop" / "legacy.py").as_uri())
        outline = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=legacy))
        assert [s.name for s in outline] == ["NAME", "PRICE"]
        # The huge file is skipped on disk, and an open buffer of it is not indexed either.
        huge = Doc(root, "shop/huge.py")
        open_doc(client, huge)
        assert not await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=huge.id))
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=huge.id, position=types.Position(line=0, character=5)))
        assert hover is None
        # A syntax error in a buffer: answers keep coming.
        broken = Doc(root, "shop/broken.py")
        open_doc(client, broken)
        insert(client, broken, 0, "def (((\n", version=2)
        assert (await status(client))["state"] == "ready"
        assert await references(client, utils, "format_price")
    finally:
        await stop_client(client)
