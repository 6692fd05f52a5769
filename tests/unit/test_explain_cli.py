"""`codemeld explain TARGET [--json] [--short] [--root] [--index-dir]`, black-box
through the real entry point in process, like the other CLI tests
(tests/support.py `run_cli`). The model is a local fake of a remote
OpenAI-compatible endpoint (evals/harness/fake_openai.py)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from evals.harness.fake_openai import Behaviour, FakeOpenAI
from tests.support import run_cli, write_tree

REPO = Path(__file__).resolve().parents[2]
FILES = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "pkg/__init__.py": "",
    "pkg/core.py": '''
        def helper(x: int) -> int:
            """Double a number."""
            return x * 2

        def main():
            return helper(21)
        ''',
}


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def codemeld(*args: str, cwd: Path, env: dict | None = None) -> Done:
    overrides: dict = {k: None for k in os.environ if k.startswith("CODEMELD_LLM_")}
    overrides.update(env or {})
    return Done(*run_cli(list(args), env=overrides, cwd=cwd))


@pytest.fixture
def ws(tmp_path):
    root = tmp_path / "ws"
    write_tree(root, FILES)
    index = tmp_path / "index"
    done = codemeld("index", str(root), "--index-dir", str(index), "--no-embeddings", cwd=REPO)
    assert done.returncode == 0, done.stderr
    return root, index


def test_explain_text_json_and_short(ws):
    root, index = ws
    common = ["--root", str(root), "--index-dir", str(index)]
    text = codemeld("explain", "pkg.core.helper", *common, cwd=REPO)
    assert text.returncode == 0, text.stderr
    assert "Double a number." in text.stdout and "**Called by** 1 caller in 1 file" in text.stdout
    assert "**Inputs:** `x`: `int`" in text.stdout and "**Returns:** `int`" in text.stdout
    as_json = json.loads(codemeld("explain", "pkg/core.py:1", *common, "--json", cwd=REPO).stdout)
    assert as_json["qualname"] == "pkg.core.helper" and as_json["source"] == "structural"
    assert as_json["model"] is None and as_json["pack"]["callers"] == ["pkg.core.main"]
    short = codemeld("explain", "helper", *common, "--short", cwd=REPO)
    assert short.stdout.strip() == "Double a number. — 1 caller in 1 file (e.g. `core.main`)"


def test_explain_unknown_target_is_a_clear_error(ws):
    root, index = ws
    done = codemeld("explain", "pkg.core.nope", "--root", str(root), "--index-dir", str(index), cwd=REPO)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("codemeld: unknown target")


def test_explain_streams_a_model_answer_and_says_which_model(ws):
    root, index = ws
    fake = FakeOpenAI(Behaviour(answer="Doubles x. Used by main.", chunk_size=4)).start()
    try:
        env = {"CODEMELD_LLM_BASE_URL": fake.base_url, "CODEMELD_LLM_MODEL": "tiny-coder"}
        common = ["pkg.core.helper", "--root", str(root), "--index-dir", str(index)]
        done = codemeld("explain", *common, cwd=REPO, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("Doubles x. Used by main.")
        assert "_Explained by model `tiny-coder`" in done.stdout
        assert fake.requests[0].body["stream"] is True
        again = json.loads(codemeld("explain", *common, "--json", cwd=REPO, env=env).stdout)
        assert again["source"] == "cache" and again["model"] == "tiny-coder" and len(fake.requests) == 1
        structural = json.loads(codemeld("explain", *common, "--json", "--no-llm", cwd=REPO, env=env).stdout)
        assert structural["source"] == "structural"
    finally:
        fake.stop()


def test_explain_with_the_endpoint_down_says_so_on_stderr(ws):
    root, index = ws
    env = {"CODEMELD_LLM_BASE_URL": "http://127.0.0.1:9/v1", "CODEMELD_LLM_MODEL": "m"}
    done = codemeld("explain", "pkg.core.helper", "--root", str(root), "--index-dir", str(index), cwd=REPO, env=env)
    assert done.returncode == 0
    assert "unreachable" in done.stderr and "structural explanation" in done.stderr
    assert "Double a number." in done.stdout
