"""A cold build's resolver workers write their references into shards of
their own, which the writer copies in (`store.RefShards`, issue 17). The
index must equal the one the in-process path writes row for row: names the
writer interned only after the workers forked (outside modules, builtins),
test flags that resolution finds, non-ASCII columns."""

from __future__ import annotations

from indexer.graph import store as store_module
from tests.support import build

_ROWS = {
    "symbols": "SELECT f.path, s.name, s.qualname, s.kind, s.sl, s.sc, s.el, s.ec, s.nsl, s.nsc, s.nel, s.nec,"
               " s.parent, s.is_test, s.is_member FROM symbols s JOIN files f ON f.id = s.file_id",
    "refs": "SELECT f.path, r.sl, r.sc, r.el, r.ec, r.name, r.kind, r.enclosing, r.target, r.confidence, r.how"
            " FROM refs r JOIN files f ON f.id = r.file_id",
    "names": "SELECT text FROM names",
    "dirty": "SELECT path, dirty FROM files",
}


def _files(count: int = 60) -> dict[str, str]:
    """More files than the parallel threshold, each with uses whose names
    only resolution makes: outside modules, builtins, a unittest class."""
    files = {}
    for i in range(count):
        nxt = (i + 1) % count
        files[f"m{i}.py"] = (
            f"import numpy as np\nimport unittest\nfrom m{nxt} import f{nxt}\n\n"
            f"def f{i}(x):\n    v = np.array_{i}(x)\n    return f{nxt}(len(v)) + sorted(x).count_{i % 7}\n\n"
            f"class Case{i}(unittest.TestCase):\n    def test_it(self):\n        self.assertEqual(f{i}(1), 'é{i}')\n"
        )
    files["ünï.py"] = "import m1\n\nvalue = 'ß'; m1.f1(value)  # é\n"
    return files


def _rows(graph) -> dict[str, list]:
    return {name: sorted(graph.conn.execute(sql).fetchall(), key=repr) for name, sql in _ROWS.items()}


def test_sharded_refs_equal_the_in_process_build(tmp_path, monkeypatch):
    merged = []
    original = store_module.RefShards.merge
    monkeypatch.setattr(store_module.RefShards, "merge",
                        lambda self, conn, path, files: merged.append(len(files)) or original(self, conn, path, files))
    files = _files()
    _serial_indexer, serial = build(tmp_path / "serial", files, jobs=1)
    parallel_indexer, parallel = build(tmp_path / "parallel", files, jobs=2)
    assert sum(merged) == len(files), "the parallel build went through the shards"
    expected, got = _rows(serial), _rows(parallel)
    for name in _ROWS:
        assert got[name] == expected[name], name
    assert ("m3.Case3.test_it", 1) in {(q, t) for _p, _n, q, _k, *_s, t, _m in got["symbols"]}
    assert any(r[8] == "numpy.array_3" for r in got["refs"])
    assert not list(parallel_indexer.index_dir.glob("refs-shard-*")), "shards are deleted after the build"


def test_a_killed_builds_shards_are_removed(tmp_path):
    """A shard left by a killed build (garbage, even) is deleted, never read."""
    index_dir = tmp_path / "index"
    index_dir.mkdir(parents=True)
    (index_dir / "refs-shard-0.sqlite3").write_bytes(b"not a database")
    (index_dir / "refs-shard-0.sqlite3-wal").write_bytes(b"\0" * 100)
    indexer, graph = build(tmp_path, _files(), jobs=2)
    # m1's import and call, m2's own test
    assert graph.conn.execute("SELECT count(*) FROM refs WHERE target = 'm2.f2'").fetchone()[0] == 3
    assert not list(indexer.index_dir.glob("refs-shard-*"))
