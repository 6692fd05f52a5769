"""Cached model answers: served again while the symbol and what the pack saw
are unchanged; missed after an edit to the symbol or a direct dependency."""

from __future__ import annotations

import os
import textwrap

import pytest

from indexer.explain import explain, hover_summary
from indexer.explain.cache import ExplainCache
from indexer.explain.llm import LLMConfig
from evals.harness.fake_openai import FakeOpenAI
from tests.support import build

FILES = {
    "lib/__init__.py": "",
    "lib/text.py": '''
        def normalize(s: str) -> str:
            return s.strip().lower()

        def slug(title: str) -> str:
            """URL-safe slug of a title."""
            return normalize(title).replace(" ", "-")
        ''',
    "lib/pages.py": '''
        from lib.text import slug

        def page_url(title):
            return "/" + slug(title)
        ''',
    "lib/other.py": '''
        def unrelated():
            return 1
        ''',
}


@pytest.fixture
def setup(tmp_path):
    fake = FakeOpenAI().start()
    indexer, graph = build(tmp_path, FILES)
    config = LLMConfig(base_url=fake.base_url, model="tiny-coder", retries=0, timeout=5)
    cache = ExplainCache(tmp_path / "index")

    def ask():
        return explain(graph, "lib.text.slug", llm_config=config, cache=cache).source

    def edit(rel: str, text: str) -> None:
        path = indexer.root / rel
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        st = path.stat()  # a new mtime even within the filesystem's timestamp granularity
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
        indexer.update_paths([rel])

    yield ask, edit, graph, cache, fake
    indexer.close()
    fake.stop()


def test_hit_until_the_symbol_body_changes(setup):
    ask, edit, graph, cache, fake = setup
    assert ask() == "llm"
    assert ask() == "cache" and len(fake.requests) == 1
    assert (cache.path.parent / "explain.sqlite3").exists()
    edit("lib/text.py", FILES["lib/text.py"].replace('replace(" ", "-")', 'replace(" ", "_")'))
    assert "tiny-coder" not in hover_summary(graph, "lib.text.slug", cache=cache)  # stale: never shown
    assert ask() == "llm" and len(fake.requests) == 2


def test_miss_when_a_callee_signature_changes(setup):
    ask, edit, graph, cache, fake = setup
    assert ask() == "llm"
    assert "tiny-coder" in hover_summary(graph, "lib.text.slug", cache=cache)
    edit("lib/text.py", FILES["lib/text.py"].replace("def normalize(s: str) -> str:",
                                                     "def normalize(s: str, keep_case: bool = False) -> str:"))
    assert "tiny-coder" not in hover_summary(graph, "lib.text.slug", cache=cache)
    assert ask() == "llm"


def test_miss_when_the_callers_change(setup):
    ask, edit, graph, cache, fake = setup
    assert ask() == "llm"
    edit("lib/other.py", '''
        from lib.text import slug

        def unrelated():
            return slug("now a caller")
        ''')
    assert ask() == "llm"


def test_hit_after_unrelated_edits(setup):
    ask, edit, graph, cache, fake = setup
    assert ask() == "llm"
    edit("lib/other.py", '''
        def unrelated():
            return 2  # changed, but nothing of slug's
        ''')
    # Code that only moved (a line added above a caller) is no change either.
    edit("lib/pages.py", "# a header comment\n" + textwrap.dedent(FILES["lib/pages.py"]).lstrip("\n"))
    assert ask() == "cache" and len(fake.requests) == 1
    assert hover_summary(graph, "lib.text.slug", cache=cache).endswith("_(explained by `tiny-coder`)_")


def test_model_is_part_of_the_key(setup):
    ask, edit, graph, cache, fake = setup
    assert ask() == "llm"
    other = LLMConfig(base_url=fake.base_url, model="bigger-model", retries=0, timeout=5)
    assert explain(graph, "lib.text.slug", llm_config=other, cache=cache).source == "llm"
    assert explain(graph, "lib.text.slug", llm_config=other, cache=cache).source == "cache"
    assert ask() == "cache"
    assert "bigger-model" in hover_summary(graph, "lib.text.slug", cache=cache, model="bigger-model")


def test_no_cache_asks_again_and_unwritable_cache_degrades(setup, tmp_path):
    ask, edit, graph, cache, fake = setup
    config = LLMConfig(base_url=fake.base_url, model="tiny-coder", retries=0, timeout=5)
    assert explain(graph, "lib.text.slug", llm_config=config, cache=cache, use_cache=False).source == "llm"
    assert explain(graph, "lib.text.slug", llm_config=config, cache=cache, use_cache=False).source == "llm"
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the index dir should be")
    broken = ExplainCache(blocked)
    assert explain(graph, "lib.text.slug", llm_config=config, cache=broken).source == "llm"
    assert broken.disabled
