"""Moving a module (file rename) or a symbol: importers' edits."""

from __future__ import annotations

import textwrap

from indexer.languages.python.edits.moves import module_move_edits, symbol_move_edits
from indexer.languages.python.edits.rename import apply_edits
from tests.support import build


def after_edits(root, edits, path):
    return apply_edits((root / path).read_text(), [e for e in edits if e.path == path])


FILES = {
    "pkg/__init__.py": "",
    "pkg/old.py": "def f():\n    pass\n\ndef g():\n    pass\n",
    "pkg/user.py": textwrap.dedent("""
        from .old import f
        from pkg.old import g
        import pkg.old
        import pkg.old as alias

        pkg.old.f()
        alias.g()
        """).lstrip(),
    "main.py": "from pkg.old import f, g\n\nf()\n",
}


def test_module_move_updates_every_importer(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    edits = module_move_edits(graph, "pkg/old.py", "pkg/sub/new.py")
    assert after_edits(indexer.root, edits, "pkg/user.py") == textwrap.dedent("""
        from pkg.sub.new import f
        from pkg.sub.new import g
        import pkg.sub.new
        import pkg.sub.new as alias

        pkg.sub.new.f()
        alias.g()
        """).lstrip()
    assert after_edits(indexer.root, edits, "main.py") == "from pkg.sub.new import f, g\n\nf()\n"


def test_symbol_move_splits_imports(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    edits = symbol_move_edits(graph, "pkg.old.f", "pkg.helpers")
    assert after_edits(indexer.root, edits, "main.py") == \
        "from pkg.old import g\nfrom pkg.helpers import f\n\nf()\n"
    assert after_edits(indexer.root, edits, "pkg/user.py").startswith("from pkg.helpers import f\n")
