"""First answers during a cold index, through a real `codemeld serve`: a
document opened while a big workspace is indexed for the first time answers
references at once, marked partial in `$/progress` and `codemeld/status`,
before the index's `$/progress` end; the finished index answers at least as
much. Ordered events, not timings: the workspace is big enough (and parsed by
one process, `jobs: 1`) that the whole index takes many times longer than
the first wave on a fast machine as on a loaded one."""

from __future__ import annotations

import time

import pytest

from evals.harness.lsp import RawLsp

FILLER = 2500  # files nobody imports: the rest of the cold index
IMPORTERS = 12

CORE = "def helper(x):\n    return x\n\n\nclass Engine:\n    def start(self):\n        return helper(1)\n"


def filler(n: int) -> str:
    funcs = "".join(f"def f{n}_{i}(a, b=1):\n    total = a + b\n    for k in range(b):\n        total += k\n"
                    f"    return g{n}(total)\n\n\n" for i in range(12))
    return f"import os\n\n\ndef g{n}(v):\n    return os.path.join(str(v))\n\n\n{funcs}"


@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "ws"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "core.py").write_text(CORE)
    for n in range(IMPORTERS):
        (root / "pkg" / f"user{n}.py").write_text(f"from pkg.core import helper\n\n\ndef use{n}():\n"
                                                  f"    return helper({n})\n")
    for n in range(FILLER):
        folder = root / "filler" / f"d{n // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"m{n}.py").write_text(filler(n))
    return root


def progress(client: RawLsp, kind: str, prefix: str = "") -> list[dict]:
    with client._cond:
        notes = list(client.notifications)
    return [n["params"] for n in notes if n.get("method") == "$/progress"
            and isinstance(n["params"].get("value"), dict) and n["params"]["value"].get("kind") == kind
            and (n["params"]["value"].get("message") or "").startswith(prefix)]


def wait_for(check, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.slow
def test_open_document_answers_before_the_cold_index_ends(workspace, tmp_path):
    client = RawLsp(workspace, tmp_path / "index", tmp_path / "server.log", options={"jobs": 1})
    try:
        client.initialize(capabilities={"window": {"workDoneProgress": True}})
        uri = client.uri("pkg/core.py")
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": CORE}})
        # Two waves, each reported: the open file with its smallest importers,
        # then its imports and the other importers (first_answers._waves).
        # The second report is waited for: the first wave holds 8 of the 12 importers.
        first = wait_for(lambda: progress(client, "report", "first answers") or progress(client, "end"), 300)[0]
        assert "pkg/core.py" in first["value"]["message"]
        wait_for(lambda: len(progress(client, "report", "first answers")) >= 2 or progress(client, "end"), 300)
        params = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 4},
                  "context": {"includeDeclaration": False}}
        partial = client.request("textDocument/references", params, timeout=120)["result"]
        status = client.request("codemeld/status", None, timeout=120)["result"]
        # Answered while the index was still running, and said so.
        assert status["state"] == "indexing" and status["partial"] is True, status
        assert status["folders"][0]["firstAnswers"] == ["pkg/core.py"]
        assert not progress(client, "end")
        users = {loc["uri"].rsplit("/", 1)[-1] for loc in partial}
        assert users >= {f"user{n}.py" for n in range(IMPORTERS)} | {"core.py"}
        # Then the index ends; the full answer holds the partial one.
        wait_for(lambda: progress(client, "end"), 900)
        done = client.request("codemeld/status", None, timeout=60)["result"]
        assert done["state"] == "ready" and "partial" not in done
        full = client.request("textDocument/references", params, timeout=60)["result"]
        assert {(loc["uri"], loc["range"]["start"]["line"]) for loc in partial} <= \
            {(loc["uri"], loc["range"]["start"]["line"]) for loc in full}
    finally:
        client.close()
