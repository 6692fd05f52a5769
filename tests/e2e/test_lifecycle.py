"""Lifecycle: capabilities, options, progress, status, warm start, cancel, TCP."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import time

from lsprotocol import types
from pytest_lsp import client_capabilities

from e2e_support import (REPO, Doc, copy_workspace, eventually, init_params, server_config, start_client, status,
                         stop_client, wait_ready)


async def test_status_reports_the_index(tmp_path):
    root = copy_workspace("shop", tmp_path)
    client = await start_client(tmp_path / "cache", root, ready=False)
    try:
        result = await wait_ready(client)
        assert result["state"] == "ready"
        assert result["files"] == 8 and result["symbols"] > 50 and result["references"] > 100
        assert result["pending"] == 0
        assert result["indexDir"] == str(tmp_path / "cache" / "index")
        assert result["folders"][0]["root"] == str(root.resolve())
    finally:
        await stop_client(client)


async def test_initialize_advertises_every_feature_in_utf16(tmp_path):
    root = copy_workspace("shop", tmp_path)

    client = await server_config(tmp_path / "cache").start()
    try:
        caps = client_capabilities("visual_studio_code")
        caps.general = types.GeneralClientCapabilities(position_encodings=["utf-8", "utf-16"])
        result = await client.initialize_session(init_params(root, tmp_path / "index", capabilities=caps))
        c = result.capabilities
        assert c.position_encoding == types.PositionEncodingKind.Utf16  # the index stores UTF-16 columns
        assert c.text_document_sync.change == types.TextDocumentSyncKind.Incremental
        for provider in ("definition_provider", "references_provider", "hover_provider",
                         "document_symbol_provider", "workspace_symbol_provider", "call_hierarchy_provider",
                         "type_hierarchy_provider", "code_lens_provider", "document_highlight_provider"):
            assert getattr(c, provider), provider
        assert {"codemeld.reindex", "codemeld.showReferences", "codemeld.explain",
                "codemeld.search"} <= set(c.execute_command_provider.commands)
        assert result.server_info.name == "codemeld"
        await wait_ready(client)
    finally:
        await stop_client(client)


async def test_invalid_options_warn_and_fall_back_to_defaults(tmp_path):
    root = copy_workspace("shop", tmp_path)
    options = {"maxFileSize": "huge", "exclude": "tests", "features": {"hover": "yes", "teleport": True}, "bogus": 1}
    client = await start_client(tmp_path / "cache", root, options=options)
    try:
        messages = await eventually(lambda: _messages(client, 4))
        text = "\n".join(m.message for m in messages)
        assert all(m.type == types.MessageType.Warning for m in messages)
        for name in ("maxFileSize", "exclude", "features.hover", "teleport", "bogus"):
            assert name in text
        # Defaults were used: hover still answers, tests/ is still indexed.
        utils = Doc(root, "shop/utils.py")
        hover = await client.text_document_hover_async(types.HoverParams(text_document=utils.id,
                                                                         position=utils.pos("format_price")))
        assert hover is not None
        assert (await status(client))["files"] == 8
    finally:
        await stop_client(client)


async def _messages(client, count):
    return client.messages if len(client.messages) >= count else None


async def test_switched_off_features_are_not_advertised(tmp_path):
    root = copy_workspace("shop", tmp_path)

    client = await server_config(tmp_path / "cache").start()
    try:
        result = await client.initialize_session(init_params(
            root, tmp_path / "index", {"features": {"hover": False, "callHierarchy": False, "codeLens": False}}))
        c = result.capabilities
        assert not c.hover_provider and not c.call_hierarchy_provider and not c.code_lens_provider
        assert c.definition_provider and c.references_provider
        await wait_ready(client)
    finally:
        await stop_client(client)


async def test_progress_reports_begin_report_end_and_warm_start(tmp_path):
    root = copy_workspace("shop", tmp_path)
    client = await start_client(tmp_path / "cache", root)
    try:
        reports = await eventually(lambda: _finished(client))
        assert reports, client.progress_reports
        begin, *middle, end = reports
        assert begin.kind == "begin" and "indexing shop" in begin.title and begin.cancellable
        assert any(r.message == "8/8 files" for r in middle)
        percentages = [r.percentage for r in middle]
        assert percentages == sorted(percentages) and percentages[-1] == 100
        assert end.kind == "end" and "8 files (8 parsed)" in end.message
        # codemeld.reindex runs again with progress; nothing changed, so nothing is parsed.
        client.progress_reports.clear()
        await client.workspace_execute_command_async(types.ExecuteCommandParams(command="codemeld.reindex"))
        reports = await eventually(lambda: _finished(client))
        assert "(0 parsed)" in reports[-1].message
    finally:
        await stop_client(client)
    # Warm start from the persisted index: ready at once, nothing re-parsed.
    started = time.monotonic()
    client = await start_client(tmp_path / "cache", root)
    try:
        assert time.monotonic() - started < 5
        reports = await eventually(lambda: _finished(client))
        assert "8 files (0 parsed)" in reports[-1].message
    finally:
        await stop_client(client)


async def _finished(client):
    for token, reports in client.progress_reports.items():
        if reports and reports[-1].kind == "end":
            return reports
    return None


def _big_workspace(root, files: int):
    pkg = root / "big"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "base.py").write_text("def helper(x):\n    return x\n")
    body = "".join(f"def f{i}(a, b):\n    return helper(a) + b * {i}\n\n" for i in range(40))
    for i in range(files):
        (pkg / f"mod{i}.py").write_text(f"from big.base import helper\n\n{body}")


async def test_cancel_indexing_and_answers_while_indexing(tmp_path):
    root = tmp_path / "big"
    _big_workspace(root, 1500)
    client = await start_client(tmp_path / "cache", root, options={"jobs": 1}, ready=False)
    try:
        token = await eventually(lambda: _token_with_report(client), timeout=30, interval=0.01)
        assert token is not None
        # The loop is free while the writer works: status answers while the
        # index is still being built, well before the build (1,500 files on
        # one worker) could end. 2 s, not less: a loaded 2-core CI machine
        # answered in 0.53 s once, where a quiet one takes 0.02-0.3 s.
        started = time.monotonic()
        current = await status(client)
        assert time.monotonic() - started < 2.0
        assert current["state"] == "indexing"
        client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
        reports = await eventually(lambda: _finished(client), timeout=30)
        assert "cancelled" in reports[-1].message
        current = await wait_ready(client)
        assert current["folders"][0]["cancelled"] is True
        assert 0 < current["files"] < 1501
    finally:
        await stop_client(client)


async def test_parallel_indexing_inside_the_server(tmp_path):
    """Enough files for the indexer's worker processes (forked from the
    threaded server): they must not inherit a held stdin lock and hang."""
    root = tmp_path / "big"
    _big_workspace(root, 60)
    client = await start_client(tmp_path / "cache", root, options={"jobs": 2}, ready=False)
    try:
        current = await wait_ready(client, timeout=60)
        assert current["files"] == 62
    finally:
        await stop_client(client)


async def _token_with_report(client):
    for token, reports in client.progress_reports.items():
        if any(r.kind == "report" for r in reports):
            return token
    return None


async def test_serve_command_and_tcp(tmp_path):
    """`codemeld serve --tcp HOST:PORT` speaks LSP over a socket; logs stay off stdout."""
    root = copy_workspace("shop", tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    import os

    env = {**os.environ, "PYTHONPATH": str(REPO), "CODEMELD_CACHE_DIR": str(tmp_path / "cache")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server.cli", "serve", "--tcp", f"127.0.0.1:{port}",
        "--log-file", str(tmp_path / "server.log"), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        reader = writer = None
        for _ in range(100):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.05)
        assert writer is not None, "server did not listen"

        async def call(msg_id, method, params):
            body = json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}).encode()
            writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            await writer.drain()
            while True:
                headers = await reader.readuntil(b"\r\n\r\n")
                length = int(headers.split(b"Content-Length:")[1].split(b"\r\n")[0])
                message = json.loads(await reader.readexactly(length))
                if message.get("id") == msg_id:
                    return message

        init = await call(1, "initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {},
                                            "initializationOptions": {"indexDir": str(tmp_path / "index")}})
        assert init["result"]["serverInfo"]["name"] == "codemeld"
        body = json.dumps({"jsonrpc": "2.0", "method": "initialized", "params": {}}).encode()
        writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        for attempt in range(200):
            result = (await call(100 + attempt, "codemeld/status", None))["result"]
            if result["state"] == "ready":
                break
            await asyncio.sleep(0.05)
        assert result["files"] == 8
        utils = Doc(root, "shop/utils.py")
        pos = utils.pos("format_price")
        refs = await call(2, "textDocument/references", {
            "textDocument": {"uri": utils.uri}, "position": {"line": pos.line, "character": pos.character},
            "context": {"includeDeclaration": False}})
        assert len(refs["result"]) == 6  # incl. the `__all__` entry
        await call(3, "shutdown", None)
        writer.close()
    finally:
        proc.kill()
        stdout, _ = await proc.communicate()
    assert stdout == b""  # nothing but LSP may ever reach stdout
    assert "indexed" in (tmp_path / "server.log").read_text()
