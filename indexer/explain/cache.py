"""Model explanations persisted next to the graph, in their own small SQLite
file (`explain.sqlite3` in the index directory): the graph store is rebuilt
on schema changes and by crash recovery, and answers that cost seconds of
model time should survive that.

Keys. An answer is valid for one prompt over one pack from one model:
- `symbol_hash`: the symbol's `body_hash` in the index (its own text);
- `pack_hash`: the pack's fingerprint plus the prompt version, so a change to
  anything the model saw (a callee's signature, the set of callers, a test)
  makes a miss;
- `deps_hash`: a cheap digest of the direct dependencies (callee signatures,
  the set of callers), computable with a few SQL queries. Hover cannot afford
  to build a pack, so it looks up by (qualname, symbol_hash, deps_hash):
  an edit to the symbol or its direct neighbours hides a stale answer at
  once; farther changes (a test body) are caught by the next explain.

Only the newest answer per (symbol, model) is kept: older ones can never be
served again once the code moved on, and the file stays small.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from indexer.explain.pack import CALL_KINDS, symbol_hash  # noqa: F401  (re-exported: the other key part)
from indexer.graph.model import Symbol
from indexer.graph.query import Graph

log = logging.getLogger(__name__)

DB_NAME = "explain.sqlite3"
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS explanations(
    qualname TEXT NOT NULL,
    model TEXT NOT NULL,
    symbol_hash TEXT NOT NULL,
    deps_hash TEXT NOT NULL,
    pack_hash TEXT NOT NULL,
    markdown TEXT NOT NULL,
    short TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (qualname, model, symbol_hash, pack_hash)
);
CREATE INDEX IF NOT EXISTS explanations_hover ON explanations(qualname, symbol_hash, deps_hash);
"""


@dataclass(frozen=True, slots=True)
class CachedExplanation:
    qualname: str
    model: str
    markdown: str
    short: str
    created: float


def dependency_hash(graph: Graph, sym: Symbol) -> str:
    """Digest of the symbol's direct dependencies: the signatures of what it
    calls and the set of symbols that call it. Line numbers stay out, so code
    that merely moved does not count as a change."""
    marks = ",".join("?" * len(CALL_KINDS))
    callees = [t for (t,) in graph.conn.execute(
        f"SELECT DISTINCT target FROM refs WHERE enclosing = ? AND kind IN ({marks}) AND target IS NOT NULL",
        (sym.qualname, *CALL_KINDS))]
    signatures: list[tuple] = []
    if callees:
        qmarks = ",".join("?" * len(callees))
        signatures = sorted(graph.conn.execute(
            f"SELECT qualname, kind, signature FROM symbols WHERE qualname IN ({qmarks})", callees).fetchall())
    callers = sorted(c for (c,) in graph.conn.execute(
        f"SELECT DISTINCT enclosing FROM refs WHERE target = ? AND kind IN ({marks})",
        (sym.qualname, *CALL_KINDS)) if c)
    digest = hashlib.blake2b(digest_size=12)
    digest.update(repr((sym.signature, sym.docstring, signatures, callers)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class ExplainCache:
    """Thread-safe: each thread reads and writes through its own connection.
    Every failure (read-only index dir, locked or damaged file) degrades to a
    miss: the cache saves model time, it must never cost an answer."""

    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / DB_NAME
        self._local = threading.local()
        self.disabled = False

    def _conn(self) -> sqlite3.Connection | None:
        if self.disabled:
            return None
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=2.0)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                conn.execute("DROP TABLE IF EXISTS explanations")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            log.warning("explanation cache %s unavailable (%s); answers will not be cached", self.path, exc)
            self.disabled = True
            return None
        self._local.conn = conn
        return conn

    def get(self, qualname: str, model: str, symbol_hash: str, pack_hash: str) -> CachedExplanation | None:
        rows = self._query(
            "SELECT qualname, model, markdown, short, created FROM explanations"
            " WHERE qualname = ? AND model = ? AND symbol_hash = ? AND pack_hash = ?",
            (qualname, model, symbol_hash, pack_hash))
        return CachedExplanation(*rows[0]) if rows else None

    def get_for_hover(self, qualname: str, symbol_hash: str, deps_hash: str,
                      model: str | None = None) -> CachedExplanation | None:
        """The newest answer still valid for the symbol and its direct
        dependencies; `model`'s own answer first when given."""
        rows = self._query(
            "SELECT qualname, model, markdown, short, created FROM explanations"
            " WHERE qualname = ? AND symbol_hash = ? AND deps_hash = ?"
            " ORDER BY (model = ?) DESC, created DESC LIMIT 1",
            (qualname, symbol_hash, deps_hash, model or ""))
        return CachedExplanation(*rows[0]) if rows else None

    def put(self, qualname: str, model: str, symbol_hash: str, deps_hash: str, pack_hash: str,
            markdown: str, short: str) -> None:
        conn = self._conn()
        if conn is None:
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM explanations WHERE qualname = ? AND model = ?", (qualname, model))
            conn.execute("INSERT OR REPLACE INTO explanations VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (qualname, model, symbol_hash, deps_hash, pack_hash, markdown, short, time.time()))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            log.warning("could not cache the explanation of %s: %s", qualname, exc)
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def clear(self) -> None:
        conn = self._conn()
        if conn is not None:
            conn.execute("DELETE FROM explanations")

    def _query(self, sql: str, params: tuple) -> list[tuple]:
        conn = self._conn()
        if conn is None:
            return []
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            log.warning("explanation cache read failed (%s)", exc)
            return []


_CACHES: dict[Path, ExplainCache] = {}
_CACHES_LOCK = threading.Lock()


def cache_for(index_dir: Path) -> ExplainCache:
    """One cache object per index directory per process (hover calls it a lot)."""
    key = Path(index_dir).resolve()
    with _CACHES_LOCK:
        cache = _CACHES.get(key)
        if cache is None:
            cache = _CACHES[key] = ExplainCache(key)
        return cache
