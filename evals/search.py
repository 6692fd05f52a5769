"""Semantic search quality on real projects: docstring -> function.

For each project (an sdist from PyPI, cached outside the repo), copy the
tree, strip every function's docstring in the copy, index the copy, and ask
with each docstring's first sentence; the right answer is the function the
docstring came from. Reports MRR@10 and recall@10 for:

- codemeld: `SemanticIndex.search` (hybrid vector + BM25 + graph signals),
- bm25-identifiers: BM25 over each function's identifiers split into words,
- minilm-raw: the same MiniLM over each function's raw source, cosine.

Usage: python -m evals.search [--project requests==2.32.3 ...] [--int8] [--json]
"""

from __future__ import annotations

import argparse
import ast
import inspect
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.harness import metrics as scoring, report as reports
from evals.harness.corpora import fetch_sdist
from indexer.pipeline.index import IndexOptions, Indexer
from indexer.graph.query import Graph
from indexer.semantic.build import update_embeddings
from indexer.semantic.chunks import split_identifier
from indexer.semantic.embedder import EmbedderConfig, SentenceTransformerEmbedder, make_embedder
from indexer.semantic.search import SemanticIndex

os.environ.setdefault("HF_HUB_OFFLINE", "1")

DEFAULT_PROJECTS = ("requests==2.32.3", "click==8.1.7")
K = 10
_SKIP_DIRS = {"docs", "doc", ".git", "build", "dist"}


def log(msg: str) -> None:
    print(f"[evals.search] {msg}", file=sys.stderr, flush=True)


# -- corpora ------------------------------------------------------------------

def fetch(name: str, version: str) -> Path:
    """The sdist's tree, from the shared corpora cache (fetched from PyPI once)."""
    return fetch_sdist(name, version, None)


# -- the task -----------------------------------------------------------------

@dataclass(frozen=True)
class Function:
    path: str  # relative to the copy
    name: str
    line: int  # 1-based line of `def` in the stripped copy
    source: str  # stripped source
    query: str | None  # first sentence of the docstring it had


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def first_sentence(doc: str) -> str | None:
    para = inspect.cleandoc(doc).split("\n\n", 1)[0]
    para = " ".join(para.split())
    sentence = re.split(r"(?<=[.!?])\s", para, maxsplit=1)[0].strip()
    if len(sentence.split()) < 3 or sentence.startswith((":", ">>>")):
        return None
    return sentence


def strip_docstrings(source: str) -> tuple[str, list[str | None]] | None:
    """The source without function docstrings, and each function's query (walk order)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    lines = source.split("\n")
    queries: list[str | None] = []
    cuts: list[tuple[int, int, str | None]] = []  # (first, last) 0-based lines, replacement
    for fn in _functions(tree):
        doc = ast.get_docstring(fn, clean=False)
        body0 = fn.body[0]
        if doc is None or body0.lineno == fn.lineno:
            queries.append(None)
            continue
        queries.append(first_sentence(doc))
        indent = lines[body0.lineno - 1][:body0.col_offset]
        replacement = indent + "pass" if len(fn.body) == 1 else None
        cuts.append((body0.lineno - 1, body0.end_lineno - 1, replacement))
    for first, last, replacement in sorted(cuts, reverse=True):
        lines[first:last + 1] = [replacement] if replacement is not None else []
    return "\n".join(lines), queries


def make_copy(project: Path, dest: Path) -> list[Function]:
    out: list[Function] = []
    shutil.copytree(project, dest, ignore=shutil.ignore_patterns(*_SKIP_DIRS, "*.pyc"))
    for path in sorted(dest.rglob("*.py")):
        rel = path.relative_to(dest).as_posix()
        source = path.read_text(encoding="utf-8", errors="replace")
        stripped = strip_docstrings(source)
        if stripped is None:
            continue
        text, queries = stripped
        path.write_text(text, encoding="utf-8")
        lines = text.split("\n")
        for fn, query in zip(_functions(ast.parse(text)), queries):
            src = "\n".join(lines[fn.lineno - 1:fn.end_lineno])
            out.append(Function(rel, fn.name, fn.lineno, src, query))
    return out


def tasks(functions: list[Function]) -> list[Function]:
    """Functions with a usable query; a sentence shared by several functions is ambiguous, dropped."""
    counts = Counter(f.query for f in functions if f.query)
    return [f for f in functions if f.query and counts[f.query] == 1 and "/test" not in "/" + f.path]


# -- scoring ------------------------------------------------------------------

def metrics(ranks: list[int | None]) -> dict:
    return {"mrr@10": scoring.mrr(ranks, K), "recall@10": scoring.acc_at(ranks, K), "queries": len(ranks)}


def words(text: str) -> list[str]:
    return [w for ident in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text) for w in split_identifier(ident)]


class BM25:
    def __init__(self, docs: list[list[str]], k1: float = 1.5, b: float = 0.75):
        self.k1, self.b = k1, b
        self.tf = [Counter(d) for d in docs]
        self.len = np.array([len(d) for d in docs], dtype=float)
        self.avg = self.len.mean() if len(docs) else 1.0
        df = Counter(w for d in self.tf for w in d)
        n = len(docs)
        self.idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}

    def scores(self, query: list[str]) -> np.ndarray:
        out = np.zeros(len(self.tf))
        for w in set(query):
            idf = self.idf.get(w)
            if idf is None:
                continue
            tf = np.array([d.get(w, 0) for d in self.tf], dtype=float)
            out += idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * self.len / self.avg))
        return out


def rank_of(order: np.ndarray, index: int) -> int | None:
    hits = np.nonzero(order[:K] == index)[0]
    return int(hits[0]) + 1 if len(hits) else None


def evaluate(spec: str, embedder, work: Path, baselines: bool = True) -> dict:
    name, version = spec.split("==")
    project = fetch(name, version)
    copy = work / f"{name}-{version}"
    if copy.exists():
        shutil.rmtree(copy)
    functions = make_copy(project, copy)
    asked = tasks(functions)
    log(f"{spec}: {len(functions)} functions, {len(asked)} queries")
    index_dir = work / f"{name}-{version}.index"
    shutil.rmtree(index_dir, ignore_errors=True)
    indexer = Indexer(copy, index_dir, IndexOptions(jobs=1))
    indexer.run()
    graph = Graph(indexer.store, indexer.root)
    run = update_embeddings(graph, index_dir, embedder)
    log(f"{spec}: embedded {run.chunks} chunks in {run.seconds:.1f}s")
    semantic = SemanticIndex(index_dir, graph, embedder)
    ranks, latencies = [], []
    for fn in asked:
        began = time.perf_counter()
        hits = semantic.search(fn.query, K)
        latencies.append(time.perf_counter() - began)
        rank = None
        for number, hit in enumerate(hits, 1):
            sym = hit.symbol
            if sym.path == fn.path and sym.name == fn.name and sym.selection_range.start.line == fn.line - 1:
                rank = number
                break
        ranks.append(rank)
    result = {"project": spec, "codemeld": metrics(ranks), "chunks": run.chunks,
              "latency_ms": {"p50": 1000 * float(np.percentile(latencies, 50)),
                             "p95": 1000 * float(np.percentile(latencies, 95))}}
    if baselines:
        position = {id(f): i for i, f in enumerate(functions)}
        targets = [position[id(f)] for f in asked]
        bm25 = BM25([words(f.source) for f in functions])
        result["bm25-identifiers"] = metrics(
            [rank_of(np.argsort(-bm25.scores(words(f.query))), t) for f, t in zip(asked, targets)])
        sources = embedder.encode([f.source for f in functions])
        queries = embedder.encode([f.query for f in asked])
        sims = queries @ sources.T
        result["minilm-raw"] = metrics([rank_of(np.argsort(-sims[i]), t) for i, t in enumerate(targets)])
    indexer.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", action="append", help="NAME==VERSION (repeatable)")
    parser.add_argument("--int8", action="store_true", help="use the int8 (dynamically quantized) model")
    parser.add_argument("--backend", default="auto", help="auto, openvino, onnx or torch (see EmbedderConfig)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temp dir)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    embedder = make_embedder(EmbedderConfig(int8=args.int8, backend=args.backend))
    work = args.work or Path(tempfile.mkdtemp(prefix="codemeld-eval-"))
    results = [evaluate(spec, embedder, work) for spec in (args.project or DEFAULT_PROJECTS)]
    if args.json:
        report = reports.new("search", projects=list(args.project or DEFAULT_PROJECTS), int8=args.int8, k=K)
        report.results = results
        print(reports.dumps(report))
        return
    print(f"{'project':<20} {'method':<18} {'MRR@10':>7} {'R@10':>6} {'queries':>7}")
    for res in results:
        for method in ("codemeld", "bm25-identifiers", "minilm-raw"):
            m = res[method]
            print(f"{res['project']:<20} {method:<18} {m['mrr@10']:7.3f} {m['recall@10']:6.3f} {m['queries']:7d}")
        print(f"{res['project']:<20} search latency p50 {res['latency_ms']['p50']:.1f} ms,"
              f" p95 {res['latency_ms']['p95']:.1f} ms ({res['chunks']} chunks)")


if __name__ == "__main__":
    main()
