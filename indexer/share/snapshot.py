"""Snapshots of the index keyed by commit: `<URI>/<commit>/`

    graph.sqlite3.zst  the graph, a consistent SQLite backup, zstd-compressed
    vectors.lance/     the embedding tables, written by LanceDB's own
                       object-store support (absent when there are none)
    manifest.json      schema version, commit, tool version, embedding model,
                       the graph's size and sha256 -- WRITTEN LAST

A snapshot exists only once its manifest does: an interrupted upload leaves
objects without one, which `pull` skips. Re-publishing a commit deletes the
manifest first. `pull` takes the nearest ancestor of HEAD with a manifest,
checks it (schema version, size and sha256 of the graph) and installs it;
the caller then runs a normal incremental index, which re-reads only what
differs from the working tree (paths in the graph are root-relative, and
files are compared by size, then sha256).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from indexer.share import ShareError, git
from indexer.share.objstore import Location, lance_uri, open_location
from indexer.graph.store import SCHEMA_VERSION, Store, StoreError, database_schema, install_database

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
GRAPH = "graph.sqlite3.zst"
VECTORS = "vectors.lance"
_CHUNK = 1 << 20

Step = Callable[[str, int], None]  # (what was uploaded, bytes or rows)


@dataclass(frozen=True, slots=True)
class Manifest:
    schema_version: int
    commit: str
    tool_version: str
    embedding_model: str | None
    graph_sha256: str
    graph_bytes: int
    vectors: bool
    created: float
    format: int = FORMAT

    def to_json(self) -> dict:
        return {"format": self.format, "schemaVersion": self.schema_version, "commit": self.commit,
                "toolVersion": self.tool_version, "embeddingModel": self.embedding_model,
                "graph": {"key": GRAPH, "sha256": self.graph_sha256, "bytes": self.graph_bytes},
                "vectors": {"key": VECTORS} if self.vectors else None, "created": self.created}

    @staticmethod
    def from_json(data: bytes, where: str) -> "Manifest":
        try:
            raw = json.loads(data)
            return Manifest(schema_version=int(raw["schemaVersion"]), commit=str(raw["commit"]),
                            tool_version=str(raw.get("toolVersion", "")), embedding_model=raw.get("embeddingModel"),
                            graph_sha256=str(raw["graph"]["sha256"]), graph_bytes=int(raw["graph"]["bytes"]),
                            vectors=bool(raw.get("vectors")), created=float(raw.get("created", 0)),
                            format=int(raw.get("format", FORMAT)))
        except (ValueError, KeyError, TypeError) as exc:
            raise ShareError(f"the manifest at {where} is unreadable ({exc}); not using that snapshot") from exc


@dataclass(frozen=True, slots=True)
class Published:
    uri: str
    commit: str
    graph_bytes: int
    vector_tables: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Pulled:
    uri: str
    commit: str
    behind: int  # commits between HEAD and the snapshot's commit
    vectors: bool  # the embedding tables came too
    seconds: float
    notes: list[str] = field(default_factory=list)  # skipped snapshots, model mismatch


def _tool_version() -> str:
    try:
        from importlib.metadata import version

        return version("codemeld")
    except Exception:
        return "0"


# -- publish --------------------------------------------------------------------

def publish(root: Path, index_dir: Path, uri: str, embedding_model: str | None = None,
            on_step: Step | None = None) -> Published:
    """Upload the index of `root` (already built) as the snapshot of HEAD.
    `embedding_model` defaults to the model the vector store records."""
    started = time.perf_counter()
    commit = git.head(root)
    if git.is_dirty(root):
        log.warning("the working tree has uncommitted changes: the snapshot of %s holds them;"
                    " a pull re-indexes whatever differs", commit[:12])
    try:
        store = Store(index_dir, readonly=True)
    except StoreError as exc:
        raise ShareError(f"nothing to publish: {exc}") from exc
    if store.pending_files():
        store.close()
        raise ShareError("the index is incomplete (files still to resolve): run `codemeld index` before publishing")
    location = open_location(uri, create=True)
    step = on_step or (lambda _what, _n: None)
    # Re-publishing this commit: the old manifest goes first, so no reader
    # ever pairs it with half-replaced objects.
    location.delete(f"{commit}/{MANIFEST}")
    with tempfile.TemporaryDirectory(prefix="codemeld-publish-") as tmp:
        raw, packed = Path(tmp) / "graph.sqlite3", Path(tmp) / GRAPH
        store.backup_to(raw)
        store.close()
        digest = _compress(raw, packed)
        size = packed.stat().st_size
        location.put_file(f"{commit}/{GRAPH}", packed)
        step("graph", size)
    tables = 0
    vectors_dir = Path(index_dir) / VECTORS
    if vectors_dir.is_dir():
        dest, options = lance_uri(location, f"{commit}/{VECTORS}")
        tables = _copy_tables(str(vectors_dir), {}, dest, options)
        step("vectors", tables)
    if tables and embedding_model is None:
        embedding_model = _vector_model(Path(index_dir))
    manifest = Manifest(SCHEMA_VERSION, commit, _tool_version(), embedding_model if tables else None,
                        digest, size, bool(tables), time.time())
    location.put_bytes(f"{commit}/{MANIFEST}", json.dumps(manifest.to_json(), indent=1).encode())
    step("manifest", 0)
    return Published(uri, commit, size, tables, time.perf_counter() - started)


def _zstd():
    try:
        import zstandard
    except ImportError as exc:
        raise ShareError("the shared index needs zstandard: pip install 'codemeld[share]'") from exc
    return zstandard


def _compress(src: Path, dest: Path) -> str:
    """zstd-compress `src` into `dest`; the sha256 of what was written."""
    digest = hashlib.sha256()
    compressor = _zstd().ZstdCompressor(level=3, threads=-1)
    with open(src, "rb") as inp, open(dest, "wb") as raw_out:
        with compressor.stream_writer(_Hashing(raw_out, digest), closefd=False) as out:
            shutil.copyfileobj(inp, out, _CHUNK)
    return digest.hexdigest()


class _Hashing:
    """A write-only file that hashes what passes through."""

    def __init__(self, handle, digest):
        self.handle, self.digest = handle, digest

    def write(self, data) -> int:
        self.digest.update(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()


def _vector_model(index_dir: Path) -> str | None:
    """The model the local vectors were made with (the vector store's own record)."""
    try:
        from indexer.semantic.store import VectorStore

        return VectorStore(index_dir, readonly=True).model_id
    except Exception:  # no usable vector store: the manifest says "unknown model"
        return None


def _table_names(db) -> list[str]:
    """Every table of a LanceDB connection (list_tables pages; older
    releases only have table_names)."""
    if not hasattr(db, "list_tables"):
        return list(db.table_names())
    names, token = [], None
    while True:
        page = db.list_tables(page_token=token) if token else db.list_tables()
        names.extend(page.tables)
        token = page.page_token
        if not token:
            return names


def _copy_tables(src: str, src_options: dict, dest: str, dest_options: dict) -> int:
    """Every LanceDB table under `src` into `dest` (either may be remote)."""
    try:
        import lancedb
    except ImportError as exc:
        raise ShareError("copying the embedding tables needs lancedb (pip install 'codemeld[embed]')") from exc
    try:
        source = lancedb.connect(src, storage_options=src_options or None)
        target = lancedb.connect(dest, storage_options=dest_options or None)
        names = _table_names(source)
        for name in names:
            table = source.open_table(name)
            target.create_table(name, data=table.to_arrow(), mode="overwrite")
        return len(names)
    except ShareError:
        raise
    except Exception as exc:
        raise ShareError(f"copying the embedding tables {src} -> {dest} failed: {' '.join(str(exc).split())[:300]}") from exc


# -- pull -----------------------------------------------------------------------

def find_snapshot(root: Path, location: Location) -> tuple[Manifest, int, list[str]]:
    """The manifest of the nearest ancestor of HEAD that has a complete
    snapshot, how many commits back it is, and notes on what was skipped."""
    commits = git.ancestors(root)
    present = location.folders()
    notes: list[str] = []
    for behind, commit in enumerate(commits):
        if commit not in present:
            continue
        data = location.get_bytes(f"{commit}/{MANIFEST}")
        if data is None:
            notes.append(f"{commit[:12]}: an incomplete upload (no manifest), skipped")
            continue
        return Manifest.from_json(data, location.child_uri(f"{commit}/{MANIFEST}")), behind, notes
    raise ShareError(f"no snapshot in {location.uri} for this history (looked at {len(commits)} commits"
                     f" back from {commits[0][:12] if commits else 'HEAD'})")


def pull(root: Path, index_dir: Path, uri: str, embedding_model: str | None = None,
         install: Callable[[Path], None] | None = None) -> Pulled:
    """Install the nearest ancestor's snapshot as the index of `root`. On
    any problem raises ShareError and leaves the existing index untouched.
    `install(downloaded_db)` puts the graph in place (default: replace the
    file; a running server copies it into its open store instead)."""
    started = time.perf_counter()
    location = open_location(uri)
    manifest, behind, notes = find_snapshot(root, location)
    where = location.child_uri(manifest.commit)
    if manifest.format != FORMAT:
        raise ShareError(f"snapshot {where} has format {manifest.format}, this codemeld reads {FORMAT}")
    if manifest.schema_version != SCHEMA_VERSION:
        raise ShareError(f"snapshot {where} holds graph schema {manifest.schema_version} (codemeld"
                         f" {manifest.tool_version}); this codemeld reads schema {SCHEMA_VERSION}")
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".pull-", dir=index_dir) as tmp:
        raw = Path(tmp) / "graph.sqlite3"
        # One pass: download, hash and decompress as the bytes arrive; the
        # checks come before anything replaces the local index.
        digest = hashlib.sha256()
        try:
            with open(raw, "wb") as out:
                with _zstd().ZstdDecompressor().stream_writer(out, closefd=False) as inflate:
                    size = location.stream(f"{manifest.commit}/{GRAPH}", lambda chunk: (digest.update(chunk),
                                                                                          inflate.write(chunk)))
        except ShareError:
            raise
        except Exception as exc:  # zstd: truncated or not a frame
            raise ShareError(f"snapshot {where}: the graph does not decompress ({exc}): a corrupt or partial"
                             " upload") from exc
        if size is None:
            raise ShareError(f"snapshot {where} lists a graph that is not there (a corrupt or partial upload)")
        if size != manifest.graph_bytes or digest.hexdigest() != manifest.graph_sha256:
            raise ShareError(f"snapshot {where}: the graph is {size} bytes with another checksum than the"
                             f" manifest's {manifest.graph_bytes} (a corrupt or partial upload)")
        try:
            schema = database_schema(raw)
        except Exception as exc:
            raise ShareError(f"snapshot {where}: the graph does not open ({exc})") from exc
        if schema != SCHEMA_VERSION:
            raise ShareError(f"snapshot {where}: the graph has schema {schema}, the manifest says"
                             f" {manifest.schema_version}")
        vectors = False
        staged = Path(tmp) / VECTORS
        if manifest.vectors and embedding_model is not None:
            if manifest.embedding_model != embedding_model:
                notes.append(f"embeddings were made by {manifest.embedding_model}, this editor uses"
                             f" {embedding_model}: they are rebuilt locally")
            else:
                src, options = lance_uri(location, f"{manifest.commit}/{VECTORS}")
                _copy_tables(src, options, str(staged), {})
                vectors = True
        if install is None:
            install_database(index_dir, raw)
        else:
            install(raw)
        if vectors:
            shutil.rmtree(index_dir / VECTORS, ignore_errors=True)
            staged.replace(index_dir / VECTORS)
    return Pulled(uri, manifest.commit, behind, vectors, time.perf_counter() - started, notes)

