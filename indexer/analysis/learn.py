"""Learned test impact: run the project's own pytest under coverage.py with
per-test contexts and keep, in the index, which test executed which function.

`learn(graph, options)` runs the tests (all of them the first time; later
only those whose learned dependencies changed, new tests and tests that did
not pass, as pytest-testmon does), reads the coverage data and replaces the
learned edges of the tests it ran. An edge stores the function's body_hash:
when the function changes, the edge is stale (still shown, marked) until the
test runs again.

The run never fails because a test does: failing, erroring, hanging (a
per-test timeout, SIGALRM like pytest-timeout's signal method), crashing
(the interpreter died mid-test: the run is repeated without it) and
collection errors are recorded per test id.

coverage.py does the measuring: through pytest-cov (with the plugin naming
one context per test function, its node id without parameters) when the
project's environment has it, else
`coverage run` with `dynamic_context = test_function` (contexts are dotted
test names, mapped back to node ids through the graph).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from indexer.analysis.coverage_data import CoverageMap, numbits_to_lines, recorded_contexts  # noqa: F401  (re-exported for scripts)
from indexer.analysis.impact import test_node_id
from indexer.graph.query import Graph

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3600.0
DEFAULT_TEST_TIMEOUT = 300.0
_MAX_CRASH_RETRIES = 3
_VENV_DIRS = (".venv", "venv", "env", ".env")


class LearnError(RuntimeError):
    """The tests cannot be run at all (no interpreter, no pytest/coverage)."""


@dataclass(frozen=True)
class LearnOptions:
    python: str | None = None  # interpreter; default: the workspace's venv, else this one
    args: tuple[str, ...] = ()  # extra pytest arguments
    timeout: float = DEFAULT_TIMEOUT  # the whole run
    test_timeout: float = DEFAULT_TEST_TIMEOUT  # one test (0: none)
    full: bool = False  # run every test, not only those whose dependencies changed


@dataclass
class LearnRun:
    mode: str  # full | incremental | up-to-date
    python: str
    selected: list[str] = field(default_factory=list)  # node ids run ([] = the whole suite in full mode)
    outcomes: dict[str, str] = field(default_factory=dict)  # per test function (parametrized cases merged)
    case_outcomes: dict[str, str] = field(default_factory=dict)  # per pytest node id (each case), as pytest counts
    collection_errors: dict[str, str] = field(default_factory=dict)
    edges: int = 0
    seconds: float = 0.0
    measured_with: str = ""  # pytest-cov | coverage
    cancelled: bool = False

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for outcome in self.outcomes.values():
            out[outcome] += 1
        return dict(out)

    def case_counts(self) -> dict[str, int]:
        return dict(Counter(self.case_outcomes.values()))

    def to_json(self) -> dict:
        return {"mode": self.mode, "python": self.python, "selected": len(self.selected) or len(self.outcomes),
                "outcomes": self.counts(), "caseOutcomes": self.case_counts(), "collectionErrors": self.collection_errors, "edges": self.edges,
                "seconds": round(self.seconds, 2), "measuredWith": self.measured_with, "cancelled": self.cancelled}


def find_python(root: Path, configured: str | None = None) -> str:
    """The interpreter that runs the project's tests: the configured one, the
    workspace's own virtualenv, else the one running codemeld."""
    if configured:
        path = shutil.which(os.path.expanduser(configured)) or os.path.expanduser(configured)
        if not Path(path).exists():
            raise LearnError(f"interpreter {configured!r} not found")
        return str(path)
    for name in _VENV_DIRS:
        for candidate in (root / name / "bin" / "python", root / name / "Scripts" / "python.exe"):
            if candidate.exists():
                return str(candidate)
    return sys.executable


def _probe(python: str, root: Path) -> str:
    """pytest-cov or coverage: what the environment can measure with."""
    code = ("import importlib.util as u, json; print(json.dumps({m: u.find_spec(m) is not None"
            " for m in ('pytest', 'coverage', 'pytest_cov')}))")
    try:
        done = subprocess.run([python, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
        found = json.loads(done.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
        raise LearnError(f"cannot run {python}: {exc}") from exc
    if not found.get("pytest"):
        raise LearnError(f"{python} has no pytest: install it there, or pass --python")
    if found.get("pytest_cov"):
        return "pytest-cov"
    if found.get("coverage"):
        return "coverage"
    raise LearnError(f"{python} has neither pytest-cov nor coverage: `{python} -m pip install pytest-cov`")


# Loaded into the test run (-p codemeld_learn_plugin): outcomes as JSON lines
# written as they happen (a crash still leaves the ones before it), and a
# per-test timeout.
_PLUGIN = '''\
"""Loaded by codemeld (`codemeld tests learn`) into the project's pytest run."""
import json
import os
import signal

import pytest

_out = open(os.environ["CODEMELD_LEARN_OUT"], "a", buffering=1)
_limit = float(os.environ.get("CODEMELD_LEARN_TEST_TIMEOUT") or 0)
_timed_out = set()


def _write(**record):
    _out.write(json.dumps(record) + "\\n")


_switch = os.environ.get("CODEMELD_LEARN_CONTEXTS") == "1"
_context = [None]


def pytest_runtest_logstart(nodeid, location):
    _write(event="start", id=nodeid)
    # One coverage context per test function (the map is kept per function):
    # pytest-cov's --cov-context=test switches three times per case, which
    # cost about 1.5x the plain --cov run on a suite of many small cases.
    name = nodeid.split("[", 1)[0]
    if _switch and name != _context[0]:
        import coverage
        cov = coverage.Coverage.current()
        if cov is not None:
            cov.switch_context(name)
            _context[0] = name


def pytest_runtest_logfinish(nodeid, location):
    _write(event="finish", id=nodeid)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    if _limit <= 0 or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        _timed_out.add(item.nodeid)
        pytest.fail(f"codemeld: test timed out after {_limit:g}s", pytrace=False)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, _limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def pytest_runtest_logreport(report):
    if report.when != "call" and report.outcome == "passed":
        return
    outcome = report.outcome
    if report.when != "call" and outcome == "failed":
        outcome = "error"
    if report.nodeid in _timed_out:
        outcome = "timeout"
    message = str(report.longrepr)[-500:] if report.failed else None
    _write(event="report", id=report.nodeid, when=report.when, outcome=outcome,
           seconds=report.duration, message=message)


def pytest_collectreport(report):
    if report.failed:
        _write(event="collect-error", id=report.nodeid, message=str(report.longrepr)[-500:])
'''


def _base_id(node_id: str) -> str:
    """Parametrized ids share the function's edges: `t.py::test_x[1]` -> `t.py::test_x`."""
    return node_id.split("[", 1)[0]


def _read_events(path: Path) -> list[dict]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a crash
    return out


class _Runner:
    """One pytest run (or several, after crashes) under coverage."""

    def __init__(self, root: Path, python: str, mode: str, options: LearnOptions, work: Path, cancel):
        self.root, self.python, self.mode, self.options, self.work = root, python, mode, options, work
        self.cancel = cancel
        (work / "plugin").mkdir(parents=True, exist_ok=True)
        (work / "plugin" / "codemeld_learn_plugin.py").write_text(_PLUGIN)

    def command(self, data_file: Path, node_ids: list[str], deselect: list[str]) -> list[str]:
        rc = self.work / "coveragerc"
        context = "" if self.mode == "pytest-cov" else "dynamic_context = test_function\n"
        # Our own config, not the project's: plain per-line data of the whole workspace.
        rc.write_text(f"[run]\ndata_file = {data_file}\nbranch = False\nrelative_files = False\n"
                      f"source = {self.root}\n{context}")
        pytest_args = ["-p", "codemeld_learn_plugin", "-p", "no:cacheprovider", "-q",
                       "--continue-on-collection-errors", *self.options.args,
                       *(f"--deselect={d}" for d in deselect), *node_ids]
        if self.mode == "pytest-cov":
            return [self.python, "-m", "pytest", f"--cov={self.root}", "--cov-report=",
                    f"--cov-config={rc}", *pytest_args]
        return [self.python, "-m", "coverage", "run", f"--rcfile={rc}", "-m", "pytest", *pytest_args]

    def env(self, events: Path) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "COVERAGE_"))}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.work / "plugin"), env.get("PYTHONPATH")]))
        env["CODEMELD_LEARN_OUT"] = str(events)
        env["CODEMELD_LEARN_TEST_TIMEOUT"] = str(self.options.test_timeout or 0)
        if self.mode == "pytest-cov":  # the plugin names contexts (`coverage run` has dynamic_context)
            env["CODEMELD_LEARN_CONTEXTS"] = "1"
        return env

    def run(self, node_ids: list[str]) -> tuple[Path | None, list[dict], list[str]]:
        """The coverage data file of the last complete run, all events, and
        the tests that crashed the interpreter."""
        crashed: list[str] = []
        events_all: list[dict] = []
        deadline = time.monotonic() + self.options.timeout
        for attempt in range(_MAX_CRASH_RETRIES + 1):
            data_file = self.work / f"coverage-{attempt}.sqlite"
            events = self.work / f"events-{attempt}.jsonl"
            cmd = self.command(data_file, node_ids, crashed)
            log.info("learning: %s", " ".join(cmd))
            proc = subprocess.Popen(cmd, cwd=self.root, env=self.env(events), stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, start_new_session=True)
            output = self._wait(proc, deadline)
            (self.work / f"pytest-{attempt}.log").write_text(output or "")
            found = _read_events(events)
            events_all.extend(found)
            if proc.returncode is None:  # killed: over time or cancelled
                running = _unfinished(found)
                return (data_file if data_file.exists() else None), events_all, crashed + running
            if proc.returncode in (0, 1, 5) or data_file.exists():
                return data_file if data_file.exists() else None, events_all, crashed
            running = _unfinished(found)
            if not running:
                raise LearnError(f"pytest exited with {proc.returncode} before running tests:\n"
                                 + (output or "")[-2000:])
            log.warning("the interpreter died in %s (exit %s): running the rest again", running, proc.returncode)
            crashed.extend(running)
        return None, events_all, crashed

    def _wait(self, proc: subprocess.Popen, deadline: float) -> str:
        chunks: list[str] = []
        reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read()), daemon=True)
        reader.start()
        while proc.poll() is None:
            if time.monotonic() > deadline or (self.cancel is not None and self.cancel()):
                log.warning("stopping the test run (%s)", "cancelled" if self.cancel and self.cancel() else "timeout")
                try:
                    os.killpg(proc.pid, 9)
                except OSError:
                    proc.kill()
                proc.wait()
                proc.returncode = None
                break
            time.sleep(0.1)
        reader.join(timeout=5)
        return "".join(chunks)


def _unfinished(events: list[dict]) -> list[str]:
    started = [e["id"] for e in events if e.get("event") == "start"]
    finished = {e["id"] for e in events if e.get("event") == "finish"}
    return [t for t in started if t not in finished]


def _outcomes(events: list[dict], crashed: list[str], key=None) -> tuple[dict[str, tuple], dict[str, str]]:
    """Per test id (outcome, seconds, message); collection errors by node id.
    A test's outcome is its worst phase (error > timeout > failed > skipped > passed).
    Test ids are functions (`_base_id`) unless `key` says otherwise."""
    ident = key or _base_id
    rank = {"passed": 0, "skipped": 1, "failed": 2, "timeout": 3, "error": 4, "crashed": 5}
    tests: dict[str, tuple] = {}
    collect: dict[str, str] = {}
    for e in events:
        test_id = ident(e.get("id", ""))
        if e.get("event") == "start":
            tests.setdefault(test_id, ("passed", 0.0, None))
        elif e.get("event") == "report":
            held = tests.get(test_id, ("passed", 0.0, None))
            outcome = e["outcome"] if rank.get(e["outcome"], 0) >= rank.get(held[0], 0) else held[0]
            message = e.get("message") if outcome != held[0] else held[2] or e.get("message")
            tests[test_id] = (outcome, (held[1] or 0.0) + (e.get("seconds") or 0.0), message)
        elif e.get("event") == "collect-error":
            collect[e["id"]] = e.get("message") or ""
    for test_id in map(ident, crashed):
        held = tests.get(test_id, ("crashed", None, None))
        tests[test_id] = ("crashed", held[1], "the interpreter died while this test ran")
    return tests, collect


def _context_ids(graph: Graph, data_file: Path) -> dict[str, str]:
    """`coverage run` contexts are dotted test names (module.Class.test):
    map each to its pytest node id through the graph."""
    out = {}
    for context in recorded_contexts(data_file):
        symbol = graph.symbol(context)
        if symbol is not None and symbol.is_test:
            out[context] = test_node_id(symbol, graph.symbol)
    return out


def edges_from_coverage(graph: Graph, coverage: CoverageMap, context_ids: dict[str, str] | None = None
                        ) -> dict[str, list[tuple[str, str, str | None]]]:
    """test id -> (qualname, path, body_hash) of each function or method whose
    body it executed (the innermost one holding each executed line)."""
    out: dict[str, set[tuple]] = defaultdict(set)
    for path, per_line in coverage.lines.items():
        hashes = graph.store.body_hashes(path)
        if not hashes:
            continue
        functions = [s for s in graph.symbols_in_file(path) if s.qualname in hashes]
        owner: dict[int, str] = {}  # 1-based line -> innermost function
        for sym in sorted(functions, key=lambda s: s.range.end.line - s.range.start.line, reverse=True):
            first = (sym.body_line if sym.body_line is not None else sym.selection_range.start.line + 1) + 1
            for line in range(first, sym.range.end.line + 2):
                owner[line] = sym.qualname
        for line, tests in per_line.items():
            qualname = owner.get(line)
            if qualname is None:
                continue  # module or class level: runs at import, under whichever test came first
            for test in tests:
                test_id = context_ids.get(test, test) if context_ids else test
                out[test_id].add((qualname, path, hashes[qualname]))
    return {t: sorted(e) for t, e in out.items()}


def _coverage_map(graph: Graph, data_file: Path, mode: str) -> tuple[CoverageMap, dict[str, str] | None]:
    coverage = CoverageMap(graph.root, data_file)
    if mode == "pytest-cov":
        return coverage, None
    # `coverage run` contexts have no "::": keep those naming a test, raw,
    # keyed by context (edges_from_coverage maps them to node ids).
    context_ids = _context_ids(graph, data_file)
    raw = CoverageMap(graph.root, data_file, test_id_of=lambda context: context if context in context_ids else None)
    return raw, context_ids


def tests_to_rerun(graph: Graph) -> tuple[list[str], dict[str, list[str]]]:
    """What an incremental learn runs: learned tests whose executed functions
    changed (stale edges), tests that did not pass, and tests the index knows
    but that never ran. Returns (node ids, reason per id)."""
    learned = graph.store.learned_tests()
    reasons: dict[str, list[str]] = {}
    for test_id, changed in graph.store.stale_learned_tests().items():
        reasons[test_id] = [f"changed: {q}" for q in changed[:3]]
    for test_id, (outcome, _s, _m) in learned.items():
        if outcome not in ("passed", "skipped"):
            reasons.setdefault(test_id, []).append(f"last outcome: {outcome}")
    known = {_base_id(t) for t in learned}
    for test_id in known_test_ids(graph):
        if test_id not in known:
            reasons.setdefault(test_id, []).append("new test")
    return sorted(reasons), reasons


def _uncollectable(output: str, root: Path) -> list[str]:
    """Node ids in pytest's "found no collectors for PATH::ID" errors."""
    out = []
    for match in re.finditer(r"found no collectors for (\S+)", output):
        found = match.group(1)
        try:
            found = Path(found.split("::", 1)[0]).resolve().relative_to(root.resolve()).as_posix() + (
                "::" + found.split("::", 1)[1] if "::" in found else "")
        except ValueError:
            pass
        out.append(_base_id(found))
    return out


def _still_there(graph: Graph, node_id: str) -> bool:
    """Whether a learned test id can still be collected: its file exists and,
    for a function id, the file still defines that name."""
    path, _, rest = node_id.partition("::")
    if not (graph.root / path).exists():
        return False
    if not rest:
        return True
    name = rest.rsplit("::", 1)[-1]
    symbols = graph.symbols_in_file(path)
    return not symbols or any(s.name == name for s in symbols)


def known_test_ids(graph: Graph) -> list[str]:
    """Node ids of the test functions and methods in the index."""
    out = []
    for sym in graph.test_symbols():
        out.append(test_node_id(sym, graph.symbol))
    return out


def learn(graph: Graph, options: LearnOptions = LearnOptions(), progress=None, cancel=None) -> LearnRun:
    """Run the tests that need (re)learning and store what they executed.
    `progress(message)` is told each stage; `cancel()` returning True stops
    the run (what finished is kept)."""
    started = time.monotonic()
    root = graph.root
    python = find_python(root, options.python)
    mode = _probe(python, root)
    first = not graph.store.learned_tests()
    if options.full or first:
        run = LearnRun("full", python)
        node_ids: list[str] = []
    else:
        node_ids, _reasons = tests_to_rerun(graph)
        run = LearnRun("incremental", python, selected=node_ids)
        if not node_ids:
            run.mode = "up-to-date"
            run.edges = graph.store.learned_edge_count()
            run.seconds = time.monotonic() - started
            return run
        # A test file's ids, deduplicated (parametrized ids share the function).
        node_ids = sorted({_base_id(t) for t in node_ids})
        gone = [t for t in node_ids if not _still_there(graph, t)]
        if gone:
            # Removed or renamed since they ran: pytest would refuse the whole run.
            graph.store.replace_learned({}, {}, forget=tuple(gone))
            node_ids = [t for t in node_ids if t not in set(gone)]
        run.selected = node_ids
        if not node_ids:
            run.mode = "up-to-date"
            run.edges = graph.store.learned_edge_count()
            run.seconds = time.monotonic() - started
            return run
    run.measured_with = mode
    if progress:
        progress(f"running {'all tests' if not node_ids else f'{len(node_ids)} tests'} with {python}")
    with tempfile.TemporaryDirectory(prefix="codemeld-learn-") as tmp:
        runner = _Runner(root, python, mode, options, Path(tmp), cancel)
        for _attempt in range(3):
            try:
                data_file, events, crashed = runner.run(node_ids)
                break
            except LearnError as exc:
                # An id pytest cannot collect any more (an inherited test whose
                # base changed...): forget it and run the others.
                missing = _uncollectable(str(exc), root)
                if not node_ids or not missing:
                    raise
                graph.store.replace_learned({}, {}, forget=tuple(missing))
                node_ids = [t for t in node_ids if t not in set(missing)]
                run.selected = node_ids
                if not node_ids:
                    raise
        else:
            raise LearnError("pytest kept refusing the selected test ids")
        tests, collect = _outcomes(events, crashed)
        run.outcomes = {t: o for t, (o, _s, _m) in tests.items()}
        run.case_outcomes = {t: o for t, (o, _s, _m) in _outcomes(events, crashed, key=str)[0].items()}
        run.collection_errors = collect
        # Recorded like a test, so the next incremental learn tries the file again.
        for node_id, message in collect.items():
            tests.setdefault(node_id, ("collection-error", None, message[-500:]))
        run.cancelled = bool(cancel and cancel())
        edges: dict[str, list] = {}
        if data_file is not None and data_file.exists():
            if progress:
                progress("reading coverage")
            coverage, context_ids = _coverage_map(graph, data_file, mode)
            for test_id, found in edges_from_coverage(graph, coverage, context_ids).items():
                edges[test_id] = found
        # Edges are kept per collected id; parametrized ids add to one another.
        merged: dict[str, list] = {}
        for test_id in tests:
            merged.setdefault(test_id, [])
        for test_id, found in edges.items():
            merged.setdefault(test_id, []).extend(found)
        ran_edges = {t: sorted(set(e)) for t, e in merged.items() if t in edges or run.outcomes.get(t) != "crashed"}
        # A test that crashed keeps its old edges (they stay stale); so does a
        # cancelled run's unfinished test.
        forget = ()
        if run.mode == "full" and not run.cancelled and data_file is not None:
            forget = tuple(t for t in graph.store.learned_tests() if t not in tests)
        graph.store.replace_learned(tests, ran_edges, forget)
    run.edges = graph.store.learned_edge_count()
    run.seconds = time.monotonic() - started
    return run


def learn_text(run: LearnRun) -> str:
    # Outcomes per case, as pytest counts them; the index learns per function: both when they differ.
    counts = run.case_counts() or run.counts()
    parts = [f"{n} {o}" for o, n in sorted(counts.items())]
    if run.case_outcomes and len(run.case_outcomes) != len(run.outcomes):
        parts[-1] += f" ({len(run.case_outcomes)} cases in {len(run.outcomes)} test functions)"
    what = {"full": "all tests", "incremental": f"{len(run.selected)} tests whose dependencies changed",
            "up-to-date": "nothing (every learned test is up to date)"}[run.mode]
    text = (f"learned {what} with {run.python} ({run.measured_with or 'no run'}) in {run.seconds:.1f}s: "
            f"{', '.join(parts) or 'no tests ran'}; {run.edges} test->function edges stored")
    if run.collection_errors:
        text += f"; {len(run.collection_errors)} collection errors: " + ", ".join(sorted(run.collection_errors)[:5])
    if run.cancelled:
        text += " (cancelled: what finished is kept)"
    return text


__all__ = ["LearnError", "LearnOptions", "LearnRun", "edges_from_coverage", "find_python", "learn", "learn_text",
           "tests_to_rerun", "known_test_ids"]
