"""The `sharedIndex` init option through a real LSP session: the server pulls
the published snapshot before the folder's first index, then indexes only
what differs (seen in the index: the pulled rows keep CI's timestamps)."""

from __future__ import annotations

import subprocess
import time

import pytest
from lsprotocol import types

from e2e_support import copy_workspace, start_client, stop_client, wait_ready
from indexer.pipeline.index import Indexer
from indexer.share.snapshot import publish
from indexer.graph.store import Store

pytestmark = pytest.mark.slow


def git(root, *args):
    subprocess.run(["git", "-C", str(root), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


async def test_shared_index_is_pulled_before_the_first_index(tmp_path):
    origin = copy_workspace("shop", tmp_path / "origin")
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "one")
    ci = Indexer(origin, tmp_path / "ci-index")
    ci.run()
    ci.close()
    store_uri = (tmp_path / "snapshots").as_uri()
    publish(origin, tmp_path / "ci-index", store_uri)
    published_at = time.time()

    clone = tmp_path / "clone" / "shop"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    edited = next(p for p in sorted(clone.rglob("*.py")) if p.stat().st_size > 0)
    edited.write_text(edited.read_text() + "\n\ndef pulled_then_edited():\n    return 1\n")
    client = await start_client(tmp_path / "cache", clone, {"sharedIndex": store_uri}, ready=False)
    try:
        await wait_ready(client, timeout=60)
        found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="pulled_then_edited"))
        assert [s.name for s in found or []] == ["pulled_then_edited"]
    finally:
        await stop_client(client)
    store = Store(tmp_path / "cache" / "index", readonly=True)
    stamps = dict(store.conn.execute("SELECT path, indexed_at FROM files"))
    rel = edited.relative_to(clone).as_posix()
    assert stamps[rel] > published_at  # re-indexed here
    assert all(t < published_at for p, t in stamps.items() if p != rel)  # came with the snapshot


async def test_a_missing_snapshot_falls_back_to_a_local_index(tmp_path):
    root = copy_workspace("shop", tmp_path)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one")
    client = await start_client(tmp_path / "cache", root, {"sharedIndex": (tmp_path / "empty").as_uri()}, ready=False)
    try:
        ready = await wait_ready(client, timeout=60)
        assert ready["state"] == "ready"
        found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="Cart"))
        assert found
    finally:
        await stop_client(client)
