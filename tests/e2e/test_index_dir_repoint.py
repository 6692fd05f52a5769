"""An editor folder whose indexDir holds another workspace's index (copied in,
as evals/bench_lsp.py --index-from does, or shared by mistake): the language
server follows the editor's folder, says so once (window/showMessage and its
log on stderr, never stdout) and answers for the folder it was given.
The CLI refuses the same situation instead (tests/unit/test_cli.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evals.harness.lsp import RawLsp
from tests.support import run_cli

WORKSPACES = Path(__file__).resolve().parents[1] / "workspaces"


@pytest.mark.slow
def test_server_repoints_an_index_of_another_root_and_says_so(tmp_path: Path) -> None:
    root_a = tmp_path / "shop"
    shutil.copytree(WORKSPACES / "shop", root_a)
    root_b = tmp_path / "other"
    root_b.mkdir()
    (root_b / "mod.py").write_text("def other():\n    return 2\n\n\nother()\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    rc, _, err = run_cli(["index", str(root_a), "--index-dir", str(index_dir), "--no-embeddings"],
                         env={"CODEMELD_CACHE_DIR": str(tmp_path / "cache")})
    assert rc == 0, err

    log_file = tmp_path / "server.log"
    client = RawLsp(root_b, index_dir, log_file)
    try:
        client.initialize()
        client.wait_ready()
        shown = [n["params"]["message"] for n in client.notifications if n.get("method") == "window/showMessage"]
        said = [m for m in shown if str(root_a) in m and str(root_b) in m]
        assert said, shown
        answer = client.request("textDocument/references", {
            "textDocument": {"uri": (root_b / "mod.py").as_uri()}, "position": {"line": 0, "character": 4},
            "context": {"includeDeclaration": False}})
        assert [loc["range"]["start"]["line"] for loc in answer["result"]] == [4]
    finally:
        client.close()
    assert str(root_a) in log_file.read_text(encoding="utf-8")
