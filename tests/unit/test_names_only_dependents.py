"""A change that only adds or removes names re-resolves the importers that
use one of them, not every importer (issue 17: a new module-level name, and
closing the buffer again, re-resolved every importer of the module).

Data-driven: a tree, one edit applied as an unsaved buffer with deferred
dependents; expected: which files are resolved again (every importer is
marked dirty, in the edit's transaction; those that use none of the names
are then cleaned without resolving), and that afterwards the index is row
for row a cold build of the edited tree."""

from __future__ import annotations

import pytest

from indexer.graph.query import Graph
from indexer.pipeline.index import IndexOptions, Indexer
from tests.support import write_tree
from tests.unit.test_hostile_index import cold_rows, rows

BASE = {
    "m.py": "class Base:\n    def extra(self):\n        return 1\n\n\nclass C(Base):\n    pass\n\n\n"
            "def old(x):\n    return x\n",
    "calls_new.py": "import m\n\nm.newname()\n",  # unresolved until m defines it
    "star.py": "from m import *\n\nnewname()\nold(1)\n",  # a bare use under a star import
    "uses_old.py": "from m import old\n\nold(2)\n",  # names nothing m gains
    "attr_old.py": "import m\n\nm.old(3)\n",
    "sub.py": "from m import C\n\n\nclass D(C):\n    def go(self):\n        return self.extra()\n",
    "makes_c.py": "from m import C\n\nC()\n",
}
IMPORTERS = {"calls_new.py", "star.py", "uses_old.py", "attr_old.py", "sub.py", "makes_c.py"}

CASES = {
    # name: (new text of m.py, files left dirty)
    "new function": (BASE["m.py"] + "\n\ndef newname():\n    return 0\n", {"calls_new.py", "star.py"}),
    "new module variable": (BASE["m.py"] + "\nnewname = old\n", {"calls_new.py", "star.py"}),
    "new private name nobody uses": (BASE["m.py"] + "\n_probe = old\n", set()),
    # C gains a method its subclass calls (resolved through the base until now)
    "new method": (BASE["m.py"].replace("class C(Base):\n    pass", "class C(Base):\n    def extra(self):\n"
                                        "        return 2"), {"sub.py"}),
    "removed function": (BASE["m.py"].replace("def old(x):\n    return x\n", ""),
                         {"star.py", "uses_old.py", "attr_old.py"}),
    "removed inherited method": (BASE["m.py"].replace("    def extra(self):\n        return 1\n", "    pass\n"),
                                 {"sub.py"}),
    # not only additions or removals: every importer, as before
    "changed signature": (BASE["m.py"].replace("def old(x)", "def old(x, y=0)") + "\n_probe = 1\n", IMPORTERS),
    "module __getattr__": (BASE["m.py"] + "\n\ndef __getattr__(name):\n    return name\n",
                           IMPORTERS | {"calls_new.py"}),
    "new dunder method": (BASE["m.py"].replace("class C(Base):\n    pass", "class C(Base):\n    def __call__(self):"
                                                "\n        return 2"), IMPORTERS),
}


@pytest.mark.parametrize("case", CASES)
def test_only_importers_using_a_moved_name_reresolve(tmp_path, case):
    text, expected = CASES[case]
    root = tmp_path / "ws"
    write_tree(root, BASE)
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=1))
    try:
        indexer.run()
        graph = Graph(indexer.store, indexer.root)
        indexer.update_source("m.py", text.encode(), defer_dependents=True)
        paths = {file_id: path for file_id, path in indexer.store.dirty_files()}
        assert expected <= set(paths.values())  # every importer is marked (a crash then loses nothing)
        resolved = []
        write_refs = indexer.store.write_refs
        indexer.store.write_refs = lambda conn, file_id, *rest: (resolved.append(paths[file_id]),
                                                                  write_refs(conn, file_id, *rest))
        indexer.resolve_pending()
        assert set(resolved) == expected
        assert graph.pending() == 0
        (root / "m.py").write_text(text, encoding="utf-8")
        indexer.run()  # the saved file: same facts, only its mtime moves
    finally:
        indexer.close()
    incremental, cold = rows(tmp_path / "index"), cold_rows(root, tmp_path / "cold")
    for table in ("files", "symbols", "refs"):
        assert incremental[table] == cold[table], table
