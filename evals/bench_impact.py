#!/usr/bin/env python3
"""`codemeld impact` latency on the running interpreter's standard library.

The stdlib is indexed once (Indexer(jobs=0), graph only) into a cached index
dir that later runs reuse (a no-change re-index takes about a second). The
targets are widely used functions and methods: the N workspace functions and
methods with the most references. For each, impact() is timed in-process
(default depth and limit, as the CLI uses them), then `codemeld impact` is
timed end to end (process start included) for a few of them.

Goal (issue 4): p95 under 300 ms. A benchmark, not a timed test.

Usage: python -m evals.bench_impact [--root DIR] [--top N] [--cli N] [--index-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from evals.harness import corpora
from indexer.analysis import impact as impact_module  # noqa: E402
from indexer.analysis.impact import DEFAULT_DEPTH, DEFAULT_LIMIT, impact  # noqa: E402
from indexer.pipeline.index import IndexOptions, Indexer  # noqa: E402
from indexer.graph.query import Graph  # noqa: E402

GOAL_P95_MS = 300


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def default_index_dir(root: Path) -> Path:
    digest = hashlib.sha1(str(root).encode()).hexdigest()[:10]
    return corpora.cache_root() / "bench-impact" / f"{root.name}-{digest}"


def widely_used(graph: Graph, top: int) -> list[tuple[str, int]]:
    rows = graph.conn.execute(
        "SELECT target, count(*) FROM refs WHERE target IN"
        " (SELECT qualname FROM symbols WHERE kind IN ('function', 'method'))"
        " GROUP BY target ORDER BY 2 DESC, 1 LIMIT ?", (top,))
    return [(q, n) for q, n in rows]


class ReportTimer:
    """Times impact()'s second half (_report: building dependents and tests)
    apart from the walk, by wrapping the module's function for this process."""

    def __init__(self):
        self.seconds = 0.0
        self._inner = impact_module._report

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return self._inner(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        impact_module._report = timed

    def take(self) -> float:
        value, self.seconds = self.seconds, 0.0
        return value


def cli_seconds(root: Path, index_dir: Path, target: str, extra: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "server.cli", "impact", target, "--root", str(root),
                    "--index-dir", str(index_dir), *extra],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    p.add_argument("--index-dir", type=Path, help="index location (default: under the corpora cache)")
    p.add_argument("--jobs", type=int, default=0, help="indexer workers, 0 = one per core (default)")
    p.add_argument("--top", type=int, default=100, help="how many of the most referenced functions (default 100)")
    p.add_argument("--cli", type=int, default=5, help="how many of them to also time through the CLI (default 5)")
    p.add_argument("--depth", type=int, default=DEFAULT_DEPTH)
    p.add_argument("--limit", type=int, default=DEFAULT_LIMIT)
    opts = p.parse_args()
    root = opts.root.resolve()
    index_dir = (opts.index_dir or default_index_dir(root)).resolve()

    indexer = Indexer(root, index_dir, IndexOptions(jobs=opts.jobs))
    started = time.perf_counter()
    run = indexer.run()
    index_s = time.perf_counter() - started
    graph = Graph(indexer.store, indexer.root)
    stats = graph.stats()
    print(f"corpus: {root} ({stats.files} files, {stats.symbols:,} symbols, {stats.references:,} references; "
          f"{os.cpu_count()} cores)")
    print(f"index: {index_dir} ({'built' if run.parsed else 'reused, no change'} in {index_s:.1f} s)")

    targets = widely_used(graph, opts.top)
    impact(graph, targets[0][0], depth=opts.depth, limit=opts.limit)  # warm the connection and page cache
    timer = ReportTimer()
    timings, report_ms = [], []
    for qualname, refs in targets:
        t0 = time.perf_counter()
        report = impact(graph, qualname, depth=opts.depth, limit=opts.limit)
        timings.append((time.perf_counter() - t0, qualname, refs, report))
        report_ms.append(timer.take() * 1000)
    ms = sorted(t * 1000 for t, *_ in timings)
    p50, p95 = percentile(ms, 50), percentile(ms, 95)
    print(f"\nimpact() in-process, {len(timings)} most referenced functions/methods "
          f"(depth {opts.depth}, limit {opts.limit}):")
    print(f"  p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms   mean {sum(ms) / len(ms):7.1f} ms"
          f"   (goal p95 < {GOAL_P95_MS} ms: {'met' if p95 < GOAL_P95_MS else 'NOT met'})")
    walk = sorted(t * 1000 - r for (t, *_), r in zip(timings, report_ms))
    rep = sorted(report_ms)
    print(f"  of which the walk:      p50 {percentile(walk, 50):7.1f} ms   p95 {percentile(walk, 95):7.1f} ms"
          f"   max {walk[-1]:7.1f} ms")
    print(f"  of which _report:       p50 {percentile(rep, 50):7.1f} ms   p95 {percentile(rep, 95):7.1f} ms"
          f"   max {rep[-1]:7.1f} ms   (dependents, tests, test classes' methods)")
    dependents = sorted(len(r.dependents) for *_, r in timings)
    truncated = sum(r.truncated for *_, r in timings)
    print(f"  dependents per report: median {dependents[len(dependents) // 2]}, max {dependents[-1]}; "
          f"{truncated} of {len(timings)} reports truncated (depth or limit)")
    print("  slowest:")
    by_name = {q: r for (_t, q, *_), r in zip(timings, report_ms)}
    for seconds, qualname, refs, report in sorted(timings, key=lambda t: -t[0])[:8]:
        print(f"    {seconds * 1000:7.1f} ms  {qualname}  ({refs} refs; {len(report.dependents)} dependents, "
              f"{len(report.tests)} tests{', truncated' if report.truncated else ''}; "
              f"_report {by_name[qualname]:.0f} ms)")
    in_process = {q: t for t, q, *_ in timings}

    indexer.close()
    chosen = [q for _t, q, *_ in sorted(timings, key=lambda t: -t[0])[:max(0, opts.cli - 1)]]
    chosen += [q for q, _n in targets[:1] if q not in chosen]
    if chosen:
        print(f"\n`codemeld impact` end to end (process start included), {len(chosen)} targets:")
        start_s = min(_startup_seconds() for _ in range(3))
        print(f"  python -m server.cli --help (process start, imports): {start_s * 1000:6.0f} ms")
        for qualname in chosen:
            text = min(cli_seconds(root, index_dir, qualname, []) for _ in range(2))
            as_json = cli_seconds(root, index_dir, qualname, ["--json"])
            tests = cli_seconds(root, index_dir, qualname, ["--tests"])
            print(f"  {qualname:48s} text {text * 1000:6.0f} ms   --json {as_json * 1000:6.0f} ms"
                  f"   --tests {tests * 1000:6.0f} ms   (in-process {in_process[qualname] * 1000:6.0f} ms)")


def _startup_seconds() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "server.cli", "--help"], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
