"""No secret reaches a model (issue 16, defect 2). The model is
evals/harness/fake_openai.py -- a fake of a remote LLM, the one thing that cannot run
here -- and every test checks the bytes it received for a canary."""

from __future__ import annotations

import json
import os

import pytest

from indexer.explain import explain
from indexer.explain.cache import ExplainCache
from indexer.explain.llm import LLMConfig
from indexer.explain.privacy import PrivacyPolicy
from indexer.explain.redact import redact
from evals.harness.fake_openai import FakeOpenAI
from tests.support import build

CANARY = "canary-7f3a9c1e5b2d4086"
HIGH_ENTROPY = "Zq8vN3kL1xR7wT5yU2pA9sD4fG6hJ0mB"


@pytest.fixture
def fake():
    server = FakeOpenAI().start()
    yield server
    server.stop()


def _config(fake: FakeOpenAI) -> LLMConfig:
    return LLMConfig(base_url=fake.base_url, model="tiny", api_key=None, timeout=5.0, retries=0, backoff=0.01)


def sent(fake: FakeOpenAI) -> str:
    return "\n".join(json.dumps(r.body) for r in fake.requests)


def test_symlink_to_env_file_sends_nothing(fake, tmp_path):
    indexer, graph = build(tmp_path, {
        "app.py": "from env_link import load\n\n\ndef main():\n    return load()\n",
    })
    root = indexer.root
    (root / ".env").write_text(f"def load():\n    return 'DB={CANARY}'\n")
    os.symlink(".env", root / "env_link.py")
    indexer.run()
    for qualname in ("env_link.load", "app.main"):
        explain(graph, qualname, llm_config=_config(fake), cache=ExplainCache(tmp_path / "c"), use_cache=False)
    assert CANARY not in sent(fake)
    assert "symlink to a secret-looking file" in PrivacyPolicy.default(root).reason("env_link.py")
    indexer.close()


def test_symlink_out_of_the_workspace_sends_nothing(fake, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "private.py").write_text(f"def token():\n    return '{CANARY}'\n")
    indexer, graph = build(tmp_path, {"app.py": "from linked import token\n\n\ndef main():\n    return token()\n"})
    os.symlink(outside / "private.py", indexer.root / "linked.py")
    os.symlink(outside, indexer.root / "linkdir")
    indexer.run()
    for qualname in ("linked.token", "app.main", "linkdir.private.token"):
        explain(graph, qualname, llm_config=_config(fake), cache=ExplainCache(tmp_path / "c"), use_cache=False)
    assert CANARY not in sent(fake)
    policy = PrivacyPolicy.default(indexer.root)
    assert policy.reason("linked.py") == "a symlink to a file outside the workspace"
    assert policy.reason("linkdir/private.py") == "a symlink to a file outside the workspace"
    indexer.close()


def test_secret_literals_are_redacted_from_what_is_sent(fake, tmp_path):
    indexer, graph = build(tmp_path, {
        "settings.py": (
            f'PASSWORD = "{CANARY}"\n'
            f'API_TOKEN = "{CANARY}-2"\n'
            f'SIGNING = "{HIGH_ENTROPY}"\n'
            'GREETING = "hello world"\n\n\n'
            'def connect(user):\n'
            f'    return login(user, password="{CANARY}-3", key=SIGNING)\n\n\n'
            'def login(user, password, key):\n    return (user, password, key)\n'
        ),
    })
    for qualname in ("settings.connect", "settings.PASSWORD", "settings.SIGNING", "settings.GREETING", "settings"):
        explain(graph, qualname, llm_config=_config(fake), cache=ExplainCache(tmp_path / "c"), use_cache=False)
    text = sent(fake)
    assert fake.requests and CANARY not in text and HIGH_ENTROPY not in text
    assert "<redacted>" in text and "hello world" in text  # ordinary strings stay
    indexer.close()


@pytest.mark.parametrize("line, hidden", [
    ('PASSWORD = "hunter2x"', True),
    ('db_password="s3cr3t"', True),
    ('AUTH_KEY = "abc"', True),
    ('conf = {"password": "opensesame"}', True),
    ('token: str = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"', True),
    (f'x = "{HIGH_ENTROPY}"', True),
    ('name = "hello world"', False),
    ('log.info("parsing %s failed", path)', False),
    ('key = d["name"]', False),
])
def test_redact_line_by_line(line, hidden):
    out, count = redact(line)
    assert (count > 0) == hidden, out
    assert ("<redacted>" in out) == hidden
