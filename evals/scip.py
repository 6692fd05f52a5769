#!/usr/bin/env python3
"""SCIP export vs scip-python, on the same checkout, in the same run.

1. Agreement on reference occurrences (every non-definition occurrence) on
   click and requests (PyPI sdists fetched into the corpora cache): a
   reference matches when both tools put one at the same range with the same
   symbol. Symbols are compared as written for the project's own names
   (both tools get the same --project-name/--project-version); a `local N`
   is compared by where that local first occurs in the document (numbers
   differ between tools); a name outside the project by its last descriptor
   (the tools place outside names differently: scip-python follows typeshed,
   e.g. `ntpath/join().` for `os.path.join`). Differences are counted by
   category with examples.
2. Speed on the running interpreter's standard library (copied to a temp
   dir, without site-packages): scip-python `index` vs codemeld cold graph
   index + export, and export alone from the built index.
3. Round trip: the exported file parses with the generated schema and every
   occurrence's symbol has a SymbolInformation.

scip-python is the npm package @sourcegraph/scip-python, fetched once with
`npm pack` into the cache dir and run offline with node.

    .venv/bin/python -m evals.scip [--projects click requests] [--skip-speed]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path


from evals.harness import report as reports
from evals.harness import corpora
from evals.harness.metrics import SetScore
from indexer.export import scip_pb2 as pb  # noqa: E402
from indexer.export.package import project_package  # noqa: E402
from indexer.export.scip import ScipOptions, export_scip  # noqa: E402
from indexer.pipeline.index import IndexOptions, Indexer  # noqa: E402
from indexer.graph.query import Graph  # noqa: E402

SCIP_PYTHON = "@sourcegraph/scip-python@0.6.6"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def scip_python_entry(cache: Path) -> Path:
    target = cache / "scip-python-0.6.6"
    entry = target / "package" / "index.js"
    if entry.exists():
        return entry
    target.mkdir(parents=True, exist_ok=True)
    log(f"fetching {SCIP_PYTHON} with npm pack")
    out = subprocess.run(["npm", "pack", SCIP_PYTHON, "--silent"], cwd=target, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    with tarfile.open(target / out) as tf:
        tf.extractall(target, filter="data")
    return entry


def run_scip_python(entry: Path, root: Path, name: str, version: str, out: Path, timeout: int) -> float:
    """Seconds scip-python takes to index `root` (node, offline)."""
    cmd = ["node", "--max-old-space-size=8192", str(entry), "index", "--project-name", name,
           "--project-version", version, "--output", str(out), "--quiet"]
    started = time.perf_counter()
    # The same Python environment codemeld runs in (scip-python asks `python`
    # on PATH for the installed packages outside names resolve to).
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    done = subprocess.run(cmd, cwd=root, timeout=timeout, stdout=subprocess.DEVNULL,
                          env=os.environ | {"NO_COLOR": "1", "PATH": path})
    seconds = time.perf_counter() - started
    if done.returncode != 0 or not out.exists():
        error = RuntimeError(f"scip-python exited with {done.returncode} after {seconds:.0f}s"
                             f" and {'wrote' if out.exists() else 'did not write'} {out.name}")
        error.seconds = seconds
        raise error
    return seconds


def run_codemeld(root: Path, index_dir: Path, out: Path, name: str, version: str) -> tuple[float, float, Graph]:
    from indexer.export.package import Package

    started = time.perf_counter()
    indexer = Indexer(root, index_dir, IndexOptions())
    indexer.run()
    indexed = time.perf_counter() - started
    graph = Graph(indexer.store, indexer.root)
    export_scip(graph, out, ScipOptions(package=Package(name, version)))
    return indexed, time.perf_counter() - started - indexed, graph


def load(path: Path) -> pb.Index:
    index = pb.Index()
    index.ParseFromString(path.read_bytes())
    return index


def round_trip(index: pb.Index) -> tuple[int, int]:
    """(occurrences, occurrences whose symbol has no SymbolInformation)."""
    described = {s.symbol for s in index.external_symbols}
    described.update(s.symbol for doc in index.documents for s in doc.symbols if not s.symbol.startswith("local "))
    missing = total = 0
    for doc in index.documents:
        here = {s.symbol for s in doc.symbols if s.symbol.startswith("local ")}  # locals: per document
        for occ in doc.occurrences:
            total += 1
            missing += occ.symbol not in (here if occ.symbol.startswith("local ") else described)
    return total, missing


def _rng(occ) -> tuple:
    r = list(occ.range)
    return (r[0], r[1], r[0], r[2]) if len(r) == 3 else tuple(r)


def _is_project(symbol: str, name: str) -> bool:
    parts = symbol.split(" ")
    return len(parts) > 3 and parts[2] == name


def _last_name(symbol: str) -> str:
    descriptors = symbol.split(" ", 4)[-1]
    names = re.findall(r"`(?:[^`]|``)*`|[A-Za-z0-9_+\-$]+", descriptors)
    return names[-1].strip("`") if names else descriptors


def references(index: pb.Index, name: str) -> tuple[dict, dict]:
    """(path, range) -> set of normalised symbols, for reference occurrences;
    and (path, range) -> definition symbols (to tell categories apart)."""
    refs: dict = defaultdict(set)
    defs: dict = defaultdict(set)
    for doc in index.documents:
        first_local: dict[str, tuple] = {}
        for occ in sorted(doc.occurrences, key=_rng):
            if occ.symbol.startswith("local "):
                first_local.setdefault(occ.symbol, _rng(occ))
        for occ in doc.occurrences:
            key = (doc.relative_path, _rng(occ))
            norm = normalise(occ.symbol, name, first_local)
            if occ.symbol_roles & pb.Definition:
                defs[key].add(norm)
            else:
                refs[key].add(norm)
    return refs, defs


def normalise(symbol: str, name: str, first_local: dict) -> tuple:
    if symbol.startswith("local "):
        return ("local", first_local.get(symbol))
    if _is_project(symbol, name):
        # scip-python names a src-layout file's own module by its path
        # (`src.click.core`) but the same module imported as `click.core`.
        descriptors = re.sub(r"^(`?)src\.", r"\1", symbol.split(" ", 4)[-1])
        return ("project", re.sub(r"^`([A-Za-z0-9_+\-$]+)`/", r"\1/", descriptors))
    return ("outside", _last_name(symbol))


def compare(ours: pb.Index, theirs: pb.Index, name: str, graph: Graph) -> dict:
    our_refs, our_defs = references(ours, name)
    their_refs, their_defs = references(theirs, name)
    ours_set = {(k, s) for k, syms in our_refs.items() for s in syms}
    theirs_set = {(k, s) for k, syms in their_refs.items() for s in syms}
    matched = ours_set & theirs_set
    score = SetScore(tp=len(matched), fp=len(ours_set - matched), fn=len(theirs_set - matched))
    precision, recall, f1 = score.precision, score.recall, score.f1
    categories: Counter = Counter()
    examples: dict[str, list] = defaultdict(list)
    lines = _Source(graph.root)

    def note(category: str, item) -> None:
        categories[category] += 1
        if len(examples[category]) < 3:
            examples[category].append(item)

    for key, sym in sorted(ours_set - matched):
        note("extra: " + _extra(key, sym, their_refs, their_defs, graph, lines), (key, sym, sorted(their_refs.get(key, ()))[:1]))
    for key, sym in sorted(theirs_set - matched):
        if key in our_refs:
            continue  # the same range with another symbol: counted once, under extra
        note("missed: " + _missed(key, sym, our_defs, graph, lines), (key, sym))
    return {"ours": len(ours_set), "theirs": len(theirs_set), "matched": len(matched), "precision": precision,
            "recall": recall, "f1": f1, "categories": categories.most_common(), "examples": dict(examples)}


class _Source:
    def __init__(self, root: Path):
        self.root, self.files = root, {}

    def line(self, path: str, line: int) -> str:
        if path not in self.files:
            try:
                self.files[path] = (self.root / path).read_text(encoding="utf-8", errors="replace").split("\n")
            except OSError:
                self.files[path] = []
        text = self.files[path]
        return text[line] if line < len(text) else ""


def _extra(key, sym, their_refs, their_defs, graph: Graph, lines: _Source) -> str:
    path, (sl, sc, _el, ec) = key
    found = graph.reference_at(path, sl, sc)
    how = found[0].how if found else "?"
    theirs = their_refs.get(key)
    if theirs:
        kinds = {s[0] for s in theirs}
        if "local" in kinds and sym[0] != "local":
            return "same range; scip-python makes it a local (an import it cannot resolve, a builtin it does not bind)"
        if sym[0] == "project" and "project" in kinds:
            if any(_tail(s[1]) == _tail(sym[1]) for s in theirs if s[0] == "project"):
                return "same range; same member named on another class (scip-python: the class it is looked up on)"
            return "same range; another project symbol (different resolution)"
        if sym[0] == "project" and "outside" in kinds:
            return "same range; codemeld stops at the project's re-export/alias, scip-python follows it outside"
        if sym[0] == "outside" and "outside" in kinds:
            return "same range; outside name placed differently (scip-python follows typeshed, e.g. os.path -> ntpath)"
        return f"same range; {sym[0]} vs {'/'.join(sorted(kinds))}"
    if key in their_defs:
        if how == "fixture":
            return "pytest fixture parameter: codemeld also references the fixture where scip-python only defines the parameter"
        return "scip-python defines here"
    text = lines.line(path, sl)
    if found and found[0].kind == "import" and sc > 0 and text[sc - 1] == ".":
        return "relative import: scip-python's occurrence includes the dots and names another module"
    if how in ("annotation", "constructor", "return-type", "fixture", "value", "keyword", "dunder", "self", "mro", "super"):
        return f"inferred use scip-python leaves without occurrence (codemeld rule: {how})"
    return f"{sym[0]} use scip-python leaves without occurrence ({found[0].kind if found else '?'}/{how})"


def _missed(key, sym, our_defs, graph: Graph, lines: _Source) -> str:
    path, (sl, sc, _el, ec) = key
    if key in our_defs:
        return "codemeld has a definition here (scip-python: a reference)"
    text = lines.line(path, sl)
    if sym[0] == "local" and text[ec:ec + 1] == "=" and text[ec + 1:ec + 2] != "=":
        return "keyword argument scip-python cannot bind to a parameter (into **kwargs): a local there, nothing in codemeld"
    found = graph.reference_at(path, sl, sc)
    if found:
        if found[0].how == "name-match":
            return f"{sym[0]} use codemeld only name-matched (below the 0.5 threshold, left out)"
        return f"{sym[0]} use codemeld resolved differently or not at all ({found[0].kind}/{found[0].how})"
    return f"{sym[0]} use codemeld extracts no reference for"


def _tail(descriptors: str) -> str:
    return re.split(r"[#/]", descriptors.rstrip("."))[-1]


def _how(graph: Graph, key) -> str:
    path, (sl, sc, _el, _ec) = key
    found = graph.reference_at(path, sl, sc)
    return f"{found[0].kind}/{found[0].how}" if found else "no ref row"


def agreement(project: str, version: str, entry: Path, work: Path) -> dict:
    root = corpora.fetch_sdist(project, version)
    checkout = work / f"{project}-{version}"
    shutil.copytree(root, checkout, ignore=shutil.ignore_patterns("__pycache__"))
    package = project_package(checkout)
    log(f"{project}: package {package.name} {package.version}; scip-python ...")
    theirs_path, ours_path = work / f"{project}.scip-python.scip", work / f"{project}.codemeld.scip"
    their_s = run_scip_python(entry, checkout, package.name, package.version, theirs_path, timeout=1800)
    log(f"{project}: codemeld ...")
    indexed, exported, graph = run_codemeld(checkout, work / f"{project}-index", ours_path, package.name, package.version)
    ours, theirs = load(ours_path), load(theirs_path)
    result = compare(ours, theirs, package.name, graph)
    total, missing = round_trip(ours)
    result.update({"project": f"{project}-{version}", "scip_python_s": their_s, "codemeld_index_s": indexed,
                   "codemeld_export_s": exported, "occurrences": total, "without_symbol_info": missing})
    return result


def speed(entry: Path, work: Path, timeout: int) -> dict:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    corpus = work / "stdlib"
    shutil.copytree(stdlib, corpus, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "site-packages",
                                                                                  "dist-packages"))
    lines = sum(p.read_bytes().count(b"\n") for p in corpus.rglob("*.py") if p.is_file())
    log(f"stdlib {stdlib}: {lines} lines of .py; codemeld ...")
    indexed, exported, _graph = run_codemeld(corpus, work / "stdlib-index", work / "stdlib.codemeld.scip",
                                             "python-stdlib", f"{sys.version_info.major}.{sys.version_info.minor}")
    log(f"codemeld: index {indexed:.1f}s + export {exported:.1f}s; scip-python ...")
    try:
        their_s = run_scip_python(entry, corpus, "python-stdlib", f"{sys.version_info.major}.{sys.version_info.minor}",
                                  work / "stdlib.scip-python.scip", timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        their_s, timed_out = float(timeout), True
    except RuntimeError as exc:  # report what codemeld did even when scip-python fails
        log(f"scip-python failed: {exc}")
        # The time it ran before failing: a lower bound on what a complete index would take.
        their_s, timed_out = getattr(exc, "seconds", float("nan")), True
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"lines": lines, "codemeld_index_s": indexed, "codemeld_export_s": exported, "scip_python_s": their_s,
            "scip_python_timed_out": timed_out, "max_child_rss_mb": children}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", nargs="*", default=["click", "requests"])
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-agreement", action="store_true")
    parser.add_argument("--timeout", type=int, default=3600, help="scip-python on the stdlib gives up after this")
    # A timed-out or failed scip-python run is printed as ">=": the time it ran is a lower bound.
    parser.add_argument("--json", type=Path, help="also write the full results here")
    opts = parser.parse_args()
    entry = scip_python_entry(corpora.cache_root())
    results = {"agreement": [], "speed": None}
    with tempfile.TemporaryDirectory(prefix="eval-scip-") as tmp:
        work = Path(tmp)
        if not opts.skip_agreement:
            for project in opts.projects:
                r = agreement(project, corpora.DEFAULT_CORPORA[project], entry, work)
                results["agreement"].append(r)
                print(f"\n== {r['project']}: reference occurrences: codemeld {r['ours']}, scip-python {r['theirs']},"
                      f" matched {r['matched']}")
                print(f"precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}"
                      f"   (goal F1 >= 0.95)")
                print(f"round trip: {r['occurrences']} occurrences, {r['without_symbol_info']} without SymbolInformation")
                print(f"time: scip-python {r['scip_python_s']:.1f}s; codemeld index {r['codemeld_index_s']:.2f}s"
                      f" + export {r['codemeld_export_s']:.2f}s")
                for category, count in r["categories"]:
                    print(f"  {count:6d}  {category}")
                    for example in r["examples"][category][:2]:
                        print(f"            e.g. {example}")
        if not opts.skip_speed:
            s = speed(entry, work, opts.timeout)
            results["speed"] = s
            ours = s["codemeld_index_s"] + s["codemeld_export_s"]
            bound = ">=" if s["scip_python_timed_out"] else ""
            print(f"\n== stdlib ({s['lines']} lines): scip-python {bound}{s['scip_python_s']:.1f}s;"
                  f" codemeld cold index {s['codemeld_index_s']:.1f}s + export {s['codemeld_export_s']:.1f}s")
            print(f"speed-up: {bound}{s['scip_python_s'] / ours:.1f}x (index + export),"
                  f" {bound}{s['scip_python_s'] / s['codemeld_export_s']:.1f}x (export from an existing index)"
                  f"   (goal >= 5x); max child RSS {s['max_child_rss_mb']:.0f} MB")
    if opts.json:
        reports.write(opts.json, "scip", results, vars(opts))


if __name__ == "__main__":
    main()
