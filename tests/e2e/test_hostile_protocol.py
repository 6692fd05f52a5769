"""Hostile clients against a real `codemeld serve` (issue 16, defects 4, 5,
7, 10): the malformed-input corpus, lifecycle rules, an unsaved new file, and
a property test -- any JSON as params gets an answer, never silence. Bytes go
through evals/harness/lsp.py so broken frames can be sent as they are."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from evals.harness.bad_inputs import LspTarget, load_cases, run_corpus
from evals.harness.lsp import RawLsp

WORKSPACES = Path(__file__).resolve().parents[1] / "workspaces"
FILE = "shop/utils.py"


def start(tmp_path: Path) -> RawLsp:
    root = tmp_path / "shop"
    if not root.exists():
        shutil.copytree(WORKSPACES / "shop", root)
    client = RawLsp(root, tmp_path / "index", tmp_path / "server.log")
    client.initialize()
    client.wait_ready()
    return client


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    client = start(tmp_path_factory.mktemp("hostile"))
    yield client
    client.close()


def test_bad_input_corpus_gets_answers_and_never_kills_the_server(server):
    report = run_corpus(LspTarget(server, FILE), load_cases("lsp"))
    assert len(report.outcomes) >= 60
    assert report.failures() == [], report.summary()


@pytest.mark.parametrize("params", [
    {"position": {"line": -1, "character": 0}},
    {"position": {"line": 2 ** 63, "character": 0}},
    {"position": {"line": "a", "character": 0}},
    {"position": {"line": 0, "character": -1}},
    "a string", None, {},
])
def test_invalid_params_get_invalid_params_with_a_message(server, params):
    if isinstance(params, dict):
        params = {"textDocument": {"uri": server.uri(FILE)}, **params}
    answer = server.request("textDocument/hover", params, timeout=10)
    assert answer is not None, "no answer"
    assert answer["error"]["code"] == -32602 and "hover" in answer["error"]["message"]


def test_rename_at_negative_line_is_invalid_params(server):
    answer = server.request("textDocument/rename", {"textDocument": {"uri": server.uri(FILE)},
                                                    "position": {"line": -1, "character": 0}, "newName": "x"})
    assert answer is not None and answer["error"]["code"] == -32602


def test_unsaved_new_file_has_symbols_and_its_calls_are_references(server):
    text = "from shop.utils import format_price\n\n\ndef brand_new(amount):\n    return format_price(amount)\n"
    uri = server.uri("shop/fresh_unsaved.py")
    server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                            "text": text}})
    symbols = server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})["result"]
    assert [s["name"] for s in symbols] == ["brand_new"]
    source = (server.root / FILE).read_text().split("\n")
    line = next(i for i, l in enumerate(source) if l.startswith("def format_price"))
    refs = server.request("textDocument/references", {
        "textDocument": {"uri": server.uri(FILE)}, "position": {"line": line, "character": 4},
        "context": {"includeDeclaration": False}})["result"]
    assert sum(r["uri"] == uri for r in refs) == 2  # the import and the call
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def test_request_after_shutdown_is_invalid_request_and_exit_says_how_it_ended(tmp_path):
    client = start(tmp_path)
    assert client.request("shutdown")["result"] is None
    answer = client.request("textDocument/hover", {"textDocument": {"uri": client.uri(FILE)},
                                                   "position": {"line": 0, "character": 0}}, timeout=10)
    assert answer is not None and answer["error"]["code"] == -32600
    client.notify("exit")
    assert client.proc.wait(15) == 0
    rude = RawLsp(client.root, tmp_path / "index2", tmp_path / "server2.log")
    rude.initialize()
    rude.notify("exit")  # no shutdown first: the spec says exit code 1
    assert rude.proc.wait(15) == 1


# -- property: any JSON as params -> an answer, never silence -------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2 ** 70, max_value=2 ** 70)
    | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)
POSITION_LIKE = st.fixed_dictionaries({
    "textDocument": st.one_of(st.just({"uri": "$URI"}), JSON),
    "position": st.one_of(st.fixed_dictionaries({"line": JSON, "character": JSON}), JSON),
})
METHODS = ["textDocument/hover", "textDocument/definition", "textDocument/references",
           "textDocument/documentSymbol", "workspace/symbol", "textDocument/prepareRename",
           "textDocument/codeLens", "codemeld/impact", "textDocument/documentHighlight"]


def _params_answered(server, method, params) -> None:
    text = json.dumps(params).replace("$URI", server.uri(FILE))
    answer = server.request(method, json.loads(text), timeout=10)
    assert answer is not None, f"no answer to {method} {text[:200]}"
    assert ("result" in answer) != ("error" in answer), answer
    if "error" in answer:
        # -32803 (RequestFailed): well-formed params the server declines,
        # e.g. prepareRename where nothing can be renamed.
        assert answer["error"]["code"] in (-32602, -32600, -32603, -32801, -32803) and answer["error"]["message"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(METHODS), params=st.one_of(JSON, POSITION_LIKE))
def test_any_json_params_get_an_answer(server, method, params):
    _params_answered(server, method, params)
    assert server.proc.poll() is None


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(METHODS), params=st.one_of(JSON, POSITION_LIKE))
def test_any_json_params_get_an_answer_many(server, method, params):
    _params_answered(server, method, params)
    assert server.proc.poll() is None
