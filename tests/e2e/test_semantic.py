"""Semantic search in a real session: the real embedding model and LanceDB.

One server with embeddings on serves the whole module (loading the model
costs seconds); its last test edits the workspace, so it stays last. The
cheap cases (embeddings off, a model that cannot load) get servers of their
own without the model.
"""

from __future__ import annotations

import asyncio
import os
import sys

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from pytest_lsp import ClientServerConfig

from e2e_support import (REPO, Doc, _plain, copy_workspace, eventually, init_params, start_client, status,
                         stop_client, wait_ready)

pytestmark = pytest.mark.asyncio(loop_scope="module")

SEARCH = "codemeld/search"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def embedded(tmp_path_factory):
    base = tmp_path_factory.mktemp("shop-embedded")
    root = copy_workspace("shop", base)
    client = await start_client(base / "cache", root, options={"embeddings": True})
    client.root = root
    # Graph first ("ready" above), then the model loads and embeds in the background.
    await eventually(lambda: _embeddings_ready(client), timeout=120, interval=0.2)
    yield client
    await stop_client(client)


async def _embeddings_ready(client) -> bool:
    return (await status(client))["embeddings"] == "ready"


async def search(client, params) -> list[dict]:
    return _plain(await client.protocol.send_request_async(SEARCH, params))


async def test_embedding_runs_after_the_graph_with_its_own_progress(embedded):
    assert (await status(embedded))["folders"][0]["embeddings"] == "ready"
    runs = [reports for reports in embedded.progress_reports.values()
            if reports and isinstance(reports[0], types.WorkDoneProgressBegin)
            and reports[0].title == "codemeld: embedding shop"]
    assert len(runs) == 1, embedded.progress_reports
    messages = [r.message for r in runs[0] if isinstance(r, types.WorkDoneProgressReport)]
    assert messages and messages[-1].startswith("Embedding ") and messages[-1].endswith(" symbols")
    done, total = messages[-1].split()[1].split("/")
    assert done == total and int(total) > 10
    assert isinstance(runs[0][-1], types.WorkDoneProgressEnd)


async def test_search_finds_a_function_by_description(embedded):
    hits = await search(embedded, {"query": "format a price with currency", "limit": 5})
    assert 0 < len(hits) <= 5
    top = hits[0]
    assert top["symbol"]["qualname"] == "shop.utils.format_price"
    assert top["symbol"]["uri"] == (embedded.root / "shop" / "utils.py").as_uri()
    assert top["symbol"]["path"] == "shop/utils.py" and top["symbol"]["kind"] == "function"
    assert top["symbol"]["range"]["start"]["line"] == 5
    assert "return" in top["snippet"] and top["score"] > 0
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    # Filters: kind and path.
    hits = await search(embedded, {"query": "price of a product", "limit": 10, "kind": "method",
                                   "path": "shop/models.py"})
    assert hits and all(h["symbol"]["kind"] in ("method", "property") for h in hits)
    assert all(h["symbol"]["path"] == "shop/models.py" for h in hits)


async def test_search_command(embedded):
    result = await embedded.workspace_execute_command_async(types.ExecuteCommandParams(
        command="codemeld.search", arguments=["format a price with currency", 3]))
    assert _plain(result)[0]["symbol"]["qualname"] == "shop.utils.format_price"


async def test_similar_to_the_symbol_at_a_position(embedded):
    checkout = Doc(embedded.root, "shop/checkout.py")
    pos = checkout.pos("def quick_checkout", offset=4)
    hits = await search(embedded, {"similarTo": {"textDocument": {"uri": checkout.uri},
                                                 "position": {"line": pos.line, "character": pos.character}},
                                   "limit": 3})
    names = [h["symbol"]["qualname"] for h in hits]
    assert 0 < len(names) <= 3 and "shop.checkout.quick_checkout" not in names  # never itself
    assert "shop.checkout.checkout" in names
    assert all(-1.0 <= h["score"] <= 1.0 for h in hits)


async def test_workspace_symbol_falls_back_to_semantic_for_phrases(embedded):
    found = await embedded.workspace_symbol_async(types.WorkspaceSymbolParams(query="format a price with currency"))
    assert found and found[0].name == "format_price"
    assert found[0].location.uri == (embedded.root / "shop" / "utils.py").as_uri()
    # A name is still matched by name.
    found = await embedded.workspace_symbol_async(types.WorkspaceSymbolParams(query="quick_checkout"))
    assert found[0].name == "quick_checkout"


async def test_explain_lists_similar_code(embedded):
    utils = Doc(embedded.root, "shop/utils.py")
    pos = utils.pos("format_price")
    result = _plain(await embedded.protocol.send_request_async("codemeld/explain", {
        "textDocument": {"uri": utils.uri}, "position": {"line": pos.line, "character": pos.character}}))
    assert "Similar code" in result["markdown"]


async def test_saved_changes_are_embedded(embedded):
    """Last: edits the workspace. A new file on disk and a saved edit are
    searchable after a quiet second, without a reindex."""
    root = embedded.root
    tax = root / "shop" / "tax.py"
    tax.write_text('def vat_amount(net: float, rate: float = 0.2) -> float:\n'
                   '    """Value added tax owed on a net amount."""\n    return net * rate\n')
    embedded.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=tax.as_uri(), type=types.FileChangeType.Created)]))

    async def top(query):
        hits = await search(embedded, {"query": query, "limit": 1})
        return hits[0]["symbol"]["qualname"] if hits else None

    assert await eventually(lambda: _is(top("value added tax on a net amount"), "shop.tax.vat_amount"), timeout=30)
    # An open document: typing embeds nothing, saving does.
    utils = Doc(root, "shop/utils.py")
    embedded.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=utils.uri, language_id="python", version=1, text=utils.text)))
    added = '\n\ndef shipping_cost(weight_kg: float) -> float:\n    """Postage for a parcel by its weight."""\n' \
            '    return 4.5 + weight_kg\n'
    end = len(utils.text.split("\n")) - 1
    embedded.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=utils.uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(end, 0), end=types.Position(end, 0)), text=added)]))
    await asyncio.sleep(2.5)  # more than the save quiet time: nothing may have been embedded
    assert await top("postage for a parcel by weight") != "shop.utils.shipping_cost"
    utils.path.write_text(utils.text + added)
    embedded.text_document_did_save(types.DidSaveTextDocumentParams(text_document=utils.id))
    assert await eventually(lambda: _is(top("postage for a parcel by weight"), "shop.utils.shipping_cost"),
                            timeout=30)


async def _is(awaitable, expected) -> bool:
    return await awaitable == expected


async def test_search_when_embeddings_are_off(shop):
    with pytest.raises(JsonRpcException, match="switched off"):
        await search(shop, {"query": "format a price", "limit": 3})
    # workspace/symbol keeps answering by name.
    found = await shop.workspace_symbol_async(types.WorkspaceSymbolParams(query="format price"))
    assert found is not None


async def test_a_model_that_cannot_load_is_reported_once(tmp_path):
    root = copy_workspace("shop", tmp_path)
    client = await start_client(tmp_path / "cache", root,
                                options={"embeddings": True, "embeddingModel": str(tmp_path / "no-such-model")})
    try:
        current = await eventually(lambda: _state(client, "unavailable"), timeout=30)
        assert current
        with pytest.raises(JsonRpcException, match="no-such-model"):
            await search(client, {"query": "format a price", "limit": 3})
        warnings = [m.message for m in client.messages if "semantic search is off" in m.message]
        assert len(warnings) == 1 and "no-such-model" in warnings[0]
        # Graph features are unaffected.
        utils = Doc(root, "shop/utils.py")
        hover = await client.text_document_hover_async(types.HoverParams(text_document=utils.id,
                                                                         position=utils.pos("format_price")))
        assert hover is not None
    finally:
        await stop_client(client)


async def _state(client, expected: str) -> bool:
    return (await status(client))["embeddings"] == expected


async def test_search_answers_from_text_at_once_while_embeddings_build(tmp_path):
    """The first search does not wait for the model: names and docstrings
    answer at once, marked `source: "text"`; once the embeddings are built
    the same search is semantic. The server runs as VS Code starts it
    (`codemeld serve --stdio`), and the expected "not ready yet" state is
    never logged as an error."""
    root = copy_workspace("shop", tmp_path)
    log = tmp_path / "server.log"
    env = {**os.environ, "PYTHONPATH": str(REPO), "CODEMELD_CACHE_DIR": str(tmp_path / "cache")}
    config = ClientServerConfig(server_command=[sys.executable, "-m", "server.cli", "serve", "--stdio",
                                                "--log-file", str(log)], server_env=env)
    client = await config.start()
    try:
        await client.initialize_session(init_params(root, tmp_path / "cache" / "index", {"embeddings": True}))
        await wait_ready(client)
        assert (await status(client))["embeddings"] != "ready"  # the model takes seconds to load
        hits = await asyncio.wait_for(search(client, {"query": "format a price with currency", "limit": 5}), 5)
        assert hits[0]["symbol"]["qualname"] == "shop.utils.format_price"
        assert {h["source"] for h in hits} == {"text"}
        assert hits[0]["symbol"]["selectionRange"]["start"] == {"line": 5, "character": 4}
        await eventually(lambda: _embeddings_ready(client), timeout=120, interval=0.2)
        hits = await search(client, {"query": "format a price with currency", "limit": 5})
        assert hits[0]["symbol"]["qualname"] == "shop.utils.format_price"
        assert {h["source"] for h in hits} == {"semantic"}
    finally:
        await stop_client(client)
    text = log.read_text()
    assert "Traceback" not in text and " ERROR " not in text, text[-3000:]
