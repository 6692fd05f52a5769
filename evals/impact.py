"""Measure codemeld's affected tests against per-test coverage on real projects.

Ground truth of "what breaks if I change F": the tests that execute F. For
each corpus project (a pinned PyPI sdist, see corpora.py) we copy its tree
into the cache, give it a venv of its own (the project installed in editable
mode, its test requirements, pytest-cov), run its test suite ONCE under
`pytest --cov=PKG --cov-context=test` and keep the coverage data. For each
function and method of the package, the tests whose context executed a line
of its body (the def line excluded: it runs at import) are the answer.
A function whose body is its docstring alone records no line when it runs
(harness.projects.no_executable_line): coverage cannot answer for it, so it
is left out of the score on every project and counted in the report ("not
scored"; at main e64d362: click 2, pluggy 1, boltons 10, tenacity 3,
packaging 7, the other eleven none). The selection itself still lists its
callers' tests: an edit gives it a body.

codemeld's side is static only: index the tree (graph only), then for each
function `impact(graph, qualname, depth=D)` with no coverage, and compare
its affected tests with the answer: recall and precision, micro (over all
(function, test) pairs) and macro (averaged over the functions with at
least one test in the answer), at several depths and confidence thresholds.
The learned edges (what `codemeld tests learn` stores, built from the same
coverage data) are scored alone and merged with the static walk (hybrid).

    python -m evals.impact                       # click 8.1.7
    python -m evals.impact --project click --project itsdangerous \
        --project markupsafe --show 8 --json /tmp/impact.json
    python -m evals.impact --depths 6 --thresholds 0 0.5 --no-hybrid
    python -m evals.impact --pyright   # + pyright's call hierarchy, for scale

With --show N, the N functions with the most missed tests are listed with
their missed tests, and (unless --no-trace) a second pytest run, profiled,
records the call stack at which each missed test first enters the function
(every missed pair by default; --trace-sample to take fewer). The first
caller on that stack that codemeld does not count as a dependent is the link
the static graph is missing; those links are tallied by reason, call site
and callee, every stack step without an edge is tallied too, and a "recall
ladder" says how far recall could go if each kind of missing step were
learnt (an upper bound: depth ignored, precision unknown).

Results go to stdout; progress and logs go to stderr. The venv, the
coverage data, the test outcomes and the traces are cached under
$CODEMELD_CORPORA/impact/NAME-VERSION/ (--rerun-tests to redo the run);
the codemeld index is rebuilt every run (--reuse-index to keep it).
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import math
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from evals.harness import report as reports
from evals.harness import corpora
from evals.harness.chain_links import chain_links, tally
from evals.harness.keywords import supported
from evals.harness.metrics import PerQuestionScore
from evals.harness.projects import (  # noqa: F401  (the work dirs and test venvs live in the harness)
    _COPIED, _INSTALLED, PROJECTS, TOOL_REQUIREMENTS, ProjectSpec, WorkDir, coverage_files, ensure_venv,
    no_executable_line,
    prepare_workdir, pytest_env, venv_requirements, write_plugin)

REPO_ROOT = Path(__file__).resolve().parent.parent

try:
    from indexer.analysis import learn as learning  # noqa: E402
except ImportError:  # an older checkout (baseline runs): --no-hybrid
    learning = None
from indexer.analysis.coverage_data import CoverageMap, numbits_to_lines  # noqa: E402
from indexer.analysis.impact import DEFAULT_DEPTH, DEFAULT_LIMIT, impact, test_node_id  # noqa: E402
try:  # what `codemeld tests affected` keeps by default
    from indexer.analysis.affected import DEFAULT_MIN_CONFIDENCE  # noqa: E402
except ImportError:  # an older checkout (baseline runs)
    DEFAULT_MIN_CONFIDENCE = 0.0
try:  # the receiver walks' memo, free of query order (its walk count is logged)
    from indexer.analysis.impact_order import ORDER_MEMO  # noqa: E402
except ImportError:  # an older checkout, for a before/after baseline
    ORDER_MEMO = None
from indexer.pipeline.index import IndexOptions, Indexer  # noqa: E402
from indexer.graph.query import Graph  # noqa: E402

DEFAULT_DEPTHS = tuple(sorted({DEFAULT_DEPTH, 6, 8, 10, 12}))
DEFAULT_THRESHOLDS = (0.0, 0.3, 0.5)
GOAL_RECALL, GOAL_PRECISION = 0.85, 0.6  # issue 12's goal for the static selection


DEFAULT_PROJECTS = ("click",)


def log(msg: str) -> None:
    print(f"[evals.impact] {msg}", file=sys.stderr, flush=True)


def run_tests(spec: ProjectSpec, work: WorkDir, timeout: float) -> dict:
    """The one coverage run; returns its metadata (cached in run.json)."""
    rc_file = work.base / "coveragerc"
    # Our own config, not the project's: its [coverage:run] may ask for branch
    # data (click's does), and the answer needs plain per-line data.
    rc_file.write_text(textwrap.dedent(f"""\
        [run]
        data_file = {work.coverage}
        branch = False
        relative_files = False
        """))
    for stale in (work.coverage, work.outcomes, work.traces):
        stale.unlink(missing_ok=True)
    cmd = [str(work.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "codemeld_eval_plugin",
           f"--cov={spec.package}", "--cov-context=test", f"--cov-config={rc_file}", "--cov-report=",
           *spec.pytest_args]
    log(f"running {spec.label}'s tests: {' '.join(cmd[2:])}")
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=work.project, env=pytest_env(work, {"CODEMELD_EVAL_OUTCOMES": str(work.outcomes)}),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    seconds = time.monotonic() - started
    tail = proc.stdout.strip().splitlines()[-1:] or [""]
    log(f"tests finished in {seconds:.1f}s (exit {proc.returncode}): {tail[0]}")
    (work.base / "pytest.log").write_text(proc.stdout)
    if proc.returncode not in (0, 1) or not work.coverage.exists():
        raise SystemExit(f"{spec.label}: the test run failed (exit {proc.returncode}); see {work.base / 'pytest.log'}")
    meta = {"seconds": round(seconds, 2), "exit": proc.returncode, "summary": tail[0], "command": cmd[2:]}
    work.run_meta.write_text(json.dumps(meta, indent=1))
    return meta


# --------------------------------------------------------------------------
# Ground truth: the coverage data, per function
# --------------------------------------------------------------------------

def test_id(context: str) -> str | None:
    """`tests/t.py::TestA::test_b[x-1]|setup` -> `tests/t.py::TestA::test_b`;
    None for the empty context (code run outside any test: imports)."""
    if "::" not in context:
        return None
    context = context.rsplit("|", 1)[0] if context.endswith(("|run", "|setup", "|teardown")) else context
    return context.split("[", 1)[0]


def read_coverage(data_file: Path, root: Path) -> dict[str, dict[int, set[str]]]:
    """rel path -> 1-based line -> test ids. Reads coverage.py's SQLite schema
    directly; branch data (table arc) counts each arc's ends as executed."""
    root = root.resolve()
    out: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    conn = sqlite3.connect(f"file:{data_file}?mode=ro", uri=True)
    try:
        files = coverage_files(conn, root)
        contexts = {cid: test_id(text) for cid, text in conn.execute("SELECT id, context FROM context")}
        for fid, cid, numbits in conn.execute("SELECT file_id, context_id, numbits FROM line_bits"):
            if fid in files and contexts.get(cid):
                per_line = out[files[fid]]
                for line in numbits_to_lines(numbits):
                    per_line[line].add(contexts[cid])
        for fid, cid, start, end in conn.execute("SELECT file_id, context_id, fromno, tono FROM arc"):
            if fid in files and contexts.get(cid):
                for line in (start, end):
                    if line > 0:
                        out[files[fid]][line].add(contexts[cid])
    finally:
        conn.close()
    return out


@dataclass(frozen=True)
class Function:
    path: str          # POSIX, relative to the project root
    qualname: str      # as ast sees it: Class.method
    kind: str          # function | method
    name_line: int     # 0-based line of the name token
    name_col: int      # 0-based column of the name token (ASCII def lines)
    first_line: int    # 1-based co_firstlineno: first decorator, else the def
    body: tuple[int, int]  # 1-based first and last line of the body
    docstring_only: bool = False  # no executable line: coverage cannot see it run (not scored)

    @property
    def key(self) -> str:
        return f"{self.path}:{self.name_line + 1}"

    @property
    def is_dunder(self) -> bool:
        name = self.qualname.rsplit(".", 1)[-1]
        return len(name) > 4 and name.startswith("__") and name.endswith("__")


def package_functions(root: Path, spec: ProjectSpec, unscored: list[Function] | None = None) -> list[Function]:
    """Module-level functions and methods (of nested classes too) in the
    package; nested functions belong to the function around them; @overload
    stubs have no body to run. A function whose body has no executable line
    (see `no_executable_line`) goes to `unscored` instead."""
    module = spec.package
    bases = [b for b in (root / "src" / module, root / module, root / f"{module}.py", root / "src" / f"{module}.py")
             if b.exists()]
    if not bases:
        raise SystemExit(f"{spec.label}: no package {module} under {root}")
    out: list[Function] = []
    for base in bases:
        for path in sorted(base.rglob("*.py")) if base.is_dir() else [base]:
            if any(path.relative_to(root).as_posix().startswith(f"{folder}/") for folder in spec.exclude):
                continue
            source = path.read_text(encoding="utf-8", errors="replace")
            try:
                tree = ast.parse(source)
            except SyntaxError as exc:
                log(f"skipping {path}: {exc}")
                continue
            _collect(tree.body, "", False, source.split("\n"), path.relative_to(root).as_posix(), out)
    if unscored is not None:
        unscored.extend(f for f in out if f.docstring_only)
    return [f for f in out if not f.docstring_only]


def _collect(body, prefix: str, in_class: bool, lines: list[str], rel: str, out: list[Function]) -> None:
    for node in body:
        if isinstance(node, ast.ClassDef):
            _collect(node.body, f"{prefix}{node.name}.", True, lines, rel, out)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any((d.attr if isinstance(d, ast.Attribute) else getattr(d, "id", "")) == "overload"
                   for d in node.decorator_list):
                continue
            text = lines[node.lineno - 1]
            col = text.find(node.name, text.find("def ") + 4)
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            out.append(Function(rel, f"{prefix}{node.name}", "method" if in_class else "function",
                                node.lineno - 1, col, first, (node.body[0].lineno, node.end_lineno),
                                no_executable_line(node)))
        elif isinstance(node, (ast.If, ast.Try)):
            # `if TYPE_CHECKING: ... else: def f()`, `try: ... except ImportError: def f()`
            for block in (node.body, node.orelse, getattr(node, "finalbody", []),
                          *[h.body for h in getattr(node, "handlers", [])]):
                _collect(block, prefix, in_class, lines, rel, out)


def ground_truth(functions: list[Function], covered: dict[str, dict[int, set[str]]],
                 universe: set[str]) -> dict[str, set[str]]:
    out = {}
    for f in functions:
        per_line = covered.get(f.path, {})
        tests: set[str] = set()
        for line in range(f.body[0], f.body[1] + 1):
            tests |= per_line.get(line, set())
        out[f.key] = tests & universe
    return out


def test_universe(work: WorkDir, covered: dict[str, dict[int, set[str]]]) -> tuple[set[str], Counter]:
    """Tests that ran (passed or failed; skipped ones executed nothing), by
    stripped node id; falls back to every test seen in the coverage data."""
    outcomes: dict[str, str] = json.loads(work.outcomes.read_text()) if work.outcomes.exists() else {}
    counts = Counter(outcomes.values())
    if outcomes:
        return {test_id(n + "|run") for n, o in outcomes.items() if o in ("passed", "failed")}, counts
    return {t for per_line in covered.values() for ts in per_line.values() for t in ts}, counts


# --------------------------------------------------------------------------
# codemeld's answers
# --------------------------------------------------------------------------

@dataclass
class Prediction:
    tests: dict[str, float]         # test id -> confidence (within the universe)
    outside: int                    # affected tests that are not tests that ran
    reach: set[str] = field(default_factory=set)  # dependents' qualnames (kept for tracing)
    truncated: bool = False
    paths: dict[str, frozenset[str]] = field(default_factory=dict)  # test id -> "kind/how" of its chain's links
    edges: dict[str, tuple[str, ...]] = field(default_factory=dict)  # test id -> "user <- used [kind/how]" of its chain


@dataclass
class ProjectResult:
    spec: ProjectSpec
    work: WorkDir
    functions: list[Function]
    truth: dict[str, set[str]]
    universe: set[str]
    outcomes: Counter
    run_meta: dict
    qualnames: dict[str, str | None] = field(default_factory=dict)   # Function.key -> codemeld qualname
    static: dict[int, dict[str, Prediction]] = field(default_factory=dict)  # depth -> key -> prediction
    impact_seconds: dict[int, float] = field(default_factory=dict)
    hybrid: dict[str, Prediction] = field(default_factory=dict)
    learned: dict[str, Prediction] = field(default_factory=dict)
    hybrid_seconds: float = 0.0
    index_seconds: float | None = None
    pyright: dict[str, set[str]] | None = None
    pyright_seconds: float | None = None
    traces: dict[str, list] = field(default_factory=dict)
    graph: Graph | None = None
    unscored: list[Function] = field(default_factory=list)  # no executable line (no_executable_line)

    @property
    def label(self) -> str:
        return self.spec.label


def build_index(work: WorkDir, jobs: int, reuse: bool) -> tuple[Indexer, float | None]:
    if not reuse:
        shutil.rmtree(work.index, ignore_errors=True)
    indexer = Indexer(work.project, work.index, IndexOptions(jobs=jobs))
    started = time.monotonic()
    run = indexer.run()
    seconds = time.monotonic() - started
    log(f"codemeld: indexed {work.project} in {seconds:.1f}s ({run})")
    return indexer, (None if reuse else seconds)


def resolve_qualnames(graph: Graph, functions: list[Function]) -> dict[str, str | None]:
    out = {}
    for f in functions:
        sym = graph.definition_at(f.path, f.name_line, f.name_col)
        out[f.key] = sym.qualname if sym is not None and sym.kind in ("function", "method") else None
    missing = [f.key for f in functions if out[f.key] is None]
    if missing:
        log(f"codemeld has no symbol for {len(missing)} functions, e.g. {', '.join(missing[:5])}")
    return out


_NO_LINE_LOGGED: list[bool] = []


def predict(graph: Graph, qualname: str, universe: set[str], depth: int, limit: int,
            coverage=None, learned: bool = False, only_learned: bool = False, line: int | None = None) -> Prediction:
    # `learned` exists from the value-flow/learned-impact change on, `line`
    # (which picks one of the definitions sharing a qualname: a property's
    # setter) later; the harness also runs against older checkouts for a
    # before/after baseline. Read from the function called, at each call
    # (harness.keywords: a wrapper read at import once dropped `line`).
    extra = supported(impact, learned=learned, line=line)
    if line is not None and "line" not in extra and not _NO_LINE_LOGGED:
        _NO_LINE_LOGGED.append(True)  # (said once: an older checkout's every setter)
        log("impact() takes no `line`: a property setter answers as its getter")
    report = impact(graph, qualname, depth=depth, limit=limit, coverage=coverage, **extra)
    tests: dict[str, float] = {}
    paths: dict[str, frozenset[str]] = {}
    links = {d.symbol.qualname: f"{d.kind}/{d.how}" for d in report.dependents}
    edges: dict[str, tuple[str, ...]] = {}
    outside = 0
    for t in report.tests:
        if only_learned and t.source == "static":
            continue
        if t.id in universe:
            if t.confidence >= tests.get(t.id, 0.0):
                paths[t.id] = frozenset(links[q] for q in t.via[1:] if q in links)
                edges[t.id] = chain_links(t.via, links)
            tests[t.id] = max(tests.get(t.id, 0.0), t.confidence)
        else:
            outside += 1
    reach = {d.symbol.qualname for d in report.dependents} | {qualname}
    return Prediction(tests, outside, reach, report.truncated, paths, edges)


def run_codemeld(result: ProjectResult, args) -> None:
    indexer, result.index_seconds = build_index(result.work, args.jobs, args.reuse_index)
    graph = Graph(indexer.store, indexer.root)
    result.graph = graph
    result.qualnames = resolve_qualnames(graph, result.functions)
    targets = [(f.key, result.qualnames[f.key]) for f in result.functions if result.qualnames[f.key]]
    if args.only:
        targets = [(key, q) for key, q in targets if q in args.only]
    # The queries in another order (one process shares its memo across them):
    # the answers must not change (impact_order).
    if args.order == "reversed":
        targets.reverse()
    elif args.order == "shuffled":
        random.Random(args.seed).shuffle(targets)
    lines = {f.key: f.name_line for f in result.functions}
    for depth in args.depths:
        started = time.monotonic()
        result.static[depth] = {key: predict(graph, q, result.universe, depth, args.limit, line=lines[key])
                                for key, q in targets}
        result.impact_seconds[depth] = time.monotonic() - started
        log(f"codemeld: {len(targets)} impact queries at depth {depth} in {result.impact_seconds[depth]:.1f}s"
            + (f" ({ORDER_MEMO.walks} receiver walks so far)" if ORDER_MEMO is not None else ""))
    if not args.no_hybrid:
        # What `codemeld tests learn` stores, from the same per-test coverage
        # run (indexer.analysis.learn maps each executed line to its innermost function).
        coverage = CoverageMap(result.work.project, result.work.coverage)
        edges = learning.edges_from_coverage(graph, coverage)
        indexer.store.replace_learned({t: ("passed", None, None) for t in edges}, edges)
        started = time.monotonic()
        result.learned = {key: predict(graph, q, result.universe, DEFAULT_DEPTH, args.limit, learned=True,
                                       only_learned=True, line=lines[key]) for key, q in targets}
        result.hybrid = {key: predict(graph, q, result.universe, DEFAULT_DEPTH, args.limit, learned=True,
                                      line=lines[key]) for key, q in targets}
        result.hybrid_seconds = time.monotonic() - started


# --------------------------------------------------------------------------
# pyright's call hierarchy, followed transitively (optional, for scale)
# --------------------------------------------------------------------------

def run_pyright(result: ProjectResult, args) -> None:
    """Tests reached by following pyright's incoming calls from each function,
    transitively (breadth first, --pyright-depth levels). A caller is a test
    when codemeld's index says the function at that name is one (naming only:
    pyright decides every edge). Answers are cached per call hierarchy item."""
    from evals import refs as eval_refs

    pyright = eval_refs.ensure_pyright(args.pyright_version, args.cache, 600)
    cache_path = result.work.base / f"pyright-calls-{args.pyright_version}.json"
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    roots: dict[str, list] = cache.setdefault("roots", {})      # Function.key -> item keys
    incoming: dict[str, list] = cache.setdefault("incoming", {})  # item key -> caller item keys
    root = result.work.project
    todo = [f for f in result.functions if f.key not in roots]
    started = time.monotonic()
    if todo:
        eval_refs.ensure_pyright_config(root)
        client = eval_refs.LspClient([str(pyright.langserver), "--stdio"], cwd=root, settings=pyright.settings(),
                                     log_path=result.work.base / "pyright.log")
        try:
            client.initialize(root)
            for n, f in enumerate(todo, 1):
                uri = eval_refs._open(client, root / f.path)
                items = client.request("textDocument/prepareCallHierarchy", {
                    "textDocument": {"uri": uri}, "position": {"line": f.name_line, "character": f.name_col}},
                    600) or []
                client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
                roots[f.key] = [_item_key(i, root) for i in items]
                frontier = list(items)
                for _level in range(args.pyright_depth):
                    nxt = []
                    for item in frontier:
                        key = _item_key(item, root)
                        if key in incoming:
                            continue
                        calls = client.request("callHierarchy/incomingCalls", {"item": item}, 600) or []
                        incoming[key] = [_item_key(c["from"], root) for c in calls]
                        nxt.extend(c["from"] for c in calls)
                    frontier = nxt
                if n % 20 == 0 or n == len(todo):
                    log(f"pyright call hierarchy: {n}/{len(todo)} functions, {len(incoming)} items "
                        f"({time.monotonic() - started:.0f}s)")
                    cache_path.write_text(json.dumps(cache))
        finally:
            client.close()
            cache_path.write_text(json.dumps(cache))
    result.pyright_seconds = time.monotonic() - started if todo else None
    tests_of_item: dict[str, str | None] = {}
    result.pyright = {}
    for f in result.functions:
        seen: set[str] = set()
        frontier = list(roots.get(f.key, []))
        for _level in range(args.pyright_depth + 1):
            nxt = []
            for key in frontier:
                if key not in seen:
                    seen.add(key)
                    nxt.extend(incoming.get(key, []))
            frontier = nxt
        found = set()
        for key in seen:
            if key not in tests_of_item:
                tests_of_item[key] = _item_test_id(result.graph, key)
            if tests_of_item[key]:
                found.add(tests_of_item[key])
        result.pyright[f.key] = found & result.universe


def _item_key(item: dict, root: Path) -> str:
    from evals import refs as eval_refs

    path = eval_refs._relative_to_root(eval_refs._uri_to_path(item["uri"]), root) or "<outside>"
    start = item["selectionRange"]["start"]
    return f"{path}\t{start['line']}\t{start['character']}\t{item['name']}"


def _item_test_id(graph: Graph, key: str) -> str | None:
    path, line, character, _name = key.split("\t")
    if path == "<outside>":
        return None
    sym = graph.definition_at(path, int(line), int(character))
    if sym is None or not sym.is_test or sym.kind not in ("function", "method"):
        return None
    return test_node_id(sym, graph.symbol)


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------

@dataclass
class Score(PerQuestionScore):
    """Affected tests against the tests that execute a function, over functions
    (`evals.harness.metrics.PerQuestionScore`): macro recall over functions
    with >= 1 test in the answer (`r_n`), macro precision over those of them
    codemeld predicted >= 1 test for; the others are `empty_pred`."""
    macro_precision_over: str = "expected"

    @property
    def functions(self) -> int:
        return self.questions

    def to_json(self) -> dict:
        return {"functions": self.functions, **self.figures(("gold", "pred", "tp", "r_n", "empty_pred"),
                                                             ("micro_p", "micro_r", "macro_p", "macro_r"))}


def score(result: ProjectResult, predictions: dict[str, Prediction] | dict[str, set[str]],
          threshold: float = 0.0, subset=None) -> Score:
    s = Score()
    for f in result.functions:
        if subset is not None and not subset(f):
            continue
        p = predictions.get(f.key)
        if isinstance(p, Prediction):
            pred = {t for t, c in p.tests.items() if c >= threshold}
        else:
            pred = set(p or ())
        s.add(result.truth[f.key], pred)
    return s


# --------------------------------------------------------------------------
# Why tests were missed: the call stacks of a sample of misses
# --------------------------------------------------------------------------

def missed_pairs(result: ProjectResult, depth: int) -> dict[str, list[str]]:
    out = {}
    for f in result.functions:
        p = result.static[depth].get(f.key)
        missed = sorted(result.truth[f.key] - set(p.tests if p else ()))
        if missed:
            out[f.key] = missed
    return out


def worst_functions(result: ProjectResult, depth: int, n: int) -> list[Function]:
    missed = missed_pairs(result, depth)
    by_key = {f.key: f for f in result.functions}
    keys = sorted(missed, key=lambda k: (-len(missed[k]), k))
    return [by_key[k] for k in keys[:n]]


_TRACE_VERSION = 2  # bump when the plugin's stack format changes


def trace_misses(result: ProjectResult, depth: int, show: int, sample: int, seed: int, timeout: float) -> None:
    """One pytest run over the chosen missed tests, recording the stack at
    which each first enters its function. Cached per (test, function).
    sample <= 0 traces every missed pair."""
    work = result.work
    data = json.loads(work.traces.read_text()) if work.traces.exists() else {}
    cached: dict[str, list] = data.get("stacks", {}) if data.get("version") == _TRACE_VERSION else {}
    missed = missed_pairs(result, depth)
    by_key = {f.key: f for f in result.functions}
    chosen: list[tuple[str, str]] = []
    for f in worst_functions(result, depth, show):
        chosen += [(t, f.key) for t in missed[f.key][:3]]
    if sample <= 0:  # every missed pair: one profiled run of the tests involved
        shown = set(chosen)
        chosen += [(t, k) for k in sorted(missed) for t in missed[k] if (t, k) not in shown]
    else:
        rng = random.Random(seed)
        rest = sorted(set(missed) - {k for _, k in chosen})
        for key in rng.sample(rest, min(sample, len(rest))):
            chosen.append((rng.choice(missed[key]), key))
    result.traces = {f"{t}\t{k}": cached[f"{t}\t{k}"] for t, k in chosen if f"{t}\t{k}" in cached}
    todo = [(t, k) for t, k in chosen if f"{t}\t{k}" not in cached]
    if not todo:
        return
    tests: dict[str, list] = defaultdict(list)
    for t, k in todo:
        f = by_key[k]
        tests[t].append([k, str(work.project / f.path), f.first_line])
    spec_file = work.base / "trace-spec.json"
    out_file = work.base / "trace-out.json"
    spec_file.write_text(json.dumps({"root": str(work.project), "tests": tests, "out": str(out_file)}))
    out_file.unlink(missing_ok=True)
    cmd = [str(work.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "codemeld_eval_plugin",
           "-p", "no:cov", *sorted(tests)]
    log(f"tracing {len(todo)} missed (test, function) pairs over {len(tests)} tests")
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=work.project, env=pytest_env(work, {"CODEMELD_EVAL_TRACE": str(spec_file)}),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    log(f"trace run: {time.monotonic() - started:.1f}s, exit {proc.returncode}")
    found = json.loads(out_file.read_text()) if out_file.exists() else {}
    for t, k in todo:
        cached[f"{t}\t{k}"] = found.get(f"{t}\t{k}", [])  # [] = not entered (e.g. only one param case ran it)
    work.traces.write_text(json.dumps({"version": _TRACE_VERSION, "stacks": cached}))
    result.traces = {f"{t}\t{k}": cached[f"{t}\t{k}"] for t, k in chosen}


@dataclass(frozen=True)
class Link:
    """Where the static graph loses a traced miss: `caller` (at `site`) calls
    `callee`, which codemeld counts as a dependent of the target, but
    codemeld does not count `caller` as one. `reason` sorts the misses by
    what the resolver would have to learn; `refs` is what the index holds
    for the calls on that line."""
    kind: str       # missing-call | depth | fixture | test-not-reached | not-entered
    caller: str
    callee: str
    site: str       # path:line
    code: str
    reason: str = ""
    refs: str = ""


_CONSTRUCTORS = ("__init__", "__new__", "__post_init__", "__attrs_post_init__")


def frame_symbol(graph: Graph, path: str, line: int, name: str, first: int, cache: dict) -> str:
    """The codemeld symbol of a frame, from its code object (name and first
    line, decorators included), not from the executing line: a test running
    its `@cli.command()` decorator line is still the test."""
    key = (path, first, name)
    if key not in cache:
        found = None
        if not name.startswith("<"):
            for sym in graph.symbols_in_file(path):
                if sym.name == name and sym.kind in ("function", "method") and \
                        sym.range.start.line <= first - 1 <= sym.selection_range.start.line:
                    found = sym.qualname
                    break
        if found is None:  # lambdas, comprehensions, module code
            sym = graph.enclosing_symbol(path, (first if name.startswith("<") else line) - 1)
            found = sym.qualname if sym else f"{path}:<module>"
        cache[key] = found
    return cache[key]


def find_link(result: ProjectResult, test: str, key: str, depth: int, lines) -> Link:
    stack = result.traces.get(f"{test}\t{key}") or []
    if not stack:
        return Link("not-entered", "", "", "", "")
    graph = result.graph
    reach = result.static[depth][key].reach
    deepest = result.static[max(result.static)][key].reach
    frames = stack_frames(result, stack)
    # Innermost first: the target, its caller, ... up to the test or a fixture.
    callee = frames[-1][0]
    for qual, path, line in reversed(frames[:-1]):
        if qual not in reach:
            kind = "depth" if qual in deepest else "missing-call"
            code = lines.get(path, line - 1)
            reason, refs = classify(graph, callee, path, line, code) if kind == "missing-call" else ("depth", "")
            return Link(kind, qual, callee, f"{path}:{line}", code, reason, refs)
        callee = qual
    outer = frames[0][0]
    test_qual = test.split("::", 1)[1].replace("::", ".")
    if not outer.endswith(test_qual):
        # Entered from a fixture's setup/teardown (pytest calls it, not the test).
        return Link("fixture", test, outer, f"{frames[0][1]}:{frames[0][2]}", "", "fixture not linked to test")
    return Link("test-not-reached", test, outer, f"{frames[0][1]}:{frames[0][2]}", "", "test not reached")


def receiver_kind(graph: Graph, rows: list, attr: tuple) -> str:
    """What the `x` of an unresolved `x.attr(...)` is, by the ref just before it."""
    before = [r for r in rows if r is not attr and rows.index(r) < rows.index(attr)]
    if not before or not before[-1][2]:
        return "an expression (call result, subscript...)"
    name, _c, target, _h, kind = before[-1]
    if kind == "parameter":
        owner = graph.symbol(target.rsplit(".", 1)[0])
        fixture = graph.conn.execute("SELECT 1 FROM refs WHERE kind = 'fixture' AND enclosing = ? AND name = ?",
                                     (owner.qualname if owner else "", name)).fetchone()
        if fixture:
            return "a fixture parameter"
        if owner is not None and owner.is_test:
            return "a test parameter (parametrize)"
        return "an unannotated parameter"
    if kind == "variable":
        return "a local variable of unknown type"
    return f"a {kind or 'name'}"


def stack_frames(result: ProjectResult, stack: list) -> list[tuple[str, str, int]]:
    """(qualname, path, line) per frame, outermost first, runs of one function merged."""
    cache = result.__dict__.setdefault("_frame_cache", {})
    frames: list[tuple[str, str, int]] = []
    for path, line, name, first in stack:
        qual = frame_symbol(result.graph, path, line, name, first, cache)
        if frames and frames[-1][0] == qual:
            frames[-1] = (qual, path, line)
            continue
        frames.append((qual, path, line))
    return frames


def broken_edges(result: ProjectResult, stack: list) -> list[tuple[str, str, str]]:
    """Every caller -> callee step of a traced stack that codemeld has no
    edge for (the caller is not a depth-1 dependent of the callee):
    (caller, callee, site). All of them must be learnt to find the test."""
    direct = result.__dict__.setdefault("_direct", {})

    def dependents(qualname: str, depth: int = 1) -> set[str]:
        if (qualname, depth) not in direct:
            try:
                report = impact(result.graph, qualname, depth=depth, limit=100_000)
                direct[(qualname, depth)] = {d.symbol.qualname for d in report.dependents}
            except KeyError:
                direct[(qualname, depth)] = set()
        return direct[(qualname, depth)]

    frames = stack_frames(result, stack)
    out = []
    for (caller, path, line), (callee, _p, _l) in zip(frames, frames[1:]):
        if caller in dependents(callee):
            continue
        # A closure is called by whoever called the factory that returned it
        # (`@click.group()` runs command.decorator, returned by command() called
        # by group()): the path through its factories counts.
        sym = result.graph.symbol(callee)
        parent = result.graph.symbol(sym.parent) if sym is not None and sym.parent else None
        if parent is not None and parent.kind in ("function", "method") and caller in dependents(callee, 3):
            continue
        out.append((caller, callee, f"{path}:{line}"))
    return out


def classify(graph: Graph, callee: str, path: str, line: int, code: str) -> tuple[str, str]:
    """Why the call on this line is not an edge to `callee`, from the refs the
    index holds there: a heuristic, to group misses for a human."""
    rows = graph.conn.execute(
        "SELECT r.name, r.kind, r.target, r.how,"
        " (SELECT s.kind FROM symbols s WHERE s.qualname = r.target LIMIT 1) FROM refs r JOIN files f ON f.id = r.file_id"
        " WHERE f.path = ? AND r.sl = ? AND r.kind IN ('call', 'attribute', 'read', 'decorator')"
        " GROUP BY r.sc, r.target ORDER BY r.sc", (path, line - 1)).fetchall()
    refs = "; ".join(f"{n}->{t or '?'} ({h}{', ' + k if k else ''})" for n, _c, t, h, k in rows if n != "self")
    callee_name = callee.rsplit(".", 1)[-1]
    owner = callee.rsplit(".", 1)[0]
    named = [r for r in rows if r[0] == callee_name]
    if callee_name in _CONSTRUCTORS:
        if any(t == owner or (k == "class" and t) for _n, c, t, _h, k in rows if c == "call"):
            return "class call -> __init__ not followed", refs
        return "constructor through a variable/parameter holding a class", refs
    if callee_name.startswith("__") and callee_name.endswith("__"):
        return f"implicit protocol ({callee_name}: with/for/repr/call/operator)", refs
    if named:
        name, _c, target, how, kind = named[0]
        if target is None or how == "unresolved":
            return f"unresolved attribute call on {receiver_kind(graph, rows, named[0])}", refs
        if kind in ("attribute", "parameter", "variable") or how in ("scope",) and target != callee:
            return f"callable held in a {kind or 'variable'} ({name})", refs
        return f"resolved to another target ({target}, {how})", refs
    if code.lstrip().startswith(("for ", "async for ")) or " for " in code:
        return "iteration protocol (for over an object: __iter__/generator)", refs
    holders = [k for _n, c, t, _h, k in rows if c == "call" and k in ("attribute", "parameter", "variable")]
    if holders:
        return f"call of a callable held in a {holders[0]} (callback)", refs
    return "callee name not on the line (alias, multi-line call)", refs


class SourceLines:
    def __init__(self, root: Path):
        self.root = root
        self._files: dict[str, list[str]] = {}

    def get(self, rel: str, line: int) -> str:
        if rel not in self._files:
            path = self.root / rel
            self._files[rel] = path.read_text(encoding="utf-8", errors="replace").split("\n") if path.is_file() else []
        lines = self._files[rel]
        return lines[line].strip() if 0 <= line < len(lines) else ""


# --------------------------------------------------------------------------
# Reporting (stdout)
# --------------------------------------------------------------------------

def fmt(value: float) -> str:
    return "    -" if math.isnan(value) else f"{value:.3f}"


def print_table(header: list[str], rows: list[list]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells) -> str:
        return "  ".join(str(c).rjust(w) if i else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    print(line(header))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))


def _row(label: str, s: Score) -> list:
    goal = "yes" if s.micro_r >= GOAL_RECALL and s.micro_p >= GOAL_PRECISION else "no"
    return [label, s.gold, s.pred, s.tp, fmt(s.micro_r), fmt(s.micro_p), fmt(s.macro_r), fmt(s.macro_p),
            s.empty_pred, goal]


_HEADER = ["answer", "truth", "pred", "tp", "micro-R", "micro-P", "macro-R", "macro-P", "no-pred", "goal"]


def print_project(result: ProjectResult, args) -> dict:
    functions = result.functions
    with_tests = sum(1 for f in functions if result.truth[f.key])
    resolved = sum(1 for q in result.qualnames.values() if q)
    print(f"\n== {result.label}: {len(functions)} functions/methods, {with_tests} run by >= 1 test, "
          f"{resolved} resolved by codemeld; {len(result.unscored)} more not scored (no executable line: "
          f"{', '.join(f.qualname for f in result.unscored[:4])}{', ...' if len(result.unscored) > 4 else ''})")
    print(f"tests: {len(result.universe)} ran ({dict(result.outcomes)} by parametrized case); "
          f"(function, test) pairs in the truth: {sum(len(v) for v in result.truth.values())}")
    meta = result.run_meta
    index = "reused" if result.index_seconds is None else f"{result.index_seconds:.1f}s"
    print(f"timing: test run {meta.get('seconds', 0):.1f}s{' (cached)' if meta.get('cached') else ''}, "
          f"index {index}, impact " + ", ".join(f"depth {d}: {s:.1f}s ({1000 * s / max(resolved, 1):.0f} ms/query)"
                                                  for d, s in result.impact_seconds.items())
          + (f", hybrid {result.hybrid_seconds:.1f}s" if result.hybrid else "")
          + (f", pyright {_seconds(result.pyright_seconds)}" if result.pyright is not None else ""))
    rows, scores = [], {}
    for depth in args.depths:
        for threshold in args.thresholds:
            s = score(result, result.static[depth], threshold)
            scores[f"static depth={depth} conf>={threshold:g}"] = s
            default = depth == DEFAULT_DEPTH and threshold == DEFAULT_MIN_CONFIDENCE
            rows.append(_row(f"static depth={depth} conf>={threshold:g}" + (" (default selection)" * default), s))
    if result.hybrid:
        s = score(result, result.learned)
        scores["learned"] = s
        rows.append(_row("learned (tests learn edges only)", s))
        s = score(result, result.hybrid)
        scores[f"hybrid depth={DEFAULT_DEPTH}"] = s
        rows.append(_row(f"hybrid depth={DEFAULT_DEPTH} (static + learned)", s))
    if result.pyright is not None:
        s = score(result, result.pyright)
        scores[f"pyright call hierarchy depth<={args.pyright_depth}"] = s
        rows.append(_row(f"pyright incomingCalls depth<={args.pyright_depth}", s))
    print("recall/precision of affected tests (micro: all (function, test) pairs; macro: mean over functions "
          f"run by >= 1 test); goal R>={GOAL_RECALL} with P>={GOAL_PRECISION}")
    print_table(_HEADER, rows)
    outside = sum(p.outside for p in result.static[DEFAULT_DEPTH].values())
    truncated = sum(p.truncated for p in result.static[DEFAULT_DEPTH].values())
    print(f"depth {DEFAULT_DEPTH}: {outside} predicted test ids were not tests that ran (skipped, not collected) "
          f"and are left out; {truncated} reports truncated (limit {args.limit} or depth)")
    kinds = [("methods", lambda f: f.kind == "method" and not f.is_dunder),
             ("dunder methods", lambda f: f.is_dunder),
             ("functions", lambda f: f.kind == "function")]
    rows = [_row(f"{label} (depth {DEFAULT_DEPTH})", score(result, result.static[DEFAULT_DEPTH], 0.0, pred))
            for label, pred in kinds]
    print()
    print_table(_HEADER, rows)
    return scores


def print_buckets(result: ProjectResult, depth: int, top: int = 15) -> None:
    """Where the false positives come from: each predicted (function, test)
    pair counted under every link kind ("kind/how": the edge kind and the
    rule that found it) on the chain that reached the test; and where the
    misses are: functions with no prediction at all against the rest."""
    tp: Counter = Counter()
    fp: Counter = Counter()
    missed_empty = missed_other = 0
    for f in result.functions:
        p = result.static[depth].get(f.key)
        truth = result.truth[f.key]
        # The default selection's pairs (a test a rule ruled out is listed at confidence 0).
        selected = {t for t, conf in p.tests.items() if conf >= DEFAULT_MIN_CONFIDENCE} if p is not None else set()
        if not selected:
            missed_empty += len(truth)
            continue
        missed_other += len(truth - selected)
        for test in selected:
            for label in p.paths.get(test, ()):
                (tp if test in truth else fp)[label] += 1
    print(f"\n{result.label}: false positives of the default selection by link kind on their chain (depth {depth}; a pair counts under "
          f"each kind on its chain); misses: {missed_empty} pairs of functions with no prediction, "
          f"{missed_other} of the others")
    print_table(["kind/how", "fp", "tp", "fp share"],
                [[k, n, tp[k], f"{n / (n + tp[k]):.2f}"] for k, n in fp.most_common(top)])


def print_edges(result: ProjectResult, depth: int, top: int) -> None:
    """The links that bring the false pairs, with the true pairs the same
    links bring (harness/chain_links.py)."""
    fp, tp = tally((p.edges.get(test, ()), test in result.truth[f.key])
                   for f in result.functions if (p := result.static[depth].get(f.key)) is not None
                   for test, conf in p.tests.items() if conf >= DEFAULT_MIN_CONFIDENCE)
    print(f"\n{result.label}: the links on the chains of the default selection's pairs (depth {depth})")
    print_table(["user <- used [kind/how]", "fp", "tp"], [[k, n, tp[k]] for k, n in fp.most_common(top)])


def _seconds(value: float | None) -> str:
    return "cached" if value is None else f"{value:.1f}s"


def print_worst(result: ProjectResult, depth: int, n: int) -> None:
    if n <= 0:
        return
    src = SourceLines(result.work.project)
    missed = missed_pairs(result, depth)
    print(f"\n{result.label}: the {n} functions with most missed tests (depth {depth}, all confidences)")
    for f in worst_functions(result, depth, n):
        pred = result.static[depth].get(f.key)
        gold = result.truth[f.key]
        found = len(gold & set(pred.tests)) if pred else 0
        print(f"\n  {result.qualnames.get(f.key) or f.qualname}  ({f.key})  truth {len(gold)}, found {found}, "
              f"predicted {len(pred.tests) if pred else 0}, missed {len(missed[f.key])}")
        for t in missed[f.key][:3]:
            print(f"    MISSED {t}")
            if f"{t}\t{f.key}" in result.traces:
                link = find_link(result, t, f.key, depth, src)
                print(f"      {_link_text(link)}")
                for path, line, name, _first in (result.traces[f"{t}\t{f.key}"] or [])[:14]:
                    print(f"        {path}:{line} {name}  | {src.get(path, line - 1)[:90]}")


def _link_text(link: Link) -> str:
    if link.kind == "not-entered":
        return "not entered in the trace run (only some parametrized cases run it)"
    if link.kind == "fixture":
        return f"entered from fixture {link.callee} during setup ({link.site}): fixture -> test not linked"
    if link.kind == "test-not-reached":
        return f"every frame is a dependent, but the test {link.caller} is not (its own call, {link.site})"
    if link.kind == "depth":
        return f"beyond the depth limit: {link.caller} -> {link.callee} at {link.site}: {link.code[:100]}"
    return (f"missing link [{link.reason}]: {link.caller} -> {link.callee} at {link.site}: {link.code[:100]}"
            f"\n        index holds: {link.refs[:200]}")


def print_links(result: ProjectResult, depth: int, top: int = 40) -> list[dict]:
    if not result.traces:
        return []
    src = SourceLines(result.work.project)
    links = []
    for pair in result.traces:
        test, key = pair.split("\t")
        links.append((test, key, find_link(result, test, key, depth, src)))
    print(f"\n{result.label}: where the static graph loses the {len(links)} traced missed (function, test) pairs "
          f"(depth {depth}); the link is the first caller on the traced stack that is not a dependent")
    reasons = Counter(link.reason or link.kind for _, _, link in links)
    functions = defaultdict(set)
    for _, key, link in links:
        functions[link.reason or link.kind].add(key)
    print_table(["reason", "pairs", "share", "functions"],
                [[r, n, f"{n / len(links):.1%}", len(functions[r])] for r, n in reasons.most_common()])
    per_edge = Counter((link.reason, link.caller, link.callee, link.site, link.code, link.refs)
                       for _, _, link in links if link.kind in ("missing-call", "depth"))
    per_site = Counter((link.reason, link.site) for _, _, link in links if link.kind in ("missing-call", "depth"))
    print(f"\nthe {top} call sites that lose most pairs:")
    shown = set()
    for (reason, site), count in per_site.most_common(top):
        edges = [(e, n) for e, n in per_edge.items() if e[0] == reason and e[3] == site]
        _, caller, _callee, _site, code, refs = edges[0][0]
        callees = sorted({e[2] for e, _n in edges})
        print(f"  {count:5d}  [{reason}] {site}  in {caller}  | {code[:90]}")
        print(f"         -> {', '.join(callees[:4])}{' ...' if len(callees) > 4 else ''}")
        if refs and (reason, site) not in shown:
            print(f"         index: {refs[:170]}")
        shown.add((reason, site))
    per_callee = Counter((link.reason, link.callee) for _, _, link in links if link.kind == "missing-call")
    sites = defaultdict(set)
    for _, _, link in links:
        sites[(link.reason, link.callee)].add(link.site)
    print(f"\nthe {top // 2} callees whose missing incoming edges lose most pairs (over all their call sites):")
    for (reason, callee), count in per_callee.most_common(top // 2):
        print(f"  {count:5d}  {callee}  [{reason}]  at {len(sites[(reason, callee)])} sites")
    fixtures = Counter(link.callee for _, _, link in links if link.kind == "fixture")
    for fixture, count in fixtures.most_common(10):
        print(f"  {count:5d}  [fixture] {fixture} -> (tests using it)")
    # Not just the first break: every step of each stack that has no edge.
    per_pair = {pair: broken_edges(result, stack) for pair, stack in result.traces.items() if stack}
    histogram = Counter(min(len(v), 4) for v in per_pair.values())
    print(f"\nbroken steps per traced stack (all steps, not only the first): "
          + ", ".join(f"{'4+' if n == 4 else n}: {histogram[n]}" for n in sorted(histogram))
          + " (0 = every step has an edge: lost to depth or to the test link)")
    per_step: Counter = Counter()
    step_sites: dict[str, Counter] = defaultdict(Counter)
    for edges in per_pair.values():
        for callee in {e[1] for e in edges}:
            per_step[callee] += 1
        for caller, callee, site in set(edges):
            step_sites[callee][(caller, site)] += 1
    print_fix_ladder(result, per_pair, depth, src)
    print(f"\nthe {top // 2} callees with a missing incoming step on most traced stacks (sites: top 2 of n):")
    for callee, count in per_step.most_common(top // 2):
        sites = step_sites[callee]
        print(f"  {count:5d}  {callee}  ({len(sites)} sites)")
        for (caller, site), _n in sites.most_common(2):
            path, line = site.rsplit(":", 1)
            print(f"           from {caller} at {site}  | {src.get(path, int(line) - 1)[:80]}")
    return [{"test": t, "function": k, **vars(link)} for t, k, link in links]


def coarse(reason: str) -> str:
    """Reasons without their per-case details, to group them."""
    if reason.startswith("implicit protocol"):
        return "implicit dunder protocol (with/for/repr/call/operators)"
    if reason.startswith("resolved to another target"):
        return "resolved to another target"
    if "callable held in" in reason:
        return "call of a callable held in a variable/attribute/parameter (callback)"
    return reason


def print_fix_ladder(result: ProjectResult, per_pair: dict, depth: int, src: SourceLines) -> None:
    """Upper bounds: the recall if every broken step of one more kind were
    learnt (kinds taken greedily by the pairs they unlock; depth ignored)."""
    kinds_cache: dict[tuple[str, str], str] = {}
    pair_kinds: dict[str, set[str]] = {}
    for pair, edges in per_pair.items():
        kinds = set()
        for caller, callee, site in edges:
            if (callee, site) not in kinds_cache:
                path, line = site.rsplit(":", 1)
                reason, _refs = classify(result.graph, callee, path, int(line), src.get(path, int(line) - 1))
                kinds_cache[(callee, site)] = coarse(reason)
            kinds.add(kinds_cache[(callee, site)])
        pair_kinds[pair] = kinds
    base = score(result, result.static[depth])
    fixed: set[str] = set()
    unlocked = sum(1 for k in pair_kinds.values() if not k)
    print(f"\nrecall ladder (upper bounds, depth unlimited): the {base.gold} truth pairs, {base.tp} found at depth "
          f"{depth} (R={base.micro_r:.3f}); {unlocked} traced misses have no broken step (depth or test naming)")
    print(f"  + {'nothing else':70s} R <= {(base.tp + unlocked) / base.gold:.3f}")
    remaining = {k for ks in pair_kinds.values() for k in ks}
    while remaining:
        best = max(sorted(remaining), key=lambda k: sum(1 for ks in pair_kinds.values()
                                                        if ks and ks <= fixed | {k} and not ks <= fixed))
        fixed.add(best)
        remaining.discard(best)
        unlocked = sum(1 for ks in pair_kinds.values() if ks <= fixed)
        print(f"  + {best[:70]:70s} R <= {(base.tp + unlocked) / base.gold:.3f}")


def write_json(path: Path, results: list[ProjectResult], all_scores: dict, all_links: dict, args) -> None:
    projects = []
    for r in results:
        functions = []
        for f in r.functions:
            entry = {"key": f.key, "qualname": r.qualnames.get(f.key) or f.qualname, "kind": f.kind,
                     "path": f.path, "line": f.name_line + 1, "truth": sorted(r.truth[f.key]), "static": {}}
            for depth, preds in r.static.items():
                p = preds.get(f.key)
                tests = p.tests if p else {}
                entry["static"][str(depth)] = {
                    "tests": {t: round(c, 3) for t, c in sorted(tests.items())},
                    "missing": sorted(r.truth[f.key] - set(tests)),
                    "extra": sorted(set(tests) - r.truth[f.key]),
                    "truncated": bool(p and p.truncated)}
            if r.pyright is not None:
                entry["pyright"] = sorted(r.pyright.get(f.key, ()))
            functions.append(entry)
        projects.append({
            "project": r.label, "root": str(r.work.project), "tests_ran": len(r.universe),
            "outcomes": dict(r.outcomes), "test_run": r.run_meta,
            "index_seconds": r.index_seconds,
            "impact_seconds": {str(d): round(s, 2) for d, s in r.impact_seconds.items()},
            "scores": {k: s.to_json() for k, s in all_scores[r.label].items()},
            "traced_misses": all_links.get(r.label, []),
            "functions": functions,
        })
    reports.write(path, "impact", {"depths": args.depths, "thresholds": args.thresholds, "projects": projects},
                  vars(args))
    log(f"wrote {path}")


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------

def evaluate(spec: ProjectSpec, args) -> ProjectResult:
    work = prepare_workdir(spec, args.cache)
    ensure_venv(spec, work, args.python)
    if args.rerun_tests or not (work.coverage.exists() and work.run_meta.exists()):
        meta = run_tests(spec, work, args.test_timeout)
    else:
        meta = json.loads(work.run_meta.read_text()) | {"cached": True}
        log(f"{spec.label}: reusing the coverage data of a previous test run ({meta['seconds']}s)")
    covered = read_coverage(work.coverage, work.project)
    universe, outcomes = test_universe(work, covered)
    unscored: list[Function] = []
    functions = package_functions(work.project, spec, unscored)
    truth = ground_truth(functions, covered, universe)
    log(f"{spec.label}: {len(functions)} functions, {len(universe)} tests ran, "
        f"{sum(len(v) for v in truth.values())} (function, test) pairs")
    result = ProjectResult(spec, work, functions, truth, universe, outcomes, meta, unscored=unscored)
    run_codemeld(result, args)
    if args.pyright:
        run_pyright(result, args)
    return result


def parse_project(text: str) -> ProjectSpec:
    name, _, version = text.partition("==")
    spec = PROJECTS.get(name.lower())
    if spec is None:
        raise argparse.ArgumentTypeError(f"{name}: known projects are {', '.join(PROJECTS)}")
    return dataclasses.replace(spec, version=version) if version else spec


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--project", action="append", type=parse_project, metavar="NAME[==VERSION]",
                   help=f"corpus project (repeatable), one of {', '.join(PROJECTS)}; default: "
                        + " ".join(DEFAULT_PROJECTS))
    p.add_argument("--depths", type=int, nargs="+", default=list(DEFAULT_DEPTHS),
                   help="impact depths to score (default %(default)s)")
    p.add_argument("--thresholds", type=float, nargs="+", default=list(DEFAULT_THRESHOLDS),
                   help="confidence thresholds (default %(default)s)")
    p.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="impact() size limit (default %(default)s)")
    p.add_argument("--jobs", type=int, default=1, help="indexer worker processes, 0 = one per core (default 1)")
    p.add_argument("--reuse-index", action="store_true", help="keep the codemeld index of a previous run")
    p.add_argument("--rerun-tests", action="store_true", help="run the test suite again even if cached")
    p.add_argument("--test-timeout", type=float, default=1800, help="seconds for the test run (default %(default)s)")
    p.add_argument("--python", default=sys.executable, help="interpreter of the projects' venvs (default: this one)")
    p.add_argument("--no-hybrid", action="store_true", help="skip the coverage-merged sanity check")
    p.add_argument("--pyright", action="store_true",
                   help="also follow pyright's call hierarchy transitively (slow; cached)")
    p.add_argument("--pyright-depth", type=int, default=DEFAULT_DEPTH)
    p.add_argument("--pyright-version", default="1.1.408")
    p.add_argument("--show", type=int, default=0, metavar="N",
                   help="print the N functions with most missed tests (at the default depth)")
    p.add_argument("--no-trace", action="store_true",
                   help="with --show: do not rerun missed tests to record their call stacks")
    p.add_argument("--trace-sample", type=int, default=0,
                   help="with --show: trace one missed test of this many functions besides the shown ones; "
                        "0 (default) traces every missed (function, test) pair, in one profiled run")
    p.add_argument("--buckets", action="store_true",
                   help="print the false positives by the link kinds of their chains, and the misses")
    p.add_argument("--edges", type=int, default=0, metavar="N",
                   help="print the N chain links that bring the most false pairs (at the largest depth)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--order", choices=("given", "reversed", "shuffled"), default="given",
                   help="the order of the impact queries in the process (shuffled by --seed); answers must not depend on it")
    p.add_argument("--only", action="append", metavar="QUALNAME",
                   help="query only these functions (each alone: a fresh process's answer)")
    p.add_argument("--cache", type=Path, default=None,
                   help="cache dir (default: $CODEMELD_CORPORA or ~/.cache/codemeld-corpora)")
    p.add_argument("--json", type=Path, metavar="OUT", help="write per-function details here")
    args = p.parse_args(argv)
    args.project = args.project or [PROJECTS[n] for n in DEFAULT_PROJECTS]
    args.cache = (args.cache or corpora.cache_root()).expanduser().resolve()
    if DEFAULT_DEPTH not in args.depths:
        args.depths.insert(0, DEFAULT_DEPTH)
    if DEFAULT_MIN_CONFIDENCE not in args.thresholds:
        args.thresholds.insert(0, DEFAULT_MIN_CONFIDENCE)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results, all_scores, all_links = [], {}, {}
    for spec in args.project:
        result = evaluate(spec, args)
        results.append(result)
        all_scores[result.label] = print_project(result, args)
        if args.buckets:
            print_buckets(result, DEFAULT_DEPTH)
        if args.edges:
            print_edges(result, max(args.depths), args.edges)
        if args.show:
            if not args.no_trace:
                trace_misses(result, DEFAULT_DEPTH, args.show, args.trace_sample, args.seed, args.test_timeout)
            print_worst(result, DEFAULT_DEPTH, args.show)
            all_links[result.label] = print_links(result, DEFAULT_DEPTH)
    if len(results) > 1:
        print("\n== all projects (micro over every (function, test) pair)")
        rows = []
        for depth in args.depths:
            for threshold in args.thresholds:
                total = Score()
                for r in results:
                    s = score(r, r.static[depth], threshold)
                    for name in vars(total):
                        setattr(total, name, getattr(total, name) + getattr(s, name))
                rows.append(_row(f"static depth={depth} conf>={threshold:g}", total))
        print_table(_HEADER, rows)
    if args.json:
        write_json(args.json, results, all_scores, all_links, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
