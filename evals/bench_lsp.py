#!/usr/bin/env python
"""Benchmark the codemeld language server the way an editor uses it.

For a large corpus (this interpreter's standard library) and a mid-size one
(an installed package, `rich` by default), measured in one run:
  - time until the index is ready: cold (empty index dir) and warm (restart
    over the persisted index);
  - p50/p95/p99 latency of definition, hover, references and workspace/symbol
    over a few hundred positions sampled from the index;
  - latency from a didChange (an unsaved edit adding a use) to a references
    answer that contains it;
  - peak RSS of the server process (VmHWM: with an empty index dir, the cold
    build inside it), and the peak PSS of the server with its index workers.
Where jedi-language-server or pyright-langserver is on PATH (or given with
--compare NAME=COMMAND), the same positions are asked of it and the ratios
printed. Goals from issue 3: warm start < 1 s, hover/definition p99 < 50 ms,
references p99 < 100 ms on the standard library, didChange reflected < 100 ms,
RSS < 500 MB.

    .venv/bin/python -m evals.bench_lsp [--positions 300] [--compare jedi=jedi-language-server]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shlex
import shutil
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types

from evals.harness import report as reports
from evals.harness.lsp import Server, _plain  # noqa: F401
from evals.harness.processes import TreeMemory, peak_rss_mb

REPO = Path(__file__).resolve().parents[1]

from indexer.graph.query import Graph  # noqa: E402
from indexer.graph.store import Store  # noqa: E402

STDLIB_EXCLUDE = ["site-packages/", "dist-packages/"]
RESOLVED = "r.how NOT IN ('unresolved', 'external', 'name-match', 'builtin')"


@dataclass
class Corpus:
    name: str
    root: Path
    exclude: list[str] = field(default_factory=list)


@dataclass
class Samples:
    positions: list[tuple[str, int, int]]  # (path, line, character) of resolved uses
    queries: list[str]  # workspace/symbol queries
    edits: list[tuple[str, str, tuple[int, int], int]]  # (path, function name, its name position, last line)


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    data = sorted(values)

    def at(q):
        return data[min(len(data) - 1, int(round(q * (len(data) - 1))))]

    return {"n": len(data), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": data[-1]}


def fmt(stats: dict) -> str:
    if not stats.get("n"):
        return "n/a"
    extra = f" ({stats['timeouts']} timeouts)" if stats.get("timeouts") else ""
    return (f"p50 {stats['p50'] * 1000:7.1f} ms  p95 {stats['p95'] * 1000:7.1f} ms  "
            f"p99 {stats['p99'] * 1000:7.1f} ms  (n={stats['n']}){extra}")


def sample(index_dir: Path, root: Path, count: int, seed: int = 7) -> Samples:
    """Positions of resolved uses, symbol queries and functions to edit, from the index itself."""
    rng = random.Random(seed)
    graph = Graph(Store(index_dir, readonly=True), root)
    conn = graph.conn
    ids = [i for (i,) in conn.execute(
        f"SELECT r.rowid FROM refs r WHERE {RESOLVED} AND r.kind IN ('call', 'read', 'attribute')"
        " AND r.target IN (SELECT qualname FROM symbols)")]
    chosen = rng.sample(ids, min(count, len(ids)))
    marks = ",".join("?" * len(chosen))
    positions = [(p, sl, sc + 1 if ec - sc > 1 else sc) for p, sl, sc, ec in conn.execute(
        f"SELECT f.path, r.sl, r.sc, r.ec FROM refs r JOIN files f ON f.id = r.file_id WHERE r.rowid IN ({marks})",
        chosen)]
    rng.shuffle(positions)
    names = [n for (n,) in conn.execute(
        "SELECT DISTINCT name FROM symbols WHERE kind IN ('class', 'function', 'method') AND length(name) > 5")]
    queries = []
    for name in rng.sample(names, min(count, len(names))):
        kind = rng.randrange(3)
        if kind == 0:
            queries.append(name)  # exact
        elif kind == 1:
            queries.append(name[: max(3, len(name) // 2)])  # prefix while typing
        else:
            queries.append(name[0] + "".join(c for c in name[1:] if c not in "aeiou_"))  # fuzzy
    # Edit typical files: module-level functions in files of median-ish size.
    files = conn.execute("SELECT path, lines FROM files WHERE lines > 0 ORDER BY lines").fetchall()
    middle = files[len(files) // 4: 3 * len(files) // 4]
    typical = {p for p, _ in middle}
    edits = []
    for path, name, nsl, nsc, el in conn.execute(
            "SELECT f.path, s.name, s.nsl, s.nsc, s.el FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE s.kind = 'function' AND s.parent = f.module AND s.name NOT LIKE '\\_%' ESCAPE '\\'"):
        if path in typical and name.isidentifier():
            edits.append((path, name, (nsl, nsc), el))
    rng.shuffle(edits)
    return Samples(positions, queries, edits[:20])


async def timed(coro, timeout: float):
    started = time.perf_counter()
    try:
        result = await asyncio.wait_for(coro, timeout)
    except asyncio.TimeoutError:
        return timeout, None, True
    except Exception as exc:  # an LSP error from the server: counts, but as an error
        return time.perf_counter() - started, exc, False
    return time.perf_counter() - started, result, False


async def query_latencies(server: Server, root: Path, samples: Samples, limit: int, timeout: float) -> dict:
    c = server.client
    out: dict[str, dict] = {}
    answered: dict[str, int] = {}
    raw: dict[str, list[float]] = {}
    requests = {
        "definition": lambda doc, pos: c.text_document_definition_async(
            types.DefinitionParams(text_document=doc, position=pos)),
        "hover": lambda doc, pos: c.text_document_hover_async(types.HoverParams(text_document=doc, position=pos)),
        "references": lambda doc, pos: c.text_document_references_async(types.ReferenceParams(
            text_document=doc, position=pos, context=types.ReferenceContext(include_declaration=False))),
    }
    for name, make in requests.items():
        values, timeouts, hits, sizes = [], 0, 0, []
        for path, line, character in samples.positions[:limit]:
            doc = types.TextDocumentIdentifier(uri=(root / path).as_uri())
            seconds, result, timed_out = await timed(make(doc, types.Position(line, character)), timeout)
            values.append(seconds)
            timeouts += timed_out
            hits += bool(result) and not isinstance(result, Exception)
            sized = result is not None and not isinstance(result, Exception) and hasattr(result, "__len__")
            sizes.append(len(result) if sized else int(bool(result)))  # pygls may hand back a tuple
        out[name] = percentiles(values) | {"timeouts": timeouts}
        if name == "references":  # the tail is the answers' size (issue 17): the slowest answers' lengths
            out[name]["slowest_sizes"] = [n for _, n in sorted(zip(values, sizes), reverse=True)[:3]]
        answered[name] = hits
        raw[name] = values
    values, timeouts, hits = [], 0, 0
    for query in samples.queries[:limit]:
        seconds, result, timed_out = await timed(
            c.workspace_symbol_async(types.WorkspaceSymbolParams(query=query)), timeout)
        values.append(seconds)
        timeouts += timed_out
        hits += bool(result) and not isinstance(result, Exception)
    out["workspace/symbol"] = percentiles(values) | {"timeouts": timeouts}
    answered["workspace/symbol"] = hits
    raw["workspace/symbol"] = values
    out["answered"] = answered
    out["raw"] = raw
    return out


async def change_latency(server: Server, root: Path, samples: Samples, where: str) -> dict:
    """didChange adding a use of a function -> a references answer containing it.

    where="body": a statement typed at the end of the function's own body
    (what typing usually is); where="module": a new module-level name, which
    also changes what the module exports, so its importers are re-resolved.
    """
    c = server.client
    values, timeouts = [], 0
    for path, name, (line, character), last in samples.edits:
        file = root / path
        text = file.read_text(encoding="utf-8", errors="replace")
        lines = text.split("\n")
        if last + 1 >= len(lines):
            continue
        uri = file.as_uri()
        doc = types.TextDocumentIdentifier(uri=uri)
        c.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text=text)))
        params = types.ReferenceParams(text_document=doc, position=types.Position(line, character),
                                       context=types.ReferenceContext(include_declaration=False))
        before = len(await c.text_document_references_async(params) or [])
        if where == "body":
            indent = lines[line][: len(lines[line]) - len(lines[line].lstrip())] + "    "
            at, new_text = types.Position(last + 1, 0), f"{indent}{name}\n"
        else:
            at = types.Position(len(lines) - 1, len(lines[-1].encode("utf-16-le")) // 2)
            new_text = f"\n_codemeld_bench_probe = {name}\n"
        started = time.perf_counter()
        c.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangePartial(range=types.Range(at, at), text=new_text)]))
        while True:
            found = await c.text_document_references_async(params) or []
            if len(found) > before:
                values.append(time.perf_counter() - started)
                break
            if time.perf_counter() - started > 10:
                timeouts += 1
                break
        c.text_document_did_close(types.DidCloseTextDocumentParams(text_document=doc))
    return percentiles(values) | {"values": values, "timeouts": timeouts}


async def bench_codemeld(corpus: Corpus, work: Path, positions: int, timeout: float,
                         index_from: Path | None = None) -> tuple[dict, Samples]:
    cache = work / f"cache-{corpus.name}"
    if index_from is not None:  # a copy of an index built before: the first start is a warm one
        shutil.copytree(index_from, cache / "index")
    env = {**os.environ, "PYTHONPATH": str(REPO), "CODEMELD_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "server", "--log-file", str(work / f"server-{corpus.name}.log")]
    # Navigation latency is measured without the background embedding run
    # (evals/bench_embed.py measures that stage on its own).
    options = {"indexDir": str(cache / "index"), "exclude": corpus.exclude, "embeddings": False}
    result: dict = {"corpus": str(corpus.root)}

    server = Server(command, env)
    started = time.perf_counter()
    await server.start(corpus.root, options)
    memory = TreeMemory(server.pid)  # the server and the index workers it forks
    await server.wait_ready()
    result["cold_ready_s"] = time.perf_counter() - started
    status = await server.status()
    result["files"], result["symbols"], result["references"] = status["files"], status["symbols"], status["references"]
    samples = sample(cache / "index", corpus.root, positions)
    result["latency"] = await query_latencies(server, corpus.root, samples, positions, timeout)
    result["didchange_to_references"] = await change_latency(server, corpus.root, samples, "body")
    result["didchange_module_level"] = await change_latency(server, corpus.root, samples, "module")
    result["peak_rss_mb"] = peak_rss_mb(server.pid)
    result["peak_tree_pss_mb"], result["peak_tree_procs"] = memory.stop()
    # Let the edits' re-resolution finish, so the restart below measures a
    # warm start over a complete index, not leftover work.
    deadline = time.perf_counter() + 300
    while (await server.status())["pending"] and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    await server.stop()

    server = Server(command, env)
    started = time.perf_counter()
    await server.start(corpus.root, options)
    await server.wait_ready()
    result["warm_ready_s"] = time.perf_counter() - started
    await server.stop()
    return result, samples


async def bench_other(name: str, command: list[str], corpus: Corpus, samples: Samples, positions: int,
                      timeout: float) -> dict:
    server = Server(command)
    started = time.perf_counter()
    await server.start(corpus.root, None)
    result = {"command": " ".join(command), "start_s": time.perf_counter() - started}
    result["latency"] = await query_latencies(server, corpus.root, samples, positions, timeout)
    result["peak_rss_mb"] = peak_rss_mb(server.pid)
    await server.stop()
    return result


def default_corpora(args) -> list[Corpus]:
    corpora = [Corpus("stdlib", Path(args.stdlib or sysconfig.get_paths()["stdlib"]).resolve(), STDLIB_EXCLUDE)]
    mid = args.mid
    if mid is None:
        try:
            import rich

            mid = str(Path(rich.__file__).parent)
        except ImportError:
            mid = str(REPO)
    corpora.append(Corpus("mid", Path(mid).resolve()))
    if args.with_2m:  # stdlib + django + sympy (evals/corpus_2m.py)
        from evals.corpus_2m import build

        corpora.append(Corpus("2m", build(), STDLIB_EXCLUDE))
    return corpora


def competitors(args) -> dict[str, list[str]]:
    found = {}
    for spec in args.compare:
        name, _, command = spec.partition("=")
        found[name] = shlex.split(command)
    if not args.no_auto_compare:
        if "jedi" not in found and shutil.which("jedi-language-server"):
            found["jedi"] = ["jedi-language-server"]
        if "pyright" not in found and shutil.which("pyright-langserver"):
            found["pyright"] = ["pyright-langserver", "--stdio"]
    return found


def report(name: str, result: dict, others: dict) -> None:
    print(f"\n== {name}: {result['corpus']}")
    print(f"   {result['files']} files, {result['symbols']} symbols, {result['references']} references")
    first = "first (index copied in)" if result.get("index_from") else "cold"
    print(f"   ready: {first} {result['cold_ready_s']:.2f} s, warm {result['warm_ready_s']:.2f} s")
    for method in ("definition", "hover", "references", "workspace/symbol"):
        stats = result["latency"][method]
        print(f"   {method:17s} {fmt(stats)}  answered {result['latency']['answered'][method]}")
        if stats.get("slowest_sizes"):
            print(f"   {'':17s} (the 3 slowest answers held {', '.join(f'{n:,}' for n in stats['slowest_sizes'])}"
                  " locations; evals/bench_refs.py splits a huge one's time)")
    print(f"   didChange->refs   {fmt(result['didchange_to_references'])}  (a use typed in a function body)")
    print(f"   didChange->refs   {fmt(result['didchange_module_level'])}  (a new module-level name: importers re-resolved)")
    print(f"   peak RSS          {result['peak_rss_mb']:.0f} MB (server process)")
    if result.get("peak_tree_pss_mb"):
        print(f"   peak PSS, tree    {result['peak_tree_pss_mb']:.0f} MB (server and its workers, {result['peak_tree_procs']}"
              " processes; sampled every 0.5 s)")
    if others:
        print("   (ratios: their p50 / codemeld's p50 over the same first positions)")
    for other, data in others.items():
        print(f"   -- {other} ({data['command']}), same positions, n={data['latency']['definition']['n']}:")
        for method in ("definition", "hover", "references", "workspace/symbol"):
            theirs = data["latency"][method]
            ours = percentiles(result["latency"]["raw"][method][: theirs["n"]])  # the same positions
            ratio = theirs["p50"] / ours["p50"] if ours.get("p50") and theirs.get("p50") else float("nan")
            print(f"      {method:17s} {fmt(theirs)}  answered {data['latency']['answered'][method]}"
                  f"  p50 ratio {ratio:.1f}x")
        if data.get("peak_rss_mb"):
            print(f"      peak RSS {data['peak_rss_mb']:.0f} MB")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stdlib", help="large corpus (default: this interpreter's standard library)")
    parser.add_argument("--mid", help="mid-size corpus (default: the installed `rich` package)")
    parser.add_argument("--positions", type=int, default=300, help="positions/queries per method")
    parser.add_argument("--timeout", type=float, default=10.0, help="per-request timeout, seconds")
    parser.add_argument("--compare", action="append", default=[], metavar="NAME=COMMAND",
                        help="another language server to measure on the same positions")
    parser.add_argument("--compare-positions", type=int, default=40, help="positions per method for others")
    parser.add_argument("--no-auto-compare", action="store_true", help="only servers given with --compare")
    parser.add_argument("--only", action="append", choices=["stdlib", "mid", "2m"], help="run these corpora")
    parser.add_argument("--with-2m", action="store_true", help="also the 2-million-line corpus")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--index-from", action="append", default=[], metavar="CORPUS=DIR",
                        help="start from a copy of this built index instead of a cold one (e.g. stdlib=DIR)")
    args = parser.parse_args()
    index_from = {name: Path(d) for name, _, d in (spec.partition("=") for spec in args.index_from)}

    others_cmds = competitors(args)
    print(f"load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    figures = {}
    with tempfile.TemporaryDirectory(prefix="codemeld-bench-") as tmp:
        work = Path(tmp)
        for corpus in default_corpora(args):
            if args.only and corpus.name not in args.only:
                continue
            print(f"benchmarking codemeld on {corpus.name} ({corpus.root}) ...", file=sys.stderr)
            result, samples = await bench_codemeld(corpus, work, args.positions, args.timeout,
                                                   index_from.get(corpus.name))
            result["index_from"] = str(index_from[corpus.name]) if corpus.name in index_from else None
            others = {}
            for name, command in others_cmds.items():
                print(f"benchmarking {name} on {corpus.name} ...", file=sys.stderr)
                try:
                    others[name] = await bench_other(name, command, corpus, samples, args.compare_positions,
                                                     args.timeout)
                except Exception as exc:
                    print(f"   {name} failed: {exc}", file=sys.stderr)
            report(corpus.name, result, others)
            figures[corpus.name] = result | {"others": others}
    if "stdlib" in figures and "2m" in figures:  # issue 17: p99 on 2M lines no worse than on the stdlib
        print("\n== 2m / stdlib, same run:")
        for method in ("definition", "hover", "references", "workspace/symbol"):
            big, small = figures["2m"]["latency"][method], figures["stdlib"]["latency"][method]
            print(f"   {method:17s} p99 {big['p99'] * 1000:7.1f} / {small['p99'] * 1000:7.1f} ms"
                  f" = {big['p99'] / small['p99']:.2f}x")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    if args.json:
        reports.write(args.json, "bench_lsp", figures, vars(args))


if __name__ == "__main__":
    asyncio.run(main())
