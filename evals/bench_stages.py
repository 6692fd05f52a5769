"""Where a cold index's CPU goes, by phase and by process (issue 17).

One cold `Indexer.run` of the standard library (or --root), in-process with
its worker pool, and per phase: wall seconds, the CPU of the writer (this
process) and of the workers (RUSAGE_CHILDREN: a pool's workers are waited
for when it closes, so each phase's pool is counted in that phase).

  phase 1   parse + extract in workers; the writer stores files and symbols
  phase 2   resolution in workers; the writer stores the references
  indexes   the lookup indexes a cold build builds once at the end

With --baseline DIR (another checkout, e.g. an unpacked `git archive`),
that code runs the same way in a subprocess first, then this code, in the
same run: the ratio of the two is the figure to read on a loaded machine.
Usage: python -m evals.bench_stages [--root DIR] [--baseline DIR] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_PHASES = ("phase 1", "phase 2", "indexes")


def _now() -> tuple[float, float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter(), own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def measure(root: Path, index_dir: Path, jobs: int) -> dict:
    """Run a cold index of `root` with the code this interpreter imports:
    {phase: (wall, writer CPU, workers CPU)} plus the peak RSS of both."""
    from indexer.graph.store import Store
    from indexer.pipeline import index as pipeline

    marks: list[tuple[str, tuple]] = []
    batches, resolve, compact = (pipeline.Indexer._parsed_batches, pipeline.Indexer._resolve_dirty,
                                 Store.compact_write_indexes)

    def timed_batches(self, jobs_):
        marks.append(("phase 1", _now()))
        yield from batches(self, jobs_)

    def timed_resolve(self, *args, **kwargs):
        marks.append(("phase 2", _now()))
        return resolve(self, *args, **kwargs)

    def timed_compact(self):
        marks.append(("indexes", _now()))
        return compact(self)

    pipeline.Indexer._parsed_batches = timed_batches
    pipeline.Indexer._resolve_dirty = timed_resolve
    Store.compact_write_indexes = timed_compact
    shutil.rmtree(index_dir, ignore_errors=True)
    indexer = pipeline.Indexer(root, index_dir, pipeline.IndexOptions(jobs=jobs))
    with indexer.writing():
        indexer.run()
    indexer.close()
    marks.append(("end", _now()))
    out = {}
    for (label, start), (_next, end) in zip(marks, marks[1:]):
        out[label] = tuple(b - a for a, b in zip(start, end))
    out["peak RSS MB"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return out


def _run(code: Path, root: Path, index_dir: Path, jobs: int) -> dict:
    """`measure` with the code at `code`, in a process of its own."""
    # The indexer is imported from `code` (the working folder); this
    # measuring function from this file, which a baseline may not have.
    script = (f"import json, sys, importlib.util; sys.path.insert(0, {str(code)!r});"
              f"spec = importlib.util.spec_from_file_location('stages', {str(Path(__file__).resolve())!r});"
              "stages = importlib.util.module_from_spec(spec); spec.loader.exec_module(stages);"
              "from pathlib import Path;"
              f"print(json.dumps(stages.measure(Path({str(root)!r}), Path({str(index_dir)!r}), {jobs})))")
    done = subprocess.run([sys.executable, "-c", script], cwd=code, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("--root", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    args.add_argument("--baseline", type=Path, help="another codemeld checkout, measured first in the same run")
    args.add_argument("--jobs", type=int, default=0)
    opts = args.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores); corpus {opts.root}")
    work = Path(tempfile.mkdtemp(prefix="codemeld-stages-"))
    try:
        runs = {}
        if opts.baseline:
            runs["baseline"] = _run(opts.baseline.resolve(), opts.root, work / "baseline", opts.jobs)
        runs["this code"] = _run(REPO, opts.root, work / "this", opts.jobs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for label, run in runs.items():
        print(f"{label}:")
        for phase in _PHASES:
            wall, writer, workers = run.get(phase, (0.0, 0.0, 0.0))
            print(f"  {phase:8} wall {wall:7.2f} s   writer CPU {writer:6.2f} s   workers CPU {workers:6.2f} s")
        total = [sum(run.get(p, (0, 0, 0))[i] for p in _PHASES) for i in range(3)]
        print(f"  {'total':8} wall {total[0]:7.2f} s   writer CPU {total[1]:6.2f} s   workers CPU {total[2]:6.2f} s"
              f"   all {total[1] + total[2]:.2f} s")
        print(f"  peak RSS: writer {run['peak RSS MB'][0]:.0f} MB, largest worker {run['peak RSS MB'][1]:.0f} MB")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
