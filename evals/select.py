"""Replay real commits and compare test selections: codemeld (static, learned,
hybrid) against pytest-testmon, scored against two truths.

For each of the last N first-parent commits C (parent P) of a project that
change its Python sources, oldest first:

  truth "executes": the tests that execute a line the commit changes, at P
      (one full run at P under pytest-cov with per-test contexts; the
      changed lines are the old side of `git diff P C`, a pure insertion
      counts the lines around it);
  truth "mutant":   the tests that fail at P when every function the commit
      changes raises at its first line (one full run with the mutants
      injected; tests already failing at P are left out). Fair version: a
      function that runs at import time (coverage's empty context executes a
      line of its body: a decorator, a module-level call such as
      `curry(f)`) gets no mutant, since its raise breaks the import of the
      package and so "fails" every test whatever the selection; those are
      counted apart, and a commit whose remaining mutants still break
      collection (a collection error the parent does not have) is left out
      of the fair mutant recall and counted. The old definition (every
      changed function mutated) is still reported as "R mutant (all)".

  codemeld: C checked out, the index brought up to date, `tests affected`'s
      engine (indexer.analysis.affected.select) on `git diff P` of the working tree:
      static (the graph only), learned (edges from `tests learn`, kept up to
      date by an incremental learn at every P, as a developer would), hybrid
      (both, what `codemeld tests affected` prints).
  testmon:  `pytest --testmon` at P (its data brought up to date, as a
      developer would), then at C: the tests it runs are its selection.

Reported per project: mean tests selected, suite time saved (the selected
tests' share of the full run's time at P), and recall of both truths
(micro over all commits), plus the commits where a selection missed.

History comes from a bare git repository on disk (e.g. a mirror made by the
`fetch` tool under /work/.mirror/OWNER+NAME/repo); the script clones it
(`git clone --shared`, no copy of the objects) into its cache dir and checks
out each commit there. Nothing of the project is committed anywhere.

    python -m evals.select --project toolz=/work/.mirror/pytoolz+toolz/repo \
        --project markupsafe=/work/.mirror/pallets+markupsafe/repo --commits 30

Results on stdout, progress on stderr; the venvs and clones are cached under
$CODEMELD_CORPORA/select/NAME (default ~/.cache/codemeld-corpora).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from evals.harness import report as reports
from evals.harness import corpora
from evals.harness.projects import coverage_files

REPO_ROOT = Path(__file__).resolve().parent.parent

from indexer.analysis import affected, learn as learning  # noqa: E402
from indexer.analysis.coverage_data import CoverageMap  # noqa: E402
from indexer.pipeline.index import IndexOptions, Indexer  # noqa: E402
from indexer.graph.query import Graph  # noqa: E402

TOOLS = ("pytest==8.3.3", "pytest-cov==5.0.0", "coverage==7.6.1", "pytest-testmon==2.1.1")


@dataclass(frozen=True)
class Spec:
    name: str
    src: str  # the import root inside the checkout (PYTHONPATH)
    tests: str  # test directory passed to pytest
    requirements: tuple[str, ...] = ()
    package: str = ""  # the package directory when the import root is the checkout itself


# Projects whose checkouts import straight from the tree. (pluggy cannot be
# replayed this way: pytest itself imports the checked-out pluggy, and older
# pluggy versions break the pytest that runs the suite.)
SPECS = {
    "toolz": Spec("toolz", ".", "toolz/tests", package="toolz"),
    "more-itertools": Spec("more-itertools", ".", "tests", package="more_itertools"),
    "itsdangerous": Spec("itsdangerous", "src", "tests", ("freezegun",)),
    # Imports its pure-Python fallback when the C speedups are not built.
    "markupsafe": Spec("markupsafe", "src", "tests"),
}


def log(msg: str) -> None:
    print(f"[eval_select] {msg}", file=sys.stderr, flush=True)


def git(repo: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


# --------------------------------------------------------------------------
# The project: a clone, a venv, pytest runs
# --------------------------------------------------------------------------

@dataclass
class Project:
    spec: Spec
    mirror: Path
    base: Path  # cache/select/NAME

    @property
    def checkout(self) -> Path:
        return self.base / "checkout"

    @property
    def python(self) -> Path:
        return self.base / "venv" / "bin" / "python"

    def prepare(self, python: str) -> None:
        if not (self.checkout / ".git").exists():
            shutil.rmtree(self.checkout, ignore_errors=True)
            subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(self.mirror), str(self.checkout)],
                           check=True)
        marker = self.base / "venv" / ".installed"
        wanted = json.dumps([*TOOLS, *self.spec.requirements])
        if marker.exists() and marker.read_text() == wanted:
            return
        shutil.rmtree(self.base / "venv", ignore_errors=True)
        subprocess.run([python, "-m", "venv", str(self.base / "venv")], check=True)
        subprocess.run([str(self.python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *TOOLS,
                        *self.spec.requirements], check=True, stdout=sys.stderr)
        marker.write_text(wanted)

    def commits(self, count: int, ref: str) -> list[tuple[str, str]]:
        """(parent, commit) of the last `count` first-parent commits changing
        .py files under the import root, oldest first."""
        where = f"{self.spec.src}/" if self.spec.src != "." else f"{self.spec.package}/"
        out = git(self.checkout, "log", "--first-parent", "--format=%H %P", ref, "--", f"{where}*.py")
        pairs = []
        for line in out.splitlines():
            parts = line.split()
            if len(parts) < 2:
                continue
            # The replay needs the layout at both ends (a move to src/ ends it).
            if not all(git(self.checkout, "ls-tree", "-d", "--name-only", rev, self.spec.tests.rstrip("/"),
                           check=False).strip() for rev in parts[:2]):
                break
            pairs.append((parts[1], parts[0]))
            if len(pairs) == count:
                break
        return list(reversed(pairs))

    def checkout_at(self, rev: str) -> None:
        git(self.checkout, "checkout", "-q", "-f", "--detach", rev)
        git(self.checkout, "clean", "-q", "-fdx", "-e", ".codemeld-*")

    def env(self, extra: dict | None = None) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_", "COVERAGE_", "TESTMON"))}
        env["PYTHONPATH"] = os.pathsep.join([str(self.checkout / self.spec.src), str(self.base / "plugin")])
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.update(extra or {})
        return env

    def pytest(self, args: list[str], events: Path, extra_env: dict | None = None, timeout: float = 900,
               collect_errors: list | None = None) -> dict:
        """Run pytest with the outcome plugin; test id -> (outcome, seconds).
        Collection errors (node ids) are appended to `collect_errors` if given."""
        (self.base / "plugin").mkdir(parents=True, exist_ok=True)
        (self.base / "plugin" / "codemeld_learn_plugin.py").write_text(learning._PLUGIN)
        events.unlink(missing_ok=True)
        # testmon reads the cache provider's options (--lf): keep it for testmon runs.
        cache = [] if "--testmon" in args else ["-p", "no:cacheprovider"]
        # A file that fails to import must not stop the others (for testmon as for the truths).
        cmd = [str(self.python), "-m", "pytest", "-q", *cache, "-p", "codemeld_learn_plugin",
               "-p", "no:randomly", "--continue-on-collection-errors", *args, self.spec.tests]
        env = self.env({"CODEMELD_LEARN_OUT": str(events), "CODEMELD_LEARN_TEST_TIMEOUT": "60", **(extra_env or {})})
        subprocess.run(cmd, cwd=self.checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=timeout)
        tests, collect = learning._outcomes(learning._read_events(events), [])
        if collect_errors is not None:
            collect_errors.extend(collect)
        return {t: (o, s or 0.0) for t, (o, s, _m) in tests.items()}


# --------------------------------------------------------------------------
# Truths
# --------------------------------------------------------------------------

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def old_side_lines(checkout: Path, parent: str, commit: str) -> dict[str, set[int]]:
    """path -> 1-based lines of the parent's version the commit changes or
    deletes (a pure insertion changes none)."""
    text = git(checkout, "diff", "--unified=0", "--no-color", parent, commit, "--", "*.py")
    out: dict[str, set[int]] = defaultdict(set)
    path = None
    for line in text.splitlines():
        if line.startswith("--- "):
            name = line[4:].strip()
            path = None if name == "/dev/null" else name[2:]
        elif line.startswith("@@") and path is not None:
            m = _HUNK.match(line)
            start, count = int(m.group(1)), int(m.group(2) if m.group(2) is not None else 1)
            out[path].update(range(start, start + count))  # a pure insertion changes no line of P
    return out


def import_time_lines(data_file: Path, root: Path) -> dict[str, set[int]]:
    """path -> lines run outside any test (coverage's empty context: module
    imports at collection). Read from coverage.py's SQLite schema, as
    CoverageMap reads the test contexts (it drops this one)."""
    import sqlite3

    from indexer.analysis.coverage_data import numbits_to_lines

    out: dict[str, set[int]] = defaultdict(set)
    root = root.resolve()
    conn = sqlite3.connect(f"file:{data_file}?mode=ro", uri=True)
    try:
        files = coverage_files(conn, root)
        empty = {cid for cid, text in conn.execute("SELECT id, context FROM context") if not text}
        for fid, cid, numbits in conn.execute("SELECT file_id, context_id, numbits FROM line_bits"):
            if cid in empty and fid in files:
                out[files[fid]].update(numbits_to_lines(numbits))
    finally:
        conn.close()
    return out


def runs_at_import(sym, import_lines: dict[str, set[int]]) -> bool:
    """Whether a line of the function's body (not its def line, which runs at
    import for every function) ran at import time."""
    if sym.body_line is None:
        return False
    body = range(sym.body_line + 1, sym.range.end.line + 2)  # 1-based lines of the body
    ran = import_lines.get(sym.path, set())
    return any(line in ran for line in body)


def executes_truth(project: Project, data_file: Path, lines: dict[str, set[int]]) -> set[str]:
    coverage = CoverageMap(project.checkout, data_file)
    tests: set[str] = set()
    for path, changed in lines.items():
        per_line = coverage.lines.get(path, {})
        for line in changed:
            tests |= per_line.get(line, set())
    return tests


def changed_functions(graph: Graph, lines: dict[str, set[int]]):
    """Functions/methods of the parent holding a changed (1-based) line."""
    found = {}
    for path, changed in lines.items():
        symbols = [s for s in graph.symbols_in_file(path) if s.kind in ("function", "method")]
        for line in changed:
            holders = [s for s in symbols if s.range.start.line < line <= s.range.end.line + 1]
            if holders:
                inner = min(holders, key=lambda s: s.range.end.line - s.range.start.line)
                found[(inner.path, inner.qualname)] = inner
    return list(found.values())


def inject_mutants(root: Path, functions) -> int:
    """A `raise` as the first statement of each function body (after its
    docstring is fine too: the raise comes first and still runs)."""
    by_file = defaultdict(list)
    for sym in functions:
        if sym.body_line is not None:
            by_file[sym.path].append(sym)
    count = 0
    for path, syms in by_file.items():
        file = root / path
        lines = file.read_text(encoding="utf-8").split("\n")
        for sym in sorted(syms, key=lambda s: -s.body_line):
            body = lines[sym.body_line] if sym.body_line < len(lines) else ""
            indent = body[: len(body) - len(body.lstrip())]
            if sym.body_line == sym.selection_range.start.line:  # def f(): return x  (one line)
                continue
            lines.insert(sym.body_line, f"{indent}raise RuntimeError('codemeld mutant')")
            count += 1
        file.write_text("\n".join(lines), encoding="utf-8")
    return count


# --------------------------------------------------------------------------
# The replay
# --------------------------------------------------------------------------

@dataclass
class Step:
    commit: str
    truth_exec: set[str]
    truth_mutant: set[str]  # fair: import-time functions not mutated (None: collection broke anyway)
    truth_mutant_all: set[str] = field(default_factory=set)  # every changed function mutated
    import_skipped: int = 0  # changed functions that run at import time: no mutant (fair truth)
    selections: dict[str, set[str]] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)  # test -> seconds at P
    mutants: int = 0


def replay(project: Project, pairs, jobs: int) -> list[Step]:
    index_dir = project.base / "index"
    shutil.rmtree(index_dir, ignore_errors=True)
    testmon_data = project.base / "testmondata"
    testmon_data.unlink(missing_ok=True)
    events = project.base / "events.jsonl"
    steps = []
    # `tests learn` runs pytest with the environment it inherits: the import root on the path.
    os.environ["PYTHONPATH"] = str(project.checkout / project.spec.src)
    for number, (parent, commit) in enumerate(pairs, 1):
        started = time.monotonic()
        project.checkout_at(parent)
        lines = old_side_lines(project.checkout, parent, commit)
        indexer = Indexer(project.checkout, index_dir, IndexOptions(jobs=jobs))
        indexer.run()
        graph = Graph(indexer.store, indexer.root)
        # A developer's standing state at P: learned edges and testmon data up to date.
        try:
            learning.learn(graph, learning.LearnOptions(python=str(project.python), args=(project.spec.tests,),
                                                        test_timeout=60))
        except learning.LearnError as exc:
            log(f"{commit[:10]}: tests learn failed at the parent ({str(exc)[:200]}): learned edges unchanged")
        project.pytest(["--testmon"], events, {"TESTMON_DATAFILE": str(testmon_data)})
        # Truth 1: per-test coverage at P.
        data_file = project.base / "truth.coverage"
        data_file.unlink(missing_ok=True)
        rc = project.base / "truth.coveragerc"
        rc.write_text(f"[run]\ndata_file = {data_file}\nbranch = False\n")
        base_collect: list = []
        baseline = project.pytest([f"--cov={project.checkout}", "--cov-context=test", "--cov-report=",
                                   f"--cov-config={rc}"], events, collect_errors=base_collect)
        truth_exec = executes_truth(project, data_file, lines)
        # Truth 2: crashing mutants in the changed functions, at P.
        functions = changed_functions(graph, lines)
        already = {t for t, (o, _s) in baseline.items() if o != "passed" and o != "skipped"}

        def mutant_truth(chosen, broken: list | None = None) -> tuple[set[str], int]:
            count = inject_mutants(project.checkout, chosen)
            mutated = project.pytest([], events, collect_errors=broken) if count else {}
            project.checkout_at(parent)  # the mutants out again
            return {t for t, (o, _s) in mutated.items() if o in ("failed", "error", "crashed", "timeout")} - already, count

        broken: list = []
        truth_mutant_all, mutants = mutant_truth(functions, broken)
        import_lines = import_time_lines(data_file, project.checkout)
        safe = [f for f in functions if not runs_at_import(f, import_lines)]
        truth_mutant = truth_mutant_all
        if len(safe) < len(functions):  # else the same run serves both truths
            broken = []
            truth_mutant, _n = mutant_truth(safe, broken)
        if set(broken) - set(base_collect):
            truth_mutant = None  # the mutants still broke an import: no fair truth for this commit
        # The change: C in the working tree, the index up to date.
        project.checkout_at(commit)
        indexer.run()
        changes = affected.git_changes(project.checkout, since=parent)
        hybrid = affected.select(graph, changes)
        static = affected.select(graph, changes, learned=False)
        step = Step(commit[:10], truth_exec, truth_mutant, truth_mutant_all, len(functions) - len(safe),
                    mutants=mutants, durations={t: s for t, (_o, s) in baseline.items()})
        step.selections["codemeld static"] = set(static.ids())
        step.selections["codemeld learned"] = {t.id for t in hybrid.tests.values() if t.source != "static"}
        step.selections["codemeld hybrid"] = set(hybrid.ids())
        ran = project.pytest(["--testmon"], events, {"TESTMON_DATAFILE": str(testmon_data)})
        step.selections["testmon"] = set(ran)
        indexer.close()
        steps.append(step)
        log(f"{project.spec.name} {number}/{len(pairs)} {commit[:10]}: truth {len(truth_exec)} executes /"
            f" {'-' if truth_mutant is None else len(truth_mutant)} mutant / {len(truth_mutant_all)} mutant (all)"
            f" ({mutants} mutants, {len(functions) - len(safe)} import-time); selected "
            + ", ".join(f"{k} {len(v)}" for k, v in step.selections.items()) + f" [{time.monotonic() - started:.0f}s]")
    return steps


def _base(test_id: str) -> str:
    return test_id.split("[", 1)[0]


def report(name: str, steps: list[Step]) -> dict:
    tools = list(steps[0].selections) if steps else []
    rows = []
    out = {"project": name, "commits": len(steps), "tools": {}}
    for tool in tools:
        selected = total_time = saved = 0.0
        hits = {"executes": [0, 0], "mutant": [0, 0], "mutant_all": [0, 0]}
        misses = []
        for step in steps:
            chosen = {_base(t) for t in step.selections[tool]}
            suite = {_base(t): s for t, s in step.durations.items()}
            selected += len(chosen)
            all_time = sum(suite.values()) or 1.0
            total_time += all_time
            saved += all_time - sum(s for t, s in suite.items() if t in chosen)
            for label, truth in (("executes", step.truth_exec), ("mutant", step.truth_mutant),
                                 ("mutant_all", step.truth_mutant_all)):
                if truth is None:
                    continue  # the fair mutants still broke collection: counted apart
                truth = {_base(t) for t in truth}
                hits[label][0] += len(truth & chosen)
                hits[label][1] += len(truth)
                if truth - chosen:
                    misses.append((step.commit, label, len(truth - chosen)))
        recall = {k: (h / n if n else 1.0) for k, (h, n) in hits.items()}
        data = {"meanSelected": selected / max(len(steps), 1), "timeSaved": saved / total_time if total_time else 0.0,
                "recallExecutes": recall["executes"], "recallMutant": recall["mutant"],
                "recallMutantAll": recall["mutant_all"], "truthExecutes": hits["executes"][1],
                "truthMutant": hits["mutant"][1], "truthMutantAll": hits["mutant_all"][1], "missedCommits": misses}
        out["tools"][tool] = data
        rows.append((tool, f"{data['meanSelected']:.1f}", f"{data['timeSaved']:.1%}", f"{recall['executes']:.3f}",
                     f"{recall['mutant']:.3f}", f"{recall['mutant_all']:.3f}",
                     str(len({m[0] for m in misses if m[1] != "mutant_all"}))))
    suite = sum(len(s.durations) for s in steps) / max(len(steps), 1)
    print(f"\n== {name}: {len(steps)} commits, mean suite {suite:.0f} tests; truths: "
          f"{sum(len(s.truth_exec) for s in steps)} (test, commit) pairs execute a changed line, "
          f"{sum(len(s.truth_mutant or ()) for s in steps)} fail with the fair mutants "
          f"({sum(len(s.truth_mutant_all) for s in steps)} with every changed function mutated)")
    print(f"fair mutants: {sum(s.import_skipped for s in steps)} changed functions run at import time and got no "
          f"mutant; {sum(s.truth_mutant is None for s in steps)} commits left out because the rest still broke "
          f"collection")
    out["importSkipped"] = sum(s.import_skipped for s in steps)
    out["commitsCollectionBroken"] = sum(s.truth_mutant is None for s in steps)
    header = ("selection", "mean selected", "time saved", "R executes", "R mutant", "R mutant (all)",
              "commits missed")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--project", action="append", required=True, metavar="NAME=BARE_GIT_DIR",
                   help=f"a known project ({', '.join(SPECS)}) and the bare repository holding its history")
    p.add_argument("--commits", type=int, default=30)
    p.add_argument("--ref", default="origin/HEAD", help="the branch to replay (default: the mirror's default branch)")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--cache", type=Path, default=None)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    cache = (args.cache or corpora.cache_root()) / "select"
    results = []
    for item in args.project:
        name, _, mirror = item.partition("=")
        if name not in SPECS or not mirror:
            p.error(f"--project NAME=BARE_GIT_DIR with NAME in {', '.join(SPECS)}")
        project = Project(SPECS[name], Path(mirror), cache / name)
        project.base.mkdir(parents=True, exist_ok=True)
        project.prepare(args.python)
        pairs = project.commits(args.commits, args.ref)
        log(f"{name}: replaying {len(pairs)} commits")
        steps = replay(project, pairs, args.jobs)
        results.append(report(name, steps))
    if args.json:
        reports.write(args.json, "select", results, vars(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
