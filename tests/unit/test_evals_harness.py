"""The evaluation harness's metrics and report: the definitions every
evaluation's figures rest on (a wrong denominator changes every table)."""

from __future__ import annotations

import json
import math

import pytest

from evals.harness import metrics, report


@pytest.mark.parametrize("expected, found, p, r, f1", [
    ({1, 2, 3, 4}, {1, 2, 5}, 2 / 3, 2 / 4, 2 * (2 / 3) * 0.5 / (2 / 3 + 0.5)),
    (set(), set(), 1.0, 1.0, 1.0),  # nothing to find, nothing wrongly found
    ({1}, set(), 1.0, 0.0, 0.0),
    (set(), {1}, 0.0, 1.0, 0.0),
])
def test_set_scores(expected, found, p, r, f1):
    score = metrics.SetScore().add(expected, found)
    assert (score.precision, score.recall, score.f1) == pytest.approx((p, r, f1))


def test_set_scores_are_micro_averaged():
    score = metrics.SetScore().add({1, 2}, {1, 2}).add({3, 4, 5, 6}, {3})
    assert (score.tp, score.fp, score.fn) == (3, 0, 3) and score.recall == 0.5


def test_ranking_metrics():
    ranks = [1, 2, None, 11]
    assert metrics.mrr(ranks) == pytest.approx((1 + 0.5 + 1 / 11) / 4)
    assert metrics.mrr(ranks, k=10) == pytest.approx(1.5 / 4)
    assert metrics.acc_at(ranks, 1) == 0.25 and metrics.acc_at(ranks, 10) == 0.5
    assert metrics.mrr([]) == 0.0 and metrics.acc_at([], 5) == 0.0
    assert metrics.rank_of(["a", "b", "c"], lambda x: x == "c") == 3
    assert metrics.rank_of(["a"], lambda x: x == "z") is None


def test_report_is_json_with_a_schema():
    r = report.new("search", projects=["requests==2.32.3"], k=10)
    r.results.append({"project": "requests==2.32.3", "codemeld": {"mrr@10": 0.5}})
    data = json.loads(report.dumps(r))
    assert report.Report.model_validate(data) == r
    schema = report.Report.model_json_schema()
    assert set(schema["required"]) == {"evaluation"} and "results" in schema["properties"]


# Three questions: (gold, predicted). Per question (tp/pred, tp/gold):
# q1 (1/2, 1/2), q2 (nothing predicted: p undefined, r 0), q3 (no gold: p 0, r undefined), q4 both empty.
QUESTIONS = [({1, 2}, {1, 3}), ({4}, set()), (set(), {5}), (set(), set())]


@pytest.mark.parametrize("over, macro_p, p_n", [
    ("predicted", (0.5 + 0.0) / 2, 2),  # refs: every symbol codemeld answered
    ("expected", 0.5 / 1, 1),           # impact: only functions with tests and a prediction
])
def test_per_question_scores(over, macro_p, p_n):
    score = metrics.PerQuestionScore(macro_precision_over=over)
    for gold, pred in QUESTIONS:
        score.add(gold, pred)
    assert (score.questions, score.gold, score.pred, score.tp) == (4, 3, 3, 1)
    assert (score.micro_p, score.micro_r) == pytest.approx((1 / 3, 1 / 3))
    assert score.micro_f1 == pytest.approx(1 / 3)
    assert (score.macro_p, score.p_n) == (pytest.approx(macro_p), p_n)
    assert (score.macro_r, score.r_n) == (pytest.approx(0.25), 2)
    assert (score.both_empty, score.empty_pred) == (1, 1)
    assert score.figures(("tp",), ("micro_p",)) == {"tp": 1, "micro_p": 0.3333}


def test_per_question_scores_keep_undefined_values_undefined():
    score = metrics.PerQuestionScore()
    assert all(math.isnan(v) for v in (score.micro_p, score.micro_r, score.micro_f1, score.macro_p, score.macro_r))
    assert score.figures((), ("macro_p",)) == {"macro_p": None}
    merged = metrics.PerQuestionScore()
    merged.merge(metrics.PerQuestionScore())
    merged.add({1}, {1})
    other = metrics.PerQuestionScore()
    other.add({2}, set())
    merged.merge(other)
    assert (merged.questions, merged.tp, merged.gold, merged.micro_r) == (2, 1, 2, 0.5)
    with pytest.raises(ValueError):
        metrics.PerQuestionScore(macro_precision_over="all")


@pytest.mark.slow
def test_lsp_client_drives_any_server_synchronously(tmp_path):
    """The harness's generic client (pyright's in evals/refs.py) over a real
    server process (codemeld's, the one that runs here without npm): answers,
    error answers as LspError, server requests answered from `settings`."""
    import shutil
    import sys

    from evals.harness.lsp import REPO, LspClient, LspError

    root = tmp_path / "shop"
    shutil.copytree(REPO / "tests" / "workspaces" / "shop", root)
    log = tmp_path / "server.log"
    client = LspClient([sys.executable, "-m", "server"], cwd=REPO, settings={"python": {"x": 1}}, log_path=log)
    try:
        client.initialize(root, timeout=60, options={"embeddings": False, "indexDir": str(tmp_path / "index")})
        import time
        deadline = time.monotonic() + 60
        while client.request("codemeld/status", None, 30)["state"] != "ready":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        found = client.request("workspace/symbol", {"query": "Cart"}, 30)
        assert any(s["name"] == "Cart" for s in found), found
        with pytest.raises(LspError):
            client.request("codemeld/noSuchMethod", {}, 30)
    finally:
        client.close()
    assert client.proc.returncode is not None


def test_an_evaluations_json_is_a_report(tmp_path):
    """`--json` of every evaluation: its figures inside a Report, arguments as settings."""
    out = tmp_path / "r.json"
    report.write(out, "refs", {"totals": {"all": {"micro_p": 0.5}}}, {"sample": 30, "cache": tmp_path, "fn": print})
    data = json.loads(out.read_text())
    assert report.Report.model_validate(data).evaluation == "refs"
    assert data["results"] == [{"totals": {"all": {"micro_p": 0.5}}}]
    assert data["settings"] == {"sample": 30, "cache": str(tmp_path)}
    assert report.of("edits", [{"a": 1}, {"a": 2}]).results == [{"a": 1}, {"a": 2}]


_FORKING_CHILD = """
import os, time
held = bytearray(60 << 20)
for page in range(0, len(held), 4096): held[page] = 1   # touched: resident, then shared with the fork
if os.fork() == 0:
    own = bytearray(40 << 20)
    for page in range(0, len(own), 4096): own[page] = 1
    time.sleep(3); os._exit(0)
time.sleep(3.5)
"""


@pytest.mark.slow  # a subprocess that forks
def test_tree_memory_counts_a_forked_workers_shared_pages_once():
    import subprocess
    import sys
    import time

    from evals.harness.processes import TreeMemory

    proc = subprocess.Popen([sys.executable, "-c", _FORKING_CHILD])
    memory = TreeMemory(proc.pid, interval=0.1)
    time.sleep(2.5)
    peak, procs = memory.stop()
    proc.wait()
    assert procs == 2
    # 60 MB shared + 40 MB the worker's own + two interpreters; summed RSS would count the 60 MB twice (160+).
    assert 100 <= peak < 150


def test_coverage_paths_survive_a_copied_cache(tmp_path):
    """coverage.py stores absolute paths: a cache copied elsewhere still maps
    its recorded files onto the new root (it used to give 0 truth pairs)."""
    import sqlite3

    from evals.harness.projects import coverage_files

    root = tmp_path / "copy" / "toolz-0.12.1"
    (root / "toolz").mkdir(parents=True)
    (root / "toolz" / "core.py").write_text("x = 1\n")
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE file (id INTEGER, path TEXT)")
    conn.executemany("INSERT INTO file VALUES (?, ?)", [
        (1, str(root / "toolz" / "core.py")),                   # recorded here
        (2, "/old/cache/impact/toolz-0.12.1/toolz/core.py"),     # recorded before the copy
        (3, "/old/cache/impact/toolz-0.12.1/toolz/gone.py"),     # no such file now
        (4, "/usr/lib/python3/os.py"),                           # outside the project
    ])
    assert coverage_files(conn, root) == {1: "toolz/core.py", 2: "toolz/core.py"}



def test_impact_eval_counts_false_pairs_by_the_links_that_bring_them():
    """`python -m evals.impact --edges N`: each selected (function, test)
    pair counts under every link of its chain, false and true apart."""
    from evals.harness.chain_links import chain_links, tally

    kinds = {"lib.hub": "call/scope", "lib.main": "call/self", "tests.test_a": "call/import"}
    via = ("lib.leaf", "lib.hub", "lib.main", "tests.test_a")
    assert chain_links(via, kinds) == ("lib.hub <- lib.leaf [call/scope]", "lib.main <- lib.hub [call/self]")
    short = chain_links(("lib.leaf", "lib.hub", "tests.test_a"), kinds)
    false, true = tally([(chain_links(via, kinds), False), (short, True), (short, False)])
    assert false == {"lib.hub <- lib.leaf [call/scope]": 2, "lib.main <- lib.hub [call/self]": 1}
    assert true == {"lib.hub <- lib.leaf [call/scope]": 1}


@pytest.mark.parametrize("body, unscored", [
    ('    """Does nothing."""\n', True),     # coverage records no line: the truth could never name a test
    ("    pass\n", False),                   # `pass` and `...` record their line when called
    ("    ...\n", False),
    ('    """doc"""\n    return x\n', False),
    ("    'doc'\n    pass\n", False),
    ("    1\n", False),                      # a constant that is not a string is not a docstring
])
def test_impact_eval_leaves_out_functions_with_no_executable_line(body, unscored):
    """evals.impact scores only functions whose body can show up in coverage;
    the others are counted apart ("not scored"), never dropped silently."""
    import ast

    from evals.harness.projects import no_executable_line

    assert no_executable_line(ast.parse(f"def f(x):\n{body}").body[0]) is unscored


def test_a_copied_cache_runs_its_own_tree(tmp_path):
    """A cache copied elsewhere: the venv's editable install (a .pth of a
    src/ layout, or pip's finder module) named the old project, so the
    copy's test runs imported the old tree and the trace run found no stack
    (wrapt: every miss "not entered in the trace run")."""
    from evals.harness.projects import WorkDir, relocate_editable

    work = WorkDir(tmp_path / "copy" / "impact" / "wrapt-1.16.0")
    site = work.venv / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    old = "/old/cache/impact/wrapt-1.16.0/project"
    (site / "__editable__.wrapt-1.16.0.pth").write_text(old + "/src\n")
    finder = site / "__editable___voluptuous_0_15_2_finder.py"
    finder.write_text(f"MAPPING = {{'voluptuous': '{old}/voluptuous'}}\n")
    other = site / "distutils-precedence.pth"
    other.write_text("import os\n")
    assert sorted(p.name for p in relocate_editable(work)) == sorted([finder.name, "__editable__.wrapt-1.16.0.pth"])
    assert (site / "__editable__.wrapt-1.16.0.pth").read_text() == f"{work.project}/src\n"
    assert finder.read_text() == f"MAPPING = {{'voluptuous': '{work.project}/voluptuous'}}\n"
    assert other.read_text() == "import os\n"
    assert relocate_editable(work) == []  # already here: nothing to do
