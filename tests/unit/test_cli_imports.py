"""A `codemeld` query pays for its own command only. Each hot command runs as
a fresh process (the console script's entry) on a small indexed git
workspace, and the modules it imported are read at exit: none of the heavy
ones (the language server, MCP, the vector store and model, pydantic, rich)
may be among them, and the read-only queries do not load the indexing
pipeline. A new top-level import in server/cli*.py that pulls one in again
fails here, naming the command and the module."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import committed_tree

REPO = Path(__file__).resolve().parents[2]

HEAVY = ("pydantic", "pydantic_core", "pygls", "lsprotocol", "mcp", "lancedb", "torch", "sentence_transformers",
         "numpy", "onnxruntime", "rich", "server.protocol", "server.app", "server.host.features",
         "server.host.workspace", "server.host.agent", "server.host.semantic", "server.host.watcher",
         "indexer.semantic", "indexer.explain")
PIPELINE = ("indexer.pipeline.index", "indexer.pipeline.worker_pool", "indexer.analysis.learn", "multiprocessing")
QUERIES = HEAVY + PIPELINE + ("indexer.analysis.impact",)  # refs, defs...: no impact analysis either

# command -> the heavy families it may not import
HOT = {
    "status": QUERIES,
    "refs pkg.core.helper": QUERIES,
    "refs pkg.core.helper --json": QUERIES,
    "defs pkg.core.helper": QUERIES,
    "symbols pkg/core.py": QUERIES,
    "impact pkg.core.helper --tests": HEAVY + PIPELINE,
    "impact pkg.core.helper": HEAVY + PIPELINE,
    "refs no_such_symbol": QUERIES,
    # brings the index up to date first: the pipeline is its job
    "tests affected": HEAVY + ("indexer.analysis.learn", "multiprocessing", "concurrent.futures.process"),
}

# Runs as `codemeld` does (pyproject [project.scripts]), writing sys.modules at exit.
ENTRY = ("import atexit, json, sys; out = sys.argv.pop(1); "
         "atexit.register(lambda: open(out, 'w').write(json.dumps(sorted(sys.modules)))); "
         "sys.argv[0] = 'codemeld'; from server.cli import main; sys.exit(main())")

FILES = {
    "pkg/__init__.py": "",
    "pkg/core.py": "def helper():\n    return 1\n\n\ndef other():\n    return helper()\n",
    "tests/test_core.py": "from pkg.core import other\n\n\ndef test_other():\n    assert other() == 1\n",
}


def test_cli_defaults_are_the_engines():
    """server/cli_tests.py repeats three engine defaults so that loading it
    does not import the engines; --help must still show the engines' own."""
    from indexer.analysis import affected, learn
    from server import cli_tests

    assert cli_tests.DEFAULT_MIN_CONFIDENCE == affected.DEFAULT_MIN_CONFIDENCE
    assert cli_tests.DEFAULT_TIMEOUT == learn.DEFAULT_TIMEOUT
    assert cli_tests.DEFAULT_TEST_TIMEOUT == learn.DEFAULT_TEST_TIMEOUT


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli-imports")
    root, index_dir = base / "ws", base / "index"
    committed_tree(root, FILES)
    core = root / "pkg" / "core.py"
    core.write_text(core.read_text().replace("return 1", "return 2"))
    done = subprocess.run([sys.executable, "-m", "server.cli", "index", str(root), "--index-dir", str(index_dir),
                           "--no-embeddings"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return root, index_dir, base


@pytest.mark.slow
@pytest.mark.parametrize("command", HOT, ids=HOT.keys())
def test_hot_command_imports_nothing_heavy(workspace, command):
    root, index_dir, base = workspace
    modules_file = base / "modules.json"
    done = subprocess.run([sys.executable, "-c", ENTRY, str(modules_file), *command.split(), "--root", str(root),
                           "--index-dir", str(index_dir)], cwd=root, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(base)})
    assert done.returncode == (1 if "no_such_symbol" in command else 0), done.stderr
    modules = json.loads(modules_file.read_text())
    assert "server.cli" in modules and "typer" in modules  # the entry ran
    loaded = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HOT[command]))
    assert loaded == [], f"`codemeld {command}` imported {loaded}"


def test_server_start_leaves_the_http_client_out():
    """Issue 17, warm start: the language server's start (its modules and its
    server object) imports no HTTP client; the LLM explanation loads
    urllib.request when it sends a request."""
    code = ("import sys, server.app; server.app.build(); "
            "print([m for m in ('urllib.request', 'http.client') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
