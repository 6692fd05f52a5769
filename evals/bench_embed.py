"""Embedding-stage throughput, backends against torch fp32, search latency, memory.

On one real project (a PyPI sdist, cached outside the repo; default requests):
1. stage: `update_embeddings` into an empty vector store (chunking, hashing,
   LanceDB writes included) with the default embedder vs the bare model
   encoding the same texts, chunks/s each and the stage's overhead;
2. every backend (torch fp32 = the baseline, torch int8, ONNX Runtime fp32,
   ONNX Runtime dynamic int8, OpenVINO on the ONNX file when installed) on
   the same texts in the same run: chunks/s and the ratio to torch fp32,
   agreement of the vectors with torch fp32, MRR@10 of evals.search;
3. a cold process embedding one query (what `codemeld search` pays per call)
   per backend;
4. search latency p50/p95 with the model loaded (evals.search's queries);
5. RSS with the model loaded.

Usage: python -m evals.bench_embed [--project requests==2.32.3]
         [--backends torch,torch-int8,onnx,onnx-int8,openvino] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from evals.harness import report as reports

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from evals import search as eval_search
from indexer.pipeline.index import IndexOptions, Indexer  # noqa: E402
from indexer.graph.query import Graph  # noqa: E402
from indexer.semantic.build import update_embeddings  # noqa: E402
from indexer.semantic.embedder import EmbedderConfig, SentenceTransformerEmbedder, make_embedder  # noqa: E402

ALL_BACKENDS = ("torch", "torch-int8", "onnx", "onnx-int8", "openvino", "openvino-int8")


def build_embedder(backend: str):
    if backend == "torch":
        return SentenceTransformerEmbedder(EmbedderConfig(backend="torch"))
    if backend == "torch-int8":
        return SentenceTransformerEmbedder(EmbedderConfig(backend="torch", int8=True))
    if backend in ("onnx", "onnx-int8"):
        return make_embedder(EmbedderConfig(backend="onnx", int8=backend == "onnx-int8"))
    if backend in ("openvino", "openvino-int8"):
        return make_embedder(EmbedderConfig(backend="openvino", int8=backend == "openvino-int8"))
    raise SystemExit(f"unknown backend {backend}")


def cold_query_seconds(backend: str) -> float:
    """A fresh interpreter that imports, loads and embeds one query (ONNX files already cached)."""
    import subprocess

    code = ("from evals import bench_embed;"
            " bench_embed.build_embedder(%r).encode(['send a request'])" % backend)
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL,
                   cwd=Path(__file__).resolve().parents[1])
    return time.perf_counter() - began
from indexer.semantic.store import VectorStore  # noqa: E402


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size in MB."""
    fields = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def stage_vs_bare(project: Path, embedder, work: Path) -> dict:
    index_dir = work / "stage.index"
    shutil.rmtree(index_dir, ignore_errors=True)
    indexer = Indexer(project, index_dir, IndexOptions(jobs=1))
    indexer.run()
    graph = Graph(indexer.store, indexer.root)
    run = update_embeddings(graph, index_dir, embedder)
    texts = [r["text"] for r in VectorStore(index_dir, readonly=True).chunks.search().select(["text"])
             .limit(None).to_list()]
    began = time.perf_counter()
    embedder.encode(texts)
    bare = time.perf_counter() - began
    indexer.close()
    return {"chunks": run.chunks, "embedded": run.embedded, "stage_s": run.seconds, "bare_s": bare,
            "stage_chunks_per_s": run.chunks / run.seconds, "bare_chunks_per_s": len(texts) / bare,
            "overhead": run.seconds / bare - 1, "stage_model_s": run.embed_seconds,
            # What the stage adds around the model (chunking, hashing, LanceDB),
            # measured inside one run: immune to load from other processes.
            "overhead_outside_model": (run.seconds - run.embed_seconds) / run.embed_seconds, "texts": texts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", default="requests==2.32.3")
    parser.add_argument("--backends", default=",".join(ALL_BACKENDS),
                        help="comma-separated, from " + ", ".join(ALL_BACKENDS) + " (torch is the baseline)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    name, version = args.project.split("==")
    project = eval_search.fetch(name, version)
    work = Path(tempfile.mkdtemp(prefix="codemeld-bench-"))
    out: dict = {"project": args.project, "threads": None}

    backends = [b for b in args.backends.split(",") if b]
    default = make_embedder(EmbedderConfig())
    default.load()
    default.encode(["warm up"])
    out["default_backend"] = type(default).__name__
    out["rss_model_loaded_mb"] = rss_mb()[0]
    stage = stage_vs_bare(project, default, work)
    texts = stage.pop("texts")
    out["stage"] = stage
    quality = eval_search.evaluate(args.project, default, work, baselines=False)
    out["search_latency_ms"] = quality["latency_ms"]
    out["rss_after_search_mb"], out["rss_peak_mb"] = rss_mb()
    reference = build_embedder("torch")
    reference.encode(["warm up"])
    import torch

    out["threads"] = torch.get_num_threads()
    sample = texts[:512]
    reference_vectors = reference.encode(sample)
    out["backends"] = {}
    for backend in backends:
        try:
            embedder = reference if backend == "torch" else build_embedder(backend)
            embedder.encode(["warm up"])
        except Exception as exc:  # openvino not installed, an export failure: report and go on
            out["backends"][backend] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        began = time.perf_counter()
        vectors = embedder.encode(texts)
        seconds = time.perf_counter() - began
        agreement = float(np.mean(np.sum(reference_vectors * vectors[:len(sample)], axis=1)))
        scored = eval_search.evaluate(args.project, embedder, work, baselines=False)
        out["backends"][backend] = {"encode_chunks_per_s": len(texts) / seconds,
                                    "mrr@10": scored["codemeld"]["mrr@10"],
                                    "recall@10": scored["codemeld"]["recall@10"], "cosine_to_torch": agreement,
                                    "cold_query_s": cold_query_seconds(backend)}
    base = out["backends"].get("torch", {})
    for result in out["backends"].values():
        if "error" not in result and base.get("encode_chunks_per_s"):
            result["speedup"] = result["encode_chunks_per_s"] / base["encode_chunks_per_s"]
            result["mrr_delta"] = result["mrr@10"] - base["mrr@10"]
    shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(reports.dumps(reports.of("bench_embed", out, vars(args))))
        return
    s = out["stage"]
    print(f"project {out['project']}, torch threads {out['threads']}, default embedder {out['default_backend']}")
    print(f"embedding stage: {s['stage_chunks_per_s']:.1f} chunks/s ({s['chunks']} chunks in {s['stage_s']:.1f}s);"
          f" bare model: {s['bare_chunks_per_s']:.1f} chunks/s; overhead {s['overhead']:+.1%}"
          f" (model time inside the stage {s['stage_model_s']:.1f}s of {s['stage_s']:.1f}s:"
          f" {s['overhead_outside_model']:+.1%} around the model)")
    for backend, r in out["backends"].items():
        if "error" in r:
            print(f"{backend:11s} unavailable: {r['error']}")
            continue
        ratio = f" = {r['speedup']:.2f}x torch, MRR {r['mrr_delta']:+.3f}" if "speedup" in r else ""
        print(f"{backend:11s} encode {r['encode_chunks_per_s']:6.1f} chunks/s{ratio}; MRR@10 {r['mrr@10']:.3f},"
              f" R@10 {r['recall@10']:.3f}, cosine to torch {r['cosine_to_torch']:.4f};"
              f" cold process, one query: {r['cold_query_s']:.1f}s")
    lat = out["search_latency_ms"]
    print(f"search latency: p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms (default model loaded)")
    print(f"RSS: {out['rss_model_loaded_mb']:.0f} MB with the default model loaded, {out['rss_after_search_mb']:.0f} MB"
          f" after indexing and searching, peak {out['rss_peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
