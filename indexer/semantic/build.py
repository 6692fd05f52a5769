"""Bringing the vector store up to date with the graph (after graph indexing).

A file is looked at again only when the sha256 the graph recorded for it
differs from the one it was embedded at; inside such a file, a chunk whose
text hash is unchanged keeps its vector. Only new texts reach the model,
sorted by length across the whole batch so padding stays small.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from indexer.graph.query import Graph
from indexer.graph.store import Store
from indexer.semantic.chunks import EMBEDDED_KINDS, Chunk, file_chunks
from indexer.semantic.embedder import Embedder, default_embedder
from indexer.semantic.store import KEEP_VERSIONS_FOR, VectorStore
from indexer.pipeline.writer_lock import VECTORS_LOCK_NAME, WriterLock

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]

_BATCH_CHUNKS = 2048  # chunks per embed+write round: one commit each; big rounds sort by length better
# Texts per model call inside a round: progress moves every second or two on
# a laptop CPU instead of once per round (minutes on a big first run).
_PROGRESS_TEXTS = 64


@dataclass(frozen=True, slots=True)
class EmbedRun:
    files: int  # files whose rows were rewritten
    removed: int  # files whose rows were deleted
    skipped: int  # files changed on disk since graph indexing (picked up next time)
    chunks: int  # chunks written
    embedded: int  # texts that went through the model
    reused: int  # chunks whose vector was kept
    seconds: float
    embed_seconds: float  # time inside the model


def update_embeddings(graph: Graph | Store, index_dir: Path, embedder: Embedder | None = None,
                      progress: Progress | None = None, cancel: Cancel | None = None,
                      maintain: bool = True, keep_versions_for: timedelta = KEEP_VERSIONS_FOR,
                      lock_wait_s: float = 600.0, first: Sequence[str] = ()) -> EmbedRun:
    """Embed what changed in the graph since the last call, the most useful
    files first (`first`, e.g. the open files, then source before tests,
    public modules before private ones). Raises EmbedderUnavailable /
    SemanticUnavailable when the model or LanceDB cannot be used; the graph
    is never touched."""
    # One vector-store writer at a time across processes (CLI, server, MCP).
    with WriterLock(index_dir, wait_s=lock_wait_s, name=VECTORS_LOCK_NAME).hold():
        return _update(graph, index_dir, embedder, progress, cancel, maintain, keep_versions_for, first)


def value_order(paths: Sequence[str], first: Sequence[str] = ()) -> list[str]:
    """Paths in the order their vectors are worth having: the given ones
    (open files), then source before tests, public modules before private
    ones (`_x.py`, `_impl/`), shallow before deep. Search blends in the graph's
    full text for files still waiting (see search.py), so the order decides
    which answers get vectors soonest."""
    wanted = {p: n for n, p in enumerate(first)}

    def key(path: str):
        parts = path.split("/")
        name = parts[-1]
        is_test = name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py" or any(
            p in ("test", "tests", "testing") for p in parts[:-1])
        private = sum(1 for p in parts if p.startswith("_") and not p.startswith("__"))
        return (wanted.get(path, len(wanted)), is_test, private, len(parts), path)

    return sorted(paths, key=key)


def _update(graph, index_dir: Path, embedder, progress, cancel, maintain: bool, keep_versions_for,
            first: Sequence[str] = ()) -> EmbedRun:
    started = time.perf_counter()
    if isinstance(graph, Store):
        graph = Graph(graph, Path(graph.get_meta("root") or "."))
    embedder = embedder or default_embedder()
    store = VectorStore(index_dir, embedder.model_id)
    graph_files = graph.file_shas()
    embedded = store.file_shas()
    removed = [p for p in embedded if p not in graph_files]
    if removed:
        store.delete_files(removed)
    changed = value_order([p for p, sha in graph_files.items() if sha and embedded.get(p) != sha], first)
    if changed:
        store.ensure_tables(lambda: embedder.dim)  # loads the model only when there is work
    total = _symbol_count(graph, changed)
    stats = {"files": 0, "skipped": 0, "chunks": 0, "embedded": 0, "reused": 0, "embed_seconds": 0.0}
    done = 0
    pending: list[tuple[str, str, list[Chunk]]] = []
    pending_chunks = 0
    if progress is not None and total:
        progress(0, total, f"Embedding 0/{total} symbols")
    for path in changed:
        if cancel is not None and cancel():
            log.info("embedding cancelled")
            break
        loaded = _load_file(graph, path, graph_files[path])
        if loaded is None:
            stats["skipped"] += 1
            continue
        embedded_sha, chunks = loaded
        pending.append((path, embedded_sha, chunks))
        pending_chunks += len(chunks)
        if pending_chunks >= _BATCH_CHUNKS:
            done += _write_batch(store, embedder, pending, stats, _reporter(progress, done, total, pending))
            pending, pending_chunks = [], 0
            if progress is not None:
                progress(min(done, total), total, f"Embedding {min(done, total)}/{total} symbols")
    if pending and not (cancel is not None and cancel()):
        done += _write_batch(store, embedder, pending, stats, _reporter(progress, done, total, pending))
    if progress is not None and total:
        progress(total, total, f"Embedding {total}/{total} symbols")
    wrote = stats["files"] or removed
    if maintain and (store.needs_maintenance() or (wrote and stats["chunks"] > 10_000)):
        store.maintain(keep_versions_for)
    return EmbedRun(files=stats["files"], removed=len(removed), skipped=stats["skipped"], chunks=stats["chunks"],
                    embedded=stats["embedded"], reused=stats["reused"],
                    seconds=time.perf_counter() - started, embed_seconds=stats["embed_seconds"])


def _symbol_count(graph: Graph, paths: list[str]) -> int:
    return graph.count_symbols_in(paths, EMBEDDED_KINDS) if paths else 0


def _load_file(graph: Graph, path: str, sha: str) -> tuple[str, list[Chunk]] | None:
    """(the sha embedded, the file's chunks) from the text on disk; None when
    the file cannot be read.

    The vectors describe the saved file. When the graph holds other text for
    it -- an editor's unsaved buffer overlaid by the server, or an edit made
    since the graph run -- the disk text is parsed here for its symbols, so
    the file is embedded as saved now instead of being skipped until some
    later run (skipping is what made a no-change `codemeld index` re-embed
    the files a server had buffers open for)."""
    try:
        source = (graph.root / path).read_bytes()
    except OSError:
        return None
    disk_sha = hashlib.sha256(source).hexdigest()
    if disk_sha == sha:
        return sha, file_chunks(graph.symbols_in_file(path), source)
    symbols = _disk_symbols(graph, path, source)
    if symbols is None:
        return None
    return disk_sha, file_chunks(symbols, source)


def _disk_symbols(graph: Graph, path: str, source: bytes) -> list | None:
    from indexer import languages
    from indexer.pipeline.index import _symbol_rows
    from indexer.graph.model import Range, Symbol

    row = graph.module_of(path)
    support = languages.support_for_path(path)
    if row is None or support is None:
        return None
    try:
        facts = support.extract(support.normalize_source(source), path, row[0], bool(row[1]))
    except Exception:  # the extractor never raises on bad input; a bug must not stop embedding
        log.exception("extracting %s for embedding failed", path)
        return None
    out = []
    for (name, qualname, kind, sl, sc, el, ec, nsl, nsc, nel, nec, signature, docstring, parent, is_test,
         _member, flags, decorators, _params, _body_hash, body_line) in _symbol_rows(support, facts):
        out.append(Symbol(id=0, name=name, qualname=qualname, kind=kind, path=path,
                          range=Range.of(sl, sc, el, ec), selection_range=Range.of(nsl, nsc, nel, nec),
                          signature=signature or "", docstring=docstring or "", parent=parent,
                          is_test=bool(is_test), flags=tuple(f for f in (flags or "").split(",") if f),
                          decorators=tuple(json.loads(decorators)) if decorators else (), body_line=body_line))
    out.sort(key=lambda s: (s.range.start.line, s.range.start.character))
    return out


def _reporter(progress: Progress | None, done: int, total: int,
              files: list[tuple[str, str, list[Chunk]]]) -> Callable[[float], None] | None:
    """Progress inside one round: `fraction` of its texts embedded, counted
    as that fraction of the round's symbols."""
    if progress is None or not total:
        return None
    symbols = len({(c.path, c.start_line, c.qualname) for _, _, file in files for c in file})

    def report(fraction: float) -> None:
        now = min(done + int(symbols * fraction), total)
        progress(now, total, f"Embedding {now}/{total} symbols")
    return report


def _encode(embedder: Embedder, texts: list[str], on_progress: Callable[[float], None] | None) -> list:
    if on_progress is None or len(texts) <= _PROGRESS_TEXTS:
        return list(embedder.encode(texts))
    # Sorted by length first, so each slice pads little (what one big call would do).
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors: list = [None] * len(texts)
    for start in range(0, len(order), _PROGRESS_TEXTS):
        part = order[start:start + _PROGRESS_TEXTS]
        for i, vector in zip(part, embedder.encode([texts[i] for i in part])):
            vectors[i] = vector
        on_progress(min(1.0, (start + len(part)) / len(texts)))
    return vectors


def _write_batch(store: VectorStore, embedder: Embedder, files: list[tuple[str, str, list[Chunk]]],
                 stats: dict, on_progress: Callable[[float], None] | None = None) -> int:
    chunks = [c for _, _, file in files for c in file]
    known = store.vectors_of_files([path for path, _, _ in files])
    missing: dict[str, str] = {}  # text_hash -> text, each distinct text embedded once
    for chunk in chunks:
        key = chunk.text_hash
        if key not in known:
            missing.setdefault(key, chunk.text)
    if missing:
        began = time.perf_counter()
        vectors = _encode(embedder, list(missing.values()), on_progress)
        stats["embed_seconds"] += time.perf_counter() - began
        known.update(zip(missing, vectors))
    dim = store.dim
    matrix = np.stack([known[c.text_hash] for c in chunks]) if chunks else np.zeros((0, dim), np.float32)
    store.replace_files(chunks, matrix, {path: sha for path, sha, _ in files})
    stats["files"] += len(files)
    stats["chunks"] += len(chunks)
    stats["embedded"] += len(missing)
    stats["reused"] += len(chunks) - len(missing)
    return len({(c.path, c.start_line, c.qualname) for c in chunks})
