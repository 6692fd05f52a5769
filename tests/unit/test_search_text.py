"""Search before (and without) vectors: the graph's full text answers.

Real tree-sitter index, real SemanticIndex; no model is loaded (the test
checks it stays unloaded) and no vector store exists. The CLI case runs the
real `codemeld` in a subprocess (slow tier).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.semantic.build import value_order
from indexer.semantic.embedder import EmbedderConfig, make_embedder
from indexer.semantic.search import SemanticIndex
from tests.support import build
from server.protocol import edge

REPO = Path(__file__).resolve().parents[2]

FILES = {
    "shop/__init__.py": "",
    "shop/config.py": '''
        import json

        def load_settings(path):
            """Read the settings from a JSON file."""
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)

        def merge_defaults(settings, defaults):
            merged = dict(defaults)
            merged.update(settings)
            return merged
        ''',
    "shop/money.py": '''
        def cents_to_text(cents):
            """Format an amount of money as text."""
            euros, rest = divmod(cents, 100)
            return f"{euros}.{rest:02d} EUR"

        class Cart:
            def total(self):
                return 0
        ''',
    "tests/test_money.py": '''
        from shop.money import cents_to_text

        def test_cents_to_text():
            assert cents_to_text(250) == "2.50 EUR"
        ''',
}

# query -> the qualified name that must come first
CASES = {
    "load settings": "shop.config.load_settings",
    "read settings from a JSON file": "shop.config.load_settings",
    "merge defaults": "shop.config.merge_defaults",
    "format money as text": "shop.money.cents_to_text",
    "cart total": "shop.money.Cart.total",
}


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    return build(tmp_path_factory.mktemp("text"), FILES)


@pytest.mark.parametrize("query, expected", CASES.items())
def test_graph_text_answers_without_vectors(indexed, query, expected):
    indexer, graph = indexed
    embedder = make_embedder(EmbedderConfig())
    hits = SemanticIndex(indexer.index_dir, graph, embedder).search(query, limit=3)
    assert hits and hits[0].symbol.qualname == expected, [h.symbol.qualname for h in hits]
    assert {h.source for h in hits} == {"text"}
    assert edge.search_result(hits[0], None).wire()["source"] == "text"
    assert not embedder.loaded  # no model is needed to answer


def test_filters_and_test_penalty(indexed):
    indexer, graph = indexed
    index = SemanticIndex(indexer.index_dir, graph, make_embedder(EmbedderConfig()))
    assert [h.symbol.qualname for h in index.search("cents to text", 5, kind="function")][0] == \
        "shop.money.cents_to_text"  # source ranks above the test that names it
    assert all(h.symbol.kind == "class" for h in index.search("cart", 5, kind="class"))
    assert all(h.symbol.path.startswith("tests/") for h in index.search("cents", 5, path_glob="tests/*"))
    assert index.search("   ", 5) == []
    assert index.search("zzzqqq nothing matches", 5) == []


def test_sees_a_new_graph_version(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    index = SemanticIndex(indexer.index_dir, graph, make_embedder(EmbedderConfig()))
    assert not index.search("ship parcel", 3)
    (indexer.root / "shop" / "post.py").write_text("def ship_parcel(weight):\n    return weight * 2\n")
    indexer.run()
    assert index.search("ship parcel", 3)[0].symbol.qualname == "shop.post.ship_parcel"


# paths in, the order they are embedded out
ORDER_CASES = [
    (["tests/test_a.py", "pkg/a.py"], (), ["pkg/a.py", "tests/test_a.py"]),
    (["pkg/_private.py", "pkg/public.py"], (), ["pkg/public.py", "pkg/_private.py"]),
    (["pkg/deep/er/x.py", "pkg/y.py"], (), ["pkg/y.py", "pkg/deep/er/x.py"]),
    (["pkg/a.py", "tests/test_b.py", "pkg/c.py"], ("tests/test_b.py",), ["tests/test_b.py", "pkg/a.py", "pkg/c.py"]),
    (["pkg/__init__.py", "pkg/_impl/core.py"], (), ["pkg/__init__.py", "pkg/_impl/core.py"]),
    (["conftest.py", "a_test.py", "lib.py"], (), ["lib.py", "a_test.py", "conftest.py"]),
]


@pytest.mark.parametrize("paths, first, expected", ORDER_CASES)
def test_value_order(paths, first, expected):
    assert value_order(paths, first) == expected


@pytest.mark.slow
def test_cli_search_after_no_embeddings_index(tmp_path):
    root = tmp_path / "ws"
    from tests.support import write_tree

    write_tree(root, FILES)
    env = dict(os.environ, CODEMELD_CACHE_DIR=str(tmp_path / "cache"), HF_HUB_OFFLINE="1")
    done = subprocess.run([sys.executable, "-m", "server.cli", "index", str(root), "--no-embeddings"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = subprocess.run([sys.executable, "-m", "server.cli", "search", "read settings from a JSON file",
                            "--root", str(root), "--json", "-k", "3"],
                           cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert hits[0]["symbol"]["qualname"] == "shop.config.load_settings" and hits[0]["source"] == "text"
    # No torch in a text-only search: the import alone costs seconds.
    probe = subprocess.run([sys.executable, "-X", "importtime", "-m", "server.cli", "search", "load settings",
                            "--root", str(root), "-k", "1"], cwd=REPO, env=env, capture_output=True, text=True,
                           timeout=120)
    assert probe.returncode == 0, probe.stderr
    assert "| torch" not in probe.stderr and "load_settings" in probe.stdout
    # The text output says what the JSON's "source" says: these are text matches, not semantic ones.
    assert "text matches only" in probe.stderr and "text matches" not in probe.stdout
