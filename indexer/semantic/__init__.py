"""The semantic index: every module, class and function embedded into a
LanceDB table next to the graph, searched by hybrid (vector + full text +
graph signals) ranking.

Everything heavy (torch, sentence-transformers, lancedb) is imported lazily,
so importing this package costs nothing and graph features never depend on
it. Entry points:

- `build.update_embeddings(graph, index_dir, ...)` after graph indexing.
- `search.SemanticIndex(index_dir, graph).search(...)` / `.similar_to(...)`.
- `search.is_phrase(query)`: natural-language phrase vs identifier.
"""

from __future__ import annotations

import os

# LanceDB's Rust side logs warnings (e.g. "creating a new dataset") straight to
# stderr, which the CLI reserves for messages meant for the user.
os.environ.setdefault("LANCEDB_LOG", "error")


class SemanticUnavailable(RuntimeError):
    """The semantic index cannot work here (a package is missing, the model
    cannot load, the vector store cannot open). Graph features are unaffected."""


class EmbedderUnavailable(SemanticUnavailable):
    """The embedding model cannot be loaded."""
