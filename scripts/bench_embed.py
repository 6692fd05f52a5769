"""Embedding-stage throughput, int8 vs fp32, search latency, memory.

On one real project (a PyPI sdist, cached outside the repo; default requests):
1. stage: `update_embeddings` into an empty vector store (chunking, hashing,
   LanceDB writes included) vs the bare model encoding the same texts, chunks/s
   each and the stage's overhead;
2. int8 (torch dynamic quantization) vs fp32: encode speed on the same texts,
   agreement of the vectors, and MRR@10 of eval_search on the project;
3. search latency p50/p95 with the model loaded (eval_search's queries);
4. RSS with the model loaded.

Usage: python scripts/bench_embed.py [--project requests==2.32.3] [--no-int8] [--json]
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

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import eval_search  # noqa: E402
from indexer.index import IndexOptions, Indexer  # noqa: E402
from indexer.query import Graph  # noqa: E402
from indexer.semantic.build import update_embeddings  # noqa: E402
from indexer.semantic.embedder import EmbedderConfig, SentenceTransformerEmbedder  # noqa: E402
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
    parser.add_argument("--no-int8", action="store_true", help="skip the int8 comparison")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    name, version = args.project.split("==")
    project = eval_search.fetch(name, version)
    work = Path(tempfile.mkdtemp(prefix="codemeld-bench-"))
    out: dict = {"project": args.project, "threads": None}

    fp32 = SentenceTransformerEmbedder(EmbedderConfig())
    fp32.load()
    fp32.encode(["warm up"])
    import torch

    out["threads"] = torch.get_num_threads()
    out["rss_model_loaded_mb"] = rss_mb()[0]
    stage = stage_vs_bare(project, fp32, work)
    texts = stage.pop("texts")
    out["stage"] = stage
    quality = eval_search.evaluate(args.project, fp32, work, baselines=False)
    out["fp32"] = {"mrr@10": quality["codemeld"]["mrr@10"], "recall@10": quality["codemeld"]["recall@10"],
                   "encode_chunks_per_s": stage["bare_chunks_per_s"]}
    out["search_latency_ms"] = quality["latency_ms"]
    out["rss_after_search_mb"], out["rss_peak_mb"] = rss_mb()
    if not args.no_int8:
        int8 = SentenceTransformerEmbedder(EmbedderConfig(int8=True))
        int8.encode(["warm up"])
        began = time.perf_counter()
        vectors8 = int8.encode(texts)
        seconds8 = time.perf_counter() - began
        vectors32 = fp32.encode(texts[:512])
        agreement = float(np.mean(np.sum(vectors32 * vectors8[:512], axis=1)))
        quality8 = eval_search.evaluate(args.project, int8, work, baselines=False)
        out["int8"] = {"mrr@10": quality8["codemeld"]["mrr@10"], "recall@10": quality8["codemeld"]["recall@10"],
                       "encode_chunks_per_s": len(texts) / seconds8, "cosine_to_fp32": agreement}
    shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    s = out["stage"]
    print(f"project {out['project']}, torch threads {out['threads']}")
    print(f"embedding stage: {s['stage_chunks_per_s']:.1f} chunks/s ({s['chunks']} chunks in {s['stage_s']:.1f}s);"
          f" bare model: {s['bare_chunks_per_s']:.1f} chunks/s; overhead {s['overhead']:+.1%}"
          f" (model time inside the stage {s['stage_model_s']:.1f}s of {s['stage_s']:.1f}s:"
          f" {s['overhead_outside_model']:+.1%} around the model)")
    print(f"fp32: encode {out['fp32']['encode_chunks_per_s']:.1f} chunks/s, MRR@10 {out['fp32']['mrr@10']:.3f},"
          f" R@10 {out['fp32']['recall@10']:.3f}")
    if "int8" in out:
        i = out["int8"]
        print(f"int8: encode {i['encode_chunks_per_s']:.1f} chunks/s, MRR@10 {i['mrr@10']:.3f},"
              f" R@10 {i['recall@10']:.3f}, mean cosine to fp32 {i['cosine_to_fp32']:.3f}")
    lat = out["search_latency_ms"]
    print(f"search latency: p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms (model loaded)")
    print(f"RSS: {out['rss_model_loaded_mb']:.0f} MB with the model loaded, {out['rss_after_search_mb']:.0f} MB"
          f" after indexing and searching, peak {out['rss_peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
