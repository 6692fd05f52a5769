"""One protocol: the JSON the front doors send is the models' JSON, the
schema bundles them, and the VS Code extension's types are generated from
that schema (a drift check: the committed protocol.ts must equal a fresh
generation)."""

from __future__ import annotations

import pytest

from indexer.analysis.affected import select
from indexer.analysis.impact import impact
from server.protocol import edge, models as m
from server.protocol.schema import bundle
from server.protocol.typescript import TARGET, generate
from tests.support import build

PROJECT = {
    "app/core.py": "def area(w, h):\n    return w * h\n",
    "app/use.py": "from app.core import area\n\ndef room():\n    return area(2, 3)\n",
    "tests/test_use.py": "from app.use import room\n\ndef test_room():\n    assert room() == 6\n",
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("proto"), PROJECT)
    yield graph
    indexer.close()


def test_committed_typescript_matches_the_schema():
    assert TARGET.read_text(encoding="utf-8") == generate(), \
        "editors/vscode/src/protocol.ts drifted: run .venv/bin/python -m server.protocol.typescript"


def test_schema_names_every_result_and_method():
    schema = bundle()
    assert set(schema["$defs"]) >= {model.__name__ for model in m.RESULTS}
    assert schema["x-methods"]["impact"] == "codemeld/impact"
    report = schema["$defs"]["ImpactReport"]
    assert set(report["required"]) == {"target", "dependents", "tests", "files", "breaking", "summary"}


def test_impact_wire_shape_round_trips(graph):
    data = edge.impact_report(impact(graph, "app.core.area"), "file:///ws").wire()
    assert m.ImpactReport.model_validate(data).wire() == data
    assert data["summary"] == {"dependents": 4, "tests": 1, "files": 2, "maxDepth": 2, "truncated": False}
    room = next(d for d in data["dependents"] if d["symbol"]["qualname"] == "app.use.room")
    assert room == {"symbol": {"name": "room", "qualname": "app.use.room", "kind": "function",
                               "uri": "file:///ws/app/use.py", "path": "app/use.py", "range": room["symbol"]["range"],
                                   "selectionRange": room["symbol"]["selectionRange"], "language": "python"},
                    "depth": 1, "kind": "call", "confidence": room["confidence"], "via": ["app.core.area", "app.use.room"],
                    "source": "static", "how": "import"}
    assert [t["id"] for t in data["tests"]] == ["tests/test_use.py::test_room"]


def test_unset_optionals_stay_off_the_wire(graph):
    symbol = edge.symbol(graph.symbol("app.core.area")).wire()
    assert "uri" not in symbol  # no folder URI known: the path is relative to the root
    assert edge.symbol(graph.symbol("app.core.area"), "file:///ws/")
    selection = select(graph, {"app/core.py": [1]})
    data = edge.affected_tests(selection, "file:///ws").wire()
    assert "pytestArgs" not in data and data["summary"]["tests"] == 1
    assert edge.affected_tests(selection, pytest_args=True).wire()["pytestArgs"] == ["tests/test_use.py::test_room"]


# Names a URI must percent-encode: a space, `#` (a fragment), `%` (an escape), non-ASCII.
AWKWARD = ["with space/use.py", "hash#name.py", "per%cent.py", "é/ü.py"]


def test_symbol_uris_are_valid_for_awkward_file_names(tmp_path):
    """edge.symbol/symbol_wire joined the root URI and the raw path: `#` cut the
    URI short, `%` and spaces made it invalid. Each uri names its own file."""
    from pygls.uris import to_fs_path

    files = {"lib.py": "def helper():\n    return 1\n"}
    files |= {path: "from lib import helper\n\n\ndef use():\n    return helper()\n" for path in AWKWARD}
    indexer, graph = build(tmp_path / "root dir", files)
    try:
        root_uri = graph.root.as_uri()
        report = impact(graph, "lib.helper")
        by_path = {d.symbol.path: d for d in report.dependents}
        assert set(AWKWARD) <= set(by_path), sorted(by_path)
        for path in AWKWARD:
            want = (graph.root / path).as_uri()
            sym = by_path[path].symbol
            got = {edge.symbol(sym, root_uri).uri, edge.symbol_wire(sym, root_uri)["uri"],
                   edge.dependent_wire(by_path[path], root_uri)["symbol"]["uri"], sym.to_json(root_uri)["uri"]}
            assert got == {want}, (path, got)
            assert to_fs_path(want) == str(graph.root / path)
    finally:
        indexer.close()
