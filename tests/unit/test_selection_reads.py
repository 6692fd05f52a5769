"""The batched reads behind a fast selection give what the one-at-a-time
reads gave: `Graph.symbols_overlapping` is `symbols_in_file` narrowed to
the symbols around some lines (same order), `Graph.definers_of` is
`parents_defining` for many names at once; impact's per-index caches of
each class's direct sub/base classes and of each target's uses give the
rows of the one query they replace, in its order."""

from __future__ import annotations

import pytest

from indexer.analysis import impact
from indexer.analysis.impact_members import MEMBER_KINDS
from indexer.graph.vocab import SymbolKind
from tests.support import build

FILES = {
    "pkg/__init__.py": "",
    "pkg/shapes.py": """
        import functools

        SIDE = 2

        class Shape:
            name = "shape"

            def area(self):
                return 0

            @functools.cache
            def label(self):
                def inner():
                    return self.name
                return inner()

        class Square(Shape):
            name = "square"

            def area(self):
                return SIDE * SIDE

        def area(shape):
            return shape.area()
        """,
    "pkg/other.py": """
        from pkg.shapes import Shape, Square, area

        class Circle:
            label = "circle"

            def area(self):
                return 3

        class Round(Circle, Shape):
            pass

        class Tile(Square, Round):
            def area(self):
                return area(super())

        def both():
            return area(Tile()) + Square().area() + Round().area()
        """,
}
_OWNER_KINDS = ("function", "method", "class", "variable", "constant", "attribute")


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("reads"), FILES)
    yield graph
    indexer.close()


@pytest.mark.parametrize("first, last", [(0, 0), (3, 3), (6, 9), (9, 9), (12, 13), (20, 21), (0, 40), (50, 60)])
def test_symbols_overlapping_is_symbols_in_file_narrowed(graph, first, last):
    whole = [s for s in graph.symbols_in_file("pkg/shapes.py") if s.kind in _OWNER_KINDS
             and s.range.start.line <= last and s.range.end.line >= first]
    assert graph.symbols_overlapping("pkg/shapes.py", first, last, _OWNER_KINDS) == whole


def test_definers_of_is_parents_defining_for_many(graph):
    names = ["area", "label", "name", "inner", "missing", "SIDE"]
    rows = graph.definers_of(names, MEMBER_KINDS)
    for kinds in (MEMBER_KINDS, (SymbolKind.METHOD, SymbolKind.FUNCTION)):
        for name in names:
            assert {parent for n, kind, parent in rows if n == name and kind in kinds} \
                == graph.parents_defining(name, kinds), (name, kinds)
    assert graph.parents_defining("area", (SymbolKind.METHOD,)) == {"pkg.shapes.Shape", "pkg.shapes.Square",
                                                                     "pkg.other.Circle", "pkg.other.Tile"}


CLASSES = ["pkg.shapes.Shape", "pkg.shapes.Square", "pkg.other.Circle", "pkg.other.Round", "pkg.other.Tile"]


@pytest.mark.parametrize("down", [True, False])
def test_hierarchy_from_cached_direct_classes(graph, down):
    memo = {}
    for cls in CLASSES + CLASSES:  # the second round from the cache alone
        assert impact._hierarchy(graph, cls, down, memo=memo) == impact._hierarchy(graph, cls, down)
    assert impact._hierarchy_step(graph, memo, CLASSES[::-1], down) == graph.hierarchy_step(CLASSES[::-1], down)
    assert set(impact._hierarchy(graph, "pkg.shapes.Shape", True)) == {"pkg.shapes.Square", "pkg.other.Round",
                                                                        "pkg.other.Tile"}


@pytest.mark.parametrize("kind", [None, "call", "flow"])
def test_incoming_from_cached_targets(graph, kind):
    targets = ["pkg.shapes.area", "pkg.shapes.Square", "pkg.other.Round", "pkg.shapes.Square.area", "pkg.nothing"]
    memo = {}
    impact._incoming_rows(graph, targets[::2], kind, memo)  # half of them read before
    assert impact._incoming_rows(graph, targets, kind, memo) == graph.incoming(targets, kind)
    if kind != "flow":
        assert impact._incoming_rows(graph, targets, kind, memo)


def test_incoming_cache_starting_over_keeps_the_rows(graph, monkeypatch):
    monkeypatch.setattr(impact, "INCOMING_CACHE_ROWS", 0)  # every read past the bound: the cache starts over
    targets = ["pkg.shapes.area", "pkg.shapes.Square", "pkg.shapes.Square.area"]
    memo = {}
    assert impact._incoming_rows(graph, targets[:2], None, memo) == graph.incoming(targets[:2])
    assert impact._incoming_rows(graph, targets, None, memo) == graph.incoming(targets)
