"""Signature ripple: a changed definition in the buffer, the call sites
rewritten (data-driven: call before -> call after)."""

from __future__ import annotations

import textwrap

import pytest

from indexer.languages.python.edits.rename import apply_edits
from indexer.languages.python.edits.ripple import add_defaults, update_call_sites
from tests.support import build

CASES = [
    # (old def, new def, call before, call after)
    ("def f(a, b=1):", "def f(a, c, b=1):", "f(1)", "f(1, c=...)"),
    ("def f(a, b=1):", "def f(a, c, b=1):", "f(1, 2)", "f(1, c=..., b=2)"),
    ("def f(a, b):", "def f(a):", "f(1, 2)", "f(1)"),
    ("def f(a, b):", "def f(a):", "f(1, b=2)", "f(1)"),
    ("def f(a, retries=1):", "def f(a, attempts=1):", "f(1, retries=3)", "f(1, attempts=3)"),
    ("def f(a, b):", "def f(b, a):", "f(1, 2)", "f(2, 1)"),
    ("def f(a, b):", "def f(a, *, b):", "f(1, 2)", "f(1, b=2)"),
    ("def f(a, b):", "def f(a, b, *rest):", "f(1, 2)", "f(1, 2)"),
    ("def f(a, b):", "def f(a, b, c):", "f(*xs)", "f(*xs)"),  # splats: left alone
    ("def f(a, b):", "def f(a, b, c):", "f(1,\n  2)", "f(1, 2, c=...)"),  # multi-line argument lists
]


@pytest.mark.parametrize("old_def, new_def, call_before, call_after", CASES)
def test_update_call_sites(tmp_path, old_def, new_def, call_before, call_after):
    files = {"lib.py": f"{old_def}\n    pass\n", "use.py": f"from lib import f\n\n{call_before}\n"}
    indexer, graph = build(tmp_path, files)
    ripples = update_call_sites(graph, "lib.py", f"{new_def}\n    pass\n".encode())
    edits = [e for r in ripples for e in r.edits]
    after = apply_edits((indexer.root / "use.py").read_text(), edits)
    assert after == f"from lib import f\n\n{call_after}\n"
    if call_before != call_after:
        assert ripples[0].title == "Update 1 call site of f()"


def test_methods_and_constructors(tmp_path):
    files = {
        "lib.py": textwrap.dedent("""
            class Client:
                def __init__(self, url):
                    pass

                def send(self, data):
                    pass
            """).lstrip(),
        "use.py": "from lib import Client\n\nc = Client('u')\nc.send(b'x')\n",
    }
    indexer, graph = build(tmp_path, files)
    new = files["lib.py"].replace("def __init__(self, url):", "def __init__(self, url, timeout):") \
                         .replace("def send(self, data):", "def send(self, data, flush):")
    edits = [e for r in update_call_sites(graph, "lib.py", new.encode()) for e in r.edits]
    after = apply_edits((indexer.root / "use.py").read_text(), edits)
    assert after == "from lib import Client\n\nc = Client('u', timeout=...)\nc.send(b'x', flush=...)\n"


def test_add_defaults_alternative(tmp_path):
    files = {"lib.py": "def f(a):\n    pass\n", "use.py": "from lib import f\nf(1)\n"}
    indexer, graph = build(tmp_path, files)
    new = "def f(a, b, c: int):\n    pass\n"
    ripples = add_defaults(graph, "lib.py", new.encode())
    assert ripples[0].title == "Add a default to keep callers of f() working"
    assert apply_edits(new, list(ripples[0].edits)) == "def f(a, b=None, c: int = None):\n    pass\n"


def test_call_sites_in_the_edited_buffer_itself(tmp_path):
    files = {"lib.py": "def f(a):\n    pass\n\n\ndef g():\n    return f(1)\n"}
    indexer, graph = build(tmp_path, files)
    new = "def f(a, b):\n    pass\n\n\ndef g():\n    return f(1)\n"
    edits = [e for r in update_call_sites(graph, "lib.py", new.encode()) for e in r.edits]
    assert apply_edits(new, edits) == "def f(a, b):\n    pass\n\n\ndef g():\n    return f(1, b=...)\n"
