"""First answers before the whole index (indexer/pipeline/first_answers.py): on a cold
run the open documents, their imports and their importers are indexed first
and answer while the rest is still parsing; the finished index equals a
plain cold build."""

from __future__ import annotations

import pytest

from indexer.pipeline.index import IndexOptions, Indexer
from indexer.graph.query import Graph
from tests.support import write_tree

FILLER = 70  # above the parallel threshold, so phase 1 runs in the worker pool when jobs > 1

FILES = {
    "pkg/__init__.py": "from .core import helper, Engine\n",
    "pkg/core.py": "import os\n\n\ndef helper(x):\n    return os.path.join(x)\n\n\n"
                   "class Engine:\n    def start(self):\n        return helper('a')\n\n\n"
                   "from pkg.util import twice\n\ntwice(1)\n",
    "pkg/util.py": "def twice(x):\n    return 2 * x\n",
    "pkg/relative.py": "from . import core\n\n\ndef go():\n    return core.helper(1)\n",
    "app/direct.py": "from pkg.core import helper\n\nhelper(2)\n",
    "app/parens.py": "from pkg import (\n    core,\n)\n\ncore.helper(3)\n",
    "app/engine.py": "import pkg.core\n\n\nclass Fast(pkg.core.Engine):\n    def start(self):\n"
                     "        return super().start()\n",
    "app/reexport.py": "from pkg import helper\n\nhelper(4)\n",
    **{f"filler/mod{n}.py": f"def f{n}(a):\n    return a + {n}\n\n\nclass C{n}:\n    def m(self):\n"
                            f"        return f{n}(self)\n" for n in range(FILLER)},
}


class Request:
    """A FirstRequest whose document opens after `delay` calls of wanted()."""

    def __init__(self, indexer: Indexer, paths: list[str], delay: int = 0):
        self.paths, self.delay = paths, delay
        self.graph = Graph(indexer.store, indexer.root)
        self.seen: list[tuple[list[str], int, list, int]] = []

    def wanted(self):
        self.delay -= 1
        return self.paths if self.delay < 0 else []

    def answered(self, paths, files):
        # What a reader sees at this moment, mid-run.
        refs = sorted((r.path, r.range.start.line) for r in self.graph.references("pkg.core.helper"))
        imported = self.graph.symbol("pkg.util.twice") is not None  # definition can answer
        indexed = self.graph.conn.execute("SELECT count(*) FROM files").fetchone()[0]
        self.seen.append((paths, files, refs, imported, indexed))


def dump(indexer: Indexer) -> tuple:
    conn = indexer.store.conn
    files = sorted(conn.execute("SELECT path, module, sha256, dirty, error FROM files"))
    symbols = sorted(conn.execute(
        "SELECT f.path, s.qualname, s.kind, s.sl, s.sc, s.is_test, s.is_member, s.parent"
        " FROM symbols s JOIN files f ON f.id = s.file_id"))
    refs = sorted(conn.execute(
        "SELECT f.path, r.sl, r.sc, r.name, r.kind, r.enclosing, r.target, r.confidence, r.how"
        " FROM refs r JOIN files f ON f.id = r.file_id"))
    imports = sorted(conn.execute("SELECT f.path, i.module FROM imports i JOIN files f ON f.id = i.file_id"))
    return files, symbols, refs, imports


def cold(tmp_path, name: str, jobs: int, request=None) -> tuple[Indexer, object]:
    root = tmp_path / "ws"
    if not root.exists():
        write_tree(root, FILES)
    indexer = Indexer(root, tmp_path / name, IndexOptions(jobs=jobs))
    run = indexer.run(first=request(indexer) if request else None)
    return indexer, run


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("delay", [0, 1])  # open before the run, or while phase 1 parses
def test_open_document_answers_first_and_the_end_equals_a_cold_build(tmp_path, jobs, delay):
    plain, plain_run = cold(tmp_path, "plain", jobs)
    made = []
    first, first_run = cold(tmp_path, "first", jobs,
                            lambda ix: made.append(Request(ix, ["pkg/core.py"], delay)) or made[0])
    # Two waves for the one open document: its importers, then its imports.
    (paths, files, refs, imported, indexed), (paths2, files2, refs2, imported2, indexed2) = made[0].seen
    assert paths == paths2 == ["pkg/core.py"]
    # Importers found by text and confirmed by parsing: absolute, from-package
    # (parenthesised), relative; references through them answer already.
    assert {"app/direct.py", "app/parens.py", "pkg/relative.py"} <= {p for p, _ in refs}
    assert ("pkg/core.py", 9) in refs  # a use inside the open file itself
    assert imported2 and not imported  # what it imports: in the second wave
    assert set(refs) <= set(refs2) and files < files2
    if delay == 0:
        assert indexed == files and indexed2 == files2 < len(FILES)  # before anything else was parsed
    # The finished index is the cold build's, file counts included.
    assert dump(first) == dump(plain)
    assert (first_run.parsed, first_run.discovered) == (plain_run.parsed, plain_run.discovered) == (len(FILES),) * 2
    assert first_run.refs_resolved == plain_run.refs_resolved
    plain.close()
    first.close()


def test_warm_index_and_unknown_documents_skip_the_wave(tmp_path):
    indexer, _ = cold(tmp_path, "idx", 1)
    request = Request(indexer, ["pkg/core.py", "not/there.py"])
    run = indexer.run(first=request)
    assert run.parsed == 0 and request.seen == []  # nothing cold: answers were there already
    indexer.close()
    other = Request  # an open file outside the discovered set never starts a wave
    fresh, _ = cold(tmp_path, "fresh", 1, lambda ix: other(ix, ["not/there.py"]))
    assert fresh.store.pending_files() == 0
    fresh.close()
