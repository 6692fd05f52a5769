"""Navigation over the shop workspace through a real server (read-only: one
server shared by the whole module)."""

from __future__ import annotations

import pytest
from lsprotocol import types

from e2e_support import Doc, where

pytestmark = pytest.mark.asyncio(loop_scope="module")


def docs(client):
    return {name: Doc(client.root, f"shop/{name}.py") for name in ("models", "cart", "checkout", "utils")}


def refs_params(doc: Doc, pos: types.Position, declaration: bool) -> types.ReferenceParams:
    return types.ReferenceParams(text_document=doc.id, position=pos,
                                 context=types.ReferenceContext(include_declaration=declaration))


async def test_definition_across_files(shop):
    d = docs(shop)
    # `format_price(...)` in checkout.py -> utils.py
    found = await shop.text_document_definition_async(types.DefinitionParams(
        text_document=d["checkout"].id, position=d["checkout"].pos("format_price(amount)", offset=3)))
    assert where(found) == [("shop/utils.py", 6)]
    # `cart.total()` with `cart: Cart` -> Cart.total
    found = await shop.text_document_definition_async(types.DefinitionParams(
        text_document=d["checkout"].id, position=d["checkout"].pos("total()")))
    assert where(found) == [("shop/cart.py", 16)]
    # `super().total(quantity)` -> Product.total through the MRO
    found = await shop.text_document_definition_async(types.DefinitionParams(
        text_document=d["models"].id, position=d["models"].pos("super().total", offset=9)))
    assert where(found) == [("shop/models.py", 21)]


async def test_definition_of_a_definition_is_itself(shop):
    d = docs(shop)
    found = await shop.text_document_definition_async(types.DefinitionParams(
        text_document=d["utils"].id, position=d["utils"].pos("format_price")))
    assert where(found) == [("shop/utils.py", 6)]


async def test_references_honour_include_declaration(shop):
    utils = docs(shop)["utils"]
    pos = utils.pos("format_price")
    without = where(await shop.text_document_references_async(refs_params(utils, pos, False)))
    # The `__all__` entry names it too (a string reference, as pyright counts it).
    assert without == [("shop/__init__.py", 4), ("shop/__init__.py", 6), ("shop/cart.py", 4), ("shop/cart.py", 20),
                       ("shop/checkout.py", 4), ("shop/checkout.py", 10)]
    with_decl = where(await shop.text_document_references_async(refs_params(utils, pos, True)))
    assert sorted(with_decl) == sorted(without + [("shop/utils.py", 6)])


async def test_references_from_a_use_site_and_of_a_method(shop):
    d = docs(shop)
    # From the use in checkout.py: the same answer as from the definition.
    found = where(await shop.text_document_references_async(
        refs_params(d["checkout"], d["checkout"].pos("format_price(amount)"), False)))
    assert ("shop/cart.py", 20) in found and ("shop/checkout.py", 10) in found
    # A method used through self, an annotated parameter and a fixture-typed test argument.
    found = where(await shop.text_document_references_async(
        refs_params(d["cart"], d["cart"].pos("def total", offset=4), False)))
    assert ("shop/cart.py", 20) in found  # self.total()
    assert ("shop/checkout.py", 9) in found  # cart.total() with cart: Cart
    assert ("tests/test_cart.py", 8) in found  # in a test


async def test_hover_shows_signature_docstring_location_and_usage(shop):
    checkout = docs(shop)["checkout"]
    hover = await shop.text_document_hover_async(types.HoverParams(
        text_document=checkout.id, position=checkout.pos("format_price(amount)")))
    text = hover.contents.value
    assert "def format_price(value: float) -> str" in text
    assert "Format a price with its currency" in text
    assert "shop/utils.py:6" in text
    assert "6 references in 3 files" in text  # with the `__all__` entry


async def test_hover_on_nothing_is_null(shop):
    checkout = docs(shop)["checkout"]
    assert await shop.text_document_hover_async(types.HoverParams(
        text_document=checkout.id, position=types.Position(line=1, character=0))) is None


async def test_document_symbols_are_hierarchical(shop):
    models = docs(shop)["models"]
    found = await shop.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=models.id))
    assert [s.name for s in found] == ["Entity", "Product", "DiscountedProduct"]
    discounted = found[2]
    assert discounted.kind == types.SymbolKind.Class
    children = {c.name: c for c in discounted.children}
    assert {"__init__", "total", "apply_discount", "percent"} <= set(children)
    assert children["total"].kind == types.SymbolKind.Method
    assert children["__init__"].kind == types.SymbolKind.Constructor
    assert children["total"].detail == "def total(self, quantity: int) -> float"
    assert [c.name for c in children["total"].children] == ["base"]  # locals nest, parameters are left out


async def test_workspace_symbol_is_fuzzy_and_ranked(shop):
    async def names(query):
        found = await shop.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
        return [(s.container_name or "") + "." + s.name for s in found]

    assert (await names("format_price"))[0] == "shop.utils.format_price"
    assert (await names("fp"))[0] == "shop.utils.format_price"  # word initials
    assert (await names("frmtprc"))[0] == "shop.utils.format_price"  # subsequence
    assert (await names("DiscProd"))[0] == "shop.models.DiscountedProduct"
    ranked = await names("product")
    assert ranked[0] == "shop.models.Product"  # exact (case-insensitive) before prefix before substring
    assert ranked.index("shop.models.Product") < ranked.index("shop.models.DiscountedProduct")
    assert (await names("Cart.tot"))[0] == "shop.cart.Cart.total"  # narrowed by the class
    assert await names("zzzzqqq") == []


async def test_call_hierarchy_across_files(shop):
    d = docs(shop)
    items = await shop.text_document_prepare_call_hierarchy_async(types.CallHierarchyPrepareParams(
        text_document=d["utils"].id, position=d["utils"].pos("format_price")))
    assert [i.name for i in items] == ["format_price"]
    incoming = await shop.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=items[0]))
    callers = sorted((c.from_.detail, len(c.from_ranges)) for c in incoming)
    assert callers == [("shop.cart.Cart.summary", 1), ("shop.checkout.checkout", 1)]

    items = await shop.text_document_prepare_call_hierarchy_async(types.CallHierarchyPrepareParams(
        text_document=d["checkout"].id, position=d["checkout"].pos("def checkout", offset=4)))
    outgoing = await shop.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=items[0]))
    callees = {c.to.detail for c in outgoing}
    assert callees == {"shop.cart.Cart.total", "shop.utils.format_price"}
    # quick_checkout -> Cart (constructor), Cart.add, checkout
    items = await shop.text_document_prepare_call_hierarchy_async(types.CallHierarchyPrepareParams(
        text_document=d["checkout"].id, position=d["checkout"].pos("quick_checkout")))
    outgoing = await shop.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=items[0]))
    assert {"shop.cart.Cart", "shop.cart.Cart.add", "shop.checkout.checkout"} <= {c.to.detail for c in outgoing}


async def test_call_hierarchy_item_without_data_is_found_by_position(shop):
    utils = docs(shop)["utils"]
    items = await shop.text_document_prepare_call_hierarchy_async(types.CallHierarchyPrepareParams(
        text_document=utils.id, position=utils.pos("format_price")))
    item = items[0]
    item.data = None
    incoming = await shop.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=item))
    assert len(incoming) == 2


async def test_type_hierarchy(shop):
    models = docs(shop)["models"]
    items = await shop.text_document_prepare_type_hierarchy_async(types.TypeHierarchyPrepareParams(
        text_document=models.id, position=models.pos("class Product", offset=6)))
    assert [i.detail for i in items] == ["shop.models.Product"]
    supers = await shop.type_hierarchy_supertypes_async(types.TypeHierarchySupertypesParams(item=items[0]))
    assert [i.detail for i in supers] == ["shop.models.Entity"]
    subs = await shop.type_hierarchy_subtypes_async(types.TypeHierarchySubtypesParams(item=items[0]))
    assert [i.detail for i in subs] == ["shop.models.DiscountedProduct"]
    # From a use of the class in another file
    test = Doc(shop.root, "tests/test_cart.py")
    items = await shop.text_document_prepare_type_hierarchy_async(types.TypeHierarchyPrepareParams(
        text_document=test.id, position=test.pos("DiscountedProduct(")))
    supers = await shop.type_hierarchy_supertypes_async(types.TypeHierarchySupertypesParams(item=items[0]))
    assert [i.detail for i in supers] == ["shop.models.Product"]


async def test_code_lens_counts_references(shop):
    utils = docs(shop)["utils"]
    lenses = await shop.text_document_code_lens_async(types.CodeLensParams(text_document=utils.id))
    # Reference lenses come resolved; impact lenses are resolved on demand (test_impact.py).
    lenses = [l for l in lenses if l.command is not None]
    assert [(l.range.start.line + 1, l.command.title) for l in lenses] == [(6, "6 references")]
    # The lens command answers with the locations too.
    lens = lenses[0]
    found = await shop.workspace_execute_command_async(types.ExecuteCommandParams(
        command=lens.command.command, arguments=lens.command.arguments))
    assert len(found) == 6


async def test_document_highlight(shop):
    checkout = docs(shop)["checkout"]
    found = await shop.text_document_document_highlight_async(types.DocumentHighlightParams(
        text_document=checkout.id, position=checkout.pos("amount = ")))
    assert sorted((h.range.start.line + 1, h.kind) for h in found) == [
        (9, types.DocumentHighlightKind.Write), (10, types.DocumentHighlightKind.Read)]
    found = await shop.text_document_document_highlight_async(types.DocumentHighlightParams(
        text_document=checkout.id, position=checkout.pos("format_price(amount)")))
    assert sorted(h.range.start.line + 1 for h in found) == [4, 10]


async def test_bad_input_gives_empty_answers(shop, tmp_path):
    models = docs(shop)["models"]
    outside = (tmp_path / "elsewhere.py")
    outside.write_text("x = 1\n")
    positions = [
        (models.uri, types.Position(line=3, character=500)),  # past the end of a line
        (models.uri, types.Position(line=10_000, character=0)),  # past the end of the file
        (outside.as_uri(), types.Position(line=0, character=0)),  # outside the workspace
        ((shop.root / "shop" / "missing.py").as_uri(), types.Position(line=0, character=0)),  # unknown
        ("untitled:Untitled-1", types.Position(line=0, character=0)),  # not a file
    ]
    for uri, pos in positions:
        doc = types.TextDocumentIdentifier(uri=uri)
        assert not await shop.text_document_definition_async(types.DefinitionParams(text_document=doc, position=pos))
        assert not await shop.text_document_references_async(types.ReferenceParams(
            text_document=doc, position=pos, context=types.ReferenceContext(include_declaration=True)))
        assert await shop.text_document_hover_async(types.HoverParams(text_document=doc, position=pos)) is None
        assert not await shop.text_document_document_highlight_async(
            types.DocumentHighlightParams(text_document=doc, position=pos))
        assert not await shop.text_document_prepare_call_hierarchy_async(
            types.CallHierarchyPrepareParams(text_document=doc, position=pos))
    for uri in (outside.as_uri(), "untitled:Untitled-1"):
        doc = types.TextDocumentIdentifier(uri=uri)
        assert not await shop.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc))
        assert not await shop.text_document_code_lens_async(types.CodeLensParams(text_document=doc))
    assert await shop.workspace_symbol_async(types.WorkspaceSymbolParams(query="")) == []
    bogus = types.CallHierarchyItem(name="x", kind=types.SymbolKind.Function, uri=outside.as_uri(),
                                    range=types.Range(types.Position(0, 0), types.Position(0, 1)),
                                    selection_range=types.Range(types.Position(0, 0), types.Position(0, 1)),
                                    data={"root": "/nowhere", "qualname": 3})
    assert not await shop.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=bogus))
    found = await shop.workspace_execute_command_async(types.ExecuteCommandParams(
        command="codemeld.showReferences", arguments=["not a uri"]))
    assert found == []
