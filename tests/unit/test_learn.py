"""Learned test impact and the affected-test selection.

Data-driven parts (diff parsing, changed lines -> symbols -> tests) run on a
real index; the learning itself runs the real pytest + pytest-cov of this
venv in a subprocess over a small project with passing, failing, hanging,
crashing tests and a collection error (marked slow).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from indexer.analysis import affected, learn
from indexer.analysis.impact import direct_summary, impact
from tests.support import build

PROJECT = {
    "pkg/__init__.py": "",
    "pkg/core.py": """
        def helper():
            return 1


        def dispatch(name):
            return globals()[name]()


        def add(a, b):
            return a + b


        def boom():
            raise RuntimeError("x")
        """,
    "tests/test_core.py": """
        import os
        import time

        from pkg.core import add, boom, dispatch


        def test_add():
            assert add(1, 2) == 3


        def test_dispatch():
            assert dispatch("helper") == 1


        def test_fails():
            boom()


        def test_hangs():
            time.sleep(30)


        def test_crash():
            if os.environ.get("CODEMELD_TEST_CRASH"):
                os._exit(3)
        """,
    "tests/test_broken.py": "import nonexistent_module_xyz\n",
}

DIFF_CASES = [
    # (unified=0 diff, {path: changed 0-based lines})
    ("+++ b/a.py\n@@ -3 +3 @@\n", {"a.py": [2]}),
    ("+++ b/a.py\n@@ -3,2 +3,3 @@\n", {"a.py": [2, 3, 4]}),
    ("+++ b/a.py\n@@ -5,2 +4,0 @@\n", {"a.py": [3, 4]}),  # deleted after line 4: both neighbours
    ("+++ /dev/null\n@@ -1,3 +0,0 @@\n", {}),  # a deleted file
    ("+++ b/x/b.py\n@@ -0,0 +1,2 @@\n+++ b/c.py\n@@ -7 +7 @@\n", {"x/b.py": [0, 1], "c.py": [6]}),
]


@pytest.mark.parametrize("diff, expected", DIFF_CASES)
def test_parse_diff(diff, expected):
    assert affected.parse_diff(diff) == expected


def test_text_changes():
    assert affected.text_changes("a\nb\nc\n", "a\nB\nc\n") == [1]
    assert affected.text_changes("a\nb\n", "a\nb\nc\n") == [2]


SELECT_CASES = [
    # (path, changed 0-based lines, changed symbols, selected tests)
    ("pkg/core.py", [8], {"pkg.core.add"}, {"tests/test_core.py::test_add"}),
    ("pkg/core.py", [12], {"pkg.core.boom"}, {"tests/test_core.py::test_fails"}),
    ("tests/test_core.py", [7], {"tests.test_core.test_add"}, {"tests/test_core.py::test_add"}),
    # helper is looked up by name: no static path, nothing selected until learned
    ("pkg/core.py", [1], {"pkg.core.helper"}, set()),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("learn"), PROJECT)
    yield indexer, graph
    indexer.close()


@pytest.mark.parametrize("path, lines, symbols, tests", SELECT_CASES)
def test_static_selection(project, path, lines, symbols, tests):
    _indexer, graph = project
    selection = affected.select(graph, {path: lines})
    assert {c.symbol.qualname for c in selection.changed} == symbols
    assert set(selection.ids()) == tests


def test_module_level_lines_are_reported_not_guessed(project):
    _indexer, graph = project
    selection = affected.select(graph, {"tests/test_core.py": [0]})  # `import os`
    assert selection.unowned == {"tests/test_core.py": [0]} and not selection.tests


@pytest.mark.slow
def test_learn_records_every_outcome_then_relearns_only_what_changed(tmp_path, monkeypatch):
    indexer, graph = build(tmp_path, PROJECT)
    root = indexer.root
    options = learn.LearnOptions(python=sys.executable, test_timeout=2)
    monkeypatch.setenv("CODEMELD_TEST_CRASH", "1")
    first = learn.learn(graph, options)
    assert first.mode == "full" and first.measured_with == "pytest-cov"
    assert first.outcomes == {
        "tests/test_core.py::test_add": "passed", "tests/test_core.py::test_dispatch": "passed",
        "tests/test_core.py::test_fails": "failed", "tests/test_core.py::test_hangs": "timeout",
        "tests/test_core.py::test_crash": "crashed"}
    assert set(first.collection_errors) == {"tests/test_broken.py"}
    monkeypatch.delenv("CODEMELD_TEST_CRASH")

    # helper is called by name: only the learned edge finds its test.
    report = impact(graph, "pkg.core.helper")
    assert [(t.id, t.source, t.stale) for t in report.tests] == [("tests/test_core.py::test_dispatch", "learned", False)]
    assert direct_summary(graph, "pkg.core.helper").endswith("· 1 learned")  # hover's line
    both = impact(graph, "pkg.core.add")
    assert [(t.id, t.source) for t in both.tests] == [("tests/test_core.py::test_add", "both")]
    assert [t.id for t in impact(graph, "pkg.core.add", learned=False).tests] == ["tests/test_core.py::test_add"]

    # A change to helper: its learned edge is stale (kept, marked), selected.
    core = root / "pkg" / "core.py"
    core.write_text(core.read_text().replace("return 1", "return 2"))
    indexer.run()
    stale = impact(graph, "pkg.core.helper")
    assert [(t.id, t.source, t.stale) for t in stale.tests] == [("tests/test_core.py::test_dispatch", "learned", True)]
    selection = affected.select(graph, {"pkg/core.py": [1]})
    assert selection.ids() == ["tests/test_core.py::test_dispatch"]

    # Incremental: the stale test, and those that did not pass; never test_add.
    second = learn.learn(graph, options)
    assert second.mode == "incremental"
    assert set(second.selected) == {"tests/test_core.py::test_dispatch", "tests/test_core.py::test_fails",
                                    "tests/test_core.py::test_hangs", "tests/test_core.py::test_crash",
                                    "tests/test_broken.py"}
    assert second.outcomes["tests/test_core.py::test_dispatch"] == "failed"
    assert second.outcomes["tests/test_core.py::test_crash"] == "passed"
    assert "tests/test_core.py::test_add" not in second.outcomes
    fresh = impact(graph, "pkg.core.helper")
    assert [(t.id, t.stale) for t in fresh.tests] == [("tests/test_core.py::test_dispatch", False)]
    indexer.close()


@pytest.mark.slow
def test_cli_affected_over_git(tmp_path):
    from tests.support import write_tree

    root = tmp_path / "ws"
    write_tree(root, {k: v for k, v in PROJECT.items() if k != "tests/test_broken.py"})
    git = ["git", "-C", str(root), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "init"], check=True)
    core = root / "pkg" / "core.py"
    core.write_text(core.read_text().replace("return a + b", "return b + a"))
    cli = [sys.executable, "-m", "server.cli", "tests", "affected", "--root", str(root),
           "--index-dir", str(tmp_path / "index")]
    done = subprocess.run(cli, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["tests/test_core.py::test_add"]
    data = json.loads(subprocess.run(cli + ["--json"], capture_output=True, text=True, check=True).stdout)
    assert [c["symbol"]["qualname"] for c in data["changed"]] == ["pkg.core.add"]
    ran = subprocess.run(cli + ["--run", "--python", sys.executable, "--", "-q", "-p", "no:cacheprovider"],
                         capture_output=True, text=True)
    assert ran.returncode == 0 and "1 passed" in ran.stdout, ran.stdout + ran.stderr
    subprocess.run(git + ["add", "-A"], check=True)
    staged = subprocess.run(cli + ["--staged"], capture_output=True, text=True, check=True)
    assert staged.stdout.split() == ["tests/test_core.py::test_add"]
    bad = subprocess.run(cli + ["--since", "no-such-rev"], capture_output=True, text=True)
    assert bad.returncode == 1 and "no-such-rev" in bad.stderr


def test_learned_runs_decide_for_the_tests_they_observed(tmp_path):
    """For code a recorded run executed, a test that run observed is selected
    only if it executed the change; tests no run observed come from the
    static walk."""
    files = {
        "lib.py": "def work():\n    return 1\n",
        "tests/test_lib.py": """
            from lib import work

            def test_calls_but_never_reaches():
                if False:
                    work()

            def test_uses():
                work()

            def test_new():
                work()
            """,
    }
    indexer, graph = build(tmp_path, files)
    static = affected.select(graph, {"lib.py": [1]})
    assert static.ids() == ["tests/test_lib.py::test_calls_but_never_reaches", "tests/test_lib.py::test_new",
                            "tests/test_lib.py::test_uses"]
    graph.store.replace_learned(
        {"tests/test_lib.py::test_calls_but_never_reaches": ("passed", 0.1, None),
         "tests/test_lib.py::test_uses": ("passed", 0.1, None)},
        {"tests/test_lib.py::test_calls_but_never_reaches": [],
         "tests/test_lib.py::test_uses": [("lib.work", "lib.py", "stale-hash")]})
    hybrid = affected.select(graph, {"lib.py": [1]})
    assert hybrid.ids() == ["tests/test_lib.py::test_new", "tests/test_lib.py::test_uses"]
    assert hybrid.tests["tests/test_lib.py::test_uses"].source == "both"
    assert affected.select(graph, {"lib.py": [1]}, learned=False).ids() == static.ids()
    indexer.close()


def test_a_changed_local_variable_changes_its_function(tmp_path):
    indexer, graph = build(tmp_path, {"m.py": "LIMIT = 3\n\ndef f():\n    total = LIMIT\n    return total\n"})
    changed, _ = affected.changed_symbols(graph, {"m.py": [3, 0]})  # `total = LIMIT`; `LIMIT = 3`
    assert sorted(c.symbol.qualname for c in changed) == ["m.LIMIT", "m.f"]
    indexer.close()


@pytest.mark.parametrize("node_id, there", [
    ("tests/test_core.py::test_add", True),
    ("tests/test_core.py::test_removed_since", False),  # renamed or deleted: never passed to pytest again
    ("tests/test_gone.py::test_x", False),
    ("tests/test_broken.py", True),  # a collection error is retried by file
])
def test_incremental_learn_skips_tests_that_no_longer_exist(project, node_id, there):
    _indexer, graph = project
    assert learn._still_there(graph, node_id) is there


def test_moved_and_removed_code_keeps_its_tests(tmp_path):
    """A function moved to another module has no learned edges yet: the static
    walk decides; tests that executed a removed function stay selected."""
    files = {
        "lib.py": "def work():\n    return 1\n\ndef old():\n    return 2\n",
        "tests/test_lib.py": """
            from lib import work, old

            def test_work():
                assert work() == 1

            def test_old():
                assert old() == 2
            """,
    }
    indexer, graph = build(tmp_path, files)
    graph.store.replace_learned(
        {"tests/test_lib.py::test_work": ("passed", 0.1, None), "tests/test_lib.py::test_old": ("passed", 0.1, None)},
        {"tests/test_lib.py::test_work": [("lib.work", "lib.py", "x")],
         "tests/test_lib.py::test_old": [("lib.old", "lib.py", "y")]})
    (indexer.root / "lib.py").write_text("def moved():\n    return 1\n\ndef work():\n    return moved()\n")
    indexer.run()
    selection = affected.select(graph, {"lib.py": [0, 1, 3, 4]})
    assert {c.symbol.qualname for c in selection.changed} == {"lib.moved", "lib.work"}
    assert selection.ids() == ["tests/test_lib.py::test_old", "tests/test_lib.py::test_work"]
    assert selection.tests["tests/test_lib.py::test_old"].source == "learned"
    indexer.close()


def test_learned_map_survives_a_schema_rebuild(tmp_path):
    """A new schema rebuilds the graph from the sources, but a learned map
    comes from a test run (minutes to hours) the sources cannot give back:
    every schema bump used to drop it silently."""
    from indexer.graph import store as store_module
    from indexer.graph.store import Store

    files = {"lib.py": "def work():\n    return 1\n", "tests/test_lib.py": "from lib import work\n\ndef test_work():\n    assert work() == 1\n"}
    indexer, graph = build(tmp_path, files)
    graph.store.replace_learned({"tests/test_lib.py::test_work": ("passed", 0.1, None)},
                                {"tests/test_lib.py::test_work": [("lib.work", "lib.py", "h")]})
    index_dir = graph.store.index_dir
    graph.store.conn.execute(f"PRAGMA user_version = {store_module.SCHEMA_VERSION - 1}")
    indexer.close()

    reopened = Store(index_dir)  # an older schema: rebuilt from scratch
    try:
        assert reopened.conn.execute("SELECT count(*) FROM files").fetchone()[0] == 0
        assert reopened.learned_tests() == {"tests/test_lib.py::test_work": ("passed", 0.1, None)}
        assert reopened.learned_edge_count() == 1
    finally:
        reopened.close()


def test_the_summary_counts_parametrized_cases_as_pytest_does():
    # What the pytest plugin reports for a function with 8 cases (one fails) and a plain one.
    ids = [f"tests/t.py::test_many[{i}]" for i in range(8)] + ["tests/t.py::test_one"]
    events = [e for i in ids for e in ({"event": "start", "id": i},
                                        {"event": "report", "id": i, "outcome": "passed", "seconds": 0.01},
                                        {"event": "finish", "id": i})]
    events.append({"event": "report", "id": "tests/t.py::test_many[3]", "outcome": "failed", "seconds": 0.0})
    functions, _ = learn._outcomes(events, [])
    cases, _ = learn._outcomes(events, [], key=str)
    run = learn.LearnRun(mode="full", python="python", outcomes={t: o for t, (o, _s, _m) in functions.items()},
                         case_outcomes={t: o for t, (o, _s, _m) in cases.items()})
    assert "1 failed, 8 passed (9 cases in 2 test functions)" in learn.learn_text(run)
    assert run.to_json()["outcomes"] == {"passed": 1, "failed": 1}  # unchanged: per function
    assert run.to_json()["caseOutcomes"] == {"passed": 8, "failed": 1}  # added: per case, as pytest counts
    plain = learn.LearnRun(mode="full", python="python", outcomes={"t.py::a": "passed", "t.py::b": "passed"},
                           case_outcomes={"t.py::a": "passed", "t.py::b": "passed"})
    assert "2 passed; " in learn.learn_text(plain) and "cases" not in learn.learn_text(plain)


PARAMETRIZED = {
    "pkg/__init__.py": "",
    "pkg/calc.py": "def double(x):\n    return 2 * x\n\n\ndef triple(x):\n    return 3 * x\n",
    "tests/test_calc.py": (
        "import pytest\n\nfrom pkg.calc import double, triple\n\n\n"
        "@pytest.fixture\ndef base():\n    return 1\n\n\n"
        "@pytest.mark.parametrize('n', range(40))\ndef test_many(n, base):\n    assert double(n + base - base) == 2 * n\n\n\n"
        "def test_one():\n    assert triple(2) == 6\n"),
}


@pytest.mark.slow
def test_coverage_records_one_context_per_test_function(tmp_path):
    """Per-test contexts cost coverage.py a switch and a row set each; pytest-cov's
    `--cov-context=test` made three per case (setup, run, teardown): 80,000 on
    packaging's 26,854 cases, about 1.5x the plain `pytest --cov` CPU, for a map
    kept per test function anyway. One context per function, same edges."""
    indexer, graph = build(tmp_path, PARAMETRIZED)
    work = tmp_path / "work"
    work.mkdir()
    runner = learn._Runner(indexer.root, sys.executable, "pytest-cov", learn.LearnOptions(python=sys.executable),
                           work, cancel=None)
    data_file, events, crashed = runner.run([])
    assert data_file is not None and not crashed
    assert sum(1 for e in events if e.get("event") == "start") == 41
    contexts = [c for c in learn.recorded_contexts(data_file) if c]
    assert sorted(contexts) == ["tests/test_calc.py::test_many", "tests/test_calc.py::test_one"], contexts
    run = learn.learn(graph, learn.LearnOptions(python=sys.executable))
    assert run.case_counts() == {"passed": 41}
    assert [t.id for t in impact(graph, "pkg.calc.double").tests] == ["tests/test_calc.py::test_many"]
    assert [t.id for t in impact(graph, "pkg.calc.triple").tests] == ["tests/test_calc.py::test_one"]
    assert [(t.id, t.source) for t in impact(graph, "pkg.calc.double").tests] == [
        ("tests/test_calc.py::test_many", "both")]
    indexer.close()
