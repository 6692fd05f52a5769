"""The VS Code extension: its Node unit tests, the .vsix build, and the
settings it sends matching what the server parses.

There is no VS Code here (an extension-host test would download one), so
the extension's logic lives in vscode-free modules that Node tests
directly; the rest is checked by the type checker during the build.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from dataclasses import fields
from pathlib import Path

import pytest

from server.host import options as server_options

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "editors" / "vscode"
NPM = shutil.which("npm")
needs_npm = pytest.mark.skipif(NPM is None, reason="npm not found: install Node.js 20+ to build the VS Code extension")

# Settings only the extension reads; every other codemeld.* setting is a server option.
CLIENT_ONLY = {"serverPath", "serverArgs", "impact.depth", "impact.limit", "search.limit", "pytestCommand",
               "trace.server"}


def npm(args: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    proc = subprocess.run([NPM, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"npm {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A copy of the extension with its locked dependencies installed (npm ci)."""
    copy = tmp_path_factory.mktemp("vscode") / "vscode"
    shutil.copytree(EXTENSION, copy, ignore=shutil.ignore_patterns("node_modules", "out", "dist", "*.vsix"))
    npm(["ci", "--no-audit", "--no-fund"], copy)
    return copy


@needs_npm
def test_unit_tests_pass(built):
    proc = npm(["test"], built)
    assert "# fail 0" in proc.stdout or "ℹ fail 0" in proc.stdout, proc.stdout[-3000:]


@needs_npm
def test_vsix_holds_the_bundle_and_nothing_else(built):
    npm(["run", "package"], built)
    with zipfile.ZipFile(built / "codemeld.vsix") as vsix:
        names = set(vsix.namelist())
        manifest = json.loads(vsix.read("extension/package.json"))
    assert "extension/dist/extension.js" in names
    assert not any("node_modules" in n or n.endswith(".ts") for n in names), sorted(names)
    assert manifest["main"] == "./dist/extension.js"


def manifest() -> dict:
    return json.loads((EXTENSION / "package.json").read_text())


def test_server_settings_are_server_option_names():
    props = manifest()["contributes"]["configuration"]["properties"]
    names = {key.removeprefix("codemeld.") for key in props}
    server_side = {n.split(".")[0] for n in names - CLIENT_ONLY}
    known = {f.name for f in fields(server_options.Options)} | {"llm"}
    assert server_side <= known, f"settings the server does not know: {server_side - known}"
    features = set(props["codemeld.features"]["properties"])
    assert features == {f.name for f in fields(server_options.Features)}


def test_settings_defaults_equal_server_defaults():
    props = manifest()["contributes"]["configuration"]["properties"]
    defaults = server_options.Options()
    for name in ("maxFileSize", "jobs", "debounceMs", "watch", "minConfidence"):
        assert props[f"codemeld.{name}"]["default"] == getattr(defaults, name), name


def test_server_accepts_the_llm_option():
    options, warnings = server_options.parse({"llm": {"baseUrl": "http://localhost:11434/v1", "model": "m"}})
    assert warnings == []
    config = options.llm_config(env={})
    assert (config.base_url, config.model) == ("http://localhost:11434/v1", "m")


def test_commands_are_declared_and_do_not_clash_with_server_commands():
    contributes = manifest()["contributes"]
    declared = {c["command"] for c in contributes["commands"]}
    # vscode-languageclient registers the server's commands under their own ids;
    # declaring one of those too would make one of the two registrations fail.
    assert not declared & {"codemeld.impact", "codemeld.explain", "codemeld.search", "codemeld.reindex"}
    source = "\n".join(p.read_text() for p in (EXTENSION / "src").glob("*.ts"))
    for command in declared:
        assert f'"{command}"' in source, f"{command} is declared in package.json but never registered"


def test_serve_takes_stdio_as_language_clients_pass_it():
    """vscode-languageclient appends --stdio for a stdio transport; the
    server takes it (the handshake itself is in tests/e2e/test_semantic.py
    and the real-VS-Code test), and refuses two transports clearly."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "server.cli", "serve", "--help"], capture_output=True, text=True,
                          cwd=REPO, timeout=60)
    assert "--stdio" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "server.cli", "serve", "--stdio", "--tcp", "127.0.0.1:1"],
                          capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 1 and "--stdio and --tcp exclude each other" in proc.stderr
    assert proc.stdout == ""
