"""The semantic index with the real model and a real LanceDB store.

The model loads once per module (a few seconds); each test builds its own
small workspace with tests/support.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LANCEDB_LOG", "error")
pytest.importorskip("lancedb")
pytest.importorskip("sentence_transformers")

from indexer.semantic import EmbedderUnavailable  # noqa: E402
from indexer.semantic.build import update_embeddings  # noqa: E402
from indexer.semantic.embedder import EmbedderConfig, SentenceTransformerEmbedder  # noqa: E402
from indexer.semantic.search import SemanticIndex, is_phrase  # noqa: E402
from indexer.semantic.store import VectorStore  # noqa: E402
from tests.support import build, write_tree  # noqa: E402

REPO = Path(__file__).resolve().parents[2]

FILES = {
    "shop/__init__.py": "",
    "shop/config.py": '''
        import json

        def load_settings(path):
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)

        def merge_defaults(settings, defaults):
            merged = dict(defaults)
            merged.update(settings)
            return merged
        ''',
    "shop/money.py": '''
        def cents_to_text(cents):
            euros, rest = divmod(cents, 100)
            return f"{euros}.{rest:02d} EUR"

        class Cart:
            def __init__(self):
                self.items = []

            def add(self, name, price):
                self.items.append((name, price))

            def total(self):
                return sum(price for _, price in self.items)
        ''',
    "shop/net.py": '''
        import socket
        import time

        def fetch_with_retries(host, port, attempts=3):
            for attempt in range(attempts):
                try:
                    return socket.create_connection((host, port), timeout=5)
                except OSError:
                    time.sleep(2 ** attempt)
            raise ConnectionError(host)
        ''',
    "tests/test_money.py": '''
        from shop.money import Cart, cents_to_text

        def test_total():
            cart = Cart()
            cart.add("tea", 250)
            assert cart.total() == 250
        ''',
}


@pytest.fixture(scope="module")
def embedder():
    model = SentenceTransformerEmbedder(EmbedderConfig())
    model.load()
    return model


def _index(tmp_path, embedder, files=FILES):
    indexer, graph = build(tmp_path, files)
    run = update_embeddings(graph, indexer.index_dir, embedder)
    return indexer, graph, run


def _vectors(index_dir) -> dict[tuple[str, int], np.ndarray]:
    store = VectorStore(index_dir, readonly=True)
    rows = store.chunks.search().select(["qualname", "part", "vector"]).limit(None).to_list()
    return {(r["qualname"], r["part"]): np.asarray(r["vector"]) for r in rows}


def _paths(index_dir) -> set[str]:
    store = VectorStore(index_dir, readonly=True)
    return {r["path"] for r in store.chunks.search().select(["path"]).limit(None).to_list()}


def test_finds_functions_by_what_they_do(tmp_path, embedder):
    indexer, graph, run = _index(tmp_path, embedder)
    assert run.embedded == run.chunks > 0
    semantic = SemanticIndex(indexer.index_dir, graph, embedder)
    cases = {
        "read the configuration from a JSON file": "shop.config.load_settings",
        "format an amount of money as a string": "shop.money.cents_to_text",
        "open a network connection and try again when it fails": "shop.net.fetch_with_retries",
        "sum of the prices of everything in the shopping cart": "shop.money.Cart.total",
    }
    for query, expected in cases.items():
        hits = semantic.search(query, limit=3)
        assert hits and hits[0].symbol.qualname == expected, (query, [h.symbol.qualname for h in hits])
        assert hits[0].snippet.startswith("def ")
    # Filters: kind and path.
    hits = semantic.search("total price", limit=5, kind="method")
    assert hits and all(h.symbol.kind == "method" for h in hits)
    hits = semantic.search("money", limit=10, path_glob="tests/*")
    assert hits and all(h.symbol.path.startswith("tests/") for h in hits)
    # Similar code: the other function that reads and combines settings is nearer than the network code.
    similar = [h.symbol.qualname for h in semantic.similar_to("shop.config.load_settings", limit=10)]
    assert "shop.config.load_settings" not in similar
    assert similar.index("shop.config.merge_defaults") < similar.index("shop.net.fetch_with_retries")


def test_editing_a_body_reembeds_only_that_function(tmp_path, embedder):
    indexer, graph, _ = _index(tmp_path, embedder)
    before = _vectors(indexer.index_dir)
    path = indexer.root / "shop/money.py"
    path.write_text(path.read_text().replace("return sum(price for _, price in self.items)",
                                             "return sum(price * 2 for _, price in self.items)  # VAT"))
    indexer.run()
    run = update_embeddings(graph, indexer.index_dir, embedder)
    assert (run.files, run.embedded) == (1, 1)
    after = _vectors(indexer.index_dir)
    assert before.keys() == after.keys()
    changed = {key for key in before if not np.array_equal(before[key], after[key])}
    assert changed == {("shop.money.Cart.total", 0)}


def test_deleting_a_file_removes_its_rows(tmp_path, embedder):
    indexer, graph, _ = _index(tmp_path, embedder)
    assert "shop/net.py" in _paths(indexer.index_dir)
    (indexer.root / "shop/net.py").unlink()
    indexer.run()
    run = update_embeddings(graph, indexer.index_dir, embedder)
    assert run.removed == 1 and run.embedded == 0
    assert "shop/net.py" not in _paths(indexer.index_dir)
    semantic = SemanticIndex(indexer.index_dir, graph, embedder)
    assert all(h.symbol.path != "shop/net.py" for h in semantic.search("retry a socket connection", limit=10))


def test_store_does_not_grow_when_nothing_changed(tmp_path, embedder):
    indexer, graph, _ = _index(tmp_path, embedder)
    store = VectorStore(indexer.index_dir)
    store.maintain(keep_for=timedelta(0))
    size, versions = store.disk_bytes(), store.versions()
    for _ in range(3):
        indexer.run()
        run = update_embeddings(graph, indexer.index_dir, embedder)
        assert (run.files, run.embedded) == (0, 0)
    store = VectorStore(indexer.index_dir)
    assert (store.disk_bytes(), store.versions()) == (size, versions)
    # Edits write new versions; maintenance brings the store back to one version per table.
    path = indexer.root / "shop/config.py"
    for n in range(3):
        path.write_text(path.read_text() + f"\n\ndef extra_{n}():\n    return {n}\n")
        indexer.run()
        update_embeddings(graph, indexer.index_dir, embedder, maintain=False)
    store = VectorStore(indexer.index_dir)
    assert store.versions() > versions
    store.maintain(keep_for=timedelta(0))
    assert store.versions() <= versions
    assert store.disk_bytes() < size * 2


def test_bad_files_do_not_poison_the_store(tmp_path, embedder):
    files = dict(FILES)
    files["shop/empty.py"] = ""
    files["shop/minified.py"] = "x=1;" * 20_000 + "\n" + "def tiny():\n    return 1\n"
    files["shop/huge.py"] = ("def table():\n    return [\n" + "".join(f"        ({n}, {n * n}),\n" for n in range(5000))
                             + "    ]\n\n" + "".join(f"def generated_{n}(a, b):\n    return a * {n} + b\n\n"
                                                 for n in range(40)))
    indexer, graph = build(tmp_path, files)
    (indexer.root / "shop/binary.py").write_bytes(b"\x00\xff\xfe" * 1000 + b"def odd():\n    pass\n")
    indexer.run()
    run = update_embeddings(graph, indexer.index_dir, embedder)
    assert run.skipped == 0
    store = VectorStore(indexer.index_dir, readonly=True)
    rows = store.chunks.search().select(["path", "text", "vector"]).limit(None).to_list()
    assert all(np.isfinite(r["vector"]).all() and len(r["text"]) < 4000 for r in rows)
    assert sum(r["path"] == "shop/huge.py" for r in rows) < 100  # long bodies are cut to a few parts
    assert "\x00" not in "".join(r["text"] for r in rows)
    semantic = SemanticIndex(indexer.index_dir, graph, embedder)
    hits = semantic.search("read the configuration from a JSON file", limit=3)
    assert hits[0].symbol.qualname == "shop.config.load_settings"


def test_broken_model_leaves_graph_working_with_one_message(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    bad = tmp_path / "model"
    bad.mkdir()
    (bad / "config.json").write_text("{not json")
    broken = SentenceTransformerEmbedder(EmbedderConfig(model=str(bad)))
    with pytest.raises(EmbedderUnavailable) as first:
        update_embeddings(graph, indexer.index_dir, broken)
    with pytest.raises(EmbedderUnavailable) as second:
        broken.encode(["again"])
    assert first.value is second.value  # loaded once, the same error after
    assert graph.symbol("shop.money.Cart.total") is not None
    # The CLI: the graph is built, the reason is said once, exit code 0.
    env = dict(os.environ, CODEMELD_EMBED_MODEL=str(bad), HF_HUB_OFFLINE="1")
    done = subprocess.run([sys.executable, "-m", "server.cli", "index", str(indexer.root), "--index-dir",
                           str(tmp_path / "cli-index")], cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("embeddings skipped") == 1
    assert "indexed" in done.stderr
    refs = subprocess.run([sys.executable, "-m", "server.cli", "refs", "shop.money.Cart", "--root",
                           str(indexer.root), "--index-dir", str(tmp_path / "cli-index"), "--json"],
                          cwd=REPO, env=env, capture_output=True, text=True)
    assert refs.returncode == 0 and refs.stdout.startswith("[")


def test_progress_moves_within_a_batch(tmp_path, embedder, monkeypatch):
    """Progress is reported per slice of texts sent to the model, not once
    per write round: a big first run shows movement every few seconds."""
    from indexer.semantic import build as build_module

    monkeypatch.setattr(build_module, "_PROGRESS_TEXTS", 4)
    indexer, graph = build(tmp_path, FILES)
    reports: list[tuple[int, int]] = []
    run = update_embeddings(graph, indexer.index_dir, embedder, progress=lambda d, t, m: reports.append((d, t)))
    total = reports[0][1]
    assert run.embedded > 8 and reports[0] == (0, total) and reports[-1] == (total, total)
    steps = [d for d, _ in reports]
    assert steps == sorted(steps)
    assert len({d for d in steps if 0 < d < total}) >= 2, reports  # moved in between, more than once


def test_is_phrase():
    assert is_phrase("parse the config file")
    assert is_phrase("where do we retry connections?")
    assert not is_phrase("parse_config")
    assert not is_phrase("Session.send")
    assert not is_phrase("HTTPAdapter")
    assert not is_phrase("")
