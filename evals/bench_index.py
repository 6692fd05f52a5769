#!/usr/bin/env python3
"""Indexing speed on the running interpreter's standard library (~850k lines).

Measured in one run, on the same files:
  bare parse   tree-sitter parsing every file, one core (the baseline)
  cold         `codemeld index` from nothing (subprocess, all cores)
  warm         `codemeld index` again with nothing changed
  one file     Indexer.update_paths after editing one file (in-process), and
               the same through the CLI
  peak RSS     of the indexing process (largest process of the run)
  Go           cold index of two pinned Go modules, lines/s against Python's
  per language cold index of each language's files apart, lines/s and the
               ratio to Python's (evals/bench_languages.py); `--add DIR`
               brings other languages' projects into the corpus
With --baseline DIR (another checkout of codemeld, e.g. `git archive main`
unpacked), that code's cold index runs on the same corpus in the same run,
and every figure of the cold build is printed as a ratio against it, with the
symbol, reference and resolution counts of both (they must be equal).
Usage: python -m evals.bench_index [--root DIR] [--add DIR]... [--no-go] [--jobs N] [--keep DIR] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from indexer.pipeline import discovery  # noqa: E402
from indexer.pipeline.index import IndexOptions, Indexer  # noqa: E402
from indexer.languages.python.extract import parser  # noqa: E402


_PARSE_CPU: list[float] = []  # CPU seconds of the last bare parse (load moves wall time, far less CPU time)


def bare_parse(files: list[Path]) -> tuple[float, int]:
    sources = [f.read_bytes() for f in files]
    ts_parser = parser()
    started, cpu = time.perf_counter(), time.process_time()
    for source in sources:
        ts_parser.parse(source)
    _PARSE_CPU[:] = [time.process_time() - cpu]
    return time.perf_counter() - started, sum(s.count(b"\n") for s in sources)


def cli_index(root: Path, index_dir: Path, jobs: int) -> tuple[float, dict]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "server.cli", "index", str(root), "--index-dir", str(index_dir),
         "--no-embeddings", "--json", "--jobs", str(jobs)],
        cwd=REPO, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, json.loads(out.stdout)


def go_cold(work: Path, corpus: Path, jobs: int) -> None:
    """Per language: cold index (in-process, so the CLI's start-up does not
    swamp small corpora) of the pinned Go modules that evals/refs_go.py
    fetches (Debian sources), against a Python sample of this corpus of
    about the same size, in this run."""
    from evals.refs_go import CORPORA, fetch_module

    def cold(root: Path, name: str) -> tuple[int, float]:
        lines = sum(f.abs_path.read_bytes().count(b"\n") for f in discovery.discover(root).files)
        shutil.rmtree(work / f"{name}-index", ignore_errors=True)
        started = time.perf_counter()
        indexer = Indexer(root, work / f"{name}-index", IndexOptions(jobs=jobs))
        indexer.run()
        seconds = time.perf_counter() - started
        indexer.close()
        return lines, seconds

    sample, taken = work / "py-sample", 0
    if not sample.exists():
        for found in discovery.discover(corpus).files:
            if taken >= 25_000:
                break
            (sample / found.path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(found.abs_path, sample / found.path)
            taken += found.abs_path.read_bytes().count(b"\n")
    py_lines, py_s = cold(sample, "py-sample")
    print(f"per language, cold index in-process (jobs {jobs or 'auto'}):")
    print(f"  Python sample ({py_lines:,} lines):  {py_s:7.2f} s  ({py_lines / py_s:,.0f} lines/s)")
    for name in CORPORA:
        go_lines, go_s = cold(fetch_module(name), f"go-{name}")
        print(f"  Go {name} ({go_lines:,} lines):  {go_s:7.2f} s  ({go_lines / go_s:,.0f} lines/s;"
              f" Python/Go {(py_lines / py_s) / (go_lines / go_s):.2f} x, goal <= 1.5)")


def cli_index_measured(code: Path, root: Path, index_dir: Path, jobs: int) -> tuple[float, dict, float, float]:
    """One cold `codemeld index` of the code at `code`: (seconds, its JSON,
    peak RSS in MB of the process and its workers, CPU seconds of them all, from wait4)."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "index", str(root), "--index-dir", str(index_dir),
             "--no-embeddings", "--json", "--jobs", str(jobs)], cwd=code, stdout=out, stderr=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"cold index with {code} failed ({proc.returncode})")
        out.seek(0)
        return seconds, json.loads(out.read()), usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def graph_counts(index_dir: Path) -> tuple[int, int, int]:
    """(symbols, references, resolved references): the same SQL reads
    schema 12 (tables) and 13 (views)."""
    conn = sqlite3.connect(f"file:{index_dir / 'graph.sqlite3'}?mode=ro", uri=True)
    try:
        return tuple(conn.execute(
            "SELECT (SELECT count(*) FROM symbols), (SELECT count(*) FROM refs),"
            " (SELECT count(*) FROM refs WHERE target IS NOT NULL)").fetchone())
    finally:
        conn.close()


def disk_mb(index_dir: Path) -> float:
    return sum(p.stat().st_size for p in index_dir.iterdir()) / 1e6


def compare_with_baseline(baseline: Path, corpus: Path, work: Path, jobs: int, parse_s: float) -> None:
    """Cold index with the baseline's code, then with this code, same corpus."""
    rows = {}
    for label, code in (("baseline", baseline), ("this code", REPO)):
        index_dir = work / f"index-{label.replace(' ', '-')}"
        shutil.rmtree(index_dir, ignore_errors=True)
        seconds, _out, rss, cpu = cli_index_measured(code, corpus, index_dir, jobs)
        rows[label] = (seconds, rss, disk_mb(index_dir), graph_counts(index_dir), cpu)
        shutil.rmtree(index_dir, ignore_errors=True)
    (b_s, b_rss, b_mb, b_counts, b_cpu), (n_s, n_rss, n_mb, n_counts, n_cpu) = rows["baseline"], rows["this code"]
    print(f"same-run comparison with {baseline}:")
    print(f"  {'':24} {'baseline':>10} {'this code':>10} {'ratio':>7}")
    print(f"  {'cold index (s)':24} {b_s:10.2f} {n_s:10.2f} {n_s / b_s:7.2f}")
    print(f"  {'cold / bare parse':24} {b_s / parse_s:10.2f} {n_s / parse_s:10.2f}")
    # CPU of the index and its workers against the parse's: what load moves least.
    print(f"  {'cold CPU (s, all procs)':24} {b_cpu:10.2f} {n_cpu:10.2f} {n_cpu / b_cpu:7.2f}")
    print(f"  {'CPU / bare parse CPU':24} {b_cpu / _PARSE_CPU[0]:10.2f} {n_cpu / _PARSE_CPU[0]:10.2f}")
    print(f"  {'peak RSS (MB)':24} {b_rss:10.0f} {n_rss:10.0f} {n_rss / b_rss:7.2f}")
    print(f"  {'index on disk (MB)':24} {b_mb:10.1f} {n_mb:10.1f} {n_mb / b_mb:7.2f}")
    for i, name in enumerate(("symbols", "references", "resolved")):
        same = "same" if b_counts[i] == n_counts[i] else "DIFFERENT"
        print(f"  {name:24} {b_counts[i]:10,} {n_counts[i]:10,} {same:>7}")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("--root", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    args.add_argument("--jobs", type=int, default=0)
    args.add_argument("--keep", type=Path, help="keep the copied corpus and index here")
    args.add_argument("--no-go", action="store_true", help="skip the Go corpora (evals/refs_go.py's pinned modules)")
    args.add_argument("--add", type=Path, action="append", default=[],
                      help="another project (e.g. TypeScript) copied into the corpus under _added/NAME")
    args.add_argument("--corpus", choices=["stdlib", "2m"], default="stdlib",
                      help="2m: stdlib + django + sympy (evals/corpus_2m.py, fetched from PyPI)")
    args.add_argument("--baseline", type=Path, help="another codemeld checkout to compare the cold build with")
    args.add_argument("--only-compare", action="store_true", help="with --baseline: skip the warm and one-file runs")
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
        for extra in opts.add:
            shutil.copytree(extra, corpus / "_added" / extra.name, symlinks=True)
    index_dir = work / "index"
    shutil.rmtree(index_dir, ignore_errors=True)

    found = discovery.discover(corpus)
    files = [f.abs_path for f in found.files]
    parse_s, lines = bare_parse(files)
    print(f"corpus: {corpus} ({len(files)} files, {lines:,} lines; {os.cpu_count()} cores)")
    print(f"bare tree-sitter parse (1 core):   {parse_s:7.2f} s  ({_PARSE_CPU[0]:.2f} s CPU)")
    if opts.baseline:
        compare_with_baseline(opts.baseline.resolve(), corpus, work, opts.jobs, parse_s)
        if opts.only_compare:
            if not opts.keep:
                shutil.rmtree(work, ignore_errors=True)
            return

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cold_s, cold = cli_index(corpus, index_dir, opts.jobs)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cold_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"codemeld cold index:               {cold_s:7.2f} s  ({cold['parsed']} files, "
          f"{cold['refsResolved']:,} references; {cold_cpu:.2f} s CPU, all processes)")
    print(f"  ratio cold / bare parse:         {cold_s / parse_s:7.2f} x   (goal <= 2.5)")
    print(f"  ratio CPU / bare parse CPU:      {cold_cpu / _PARSE_CPU[0]:7.2f} x   (the index's {os.cpu_count()} cores "
          f"against the parse's one)")
    if not opts.no_go:
        go_cold(work, corpus, opts.jobs)

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
    from evals.bench_languages import measure, print_rows
    print("per language (each language's files indexed apart, same run):")
    print_rows(measure([corpus], opts.jobs))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    if not opts.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
