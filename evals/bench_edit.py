"""What typing costs (issue 17): didChange -> a references answer that holds
the new use, through a real LSP session over a built index, this checkout
against a baseline checkout in the same run (runs alternate, so the load on
the machine shows in both).

The edits are bench_lsp's (the same sampled functions of the same index,
sampled once, before any server runs):
  body     a use typed at the end of a function's own body
  module   a new module-level name using it (the module's summary changes)
  popular  the same as module, in the most imported modules (`os`,
           `typing`...: hundreds of importers whose references may move)
Each edit opens the document, asks references once, types, polls references
until the new use is there, then closes the document (its importers go back
to the disk version: the next edit meets whatever that left behind).

Printed per kind: wall p50/p95/max, and the server's CPU seconds over the
edits (utime+stime of the server process and its children, from /proc):
wall under load is mostly waiting for a core, CPU is what the server did.

    .venv/bin/python -m evals.bench_edit --index DIR [--corpus stdlib|2m] [--baseline DIR] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from evals.bench_lsp import STDLIB_EXCLUDE, change_latency, percentiles, sample
from evals.bench_warm import corpus_root
from evals.harness.lsp import REPO, Server
from indexer.graph.store import Store

KINDS = ("body", "module", "popular")


def popular_edits(index: Path, count: int) -> list[tuple[str, str, tuple[int, int], int]]:
    """bench_lsp's edit tuples for a public module-level function in each of
    the `count` modules with the most importers."""
    store = Store(index, readonly=True)
    try:
        return [(path, name, (line, character), last) for path, name, line, character, last in store.conn.execute(
            "SELECT f.path, s.name, s.nsl, s.nsc, s.el FROM files f JOIN symbols s ON s.file_id = f.id"
            " JOIN (SELECT module, count(*) AS n FROM imports GROUP BY module) i ON i.module = f.module"
            " WHERE s.kind = 'function' AND s.parent = f.module AND s.name NOT LIKE '\\_%' ESCAPE '\\'"
            " AND f.path LIKE '%.py' GROUP BY f.id ORDER BY i.n DESC LIMIT ?", (count,))]
    finally:
        store.close()


def cpu_s(pid: int) -> float:
    """utime + stime of a process and its waited-for children, seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


async def one_run(repo: Path, root: Path, index: Path, work: Path, edits: dict) -> dict:
    copy = work / "index"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(index, copy)
    env = {**os.environ, "PYTHONPATH": str(repo), "CODEMELD_CACHE_DIR": str(work / "cache")}
    # -P: the server runs the code PYTHONPATH names (the baseline), not the current directory's.
    server = Server([sys.executable, "-P", "-m", "server", "--log-file", str(work / "server.log")], env)
    await server.start(root, {"indexDir": str(copy), "exclude": STDLIB_EXCLUDE, "embeddings": False})
    out: dict = {}
    try:
        await server.wait_ready()
        for kind in KINDS:
            before = cpu_s(server.pid)
            stats = await change_latency(server, root, edits[kind], "body" if kind == "body" else "module")
            out[kind] = stats | {"cpu_s": cpu_s(server.pid) - before}
    finally:
        await server.stop()
    return out


def line(stats: dict) -> str:
    if not stats.get("n"):
        return "n/a"
    return (f"p50 {stats['p50'] * 1000:6.0f} ms  p95 {stats['p95'] * 1000:6.0f} ms  max {stats['max'] * 1000:6.0f} ms"
            f"  (n={stats['n']}, {stats.get('timeouts', 0)} over 10 s)  server CPU {stats['cpu_s']:.2f} s")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=["stdlib", "2m"], default="stdlib")
    parser.add_argument("--index", type=Path, required=True, help="a built index of the corpus (copied per run)")
    parser.add_argument("--baseline", type=Path, help="another codemeld checkout, same schema")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--edits", type=int, default=20, help="edits of each kind per run")
    args = parser.parse_args()
    root = corpus_root(args.corpus)
    servers = {"this": REPO} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    results: dict[str, list[dict]] = {name: [] for name in servers}
    samples = sample(args.index, root, 20)
    common = samples.edits[:args.edits]
    edits = {"body": replace(samples, edits=common), "module": replace(samples, edits=common),
             "popular": replace(samples, edits=popular_edits(args.index, args.edits))}
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="codemeld-bench-edit-") as tmp:
        for run in range(args.runs):
            for name, repo in (servers.items() if run % 2 == 0 else reversed(servers.items())):
                started = time.perf_counter()
                result = await one_run(repo, root, args.index, Path(tmp), edits)
                results[name].append(result)
                print(f"run {run + 1} {name} ({time.perf_counter() - started:.0f} s, load {os.getloadavg()[0]:.1f}): "
                      + "; ".join(f"{k} p50 {result[k].get('p50', 0) * 1000:.0f} ms cpu {result[k]['cpu_s']:.2f} s"
                                  for k in KINDS), file=sys.stderr)
                load.append(os.getloadavg()[0])
    print(f"corpus {args.corpus} ({root}); {args.runs} runs of {args.edits} edits a kind; "
          f"load average {min(load):.1f}-{max(load):.1f} ({os.cpu_count()} cores)")
    pooled: dict[str, dict[str, dict]] = {}
    for name, runs in results.items():
        print(f"{name}:")
        pooled[name] = {}
        for kind in KINDS:
            values = [v for r in runs for v in r[kind].get("values", [])]
            stats = percentiles(values) | {"cpu_s": statistics.median(r[kind]["cpu_s"] for r in runs),
                                           "timeouts": sum(r[kind].get("timeouts", 0) for r in runs)}
            pooled[name][kind] = stats
            print(f"   {kind:7s} {line(stats)}  (CPU: median of runs)")
    if "baseline" in results:
        for kind in KINDS:
            ours, theirs = pooled["this"][kind], pooled["baseline"][kind]
            if ours.get("n") and theirs.get("n"):
                print(f"this / baseline, {kind}: p50 {ours['p50'] / theirs['p50']:.2f}x  p95 "
                      f"{ours['p95'] / theirs['p95']:.2f}x  server CPU {ours['cpu_s'] / max(theirs['cpu_s'], 1e-9):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
