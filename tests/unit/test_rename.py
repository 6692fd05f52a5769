"""Rename: files before, the symbol and its new name, files after."""

from __future__ import annotations

import textwrap

import pytest

from indexer.languages.python.edits.rename import RenameError, apply, plan_rename, renameable_at
from tests.support import build


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


CASES = {
    "function across files, aliased import keeps its alias": (
        {
            "pkg/__init__.py": """
                from .core import compute
                __all__ = ["compute"]
                """,
            "pkg/core.py": """
                def compute(x):
                    return x
                """,
            "app.py": """
                from pkg import compute
                from pkg.core import compute as calc
                import pkg

                compute(1) + calc(2) + pkg.compute(3)
                """,
        },
        "pkg.core.compute", "evaluate",
        {
            "pkg/__init__.py": """
                from .core import evaluate
                __all__ = ["evaluate"]
                """,
            "pkg/core.py": """
                def evaluate(x):
                    return x
                """,
            "app.py": """
                from pkg import evaluate
                from pkg.core import evaluate as calc
                import pkg

                evaluate(1) + calc(2) + pkg.evaluate(3)
                """,
        },
    ),
    "method with overrides up and down the hierarchy": (
        {
            "shapes.py": """
                class Shape:
                    def area(self):
                        return 0

                class Square(Shape):
                    def area(self):
                        return super().area() + 1

                def total(s: Shape, q: Square):
                    return s.area() + q.area()
                """,
        },
        "shapes.Square.area", "surface",
        {
            "shapes.py": """
                class Shape:
                    def surface(self):
                        return 0

                class Square(Shape):
                    def surface(self):
                        return super().surface() + 1

                def total(s: Shape, q: Square):
                    return s.surface() + q.surface()
                """,
        },
    ),
    "parameter and the keyword arguments naming it": (
        {
            "net.py": """
                def connect(host, timeout=1):
                    return timeout * 2

                connect("h", timeout=3)
                """,
            "client.py": """
                from net import connect
                connect(host="x", timeout=5)
                """,
        },
        "net.connect.timeout", "deadline",
        {
            "net.py": """
                def connect(host, deadline=1):
                    return deadline * 2

                connect("h", deadline=3)
                """,
            "client.py": """
                from net import connect
                connect(host="x", deadline=5)
                """,
        },
    ),
    "class and its uses, re-export idiom `import X as X`": (
        {
            "lib/__init__.py": "from .model import User as User\n",
            "lib/model.py": """
                class User:
                    pass
                """,
            "main.py": """
                from lib import User

                def make() -> "User":
                    return User()
                """,
        },
        "lib.model.User", "Account",
        {
            "lib/__init__.py": "from .model import Account as Account\n",
            "lib/model.py": """
                class Account:
                    pass
                """,
            "main.py": """
                from lib import Account

                def make() -> "Account":
                    return Account()
                """,
        },
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_rename(tmp_path, name):
    before, target, new_name, after = CASES[name]
    indexer, graph = build(tmp_path, before)
    plan = plan_rename(graph, graph.symbol(target), new_name)
    apply(indexer.root, plan)
    for path, text in after.items():
        assert (indexer.root / path).read_text() == dedent(text), path


def test_name_matched_uses_need_confirmation(tmp_path):
    files = {
        "a.py": """
            class Widget:
                def render_all(self):
                    pass
            """,
        "b.py": """
            def draw(thing):
                thing.render_all()
            """,
    }
    indexer, graph = build(tmp_path, files)
    plan = plan_rename(graph, graph.symbol("a.Widget.render_all"), "paint")
    uncertain = [e for e in plan.edits if not e.certain]
    assert [(e.path, e.range.start.line) for e in uncertain] == [("b.py", 1)]
    assert "name only" in uncertain[0].reason
    apply(indexer.root, plan)  # certain edits only
    assert "thing.render_all()" in (indexer.root / "b.py").read_text()


@pytest.mark.parametrize("new_name, message", [
    ("1bad", "not a valid Python identifier"),
    ("class", "not a valid Python identifier"),
    ("other", "already defined"),
])
def test_refused_renames(tmp_path, new_name, message):
    indexer, graph = build(tmp_path, {"m.py": "def f():\n    pass\n\ndef other():\n    pass\n"})
    with pytest.raises(RenameError, match=message):
        plan_rename(graph, graph.symbol("m.f"), new_name)


def test_rename_at_position_outside_workspace_is_refused(tmp_path):
    indexer, graph = build(tmp_path, {"m.py": "import os\nos.getcwd()\n"})
    with pytest.raises(RenameError, match="outside the workspace"):
        renameable_at(graph, "m.py", 1, 4)


def test_crlf_files_stay_crlf(tmp_path):
    indexer, graph = build(tmp_path, {"m.py": "x = 1\n"})
    (indexer.root / "m.py").write_bytes(b"def f():\r\n    pass\r\n\r\nf()\r\n")
    indexer.run()
    apply(indexer.root, plan_rename(graph, graph.symbol("m.f"), "g"))
    assert (indexer.root / "m.py").read_bytes() == b"def g():\r\n    pass\r\n\r\ng()\r\n"
