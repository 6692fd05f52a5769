#!/usr/bin/env python3
"""Indexing speed on the running interpreter's standard library (~850k lines).

Measured in one run, on the same files:
  bare parse   tree-sitter parsing every file, one core (the baseline)
  cold         `codemeld index` from nothing (subprocess, all cores)
  warm         `codemeld index` again with nothing changed
  one file     Indexer.update_paths after editing one file (in-process), and
               the same through the CLI
  peak RSS     of the indexing process (largest process of the run)
Usage: python scripts/bench_index.py [--root DIR] [--jobs N] [--keep DIR]
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
sys.path.insert(0, str(REPO))

from indexer import discovery  # noqa: E402
from indexer.index import IndexOptions, Indexer  # noqa: E402
from indexer.languages.python.extract import parser  # noqa: E402


def bare_parse(files: list[Path]) -> tuple[float, int]:
    sources = [f.read_bytes() for f in files]
    ts_parser = parser()
    started = time.perf_counter()
    for source in sources:
        ts_parser.parse(source)
    return time.perf_counter() - started, sum(s.count(b"\n") for s in sources)


def cli_index(root: Path, index_dir: Path, jobs: int) -> tuple[float, dict]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "server.cli", "index", str(root), "--index-dir", str(index_dir),
         "--no-embeddings", "--json", "--jobs", str(jobs)],
        cwd=REPO, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, json.loads(out.stdout)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("--root", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    args.add_argument("--jobs", type=int, default=0)
    args.add_argument("--keep", type=Path, help="keep the copied corpus and index here")
    args.add_argument("--corpus", choices=["stdlib", "2m"], default="stdlib",
                      help="2m: stdlib + django + sympy (evals/corpus_2m.py, fetched from PyPI)")
    opts = args.parse_args()
    if opts.corpus == "2m":
        from evals.corpus_2m import build

        opts.root = build()
    print(f"load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")

    work = opts.keep or Path(tempfile.mkdtemp(prefix="codemeld-bench-"))
    corpus = work / "corpus"
    if not corpus.exists():
        # A copy, so the one-file edit never touches the interpreter's files.
        shutil.copytree(opts.root, corpus, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "site-packages"))
    index_dir = work / "index"
    shutil.rmtree(index_dir, ignore_errors=True)

    found = discovery.discover(corpus)
    files = [f.abs_path for f in found.files]
    parse_s, lines = bare_parse(files)
    print(f"corpus: {corpus} ({len(files)} files, {lines:,} lines; {os.cpu_count()} cores)")
    print(f"bare tree-sitter parse (1 core):   {parse_s:7.2f} s")

    cold_s, cold = cli_index(corpus, index_dir, opts.jobs)
    print(f"codemeld cold index:               {cold_s:7.2f} s  ({cold['parsed']} files, "
          f"{cold['refsResolved']:,} references)")
    print(f"  ratio cold / bare parse:         {cold_s / parse_s:7.2f} x   (goal <= 2)")

    warm_s, warm = cli_index(corpus, index_dir, opts.jobs)
    print(f"no-change re-index (CLI):          {warm_s:7.2f} s  ({warm['parsed']} parsed; goal < 1 s)")

    target = next(corpus.rglob("json/decoder.py"))  # the stdlib's, wherever the corpus keeps it
    original = target.read_text(encoding="utf-8")
    indexer = Indexer(corpus, index_dir, IndexOptions(jobs=opts.jobs))
    timings = []
    for round_ in range(5):
        target.write_text(original + f"\n\ndef _bench_added_{round_}():\n    return JSONDecoder()\n", encoding="utf-8")
        started = time.perf_counter()
        run = indexer.update_paths([target.relative_to(corpus).as_posix()])
        timings.append(time.perf_counter() - started)
        assert run.parsed == 1, run
    indexer.close()
    timings.sort()
    print(f"one-file update (in-process):      {timings[len(timings) // 2] * 1000:7.1f} ms median of 5"
          f"  (goal < 100 ms)")
    target.write_text(original + "\n\ndef _bench_cli():\n    pass\n", encoding="utf-8")
    one_s, one = cli_index(corpus, index_dir, opts.jobs)
    print(f"one-file update (CLI, end to end): {one_s:7.2f} s  ({one['parsed']} parsed)")
    target.write_text(original, encoding="utf-8")

    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    size_mb = sum(p.stat().st_size for p in index_dir.iterdir()) / 1e6
    print(f"peak RSS (largest process):        {peak_mb:7.0f} MB  (goal < 500 MB)")
    print(f"index size on disk:                {size_mb:7.0f} MB")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    if not opts.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
