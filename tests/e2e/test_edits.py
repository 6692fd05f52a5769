"""Rename, the signature ripple code actions and willRenameFiles, through real LSP sessions."""

from __future__ import annotations

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import client_capabilities

from e2e_support import (Doc, copy_workspace, eventually, init_params, server_config, start_client, stop_client,
                         wait_ready)
from evals.harness.workspace_edit import apply_workspace_edit, file_edits, needs_confirmation


@pytest_asyncio.fixture
async def nvim(tmp_path):
    """A server over a copy of shop, for a client without documentChanges (Neovim's capabilities)."""
    root = copy_workspace("shop", tmp_path)
    client = await start_client(tmp_path / "cache", root, capabilities=client_capabilities("neovim"))
    client.root = root
    yield client
    await stop_client(client)


def open_doc(client, doc: Doc, version: int = 1) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=doc.uri, language_id="python", version=version, text=doc.text)))


def replace_all(client, doc: Doc, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def by_file(root, edit) -> dict[str, tuple[int | None, list]]:
    return {uri.split(root.name + "/", 1)[-1]: (version, edits) for uri, version, edits in file_edits(edit)}


# -- rename ---------------------------------------------------------------------------


async def test_prepare_rename_gives_the_name_and_its_range(live):
    cart = Doc(live.root, "shop/cart.py")
    pos = cart.pos("format_price(self", offset=3)
    result = await live.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=cart.id, position=pos))
    assert result.placeholder == "format_price"
    assert (result.range.start.line, result.range.start.character) == (pos.line, pos.character - 3)


async def test_prepare_rename_refuses_a_name_outside_the_workspace(live):
    cart = Doc(live.root, "shop/cart.py")
    with pytest.raises(JsonRpcException) as raised:
        await live.text_document_prepare_rename_async(
            types.PrepareRenameParams(text_document=cart.id, position=cart.pos("sum(")))
    assert "cannot rename" in raised.value.message


async def test_rename_method_across_files_with_uncertain_edit_needing_confirmation(live):
    models, cart = Doc(live.root, "shop/models.py"), Doc(live.root, "shop/cart.py")
    open_doc(live, models, version=7)
    edit = await live.text_document_rename_async(types.RenameParams(
        text_document=models.id, position=models.pos("def total", offset=4), new_name="grand_total"))
    files = by_file(live.root, edit)
    assert set(files) == {"shop/models.py", "shop/cart.py"}
    assert files["shop/models.py"][0] == 7  # the open buffer's version
    assert files["shop/cart.py"][0] is None  # not open: the disk
    # models.py: both definitions (override included) and the super() call, all certain.
    assert len(files["shop/models.py"][1]) == 3
    assert not any(needs_confirmation(edit, e) for e in files["shop/models.py"][1])
    # cart.py: `product.total(...)` on a loop variable, matched by name only.
    (uncertain,) = files["shop/cart.py"][1]
    assert needs_confirmation(edit, uncertain)
    assert "name only" in edit.change_annotations[uncertain.annotation_id].label
    apply_workspace_edit(edit, confirm=True)
    assert models.text.count("def grand_total") == 2 and "super().grand_total(quantity)" in models.text
    assert "product.grand_total(quantity)" in cart.text


async def test_rename_function_then_references_follow(live):
    utils = Doc(live.root, "shop/utils.py")
    edit = await live.text_document_rename_async(types.RenameParams(
        text_document=utils.id, position=utils.pos("format_price"), new_name="render_price"))
    files = by_file(live.root, edit)
    assert set(files) == {"shop/utils.py", "shop/cart.py", "shop/checkout.py", "shop/__init__.py"}
    apply_workspace_edit(edit)
    init = Doc(live.root, "shop/__init__.py").text
    assert "from shop.utils import render_price" in init and '"render_price"' in init  # __all__ too
    assert "format_price" not in Doc(live.root, "shop/checkout.py").text


async def test_rename_refuses_an_invalid_name(live):
    utils = Doc(live.root, "shop/utils.py")
    with pytest.raises(JsonRpcException) as raised:
        await live.text_document_rename_async(types.RenameParams(
            text_document=utils.id, position=utils.pos("format_price"), new_name="class"))
    assert "not a valid Python identifier" in raised.value.message


async def test_rename_without_document_changes_falls_back_and_leaves_uncertain_out(nvim):
    models = Doc(nvim.root, "shop/models.py")
    edit = await nvim.text_document_rename_async(types.RenameParams(
        text_document=models.id, position=models.pos("def total", offset=4), new_name="grand_total"))
    assert edit.document_changes is None
    assert set(by_file(nvim.root, edit)) == {"shop/models.py"}  # cart.py's uncertain edit left out
    message = await eventually(lambda: _warning(nvim), timeout=5)
    assert "1 uncertain edit" in message


async def _warning(client):
    return next((m.message for m in client.messages if "uncertain" in m.message), None)


# -- the signature ripple ---------------------------------------------------------------


NEW_SIGNATURE = "def format_price(value: float, currency: str) -> str:"


async def _change_signature(client) -> Doc:
    utils = Doc(client.root, "shop/utils.py")
    open_doc(client, utils, version=1)
    text = utils.text.replace("def format_price(value: float) -> str:", NEW_SIGNATURE)
    replace_all(client, utils, text, version=2)
    utils.buffer = text
    return utils


async def _actions(client, doc: Doc, pos: types.Position):
    async def ask():
        return await client.text_document_code_action_async(types.CodeActionParams(
            text_document=doc.id, range=types.Range(pos, pos), context=types.CodeActionContext(diagnostics=[])))
    return await eventually(ask, timeout=10) or []


async def test_code_actions_on_an_unsaved_signature_change(live):
    utils = await _change_signature(live)
    cart = Doc(live.root, "shop/cart.py")
    actions = await _actions(live, cart, cart.pos("format_price(self"))
    titles = sorted(a.title for a in actions)
    assert titles == ["Add a default to keep callers of format_price() working",
                      "Update 2 call sites of format_price()"], titles
    update = next(a for a in actions if a.title.startswith("Update"))
    assert update.edit is None  # VS Code resolves: the edit is built on codeAction/resolve
    resolved = await live.code_action_resolve_async(update)
    files = by_file(live.root, resolved.edit)
    assert set(files) == {"shop/cart.py", "shop/checkout.py"}
    apply_workspace_edit(resolved.edit)
    assert "format_price(self.total(), currency=...)" in cart.text
    assert 'format_price(amount, currency=...)' in Doc(live.root, "shop/checkout.py").text

    # The same actions on the definition, in the edited buffer.
    on_def = await _actions(live, utils, utils.pos("def format_price", offset=5))
    default = next(a for a in on_def if a.title.startswith("Add a default"))
    resolved = await live.code_action_resolve_async(default)
    ((version, edits),) = by_file(live.root, resolved.edit).values()
    assert version == 2  # against the buffer, not the disk
    after = apply_workspace_edit(resolved.edit, texts={utils.uri: utils.buffer})[utils.uri]
    assert "def format_price(value: float, currency: str = None) -> str:" in after


async def test_no_code_actions_without_a_change(live):
    utils = Doc(live.root, "shop/utils.py")
    open_doc(live, utils)
    await live.text_document_hover_async(types.HoverParams(text_document=utils.id, position=utils.pos("format_price")))
    cart = Doc(live.root, "shop/cart.py")
    pos = cart.pos("format_price(self")
    actions = await live.text_document_code_action_async(types.CodeActionParams(
        text_document=cart.id, range=types.Range(pos, pos), context=types.CodeActionContext(diagnostics=[])))
    assert not actions


async def test_resolve_refuses_when_the_document_changed_meanwhile(live):
    utils = await _change_signature(live)
    cart = Doc(live.root, "shop/cart.py")
    actions = await _actions(live, cart, cart.pos("format_price(self"))
    update = next(a for a in actions if a.title.startswith("Update"))
    replace_all(live, utils, utils.buffer.replace("currency: str", "currency: str, places: int"), version=3)
    with pytest.raises(JsonRpcException) as raised:
        await live.code_action_resolve_async(update)
    assert raised.value.code == types.LSPErrorCodes.ContentModified
    assert "utils.py changed" in raised.value.message
    # Asking again gives the actions for the new signature.
    fresh = await eventually(lambda: _titles(live, cart, cart.pos("format_price(self")), timeout=10)
    assert "Update 2 call sites of format_price()" in fresh


async def _titles(client, doc, pos):
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=doc.id, range=types.Range(pos, pos), context=types.CodeActionContext(diagnostics=[])))
    return [a.title for a in actions or []]


async def test_saving_makes_the_buffer_the_new_baseline(live):
    utils = await _change_signature(live)
    cart = Doc(live.root, "shop/cart.py")
    assert await _actions(live, cart, cart.pos("format_price(self"))
    utils.path.write_text(utils.buffer)
    live.text_document_did_save(types.DidSaveTextDocumentParams(text_document=utils.id))

    async def gone():
        return not await _titles(live, cart, cart.pos("format_price(self"))
    assert await eventually(gone, timeout=10)


async def test_code_actions_without_resolve_support_carry_the_edit(nvim):
    utils = await _change_signature(nvim)
    cart = Doc(nvim.root, "shop/cart.py")
    actions = await _actions(nvim, cart, cart.pos("format_price(self"))
    update = next(a for a in actions if a.title.startswith("Update"))
    if update.edit is None:  # this Neovim resolves lazily too
        update = await nvim.code_action_resolve_async(update)
    assert set(update.edit.changes) == {cart.uri, Doc(nvim.root, "shop/checkout.py").uri}


# -- files ---------------------------------------------------------------------------------


async def test_will_rename_files_updates_the_importers(live):
    old, new = Doc(live.root, "shop/utils.py"), Doc(live.root, "shop/helpers.py")
    cart = Doc(live.root, "shop/cart.py")
    open_doc(live, cart, version=4)
    edit = await live.workspace_will_rename_files_async(types.RenameFilesParams(
        files=[types.FileRename(old_uri=old.uri, new_uri=new.uri)]))
    files = by_file(live.root, edit)
    assert set(files) == {"shop/__init__.py", "shop/cart.py", "shop/checkout.py"}
    assert files["shop/cart.py"][0] == 4
    apply_workspace_edit(edit)
    assert "from shop.helpers import format_price" in cart.text
    assert "from shop.helpers import format_price" in Doc(live.root, "shop/checkout.py").text  # was relative


async def test_will_rename_a_package_folder(live):
    edit = await live.workspace_will_rename_files_async(types.RenameFilesParams(files=[types.FileRename(
        old_uri=(live.root / "shop").as_uri(), new_uri=(live.root / "store").as_uri())]))
    apply_workspace_edit(edit)
    assert "from store.cart import Cart" in Doc(live.root, "tests/test_cart.py").text


async def test_capabilities_advertise_rename_code_actions_and_file_operations(tmp_path):
    root = copy_workspace("shop", tmp_path)
    client = await server_config(tmp_path / "cache").start()
    try:
        result = await client.initialize_session(init_params(root, tmp_path / "index"))
        c = result.capabilities
        assert c.rename_provider.prepare_provider is True
        assert c.code_action_provider.resolve_provider is True
        assert {f.pattern.glob for f in c.workspace.file_operations.will_rename.filters} == {"**/*.py", "**"}
        await wait_ready(client)
    finally:
        await stop_client(client)


# -- the model-assisted action ------------------------------------------------------------


async def test_ask_the_model_to_update_callers_needs_confirmation_for_every_edit(tmp_path):
    from evals.harness.fake_openai import Behaviour, FakeOpenAI

    answer = "```python\ndef checkout(cart: Cart) -> str:\n    amount = cart.total()\n    value, currency = format_price(amount)\n    return f\"paid {value} {currency}\"\n```"
    fake = FakeOpenAI(Behaviour(answer=answer)).start()
    root = copy_workspace("shop", tmp_path)
    client = await start_client(tmp_path / "cache", root,
                                options={"llm": {"baseUrl": fake.base_url, "model": "tiny-coder"}})
    try:
        client.root = root
        utils = Doc(root, "shop/utils.py")
        open_doc(client, utils)
        text = utils.text.replace('-> str:\n    """Format a price with its currency, two decimals."""\n    return f"{value:.2f} {CURRENCY}"',
                                  '-> tuple[str, str]:\n    """The amount and the currency."""\n    return f"{value:.2f}", CURRENCY')
        replace_all(client, utils, text, version=2)
        actions = await _actions(client, utils, utils.pos("def format_price", offset=5))
        ask = next(a for a in actions if a.title.startswith("Ask"))
        assert ask.title == "Ask tiny-coder to update the callers of format_price()"
        assert not fake.requests  # nothing sent before the user picks the action
        resolved = await client.code_action_resolve_async(ask)
        files = by_file(root, resolved.edit)
        assert set(files) == {"shop/cart.py", "shop/checkout.py"}
        assert all(needs_confirmation(resolved.edit, e) for _, edits in files.values() for e in edits)
        assert "value, currency = format_price(amount)" not in Doc(root, "shop/checkout.py").text  # never applied
    finally:
        await stop_client(client)
        fake.stop()
