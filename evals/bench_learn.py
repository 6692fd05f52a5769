"""What learned test impact costs, and how fast a selection answers.

1. On a real project with its suite (click by default, the sdist and venv of
   evals/harness/projects.py): plain `pytest`, plain `pytest --cov=PKG` (the baseline),
   then `codemeld tests learn` (full), all in this run; printed as ratios to
   the `pytest --cov` run. Then one function's body is changed, the index
   updated, and an incremental learn runs: how many tests it ran, against
   `codemeld tests affected`'s selection and the whole suite.
2. Static selection latency (`indexer.analysis.affected.select` on one changed line
   inside a function) over a sample of functions of the running
   interpreter's standard library: p50/p95/max (goal: under 1 s).

    python -m evals.bench_learn                      # click + stdlib
    python -m evals.bench_learn --project pluggy --no-stdlib
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from evals.harness import corpora
from evals.harness import projects

from indexer.analysis import affected, learn as learning  # noqa: E402
from indexer.pipeline.index import IndexOptions, Indexer  # noqa: E402
from indexer.graph.query import Graph  # noqa: E402


def log(msg: str) -> None:
    print(f"[bench_learn] {msg}", file=sys.stderr, flush=True)


def timed(cmd: list[str], cwd: Path, env: dict) -> float:
    started = time.monotonic()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


def bench_project(spec, cache: Path, python: str, function: str | None) -> None:
    work = projects.prepare_workdir(spec, cache)
    projects.ensure_venv(spec, work, python)
    env = projects.pytest_env(work)
    base = [str(work.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *spec.pytest_args]
    plain = timed(base, work.project, env)
    with_cov = timed(base + [f"--cov={spec.package}", "--cov-report="], work.project, env)
    with tempfile.TemporaryDirectory(prefix="codemeld-bench-learn-") as tmp:
        indexer = Indexer(work.project, Path(tmp) / "index", IndexOptions(jobs=1))
        indexer.run()
        graph = Graph(indexer.store, indexer.root)
        options = learning.LearnOptions(python=str(work.python), args=tuple(spec.pytest_args), full=True)
        started = time.monotonic()
        full = learning.learn(graph, options)
        learn_s = time.monotonic() - started
        print(f"== {spec.label}: {len(full.outcomes)} tests")
        print(f"pytest                 {plain:7.1f}s  {plain / with_cov:5.2f}x")
        print(f"pytest --cov (baseline){with_cov:7.1f}s  1.00x")
        print(f"codemeld tests learn   {learn_s:7.1f}s  {learn_s / with_cov:5.2f}x  ({full.edges} edges, "
              f"{full.measured_with}; goal <= 1.5x)")
        # One function changes: incremental learn vs affected selection.
        target = graph.symbol(function) if function else None
        if target is None:
            # A function a handful of tests execute (the typical one-function change).
            rows = graph.conn.execute(
                "SELECT qualname, count(*) c FROM learned_edges WHERE path NOT LIKE '%test%'"
                " GROUP BY qualname HAVING c >= 3 ORDER BY c LIMIT 1").fetchone()
            target = graph.symbol(rows[0]) if rows else None
        if target is None:
            log("no function to change")
            return
        path = work.project / target.path
        original = path.read_text(encoding="utf-8")
        lines = original.split("\n")
        body = lines[target.body_line]
        indent = body[: len(body) - len(body.lstrip())]
        lines.insert(target.body_line, f"{indent}_codemeld_bench = None")
        try:
            path.write_text("\n".join(lines), encoding="utf-8")
            indexer.run()
            selection = affected.select(graph, {target.path: [target.body_line]})
            started = time.monotonic()
            again = learning.learn(graph, learning.LearnOptions(python=str(work.python), args=tuple(spec.pytest_args)))
            relearn_s = time.monotonic() - started
        finally:
            path.write_text(original, encoding="utf-8")
        print(f"change in {target.qualname}: incremental learn ran {len(again.outcomes)} of {len(full.outcomes)}"
              f" tests in {relearn_s:.1f}s ({relearn_s / with_cov:.2f}x); tests affected selects"
              f" {len(selection.tests)} ({len(selection.tests) / max(len(full.outcomes), 1):.1%} of the suite)")
        indexer.close()


def bench_stdlib(samples: int, seed: int) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    with tempfile.TemporaryDirectory(prefix="codemeld-bench-select-") as tmp:
        log(f"indexing {stdlib}")
        indexer = Indexer(stdlib, Path(tmp) / "index", IndexOptions(jobs=0))
        indexer.run()
        graph = Graph(indexer.store, indexer.root)
        rows = graph.conn.execute(
            "SELECT f.path, s.body_line FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE s.kind IN ('function', 'method') AND s.body_line IS NOT NULL").fetchall()
        random.Random(seed).shuffle(rows)
        times = []
        for path, body_line in rows[:samples]:
            started = time.monotonic()
            affected.select(graph, {path: [body_line]}, learned=False)
            times.append(time.monotonic() - started)
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(f"== stdlib ({len(rows)} functions): static selection for one changed line, {len(times)} samples:"
              f" p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
              f" (goal < 1000 ms)")
        indexer.close()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--project", default="click", choices=sorted(projects.PROJECTS))
    p.add_argument("--function", default=None, help="qualname of the function to change (default: picked)")
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--no-stdlib", action="store_true")
    p.add_argument("--no-project", action="store_true")
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if not args.no_project:
        bench_project(projects.PROJECTS[args.project], corpora.cache_root(), args.python, args.function)
    if not args.no_stdlib:
        bench_stdlib(args.samples, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
