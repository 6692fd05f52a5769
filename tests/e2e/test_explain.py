"""codemeld/explain and codemeld.explain in a real session: the structural
explanation from the graph, a model's answer through an OpenAI-compatible
endpoint, and the fallback when that endpoint is down.

The LLM endpoint is evals/harness/fake_openai.py: a small local HTTP server that
speaks the chat-completions protocol and stands in for a real one (Ollama,
llama.cpp, vLLM, OpenAI). Embeddings stay off here (the default of
e2e_support): explanations must not need them.
"""

from __future__ import annotations

import socket

import pytest
from lsprotocol import types

from e2e_support import Doc, _plain, copy_workspace, start_client, stop_client
from evals.harness.fake_openai import Behaviour, FakeOpenAI

pytestmark = pytest.mark.asyncio(loop_scope="module")

EXPLAIN = "codemeld/explain"
ANSWER = "Formats a number as a euro price. Used by checkout and the cart summary."


async def explain(client, doc: Doc, needle: str, **extra) -> dict | None:
    pos = doc.pos(needle)
    params = {"textDocument": {"uri": doc.uri}, "position": {"line": pos.line, "character": pos.character}, **extra}
    return _plain(await client.protocol.send_request_async(EXPLAIN, params))


async def test_structural_explanation_names_callers_and_tests(shop):
    utils = Doc(shop.root, "shop/utils.py")
    result = await explain(shop, utils, "format_price")
    assert result["qualname"] == "shop.utils.format_price"
    assert result["source"] == "structural" and result["model"] is None and result["note"] is None
    markdown = result["markdown"]
    assert "Format a price with its currency" in markdown  # purpose from the docstring
    assert "Called by" in markdown and "checkout.checkout" in markdown and "Cart.summary" in markdown
    assert "tests/test_cart.py::test_discount" in markdown  # tested by
    assert (shop.root / "shop" / "checkout.py").as_uri() in markdown  # links to locations
    assert result["short"] and "\n" not in result["short"]


async def test_explain_at_a_use_and_inside_a_body(shop):
    checkout = Doc(shop.root, "shop/checkout.py")
    # On a call: the callee is explained.
    assert (await explain(shop, checkout, "format_price(amount)"))["qualname"] == "shop.utils.format_price"
    # Inside a body, on no name: the enclosing function.
    pos = checkout.pos("amount = cart.total()")
    params = {"textDocument": {"uri": checkout.uri}, "position": {"line": pos.line, "character": 0}}
    result = _plain(await shop.protocol.send_request_async(EXPLAIN, params))
    assert result["qualname"] == "shop.checkout.checkout"


async def test_nothing_to_explain_is_null(shop, tmp_path):
    outside = tmp_path / "elsewhere.py"
    outside.write_text("x = 1\n")
    params = {"textDocument": {"uri": outside.as_uri()}, "position": {"line": 0, "character": 0}}
    assert await shop.protocol.send_request_async(EXPLAIN, params) is None
    utils = Doc(shop.root, "shop/utils.py")
    pos = utils.pos('"""Formatting helpers."""')
    blank = {"textDocument": {"uri": utils.uri}, "position": {"line": pos.line + 1, "character": 0}}
    assert await shop.protocol.send_request_async(EXPLAIN, blank) is None


async def test_explain_command(shop):
    utils = Doc(shop.root, "shop/utils.py")
    pos = utils.pos("format_price")
    result = await shop.workspace_execute_command_async(types.ExecuteCommandParams(
        command="codemeld.explain", arguments=[utils.uri, {"line": pos.line, "character": pos.character}]))
    assert _plain(result)["qualname"] == "shop.utils.format_price"


async def test_model_answer_streams_says_which_model_and_is_cached(tmp_path):
    fake = FakeOpenAI(Behaviour(answer=ANSWER, chunk_size=10)).start()
    root = copy_workspace("shop", tmp_path)
    options = {"llm": {"baseUrl": fake.base_url, "model": "fake-coder", "apiKey": "sk-test", "timeout": 10}}
    client = await start_client(tmp_path / "cache", root, options=options)
    try:
        assert not client.messages, [m.message for m in client.messages]  # the llm option is accepted
        utils = Doc(root, "shop/utils.py")
        token = "explain-1"
        client.progress_reports[token] = []  # a client-created token (workDoneToken)
        result = await explain(client, utils, "format_price", workDoneToken=token)
        assert result["source"] == "llm" and result["model"] == "fake-coder" and result["note"] is None
        assert result["markdown"].startswith(ANSWER)
        assert "fake-coder" in result["markdown"]  # the answer says which model wrote it
        # What went over the wire: one streamed chat completion with the context pack.
        [request] = fake.requests
        assert request.path == "/v1/chat/completions"
        assert request.body["model"] == "fake-coder" and request.body["stream"] is True
        assert request.headers["authorization"] == "Bearer sk-test"
        assert "format_price" in request.body["messages"][-1]["content"]
        # Streamed as $/progress on the request's token: the text grows to the whole answer.
        reports = client.progress_reports[token]
        assert isinstance(reports[0], types.WorkDoneProgressBegin)
        assert isinstance(reports[-1], types.WorkDoneProgressEnd) and "fake-coder" in reports[-1].message
        texts = [r.message for r in reports if isinstance(r, types.WorkDoneProgressReport)]
        assert texts and texts[-1] == ANSWER and all(ANSWER.startswith(t) for t in texts)
        # Asked again: the cached answer, no second request.
        again = await explain(client, utils, "format_price")
        assert again["source"] == "cache" and again["model"] == "fake-coder"
        assert again["markdown"].startswith(ANSWER) and len(fake.requests) == 1
    finally:
        await stop_client(client)
        fake.stop()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_endpoint_down_falls_back_to_structural_with_a_note(tmp_path):
    root = copy_workspace("shop", tmp_path)
    options = {"llm": {"baseUrl": f"http://127.0.0.1:{_closed_port()}/v1", "model": "offline-model",
                       "timeout": 2, "retries": 0}}
    client = await start_client(tmp_path / "cache", root, options=options)
    try:
        result = await explain(client, Doc(root, "shop/utils.py"), "format_price")
        assert result["source"] == "structural" and result["model"] is None
        assert result["note"] and "structural" in result["note"]
        assert result["note"] in result["markdown"]  # said at the top of the explanation too
        assert "checkout.checkout" in result["markdown"]
    finally:
        await stop_client(client)
