"""Snapshot tests of the renderers people read: the structural explanation
(markdown), the impact graph (Mermaid, Graphviz dot, text) and a rename's
unified diff. Each output is compared whole with a file under
tests/snapshots/; a substring assert would let the rest drift unseen.

After an intended change, regenerate and review the diff:
    CODEMELD_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/unit/test_render_snapshots.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indexer.languages.python.edits import rename
from indexer.explain import explain
from indexer.analysis.impact import impact
from indexer.analysis.impact_render import to_dot, to_mermaid, to_text
from tests.support import build

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
UPDATE = os.environ.get("CODEMELD_UPDATE_SNAPSHOTS") == "1"

PROJECT = {
    "shop/__init__.py": "from .pricing import total\n",
    "shop/pricing.py": '''
        RATE = 0.2

        def tax(amount):
            """The tax due on `amount`."""
            return amount * RATE

        def total(items, discount=0):
            """Sum of the items with tax, less a discount."""
            return sum(items) + tax(sum(items)) - discount

        class Basket:
            values = []

            def price(self):
                return total(self.values)

        class Discounted(Basket):
            def price(self):
                return super().price() * 0.9
        ''',
    "shop/api.py": '''
        from shop import total
        from shop.pricing import Basket

        def checkout(basket: Basket):
            """Charge a basket."""
            return basket.price()

        def quick(items):
            return total(items)
        ''',
    "tests/test_api.py": '''
        from shop.api import quick, checkout

        def test_quick():
            assert quick([1]) == 1.2

        def test_checkout():
            checkout(None)
        ''',
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("snap"), PROJECT)
    yield indexer.root, graph
    indexer.close()


def check(name: str, actual: str, root: Path) -> None:
    """Compare with tests/snapshots/<name>; temp paths become `<ROOT>`."""
    actual = actual.replace(root.as_uri(), "file://<ROOT>").replace(str(root), "<ROOT>")
    expected_file = SNAPSHOTS / name
    if UPDATE or not expected_file.exists():
        if not UPDATE:
            pytest.fail(f"no snapshot {expected_file.name}: run with CODEMELD_UPDATE_SNAPSHOTS=1 and review it")
        expected_file.write_text(actual, encoding="utf-8")
        return
    assert actual == expected_file.read_text(encoding="utf-8"), f"{name} changed (CODEMELD_UPDATE_SNAPSHOTS=1 updates it)"


@pytest.mark.parametrize("qualname", ["shop.pricing.total", "shop.pricing.Basket"])
def test_structural_markdown(project, qualname):
    root, graph = project
    check(f"explain_{qualname}.md", explain(graph, qualname).markdown, root)


@pytest.mark.parametrize("render,ext", [(to_mermaid, "mmd"), (to_dot, "dot"), (to_text, "txt")])
def test_impact_renderers(project, render, ext):
    root, graph = project
    check(f"impact_total.{ext}", render(impact(graph, "shop.pricing.total")), root)


def test_rename_diff(project):
    root, graph = project
    symbol = graph.symbol("shop.pricing.total")
    check("rename_total.diff", rename.diff(root, rename.plan_rename(graph, symbol, "grand_total")), root)
