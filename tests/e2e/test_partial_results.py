"""textDocument/references with a partialResultToken, through a real
`codemeld serve` (raw JSON-RPC: pytest-lsp's client only understands
work-done progress values): the answer streams as `$/progress` pages before
an empty response, and the pages hold exactly the plain answer."""

from __future__ import annotations

import pytest

from evals.harness.lsp import RawLsp

USES = 4500  # more than two pages (navigation.REFERENCE_PAGE = 2000)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("partial")
    root = tmp / "ws"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "core.py").write_text("def helper(x):\n    return x\n")
    for n in range(USES // 500):
        body = "".join(f"    helper({i})\n" for i in range(500))
        (root / "pkg" / f"user{n}.py").write_text(f"from pkg.core import helper\n\n\ndef run():\n{body}")
    client = RawLsp(root, tmp / "index", tmp / "server.log")
    client.initialize()
    client.wait_ready()
    yield client
    client.close()


def _params(client, declaration: bool, token=None) -> dict:
    params = {"textDocument": {"uri": client.uri("pkg/core.py")}, "position": {"line": 0, "character": 4},
              "context": {"includeDeclaration": declaration}}
    if token is not None:
        params["partialResultToken"] = token
    return params


@pytest.mark.parametrize("declaration", [False, True])
def test_references_stream_in_pages(server, declaration):
    plain = server.request("textDocument/references", _params(server, declaration), timeout=60)["result"]
    assert len(plain) == USES + USES // 500 + declaration  # every call, every import, the definition if asked
    token = f"refs-{declaration}"
    answer = server.request("textDocument/references", _params(server, declaration, token), timeout=60)
    assert answer["result"] == []  # partial results: the whole answer went through $/progress
    pages = [m["params"]["value"] for m in server.notifications
             if m.get("method") == "$/progress" and m["params"]["token"] == token]
    assert len(pages) >= 2 and all(pages)
    assert [loc for page in pages for loc in page] == plain  # same locations, same order, nothing twice
    first = plain[0]
    assert first["uri"].startswith("file://") and set(first["range"]) == {"start", "end"}


def test_incoming_calls_stream_too(server):
    prepared = server.request("textDocument/prepareCallHierarchy", _params(server, False), timeout=60)["result"]
    assert prepared and prepared[0]["name"] == "helper"
    plain = server.request("callHierarchy/incomingCalls", {"item": prepared[0]}, timeout=60)["result"]
    assert len(plain) == USES // 500  # one caller per file, each with its 500 call sites
    answer = server.request("callHierarchy/incomingCalls", {"item": prepared[0], "partialResultToken": "calls"},
                            timeout=60)
    assert answer["result"] == []
    pages = [m["params"]["value"] for m in server.notifications
             if m.get("method") == "$/progress" and m["params"]["token"] == "calls"]
    assert len(pages) >= 2 and all(pages)  # read and sent a page of files at a time
    assert [call for page in pages for call in page] == plain


def test_impact_streams_its_dependents(server):
    params = {"textDocument": {"uri": server.uri("pkg/core.py")}, "position": {"line": 0, "character": 4}}
    plain = server.request("codemeld/impact", params, timeout=60)["result"]
    assert len(plain["dependents"]) >= USES // 500  # every caller
    answer = server.request("codemeld/impact", params | {"partialResultToken": "impact"}, timeout=60)["result"]
    assert answer["dependents"] == [] and answer["summary"] == plain["summary"]
    assert answer["target"] == plain["target"] and answer["files"] == plain["files"]
    pages = [m["params"]["value"] for m in server.notifications
             if m.get("method") == "$/progress" and m["params"]["token"] == "impact"]
    assert pages and [d for page in pages for d in page] == plain["dependents"]
