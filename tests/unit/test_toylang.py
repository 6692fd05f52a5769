"""The language boundary, proved: a second "language" (tests/toylang: JSON
keys as symbols, `"$dotted.key"` strings as references) added with its
package and one registry line goes through index, refs, impact and search,
beside Python, without a name collision."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from indexer import languages
from indexer.analysis import navigation
from indexer.agent.lookup import find_symbols
from indexer.agent.textindex import TextIndex
from indexer.analysis.impact import impact
from indexer.pipeline.index import IndexOptions, Indexer
from indexer.graph.query import Graph

BASE = "toyjson:config.base.db.timeout"


@pytest.fixture
def workspace(tmp_path):
    languages.register("toyjson", "tests.toylang:JsonSupport")  # the one registry line
    root = tmp_path / "ws"
    (root / "config").mkdir(parents=True)
    (root / "config/base.json").write_text(json.dumps({"db": {"host": "localhost", "timeout": 5}}, indent=2))
    (root / "config/app.json").write_text(json.dumps(
        {"service": {"timeout": "$config.base.db.timeout", "host": "$config.base.db.host"},
         "retry": "$config.base.db.missing"}, indent=2))
    # A Python module with the same dotted name: the schemes keep them apart.
    (root / "config/__init__.py").write_text("")
    (root / "config/base.py").write_text("db = {'timeout': 5}\n")
    (root / "main.py").write_text("from config.base import db\nprint(db)\n")
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=1))
    indexer.run()
    yield root, indexer
    indexer.close()
    languages.unregister("toyjson")


def test_keys_are_symbols_and_strings_are_references(workspace):
    root, indexer = workspace
    graph = Graph(indexer.store, root)
    assert graph.symbol(BASE).path == "config/base.json"
    assert graph.symbol(BASE).kind == "variable"
    refs = graph.references(BASE)
    assert [(r.path, r.range.start.line, r.enclosing, r.how) for r in refs] == [
        ("config/app.json", 2, "toyjson:config.app.service.timeout", "path")]
    # A reference to a key nobody defines stays unresolved, like Python's.
    assert [(r.name, r.target, r.how) for r in graph.references_from("toyjson:config.app.retry")] == [
        ("missing", None, "unresolved")]
    assert indexer.store.languages() and set(indexer.store.languages()) == {"python", "toyjson"}


def test_the_cli_target_forms_work_for_both_languages(workspace):
    root, indexer = workspace
    graph = Graph(indexer.store, root)
    assert graph.resolve_target(BASE) == [BASE]
    assert graph.resolve_target("config.base.db") == ["config.base.db"]  # Python's name, bare as before
    assert graph.resolve_target("config/app.json:3") == ["toyjson:config.app.service.timeout"]
    python_refs = graph.references("config.base.db")
    assert {r.path for r in python_refs} == {"main.py"}


def test_navigation_goes_through_the_second_language(workspace):
    root, indexer = workspace
    graph = Graph(indexer.store, root)
    line = (root / "config/app.json").read_text().split("\n")[2]
    found = navigation.definitions(graph, "config/app.json", 2, line.index("$") + 2)
    assert [s.qualname for s in found] == [BASE]


def test_impact_crosses_files_of_the_second_language(workspace):
    root, indexer = workspace
    graph = Graph(indexer.store, root)
    report = impact(graph, BASE)
    assert "toyjson:config.app.service.timeout" in {d.symbol.qualname for d in report.dependents}
    assert "config/app.json" in report.files


def test_search_finds_keys_and_files(workspace):
    root, indexer = workspace
    graph = Graph(indexer.store, root)
    assert BASE in [s.qualname for s in find_symbols(graph, "db.timeout")]
    assert BASE in [m.symbol.qualname for m in navigation.search_symbols(graph, "timeout")]
    files = [doc.path for doc, _ in TextIndex.build(graph).files.top(Counter(["localhost"]), 5)]
    assert files[0] == "config/base.json"


def test_an_edit_re_resolves_the_files_that_depend_on_it(workspace):
    root, indexer = workspace
    (root / "config/base.json").write_text(json.dumps({"db": {"host": "localhost"}}, indent=2))
    indexer.update_paths(["config/base.json"])
    graph = Graph(indexer.store, root)
    assert graph.symbol(BASE) is None
    assert graph.references(BASE) == []
    (root / "config/base.json").write_text(json.dumps({"db": {"timeout": 7}}, indent=2))
    indexer.update_paths(["config/base.json"])
    assert [r.path for r in Graph(indexer.store, root).references(BASE)] == ["config/app.json"]


def test_without_its_registry_line_the_language_is_not_indexed(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "a.json").write_text('{"k": 1}')
    (root / "a.py").write_text("k = 1\n")
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=1))
    try:
        indexer.run()
        assert indexer.store.languages() == ["python"]
    finally:
        indexer.close()


def test_an_index_outlives_its_language_plugin(tmp_path):
    """Files of a language no longer registered leave the index on the next
    run, and what depended on them re-resolves, without an error."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "a.json").write_text('{"k": 1}')
    (root / "b.json").write_text('{"use": "$a.k"}')
    (root / "a.py").write_text("k = 1\n")
    languages.register("toyjson", "tests.toylang:JsonSupport")
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=1))
    try:
        indexer.run()
        assert set(indexer.store.languages()) == {"python", "toyjson"}
        languages.unregister("toyjson")
        indexer.update_paths(["a.json"])  # a watcher reporting a file nobody can parse now
        indexer.run()
        assert indexer.store.languages() == ["python"]
        assert Graph(indexer.store, root).symbol("a.k") is not None
    finally:
        languages.unregister("toyjson")
        indexer.close()


def test_the_scip_export_carries_the_second_language(workspace):
    from indexer.export.scip import build_index

    root, indexer = workspace
    documents = {d.relative_path: d for d in build_index(Graph(indexer.store, root)).documents}
    assert documents["config/base.json"].language == "toyjson"
    assert documents["main.py"].language == "python"
    defined = {s.symbol for s in documents["config/base.json"].symbols if s.symbol.endswith("db.timeout.")}
    used = {o.symbol for o in documents["config/app.json"].occurrences}
    assert len(defined) == 1 and defined <= used  # the use links to the definition's symbol
    # Each language has its own SCIP scheme, its scheme prefix off the module descriptor.
    assert all(s.startswith("scip-toyjson . ") and "toyjson:" not in s for s in defined), defined
    assert all(s.symbol.startswith(("scip-python python ", "local ")) for s in documents["main.py"].symbols)
