"""The structural explainer on real code: the stdlib json package and its own
test suite, copied into a workspace and indexed."""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

import pytest

from indexer.explain import explain, hover_summary
from indexer.explain.pack import Card
from indexer.explain.structural import inferred_purpose, parse_signature, short_text
from indexer.pipeline.index import IndexOptions, Indexer
from indexer.graph.query import Graph

STDLIB = Path(sysconfig.get_paths()["stdlib"])


@pytest.fixture(scope="module")
def json_corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("jsonws")
    shutil.copytree(STDLIB / "json", root / "json", ignore=shutil.ignore_patterns("__pycache__"))
    tests = STDLIB / "test" / "test_json"
    if not tests.is_dir():
        pytest.skip("this interpreter ships without its test suite")
    shutil.copytree(tests, root / "tests" / "test_json", ignore=shutil.ignore_patterns("__pycache__"))
    indexer = Indexer(root, tmp_path_factory.mktemp("index"), IndexOptions(jobs=1))
    assert indexer.run().failed == 0
    yield root, Graph(indexer.store, indexer.root)
    indexer.close()


def test_decode_explanation_names_callers_tests_and_impact(json_corpus):
    root, graph = json_corpus
    result = explain(graph, "json.decoder.JSONDecoder.decode")
    md = result.markdown
    assert result.source == "structural" and result.model is None and result.note is None
    assert md.startswith("**[`JSONDecoder.decode`]")
    assert "Return the Python representation of ``s``" in md
    assert "method of `JSONDecoder`" in md
    assert "**Inputs:** `s`, `_w` (default `WHITESPACE.match`)" in md
    # Called by json.loads, with a link to the call line and the line itself.
    loads_line = _line_of(root / "json/__init__.py", "return _default_decoder.decode(s)")
    assert f"({(root / 'json/__init__.py').as_uri()}#L{loads_line})" in md
    assert "`return _default_decoder.decode(s)`" in md
    assert "to deserialize ``s``" in md  # why the caller calls: its own docstring
    # Tested by the test suite's own test, with its pytest node id.
    assert "**Tested by**" in md and "tests/test_json/test_decode.py::TestDecode::test_keys_reuse" in md
    assert "**Changing it affects**" in md and "dependents in" in md
    assert "[`JSONDecoder.raw_decode`]" in md  # what it calls
    assert result.pack_summary["callers"] == ["json.loads"]
    assert "Return the Python representation" in result.short and "json.loads" in result.short


def test_class_and_module_level_symbols(json_corpus):
    _, graph = json_corpus
    cls = explain(graph, "json.decoder.JSONDecoder").markdown
    assert "**Members:**" in cls and "`raw_decode`" in cls
    main = explain(graph, "json.tool.main").markdown
    assert "_(inferred from its name and callers)_" in main  # no docstring: says where the text came from
    assert "**Calls:**" in main and "`json.loads`" in main


def test_hover_summary_is_one_line_and_needs_no_pack(json_corpus):
    _, graph = json_corpus
    text = hover_summary(graph, "json.loads")
    assert "\n" not in text
    # (json/__init__.py's docstring examples call it too: json.__doctest__)
    assert text.startswith("Deserialize ``s``") and "3 callers in 2 files" in text
    assert hover_summary(graph, "json.nope") == ""


def test_signature_parsing_and_name_inference():
    params, returns = parse_signature("async def fetch(self, url: str, *args, retries: int = 3, **kw) -> bytes")
    assert [(p.star + p.name, p.annotation, p.default) for p in params] == [
        ("self", "", ""), ("url", "str", ""), ("*args", "", ""), ("retries", "int", "3"), ("**kw", "", "")]
    assert returns == "bytes"
    assert parse_signature("class Foo(Base)") is None
    card = Card("pkg.mod.parse_header", "function", "pkg/mod.py", 3)
    assert inferred_purpose(card) == "Parses header."
    assert inferred_purpose(Card("pkg.mod.is_valid_name", "function", "p.py", 1)).startswith("Tells whether valid name")
    assert inferred_purpose(Card("pkg.mod.Thing.__init__", "method", "p.py", 1)) == "Initialises a new `Thing`."
    assert short_text(card, 0, 0, 0, None) == "Parses header. — no callers found"


def _line_of(path: Path, needle: str) -> int:
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in text:
            return number
    raise AssertionError(needle)
