"""`RefColumns` (issue 17): a file's references as the columns a cold
build's workers send; stored through `write_refs`, they give exactly the
rows that the same references as plain tuples give (NULL end columns where
the name or the first line determines them, 0 for a missing enclosing or
target), after a pickle round trip as from a worker."""

from __future__ import annotations

import pickle

import pytest

from indexer.graph.store import RefColumns, Store, pack

# (span, name, kind, enclosing, target, confidence, how)
ROWS = [
    ((1, 4, 1, 7), "foo", "call", "m.f", "m.foo", 1.0, "local"),  # ends with its name: el, ec NULL
    ((2, 0, 2, 9), "bar", "name", None, None, 0.5, "unresolved"),  # ends past its name: ec kept
    ((3, 2, 5, 1), "baz", "attribute", "m.C.g", "m.baz", 0.8, "name-match"),  # multi-line: el, ec kept
    ((6, 8, 6, 11), "foo", "call", "m.f", "os.path.join", 0.9, "external"),
]
SELECT = "SELECT rowid, * FROM ref_rows ORDER BY rowid"
VIEW = "SELECT sl, sc, el, ec, name, kind, enclosing, target, confidence, how FROM refs ORDER BY rowid"


def _stored(tmp_path, rows) -> tuple[list, list]:
    store = Store(tmp_path)
    parsed = type("Parsed", (), dict(path="m.py", module="m", is_package=False, sha="x", size=1, mtime_ns=1,
                                     lines=7, error=None, facts_blob=pack({}), summary_blob=None,
                                     symbol_rows=[], import_modules=set()))
    with store.transaction() as conn:
        file_id = store.write_file(conn, parsed, "python")
    with store.transaction() as conn:
        store.write_refs(conn, file_id, rows, set())
    out = store.conn.execute(SELECT).fetchall(), store.conn.execute(VIEW).fetchall()
    store.close()
    return out


@pytest.mark.parametrize("rows", [ROWS, ROWS[1:2], []], ids=["mixed", "one", "none"])
def test_columns_store_what_rows_store(tmp_path, rows):
    columns = pickle.loads(pickle.dumps(RefColumns.of(rows)))
    assert len(columns) == len(rows)
    as_rows = _stored(tmp_path / "rows", rows)
    assert _stored(tmp_path / "columns", columns) == as_rows
    if rows == ROWS:
        raw, view = as_rows
        assert [r[4:6] for r in raw] == [(None, None), (None, 9), (5, 1), (None, None)]
        assert [r[2:4] for r in view] == [(1, 7), (2, 9), (5, 1), (6, 11)]
        assert view[1][6:8] == (None, None)
