"""A damaged vector store (issue 16, defect 6) is rebuilt by the next writer
with one warning, and a reader says how to repair it instead of a traceback.
Real LanceDB; the vectors are arbitrary numbers (what is tested is the store,
not the model)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

pytest.importorskip("lancedb")

from indexer.semantic import SemanticUnavailable  # noqa: E402
from indexer.semantic.chunks import Chunk  # noqa: E402
from indexer.semantic.store import DIR_NAME, VectorStore  # noqa: E402


def damage(index_dir, how: str) -> None:
    path = index_dir / DIR_NAME
    if how == "versions":
        for folder in list(path.rglob("_versions")):
            shutil.rmtree(folder)
    elif how == "truncated":
        for data in path.rglob("*.lance"):
            if data.is_file():
                data.write_bytes(data.read_bytes()[:10])
    elif how == "file":
        shutil.rmtree(path)
        path.write_text("not a folder")


class QueryVectors:
    """Turns a query into a vector; reading a store needs no model."""

    model_id, dim = "model-a", 8

    def encode(self, texts):
        return np.ones((len(texts), 8), np.float32)


def reader(index_dir):
    from indexer.graph.query import Graph
    from indexer.semantic.search import SemanticIndex
    from indexer.graph.store import Store

    return SemanticIndex(index_dir, Graph(Store(index_dir / "graph"), index_dir), QueryVectors())


def filled(index_dir) -> VectorStore:
    store = VectorStore(index_dir, "model-a")
    store.ensure_tables(lambda: 8)
    chunks = [Chunk("a.py", f"a.f{i}", f"f{i}", "function", i, i, 0, False, f"def f{i}(): pass") for i in range(20)]
    store.replace_files(chunks, np.random.default_rng(0).random((20, 8)), {"a.py": "sha-a"})
    store.maintain()
    return store


@pytest.mark.parametrize("how", ["versions", "truncated", "file"])
def test_damaged_vector_store_is_rebuilt_by_the_next_writer(tmp_path, caplog, how):
    filled(tmp_path)
    damage(tmp_path, how)
    with pytest.raises(SemanticUnavailable, match="codemeld index"):
        reader(tmp_path).search("parse lines")
    store = VectorStore(tmp_path, "model-a")  # the writer: rebuilds, warns once
    assert store.file_shas() == {}  # everything will be embedded again
    assert sum("damaged" in r.getMessage() for r in caplog.records) == 1
    store.ensure_tables(lambda: 8)
    chunks = [Chunk("b.py", "b.g", "g", "function", 0, 0, 0, False, "def g(): pass")]
    store.replace_files(chunks, np.ones((1, 8)), {"b.py": "sha-b"})
    again = VectorStore(tmp_path, "model-a")
    assert again.file_shas() == {"b.py": "sha-b"} and again.count() == 1


def test_search_on_a_store_damaged_under_a_reader_says_so(tmp_path):
    filled(tmp_path)
    index = reader(tmp_path)
    index.search("f1")  # opened while intact (graph empty: no hits, but the store is read)
    damage(tmp_path, "truncated")
    with pytest.raises(SemanticUnavailable, match="damaged"):
        index.search("parse lines")
