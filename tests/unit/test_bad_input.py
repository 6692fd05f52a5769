"""Bad input gets a clear error and loses nothing.

Each case writes a few awkward files next to two well-behaved "bystander"
files, indexes the lot with the real indexer (tree-sitter, SQLite) and checks
three things: what the awkward files yield (symbols, references with exact
LSP positions, the error recorded for the file, or the reason it was
skipped), that the run itself did not fail, and that nothing else was lost
(the bystanders' symbols and cross-file references are intact).
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from indexer.pipeline import discovery
from indexer.pipeline.discovery import DiscoveryOptions
from indexer.pipeline.index import IndexOptions, Indexer
from indexer.graph.query import Graph

needs_symlinks = pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")

BYSTANDERS = {
    "lib.py": b"def helper():\n    return 1\n",
    "user.py": b"from lib import helper\n\n\ndef use():\n    return helper()\n",
}
# (path, line, character) of every reference to lib.helper the bystanders hold.
BYSTANDER_REFS = [("user.py", 0, 16), ("user.py", 4, 11)]


@dataclass
class Case:
    files: dict[str, bytes]
    # path -> qualnames (besides the module) that must be indexed for it
    symbols: dict[str, set[str]] = field(default_factory=dict)
    # (path, line, character, target): a reference starting exactly there, resolved to target
    refs: list[tuple[str, int, int, str]] = field(default_factory=list)
    # (path, line, character, qualname): where a symbol's name starts
    names: list[tuple[str, int, int, str]] = field(default_factory=list)
    # path -> regex files.error must match, or None for "no error recorded"
    errors: dict[str, str | None] = field(default_factory=dict)
    # (path, reason): left out of the index and reported by discovery
    skipped: set[tuple[str, str]] = field(default_factory=set)
    max_file_size: int = 1_000_000
    outside: dict[str, bytes] = field(default_factory=dict)  # files next to (not in) the workspace
    links: dict[str, str] = field(default_factory=dict)  # link in the workspace -> target as written


def _nested_parens(depth: int) -> bytes:
    return b"x = " + b"(" * depth + b"helper()" + b")" * depth + b"\n"


LONG_PREFIX = b"total = " + b" + ".join([b"1"] * 100_000) + b" + "

CASES: dict[str, Case] = {
    "binary file with a .py name": Case(
        files={"blob.py": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 40},
        skipped={("blob.py", discovery.BINARY)},
    ),
    "file over max_file_size": Case(
        files={"huge.py": b"def big():\n    pass\n" + b"x = 1\n" * 2000, "small.py": b"def tiny():\n    pass\n"},
        max_file_size=4096,
        skipped={("huge.py", discovery.TOO_LARGE)},
        symbols={"small.py": {"small.tiny"}},
    ),
    "invalid UTF-8 bytes": Case(
        files={"badutf.py": b"def before():\n    pass\n\n\nBAD = '\xff\xfe\xfd'\n\n\ndef after():\n    return before()\n"
                            b"\n\nx = '\xff'; before()\n"},
        symbols={"badutf.py": {"badutf.before", "badutf.BAD", "badutf.after", "badutf.x"}},
        # One replacement character per undecodable byte, as editors show them.
        refs=[("badutf.py", 8, 11, "badutf.before"), ("badutf.py", 11, 9, "badutf.before")],
        errors={"badutf.py": r"UTF-8"},
    ),
    "unfinished def mid-edit": Case(
        files={"edit.py": b"def first():\n    return 1\n\n\ndef broken(\n\n\ndef last():\n    return first()\n"
                          b"\n\nclass After:\n    def method(self):\n        return last()\n"},
        symbols={"edit.py": {"edit.first", "edit.last", "edit.After", "edit.After.method"}},
        refs=[("edit.py", 8, 11, "edit.first"), ("edit.py", 13, 15, "edit.last")],
        errors={"edit.py": r"(^|; )5:\d+: (syntax error|missing)"},
    ),
    "missing colon mid-edit": Case(
        files={"colon.py": b"def a():\n    if ready\n        return 1\n\n\ndef b():\n    return a()\n"},
        symbols={"colon.py": {"colon.a", "colon.b"}},
        refs=[("colon.py", 6, 11, "colon.a")],
        errors={"colon.py": r"(^|; )2:\d+: (syntax error|missing)"},
    ),
    "dangling attribute mid-edit": Case(
        files={"dot.py": b"import os\n\n\ndef a():\n    os.\n\n\ndef b():\n    return a()\n"},
        symbols={"dot.py": {"dot.a", "dot.b"}},
        refs=[("dot.py", 8, 11, "dot.a")],
        errors={"dot.py": r"(^|; )5:\d+: (syntax error|missing)"},
    ),
    # Typing `value = a(1,` is the commonest half-typed line there is; the
    # definitions after it must not vanish from the outline.
    "unclosed call mid-edit": Case(
        files={"unclosed.py": b"def a():\n    return 1\n\n\nvalue = a(1,\n\n\ndef b():\n    return a()\n"},
        symbols={"unclosed.py": {"unclosed.a", "unclosed.b"}},
        names=[("unclosed.py", 7, 4, "unclosed.b")],
        refs=[("unclosed.py", 8, 11, "unclosed.a")],
        errors={"unclosed.py": r"(^|; )5:\d+: (syntax error|missing)"},
    ),
    "empty file": Case(files={"empty.py": b""}, symbols={"empty.py": set()}, errors={"empty.py": None}),
    "only comments": Case(
        files={"comments.py": b"# nothing here\n# but comments\n#\n"},
        symbols={"comments.py": set()},
        errors={"comments.py": None},
    ),
    "500 nested parentheses": Case(
        files={"parens.py": b"from lib import helper\n\n\ndef before():\n    pass\n\n\n" + _nested_parens(500)
                            + b"\n\ndef after():\n    return helper()\n"},
        symbols={"parens.py": {"parens.before", "parens.x", "parens.after"}},
        refs=[("parens.py", 7, 504, "lib.helper"), ("parens.py", 11, 11, "lib.helper")],
    ),
    "1000 nested calls": Case(
        files={"calls.py": b"from lib import helper\n\n\ndef f(x):\n    return x\n\n\ny = " + b"f(" * 1000 + b"helper()"
                           + b")" * 1000 + b"\n\n\ndef after():\n    return f(1)\n"},
        symbols={"calls.py": {"calls.f", "calls.y", "calls.after"}},
        refs=[("calls.py", 7, 4, "calls.f"), ("calls.py", 7, 4 + 2 * 999, "calls.f"),
              ("calls.py", 7, 4 + 2 * 1000, "lib.helper"), ("calls.py", 11, 11, "calls.f")],
        errors={"calls.py": None},
    ),
    "3000 nested lists": Case(
        files={"lists.py": b"y = " + b"[" * 3000 + b"]" * 3000 + b"\n\n\ndef after():\n    return y\n"},
        symbols={"lists.py": {"lists.y", "lists.after"}},
        refs=[("lists.py", 4, 11, "lists.y")],
    ),
    # CPython refuses these ("maximum recursion depth exceeded during
    # compilation"); tree-sitter parses them, but its query and the sweep
    # took time quadratic in the depth: a 100 kB file held the indexer for
    # minutes. The statement is left out, with a note; the rest is indexed.
    "20,000-deep attribute chain": Case(
        files={"chain.py": b"from lib import helper\n\n\ny = a" + b".b" * 20_000
                           + b"\n\n\ndef after():\n    return helper()\n"},
        symbols={"chain.py": {"chain.after"}},
        refs=[("chain.py", 7, 11, "lib.helper")],
        errors={"chain.py": r"^4:1: nested more than \d+ levels deep; statement left out$"},
    ),
    "20,000-term sum in a function": Case(
        files={"sums.py": b"from lib import helper\n\n\ndef total():\n    x = 1\n    s = " + b" + ".join([b"x"] * 20_000)
                          + b"\n    return helper()\n\n\ndef after():\n    return total()\n"},
        symbols={"sums.py": {"sums.total", "sums.after"}},
        refs=[("sums.py", 6, 11, "lib.helper"), ("sums.py", 10, 11, "sums.total")],
        errors={"sums.py": r"^6:5: nested more than \d+ levels deep; statement left out$"},
    ),
    "50k-element list literal": Case(
        files={"biglist.py": b"from lib import helper\n\nBIG = [" + b", ".join(b"%d" % i for i in range(50_000))
                             + b"]\n\n\ndef after():\n    return helper(BIG)\n"},
        symbols={"biglist.py": {"biglist.BIG", "biglist.after"}},
        refs=[("biglist.py", 6, 11, "lib.helper"), ("biglist.py", 6, 18, "biglist.BIG")],
        errors={"biglist.py": None},
    ),
    "very long line": Case(
        files={"longline.py": b"from lib import helper\n" + LONG_PREFIX + b"helper()\n\n\ndef after():\n    return total\n"},
        symbols={"longline.py": {"longline.total", "longline.after"}},
        refs=[("longline.py", 1, len(LONG_PREFIX), "lib.helper"), ("longline.py", 5, 11, "longline.total")],
        errors={"longline.py": None},
    ),
    "latin-1 with a coding cookie": Case(
        files={"latin.py": ("# -*- coding: latin-1 -*-\nGREETING = 'café'\n\n\ndef café():\n    return GREETING\n\n\n"
                            "def after():\n    return café()\n").encode("latin-1")},
        symbols={"latin.py": {"latin.GREETING", "latin.café", "latin.after"}},
        names=[("latin.py", 4, 4, "latin.café")],
        refs=[("latin.py", 5, 11, "latin.GREETING"), ("latin.py", 9, 11, "latin.café")],
        # A declared encoding is not an error: no UTF-8 complaint, no syntax errors.
        errors={"latin.py": None},
    ),
    "UTF-8 byte order mark": Case(
        # Editors do not count the BOM: `f` is character 4 of line 0.
        files={"bom.py": b"\xef\xbb\xbfdef f():\n    pass\n\n\nf()\n"},
        names=[("bom.py", 0, 4, "bom.f")],
        refs=[("bom.py", 4, 0, "bom.f")],
        errors={"bom.py": None},
    ),
    "Windows CRLF line endings": Case(
        files={"crlf.py": b"from lib import helper\r\n\r\nvalue = helper()\r\n\r\n\r\ndef after():\r\n"
                          b"    s = '\xc3\xa9'; return helper()\r\n"},
        symbols={"crlf.py": {"crlf.value", "crlf.after"}},
        names=[("crlf.py", 5, 4, "crlf.after")],
        refs=[("crlf.py", 2, 8, "lib.helper"), ("crlf.py", 6, 20, "lib.helper")],
        errors={"crlf.py": None},
    ),
    # Python (and LSP) accept a lone CR as a line break.
    "classic Mac CR line endings": Case(
        files={"cr.py": b"def g():\r    pass\r\r\rg()\r"},
        symbols={"cr.py": {"cr.g"}},
        refs=[("cr.py", 4, 0, "cr.g")],
        errors={"cr.py": None},
    ),
    "tabs": Case(
        # A tab is one character in LSP columns.
        files={"tabs.py": b"from lib import helper\n\n\ndef t():\n\tif True:\n\t\treturn helper()\n"},
        symbols={"tabs.py": {"tabs.t"}},
        refs=[("tabs.py", 5, 9, "lib.helper")],
        errors={"tabs.py": None},
    ),
    "symlink to a file outside the workspace": Case(
        files={"uses_link.py": b"from link import external_fn\n\nexternal_fn()\n"},
        outside={"ext.py": b"def external_fn():\n    return 2\n"},
        links={"link.py": "../outside/ext.py"},
        symbols={"link.py": {"link.external_fn"}},
        refs=[("uses_link.py", 2, 0, "link.external_fn")],
    ),
    "dangling symlink": Case(
        files={},
        links={"dangling.py": "../outside/missing.py"},
        skipped={("dangling.py", discovery.UNREADABLE)},
    ),
}


def needs(case: Case) -> list:
    return [needs_symlinks] if case.links else []


PARAMS = [pytest.param(c, id=name, marks=needs(c)) for name, c in CASES.items()]


def write_case(tmp_path: Path, case: Case) -> Path:
    root = tmp_path / "ws"
    for rel, data in {**BYSTANDERS, **case.files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    root.mkdir(exist_ok=True)
    for rel, data in case.outside.items():
        (tmp_path / "outside" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "outside" / rel).write_bytes(data)
    for rel, target in case.links.items():
        (root / rel).symlink_to(target)
    return root


def file_row(graph: Graph, path: str):
    return graph.conn.execute("SELECT path, error FROM files WHERE path = ?", (path,)).fetchone()


def ref_starts(graph: Graph, target: str) -> set[tuple[str, int, int]]:
    return {(r.path, r.range.start.line, r.range.start.character) for r in graph.references(target)}


def assert_bystanders_intact(graph: Graph) -> None:
    for path in BYSTANDERS:
        row = file_row(graph, path)
        assert row is not None and row[1] is None, f"bystander {path}: {row}"
    assert graph.symbol("lib.helper") is not None and graph.symbol("user.use") is not None
    assert set(BYSTANDER_REFS) <= ref_starts(graph, "lib.helper")


@pytest.mark.parametrize("case", PARAMS)
def test_bad_input(tmp_path: Path, caplog: pytest.LogCaptureFixture, case: Case) -> None:
    root = write_case(tmp_path, case)
    caplog.set_level(logging.INFO, logger="indexer")
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=1, max_file_size=case.max_file_size))
    graph = Graph(indexer.store, indexer.root)
    try:
        run = indexer.run()
        assert run.failed == 0, graph.conn.execute("SELECT path, error FROM files WHERE facts IS NULL").fetchall()
        assert run.parsed == len(BYSTANDERS) + len(case.files) + len(case.links) - len(case.skipped)

        for path, reason in case.skipped:
            assert file_row(graph, path) is None, f"{path} was indexed"
            found = discovery.discover(root, DiscoveryOptions(max_file_size=case.max_file_size))
            assert (path, reason) in {(s.path, s.reason) for s in found.skipped}
            assert f"skipped {path}: {reason}" in caplog.messages

        failures = []
        for path, expected in case.symbols.items():
            row = file_row(graph, path)
            if row is None:
                failures.append(f"{path} not in the index")
                continue
            got = {s.qualname for s in graph.symbols_in_file(path) if s.kind not in ("module", "parameter")}
            if not expected <= got:
                failures.append(f"{path}: missing symbols {sorted(expected - got)} (got {sorted(got)})")
        for path, line, character, qualname in case.names:
            starts = [(s.path, s.selection_range.start.line, s.selection_range.start.character)
                      for s in graph.symbols(qualname)]
            if (path, line, character) not in starts:
                failures.append(f"{qualname}: name expected at {path}:{line}:{character}, got {starts}")
        for path, line, character, target in case.refs:
            got = ref_starts(graph, target)
            if (path, line, character) not in got:
                near = sorted(
                    (r.range.start.line, r.range.start.character, r.target)
                    for r in graph.reference_at(path, line, character)
                )
                failures.append(f"no reference to {target} at {path}:{line}:{character} (refs there: {near}; "
                                f"refs to {target}: {sorted(got)})")
        for path, pattern in case.errors.items():
            row = file_row(graph, path)
            error = row[1] if row else "<not indexed>"
            if pattern is None and error is not None:
                failures.append(f"{path}: expected no error, got {error!r}")
            elif pattern is not None and not (error and re.search(pattern, error)):
                failures.append(f"{path}: error {error!r} does not match {pattern!r}")
        assert not failures, "\n".join(failures)

        assert_bystanders_intact(graph)
        # Files the index only refers to by the workspace's own relative paths.
        paths = [p for (p,) in graph.conn.execute("SELECT path FROM files")]
        assert all(not p.startswith(("/", "..")) for p in paths), paths
        # Bad input is settled once: the next run redoes nothing.
        again = indexer.run()
        assert (again.parsed, again.removed, again.failed) == (0, 0, 0)
        assert graph.pending() == 0
    finally:
        indexer.close()


@needs_symlinks
def test_symlinked_file_is_addressable_by_its_workspace_path(tmp_path: Path) -> None:
    """The index stores the link as `link.py`; looking it up by that name works."""
    case = CASES["symlink to a file outside the workspace"]
    root = write_case(tmp_path, case)
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=1))
    try:
        indexer.run()
        graph = Graph(indexer.store, indexer.root)
        assert [s.qualname for s in graph.symbols_in_file("link.py") if s.kind == "function"] == ["link.external_fn"]
        assert graph.relative_path(str(root / "link.py")) == "link.py"
        assert graph.resolve_target(f"{root / 'link.py'}:1:5") == ["link.external_fn"]
    finally:
        indexer.close()


# -- files that disappear ----------------------------------------------------------

GONE = {
    "gone.py": b"def gone_fn():\n    return 0\n",
    "caller.py": b"from gone import gone_fn\n\n\ndef call():\n    return gone_fn()\n",
}


def indexed(tmp_path: Path, files: dict[str, bytes]) -> tuple[Indexer, Graph]:
    root = tmp_path / "ws"
    root.mkdir(parents=True)
    for rel, data in {**BYSTANDERS, **files}.items():
        (root / rel).write_bytes(data)
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=1))
    indexer.run()
    return indexer, Graph(indexer.store, indexer.root)


def assert_gone_is_dropped(graph: Graph) -> None:
    assert file_row(graph, "gone.py") is None
    assert graph.symbol("gone.gone_fn") is None
    assert graph.symbols_in_file("gone.py") == []
    # The caller is still indexed; its use no longer lands on a symbol that does not exist.
    assert graph.symbol("caller.call") is not None
    assert all(r.target != "gone.gone_fn" or r.how != "scope" for r in graph.reference_at("caller.py", 4, 11))
    assert_bystanders_intact(graph)


@pytest.mark.parametrize("how", ["run", "update_paths"])
def test_deleted_file_is_dropped(tmp_path: Path, how: str) -> None:
    indexer, graph = indexed(tmp_path, GONE)
    try:
        assert ("caller.py", 4, 11) in ref_starts(graph, "gone.gone_fn")
        (indexer.root / "gone.py").unlink()
        run = indexer.run() if how == "run" else indexer.update_paths(["gone.py"])
        assert (run.removed, run.failed) == (1, 0)
        assert_gone_is_dropped(graph)
        assert graph.pending() == 0
    finally:
        indexer.close()


@pytest.mark.parametrize("paths", [["never_existed.py"], ["sub/never_existed.py", "gone.py"]], ids=["new", "mixed"])
def test_update_paths_with_paths_that_do_not_exist(tmp_path: Path, paths: list[str]) -> None:
    indexer, graph = indexed(tmp_path, GONE)
    try:
        (indexer.root / "gone.py").unlink()
        run = indexer.update_paths(paths)
        assert run.failed == 0 and run.parsed == 0
        assert run.removed == ("gone.py" in paths)
        assert file_row(graph, "never_existed.py") is None
        assert_bystanders_intact(graph)
    finally:
        indexer.close()


def _vanishing_run(tmp_path: Path) -> tuple[Indexer, Graph, object]:
    """A file discovered by `run` but deleted before it is parsed: with more than
    one batch of files, the progress callback of the first batch runs after
    discovery and before the last file (sorted last) is read."""
    files = {f"m{i:03}.py": b"from lib import helper\n\n\ndef f():\n    return helper()\n" for i in range(70)}
    files["zz_gone.py"] = b"from lib import helper\n\n\ndef gone_fn():\n    return helper()\n"
    root = tmp_path / "ws"
    root.mkdir()
    for rel, data in {**BYSTANDERS, **files}.items():
        (root / rel).write_bytes(data)
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=1))
    deleted = []

    def progress(done: int, total: int, message: str) -> None:
        if not deleted:
            (root / "zz_gone.py").unlink()
            deleted.append(message)

    run = indexer.run(progress=progress)
    assert deleted and deleted[0].startswith("64/"), "the file was not deleted between discovery and parsing"
    return indexer, Graph(indexer.store, indexer.root), run


def test_file_deleted_between_discovery_and_parsing(tmp_path: Path) -> None:
    indexer, graph, run = _vanishing_run(tmp_path)
    try:
        assert run.discovered == 73
        # Everything else is indexed; the vanished file has no symbols, and if it
        # is listed at all, the reason is recorded.
        assert graph.symbols_in_file("zz_gone.py") == []
        assert graph.symbol("zz_gone.gone_fn") is None
        row = file_row(graph, "zz_gone.py")
        assert row is None or re.search(r"unreadable|no such file", row[1] or "", re.I), row
        assert len(graph.references("lib.helper")) == 70 * 2 + len(BYSTANDER_REFS)
        assert_bystanders_intact(graph)
        # The next run drops it for good.
        again = indexer.run()
        assert again.failed == 0 and again.removed == (row is not None)
        assert file_row(graph, "zz_gone.py") is None
    finally:
        indexer.close()


def test_file_deleted_mid_run_leaves_nothing_pending(tmp_path: Path) -> None:
    """A finished run leaves no file waiting: `status` reports pending work from this."""
    indexer, graph, _ = _vanishing_run(tmp_path)
    try:
        pending = graph.conn.execute("SELECT path, error FROM files WHERE dirty = 1").fetchall()
        assert graph.pending() == 0, pending
    finally:
        indexer.close()


def test_status_counts_errors_not_deliberate_skips(tmp_path: Path) -> None:
    """A generated file left out on purpose is no error: `codemeld status` on
    a clean checkout of codemeld itself said "(1 with errors)" for its
    generated protocol.ts. A file that did not parse still counts."""
    from tests.support import build

    files = {"gen.ts": "// @generated: do not edit\nexport const x = 1;\n", "ok.py": "def f():\n    return 1\n",
             "broken.py": "def g(:\n    pass\n"}
    indexer, graph = build(tmp_path, files)
    try:
        notes = dict(graph.conn.execute("SELECT path, error FROM files WHERE error IS NOT NULL").fetchall())
        assert notes["gen.ts"].startswith("skipped: generated") and "broken.py" in notes
        assert graph.stats().errors == 1
    finally:
        indexer.close()
