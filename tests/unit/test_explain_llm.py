"""The model path end to end against a local stand-in for an OpenAI-compatible
endpoint (evals/harness/fake_openai.py): request shape, streaming, timeouts, retries,
and the fallback to the structural explanation when the endpoint is down."""

from __future__ import annotations

import socket

import pytest

from indexer.explain import explain, hover_summary
from indexer.explain.cache import ExplainCache
from indexer.explain.llm import ChatClient, LLMConfig, LLMError
from evals.harness.fake_openai import Behaviour, FakeOpenAI
from tests.support import build
from tests.unit.test_explain_pack import PRIVATE, PROJECT


@pytest.fixture
def fake():
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("llm"), PROJECT)
    yield graph
    indexer.close()


def _config(fake: FakeOpenAI, **kw) -> LLMConfig:
    return LLMConfig(base_url=fake.base_url, model=kw.pop("model", "tiny-coder"), api_key=kw.pop("api_key", "sk-test"),
                     **{"timeout": 5.0, "retries": 0, "backoff": 0.01, **kw})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_request_shape_and_answer(fake, project, tmp_path):
    result = explain(project, "app.util.parse", llm_config=_config(fake), cache=ExplainCache(tmp_path))
    assert result.source == "llm" and result.model == "tiny-coder" and result.note is None
    assert result.markdown.startswith("Parses KEY=VALUE lines into a dict.")
    assert "_Explained by model `tiny-coder` from the code index._" in result.markdown
    assert result.short == "Parses KEY=VALUE lines into a dict."
    [request] = fake.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.headers["content-type"] == "application/json"
    body = request.body
    assert body["model"] == "tiny-coder" and body["stream"] is False
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    user = body["messages"][1]["content"]
    # The pack, rendered: the symbol, its source, callers with call lines, tests.
    assert "Explain `app.util.parse`" in user
    assert "def parse(text: str, strict: bool = False) -> dict[str, str]" in user
    assert "for line in helper(text):" in user
    assert "app.b.Settings.reload (app/b.py:8): self.values = util.parse(text)" in user
    assert "tests/test_util.py::test_parse_pairs" in user


def test_no_api_key_sends_no_authorization(fake, project, tmp_path):
    explain(project, "app.util.parse", llm_config=_config(fake, api_key=None), cache=ExplainCache(tmp_path))
    assert "authorization" not in fake.requests[0].headers


def test_streaming_yields_deltas(fake, project, tmp_path):
    fake.behaviour = Behaviour(answer="Splits text into lines. More detail follows here.", chunk_size=5)
    deltas: list[str] = []
    result = explain(project, "app.util.helper", llm_config=_config(fake), stream=True, on_delta=deltas.append,
                     cache=ExplainCache(tmp_path))
    assert fake.requests[0].body["stream"] is True
    assert fake.requests[0].headers["accept"] == "text/event-stream"
    assert len(deltas) == 10 and "".join(deltas) == "Splits text into lines. More detail follows here."
    assert result.source == "llm" and result.short == "Splits text into lines."


def test_client_streams_directly(fake):
    fake.behaviour = Behaviour(answer="abcdefghij", chunk_size=3)
    client = ChatClient(_config(fake))
    assert list(client.stream([{"role": "user", "content": "hi"}])) == ["abc", "def", "ghi", "j"]


def test_timeout_is_an_error_with_the_limit(fake):
    fake.behaviour = Behaviour(delay=1.5)
    client = ChatClient(_config(fake, timeout=0.3))
    with pytest.raises(LLMError, match=r"timed out after 0.3 s"):
        client.complete([{"role": "user", "content": "hi"}])


def test_retries_with_backoff_then_succeeds(fake):
    fake.behaviour = Behaviour(fail_first=2, fail_status=503, answer="ok then")
    delays: list[float] = []
    client = ChatClient(_config(fake, retries=2, backoff=0.2), sleep=delays.append)
    assert client.complete([{"role": "user", "content": "hi"}]) == "ok then"
    assert len(fake.requests) == 3
    assert 0.2 <= delays[0] < 0.23 and 0.4 <= delays[1] < 0.45  # exponential


def test_client_errors_are_not_retried(fake):
    fake.behaviour = Behaviour(status=401)
    client = ChatClient(_config(fake, retries=3), sleep=lambda s: None)
    with pytest.raises(LLMError, match="HTTP 401: invalid api key"):
        client.complete([{"role": "user", "content": "hi"}])
    assert len(fake.requests) == 1


def test_endpoint_down_falls_back_to_structural(project, tmp_path):
    config = LLMConfig(base_url=f"http://127.0.0.1:{_free_port()}/v1", model="tiny-coder", timeout=1.0,
                       retries=1, backoff=0.01)
    result = explain(project, "app.util.parse", llm_config=config, cache=ExplainCache(tmp_path))
    assert result.source == "structural" and result.model is None
    assert "unreachable" in result.note and "after 2 attempts" in result.note
    assert "showing the structural explanation" in result.note
    assert result.markdown.startswith("> LLM endpoint http://127.0.0.1:")  # the reader is told too
    assert "**Called by**" in result.markdown


def test_missing_model_is_a_clear_error(project, tmp_path):
    config = LLMConfig.resolve({}, {"CODEMELD_LLM_BASE_URL": "http://127.0.0.1:1/v1"})
    result = explain(project, "app.util.parse", llm_config=config, cache=ExplainCache(tmp_path))
    assert result.source == "structural" and "no model configured" in result.note


def test_configuration_from_options_then_environment():
    env = {"CODEMELD_LLM_BASE_URL": "http://localhost:11434/v1", "CODEMELD_LLM_MODEL": "qwen2.5-coder",
           "CODEMELD_LLM_API_KEY": "k"}
    assert LLMConfig.resolve(None, {}) is None  # unset: no LLM, nothing leaves the machine
    from_env = LLMConfig.from_env(env)
    assert (from_env.base_url, from_env.model, from_env.api_key) == ("http://localhost:11434/v1", "qwen2.5-coder", "k")
    assert from_env.endpoint == "http://localhost:11434/v1/chat/completions"
    opts = LLMConfig.resolve({"llm": {"baseUrl": "http://gpu:8000/v1/", "model": "m", "timeout": 5}}, env)
    assert (opts.base_url, opts.model, opts.api_key, opts.timeout) == ("http://gpu:8000/v1/", "m", "k", 5.0)
    assert opts.endpoint == "http://gpu:8000/v1/chat/completions"


def test_secret_text_never_reaches_the_model(fake, tmp_path):
    indexer, graph = build(tmp_path, PRIVATE)
    try:
        explain(graph, "core.connect", llm_config=_config(fake), cache=ExplainCache(tmp_path / "c"))
        sent = str(fake.requests[0].body)
        assert "hunter2" not in sent and "ssh-key-material" not in sent
        assert 'connect("sqlite://")' in sent  # ordinary code is sent
        # A symbol whose own file is secret is not sent at all.
        own = explain(graph, "secrets.open_prod", llm_config=_config(fake), cache=ExplainCache(tmp_path / "c"))
        assert own.source == "structural" and "private" in own.note and len(fake.requests) == 1
    finally:
        indexer.close()


def test_hover_names_the_model_of_a_cached_answer(fake, project, tmp_path):
    cache = ExplainCache(tmp_path)
    assert "Parses" not in hover_summary(project, "app.util.parse", cache=cache)
    explain(project, "app.util.parse", llm_config=_config(fake), cache=cache)
    assert hover_summary(project, "app.util.parse", cache=cache) == \
        "Parses KEY=VALUE lines into a dict. _(explained by `tiny-coder`)_"
