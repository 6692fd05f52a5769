"""A mixed repository (a Python service beside a TypeScript front end with a
CommonJS helper and vitest tests) in one index, through one real LSP
session: every front door answers for the TypeScript files and says their
language. The MCP tools are checked on the same workspace through the real
MCP server (stdio) at the end."""

from __future__ import annotations

import os
import sys

import pytest
import pytest_asyncio
from lsprotocol import types

from e2e_support import Doc, _plain, start_client, stop_client
from tests.support import write_tree

pytestmark = pytest.mark.asyncio(loop_scope="module")

FILES = {
    "pyproject.toml": "[project]\nname = 'mixed'\n",
    "service/__init__.py": "",
    "service/prices.py": '''
        def format_price(value: float) -> str:
            """Format a price with its currency."""
            return f"{value:.2f} EUR"
        ''',
    "web/package.json": '{ "name": "@mixed/web", "type": "module" }\n',
    "web/tsconfig.json": '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] } } }\n',
    "web/src/money.ts": '''
        /** Formats an amount in euros. */
        export function formatPrice(amount: number): string {
          return amount.toFixed(2) + " EUR";
        }

        export class Shape {
          area(): number { return 0; }
        }

        export class Square extends Shape {
          constructor(private side: number) { super(); }
          area(): number { return this.side * this.side; }
        }

        export namespace Shape { export function unit(): Shape { return new Square(1); } }
        export const unitArea = Shape.unit().area();
        ''',
    "web/src/cart.ts": '''
        import { formatPrice } from "@/money";

        export class Cart {
          private total = 0;
          add(amount: number): void { this.total += amount; }
          label(): string { return formatPrice(this.total); }
        }
        ''',
    "web/src/Total.tsx": '''
        import { Cart } from "./cart";
        export function Total({ cart }: { cart: Cart }) { return <span>{cart.label()}</span>; }
        export const Page = () => <Total cart={new Cart()} />;
        ''',
    "web/src/legacy.cjs": '''
        const { formatPrice } = require("./money");
        module.exports = { receipt(n) { return formatPrice(n); } };
        ''',
    "web/src/cart.test.ts": '''
        import { describe, it, expect } from "vitest";
        import { Cart } from "./cart";
        describe("Cart", () => {
          it("labels the total", () => { const c = new Cart(); c.add(2); expect(c.label()).toBe("2.00 EUR"); });
        });
        ''',
    "web/node_modules/lodash/index.js": "module.exports = function chunk() {};\n",
    "web/public/app.min.js": "var a=1;function f(){return a}" * 400 + "\n",  # a bundle: one 12,800-character line
}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def mixed(tmp_path_factory):
    base = tmp_path_factory.mktemp("mixed")
    root = base / "ws"
    write_tree(root, FILES)
    client = await start_client(base / "cache", root)
    client.root, client.cache = root, base / "cache"
    yield client
    await stop_client(client)


def money(client) -> Doc:
    return Doc(client.root, "web/src/money.ts")


def rel(client, uri: str) -> str:
    return uri.split(client.root.as_uri() + "/", 1)[-1]


async def test_one_index_holds_both_languages_and_skips_third_party_and_bundles(mixed):
    status = _plain(await mixed.protocol.send_request_async("codemeld/status", {}))
    # 2 Python files, 5 TypeScript/JavaScript sources, 2 config files and the
    # bundle (indexed as skipped: no symbols); node_modules not at all
    assert status["files"] == 2 + 5 + 2 + 1, status
    bundle = Doc(mixed.root, "web/public/app.min.js")
    symbols = await mixed.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=bundle.id))
    assert not symbols
    found = await mixed.workspace_symbol_async(types.WorkspaceSymbolParams(query="chunk"))
    assert not found  # nothing from node_modules


async def test_definition_and_references_across_typescript_files(mixed):
    cart = Doc(mixed.root, "web/src/cart.ts")
    found = await mixed.text_document_definition_async(types.DefinitionParams(
        text_document=cart.id, position=cart.pos("formatPrice(this", offset=2)))
    assert [(rel(mixed, loc.uri), loc.range.start.line) for loc in found] == [("web/src/money.ts", 1)]
    refs = await mixed.text_document_references_async(types.ReferenceParams(
        text_document=money(mixed).id, position=money(mixed).pos("formatPrice"),
        context=types.ReferenceContext(include_declaration=False)))
    assert sorted({rel(mixed, loc.uri) for loc in refs}) == ["web/src/cart.ts", "web/src/legacy.cjs"]


async def test_hover_says_the_language(mixed):
    hover = await mixed.text_document_hover_async(types.HoverParams(
        text_document=money(mixed).id, position=money(mixed).pos("formatPrice")))
    text = hover.contents.value
    assert "```typescript" in text and "Formats an amount in euros." in text
    assert "typescript:web.src.money.formatPrice" in text and "· typescript ·" in text
    tsx = Doc(mixed.root, "web/src/Total.tsx")
    hover = await mixed.text_document_hover_async(types.HoverParams(text_document=tsx.id, position=tsx.pos("Total(")))
    assert "```tsx" in hover.contents.value and "typescriptreact" in hover.contents.value


async def test_document_and_workspace_symbols(mixed):
    symbols = await mixed.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=money(mixed).id))
    names = {s.name for s in symbols}
    assert {"formatPrice", "Shape", "Square"} <= names
    found = await mixed.workspace_symbol_async(types.WorkspaceSymbolParams(query="formatPrice"))
    assert found and found[0].location.uri.endswith("web/src/money.ts")
    found = await mixed.workspace_symbol_async(types.WorkspaceSymbolParams(query="format_price"))
    assert found and found[0].location.uri.endswith("service/prices.py")


async def test_call_and_type_hierarchy(mixed):
    doc = money(mixed)
    items = await mixed.text_document_prepare_call_hierarchy_async(types.CallHierarchyPrepareParams(
        text_document=doc.id, position=doc.pos("formatPrice")))
    incoming = await mixed.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=items[0]))
    assert {c.from_.name for c in incoming} == {"label", "receipt"}
    items = await mixed.text_document_prepare_type_hierarchy_async(types.TypeHierarchyPrepareParams(
        text_document=doc.id, position=doc.pos("Shape {")))
    subtypes = await mixed.type_hierarchy_subtypes_async(types.TypeHierarchySubtypesParams(item=items[0]))
    assert [s.name for s in subtypes] == ["Square"]


async def test_impact_reaches_the_vitest_test_with_its_id_and_says_the_language(mixed):
    doc = money(mixed)
    pos = doc.pos("formatPrice")
    report = _plain(await mixed.protocol.send_request_async("codemeld/impact", {
        "textDocument": {"uri": doc.uri}, "position": {"line": pos.line, "character": pos.character}}))
    assert report["target"]["language"] == "typescript"
    names = {d["symbol"]["qualname"] for d in report["dependents"]}
    assert "typescript:web.src.cart.Cart.label" in names
    assert [t["id"] for t in report["tests"]] == ["web/src/cart.test.ts > Cart > labels the total"]
    languages = {d["symbol"]["language"] for d in report["dependents"]}
    assert languages <= {"typescript", "javascript", "typescriptreact"} and "javascript" in languages


async def test_rename_carries_confidence(mixed):
    doc = money(mixed)
    edit = await mixed.text_document_rename_async(types.RenameParams(
        text_document=doc.id, position=doc.pos("formatPrice"), new_name="formatEuros"))
    text = repr(edit)
    for path in ("web/src/money.ts", "web/src/cart.ts", "web/src/legacy.cjs"):
        assert path in text, text
    assert "formatEuros" in text


async def test_explain(mixed):
    doc = money(mixed)
    pos = doc.pos("formatPrice")
    result = _plain(await mixed.protocol.send_request_async("codemeld/explain", {
        "textDocument": {"uri": doc.uri}, "position": {"line": pos.line, "character": pos.character}}))
    assert result["qualname"] == "typescript:web.src.money.formatPrice"
    assert "```typescript" in result["markdown"] and "label" in result["markdown"]



async def test_mcp_tools_answer_for_typescript(mixed):
    """The real MCP server over stdio on the same workspace."""
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    from e2e_support import REPO

    index_dir = mixed.cache / "mcp-index"
    env = {**os.environ, "PYTHONPATH": str(REPO), "CODEMELD_CACHE_DIR": str(mixed.cache / "mcp"), "HF_HUB_OFFLINE": "1"}
    params = StdioServerParameters(command=sys.executable, args=[
        "-m", "server.cli", "mcp", "--root", str(mixed.root), "--index-dir", str(index_dir), "--no-embeddings"],
        env=env, cwd=str(REPO))
    async with Client(params, read_timeout_seconds=60) as client:
        refs = await client.call_tool("references", {"symbol": "typescript:web.src.money.formatPrice"})
        assert not refs.is_error, refs.content[0].text
        data = refs.structured_content
        assert data["target"]["language"] == "typescript"
        assert {r["path"] for r in data["references"]} == {"web/src/cart.ts", "web/src/legacy.cjs"}
        assert {r["language"] for r in data["references"]} == {"typescript", "javascript"}
        found = await client.call_tool("symbol", {"name": "formatPrice"})
        assert not found.is_error, found.content[0].text
        assert found.structured_content["matches"][0]["language"] == "typescript"
        preview = await client.call_tool("change_signature_preview", {
            "symbol": "typescript:web.src.money.formatPrice", "new_parameters": "amount: number, currency: string"})
        assert not preview.is_error, preview.content[0].text
        diff = preview.structured_content["diff"]
        assert "+export function formatPrice(amount: number, currency: string): string {" in diff
        assert "formatPrice(this.total, currency)" in diff and "formatPrice(n, currency)" in diff


async def test_an_unsaved_signature_change_publishes_diagnostics_on_typescript_callers(mixed):
    from e2e_support import eventually

    doc, cart = money(mixed), Doc(mixed.root, "web/src/cart.ts")
    mixed.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=doc.uri, language_id="typescript", version=1, text=doc.text)))
    mixed.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(
            text=doc.text.replace("formatPrice(amount: number)", "formatPrice(amount: number, currency: string)"))]))

    async def broken():
        return [d for d in mixed.diagnostics.get(cart.uri) or [] if d.source == "codemeld"]

    try:
        diagnostics = await eventually(broken, timeout=15)
        assert [(d.range.start.line, "missing required argument 'currency'" in d.message) for d in diagnostics] \
            == [(cart.pos("formatPrice(this").line, True)], diagnostics
        # the code actions on the broken call: rewrite the call sites, or make the parameter optional
        at = cart.pos("formatPrice(this")
        actions = await mixed.text_document_code_action_async(types.CodeActionParams(
            text_document=cart.id, range=types.Range(start=at, end=at), context=types.CodeActionContext(diagnostics=[])))
        assert sorted(a.title for a in actions or []) == [
            "Make the new parameter optional to keep callers of formatPrice() working",
            "Update 2 call sites of formatPrice()"], actions
    finally:
        mixed.text_document_did_close(types.DidCloseTextDocumentParams(text_document=doc.id))


async def test_a_namespace_merged_into_a_class_holds_its_members(mixed):
    # The case before closed money.ts with unsaved changes: the server re-reads
    # it from disk meanwhile, and one request must answer (from the buffer's
    # index or the disk's: tests/unit/test_close_unsaved.py).
    doc = money(mixed)
    found = await mixed.text_document_definition_async(types.DefinitionParams(
        text_document=doc.id, position=doc.pos("unit().area", offset=1)))
    assert [(rel(mixed, loc.uri), loc.range.start.line) for loc in found or []] == [
        ("web/src/money.ts", doc.pos("export function unit").line)]
