"""Where a parser worker's CPU goes, in units of the bare parse of the same
files in the same run (issue 17): serial and in-process, so load moves the
ratios less than it moves a whole cold index.

  parse       tree-sitter parse of every file (the unit)
  captures    the Python query's captures alone
  extraction  `extract` minus the parse: captures plus the Python sweep
  pack        facts rows, pickled and compressed (what the worker sends)
  symbol rows the writer's rows, built in the worker
  summarize   the module summary
  worker      the whole `_parse_one` minus the parse

Each figure is the minimum over --rounds rounds (the least disturbed).
Usage: python -m evals.bench_extract [--files N] [--rounds R] [--root DIR]
"""

from __future__ import annotations

import argparse
import os
import sysconfig
import time
from pathlib import Path

from indexer import languages
from indexer.graph.store import pack
from indexer.languages.base import stored_facts
from indexer.languages.python.extract import parser
from indexer.languages.python.syntax import _query_cursor
from indexer.pipeline import discovery
from indexer.pipeline import index as pipeline


def _cpu(fn, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("--root", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    args.add_argument("--files", type=int, default=400, help="every k-th .py file, this many")
    args.add_argument("--rounds", type=int, default=3)
    opts = args.parse_args()
    found = [f for f in discovery.discover(opts.root).files if f.path.endswith(".py") and "site-packages" not in f.path]
    files = found[::max(1, len(found) // opts.files)][:opts.files]
    support = languages.support("python")
    jobs = []
    for f in files:
        module, is_package = support.module_name(f.path, [""])
        jobs.append((f.path, str(f.abs_path), "python", module, is_package,
                     support.normalize_source(f.abs_path.read_bytes()), None))  # None: no workspace options
    ts_parser = parser()
    trees = [ts_parser.parse(job[5]) for job in jobs]
    facts = [support.extract(job[5], job[0], job[3], job[4]) for job in jobs]
    stages = {
        "parse": lambda: [ts_parser.parse(job[5]) for job in jobs],
        "captures": lambda: [_query_cursor().captures(tree.root_node) for tree in trees],
        "extract": lambda: [support.extract(job[5], job[0], job[3], job[4]) for job in jobs],
        "pack": lambda: [pack(stored_facts(f)) for f in facts],
        "symbol rows": lambda: [pipeline._symbol_rows(support, f) for f in facts],
        "summarize": lambda: [support.summarize(f) for f in facts],
        "worker": lambda: [pipeline._parse_one(job) for job in jobs],
    }
    cpu = {name: _cpu(fn, opts.rounds) for name, fn in stages.items()}
    unit = cpu["parse"]
    lines = sum(job[5].count(b"\n") for job in jobs)
    print(f"load average {os.getloadavg()[0]:.1f}; {len(jobs)} files, {lines:,} lines; bare parse {unit:.3f} s CPU")
    print(f"  {'captures':14} {cpu['captures'] / unit:6.2f}")
    print(f"  {'extraction':14} {(cpu['extract'] - unit) / unit:6.2f}  (Python sweep "
          f"{(cpu['extract'] - unit - cpu['captures']) / unit:.2f})")
    for name in ("pack", "symbol rows", "summarize"):
        print(f"  {name:14} {cpu[name] / unit:6.2f}")
    print(f"  {'worker':14} {(cpu['worker'] - unit) / unit:6.2f}  (beyond its parse)")


if __name__ == "__main__":
    main()
