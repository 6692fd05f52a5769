"""Are two indexes' facts identical? (issue 17: a speed change must not move a fact)

sha256 per table over every row, sorted: the raw tables with their ids
(files without the time it was indexed and the packed blobs, names,
symbol_rows, ref_rows with their rowids, imports, guard_facts) and the
views readers use (symbols, refs) without ids. The packed `facts` and
`summary` blobs are hashed unpacked, so a change of pickling format alone
does not count as a change of facts; the facts as `facts_from_rows` reads
them (any stored form), less the symbol fields they no longer store
(`base.UNSTORED`: the symbol rows hold those, and are hashed above).

Usage: python -m evals.facts_hash INDEX_DIR [INDEX_DIR ...]
(an index dir holds graph.sqlite3; with two or more, says which tables differ)
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from pathlib import Path

from indexer.graph.store import DB_NAME, unpack
from indexer.languages.base import _UNSTORED_DEFAULT, facts_from_rows

_QUERIES = {
    "files": "SELECT id, path, language, module, is_package, sha256, size, mtime_ns, lines, error, dirty FROM files",
    "names": "SELECT id, text FROM names",
    "symbol_rows": "SELECT * FROM symbol_rows",
    "ref_rows": "SELECT rowid, * FROM ref_rows",
    "imports": "SELECT file_id, module FROM imports",
    "symbols (view)": "SELECT path, name, qualname, kind, sl, sc, el, ec, nsl, nsc, nel, nec, signature, docstring,"
                      " parent, is_test, is_member, flags, decorators, params, body_hash, body_line"
                      " FROM symbols JOIN files ON files.id = symbols.file_id",
    "refs (view)": "SELECT path, sl, sc, el, ec, name, kind, enclosing, target, confidence, how"
                   " FROM refs JOIN files ON files.id = refs.file_id",
}


def _canonical(value):
    """Dicts as their sorted items (the files' facts and summary blobs)."""
    if isinstance(value, dict):
        return tuple(sorted((repr(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(v) for v in value)
    return value


def _digest(rows) -> tuple[str, int]:
    lines = sorted(repr(tuple(row)) for row in rows)
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode())
        h.update(b"\n")
    return h.hexdigest()[:16], len(lines)


def _fields(value):
    """A summary object as its fields (slots or __dict__), recursively."""
    if isinstance(value, (list, tuple)):
        return type(value)(_fields(v) for v in value)
    if isinstance(value, dict):
        return {k: _fields(v) for k, v in value.items()}
    slots = getattr(type(value), "__slots__", None)
    if slots:
        return (type(value).__name__, tuple(_fields(getattr(value, name, None)) for name in slots))
    if hasattr(value, "__dict__"):
        return (type(value).__name__, _fields(vars(value)))
    return value


def _stored_facts(data):
    """A facts blob as rows, whichever form it was stored in, the unstored fields at their defaults."""
    facts = facts_from_rows(unpack(data), fact_rows=True)
    if facts is None:
        return None
    facts.symbols = [tuple(_UNSTORED_DEFAULT.get(at, value) for at, value in enumerate(row)) for row in facts.symbols]
    return facts


def fingerprint(index_dir: Path) -> dict[str, tuple[str, int]]:
    conn = sqlite3.connect(f"file:{index_dir / DB_NAME}?mode=ro", uri=True)
    try:
        out = {table: _digest(conn.execute(sql)) for table, sql in _QUERIES.items()}
        out["guard_facts (unpacked)"] = _digest(
            # exactly, in their stored order (a deterministic function of the source)
            (file_id, repr(unpack(calls)), dynamic, repr(unpack(conditions)))
            for file_id, calls, dynamic, conditions in conn.execute("SELECT * FROM guard_facts"))
        for blob, read in (("facts", _stored_facts), ("summary", unpack)):
            out[f"files.{blob} (unpacked)"] = _digest(
                (path, repr(_canonical(_fields(read(data)))))
                for path, data in conn.execute(f"SELECT path, {blob} FROM files"))
    finally:
        conn.close()
    return out


def main() -> None:
    dirs = [Path(a) for a in sys.argv[1:]]
    if not dirs:
        sys.exit(__doc__)
    prints = [fingerprint(d) for d in dirs]
    same = True
    for table in prints[0]:
        values = [p[table] for p in prints]
        equal = all(v == values[0] for v in values)
        same &= equal
        print(f"{table:28} {'same ' if equal else 'DIFF '} " + "  ".join(f"{h} ({n} rows)" for h, n in values))
    if len(dirs) > 1:
        print("identical" if same else "DIFFERENT")
        sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
