"""codemeld against ty and pyrefly (the Rust Python language servers, from PyPI)
on the same machine, the same workspace and the same positions, in one run:

  first answer   seconds from process start to the first non-empty
                 `textDocument/references` answer at one position of a file
                 opened right after `initialized` (codemeld: from an empty
                 index, so the cold index runs meanwhile; then warm)
  references     p50/p95 over sampled positions (resolved uses from
                 codemeld's finished index), each over the positions where
                 that server answered (non-empty), with the count
  RSS            peak resident memory of the server process (VmHWM)

Ratios are theirs over codemeld's, measured in this run; the load average
is printed beside them. ty and pyrefly are pip-installed, pinned, into a
cache venv (`$CODEMELD_PEERS`, default ~/.cache/codemeld-peers). The client
is raw JSON-RPC (evals.harness.lsp.RawLsp): lsprotocol cannot parse the
notebook capabilities both advertise, and nothing here needs them.

    .venv/bin/python -m evals.bench_peers [--root DIR] [--positions 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from evals.harness.lsp import RawLsp, find_position
from evals.harness.processes import peak_rss_mb

PEERS = {"ty": ("ty==0.0.104", ["ty", "server"]), "pyrefly": ("pyrefly==1.4.1", ["pyrefly", "lsp"])}
STDLIB_EXCLUDE = ["site-packages/", "dist-packages/"]
FIRST = ("json/__init__.py", "JSONDecoder(")  # a class used across files; its first use as a call


def log(message: str) -> None:
    print(f"[peers] {message}", file=sys.stderr, flush=True)


def peers_venv() -> Path:
    root = Path(os.environ.get("CODEMELD_PEERS") or Path.home() / ".cache" / "codemeld-peers")
    venv = root / "venv"
    wanted = [spec for spec, _ in PEERS.values()]
    marker = venv / ("installed-" + "-".join(wanted))
    if not marker.exists():
        log(f"installing {', '.join(wanted)} into {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *wanted], check=True, stdout=sys.stderr)
        marker.touch()
    return venv


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    data = sorted(values)
    return data[min(len(data) - 1, int(round(q * (len(data) - 1))))]


class Peer:
    """One server over raw JSON-RPC, with the files it was shown."""

    def __init__(self, name: str, command: list[str], root: Path, work: Path, options: dict | None = None):
        self.name, self.root = name, root
        self.started = time.perf_counter()
        self.lsp = RawLsp(root, work / f"index-{name}", work / f"{name}.log", options=options,
                          command=command)
        if command is not None:
            self.lsp.options = None  # initializationOptions are codemeld's
        self.lsp.initialize(timeout=300)
        self.opened: set[str] = set()

    def open(self, rel: str) -> None:
        if rel not in self.opened:
            self.opened.add(rel)
            text = (self.root / rel).read_text(encoding="utf-8", errors="replace")
            self.lsp.notify("textDocument/didOpen", {"textDocument": {
                "uri": self.lsp.uri(rel), "languageId": "python", "version": 1, "text": text}})

    def references(self, rel: str, line: int, character: int, timeout: float) -> tuple[float, list | None]:
        self.open(rel)
        started = time.perf_counter()
        answer = self.lsp.request("textDocument/references", {
            "textDocument": {"uri": self.lsp.uri(rel)}, "position": {"line": line, "character": character},
            "context": {"includeDeclaration": False}}, timeout)
        result = (answer or {}).get("result") if isinstance(answer, dict) else None
        return time.perf_counter() - started, result if isinstance(result, list) else None

    def first_answer(self, position: tuple[str, int, int], timeout: float) -> tuple[float | None, int]:
        """Seconds from process start to the first non-empty answer, and its size."""
        rel, line, character = position
        self.open(rel)
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            _, result = self.references(rel, line, character, max(1.0, deadline - time.perf_counter()))
            if result:
                return time.perf_counter() - self.started, len(result)
            time.sleep(0.05)
        return None, 0

    def close(self) -> float | None:
        rss = peak_rss_mb(self.lsp.proc.pid)
        self.lsp.close(timeout=30)
        return rss


def measure(peer: Peer, first: tuple[str, int, int], positions: list, timeout: float) -> dict:
    first_s, first_n = peer.first_answer(first, timeout=900)
    log(f"{peer.name}: first answer after {first_s} s ({first_n} locations)")
    times, answered = [], 0
    for rel, line, character in positions:
        seconds, result = peer.references(rel, line, character, timeout)
        if result:
            answered += 1
            times.append(seconds)
    return {"first_s": first_s, "first_n": first_n, "answered": answered, "asked": len(positions),
            "p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "rss_mb": peer.close()}


def codemeld_positions(index_dir: Path, root: Path, count: int, seed: int = 7) -> list[tuple[str, int, int]]:
    """Resolved uses (calls, reads, attributes) of workspace definitions, sampled
    from codemeld's finished index (the kind of positions bench_lsp.py asks)."""
    from indexer.graph.query import Graph
    from indexer.graph.store import Store

    graph = Graph(Store(index_dir, readonly=True), root)
    defined = {s.qualname for s in graph.all_symbols()}
    rng = random.Random(seed)
    chosen: list[tuple[str, int, int]] = []
    seen = 0
    for path, sl, sc, el, ec, _name, kind, _enc, target, _conf, how in graph.reference_rows():
        if kind not in ("call", "read", "attribute") or how in _UNRESOLVED or target not in defined:
            continue
        seen += 1  # reservoir sampling over the whole index
        position = (path, sl, sc + 1 if ec - sc > 1 else sc)
        if len(chosen) < count:
            chosen.append(position)
        elif (slot := rng.randrange(seen)) < count:
            chosen[slot] = position
    graph.store.close()
    return chosen


_UNRESOLVED = ("unresolved", "external", "name-match", "builtin")


def wait_ready(lsp: RawLsp, timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = (lsp.request("codemeld/status", None, 60) or {}).get("result") or {}
        if status.get("state") == "ready" and not status.get("pending"):
            return
        time.sleep(0.5)
    raise TimeoutError("codemeld never got ready")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, help="workspace (default: a copy of this interpreter's stdlib)")
    parser.add_argument("--first", default=":".join(FIRST), help="FILE:NEEDLE of the first-answer position")
    parser.add_argument("--positions", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=60.0, help="per-request timeout, seconds")
    parser.add_argument("--only", action="append", choices=list(PEERS), help="peers to run (default: all)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--index-from", type=Path,
                        help="start codemeld from a copy of this built index of --root (its 'cold' start is then warm)")
    parser.add_argument("--cold-first-only", action="store_true",
                        help="only codemeld's first answer from an empty index (issue 17: < 5 s on the stdlib)")
    args = parser.parse_args()
    venv = None if args.cold_first_only else peers_venv()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="codemeld-peers-") as tmp:
        work = Path(tmp)
        root = args.root
        if root is None:
            root = work / "stdlib"
            shutil.copytree(sysconfig.get_paths()["stdlib"], root, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "site-packages", "dist-packages"))
        root = root.resolve()
        rel, _, needle = args.first.partition(":")
        first = find_position(root, rel, needle)
        figures: dict[str, dict] = {}

        if args.index_from is not None:
            shutil.copytree(args.index_from, work / "index-codemeld")
        log("codemeld: " + ("start from a copy of a built index" if args.index_from else "cold start"))
        options = {"embeddings": False, "exclude": STDLIB_EXCLUDE}
        peer = Peer("codemeld", None, root, work, options | {"indexDir": str(work / "index-codemeld")})
        cold_first, cold_n = peer.first_answer(first, timeout=1800)
        log(f"codemeld: first answer (cold) after {cold_first} s ({cold_n} locations)")
        if args.cold_first_only:
            print(f"codemeld cold: first answer {_s(cold_first)} ({cold_n} locations) at {rel}:{first[1] + 1}; "
                  f"load average {load[0]:.1f} -> {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
            peer.close()
            return 0
        wait_ready(peer.lsp)
        ready_s = time.perf_counter() - peer.started
        positions = codemeld_positions(work / "index-codemeld", root, args.positions)
        peer.close()
        peer = Peer("codemeld", None, root, work, options | {"indexDir": str(work / "index-codemeld")})
        figures["codemeld"] = measure(peer, first, positions, args.timeout) | {
            "cold_first_s": cold_first, "cold_first_n": cold_n, "cold_ready_s": ready_s}
        for name, (_spec, command) in PEERS.items():
            if args.only and name not in args.only:
                continue
            log(f"{name}: start")
            try:
                peer = Peer(name, [str(venv / "bin" / command[0]), *command[1:]], root, work)
                figures[name] = measure(peer, first, positions, args.timeout)
            except Exception as exc:  # one peer failing still reports the others
                log(f"{name} failed: {exc}")
    report(figures, root, first, load, os.getloadavg())
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def report(figures: dict, root: Path, first: tuple, load_before: tuple, load_after: tuple) -> None:
    ours = figures["codemeld"]
    print(f"workspace {root}; first-answer position {first[0]}:{first[1] + 1}:{first[2] + 1}")
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} ({os.cpu_count()} cores)")
    print(f"codemeld cold: first answer {_s(ours['cold_first_s'])} ({ours['cold_first_n']} locations), "
          f"index ready {_s(ours['cold_ready_s'])}")
    print(f"{'server':9s} {'first answer':>13s} {'refs p50':>10s} {'refs p95':>10s} {'answered':>9s} {'RSS':>8s}")
    for name, f in figures.items():
        print(f"{name:9s} {_s(f['first_s']):>13s} {_ms(f['p50']):>10s} {_ms(f['p95']):>10s} "
              f"{f['answered']:>4d}/{f['asked']:<4d} {(f['rss_mb'] or 0):6.0f} MB")
    for name, f in figures.items():
        if name == "codemeld":
            continue
        print(f"{name} / codemeld: first answer {_ratio(f['first_s'], ours['cold_first_s'])} (vs cold), "
              f"{_ratio(f['first_s'], ours['first_s'])} (vs warm); references p95 {_ratio(f['p95'], ours['p95'])}; "
              f"RSS {_ratio(f['rss_mb'], ours['rss_mb'])}")


def _s(value) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def _ms(value) -> str:
    return "n/a" if value is None else f"{value * 1000:.1f} ms"


def _ratio(theirs, ours) -> str:
    return "n/a" if not theirs or not ours else f"{theirs / ours:.2f}x"


if __name__ == "__main__":
    sys.exit(main())
