"""An index is a deterministic function of the tree (shared indexes are
published and compared by hash): the same small tree, built cold in
subprocesses under different PYTHONHASHSEEDs, stores the same bytes in every
facts table, guard_facts included (its conditions once came out in the
order the query's matches finished, which varied from run to run)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.graph.store import DB_NAME, pack
from indexer.languages.python.guard_facts import conditions
from indexer.languages.python.syntax import _query_cursor, parser
from tests.support import write_tree

# Conditions of every shape guard_facts stores (if bodies, elif, early
# returns and raises, nested ifs and functions, methods), spread over
# several functions and files so that an unordered walk shows.
_GUARDED = '''
class Widget:
    def __init__(self, parent=None, name=None, hidden=False):
        if parent is not None:
            self.parent = parent
        if name:
            self.name = name
        elif hidden:
            self.name = "_"

    def show(self, force=False):
        if not self.visible:
            return
        if self.parent and force:
            self.parent.show(force=force)
        if isinstance(self.parent, Widget):
            self.parent.redraw(full=True)

    def redraw(self, full=False):
        if full:
            for child in self.children:
                if child.visible:
                    child.redraw(full=full)
        if self.dirty is None:
            raise ValueError("no state")
        self.paint(area=self.area)


def make(cls, verbose=False, extra=None):
    if extra is None:
        return cls(verbose=verbose)
    def inner(flag=None):
        if flag:
            return cls(flag=flag)
        if verbose == "loud":
            print("x", end="")
        return None
    if verbose:
        return inner(flag=extra)
    return cls(extra=extra)
'''

TREE = {f"pkg/mod{i}.py": _GUARDED.replace("Widget", f"Widget{i}") for i in range(4)}
TREE["pkg/__init__.py"] = "from pkg.mod0 import Widget0, make\n"


@pytest.mark.parametrize("order", ["as captured", "reversed", "by end", "deepest first"])
def test_conditions_do_not_follow_the_order_of_the_captures(order):
    """The query hands the `if`s over in the order its matches finish, which
    varied from run to run: any order stores the same bytes."""
    source = TREE["pkg/mod0.py"].encode()
    ifs = _query_cursor().captures(parser().parse(source).root_node)["guard.if"]
    shuffled = {"as captured": list(ifs), "reversed": ifs[::-1],
                "by end": sorted(ifs, key=lambda n: -n.end_byte),
                "deepest first": sorted(ifs, key=lambda n: (-n.start_point[1], -n.start_byte))}[order]
    expected = conditions(sorted(ifs, key=lambda n: n.start_byte), source)
    assert len(expected) == 5 and sum(map(len, expected.values())) >= 10
    got = conditions(shuffled, source)
    assert list(got) == sorted(got)
    assert pack(got) == pack(expected)


_BUILD = ("import sys; from pathlib import Path; from indexer.pipeline.index import IndexOptions, Indexer; "
          "ix = Indexer(Path(sys.argv[1]), Path(sys.argv[2]), IndexOptions(jobs=1)); ix.run(); ix.close()")


def _build(root: Path, index_dir: Path, seed: int) -> None:
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-c", _BUILD, str(root), str(index_dir)], check=True, env=env,
                   cwd=Path(__file__).resolve().parents[2], timeout=120)


def _tables(index_dir: Path) -> dict[str, list[tuple]]:
    """Every table's rows as stored, blobs byte for byte (but the build's
    own clock: `meta`, a file's `indexed_at`)."""
    conn = sqlite3.connect(f"file:{index_dir / DB_NAME}?mode=ro", uri=True)
    try:
        out = {}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                     " AND name NOT LIKE 'sqlite_%' AND name != 'meta' ORDER BY name"):
            columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})") if c[1] != "indexed_at"]
            try:
                rows = conn.execute(f"SELECT rowid, {', '.join(columns)} FROM {table} ORDER BY rowid")
            except sqlite3.OperationalError:  # WITHOUT ROWID: its key orders it
                rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table}")
            out[table] = list(rows)
        return out
    finally:
        conn.close()


def test_cold_builds_under_different_hash_seeds_store_the_same_bytes(tmp_path):
    """(A tree this small takes the serial writer, whose new names once got
    their ids in a set's order; a cold build of 48 files or more interns
    them sorted, in bulk.)"""
    root = tmp_path / "ws"
    write_tree(root, TREE)
    builds = []
    for seed in (1, 2, 3):
        index_dir = tmp_path / f"index{seed}"
        _build(root, index_dir, seed)
        builds.append(index_dir)
    tables = [_tables(d) for d in builds]
    guards = tables[0]["guard_facts"]
    assert len(guards) == len(TREE) - 1 and all(blob for *_, blob in guards)
    assert len(tables[0]["ref_rows"]) > 100
    for other in tables[1:]:
        assert other.keys() == tables[0].keys()
        for table in tables[0]:
            assert other[table] == tables[0][table], table


# Nodes of one capture that start at one byte: nested subscripts and calls
# (`rows[i][j]`, `f(x)[0]`, `g(a)(b)[k]`), a membership under a subscript.
_NESTED = '''
class Table:
    def __getitem__(self, key):
        return self.rows[key][0]

    def __contains__(self, key):
        return key in self.rows[key][1:]


def cell(table: Table, i, j):
    row = table[i][j]
    first = make(i)[0][1]
    other = make(i)(j)[row][i]
    table[i][j] = table[j][i]
    del table[i][j]
    return first in table[i][j], other


def make(i):
    return Table()
'''


class _ReorderedCursor:
    """A query cursor whose captures come in another order, as the query's
    matches may finish in (it varied from run to run)."""

    def __init__(self, cursor, order):
        self.cursor, self.order = cursor, order

    def captures(self, root):
        return {name: self.order(list(nodes)) for name, nodes in self.cursor.captures(root).items()}


@pytest.mark.parametrize("order", ["reversed", "by end", "outer first"])
def test_extracted_facts_do_not_follow_the_order_of_the_captures(monkeypatch, order):
    from indexer.languages.base import facts_rows
    import importlib

    extract_module = importlib.import_module("indexer.languages.python.extract")  # (the package exports its function)

    source = _NESTED.encode()
    expected = extract_module.extract(source, "pkg/nested.py", "pkg.nested", False)
    implicit = [r for r in expected.refs if r.kind == "implicit"]
    assert len(implicit) >= 12
    reorder = {"reversed": lambda nodes: nodes[::-1],
               "by end": lambda nodes: sorted(nodes, key=lambda n: -n.end_byte),
               "outer first": lambda nodes: sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))}[order]
    plain = extract_module._query_cursor
    monkeypatch.setattr(extract_module, "_query_cursor", lambda: _ReorderedCursor(plain(), reorder))
    got = extract_module.extract(source, "pkg/nested.py", "pkg.nested", False)
    got.extra.guards = expected.extra.guards = None  # (their own test above)
    assert pack(facts_rows(got)) == pack(facts_rows(expected))
