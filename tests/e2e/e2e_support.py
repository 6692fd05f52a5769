"""Helpers for the e2e tests: real server processes over stdio, real workspace folders.

Every session gets its own index dir (an init option, plus
CODEMELD_CACHE_DIR as a safety net) so runs never share state. Tests that
edit files work on a copy of the workspace under tmp_path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from evals.harness.lsp import (STATUS, Doc, _plain, eventually, init_params, server_config, start_client,  # noqa: F401
                                status, stop_client, wait_ready)

REPO = Path(__file__).resolve().parents[2]
WORKSPACES = REPO / "tests" / "workspaces"


def copy_workspace(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(WORKSPACES / name, target)
    return target


def where(locations) -> list[tuple[str, int]]:
    """(path relative to its workspace, 1-based line) of each location, sorted."""
    out = []
    for loc in locations or []:
        path = loc.uri.split("/shop/", 1)[-1]
        out.append((path, loc.range.start.line + 1))
    return sorted(out)
