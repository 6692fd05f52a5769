"""Go through a real LSP session (pytest-lsp, a real `codemeld` server over a
small Go module written by the test): definition, references, hover,
document/workspace symbols, call and type hierarchy, impact with `go test`
ids, and rename."""

from __future__ import annotations

import textwrap

import pytest
import pytest_asyncio
from lsprotocol import types

from e2e_support import Doc, _plain, start_client, stop_client

pytestmark = pytest.mark.asyncio(loop_scope="module")

FILES = {
    "go.mod": "module example.com/shop\n\ngo 1.21\n",
    "store/store.go": """
        package store

        // Store keeps values by key.
        type Store interface {
            Put(k string) error
        }

        // Mem is a Store in memory.
        type Mem struct{ data map[string]bool }

        // NewMem makes an empty Mem.
        func NewMem() *Mem { return &Mem{data: map[string]bool{}} }

        func (m *Mem) Put(k string) error {
            m.data[k] = true
            return nil
        }

        // Save puts one key into any store.
        func Save(s Store, k string) error { return s.Put(k) }
        """,
    "store/keys.go": """
        package store

        // Keys lists the keys of a Mem.
        func Keys(m *Mem) []string {
            type pair struct{ K string }
            out := []string{}
            for k := range m.data {
                out = append(out, pair{K: k}.K)
            }
            return out
        }
        """,
    "store/store_test.go": """
        package store

        import "testing"

        func TestSave(t *testing.T) {
            t.Run("empty key", func(t *testing.T) {
                if err := Save(NewMem(), ""); err != nil {
                    t.Fatal(err)
                }
            })
        }
        """,
    "cmd/app/main.go": """
        package main

        import "example.com/shop/store"

        func main() {
            m := store.NewMem()
            m.Put("direct")
            _ = store.Save(m, "x")
        }
        """,
}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def gows(tmp_path_factory):
    base = tmp_path_factory.mktemp("gows")
    root = base / "gows"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"))
    client = await start_client(base / "cache", root)
    client.root = root
    yield client
    await stop_client(client)


def where(root, locations) -> list[tuple[str, int]]:
    out = []
    for loc in locations or []:
        uri = getattr(loc, "uri", None) or getattr(loc, "target_uri")
        rng = getattr(loc, "range", None) or getattr(loc, "target_selection_range")
        out.append((uri.split(root.name + "/", 1)[-1], rng.start.line + 1))
    return sorted(out)


async def test_definition_and_references(gows):
    main = Doc(gows.root, "cmd/app/main.go")
    store = Doc(gows.root, "store/store.go")
    found = await gows.text_document_definition_async(types.DefinitionParams(
        text_document=main.id, position=main.pos("Save(m", offset=1)))
    assert where(gows.root, found) == [("store/store.go", 20)]
    # Mem.Put: the direct call in main, and the call through the Store
    # interface in Save (as gopls counts it).
    refs = await gows.text_document_references_async(types.ReferenceParams(
        text_document=store.id, position=store.pos("Put(k string) error {", offset=0),
        context=types.ReferenceContext(include_declaration=False)))
    assert where(gows.root, refs) == [("cmd/app/main.go", 7), ("store/store.go", 20)]


async def test_hover_and_symbols(gows):
    store = Doc(gows.root, "store/store.go")
    hover = await gows.text_document_hover_async(types.HoverParams(
        text_document=store.id, position=store.pos("func Save", offset=6)))
    assert "```go\nfunc Save(s Store, k string) error\n```" in hover.contents.value
    assert "puts one key into any store" in hover.contents.value
    symbols = await gows.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=store.id))
    names = set()
    stack = list(symbols)
    while stack:
        sym = stack.pop()
        names.add(sym.name)
        stack.extend(getattr(sym, "children", None) or [])
    assert {"Store", "Mem", "NewMem", "Save", "Put", "data"} <= names
    found = await gows.workspace_symbol_async(types.WorkspaceSymbolParams(query="NewMem"))
    assert any(s.name == "NewMem" and s.location.uri.endswith("store/store.go") for s in found)


async def test_call_and_type_hierarchy(gows):
    store = Doc(gows.root, "store/store.go")
    items = await gows.text_document_prepare_call_hierarchy_async(types.CallHierarchyPrepareParams(
        text_document=store.id, position=store.pos("func Save", offset=6)))
    calls = await gows.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=items[0]))
    assert {c.from_.name for c in calls} == {"main", "empty_key"}
    items = await gows.text_document_prepare_type_hierarchy_async(types.TypeHierarchyPrepareParams(
        text_document=store.id, position=store.pos("type Mem", offset=5)))
    supers = await gows.type_hierarchy_supertypes_async(types.TypeHierarchySupertypesParams(item=items[0]))
    assert [s.name for s in supers] == ["Store"]
    items = await gows.text_document_prepare_type_hierarchy_async(types.TypeHierarchyPrepareParams(
        text_document=store.id, position=store.pos("type Store", offset=5)))
    subs = await gows.type_hierarchy_subtypes_async(types.TypeHierarchySubtypesParams(item=items[0]))
    assert [s.name for s in subs] == ["Mem"]


async def test_impact_of_an_interface_method_reaches_implementation_and_go_tests(gows):
    store = Doc(gows.root, "store/store.go")
    pos = store.pos("Put(k string) error")  # the interface's method
    result = await gows.protocol.send_request_async("codemeld/impact", {
        "textDocument": {"uri": store.uri}, "position": {"line": pos.line, "character": pos.character}})
    report = result if isinstance(result, dict) else _plain(result)
    assert report["target"]["qualname"] == "go:store.Store.Put"
    names = {d["symbol"]["qualname"] for d in report["dependents"]}
    assert {"go:store.Mem.Put", "go:store.Save", "go:cmd/app.main"} <= names
    assert [t["id"] for t in report["tests"]] == ["./store -run '^TestSave$/^empty_key$'"]


async def test_rename_follows_the_graph(gows):
    store = Doc(gows.root, "store/store.go")
    edit = await gows.text_document_rename_async(types.RenameParams(
        text_document=store.id, position=store.pos("func Save", offset=6), new_name="SaveOne"))
    changes = {}
    for change in edit.document_changes or []:
        path = change.text_document.uri.split(gows.root.name + "/", 1)[-1]
        changes[path] = sorted(e.range.start.line + 1 for e in change.edits)
    assert changes == {"store/store.go": [20], "store/store_test.go": [7], "cmd/app/main.go": [8]}



async def test_mcp_tools_answer_for_go(tmp_path):
    """The MCP tools over a Go module, through a real MCP stdio session."""
    import os
    import sys

    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    from e2e_support import REPO

    root = tmp_path / "gows"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"))
    params = StdioServerParameters(
        command=sys.executable, cwd=str(REPO),
        args=["-m", "server.cli", "mcp", "--root", str(root), "--index-dir", str(tmp_path / "index"),
              "--no-embeddings"],
        env={**os.environ, "PYTHONPATH": str(REPO), "CODEMELD_CACHE_DIR": str(tmp_path), "HF_HUB_OFFLINE": "1"})

    async def call(client, tool, **args):
        result = await client.call_tool(tool, args)
        assert not result.is_error, result.content[0].text
        return result.structured_content

    async with Client(params, read_timeout_seconds=60) as client:
        sym = await call(client, "symbol", name="NewMem")
        assert sym["matches"][0]["qualname"] == "go:store.NewMem"
        refs = await call(client, "references", symbol="go:store.NewMem")
        assert {(r["path"], r["line"]) for r in refs["references"]} == {("store/store_test.go", 7),
                                                                         ("cmd/app/main.go", 6)}
        callers = await call(client, "callers", symbol="go:store.Save")
        assert {c["symbol"]["qualname"] for c in callers["calls"]} == {"go:cmd/app.main",
                                                                        "go:store.TestSave.empty_key"}
        impact = await call(client, "impact", symbol="go:store.Mem.Put")
        assert "go:store.Save" in {d["symbol"]["qualname"] for d in impact["dependents"]}
        preview = await call(client, "rename_preview", symbol="go:store.NewMem", new_name="NewMemory")
        assert preview


async def test_an_unsaved_signature_change_publishes_diagnostics_on_its_go_callers(gows):
    from e2e_support import eventually

    store, main = Doc(gows.root, "store/store.go"), Doc(gows.root, "cmd/app/main.go")
    gows.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=store.uri, language_id="go", version=1, text=store.text)))
    gows.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=store.uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(
            text=store.text.replace("func Save(s Store, k string)", "func Save(s Store, k string, force bool)"))]))

    async def broken():
        return [d for d in gows.diagnostics.get(main.uri) or [] if d.source == "codemeld"]

    try:
        diagnostics = await eventually(broken, timeout=15)
        assert [(d.range.start.line + 1, "missing required argument 'force'" in d.message) for d in diagnostics] \
            == [(8, True)], diagnostics
    finally:
        gows.text_document_did_close(types.DidCloseTextDocumentParams(text_document=store.id))



async def test_a_type_declared_in_a_function_body_is_a_definition(gows):
    keys = Doc(gows.root, "store/keys.go")
    found = await gows.text_document_definition_async(types.DefinitionParams(
        text_document=keys.id, position=keys.pos("}.K", offset=2)))
    assert where(gows.root, found) == [("store/keys.go", 5)]
