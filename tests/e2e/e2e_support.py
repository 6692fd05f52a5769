"""Helpers for the e2e tests: real server processes over stdio, real workspace folders.

Every session gets its own index dir (an init option, plus
CODEMELD_CACHE_DIR as a safety net) so runs never share state. Tests that
edit files work on a copy of the workspace under tmp_path.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPO = Path(__file__).resolve().parents[2]
WORKSPACES = REPO / "tests" / "workspaces"
STATUS = "codemeld/status"


def server_config(cache_dir: Path) -> ClientServerConfig:
    env = {**os.environ, "PYTHONPATH": str(REPO), "CODEMELD_CACHE_DIR": str(cache_dir)}
    return ClientServerConfig(server_command=[sys.executable, "-m", "server"], server_env=env)


def copy_workspace(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(WORKSPACES / name, target)
    return target


def init_params(root: Path, index_dir: Path | None, options: dict | None = None,
                capabilities: types.ClientCapabilities | None = None) -> types.InitializeParams:
    opts = dict(options or {})
    # Loading the embedding model costs seconds: only tests that search turn it on.
    opts.setdefault("embeddings", False)
    if index_dir is not None:
        opts.setdefault("indexDir", str(index_dir))
    return types.InitializeParams(
        capabilities=capabilities or client_capabilities("visual_studio_code"),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=opts,
    )


async def status(client: LanguageClient) -> dict:
    result = await client.protocol.send_request_async(STATUS, None)
    return result if isinstance(result, dict) else _plain(result)


def _plain(value):
    """pygls hands back responses to custom methods as named tuples; make them dicts."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


async def wait_ready(client: LanguageClient, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        current = await status(client)
        if current["state"] == "ready":
            return current
        if time.monotonic() > deadline:
            raise AssertionError(f"index not ready after {timeout}s: {current}")
        await asyncio.sleep(0.05)


async def eventually(check, timeout: float = 10.0, interval: float = 0.05):
    """Await `check()` until it returns something truthy (or time runs out)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(interval)


class Doc:
    """Positions by text search, so tests survive edits to the workspace files."""

    def __init__(self, root: Path, rel: str):
        self.root, self.rel = root, rel
        self.path = root / rel
        self.uri = self.path.as_uri()

    @property
    def text(self) -> str:
        return self.path.read_text()

    def pos(self, needle: str, nth: int = 0, offset: int = 0) -> types.Position:
        """Position of the nth occurrence of needle (+ offset characters)."""
        lines = self.text.split("\n")
        seen = 0
        for number, line in enumerate(lines):
            start = line.find(needle)
            while start >= 0:
                if seen == nth:
                    return types.Position(line=number, character=start + offset)
                seen += 1
                start = line.find(needle, start + 1)
        raise AssertionError(f"{needle!r} #{nth} not in {self.rel}")

    @property
    def id(self) -> types.TextDocumentIdentifier:
        return types.TextDocumentIdentifier(uri=self.uri)


def where(locations) -> list[tuple[str, int]]:
    """(path relative to its workspace, 1-based line) of each location, sorted."""
    out = []
    for loc in locations or []:
        path = loc.uri.split("/shop/", 1)[-1]
        out.append((path, loc.range.start.line + 1))
    return sorted(out)


async def start_client(cache: Path, root: Path, options: dict | None = None,
                       capabilities: types.ClientCapabilities | None = None,
                       ready: bool = True) -> LanguageClient:
    client = await server_config(cache).start()
    await client.initialize_session(init_params(root, cache / "index", options, capabilities))
    if ready:
        await wait_ready(client)
    return client


async def stop_client(client: LanguageClient) -> None:
    try:
        await asyncio.wait_for(client.shutdown_session(), 10)
    finally:
        await client.stop()


