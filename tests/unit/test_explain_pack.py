"""Context packs: the right callers, callees and tests; the budget; what
private files may (not) contribute."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.explain.pack import PackOptions, approx_tokens, build_pack, render_pack
from indexer.explain.privacy import PrivacyPolicy
from tests.support import build

PROJECT = {
    "app/__init__.py": "",
    "app/util.py": '''
        """Parsing helpers for the app's configuration files."""

        def helper(text: str) -> list[str]:
            """Split text into non-empty lines."""
            return [line for line in text.splitlines() if line]

        def parse(text: str, strict: bool = False) -> dict[str, str]:
            """Parse KEY=VALUE lines into a dict."""
            def pair(line):
                return line.split("=", 1)
            out = {}
            for line in helper(text):
                key, value = pair(line)
                out[key.strip()] = value.strip()
            if strict and not out:
                raise ValueError("empty")
            return out

        def unrelated():
            return 42
        ''',
    "app/a.py": '''
        from app.util import parse

        def load_one(path):
            """Read one settings file."""
            return parse(open(path).read())

        def load_two(path):
            return parse(open(path).read(), strict=True)

        def load_three(text):
            return parse(text)
        ''',
    "app/b.py": '''
        from app import util

        class Settings:
            """Settings of a running app."""

            def reload(self, text):
                """Re-read the settings from text."""
                self.values = util.parse(text)
        ''',
    "tests/test_util.py": '''
        from app.util import parse

        def test_parse_pairs():
            assert parse("a=1\\nb=2") == {"a": "1", "b": "2"}

        def test_something_else():
            assert 1 + 1 == 2
        ''',
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("pack"), PROJECT)
    yield graph
    indexer.close()


def test_callers_callees_and_tests(project):
    pack = build_pack(project, "app.util.parse")
    callers = [c.qualname for c in pack.callers]
    assert set(callers) == {"app.a.load_one", "app.a.load_two", "app.a.load_three",
                            "app.b.Settings.reload", "tests.test_util.test_parse_pairs"}
    # Files interleave (variety first) and tests come after real code.
    assert {callers[0], callers[1]} & {"app.b.Settings.reload"}
    assert callers[-1] == "tests.test_util.test_parse_pairs"
    assert pack.caller_count == 5 and pack.caller_files == 3
    reload = next(c for c in pack.callers if c.qualname == "app.b.Settings.reload")
    assert reload.text == "self.values = util.parse(text)" and reload.line == 7
    assert reload.purpose == "Re-read the settings from text."
    # Only workspace functions: not builtins, not its own nested `pair`, not str methods.
    assert [c.card.qualname for c in pack.callees] == ["app.util.helper"]
    assert pack.callees[0].card.signature == "def helper(text: str) -> list[str]"
    assert [t.id for t in pack.tests] == ["tests/test_util.py::test_parse_pairs"]
    assert 'assert parse("a=1\\nb=2")' in pack.tests[0].body
    assert pack.impact is not None and pack.impact.tests == 1 and pack.impact.dependents >= 5
    assert pack.module is not None and pack.module.docstring.startswith("Parsing helpers")
    assert "for line in helper(text):" in pack.body
    assert "Parse KEY=VALUE" not in pack.body  # the docstring sits in the card, not twice
    assert pack.target.docstring == "Parse KEY=VALUE lines into a dict."
    assert pack.dropped == [] and pack.used <= pack.budget


def test_enclosing_class_and_members(project):
    pack = build_pack(project, "app.b.Settings.reload")
    assert pack.owner is not None and pack.owner.qualname == "app.b.Settings"
    assert [c.card.qualname for c in pack.callees] == ["app.util.parse"]
    cls = build_pack(project, "app.b.Settings")
    assert [m.qualname for m in cls.members] == ["app.b.Settings.reload"]
    assert "def reload(self, text): ..." in cls.body and "self.values" not in cls.body


def test_budget_keeps_the_most_informative_first(project):
    small = build_pack(project, "app.util.parse", PackOptions(budget=160))
    assert small.used <= 160
    assert approx_tokens(render_pack(small)) <= 160  # headings and notes are paid for too
    assert small.dropped, "a pack that small must leave something out"
    assert small.body_truncated and any(d.startswith("body lines") for d in small.dropped)
    # The symbol's own card is never dropped; tests and module breadth go before callers.
    assert small.target.signature.startswith("def parse")
    assert not small.tests and not small.module_symbols
    bigger = build_pack(project, "app.util.parse", PackOptions(budget=600))
    assert len(bigger.callers) >= len(small.callers) and bigger.used <= 600


def test_budget_uses_a_configurable_tokenizer(project):
    words = build_pack(project, "app.util.parse", PackOptions(budget=400, count_tokens=lambda s: len(s.split())))
    chars = build_pack(project, "app.util.parse", PackOptions(budget=400, count_tokens=len))
    assert chars.used <= 400 and words.used <= 400
    assert len(chars.dropped) > len(words.dropped)


def test_similar_code_is_optional(project):
    class Hit:
        def __init__(self, symbol, score):
            self.symbol, self.score, self.snippet = symbol, score, "def helper(text): ..."

    class FakeSemantic:
        def similar_to(self, qualname, limit=10):
            return [Hit(project.symbol("app.util.helper"), 0.91)]

    class Broken:
        def similar_to(self, qualname, limit=10):
            raise RuntimeError("no vector store")

    with_similar = build_pack(project, "app.util.parse", similar=FakeSemantic())
    assert [(s.qualname, round(s.score, 2)) for s in with_similar.similar] == [("app.util.helper", 0.91)]
    broken = build_pack(project, "app.util.parse", similar=Broken())
    assert broken.similar == [] and any("no vector store" in n for n in broken.notes)
    assert build_pack(project, "app.util.parse").similar == []


def test_unknown_symbol(project):
    with pytest.raises(KeyError):
        build_pack(project, "app.util.nope")


# -- privacy ----------------------------------------------------------------------

PRIVATE = {
    "core.py": '''
        def connect(dsn):
            """Open a connection."""
            return dsn
        ''',
    "secrets.py": '''
        from core import connect

        def open_prod():
            return connect("postgres://admin:hunter2@prod")
        ''',
    "keys/id_rsa_loader.py": '''
        from core import connect

        def load():
            return connect("ssh-key-material")
        ''',
    "gen/generated.py": '''
        from core import connect

        def generated():
            return connect("generated-dsn-text")
        ''',
    "app.py": '''
        from core import connect

        def main():
            return connect("sqlite://")
        ''',
}


@pytest.mark.parametrize("path, allowed", [
    ("app/main.py", True),
    (".env", False), (".env.local", False), ("config/.env.production", False),
    ("deploy/server.pem", False), ("deploy.key", False), ("id_rsa", False), ("home/.ssh/id_ed25519.pub", False),
    ("app/my_secret_settings.py", False), ("secrets/db.py", False), ("Credentials.json", False),
    ("../outside.py", False),
])
def test_secret_looking_paths(tmp_path, path, allowed):
    policy = PrivacyPolicy.default(tmp_path)
    policy.check_gitignore = False
    assert policy.allowed(path) is allowed


def test_secret_patterns_are_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("CODEMELD_SECRET_PATTERNS", "*internal*:vault_*")
    policy = PrivacyPolicy.default(tmp_path, extra=("corp_*.py",))
    policy.check_gitignore = False
    assert not policy.allowed("app/internal_api.py")
    assert not policy.allowed("vault_client.py")
    assert not policy.allowed("corp_tokens.py")
    assert policy.allowed("app/public.py")


def test_private_files_contribute_no_text(tmp_path):
    indexer, graph = build(tmp_path, PRIVATE)
    try:
        # Ignored after indexing (a stale index): the path check still keeps it out.
        (Path(indexer.root) / ".gitignore").write_text("gen/\n")
        pack = build_pack(graph, "core.connect")
        by_name = {c.qualname: c for c in pack.callers}
        assert set(by_name) == {"secrets.open_prod", "keys.id_rsa_loader.load", "gen.generated.generated",
                                "app.main"}
        assert by_name["app.main"].text == 'return connect("sqlite://")'
        for private in ("secrets.open_prod", "keys.id_rsa_loader.load", "gen.generated.generated"):
            assert by_name[private].text == ""  # named, never quoted
        assert set(pack.withheld) == {"secrets.py", "keys/id_rsa_loader.py", "gen/generated.py"}
        assert "ignored" in pack.withheld["gen/generated.py"]
        text = render_pack(pack)
        for leaked in ("hunter2", "ssh-key-material", "generated-dsn-text"):
            assert leaked not in text
        # A symbol inside a secret file: no signature, docstring or body.
        own = build_pack(graph, "secrets.open_prod")
        assert own.body == "" and own.target.signature == "" and "hunter2" not in render_pack(own)
    finally:
        indexer.close()
