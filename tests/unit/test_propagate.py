"""LLM-assisted propagation, end to end against a local stand-in for an
OpenAI-compatible endpoint (evals/harness/fake_openai.py): one request per caller of
the changed function, answers turned into edits that need confirmation."""

from __future__ import annotations

import pytest

from indexer.explain.llm import ChatClient, LLMConfig
from indexer.languages.python.edits.propagate import propagate
from indexer.languages.python.edits.rename import apply_edits
from evals.harness.fake_openai import Behaviour, FakeOpenAI
from tests.support import build

FILES = {
    "lib.py": "def load(path):\n    return open(path).read()\n",
    "use.py": "from lib import load\n\n\ndef show(p):\n    text = load(p)\n    return text.upper()\n",
    ".env": "SECRET=1\n",
}
NEW_LIB = b"def load(path):\n    with open(path) as f:\n        return f.read().splitlines()\n"
UPDATED = "def show(p):\n    lines = load(p)\n    return [line.upper() for line in lines]"


@pytest.fixture
def fake():
    server = FakeOpenAI(Behaviour(answer=f"The caller must handle a list now.\n```python\n{UPDATED}\n```\n")).start()
    yield server
    server.stop()


def client_for(fake) -> ChatClient:
    return ChatClient(LLMConfig(base_url=fake.base_url, model="tiny-coder", timeout=5.0, retries=0))


def test_each_caller_gets_a_proposal_needing_confirmation(tmp_path, fake):
    indexer, graph = build(tmp_path, FILES)
    proposals = propagate(graph, "lib.py", NEW_LIB, client_for(fake))
    assert [(p.target, p.caller) for p in proposals] == [("lib.load", "use.show")]
    edit = proposals[0].edit
    assert not edit.certain and "tiny-coder" in edit.reason
    after = apply_edits((indexer.root / "use.py").read_text(), [edit])
    assert after == "from lib import load\n\n\n" + UPDATED + "\n"
    # The request carried the change and the caller's code.
    sent = fake.requests[0].body["messages"][-1]["content"]
    assert "-    return open(path).read()" in sent and "def show(p):" in sent


def test_no_change_and_invalid_answers_propose_nothing(tmp_path, fake):
    indexer, graph = build(tmp_path, FILES)
    fake.behaviour.answer = "NO_CHANGE"
    assert propagate(graph, "lib.py", NEW_LIB, client_for(fake)) == []
    fake.behaviour.answer = "```python\ndef show(p:\n```"
    assert propagate(graph, "lib.py", NEW_LIB, client_for(fake)) == []


def test_endpoint_down_proposes_nothing(tmp_path, fake):
    indexer, graph = build(tmp_path, FILES)
    fake.stop()
    assert propagate(graph, "lib.py", NEW_LIB, client_for(fake)) == []
