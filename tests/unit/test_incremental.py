"""Incremental updates by content: only what changed is redone, and references
into a changed file are re-resolved."""

from __future__ import annotations

import os
import time

from indexer.pipeline.index import IndexOptions, Indexer
from indexer.graph.query import Graph
from tests.support import build

FILES = {
    "pkg/__init__.py": "from .core import compute\n",
    "pkg/core.py": "def compute(x):\n    return x * 2\n\n\ndef other():\n    return compute(1)\n",
    "app.py": "from pkg import compute\n\nprint(compute(3))\n",
    "unrelated.py": "def alone():\n    return 0\n",
}


def targets(graph: Graph, qualname: str) -> list[tuple[str, int]]:
    return [(r.path, r.range.start.line) for r in graph.references(qualname)]


def bump_mtime(path):
    later = time.time() + 5
    os.utime(path, (later, later))


def test_unchanged_tree_does_no_work(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    again = indexer.run()
    assert (again.parsed, again.unchanged, again.refs_resolved) == (0, len(FILES), 0)
    # Touched but identical content: hashed, not re-parsed.
    bump_mtime(indexer.root / "app.py")
    touched = indexer.run()
    assert touched.parsed == 0 and touched.refs_resolved == 0


def test_unchanged_tree_works_out_no_source_roots(tmp_path, monkeypatch):
    """Issue 17, warm start: source roots name the modules of files to
    extract, so a run that extracts none does not work them out; the next
    file that changes still gets its module from this run's files."""
    from indexer import languages

    indexer, graph = build(tmp_path, FILES)
    plugin = languages.support("python")
    calls = []
    real = plugin.source_roots
    monkeypatch.setattr(plugin, "source_roots", lambda paths: calls.append(len(paths)) or real(paths))
    again = Indexer(indexer.root, indexer.index_dir, IndexOptions(jobs=1))
    assert again.run().parsed == 0 and calls == []
    (indexer.root / "pkg/extra.py").write_text("from pkg.core import compute\n\nvalue = compute(2)\n")
    assert again.run().parsed == 1 and calls == [len(FILES) + 1]
    assert ("pkg/extra.py", 2) in targets(Graph(again.store, indexer.root), "pkg.core.compute")
    again.close()


def test_body_edit_reparses_only_that_file(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    before = targets(graph, "pkg.core.compute")
    core = indexer.root / "pkg/core.py"
    # (the returned expression stays: `x + x` for `x * 2` would change what
    # compute is inferred to return, which its importers read)
    core.write_text("def compute(x):\n    # doubled\n    return x * 2\n\n\ndef other():\n    return compute(1)\n")
    bump_mtime(core)
    run = indexer.run()
    assert run.parsed == 1
    # The function kept its name and signature: no other file needed re-resolving.
    core_refs = graph.conn.execute(
        "SELECT count(*) FROM refs r JOIN files f ON f.id=r.file_id WHERE f.path='pkg/core.py'").fetchone()[0]
    assert run.refs_resolved == core_refs
    assert targets(graph, "pkg.core.compute") == [(p, line + (1 if p == "pkg/core.py" else 0)) for p, line in before]


def test_removed_definition_reresolves_users(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    assert ("app.py", 2) in targets(graph, "pkg.core.compute")
    core = indexer.root / "pkg/core.py"
    core.write_text("def calculate(x):\n    return x * 2\n")
    bump_mtime(core)
    indexer.run()
    assert targets(graph, "pkg.core.compute") == []
    refs = graph.reference_at("app.py", 2, 6)
    assert refs and all(r.target != "pkg.core.compute" for r in refs)
    # Putting it back restores the cross-file references.
    core.write_text("def compute(x):\n    return x * 2\n")
    bump_mtime(core)
    indexer.run()
    assert ("app.py", 2) in targets(graph, "pkg.core.compute")


def test_new_file_resolves_previously_unresolved_names(tmp_path):
    files = dict(FILES)
    files["client.py"] = "from extra import later\n\nlater()\n"
    indexer, graph = build(tmp_path, files)
    assert graph.reference_at("client.py", 2, 0)[0].target == "extra.later"  # outside the workspace yet
    (indexer.root / "extra.py").write_text("def later():\n    pass\n")
    run = indexer.update_paths(["extra.py"])
    assert run.parsed == 1
    assert [(r.path, r.range.start.line) for r in graph.references("extra.later")] == [
        ("client.py", 0), ("client.py", 2)]


def test_deleted_file_is_dropped(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    (indexer.root / "unrelated.py").unlink()
    run = indexer.run()
    assert run.removed == 1
    assert graph.symbol("unrelated.alone") is None
    assert not graph.conn.execute("SELECT 1 FROM files WHERE path='unrelated.py'").fetchone()


def test_unsaved_buffer_overlays_the_disk(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    indexer.update_source("app.py", b"from pkg import compute\n\nprint(compute(3))\nprint(compute(4))\n")
    assert ("app.py", 3) in targets(graph, "pkg.core.compute")
    # The disk still has the old text: a later scan re-reads it (mtime -1 marks the overlay).
    indexer.run()
    assert ("app.py", 3) not in targets(graph, "pkg.core.compute")


def test_schema_mismatch_rebuilds(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    indexer.store.conn.execute("PRAGMA user_version = 1")
    indexer.close()
    reopened = Indexer(indexer.root, tmp_path / "index", IndexOptions(jobs=1))
    run = reopened.run()
    assert run.parsed == len(FILES)
    assert Graph(reopened.store, reopened.root).references("pkg.core.compute")


def test_parallel_and_serial_builds_agree(tmp_path):
    files = {f"m{i}.py": f"from m{(i + 1) % 60} import f{(i + 1) % 60}\n\ndef f{i}():\n    return f{(i + 1) % 60}()\n"
             for i in range(60)}
    serial_indexer, serial = build(tmp_path / "serial", files, jobs=1)
    parallel_indexer, parallel = build(tmp_path / "parallel", files, jobs=2)
    query = "SELECT f.path, r.sl, r.sc, r.target, r.how FROM refs r JOIN files f ON f.id=r.file_id ORDER BY 1,2,3,4"
    assert serial.conn.execute(query).fetchall() == parallel.conn.execute(query).fetchall()
    assert len(serial.references("m3.f3")) == 2


def test_deferred_dependents_resolve_to_the_same_index(tmp_path):
    """A buffer edit with `defer_dependents`: the edited file's own references
    are resolved at once, its importers stay dirty until `resolve_pending`,
    and then the index equals the one an immediate update gives."""
    edit = b"def calculate(x):\n    return x * 2\n\n\nprobe = calculate\n"
    query = "SELECT f.path, r.sl, r.sc, r.target, r.how FROM refs r JOIN files f ON f.id=r.file_id ORDER BY 1,2,3,4"
    now_indexer, now = build(tmp_path / "now", FILES)
    now_indexer.update_source("pkg/core.py", edit)
    later_indexer, later = build(tmp_path / "later", FILES)
    later_indexer.update_source("pkg/core.py", edit, defer_dependents=True)
    assert ("pkg/core.py", 4) in targets(later, "pkg.core.calculate")  # the new use answers now
    assert later.pending() >= 1  # app.py and pkg/__init__.py still name pkg.core.compute
    assert ("app.py", 2) in targets(later, "pkg.core.compute")
    assert later_indexer.resolve_pending(batch=1) > 0
    assert later.pending() == 0
    assert later.conn.execute(query).fetchall() == now.conn.execute(query).fetchall()


def test_resolve_pending_stops_between_batches(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    indexer.update_source("pkg/core.py", b"def calculate(x):\n    return x\n", defer_dependents=True)
    left = graph.pending()
    assert left >= 2
    indexer.resolve_pending(cancel=lambda: True, batch=1)
    assert graph.pending() == left - 1
    indexer.resolve_pending()
    assert graph.pending() == 0
