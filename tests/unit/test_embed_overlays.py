"""Defect 12 of issue 16: a second `codemeld index` with no file changes
re-embedded hundreds of chunks. Cause: files whose graph row held other
text than the disk -- an editor buffer the server overlaid into the shared
index (a didChange storm does this to every open file), or an edit made
between the graph run and the embedding -- were skipped silently, and the
next run, with the disk version back in the graph, embedded them. Now the
disk text is embedded at once. Real model and LanceDB."""

from __future__ import annotations

import pytest

pytest.importorskip("lancedb")

from indexer.graph.query import Graph  # noqa: E402
from indexer.semantic.build import update_embeddings  # noqa: E402
from indexer.semantic.embedder import EmbedderConfig, SentenceTransformerEmbedder  # noqa: E402
from tests.support import build  # noqa: E402

FILES = {f"pkg/mod{i}.py": f"def work_{i}(items):\n    \"\"\"Sum item {i}.\"\"\"\n    return sum(items) + {i}\n\n\n"
         f"class Holder{i}:\n    def value(self):\n        return work_{i}([{i}])\n" for i in range(6)}


@pytest.mark.slow
def test_no_change_run_embeds_nothing_after_buffer_overlays(tmp_path):
    embedder = SentenceTransformerEmbedder(EmbedderConfig())
    indexer, graph = build(tmp_path, FILES)
    index_dir = indexer.index_dir
    # A server overlays unsaved buffers of three files into the shared index.
    for i in range(3):
        indexer.update_source(f"pkg/mod{i}.py", FILES[f"pkg/mod{i}.py"].replace("sum(items)", "max(items)").encode())
    first = update_embeddings(graph, index_dir, embedder)
    assert first.skipped == 0 and first.files == len(FILES)
    # The next CLI run: the graph takes the disk versions back; nothing changed on disk.
    indexer.run()
    second = update_embeddings(Graph(indexer.store, indexer.root), index_dir, embedder)
    assert (second.embedded, second.chunks) == (0, 0), second
    # The vectors describe the saved text, not the buffers.
    from indexer.semantic.store import VectorStore

    texts = " ".join(r["text"] for r in VectorStore(index_dir, embedder.model_id).rows("path = 'pkg/mod0.py'", ["text"]))
    assert "sum(items)" in texts and "max(items)" not in texts
    indexer.close()
