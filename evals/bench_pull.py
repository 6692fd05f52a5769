#!/usr/bin/env python3
"""Ready after `pull` vs a cold local index, in the same run.

The project: the running interpreter's standard library (~850k lines of
Python; --root for another tree) copied into a temp git repository. CI
indexes it and publishes the snapshot (`--uri`, default a file:// store in
the temp dir; any s3://, gs://, az:// works with the usual credentials).
A fresh clone then gets 20 locally changed files, and two ways to an index
of it are timed:

  cold   Indexer.run() into an empty index dir (what every developer pays today)
  pull   snapshot.pull() + Indexer.run() (what re-indexes only what differs)

"Ready" is the graph complete for the working tree; embeddings are left
out of both (--no-embeddings semantics), as the cold baseline would spend
most of its time in the model.

    .venv/bin/python -m evals.bench_pull [--root DIR] [--uri URI] [--changed 20]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path


from indexer.pipeline.index import IndexOptions, Indexer  # noqa: E402
from indexer.graph.query import Graph  # noqa: E402
from indexer.share.snapshot import publish, pull  # noqa: E402


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.email=bench@example.com", "-c", "user.name=bench", *args],
                   check=True, capture_output=True)


def cold_index(root: Path, index_dir: Path) -> tuple[float, int]:
    started = time.perf_counter()
    indexer = Indexer(root, index_dir, IndexOptions())
    run = indexer.run()
    indexer.close()
    return time.perf_counter() - started, run.parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--uri", help="snapshot store (default: file:// in the temp dir)")
    parser.add_argument("--changed", type=int, default=20)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pull-") as tmp:
        work = Path(tmp)
        origin = work / "origin"
        shutil.copytree(opts.root, origin, symlinks=False, ignore_dangling_symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "site-packages", "dist-packages", "*.pyc"))
        lines = sum(p.read_bytes().count(b"\n") for p in origin.rglob("*.py") if p.is_file())
        git(origin, "init", "-q")
        git(origin, "add", "-A")
        git(origin, "commit", "-qm", "snapshot")
        log(f"project: {opts.root} ({lines} lines of .py) as a git repo; CI index ...")
        ci_s, _ = cold_index(origin, work / "ci-index")
        uri = opts.uri or (work / "store").as_uri()
        published = publish(origin, work / "ci-index", uri)
        log(f"CI: index {ci_s:.1f}s, publish {published.seconds:.1f}s ({published.graph_bytes / 1e6:.1f} MB)")

        clone = work / "clone"
        subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
        files = sorted(p for p in clone.rglob("*.py") if "test" not in p.parts and p.stat().st_size < 50_000)
        step = max(1, len(files) // opts.changed)
        changed = files[::step][:opts.changed]
        for i, path in enumerate(changed):
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(f"\n\ndef _bench_local_change_{i}():\n    return {i}\n")

        log(f"clone with {len(changed)} changed files; cold index ...")
        cold_s, cold_parsed = cold_index(clone, work / "cold-index")
        log("pull ...")
        started = time.perf_counter()
        pulled = pull(clone, work / "pull-index", uri)
        pulled_s = time.perf_counter() - started
        indexer = Indexer(clone, work / "pull-index", IndexOptions())
        run = indexer.run()
        ready_s = time.perf_counter() - started
        found = Graph(indexer.store, clone).symbol(
            f"{_module(changed[0], clone)}._bench_local_change_0") is not None
        indexer.close()
    print(f"project: {lines} lines of Python, {len(changed)} files changed locally")
    print(f"cold local index:   {cold_s:7.2f} s ({cold_parsed} files parsed)")
    print(f"pull + re-index:    {ready_s:7.2f} s (snapshot of {pulled.commit[:12]}: download+install {pulled_s:.2f} s,"
          f" then {run.parsed} parsed,"
          f" {run.unchanged} unchanged in {run.seconds:.2f} s); local change indexed: {found}")
    print(f"speed-up: {cold_s / ready_s:.1f}x   (goal: < 10 s and >= 5x)")


def _module(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


if __name__ == "__main__":
    main()
