"""Find All References shows the same uses through every front door: the
MCP `references` tool, like `codemeld refs` and the language server, leaves
name-matched guesses (receivers of unknown type) out unless asked (issue 12,
item 4). A real `codemeld mcp` stdio session and real CLI processes over one
index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from e2e_support import REPO

pytestmark = pytest.mark.slow

# `server` has no known type: `server.url` is only a name match for Response.url.
API = "class Response:\n    url = ''\n\n\ndef fetch(server):\n    return server.url\n\n\ndef own(r: Response):\n    return r.url\n"


def _cli(root: Path, env: dict, *args: str) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "server.cli", *args, "--root", str(root), "--json"],
                         cwd=str(REPO), env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


async def test_mcp_references_agree_with_the_cli_on_guesses(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "api.py").write_text(API)
    env = {**os.environ, "PYTHONPATH": str(REPO), "CODEMELD_CACHE_DIR": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "server.cli", "index", str(root), "--no-embeddings"], cwd=str(REPO),
                   env=env, capture_output=True, check=True)
    cli_sure = {r["range"]["start"]["line"] + 1 for r in _cli(root, env, "refs", "api.Response.url")}
    cli_all = {r["range"]["start"]["line"] + 1 for r in _cli(root, env, "refs", "api.Response.url", "--guesses")}
    assert (cli_sure, cli_all) == ({10}, {6, 10})

    params = StdioServerParameters(command=sys.executable, env=env, cwd=str(REPO),
                                   args=["-m", "server.cli", "mcp", "--root", str(root), "--no-embeddings"])
    async with Client(params, read_timeout_seconds=60) as client:
        sure = (await client.call_tool("references", {"symbol": "api.Response.url"})).structured_content
        both = (await client.call_tool("references", {"symbol": "api.Response.url", "guesses": True})).structured_content
    assert {r["line"] for r in sure["references"]} == cli_sure
    assert {r["line"] for r in both["references"]} == cli_all
    assert [r["how"] for r in both["references"] if r["line"] == 6] == ["name-match"]
