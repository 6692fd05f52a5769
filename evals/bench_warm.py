"""Warm start of the language server over an index that is already built
(issue 17: ready < 2 s on the 2-million-line corpus), the way an editor
meets it: `codemeld serve` spawned, `initialize`, a document opened, a
references request repeated until it answers, `codemeld/status` polled
until the folder is ready. Runs alternate with a floor measured in the
same run, so the load on the machine shows in both:

  floor        a bare `python -c "import pygls.lsp.server, lsprotocol.types"`:
               what any pygls server pays before its first line of code
  initialize   process start -> the initialize answer
  first        process start -> the first non-empty references answer
  ready        process start -> status "ready" (the freshness check of every
               file done)
  cpu          the server's CPU seconds (user + system, all threads) at ready
  RSS          peak resident memory of the server (VmHWM) after ready

With --baseline DIR (another checkout of codemeld, e.g. a `git worktree` of
main, with the same schema) its server runs on the same index, interleaved.

The index is built once (`codemeld index`, a cold run of minutes on the
2M corpus) into the corpora cache and reused; --index-dir names another.

    .venv/bin/python -m evals.bench_warm [--corpus 2m|stdlib] [--runs 5] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from evals.harness.corpora import cache_root, log
from evals.harness.lsp import REPO, RawLsp, find_position
from evals.harness.processes import cpu_s, peak_rss_mb

STDLIB_EXCLUDE = ["site-packages/", "dist-packages/"]
# A class used across files, at its first use as a call (as evals/bench_peers.py asks).
FIRST = {"stdlib": ("json/__init__.py", "JSONDecoder("), "2m": ("cpython/Lib/json/__init__.py", "JSONDecoder(")}


def corpus_root(name: str) -> Path:
    if name == "2m":
        from evals.corpus_2m import build

        return build()
    return Path(sysconfig.get_paths()["stdlib"]).resolve()


def ensure_index(root: Path, index_dir: Path) -> None:
    """Build the index once (cold; minutes on big corpora), then reuse it."""
    done = index_dir / ".bench-warm-complete"
    if done.exists():
        from indexer.graph.store import Store, StoreError

        try:  # an index of another schema would be rebuilt by the server: a cold start, not a warm one
            Store(index_dir, readonly=True).close()
            return
        except StoreError as exc:
            log(f"rebuilding {index_dir}: {exc}")
            done.unlink()
    log(f"building the index of {root} into {index_dir} (once)")
    argv = [sys.executable, "-m", "server.cli", "index", str(root), "--index-dir", str(index_dir),
            "--no-embeddings", "--json"] + [a for e in STDLIB_EXCLUDE for a in ("--exclude", e)]
    subprocess.run(argv, check=True, cwd=REPO, stdout=sys.stderr,
                   env={**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"})
    done.touch()


def floor_s() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pygls.lsp.server, lsprotocol.types"], check=True)
    return time.perf_counter() - started


def one_start(repo: Path, root: Path, index_dir: Path, work: Path, first: tuple[str, int, int]) -> dict:
    rel, line, character = first
    lsp = RawLsp(root, index_dir, work / "server.log", options={"exclude": STDLIB_EXCLUDE}, repo=repo)
    started = time.perf_counter()
    out: dict = {}
    try:
        lsp.initialize(timeout=120)
        out["initialize_s"] = time.perf_counter() - started
        text = (root / rel).read_text(encoding="utf-8")
        lsp.notify("textDocument/didOpen", {"textDocument": {
            "uri": lsp.uri(rel), "languageId": "python", "version": 1, "text": text}})
        params = {"textDocument": {"uri": lsp.uri(rel)}, "position": {"line": line, "character": character},
                  "context": {"includeDeclaration": False}}
        while time.perf_counter() - started < 120:
            answer = lsp.request("textDocument/references", params, 60) or {}
            if answer.get("result"):
                out["first_s"] = time.perf_counter() - started
                out["first_n"] = len(answer["result"])
                break
            time.sleep(0.01)
        while time.perf_counter() - started < 300:
            status = (lsp.request("codemeld/status", None, 60) or {}).get("result") or {}
            folders = status.get("folders", []) if isinstance(status, dict) else status
            if folders and all(f.get("state") == "ready" for f in folders):
                out["ready_s"] = time.perf_counter() - started
                out["ready_cpu_s"] = cpu_s(lsp.proc.pid)
                break
            time.sleep(0.01)
        out["rss_mb"] = peak_rss_mb(lsp.proc.pid)
    finally:
        lsp.close(timeout=30)
    return out


def summary(runs: list[dict], key: str) -> str:
    values = [r[key] for r in runs if r.get(key) is not None]
    if not values:
        return "n/a"
    return f"median {statistics.median(values):6.2f}  min {min(values):6.2f}  max {max(values):6.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=["2m", "stdlib"], default="2m")
    parser.add_argument("--index-dir", type=Path, help="a built index of the corpus (default: built once, cached)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another codemeld checkout to run on the same index")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    root = corpus_root(args.corpus)
    index_dir = args.index_dir or cache_root() / "warm-index" / args.corpus
    if args.index_dir is None:
        ensure_index(root, index_dir)
    first = find_position(root, *FIRST[args.corpus])
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"codemeld-bench-warm-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    servers = {"this": REPO} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    load_before = os.getloadavg()[0]
    figures: dict[str, list[dict]] = {name: [] for name in ["floor", *servers]}
    for run in range(args.runs):
        figures["floor"].append({"floor_s": floor_s()})
        for name, repo in servers.items():
            result = one_start(repo, root, index_dir, work, first)
            log(f"run {run + 1} {name}: {json.dumps({k: round(v, 3) for k, v in result.items() if v})}")
            figures[name].append(result)
    load_after = os.getloadavg()[0]
    print(f"corpus {args.corpus} ({root}), index {index_dir}")
    print(f"load average before {load_before:.1f}, after {load_after:.1f} ({os.cpu_count()} cores); "
          f"{args.runs} runs, seconds")
    print(f"floor (import pygls + lsprotocol)  {summary(figures['floor'], 'floor_s')}")
    for name in servers:
        runs = figures[name]
        print(f"{name}:")
        for key in ("initialize_s", "first_s", "ready_s", "ready_cpu_s", "rss_mb"):
            print(f"   {key:13s} {summary(runs, key)}")
    if "baseline" in servers:
        for key in ("initialize_s", "first_s", "ready_s", "ready_cpu_s"):
            ours = statistics.median(r[key] for r in figures["this"] if r.get(key))
            theirs = statistics.median(r[key] for r in figures["baseline"] if r.get(key))
            print(f"this / baseline {key}: {ours:.2f} / {theirs:.2f} = {ours / theirs:.2f}x")
    if args.json:
        args.json.write_text(json.dumps({"load": [load_before, load_after], **figures}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
