"""server/host/options.py: the llm and embedding options (the rest is covered by
tests/e2e/test_lifecycle.py through a real session)."""

from __future__ import annotations

from server.host.options import LLMOptions, parse


def test_llm_option_nested_and_resolved_before_the_environment():
    options, warnings = parse({"llm": {"baseUrl": " http://localhost:11434/v1 ", "model": "qwen", "apiKey": "k",
                                       "timeout": 5, "retries": 0}})
    assert warnings == []
    assert options.llm == LLMOptions(baseUrl="http://localhost:11434/v1", model="qwen", apiKey="k", timeout=5.0,
                                     retries=0)
    config = options.llm_config(env={"CODEMELD_LLM_BASE_URL": "http://elsewhere/v1", "CODEMELD_LLM_MODEL": "x"})
    assert (config.base_url, config.model, config.api_key, config.timeout, config.retries) == \
        ("http://localhost:11434/v1", "qwen", "k", 5.0, 0)


def test_no_llm_unless_configured_and_environment_fallback():
    options, _ = parse({})
    assert options.llm_config(env={}) is None
    config = options.llm_config(env={"CODEMELD_LLM_BASE_URL": "http://h/v1", "CODEMELD_LLM_MODEL": "m"})
    assert (config.base_url, config.model) == ("http://h/v1", "m")


def test_bad_llm_values_warn_one_by_one():
    options, warnings = parse({"llm": {"baseUrl": 3, "model": "m", "timeout": -1, "retries": "two", "x": 1}})
    assert options.llm == LLMOptions(model="m")
    assert len(warnings) == 4 and all("llm." in w for w in warnings)
    assert parse({"llm": "http://h/v1"})[1][0].startswith("codemeld: ignoring initialization option llm=")


def test_embedding_options():
    options, warnings = parse({"embeddings": False, "embeddingModel": "/models/minilm"})
    assert warnings == [] and options.embeddings is False and options.embeddingModel == "/models/minilm"
    assert parse({})[0].embeddings is True
    assert parse({"embeddings": "no"})[1]
