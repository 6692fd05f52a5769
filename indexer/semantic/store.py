"""The vector store: a LanceDB database at `<index_dir>/vectors.lance`.

Two tables:
- `chunks`: one row per chunk (see chunks.py) with its vector, the text it
  was embedded from, the words for full-text search, and its content hash.
- `files`: the graph's sha256 of each file as it was embedded, so an update
  only reads files whose content changed since.

The model that made the vectors is written into the `chunks` schema
metadata; opening the store for writing with another model drops the tables
(vectors of two models never mix).

Every write is one LanceDB commit (a new table version). Old versions and
small fragments accumulate until `maintain()` compacts and prunes them; the
builder calls it after an update that changed enough, never per save.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from datetime import timedelta
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from indexer.semantic import SemanticUnavailable
from indexer.semantic.chunks import Chunk, words_of

log = logging.getLogger(__name__)

DIR_NAME = "vectors.lance"
CHUNKS = "chunks"
FILES = "files"
ANN_MIN_ROWS = 100_000  # below this a flat scan is fast enough and exact
MAINTAIN_AFTER_VERSIONS = 20  # commits between two compactions
KEEP_VERSIONS_FOR = timedelta(seconds=60)  # readers on an older snapshot get this long to finish
_IN_LIST = 400  # values per `IN (...)` filter


def _lancedb():
    os.environ.setdefault("LANCEDB_LOG", "error")  # Rust-side warnings would land on the user's stderr
    try:
        import lancedb
        import pyarrow
    except ImportError as exc:
        raise SemanticUnavailable(f"lancedb is not installed ({exc}); pip install 'codemeld[embed]'") from exc
    return lancedb, pyarrow


class VectorsNotBuilt(SemanticUnavailable):
    """No vectors yet (never built, or the first build has not committed):
    search answers from the graph's full text instead."""


def damaged(index_dir, exc: BaseException) -> SemanticUnavailable:
    """What a reader says about a store it cannot read: one line, no traceback."""
    return SemanticUnavailable(f"the semantic index in {index_dir} is damaged ({_short(exc)});"
                               " run `codemeld index` to rebuild it")


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def in_list(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(sql_str(v) for v in values)})"


def _batches(values: Sequence, size: int = _IN_LIST) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _short(exc: BaseException) -> str:
    text = str(exc).split("\n", 1)[0]
    return f"{type(exc).__name__}: {text[:160]}"


def _fatal(exc: BaseException) -> bool:
    """Interrupts pass; anything else (Rust panics included: pyo3's
    PanicException derives from BaseException) is damage to report."""
    return isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit))


class VectorStore:
    def __init__(self, index_dir: Path, model_id: str | None = None, readonly: bool = False):
        lancedb, pa = _lancedb()
        self._lancedb = lancedb
        self._pa = pa
        self.path = Path(index_dir) / DIR_NAME
        self.readonly = readonly
        self._model_id = model_id
        if readonly and not self.path.exists():
            raise VectorsNotBuilt(f"no semantic index in {index_dir} (run `codemeld index` with embeddings)")
        try:
            self._open()
        except SemanticUnavailable:
            raise
        except BaseException as exc:
            if _fatal(exc):
                raise
            if readonly:
                raise damaged(index_dir, exc) from None
            # A store that cannot be read is a cache that lost its contents:
            # start it again (the next update re-embeds), never fail every run.
            log.warning("vector store %s is damaged (%s): rebuilding it", self.path, _short(exc))
            self._wipe()
            self._open()

    def _open(self) -> None:
        if not self.readonly and self.path.exists() and not self.path.is_dir():
            raise NotADirectoryError(f"{self.path} is not a folder")
        # Readers re-check for newer commits at most this often, so a long-lived
        # SemanticIndex (the LSP server) sees what a build wrote.
        self.db = self._lancedb.connect(str(self.path), read_consistency_interval=timedelta(seconds=2))
        names = set(self.db.list_tables().tables)
        self.chunks = self.db.open_table(CHUNKS) if CHUNKS in names else None
        self.files = self.db.open_table(FILES) if FILES in names else None
        if self.readonly:
            if self.chunks is None or self.files is None:
                raise VectorsNotBuilt(f"semantic index in {self.path.parent} is empty (run `codemeld index`)")
            return
        self._verify()
        if self._model_id is not None and self.chunks is not None and self.model_id != self._model_id:
            log.info("vectors were made by %s, now %s: rebuilding the vector store", self.model_id, self._model_id)
            self.db.drop_table(CHUNKS)
            self.db.drop_table(FILES)
            self.chunks = self.files = None

    def _verify(self) -> None:
        """Read every data file once (a cheap column of each table): a
        truncated or missing file fails here, before an update relies on it."""
        if (self.chunks is None) != (self.files is None):
            raise ValueError("one of the two tables is missing")
        if self.chunks is not None:
            self.files.search().select(["path", "sha256"]).limit(None).to_arrow()
            self.chunks.search().select(["part"]).limit(None).to_arrow()

    def _wipe(self) -> None:
        if self.path.is_symlink() or self.path.is_file():
            self.path.unlink()
        elif self.path.exists():
            shutil.rmtree(self.path)

    def ensure_tables(self, dim_of) -> None:
        """Create the tables on first write; `dim_of()` may load the model,
        so it is only called when there is something to write."""
        if self.chunks is None or self.files is None:
            self._create(self._model_id or "unknown", int(dim_of()))

    # -- schema ------------------------------------------------------------

    def _create(self, model_id: str, dim: int) -> None:
        pa = self._pa
        schema = pa.schema([
            pa.field("chunk_id", pa.string()),
            pa.field("path", pa.string()),
            pa.field("qualname", pa.string()),
            pa.field("name", pa.string()),
            pa.field("kind", pa.string()),
            pa.field("start_line", pa.int32()),
            pa.field("end_line", pa.int32()),
            pa.field("part", pa.int32()),
            pa.field("is_test", pa.bool_()),
            pa.field("text_hash", pa.string()),
            pa.field("text", pa.string()),
            pa.field("words", pa.string()),
            pa.field("vector", pa.list_(pa.float32(), dim)),
        ], metadata={"codemeld.model": model_id, "codemeld.dim": str(dim)})
        self.chunks = self.db.create_table(CHUNKS, schema=schema, mode="overwrite")
        files = pa.schema([pa.field("path", pa.string()), pa.field("sha256", pa.string())])
        self.files = self.db.create_table(FILES, schema=files, mode="overwrite")

    @property
    def model_id(self) -> str | None:
        if self.chunks is None:
            return None
        meta = self.chunks.schema.metadata or {}
        value = meta.get(b"codemeld.model")
        return value.decode() if value else None

    @property
    def dim(self) -> int | None:
        if self.chunks is None:
            return None
        return self.chunks.schema.field("vector").type.list_size

    def count(self) -> int:
        return self.chunks.count_rows() if self.chunks is not None else 0

    def checkout_latest(self) -> None:
        """Readers: see commits made by another process since opening."""
        for table in (self.chunks, self.files):
            if table is not None:
                try:
                    table.checkout_latest()
                except Exception:  # an older handle or a table with no versions yet
                    pass

    # -- reading -------------------------------------------------------------

    def file_shas(self) -> dict[str, str]:
        if self.files is None:
            return {}
        table = self.files.search().select(["path", "sha256"]).limit(None).to_arrow()
        return dict(zip(table.column("path").to_pylist(), table.column("sha256").to_pylist()))

    def vectors_of_files(self, paths: Sequence[str]) -> dict[str, np.ndarray]:
        """text_hash -> vector for the rows of these files (reused when unchanged)."""
        out: dict[str, np.ndarray] = {}
        if self.chunks is None or not paths:
            return out
        for group in _batches(list(paths)):
            table = (self.chunks.search().where(in_list("path", group)).select(["text_hash", "vector"])
                     .limit(None).to_arrow())
            if table.num_rows == 0:
                continue
            vectors = table.column("vector").combine_chunks().flatten().to_numpy().reshape(table.num_rows, -1)
            for key, vec in zip(table.column("text_hash").to_pylist(), vectors):
                out[key] = vec
        return out

    def rows(self, where: str, columns: Sequence[str]) -> list[dict]:
        return self.chunks.search().where(where).select(list(columns)).limit(None).to_list()

    def vector_search(self, vector: np.ndarray, limit: int, where: str | None = None,
                      columns: Sequence[str] = ()) -> list[dict]:
        query = self.chunks.search(np.asarray(vector, dtype=np.float32), vector_column_name="vector")
        query = query.distance_type("cosine").limit(limit)
        if where:
            query = query.where(where, prefilter=True)
        if columns:
            query = query.select([*columns, "_distance"])
        return query.to_list()

    def text_search(self, text: str, limit: int, where: str | None = None,
                    columns: Sequence[str] = ()) -> list[dict]:
        if not text.strip():
            return []
        query = self.chunks.search(text, query_type="fts", fts_columns="words").limit(limit)
        if where:
            query = query.where(where, prefilter=True)
        if columns:
            query = query.select([*columns, "_score"])
        try:
            return query.to_list()
        except Exception as exc:  # no FTS index yet, or a query the parser rejects
            log.debug("full-text search failed: %s", exc)
            return []

    # -- writing -------------------------------------------------------------

    def replace_files(self, chunks: list[Chunk], vectors: np.ndarray, file_shas: dict[str, str]) -> None:
        """Make these files' rows exactly `chunks` (one commit), then record
        their shas. A crash between the two only means the files are looked
        at again next time, and their vectors reused by hash."""
        paths = list(file_shas)
        if not paths:
            return
        pa = self._pa
        dim = self.dim
        data = pa.table({
            "chunk_id": [c.chunk_id for c in chunks],
            "path": [c.path for c in chunks],
            "qualname": [c.qualname for c in chunks],
            "name": [c.name for c in chunks],
            "kind": [c.kind for c in chunks],
            "start_line": pa.array([c.start_line for c in chunks], pa.int32()),
            "end_line": pa.array([c.end_line for c in chunks], pa.int32()),
            "part": pa.array([c.part for c in chunks], pa.int32()),
            "is_test": [c.is_test for c in chunks],
            "text_hash": [c.text_hash for c in chunks],
            "text": [c.text for c in chunks],
            "words": [words_of(c.text) for c in chunks],
            "vector": pa.FixedSizeListArray.from_arrays(
                pa.array(np.asarray(vectors, dtype=np.float32).reshape(-1)), dim),
        }, schema=self.chunks.schema)
        if self.chunks.count_rows() == 0 or not self._has_rows_of(paths):
            if data.num_rows:
                self.chunks.add(data)
        else:
            # One commit: new and changed chunks in, vanished chunks of these files out.
            (self.chunks.merge_insert("chunk_id").when_matched_update_all().when_not_matched_insert_all()
             .when_not_matched_by_source_delete(in_list("path", paths)).execute(data))
        self._set_shas(file_shas)

    def _has_rows_of(self, paths: Sequence[str]) -> bool:
        return any(self.chunks.count_rows(in_list("path", group)) for group in _batches(list(paths)))

    def _set_shas(self, file_shas: dict[str, str]) -> None:
        pa = self._pa
        data = pa.table({"path": list(file_shas), "sha256": list(file_shas.values())}, schema=self.files.schema)
        if self.files.count_rows() == 0:
            self.files.add(data)
        else:
            self.files.merge_insert("path").when_matched_update_all().when_not_matched_insert_all().execute(data)

    def delete_files(self, paths: Sequence[str]) -> None:
        for group in _batches(list(paths)):
            self.chunks.delete(in_list("path", group))
            self.files.delete(in_list("path", group))

    # -- upkeep ----------------------------------------------------------------

    def versions(self) -> int:
        return len(self.chunks.list_versions()) + len(self.files.list_versions())

    def needs_maintenance(self) -> bool:
        if self.chunks is None:
            return False
        return self.versions() > MAINTAIN_AFTER_VERSIONS or not self._has_fts_index()

    def _has_fts_index(self) -> bool:
        return any(i.index_type == "FTS" for i in self.chunks.list_indices())

    def _has_vector_index(self) -> bool:
        return any(i.index_type not in ("FTS", "BTree", "Bitmap", "LabelList") for i in self.chunks.list_indices())

    def maintain(self, keep_for: timedelta = KEEP_VERSIONS_FOR) -> None:
        """Compact fragments, fold new rows into the indexes, prune versions
        older than `keep_for`; create the FTS index (and the ANN index once the
        table is large). Seconds on a big table: run it off any request path."""
        if self.chunks is None:
            return
        started = time.perf_counter()
        from lancedb.index import FTS

        if not self._has_fts_index() and self.chunks.count_rows():
            # Words are pre-split identifiers (chunks.words_of); stemming maps
            # "parses"/"parsing" onto "parse" in queries and code alike.
            self.chunks.create_index("words", config=FTS(stem=True, remove_stop_words=True), replace=True)
        rows = self.chunks.count_rows()
        if rows >= ANN_MIN_ROWS and not self._has_vector_index():
            # IVF-PQ: ~sqrt(n) partitions; 384/8 sub-vectors keep recall high for MiniLM.
            self.chunks.create_index(metric="cosine", vector_column_name="vector",
                                     num_partitions=max(16, int(rows ** 0.5)),
                                     num_sub_vectors=max(1, (self.dim or 384) // 8))
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lancedb warns about keep_for=0; callers choose it knowingly
            for table in (self.chunks, self.files):
                table.optimize(cleanup_older_than=keep_for, delete_unverified=keep_for == timedelta(0))
                if len(table.list_versions()) > 1:
                    # optimize() prunes before it commits the index update; a
                    # second (no-op compaction) pass prunes that version too.
                    table.optimize(cleanup_older_than=keep_for, delete_unverified=keep_for == timedelta(0))
        log.info("vector store maintained in %.2fs (%d rows)", time.perf_counter() - started, rows)

    def disk_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())
