"""The lookup indexes: an index whose definition changed since the database
was built is built again on open (no schema bump, no re-index), and the
query that finds a changed summary's dependents stays on the partial index
of weak references (a WHERE clause that differs from the index's by a word
scans every reference instead)."""

from __future__ import annotations

from indexer.graph.store import Store
from tests.support import build

FILES = {
    "pkg/__init__.py": "from .core import compute\n",
    "pkg/core.py": "def compute(x):\n    return x * 2\n",
    "app.py": "import requests\nfrom pkg import compute\n\nprint(compute(3), requests.get, thing.compute)\n",
}


def _index_sql(store: Store, name: str) -> str:
    return store.conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]


def test_a_changed_index_definition_is_rebuilt_on_open(tmp_path):
    indexer, _graph = build(tmp_path, FILES)
    current = _index_sql(indexer.store, "refs_weak_name")
    conn = indexer.store.conn
    conn.execute("DROP INDEX refs_weak_name")
    conn.execute("CREATE INDEX refs_weak_name ON ref_rows(name) WHERE how IN (1,2,3,4,5,6,7)")  # schema 17's
    indexer.close()
    store = Store(tmp_path / "index")
    assert _index_sql(store, "refs_weak_name") == current
    assert "BETWEEN" in current


def test_dependents_are_found_through_the_partial_index(tmp_path):
    indexer, _graph = build(tmp_path, FILES)
    store = indexer.store
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    found = store.files_referencing(names=["compute"], weak_hows=("name-match", "unresolved", "external"))
    store.conn.set_trace_callback(None)
    app = store.conn.execute("SELECT id FROM files WHERE path = 'app.py'").fetchone()[0]
    assert found == {app}  # thing.compute, matched by name only
    (query,) = [s for s in statements if "FROM ref_rows" in s]
    plan = " ".join(row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + query))
    assert "USING INDEX refs_weak_name" in plan, plan
