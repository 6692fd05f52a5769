#!/usr/bin/env python3
"""Explanation latency on a real project: what a hover costs, and a full
structural `explain`.

The hover target is p95 < 50 ms without a model (issue 6). Measured here:
  hover, structural   hover_summary with no cached model answer (the default)
  hover, cached       hover_summary when a model answer is cached for the symbol
                      (the cache lookup plus the dependency digest that validates it)
  explain             the full structural explanation (context pack with impact
                      analysis, test bodies, markdown) -- what `codemeld/explain` costs
over a fixed random sample of functions, methods and classes, each timed on
its first call through a fresh read-only connection (as the server and CLI read).

Usage: python -m evals.bench_explain [--corpus click|stdlib | --root DIR] [--symbols N] [--seed S]
The click sdist is fetched once into the corpora cache (evals/harness/corpora.py).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from evals.harness import report as reports

REPO = Path(__file__).resolve().parents[1]

from indexer.explain import explain, hover_summary  # noqa: E402
from indexer.explain.cache import ExplainCache, dependency_hash  # noqa: E402
from indexer.explain.pack import primary_symbol, symbol_hash  # noqa: E402
from indexer.pipeline.index import IndexOptions, Indexer  # noqa: E402
from indexer.graph.query import Graph  # noqa: E402
from indexer.graph.store import Store  # noqa: E402

STDLIB_PACKAGES = ("json", "email", "logging", "http", "urllib", "asyncio", "concurrent")


def corpus_root(opts, scratch: Path) -> Path:
    if opts.root:
        return opts.root.resolve()
    if opts.corpus == "click":
        from evals.harness.corpora import DEFAULT_CORPORA, fetch_sdist

        return fetch_sdist("click", DEFAULT_CORPORA["click"])
    root = scratch / "stdlib"
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for package in STDLIB_PACKAGES:
        shutil.copytree(stdlib / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {"n": len(ordered), "p50_ms": round(at(0.5) * 1000, 2), "p95_ms": round(at(0.95) * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2), "mean_ms": round(statistics.fmean(ordered) * 1000, 2)}


def timed(fn, *args, **kw) -> float:
    started = time.perf_counter()
    fn(*args, **kw)
    return time.perf_counter() - started


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("--corpus", choices=("click", "stdlib"), default="click")
    args.add_argument("--root", type=Path, help="any project directory instead of a named corpus")
    args.add_argument("--symbols", type=int, default=300)
    args.add_argument("--explain-symbols", type=int, default=100)
    args.add_argument("--seed", type=int, default=6)
    opts = args.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-explain-") as scratch_dir:
        scratch = Path(scratch_dir)
        root = corpus_root(opts, scratch)
        index_dir = scratch / "index"
        started = time.perf_counter()
        indexer = Indexer(root, index_dir, IndexOptions())
        run = indexer.run()
        indexer.close()
        print(f"indexed {root}: {run.parsed} files in {time.perf_counter() - started:.1f}s", file=sys.stderr)

        graph = Graph(Store(index_dir, readonly=True), root)
        names = [q for (q,) in graph.conn.execute(
            "SELECT DISTINCT qualname FROM symbols WHERE kind IN ('function', 'method', 'class') ORDER BY qualname")]
        rng = random.Random(opts.seed)
        sample = rng.sample(names, min(opts.symbols, len(names)))

        cache = ExplainCache(scratch / "explain-cache")
        structural_hover = [timed(hover_summary, graph, q, cache=cache) for q in sample]

        # Cache a (fake) model answer for every sampled symbol, then time the hits.
        for q in sample:
            sym = primary_symbol(graph, q)
            cache.put(q, "bench-model", symbol_hash(graph, sym), dependency_hash(graph, sym), "bench",
                      "An answer.", "An answer.")
        graph = Graph(Store(index_dir, readonly=True), root)  # fresh connection: no warm statement cache
        cached_hover = [timed(hover_summary, graph, q, cache=cache) for q in sample]
        assert all("bench-model" in hover_summary(graph, q, cache=cache) for q in sample[:20])

        explain_times = [timed(explain, graph, q) for q in sample[: opts.explain_symbols]]

    report = {
        "corpus": str(root), "files": run.parsed, "symbols_in_index": len(names),
        "hover_structural": percentiles(structural_hover),
        "hover_cached_model_answer": percentiles(cached_hover),
        "explain_structural": percentiles(explain_times),
    }
    for label in ("hover_structural", "hover_cached_model_answer", "explain_structural"):
        r = report[label]
        print(f"{label:28s} n={r['n']:4d}  p50 {r['p50_ms']:7.2f} ms  p95 {r['p95_ms']:7.2f} ms"
              f"  max {r['max_ms']:7.2f} ms")
    print(reports.of("bench_explain", report, vars(opts)).model_dump_json(fallback=str))


if __name__ == "__main__":
    main()
