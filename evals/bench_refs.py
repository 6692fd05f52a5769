"""Where the time of a huge references answer goes, old path vs new, in one run.

The answer: every use of one symbol (default `unittest.case.TestCase.assertEqual`
on the standard library, about 39,000). Old path, as the LSP handler ran it
before: `navigation.references` (a Reference object per row) ->
`convert.reference_locations` (an lsprotocol Location per row) -> pygls'
converter unstructures them -> JSON. New path: `navigation.reference_span_pages`
(plain tuples, in pages) -> `convert.span_locations` (dicts) -> JSON, plus the
time to the first page (what a client with a partialResultToken waits for).
Text path (what the server sends since): tuples -> `convert.location_items`
(JSON text, no dict per location; server/wire.py splices it in).
Median of --repeat runs of each stage, in-process, warm SQLite cache.

Usage: python -m evals.bench_refs [--index-dir DIR] [--qualname Q] [--repeat 5] [--json]
(without --index-dir the stdlib is indexed into a cache dir first).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import sysconfig
import time
from pathlib import Path

from evals.harness import report as reports


from indexer.analysis import navigation  # noqa: E402
from indexer.pipeline.index import IndexOptions, Indexer  # noqa: E402
from indexer.graph.query import Graph  # noqa: E402
from indexer.graph.store import Store  # noqa: E402
from server import convert, wire  # noqa: E402


def stdlib_index() -> Path:
    import platformdirs

    index_dir = Path(platformdirs.user_cache_dir("codemeld-bench")) / "stdlib-refs-index"
    indexer = Indexer(Path(sysconfig.get_paths()["stdlib"]), index_dir,
                      IndexOptions(exclude=("site-packages/", "dist-packages/")))
    indexer.run()  # incremental: nothing to do after the first time
    indexer.close()
    return index_dir


def timed(fn, repeat: int):
    times, value = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--qualname", default="unittest.case.TestCase.assertEqual")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    index_dir = args.index_dir or stdlib_index()
    store = Store(index_dir, readonly=True)
    root = Path(store.get_meta("root") or ".")
    graph = Graph(store, root)
    sym = graph.symbol(args.qualname)
    if sym is None:
        raise SystemExit(f"{args.qualname} is not in {index_dir}")
    at = (sym.path, sym.selection_range.start.line, sym.selection_range.start.character)
    from pygls.protocol import default_converter

    converter = default_converter()
    out: dict = {"qualname": args.qualname, "index_dir": str(index_dir)}

    t_engine, refs = timed(lambda: navigation.references(graph, *at, False), args.repeat)
    t_lsp, locations = timed(lambda: convert.reference_locations(root, refs), args.repeat)
    t_unstructure, wire_form = timed(lambda: converter.unstructure(locations), args.repeat)
    t_json, _ = timed(lambda: json.dumps(wire_form), args.repeat)
    out["uses"] = len(refs)
    out["old"] = {"engine_objects_s": t_engine, "to_lsprotocol_s": t_lsp, "unstructure_s": t_unstructure,
                  "json_s": t_json, "total_s": t_engine + t_lsp + t_unstructure + t_json}

    def new_path():
        pages, first = [], []
        began = time.perf_counter()

        def on_page(spans):
            pages.append(convert.span_locations(root, spans))
            if not first:
                first.append(time.perf_counter() - began)

        navigation.reference_span_pages(graph, *at, False, on_page=on_page)
        return first[0], [loc for page in pages for loc in page]

    t_new, (first_page, dicts) = timed(new_path, args.repeat)
    t_new_json, _ = timed(lambda: json.dumps(dicts), args.repeat)
    assert dicts == wire_form, "the new path must answer exactly what the old one did"
    out["new"] = {"engine_and_dicts_s": t_new, "json_s": t_new_json, "total_s": t_new + t_new_json,
                  "first_page_s": first_page}
    def text_path():  # what the server sends now: JSON text from the tuples (server/wire.py)
        pages = []
        navigation.reference_span_pages(graph, *at, False, on_page=lambda spans: pages.append(
            convert.location_items(root, spans)))
        return wire.array(pages).text

    t_text, text = timed(text_path, args.repeat)
    assert json.loads(text) == wire_form, "the text path must answer exactly what the old one did"
    out["text"] = {"engine_and_text_s": t_text, "total_s": t_text}
    out["speedup"] = out["old"]["total_s"] / out["new"]["total_s"]
    out["text_speedup"] = out["old"]["total_s"] / t_text
    if args.json:
        print(reports.dumps(reports.of("bench_refs", out, vars(args))))
        return
    o, n = out["old"], out["new"]
    print(f"{args.qualname}: {out['uses']} uses")
    print(f"old: engine objects {o['engine_objects_s'] * 1000:.0f} ms + lsprotocol {o['to_lsprotocol_s'] * 1000:.0f} ms"
          f" + unstructure {o['unstructure_s'] * 1000:.0f} ms + JSON {o['json_s'] * 1000:.0f} ms"
          f" = {o['total_s'] * 1000:.0f} ms")
    print(f"new: engine tuples + dicts {n['engine_and_dicts_s'] * 1000:.0f} ms + JSON {n['json_s'] * 1000:.0f} ms"
          f" = {n['total_s'] * 1000:.0f} ms ({out['speedup']:.1f}x faster); first page of"
          f" {navigation.REFERENCE_PAGE} after {n['first_page_s'] * 1000:.0f} ms")
    print(f"text (what the server sends): engine tuples + JSON text {out['text']['total_s'] * 1000:.0f} ms"
          f" ({out['text_speedup']:.1f}x faster than old)")


if __name__ == "__main__":
    main()
