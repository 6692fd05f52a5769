"""Huge answers, whole, over real sessions: this checkout against a baseline
checkout in the same run.

The answers: the symbols with the most uses in the index (default the top 5
of the standard library: `TestCase.assertEqual` and its like, 10k to 40k
uses each). Over a real `codemeld serve` (a raw JSON-RPC client: it reads
the bytes and `json.loads` them, as an editor does), for each symbol:
  - references, whole (no partialResultToken): request to parsed answer;
  - references with a partialResultToken: to the first `$/progress` page,
    and to the final (empty) response;
  - call hierarchy incoming calls of its definition, whole, and with a
    partialResultToken (first page, all; the pages joined = whole);
  - codemeld/impact of its definition, whole, and with a partialResultToken
    (first page of dependents, all; the report with its pages = whole);
then, with `--cli`, `codemeld refs Q --json` whole and its first page
(`--limit 100`) and a later one (`--cursor`), beside the CLI's floor (the
same command on an unknown name: start, imports, opening the index), and
with `--mcp` the MCP
`references` tool's first page (asked once per symbol) and a later one,
and the first page asked again (`mcp_first_page_again`).

Both servers run on the same index at once and are asked in turn, one
request at a time, so machine load hits both alike; answers of both must be
equal (printed). One untimed round warms each server up first. Prints
p50 / p99 / max of each measure, and baseline/this.

    git archive main | tar -x -C /tmp/main-copy
    HF_HUB_OFFLINE=1 .venv/bin/python -m evals.bench_huge --baseline /tmp/main-copy [--index-dir DIR] \
        [--top 5] [--repeat 3] [--cli] [--mcp] [--json]

Without --index-dir the stdlib is indexed into a cache dir first (as
evals/bench_refs.py does); the baseline must read that index's schema.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evals.bench_refs import stdlib_index
from evals.harness import report as reports
from evals.harness.lsp import RawLsp

REPO = Path(__file__).resolve().parents[1]
EXCLUDE = ["site-packages/", "dist-packages/"]

from indexer.graph.query import Graph  # noqa: E402
from indexer.graph.store import Store  # noqa: E402
from indexer.graph.vocab import SymbolKind  # noqa: E402


class TimedLsp(RawLsp):
    """RawLsp that notes when each `$/progress` message arrives."""

    def _received(self, message: dict) -> None:
        if message.get("method") == "$/progress":
            message["_at"] = time.perf_counter()
        super()._received(message)


def stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    data = sorted(values)
    return {"n": len(data), "p50": statistics.median(data),
            "p99": data[min(len(data) - 1, round(0.99 * (len(data) - 1)))], "max": data[-1]}


def targets(graph: Graph, top: int) -> list[dict]:
    out = []
    for qualname, uses in graph.most_referenced((SymbolKind.FUNCTION, SymbolKind.METHOD, SymbolKind.CLASS), 4 * top):
        if len(out) == top:
            break
        sym = graph.symbol(qualname)
        first = next(iter(graph.reference_spans(qualname, 0.0, False)), None)
        if sym is None or first is None:
            continue
        start = sym.selection_range.start
        out.append({"qualname": qualname, "uses": uses,
                    "definition": (sym.path, start.line, start.character),
                    "use": (first[0], first[1], first[2])})
    return out


def _doc(root: Path, at: tuple) -> dict:
    return {"textDocument": {"uri": (root / at[0]).as_uri()}, "position": {"line": at[1], "character": at[2]}}


def lsp_round(lsp: TimedLsp, root: Path, target: dict, token: str, timeout: float) -> tuple[dict, dict]:
    """One of each LSP measure for one target: (seconds, answers)."""
    seconds, answers = {}, {}
    refs = _doc(root, target["use"]) | {"context": {"includeDeclaration": False}}
    began = time.perf_counter()
    answers["references"] = lsp.request("textDocument/references", refs, timeout)["result"]
    seconds["references"] = time.perf_counter() - began

    began = time.perf_counter()
    final = lsp.request("textDocument/references", refs | {"partialResultToken": token}, timeout)
    seconds["references_streamed_all"] = time.perf_counter() - began
    pages = [m for m in lsp.notifications if m.get("method") == "$/progress" and m["params"]["token"] == token]
    lsp.notifications = [m for m in lsp.notifications if m not in pages]
    if pages and final is not None:
        seconds["references_first_page"] = pages[0]["_at"] - began
        answers["references_streamed"] = [loc for m in pages for loc in m["params"]["value"]] + final["result"]

    definition = _doc(root, target["definition"])
    items = lsp.request("textDocument/prepareCallHierarchy", definition, timeout)["result"]
    if items:
        began = time.perf_counter()
        answers["incoming_calls"] = lsp.request("callHierarchy/incomingCalls", {"item": items[0]}, timeout)["result"]
        seconds["incoming_calls"] = time.perf_counter() - began
        streamed = _streamed(lsp, "callHierarchy/incomingCalls", {"item": items[0]}, f"{token}-calls", timeout, seconds,
                             "incoming_calls")
        if streamed is not None:
            answers["incoming_calls_streamed"] = [item for page in streamed[0] for item in page] + streamed[1]
    began = time.perf_counter()
    answers["impact"] = lsp.request("codemeld/impact", definition, timeout)["result"]
    seconds["impact"] = time.perf_counter() - began
    streamed = _streamed(lsp, "codemeld/impact", definition, f"{token}-impact", timeout, seconds, "impact")
    if streamed is not None and isinstance(streamed[1], dict):
        report = dict(streamed[1])
        report["dependents"] = [d for page in streamed[0] for d in page] + report["dependents"]
        answers["impact_streamed"] = report
    return seconds, answers


def _streamed(lsp: TimedLsp, method: str, params: dict, token: str, timeout: float, seconds: dict, name: str):
    """`method` with a partialResultToken: times to its first `$/progress`
    page and to the final response into `seconds`; (pages, final result)."""
    began = time.perf_counter()
    final = lsp.request(method, params | {"partialResultToken": token}, timeout)
    seconds[f"{name}_streamed_all"] = time.perf_counter() - began
    pages = [m for m in lsp.notifications if m.get("method") == "$/progress" and m["params"]["token"] == token]
    lsp.notifications = [m for m in lsp.notifications if not (m.get("method") == "$/progress"
                                                              and m["params"]["token"] == token)]
    if not pages or final is None:
        return None
    seconds[f"{name}_first_page"] = pages[0]["_at"] - began
    return [m["params"]["value"] for m in pages], final["result"]


def cli_round(repo: Path, root: Path, index_dir: Path, qualname: str, timeout: float) -> dict:
    """`codemeld refs` of one target: whole --json, the first page, the page after it."""
    import json

    base = [sys.executable, "-m", "server.cli", "refs", qualname, "--root", str(root), "--index-dir", str(index_dir),
            "--json"]
    env = {**os.environ, "PYTHONPATH": str(repo), "HF_HUB_OFFLINE": "1"}
    out = {}
    began = time.perf_counter()  # the floor: start, imports, open the index, refuse an unknown name
    subprocess.run(base[:4] + ["no_such_symbol_anywhere"] + base[5:], cwd=repo, env=env, capture_output=True,
                   timeout=timeout)
    out["cli_floor"] = time.perf_counter() - began
    for name, extra in (("cli_whole", []), ("cli_first_page", ["--limit", "100"])):
        began = time.perf_counter()
        done = subprocess.run(base + extra, cwd=repo, env=env, capture_output=True, timeout=timeout, check=True)
        out[name] = time.perf_counter() - began
    cursor = json.loads(done.stdout)["page"]["next_cursor"]
    if cursor:
        began = time.perf_counter()
        subprocess.run(base + ["--limit", "100", "--cursor", cursor], cwd=repo, env=env, capture_output=True,
                       timeout=timeout, check=True)
        out["cli_next_page"] = time.perf_counter() - began
    return out


async def mcp_rounds(repos: dict[str, Path], root: Path, index_dir: Path, chosen: list[dict], repeat: int,
                     work: Path) -> dict[str, dict[str, list[float]]]:
    """The MCP `references` tool: first page (100) and the page after it, each checkout in turn."""
    from contextlib import AsyncExitStack

    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    out: dict[str, dict[str, list[float]]] = {
        name: {key: [] for key in ("mcp_first_page", "mcp_next_page", "mcp_first_page [top 1]", "mcp_next_page [top 1]",
                                   "mcp_first_page_again", "mcp_first_page_again [top 1]")}
        for name in repos}
    async with AsyncExitStack() as stack:
        clients = {}
        for name, repo in repos.items():
            args = ["-m", "server.cli", "mcp", "--root", str(root), "--index-dir", str(index_dir), "--no-embeddings",
                    "--no-watch", "--log-file", str(work / f"mcp-{name}.log"), *[x for e in EXCLUDE for x in ("--exclude", e)]]
            params = StdioServerParameters(command=sys.executable, args=args, cwd=str(repo),
                                           env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(repo)})
            clients[name] = await stack.enter_async_context(Client(params, read_timeout_seconds=300, cache=None))
            await clients[name].call_tool("status", {})
        for round_ in range(repeat):
            for i, target in enumerate(chosen):
                for name, client in clients.items():
                    began = time.perf_counter()
                    first = await client.call_tool("references", {"symbol": target["qualname"], "limit": 100})
                    # The same question again is answered from the kept answer
                    # (server/mcp_server/answers.py): only round 1 is a first ask.
                    spent = {"mcp_first_page" if round_ == 0 else "mcp_first_page_again": time.perf_counter() - began}
                    cursor = (first.structured_content or {}).get("page", {}).get("next_cursor")
                    if cursor:
                        began = time.perf_counter()
                        await client.call_tool("references", {"symbol": target["qualname"], "limit": 100,
                                                              "cursor": cursor})
                        spent["mcp_next_page"] = time.perf_counter() - began
                    for key, value in spent.items():
                        out[name][key].append(value)
                        if i == 0:
                            out[name][f"{key} [top 1]"].append(value)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--baseline", type=Path, help="another checkout (e.g. `git archive main`), same run")
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--cli", action="store_true", help="also time `codemeld refs --json` (whole and paged)")
    parser.add_argument("--mcp", action="store_true", help="also time the MCP references tool's pages")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    index_dir = args.index_dir or stdlib_index()
    store = Store(index_dir, readonly=True)
    root = Path(store.get_meta("root") or ".")
    chosen = targets(Graph(store, root), args.top)
    store.close()
    repos = {"this": REPO} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    load = os.getloadavg()
    times: dict[str, dict[str, list[float]]] = {name: {} for name in repos}
    same: dict[str, bool] = {}
    with tempfile.TemporaryDirectory(prefix="bench-huge-") as tmp:
        work = Path(tmp)
        servers = {}
        try:
            for name, repo in repos.items():
                servers[name] = TimedLsp(root, index_dir, work / f"{name}.log", options={"exclude": EXCLUDE}, repo=repo)
                servers[name].initialize()
            for lsp in servers.values():
                lsp.wait_ready(600)
            if chosen:  # one untimed round: first-use imports and caches (pydantic models...) are not the answer's
                for name, lsp in servers.items():
                    lsp_round(lsp, root, chosen[0], "warm-up", args.timeout)
            for round_ in range(args.repeat):
                for i, target in enumerate(chosen):
                    answers = {}
                    for name, lsp in servers.items():
                        seconds, answers[name] = lsp_round(lsp, root, target, f"t{round_}-{i}", args.timeout)
                        # The answers kept for comparison (millions of JSON
                        # objects, no cycles) leave CPython's collector: walking
                        # them made this client's json.loads of a 10 MB answer
                        # take 1.3 s instead of 0.26 s, timing the client's
                        # heap instead of the server (an editor's client is no
                        # CPython process holding every past answer).
                        gc.freeze()
                        if args.cli:
                            seconds |= cli_round(repos[name], root, index_dir, target["qualname"], args.timeout)
                        for key, value in seconds.items():
                            times[name].setdefault(key, []).append(value)
                            if i == 0:  # the biggest answer on its own
                                times[name].setdefault(f"{key} [top 1]", []).append(value)
                    this = answers["this"]
                    for key in ("references", "incoming_calls", "impact"):
                        if this.get(f"{key}_streamed") is not None:
                            same[f"{key} streamed = whole"] = (same.get(f"{key} streamed = whole", True)
                                                               and this[f"{key}_streamed"] == this[key])
                    if "baseline" in answers:
                        for key in ("references", "incoming_calls", "impact"):
                            equal = answers["baseline"].get(key) == this.get(key)
                            same[f"{key} = baseline"] = same.get(f"{key} = baseline", True) and equal
        finally:
            for lsp in servers.values():
                lsp.close()
        if args.mcp:
            for name, values in asyncio.run(mcp_rounds(repos, root, index_dir, chosen, args.repeat, work)).items():
                times[name] |= values
    result = {"index_dir": str(index_dir), "load_before": load, "load_after": os.getloadavg(),
              "targets": [{"qualname": t["qualname"], "uses": t["uses"]} for t in chosen],
              "stats": {name: {key: stats(v) for key, v in measures.items()} for name, measures in times.items()},
              "identical": same}
    if args.json:
        print(reports.dumps(reports.of("bench_huge", result, {k: str(v) for k, v in vars(args).items()})))
        return
    print("load (1, 5, 15 min): before %.1f %.1f %.1f, after %.1f %.1f %.1f" % (*load, *result["load_after"]))
    for t in chosen:
        print(f"  {t['qualname']}: {t['uses']} uses")
    ours = result["stats"]["this"]
    theirs = result["stats"].get("baseline", {})
    print(f"{'measure (ms)':34} {'p50':>8} {'p99':>8} {'max':>8}" + ("   baseline p50 / p99 / max     p99 ratio" if theirs else ""))
    for key, s in ours.items():
        if not s.get("n"):
            continue
        line = f"{key:34} {s['p50'] * 1000:8.0f} {s['p99'] * 1000:8.0f} {s['max'] * 1000:8.0f}"
        b = theirs.get(key)
        if b and b.get("n"):
            line += (f"   {b['p50'] * 1000:7.0f} / {b['p99'] * 1000:6.0f} / {b['max'] * 1000:6.0f}"
                     f"   {b['p99'] / s['p99']:6.1f}x")
        print(line)
    for key, ok in same.items():
        print(f"{key}: {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
