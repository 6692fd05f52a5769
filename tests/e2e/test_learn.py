"""Learned test impact through a real LSP session: with `learnTests` on, the
server runs the workspace's tests under coverage after the graph is ready
(real pytest + pytest-cov of this venv, in a subprocess), and codemeld/impact
then marks tests learned/both; codemeld/affectedTests selects the tests of an
unsaved edit."""

from __future__ import annotations

import sys

import pytest
from lsprotocol import types

from e2e_support import Doc, _plain, copy_workspace, eventually, start_client, stop_client

pytestmark = pytest.mark.slow


async def test_background_learning_marks_tests_and_affected_tests_follow_unsaved_edits(tmp_path):
    root = copy_workspace("shop", tmp_path)
    options = {"learnTests": True, "testPython": sys.executable, "testArgs": ["-p", "no:randomly"]}
    client = await start_client(tmp_path / "cache", root, options=options)
    try:
        utils = Doc(root, "shop/utils.py")
        pos = utils.pos("format_price")

        async def learned():
            report = _plain(await client.protocol.send_request_async("codemeld/impact", {
                "textDocument": {"uri": utils.uri}, "position": {"line": pos.line, "character": pos.character}}))
            sources = {t["source"] for t in report["tests"]}
            return report if sources & {"learned", "both"} else None

        report = await eventually(learned, timeout=120, interval=0.5)
        assert report, "no learned tests after the background run"
        assert all(t["source"] in ("static", "learned", "both") for t in report["tests"])
        assert not any(t["stale"] for t in report["tests"])

        # An unsaved edit of format_price: its tests, without touching the disk.
        text = utils.path.read_text()
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=utils.uri, language_id="python", version=1, text=text)))
        line = text.splitlines()[pos.line + 1]
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=utils.uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(
                text=text.replace(line, line + "  # edited", 1))]))
        selection = _plain(await client.protocol.send_request_async(
            "codemeld/affectedTests", {"textDocument": {"uri": utils.uri}, "git": False}))
        assert [c["symbol"]["qualname"] for c in selection["changed"]] == ["shop.utils.format_price"]
        assert selection["pytestArgs"] and set(selection["pytestArgs"]) == {t["id"] for t in report["tests"]}
    finally:
        await stop_client(client)
