"""Fixtures: a shared read-only server, and a private one per editing test."""

from __future__ import annotations

import pytest_asyncio

from e2e_support import copy_workspace, start_client, stop_client


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def shop(tmp_path_factory):
    """A server over a pristine copy of the shop workspace, shared by read-only tests."""
    base = tmp_path_factory.mktemp("shop-ro")
    root = copy_workspace("shop", base)
    client = await start_client(base / "cache", root)
    client.root = root
    yield client
    await stop_client(client)


@pytest_asyncio.fixture
async def live(tmp_path):
    """A server over a private copy of the shop workspace, for tests that edit."""
    root = copy_workspace("shop", tmp_path)
    client = await start_client(tmp_path / "cache", root)
    client.root = root
    yield client
    await stop_client(client)
