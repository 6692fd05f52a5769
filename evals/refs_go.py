"""Go find-references accuracy against gopls, latency over LSP, and cold
index throughput against Python's, measured in one run.

Corpora: real Go modules with standard-library-only dependencies, fetched by
this script as pinned Debian source packages (`golang-*-dev` debs ship a
module's sources with its go.mod) into the corpora cache, never committed.
For each module we sample package-level definitions (functions, methods,
types, fields, interface methods, constants, variables) outside _test.go
files, ask gopls (Debian's `gopls`, offline: GOPROXY=off) for their
references, ask a real `codemeld serve` over LSP for the same, and compare
the sets of (path, line, UTF-16 column) positions.

    python -m evals.refs_go                      # pflag + go-cmp, 60 definitions each
    python -m evals.refs_go --sample 200 --show-misses 10 --json /tmp/go.json

Needs: `apt-get install gopls golang-go` (gopls runs `go list`), and apt
lists (`apt-get update`) for the download. Results go to stdout; progress to
stderr."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from evals.harness import corpora, report
from evals.harness.lsp import RawLsp
from evals.harness.metrics import SetScore

# name -> (Debian package, pinned version, module path)
CORPORA = {
    "pflag": ("golang-github-spf13-pflag-dev", "1.0.6~git20210604-d5e0c0615ace-1", "github.com/spf13/pflag"),
    "go-cmp": ("golang-github-google-go-cmp-dev", "0.5.9-1", "github.com/google/go-cmp"),
}
# The Python corpus indexed in the same run for the throughput ratio.
PYTHON_BASELINE = ("click", "8.1.7")
SAMPLED_KINDS = ("function", "method", "class", "attribute", "constant", "variable")
DEFAULT_SAMPLE = 60

Ref = tuple[str, int, int]


def log(msg: str) -> None:
    print(f"[refs_go] {msg}", file=sys.stderr, flush=True)


# -- corpora -------------------------------------------------------------------

def fetch_module(name: str) -> Path:
    """The module root of a pinned Debian Go source package, fetched and
    unpacked into the corpora cache on first use."""
    package, version, module = CORPORA[name]
    target = corpora.cache_root() / "debian" / f"{package}_{version}"
    root = target / "tree" / "usr/share/gocode/src" / module
    if (target / ".complete").exists():
        return root
    shutil.rmtree(target, ignore_errors=True)
    (target / "deb").mkdir(parents=True)
    log(f"downloading {package}={version}")
    done = subprocess.run(["apt-get", "download", f"{package}={version}"], cwd=target / "deb",
                          capture_output=True, text=True)
    debs = list((target / "deb").glob("*.deb"))
    if done.returncode != 0 or not debs:
        raise SystemExit(f"apt-get download {package}={version} failed (run `apt-get update` first?):\n"
                         f"{done.stderr.strip()}")
    subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(target / "tree")], check=True)
    if not (root / "go.mod").exists():
        raise SystemExit(f"{package}: no go.mod under {root}")
    (target / ".complete").write_text(version)
    return root


# -- a plain stdio LSP client for gopls ------------------------------------------

class StdioLsp:
    """JSON-RPC over a subprocess's stdio: requests, and null/empty answers
    to whatever the server asks the client."""

    def __init__(self, argv: list[str], cwd: Path, env: dict):
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.ids = itertools.count(1)
        self.answers: dict = {}
        self.progress: dict = {}  # $/progress kind -> count
        self.cond = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()

    def _send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def _pump(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    with self.cond:
                        self.cond.notify_all()
                    return
                if line in (b"\r\n", b"\n"):
                    break
                key, _, value = line.decode("ascii", "replace").partition(":")
                if key.strip().lower() == "content-length":
                    length = int(value)
            message = json.loads(out.read(length or 0))
            if "method" in message and "id" in message:
                items = (message.get("params") or {}).get("items")
                self._send({"jsonrpc": "2.0", "id": message["id"],
                            "result": [None] * len(items) if items is not None else None})
            elif "id" in message:
                with self.cond:
                    self.answers[message["id"]] = message
                    self.cond.notify_all()
            elif message.get("method") == "$/progress":
                value = (message.get("params") or {}).get("value") or {}
                with self.cond:
                    self.progress[value.get("kind")] = self.progress.get(value.get("kind"), 0) + 1
                    self.cond.notify_all()

    def request(self, method: str, params, timeout: float = 300.0):
        msg_id = next(self.ids)
        self._send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        with self.cond:
            while msg_id not in self.answers:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise TimeoutError(f"{method}: no answer")
                self.cond.wait(left)
            answer = self.answers.pop(msg_id)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result")

    def settle(self, timeout: float) -> None:
        """Until every work-done progress begun has ended (gopls: loading the
        workspace), then a quiet second."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while time.monotonic() < deadline:
                begun, ended = self.progress.get("begin", 0), self.progress.get("end", 0)
                if begun and begun == ended:
                    break
                self.cond.wait(0.2)
        time.sleep(1.0)

    def notify(self, method: str, params) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def close(self) -> None:
        try:
            self.request("shutdown", None, 10)
            self.notify("exit", None)
            self.proc.wait(10)
        except (TimeoutError, RuntimeError, OSError):
            self.proc.kill()


def _positions(root: Path, locations) -> set[Ref]:
    out = set()
    for loc in locations or ():
        path = Path(urllib.parse.unquote(urllib.parse.urlparse(loc["uri"]).path))
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
        start = loc["range"]["start"]
        out.add((rel, start["line"], start["character"]))
    return out


def gopls_refs(root: Path, defs: list[dict], work: Path) -> dict[str, set[Ref]]:
    gopls = shutil.which("gopls")
    if gopls is None or shutil.which("go") is None:
        raise SystemExit("gopls and go are needed: apt-get install -y gopls golang-go")
    env = {**os.environ, "GOPROXY": "off", "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local",
           "GOPATH": str(work / "gopath"), "GOCACHE": str(work / "gocache"), "GO111MODULE": "on"}
    client = StdioLsp([gopls, "serve"], root, env)
    try:
        uri = root.as_uri()
        client.request("initialize", {"processId": os.getpid(), "rootUri": uri,
                                      "capabilities": {"window": {"workDoneProgress": True}},
                                      "workspaceFolders": [{"uri": uri, "name": root.name}]}, 120)
        client.notify("initialized", {})
        client.settle(120)
        out = {}
        # Twice, keeping the second answers: early answers can miss
        # references in test variants that gopls is still loading.
        for d in [*defs, *defs]:
            try:
                locations = client.request("textDocument/references", {
                    "textDocument": {"uri": (root / d["path"]).as_uri()},
                    "position": {"line": d["line"], "character": d["character"]},
                    "context": {"includeDeclaration": False}})
            except RuntimeError as exc:
                # A file outside the default build (`//go:build purego`): gopls
                # has no package for it, so it has no answer to compare with.
                log(f"gopls: no answer for {d['qualname']}: {exc}")
                continue
            out[d["key"]] = _positions(root, locations) - {(d["path"], d["line"], d["character"])}
        return out
    finally:
        client.close()


# -- codemeld ------------------------------------------------------------------------

def cold_index(root: Path, index_dir: Path) -> dict:
    """In-process cold index, one job (the throughput figure)."""
    from indexer.pipeline.index import IndexOptions, Indexer

    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    indexer = Indexer(root, index_dir, IndexOptions(jobs=1))
    run = indexer.run()
    seconds = time.perf_counter() - started
    lines = indexer.store.conn.execute("SELECT count(*) FROM files").fetchone()[0]
    indexer.close()
    total = sum(p.read_bytes().count(b"\n") for p in _source_files(root, index_dir))
    return {"seconds": seconds, "files": run.parsed, "lines": total, "lines_per_s": total / seconds,
            "refs": run.refs_resolved, "indexed_files": lines}


def _source_files(root: Path, index_dir: Path) -> list[Path]:
    from indexer.pipeline import discovery

    return [f.abs_path for f in discovery.discover(root).files if f.language in ("python", "go")]


def sample_definitions(index_dir: Path, root: Path, sample: int, seed: int, go: bool = True) -> list[dict]:
    from indexer.graph.query import Graph
    from indexer.graph.store import Store

    store = Store(index_dir, readonly=True)
    graph = Graph(store, root)
    symbols = [s for s in graph.symbols_of_kinds(SAMPLED_KINDS)
               if s.qualname.startswith("go:") == go and not s.path.endswith("_test.go") and not s.is_test
               and s.name != "_" and s.name != "init"]
    store.close()
    symbols.sort(key=lambda s: (s.path, s.selection_range.start.line, s.selection_range.start.character))
    picked = random.Random(seed).sample(symbols, min(sample, len(symbols)))
    return [{"key": f"{s.path}:{s.selection_range.start.line}:{s.selection_range.start.character}",
             "path": s.path, "line": s.selection_range.start.line, "character": s.selection_range.start.character,
             "qualname": s.qualname, "kind": s.kind} for s in picked]


def codemeld_refs(root: Path, index_dir: Path, defs: list[dict], work: Path) -> tuple[dict, list[float]]:
    client = RawLsp(root, index_dir, work / "codemeld.log")
    out, times = {}, []
    try:
        client.initialize()
        client.wait_ready(600)
        for d in defs:
            started = time.perf_counter()
            answer = client.request("textDocument/references", {
                "textDocument": {"uri": client.uri(d["path"])},
                "position": {"line": d["line"], "character": d["character"]},
                "context": {"includeDeclaration": False}}, 60)
            times.append(time.perf_counter() - started)
            result = (answer or {}).get("result")
            out[d["key"]] = _positions(root, result) - {(d["path"], d["line"], d["character"])}
    finally:
        client.close()
    return out, times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


# -- the run -----------------------------------------------------------------------------

def evaluate(name: str, args, work: Path) -> dict:
    root = fetch_module(name)
    index_dir = work / f"{name}-index"
    log(f"{name}: cold index of {root}")
    throughput = cold_index(root, index_dir)
    defs = sample_definitions(index_dir, root, args.sample, args.seed)
    # codemeld first: gopls leaves `go list` work behind that would share the CPU.
    log(f"{name}: codemeld references over LSP")
    found, all_times = codemeld_refs(root, index_dir, defs, work)
    log(f"{name}: gopls references for {len(defs)} definitions")
    started = time.perf_counter()
    oracle = gopls_refs(root, defs, work)
    gopls_s = time.perf_counter() - started
    skipped = [d["qualname"] for d in defs if d["key"] not in oracle]
    times = [t for d, t in zip(defs, all_times) if d["key"] in oracle]
    defs = [d for d in defs if d["key"] in oracle]
    score = SetScore()
    per_def = []
    for d in defs:
        expected, got = oracle[d["key"]], found.get(d["key"], set())
        score.add(expected, got)
        per_def.append({**d, "missing": sorted(expected - got), "extra": sorted(got - expected),
                        "expected": len(expected)})
    return {"corpus": name, "version": CORPORA[name][1], "definitions": len(defs), "skipped": skipped,
            "index": throughput,
            "score": score.to_dict(), "gopls_seconds": gopls_s,
            "latency_ms": {"p50": percentile(times, 0.5) * 1000, "p95": percentile(times, 0.95) * 1000,
                           "max": max(times, default=0) * 1000},
            "per_definition": per_def}


def python_baseline(work: Path, sample: int, seed: int) -> dict:
    """Python's cold index throughput and LSP reference latency, same run."""
    name, version = PYTHON_BASELINE
    root = corpora.fetch_sdist(name, version)
    out = cold_index(root, work / "python-index")
    defs = sample_definitions(work / "python-index", root, sample, seed, go=False)
    _, times = codemeld_refs(root, work / "python-index", defs, work)
    out["latency_ms"] = {"p50": percentile(times, 0.5) * 1000, "p95": percentile(times, 0.95) * 1000}
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", action="append", choices=sorted(CORPORA), help="default: all")
    p.add_argument("--sample", type=int, default=DEFAULT_SAMPLE)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--show-misses", type=int, default=0, metavar="N")
    p.add_argument("--no-python-baseline", action="store_true")
    p.add_argument("--json", type=Path, metavar="OUT")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="codemeld-refs-go-"))
    try:
        results = [evaluate(name, args, work) for name in (args.corpus or list(CORPORA))]
        baseline = None if args.no_python_baseline else python_baseline(work, args.sample, args.seed)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = SetScore()
    print(f"Go references vs gopls ({subprocess.run(['gopls', 'version'], capture_output=True, text=True).stdout.split(chr(10))[0].strip()}),"
          f" sample {args.sample} (seed {args.seed})")
    print(f"{'corpus':10} {'defs':>5} {'P':>6} {'R':>6} {'F1':>6} {'p50 ms':>7} {'p95 ms':>7} {'lines':>7} {'lines/s':>8}")
    for r in results:
        s = r["score"]
        total.tp, total.fp, total.fn = total.tp + s["tp"], total.fp + s["fp"], total.fn + s["fn"]
        print(f"{r['corpus']:10} {r['definitions']:5} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f}"
              f" {r['latency_ms']['p50']:7.1f} {r['latency_ms']['p95']:7.1f} {r['index']['lines']:7}"
              f" {r['index']['lines_per_s']:8.0f}")
    print(f"{'all':10} {'':5} {total.precision:6.3f} {total.recall:6.3f} {total.f1:6.3f}   (goal F1 >= 0.95, p95 < 20 ms)")
    if baseline is not None:
        go_lines = sum(r["index"]["lines"] for r in results)
        go_s = sum(r["index"]["seconds"] for r in results)
        ratio = baseline["lines_per_s"] / (go_lines / go_s)
        print(f"cold index, one job: Go {go_lines / go_s:,.0f} lines/s, Python ({PYTHON_BASELINE[0]}"
              f" {baseline['lines']} lines) {baseline['lines_per_s']:,.0f} lines/s: Python/Go = {ratio:.2f}x"
              f" (goal <= 1.5)")
        print(f"references over LSP, Python ({PYTHON_BASELINE[0]}, same run): p50 {baseline['latency_ms']['p50']:.1f} ms,"
              f" p95 {baseline['latency_ms']['p95']:.1f} ms")
    if args.show_misses:
        for r in results:
            shown = 0
            for d in r["per_definition"]:
                if (d["missing"] or d["extra"]) and shown < args.show_misses:
                    shown += 1
                    print(f"  {r['corpus']} {d['qualname']} ({d['kind']}): expected {d['expected']},"
                          f" missing {d['missing'][:5]}, extra {d['extra'][:5]}")
    if args.json:
        out = report.new("refs_go", sample=args.sample, seed=args.seed)
        out.results = [*results, *([{"python_baseline": baseline}] if baseline else [])]
        args.json.write_text(report.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
