"""`codemeld mcp` through real MCP client sessions (the official SDK's
`Client`), over stdio and over streamable HTTP, on a copy of the shop
workspace: tool listing and schemas, every tool, paging, bad input, path
traversal, edits that are only written by apply_edit, background indexing
with progress, and answers that stay right while a language server
re-indexes the same index."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import pytest
from lsprotocol import types
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from e2e_support import REPO, Doc, copy_workspace, start_client, stop_client

pytestmark = pytest.mark.slow

TOOLS = {"locate", "map", "symbol", "references", "definition", "callers", "callees", "impact", "explain",
         "search", "rename_preview", "change_signature_preview", "apply_edit", "status"}
# The `__all__` entry (line 6) is a use since `__all__` strings resolve (value flow).
FORMAT_PRICE_USES = {("shop/__init__.py", 4), ("shop/__init__.py", 6), ("shop/cart.py", 4), ("shop/cart.py", 20),
                     ("shop/checkout.py", 4), ("shop/checkout.py", 10)}


def _env(cache: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO), "CODEMELD_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}


def stdio_params(root: Path, index_dir: Path, *extra: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "server.cli", "mcp", "--root", str(root), "--index-dir", str(index_dir), "--no-embeddings",
              *extra],
        env=_env(index_dir.parent), cwd=str(REPO))


@asynccontextmanager
async def stdio_session(root: Path, index_dir: Path, *extra: str):
    async with Client(stdio_params(root, index_dir, *extra), read_timeout_seconds=60) as client:
        yield client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def http_session(root: Path, index_dir: Path):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "mcp", "--root", str(root), "--index-dir", str(index_dir),
         "--no-embeddings", "--http", f"127.0.0.1:{port}"],
        cwd=str(REPO), env=_env(index_dir.parent), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"http server did not start: {proc.stderr.read().decode()[-2000:]}")
                await asyncio.sleep(0.1)
        async with Client(f"http://127.0.0.1:{port}/mcp", read_timeout_seconds=60) as client:
            yield client
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def workspace(tmp_path) -> Path:
    return copy_workspace("shop", tmp_path)


async def call(client, tool: str, /, **args):
    result = await client.call_tool(tool, args)
    assert not result.is_error, result.content[0].text
    assert result.content and result.content[0].type == "text" and result.content[0].text
    return result.structured_content


async def error(client, tool: str, /, **args) -> str:
    result = await client.call_tool(tool, args)
    assert result.is_error, f"{tool}({args}) should have failed: {result.structured_content}"
    return result.content[0].text


def uses(answer: dict) -> set[tuple[str, int]]:
    return {(r["path"], r["line"]) for r in answer["references"]}


async def exercise(client, root: Path) -> None:
    """Every tool, on the shop workspace."""
    listed = (await client.list_tools()).tools
    assert {t.name for t in listed} == TOOLS
    for tool in listed:
        assert tool.description and tool.input_schema["type"] == "object"
        assert tool.output_schema and tool.output_schema["type"] == "object", tool.name
        assert "ctx" not in tool.input_schema.get("properties", {})
    by_name = {t.name: t for t in listed}
    assert by_name["locate"].input_schema["required"] == ["task"]
    assert "next_cursor" in str(by_name["references"].output_schema)
    assert by_name["references"].annotations.read_only_hint and not by_name["apply_edit"].annotations.read_only_hint

    # The first index runs in the background: a call can land before its
    # first write (0 files, "indexing"). Wait for it, then count.
    status = await call(client, "status")
    for _ in range(600):
        if status["state"] != "indexing":
            break
        await asyncio.sleep(0.1)
        status = await call(client, "status")
    assert status["files"] == 8 and status["state"] == "ready", status

    found = await call(client, "locate", task="""Discounted products are charged the wrong amount.
Traceback (most recent call last):
  File "/srv/app/shop/checkout.py", line 9, in checkout
    amount = cart.total()
  File "/srv/app/shop/cart.py", line 17, in total
    return sum(product.total(quantity) for product, quantity in self.lines)
  File "/srv/app/shop/models.py", line 38, in apply_discount
    return amount * (1 - self.percent / 100)
ZeroDivisionError: division by zero""", k=3)
    assert found["files"][0]["path"] == "shop/models.py"
    assert found["symbols"][0]["qualname"] == "shop.models.DiscountedProduct.apply_discount"
    assert any("traceback" in why for why in found["symbols"][0]["why"])
    assert found["traceback_frames"] == 3 and len(found["files"]) == 3

    shop_map = await call(client, "map", budget_tokens=150)
    assert shop_map["tokens"] <= 150 and shop_map["entries"][0]["kind"] == "package"
    assert "shop/models.py" in shop_map["text"]
    zoomed = await call(client, "map", path="shop/cart.py")
    assert zoomed["scope"] == "shop/cart.py" and "total()" in zoomed["text"] and "models" not in zoomed["text"]

    sym = await call(client, "symbol", name="Cart.total")
    assert sym["matches"][0]["qualname"] == "shop.cart.Cart.total"
    assert sym["matches"][0]["signature"] == "def total(self) -> float" and sym["matches"][0]["line"] == 16
    fuzzy = await call(client, "symbol", name="formt_price")
    assert fuzzy["matches"][0]["qualname"] == "shop.utils.format_price" and fuzzy["matches"][0]["match"] == "fuzzy"

    refs = await call(client, "references", symbol="shop.utils.format_price")
    assert uses(refs) == FORMAT_PRICE_USES and all(0 < r["confidence"] <= 1 for r in refs["references"])
    assert refs["page"]["total"] == 6 and refs["page"]["next_cursor"] is None

    definition = await call(client, "definition", symbol="shop/checkout.py:10:22")
    assert definition["definitions"][0]["qualname"] == "shop.utils.format_price"
    assert definition["definitions"][0]["confidence"] > 0.5

    callers = await call(client, "callers", symbol="shop.checkout.checkout")
    assert {c["symbol"]["qualname"] for c in callers["calls"]} == {"shop.checkout.quick_checkout",
                                                                    "tests.test_cart.test_discount"}
    callees = await call(client, "callees", symbol="shop.checkout.checkout")
    assert {"shop.cart.Cart.total", "shop.utils.format_price"} <= {c["symbol"]["qualname"] for c in callees["calls"]}

    impact = await call(client, "impact", symbol="shop.utils.format_price")
    assert "tests/test_cart.py::test_discount" in {t["id"] for t in impact["tests"]}
    assert "shop.checkout.checkout" in {d["symbol"]["qualname"] for d in impact["dependents"]}

    explained = await call(client, "explain", symbol="shop.checkout.checkout", budget_tokens=600)
    assert "checkout" in explained["text"] and explained["tokens"] <= 700

    search = await call(client, "search", query="format a price with its currency")
    assert search["hits"][0]["symbol"]["qualname"] == "shop.utils.format_price"


async def paging_and_bad_input(client, root: Path) -> None:
    first = await call(client, "references", symbol="format_price", limit=4)
    assert first["page"]["total"] == 6 and first["page"]["returned"] == 4
    second = await call(client, "references", symbol="format_price", limit=4, cursor=first["page"]["next_cursor"])
    assert second["page"]["returned"] == 2 and second["page"]["next_cursor"] is None
    assert uses(first) | uses(second) == FORMAT_PRICE_USES
    assert "different question" in await error(client, "references", symbol="shop.cart.Cart",
                                               cursor=first["page"]["next_cursor"])
    assert "invalid cursor" in await error(client, "references", symbol="format_price", cursor="%%%")

    message = await error(client, "references", symbol="Cartt")
    assert "close matches" in message and "shop.cart.Cart" in message
    # Absurd limits are clamped, not refused.
    assert (await call(client, "references", symbol="format_price", limit=10**9))["page"]["returned"] == 6
    assert (await call(client, "references", symbol="format_price", limit=-5))["page"]["returned"] == 1
    assert (await call(client, "locate", task="price", k=10**6))["files"]
    assert (await call(client, "map", budget_tokens=10**9))["budget_tokens"] == 50_000

    outside = root.parent / "secret.py"
    outside.write_text("PASSWORD = 1\n")
    for bad in ("../secret.py", "shop/../../secret.py", str(outside), "/etc/passwd"):
        text = await error(client, "map", path=bad)
        assert "refused" in text or "outside the workspace" in text
        text = await error(client, "search", query="password", path=bad)
        assert "refused" in text or "outside the workspace" in text
    assert "refused" in await error(client, "symbol", name="../secret.py:1")
    assert "empty" in await error(client, "locate", task="   ")
    assert "not a valid Python identifier" in await error(client, "rename_preview", symbol="format_price",
                                                          new_name="not valid")
    assert "no preview" in await error(client, "apply_edit", edit_id="nope")
    # The server is still fine after all that.
    assert uses(await call(client, "references", symbol="format_price")) == FORMAT_PRICE_USES


async def edits_only_on_apply(client, root: Path) -> None:
    before = {p: p.read_text() for p in root.rglob("*.py")}
    preview = await call(client, "rename_preview", symbol="shop.utils.format_price", new_name="render_price")
    assert "+from shop.utils import render_price" in preview["diff"] and preview["edits"] == 7
    signature = await call(client, "change_signature_preview", symbol="shop.models.Product.total",
                           new_parameters="(self, quantity: int, rounding: int = 2) -> float")
    assert "+    def total(self, quantity: int, rounding: int = 2) -> float:" in signature["diff"]
    assert {p: p.read_text() for p in root.rglob("*.py")} == before  # previews write nothing

    # A file changed since the preview: refused, nothing written.
    (root / "shop" / "cart.py").write_text(before[root / "shop" / "cart.py"] + "# touched\n")
    assert "changed since the preview" in await error(client, "apply_edit", edit_id=preview["edit_id"])
    assert (root / "shop" / "utils.py").read_text() == before[root / "shop" / "utils.py"]
    (root / "shop" / "cart.py").write_text(before[root / "shop" / "cart.py"])

    applied = await call(client, "apply_edit", edit_id=preview["edit_id"])
    assert sorted(applied["files_changed"]) == ["shop/__init__.py", "shop/cart.py", "shop/checkout.py", "shop/utils.py"]
    assert "def render_price(" in (root / "shop" / "utils.py").read_text()
    assert "no preview" in await error(client, "apply_edit", edit_id=preview["edit_id"])  # applied once only

    async def renamed():
        found = await client.call_tool("references", {"symbol": "shop.utils.render_price"})
        return not found.is_error and len(found.structured_content["references"]) == 6

    deadline = time.monotonic() + 20
    while not await renamed():
        assert time.monotonic() < deadline, "the applied rename was not re-indexed"
        await asyncio.sleep(0.2)


async def test_every_tool_over_stdio(workspace, tmp_path):
    async with stdio_session(workspace, tmp_path / "index") as client:
        await exercise(client, workspace)
        await paging_and_bad_input(client, workspace)
        await edits_only_on_apply(client, workspace)


async def test_every_tool_over_streamable_http(workspace, tmp_path):
    async with http_session(workspace, tmp_path / "index") as client:
        await exercise(client, workspace)
        await paging_and_bad_input(client, workspace)


def test_http_refuses_a_non_loopback_address(tmp_path):
    done = subprocess.run([sys.executable, "-m", "server.cli", "mcp", "--root", str(tmp_path), "--http",
                           "0.0.0.0:8765"], cwd=str(REPO), env=_env(tmp_path), capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode != 0 and "not a loopback address" in done.stderr and done.stdout == ""


async def test_http_rejects_a_foreign_host_header(tmp_path):
    """DNS rebinding: a page served from evil.example must not reach the local server."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "mcp", "--root", str(tmp_path), "--index-dir",
                             str(tmp_path / "index"), "--no-embeddings", "--no-watch", "--http", f"127.0.0.1:{port}"],
                            cwd=str(REPO), env=_env(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                await asyncio.sleep(0.1)
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        request = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
        async with httpx2.AsyncClient() as http:
            evil = await http.post(f"http://127.0.0.1:{port}/mcp", headers={**headers, "Host": "evil.example"},
                                   json=request)
            fine = await http.post(f"http://127.0.0.1:{port}/mcp", headers=headers, json=request)
        assert evil.status_code in (400, 403, 421) and fine.status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)


EXTRA_FILES = 600


async def test_first_index_in_the_background_with_progress(workspace, tmp_path):
    """No index yet: the first tool call waits for it, with progress notifications."""
    # Enough files that the first index is still running when the first call
    # arrives, even on a quiet machine (40 files took 0.5 s: the call found
    # the index ready and no progress was due).
    for i in range(EXTRA_FILES):
        (workspace / "shop" / f"extra_{i}.py").write_text(
            "\n".join(f"def helper_{i}_{j}(x):\n    return x + {j}\n" for j in range(60)))
    updates: list[tuple[float, float | None, str | None]] = []

    async def progress(done, total, message):
        updates.append((done, total, message))

    async with stdio_session(workspace, tmp_path / "index") as client:
        result = await client.call_tool("references", {"symbol": "shop.utils.format_price"},
                                        progress_callback=progress)
        assert not result.is_error and uses(result.structured_content) == FORMAT_PRICE_USES
        status = (await client.call_tool("status", {})).structured_content
        assert status["files"] == 8 + EXTRA_FILES
    assert updates and all("indexing" in (m or "") for _, _, m in updates)


async def test_answers_stay_right_while_a_language_server_reindexes(workspace, tmp_path):
    """An LSP session and an MCP session on the same index: the language
    server re-indexes (full runs, unsaved buffers, a file changed on disk)
    while the agent asks; every answer is the full, right one."""
    cache = tmp_path / "cache"
    lsp = await start_client(cache, workspace)
    try:
        async with stdio_session(workspace, cache / "index") as client:
            models = Doc(workspace, "shop/models.py")
            lsp.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
                uri=models.uri, language_id="python", version=1, text=models.text)))
            cart = workspace / "shop" / "cart.py"
            original = cart.read_text()
            for round_ in range(12):
                if round_ % 3 == 0:
                    await lsp.workspace_execute_command_async(types.ExecuteCommandParams(command="codemeld.reindex"))
                text = models.text + "\n" + "\n".join(f"# note {n}" for n in range(round_ + 1)) + "\n"
                lsp.text_document_did_change(types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=models.uri, version=round_ + 2),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
                # Changed outside both editors, atomically (as editors and git write): a
                # plain write_text passes through an empty file, which is then rightly indexed.
                staged = cart.with_suffix(".tmp")
                staged.write_text(original + f"\n# edited {round_}\n")
                os.replace(staged, cart)
                answer = await call(client, "references", symbol="shop.utils.format_price")
                assert uses(answer) == FORMAT_PRICE_USES, round_
                callers = await call(client, "callers", symbol="shop.models.DiscountedProduct.apply_discount")
                assert [c["symbol"]["qualname"] for c in callers["calls"]] == ["shop.models.DiscountedProduct.total"]
                await asyncio.sleep(0.05)
    finally:
        await stop_client(lsp)


async def test_semantic_search_and_locate_with_embeddings(workspace, tmp_path):
    """With the model (the real all-MiniLM-L6-v2), search is semantic and locate reads embeddings."""
    pytest.importorskip("lancedb")
    params = stdio_params(workspace, tmp_path / "index")
    params.args.remove("--no-embeddings")
    async with Client(params, read_timeout_seconds=300) as client:
        deadline = time.monotonic() + 240
        while (await call(client, "status"))["embeddings"] != "ready":
            assert time.monotonic() < deadline, "embeddings never became ready"
            await asyncio.sleep(0.5)
        search = await call(client, "search", query="money formatting with a currency sign")
        assert search["engine"] == "semantic"
        assert search["hits"][0]["symbol"]["qualname"] == "shop.utils.format_price"
        found = await call(client, "locate", task="prices show the wrong currency and too many decimals", k=3)
        assert found["embeddings"] is True and found["files"][0]["path"] == "shop/utils.py"


async def test_pages_come_from_one_answer_until_an_edit(workspace, tmp_path):
    """A next page slices the answer the first page read (server/mcp_server/answers.py):
    the pages together are the whole answer, in order; an edit between pages
    drops the kept answer, so the next page comes from the new index."""
    async with stdio_session(workspace, tmp_path / "index") as client:
        whole = (await call(client, "references", symbol="shop.utils.format_price"))["references"]
        pages, cursor = [], None
        while True:
            got = await call(client, "references", symbol="shop.utils.format_price", limit=2, cursor=cursor)
            pages += got["references"]
            cursor = got["page"]["next_cursor"]
            if cursor is None:
                break
        assert pages == whole and len(whole) == 6

        first = await call(client, "references", symbol="shop.utils.format_price", limit=2)
        checkout = workspace / "shop" / "checkout.py"
        staged = checkout.with_suffix(".tmp")
        staged.write_text(checkout.read_text() + "\n\ndef again():\n    return format_price(1.0)\n")
        os.replace(staged, checkout)
        deadline = time.monotonic() + 20
        while True:  # the same question: a kept answer that survived the edit would say 6 forever
            later = await call(client, "references", symbol="shop.utils.format_price", limit=2,
                               cursor=first["page"]["next_cursor"])
            if later["page"]["total"] == 7:
                break
            assert time.monotonic() < deadline, "the edit between pages was not seen"
            await asyncio.sleep(0.2)
        assert later["page"]["offset"] == 2
        assert ("shop/checkout.py", checkout.read_text().count("\n")) in uses(
            await call(client, "references", symbol="shop.utils.format_price", limit=500))
