"""Typing in a real LSP session answers what a fresh index of the edited tree
answers (issue 17): each case types one edit into m.py (a name added or
removed, a method added, a signature changed), then asks references of the
module's names once the session has nothing pending; the answers must equal
those of a cold build of the tree with the edit saved. Closing the buffer
unsaved must give the cold build of the original tree again."""

from __future__ import annotations

import pytest
from lsprotocol import types

from e2e_support import eventually, start_client, status, stop_client
from indexer.graph.query import Graph
from indexer.pipeline.index import IndexOptions, Indexer
from tests.support import write_tree

BASE = {
    "m.py": "class Base:\n    def extra(self):\n        return 1\n\n\nclass C(Base):\n    pass\n\n\n"
            "def old(x):\n    return x\n",
    "calls_new.py": "import m\n\nm.newname()\n",
    "star.py": "from m import *\n\nnewname()\nold(1)\n",
    "uses_old.py": "from m import old\n\nold(2)\n",
    "sub.py": "from m import C\n\n\nclass D(C):\n    def go(self):\n        return self.extra()\n",
}
ASKED = ["m.old", "m.newname", "m.C.extra", "m.Base.extra", "m.C"]

EDITS = {
    "new function": BASE["m.py"] + "\n\ndef newname():\n    return old(0)\n",
    "removed function": BASE["m.py"].replace("def old(x):\n    return x\n", "OTHER = 1\n"),
    "new method": BASE["m.py"].replace("class C(Base):\n    pass", "class C(Base):\n    def extra(self):\n"
                                       "        return 2"),
    "changed signature": BASE["m.py"].replace("def old(x)", "def old(x, y=0)") + "\nnewname = old\n",
}


def fresh_index(root, index_dir) -> tuple[dict, dict]:
    """(qualname -> references, qualname -> its name's position) from a cold build."""
    indexer = Indexer(root, index_dir, IndexOptions(jobs=1))
    try:
        indexer.run()
        graph = Graph(indexer.store, indexer.root)
        refs, at = {}, {}
        for qualname in ASKED:
            refs[qualname] = sorted((r.path, r.range.start.line, r.range.start.character)
                                    for r in graph.references(qualname))
            symbol = graph.symbol(qualname)
            if symbol is not None:
                at[qualname] = symbol.selection_range.start
        return refs, at
    finally:
        indexer.close()


async def session_references(client, root, at: dict) -> dict:
    """References through the session, asked at each definition's name; a name
    the tree does not define has none."""
    out = {}
    for qualname in ASKED:
        if qualname not in at:
            out[qualname] = []
            continue
        found = await client.text_document_references_async(types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=(root / "m.py").as_uri()),
            position=types.Position(at[qualname].line, at[qualname].character),
            context=types.ReferenceContext(include_declaration=False)))
        out[qualname] = sorted((loc.uri.split(f"/{root.name}/", 1)[1], loc.range.start.line, loc.range.start.character)
                               for loc in found or [])
    return out


@pytest.mark.slow
@pytest.mark.parametrize("case", EDITS)
async def test_typed_edit_answers_as_a_fresh_index(tmp_path, case):
    root = tmp_path / "ws"
    write_tree(root, BASE)
    original_refs, original_at = fresh_index(root, tmp_path / "fresh-original")
    (root / "m.py").write_text(EDITS[case], encoding="utf-8")
    edited_refs, edited_at = fresh_index(root, tmp_path / "fresh-edited")
    (root / "m.py").write_text(BASE["m.py"], encoding="utf-8")
    assert edited_refs != original_refs  # the edit moves some answer

    client = await start_client(tmp_path / "cache", root)
    try:
        uri = (root / "m.py").as_uri()

        async def settled():
            return (await status(client))["pending"] == 0

        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text=BASE["m.py"])))
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=EDITS[case])]))
        await session_references(client, root, edited_at)  # waits for the edited document itself
        assert await eventually(settled, timeout=30)  # ...and its importers
        assert await session_references(client, root, edited_at) == edited_refs
        client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))  # unsaved: back to the disk version
        # The close is a notification: `pending` may still read 0 before the
        # server has queued the revert, so wait for the answer itself (it
        # must come back to a fresh index's within the timeout).

        async def reverted():
            return await session_references(client, root, original_at) == original_refs

        assert await eventually(reverted, timeout=30)
        assert await eventually(settled, timeout=30)
        assert await session_references(client, root, original_at) == original_refs
    finally:
        await stop_client(client)
