"""The fast wire of huge answers (issue 17) says exactly what the object path
said: references, incoming calls and impact made as JSON text / plain dicts
from rows against lsprotocol objects unstructured by pygls' converter and
the pydantic models' `.wire()`, over every symbol of a small project with
name-matched guesses, several files, a folder whose URI needs escaping, and
non-ASCII text before uses (UTF-16 columns)."""

from __future__ import annotations

import json

import pytest
from pygls.protocol import JsonRPCResponseMessage, default_converter
from lsprotocol import types

from indexer.analysis import navigation
from indexer.analysis.impact import DEFAULT_DEPTH, DEFAULT_LIMIT
from indexer.graph.vocab import SymbolKind
from server import convert, wire
from server.host.features import impact_with_breaking
from server.protocol import edge
from tests.support import build

FILES = {
    "pkg/__init__.py": "",
    "pkg/core.py": '''
        class Runner:
            def run(self, x):
                return helper(x)

            @property
            def size(self):
                return 1


        def helper(x):
            return x


        s = "héllo 😀 wörld"; helper(s); helper("😀😀")
        ''',
    "pkg/user.py": '''
        from pkg.core import Runner, helper


        def use(obj):
            obj.run(1)  # obj's type unknown: a name-matched guess
            r = Runner()
            r.run("ünïcödé 🎉"); r.run(helper(2))
            return r.size


        class Other:
            def run(self):
                return helper(3)


        helper(4)
        HANDLER = helper  # a value flow: a "flow" row repeats this use
        ''',
    "my dir/é 100%.py": '''
        from pkg.core import helper
        from pkg.user import use


        def caller():
            return "𝒳" + helper(use(None))


        caller(); helper(5)
        ''',
}

CONVERTER = default_converter()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("wire"), FILES)
    yield graph
    indexer.close()


def _symbols(graph):
    kinds = (SymbolKind.FUNCTION, SymbolKind.METHOD, SymbolKind.CLASS)
    found = graph.symbols_of_kinds(kinds)
    assert {s.name for s in found} >= {"Runner", "run", "size", "helper", "use", "Other", "caller"}
    return found


@pytest.mark.parametrize("guesses", [False, True])
@pytest.mark.parametrize("confidence", [0.0, 0.6, 0.95])
def test_reference_spans_equal_the_references_rows(project, guesses, confidence):
    """`reference_spans` reads the bare rows with the kind and rule ids looked
    up once; `references` reads the `refs` view's texts: the same uses, in
    the same order, with the same derived ends, whatever the filters."""
    for sym in _symbols(project):
        fast = list(project.reference_spans(sym.qualname, confidence, guesses))
        rows = [tuple(r[:5]) for r in project.use_rows(sym.qualname, False, confidence, guesses)]
        assert fast == rows, sym.qualname
        ids = [file_id for file_id, _ in project.target_files(sym.qualname)]
        for part in (ids[:1], ids[1:]):  # a page of files keeps only their rows, in the same order
            paths = {project.conn.execute("SELECT path FROM files WHERE id = ?", (i,)).fetchone()[0] for i in part}
            assert list(project.reference_spans(sym.qualname, confidence, guesses, part)) == \
                [span for span in rows if span[0] in paths]
    # the project has what this test is about: flow rows left out, guesses
    # and confidences that the filters split
    helper = project.references("pkg.core.helper")
    kinds = {k for (k,) in project.conn.execute("SELECT kind FROM refs WHERE target = 'pkg.core.helper'")}
    assert "flow" in kinds and all(r.kind != "flow" for r in helper)
    run = project.references("pkg.core.Runner.run", guesses=True)
    assert any(r.how == "name-match" for r in run) and len({r.confidence for r in run}) > 1


@pytest.mark.parametrize("declaration", [False, True])
@pytest.mark.parametrize("guesses", [False, True])
def test_references_text_equals_the_lsprotocol_answer(project, declaration, guesses):
    root = project.root
    for sym in _symbols(project):
        at = (sym.path, sym.selection_range.start.line, sym.selection_range.start.character)
        slow = CONVERTER.unstructure(convert.reference_locations(
            root, navigation.references(project, *at, declaration, 0.0, guesses)))
        for stream in (True, False):  # a few files at a time (partial results), or one query (whole)
            pages: list[str] = []
            navigation.reference_span_pages(project, *at, declaration, 0.0, guesses,
                                            lambda spans: pages.append(convert.location_items(root, spans)), page=2,
                                            stream=stream)
            text = wire.array(pages).text
            assert text.isascii()
            assert json.loads(text) == slow, sym.qualname
    # the project has what this test is about
    helper_refs = project.references("pkg.core.helper")
    assert any(r.path == "my dir/é 100%.py" for r in helper_refs)
    run_refs = project.references("pkg.core.Runner.run", guesses=True)
    assert any(r.how == "name-match" for r in run_refs) and any(r.how != "name-match" for r in run_refs)
    line = next(i for i, text in enumerate(project.root.joinpath("pkg/core.py").read_text().split("\n"))
                if text.startswith("s = "))
    uses_after_emoji = [r for r in helper_refs if r.path == "pkg/core.py" and r.range.start.line == line]
    assert [r.range.start.character for r in uses_after_emoji] == [22, 33]  # UTF-16: the emoji counts 2 (code points: 21, 32)


def test_location_items_falls_back_on_null_columns(tmp_path):
    spans = [("a.py", 1, 2, None, 4)]
    assert json.loads("[" + convert.location_items(tmp_path, spans) + "]") == convert.span_locations(tmp_path, spans)


def test_incoming_calls_text_equals_the_lsprotocol_answer(project):
    root = project.root
    seen = 0
    for sym in _symbols(project):
        slow = CONVERTER.unstructure(convert.incoming_calls(root, navigation.incoming_calls(project, sym.qualname)))
        fast = wire.array(convert.incoming_call_items(root, navigation.incoming_call_rows(project, sym.qualname)))
        assert json.loads(fast.text) == slow, sym.qualname
        seen += len(slow)
    assert seen >= 8


def test_answers_read_a_few_files_at_a_time_equal_one_query(project, monkeypatch):
    """Huge answers read their rows a page of files at a time
    (`navigation.file_pages`, so the first page is out before the rest is
    sorted): with pages of one reference, the pages joined are exactly what
    one query over every file reads, for references and incoming calls."""
    monkeypatch.setattr(navigation, "FIRST_PAGE", 1)
    monkeypatch.setattr(navigation, "REFERENCE_PAGE", 2)
    paged_files = 0
    for sym in _symbols(project):
        q = sym.qualname
        pages = list(navigation.file_pages(project, q))
        paged_files += len(pages) > 1
        assert list(navigation._paged_spans(project, q, 0.0, True)) == list(project.reference_spans(q, 0.0, True))
        calls: list[list] = []
        navigation.incoming_call_row_pages(project, q, 0.0, calls.append)
        whole = navigation._callers(project, project.call_sites(q, navigation.CALL_KINDS, 0.0))
        assert [row for page in calls for row in page] == whole, q
        assert len(calls) >= min(2, len({caller[4] for caller, _sites in whole}))  # a page per file at least
    assert paged_files >= 1  # `helper` is used from all three files


def test_uses_in_one_user_equal_the_filtered_references(project):
    """`Graph.uses_in` (the unrun rule's reads of a name by one function, by
    that function's index) keeps exactly what filtering every use keeps."""
    checked = 0
    for sym in _symbols(project):
        uses = project.references(sym.qualname)
        for user in {r.enclosing for r in uses} | {"no.such.user"}:
            for kinds in (("read", "attribute"), ("call",)):
                expected = [r for r in uses if r.enclosing == user and r.kind in kinds]
                assert project.uses_in(sym.qualname, user, kinds) == expected, (sym.qualname, user, kinds)
                checked += bool(expected)
    assert checked >= 5


def test_impact_wire_equals_the_models(project):
    uri = project.root.as_uri()
    for sym in _symbols(project):
        at = (sym.path, sym.selection_range.start.line, sym.selection_range.start.character)
        found = impact_with_breaking(project, *at, DEFAULT_DEPTH, DEFAULT_LIMIT, None, None, {})
        assert edge.impact_report_wire(found.report, uri, found.breaking) == \
            edge.impact_report(found.report, uri, found.breaking).wire(), sym.qualname


def test_spliced_messages_equal_what_pygls_sends():
    value = [{"uri": "file:///a%20b/%C3%A9.py", "range": {"start": {"line": 0, "character": 1},
                                                          "end": {"line": 0, "character": 2}}}]
    response = JsonRPCResponseMessage(id=7, result=wire.encoded(value), jsonrpc="2.0")
    assert json.loads(wire._spliced(response)) == {"jsonrpc": "2.0", "id": 7, "result": value}
    note = types.ProgressNotification(params=types.ProgressParams(token="t", value=wire.encoded(value)))
    assert json.loads(wire._spliced(note)) == {"jsonrpc": "2.0", "method": "$/progress",
                                               "params": {"token": "t", "value": value}}
    plain = JsonRPCResponseMessage(id=7, result=value, jsonrpc="2.0")
    assert wire._spliced(plain) is None  # everything else goes through pygls
