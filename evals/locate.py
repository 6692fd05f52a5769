"""Task localization on real history: `codemeld locate` vs BM25 over whole
files (the SWE-bench paper's retrieval baseline) vs plain all-MiniLM-L6-v2
over functions, on the same queries, in the same run.

Queries: for pinned commits that fix a reported problem, the problem's text.
The projects' git histories carry no issue bodies (and this machine has no
GitHub access), so the query is the commit message (subject and body) with
issue/PR numbers and trailers removed. Never the diff.

Gold: the non-test .py files the commit changed (that exist at the parent),
and the functions/methods whose lines it changed, read at the parent commit.

Metrics: file Acc@1/3/5 (ALL gold files within the top k), function
Acc@5/10 (all gold functions within the top k; commits that change no
function are left out of these), MRR of the first gold file, tokens of the
answer an agent gets (the MCP tool's text form, 4 chars per token), latency
per query (index already built).

Getting the histories (never committed here): bare mirrors of the public
repositories, e.g.

    git clone --mirror https://github.com/pallets/flask  /data/mirrors/pallets+flask/repo
    (same for psf/requests, pallets/click, marshmallow-code/marshmallow, encode/httpx)

    HF_HUB_OFFLINE=1 .venv/bin/python -m evals.locate --mirrors /data/mirrors
    HF_HUB_OFFLINE=1 .venv/bin/python -m evals.locate --mirror flask=/path/to/flask.git --limit 10

Each project is checked out (a shared clone) into --cache (default: the user
cache dir), one working tree moved from parent to parent, indexed
incrementally; `--select NAME` lists candidate commits for pinning.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from evals.harness import report as reports


from indexer.agent.locate import is_test_path, locate  # noqa: E402
from indexer.pipeline.index import IndexOptions, Indexer  # noqa: E402
from indexer.graph.query import Graph  # noqa: E402

log = logging.getLogger("eval_locate")


@dataclass(frozen=True)
class Project:
    github: str
    commits: tuple[str, ...]  # pinned fix commits (full or abbreviated SHAs)


# Pinned with `--select NAME` (the first 20): recent non-merge commits, not
# by a bot, whose subject says they fix something and that change 1-3
# existing non-test .py files.
PROJECTS: dict[str, Project] = {
    "flask": Project("pallets/flask", (
        "fb5415986170",
        "da600394865c",
        "54c3f87af9f6",
        "a363642a3288",
        "1af8f95785b8",
        "1d5abfadd713",
        "4104f29956b1",
        "80cf589a26d7",
        "bda295d37fa3",
        "0ec9192cf25f",
        "fc03d0dfab64",
        "d7b6c1f6703d",
        "0d8c8ba71bc6",
        "746455d1038f",
        "a6a7a57380cd",
        "095651be9eec",
        "58f3536a8f5d",
        "3ba37d2afe65",
        "1e5dd4302233",
        "8ddbad9ccdc1",
    )),
    "requests": Project("psf/requests", (
        "6f205ff422bc",
        "e511bc72777a",
        "6404f345e562",
        "3816cfa1abd4",
        "b684dcb9bbf3",
        "f0198e6dfc43",
        "bc7dd0fc4d56",
        "47914226c296",
        "3f07f990ac74",
        "5b4b64c3467f",
        "1604e20fc87c",
        "3ff3ff21dd45",
        "15849947ec4b",
        "c32b046243dc",
        "bda7f0171f8b",
        "2d5517682b3b",
        "79c4a017fe34",
        "38f3f8ecb93c",
        "4246792b818c",
        "10968357a19a",
    )),
    "click": Project("pallets/click", (
        "07c909f23f0f",
        "1ac08db95368",
        "bec59289d8cf",
        "762c97eef7c1",
        "bff780ff9df7",
        "7eb57cff7cd2",
        "9a2d169fcf5c",
        "77bd81f3f0c9",
        "82f377c547e1",
        "ddf20d067378",
        "b7e5fd4cc7de",
        "c3535905c77a",
        "4d3db84b2515",
        "7d05a59b9d46",
        "d15f3c23a177",
        "0551bf53588a",
        "0f71fe771cee",
        "a09c1c655eef",
        "73e155006526",
        "19fd4d6e18bc",
    )),
    "marshmallow": Project("marshmallow-code/marshmallow", (
        "4976d834ceb7",
        "eeba83587172",
        "c914b2a9f584",
        "166e123c8f92",
        "8f493e66b38d",
        "f2e555c30bd4",
        "bdcd9500a8e6",
        "10afde119b3b",
        "2e0a4fcc832e",
        "519aa8deeaa5",
        "563ad7e959f6",
        "6f7db69fb4bb",
        "9c9ccdfee6dc",
        "af5d3cc27024",
        "dab1b03d3041",
        "0c0caf5d7a87",
        "a63c28edde1e",
        "d2a0cdb73807",
        "ce69a116dbb2",
        "67cb8582755e",
    )),
    "httpx": Project("encode/httpx", (
        "336204f0121a",
        "89599a9541af",
        "a33c87852b8a",
        "ce7e14da27ab",
        "47f4a96ffaaa",
        "49d74a2e7f77",
        "7c0cda153d30",
        "88a81c5d31a4",
        "6d852d319acd",
        "99cba6ac642b",
        "3b9060ee1121",
        "1e110964736a",
        "e63b6594f286",
        "18d7721c385b",
        "a682f6f1c7f1",
        "ee432c0d3098",
        "32e25497a36e",
        "9ae170a936df",
        "15d09a3bbc20",
        "f0fd91925bc8",
    )),
}

_FIX = re.compile(r"\b(fix(es|ed|ing)?|bug|issue|regression|crash|error|incorrect|wrong|broken|handle)\b", re.I)
_TRAILER = re.compile(r"^(co-authored-by|signed-off-by|reviewed-by|fixes|closes|resolves|refs?|see)\b.*$", re.I | re.M)
_BOT = re.compile(r"\[bot\]|pre-commit-ci|\[pre-commit\.ci\]|dependabot", re.I)
_NUMBERS = re.compile(r"\(?#\d+\)?|\bgh-\d+\b|https?://\S+", re.I)


def git(repo: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, errors="replace")
    if check and done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {repo}: {done.stderr.strip()[:300]}")
    return done.stdout


def query_text(message: str) -> str:
    text = _TRAILER.sub("", message)
    text = _NUMBERS.sub("", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def changed_files(repo: Path, commit: str) -> list[str]:
    out = git(repo, "diff-tree", "--no-commit-id", "-r", "--name-status", f"{commit}^", commit)
    files = []
    for line in out.splitlines():
        status, _, path = line.partition("\t")
        if status.startswith("M") and path.endswith(".py") and not is_test_path(path) \
                and not path.startswith(("docs/", "examples/")) and path != "setup.py":
            files.append(path)
    return files


def changed_old_lines(repo: Path, commit: str, path: str) -> list[int]:
    """0-based lines of the parent's version the commit touched (or inserted next to)."""
    diff = git(repo, "diff", "-U0", f"{commit}^", commit, "--", path)
    lines: list[int] = []
    for match in re.finditer(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", diff, re.M):
        start, count = int(match.group(1)), int(match.group(2) or 1)
        if count == 0:
            lines.extend([start - 1, start])  # an insertion after line `start`
        else:
            lines.extend(range(start - 1, start - 1 + count))
    return lines


def select(repo: Path, limit: int = 40) -> list[str]:
    out = git(repo, "log", "--no-merges", "--format=%H%x00%an%x00%B%x01", "-n", "3000", "HEAD")
    picked = []
    for record in out.split("\x01"):
        if record.count("\x00") < 2:
            continue
        sha, author, message = record.strip().split("\x00", 2)
        if _BOT.search(author) or _BOT.search(message.split("\n", 1)[0]):
            continue  # automated fixes (formatters, dependency bumps) fix no reported problem
        if not _FIX.search(message.split("\n", 1)[0]) or len(query_text(message).split()) < 4:
            continue
        files = changed_files(repo, sha)
        if 1 <= len(files) <= 3:
            picked.append(sha)
        if len(picked) >= limit:
            break
    return picked


# -- baselines -----------------------------------------------------------------------


_WORDS = re.compile(r"\w+")


def bm25_files(root: Path, paths: list[str], query: str) -> list[str]:
    """BM25 (rank_bm25's Okapi) over whole files, plain word tokens."""
    from rank_bm25 import BM25Okapi

    corpus = []
    for path in paths:
        try:
            corpus.append(_WORDS.findall((root / path).read_text(encoding="utf-8", errors="replace").lower()))
        except OSError:
            corpus.append([])
    scores = BM25Okapi(corpus).get_scores(_WORDS.findall(query.lower()))
    return [paths[i] for i in sorted(range(len(paths)), key=lambda i: -scores[i])]


class MiniLM:
    """Plain all-MiniLM-L6-v2 over each function's source (the model reads
    its first 256 word pieces, of the query too); embeddings cached by text."""

    def __init__(self):
        from indexer.semantic.embedder import SentenceTransformerEmbedder

        self.model = SentenceTransformerEmbedder()
        self.cache: dict[str, list[float]] = {}

    def index(self, graph: Graph) -> None:
        """Embed the functions (untimed: the index is built before any query)."""
        self._prepared = self._matrix(graph)

    def rank(self, graph: Graph, query: str) -> list[tuple[str, str]]:
        import numpy as np

        functions, matrix = self._prepared
        q = np.array(self.model.encode([query])[0], dtype=np.float32)
        scores = matrix @ q / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(q) + 1e-9)
        order = np.argsort(-scores)
        return [(functions[i][0], functions[i][1]) for i in order]

    def _matrix(self, graph: Graph):
        import numpy as np

        functions = graph.definitions_of_kinds(("function", "method"))
        texts = []
        lines_of: dict[str, list[str]] = {}
        for path, qualname, _kind, start, end in functions:
            if path not in lines_of:
                try:
                    lines_of[path] = (graph.root / path).read_text(encoding="utf-8", errors="replace").split("\n")
                except OSError:
                    lines_of[path] = []
            texts.append("\n".join(lines_of[path][start:end + 1]))
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        for start in range(0, len(missing), 256):
            batch = missing[start:start + 256]
            for text, vector in zip(batch, self.model.encode(batch)):
                self.cache[text] = vector
        return functions, np.array([self.cache[t] for t in texts], dtype=np.float32)


# -- metrics -----------------------------------------------------------------------------


@dataclass
class Scores:
    file_hits: dict[int, list[bool]] = field(default_factory=lambda: {1: [], 3: [], 5: []})
    func_hits: dict[int, list[bool]] = field(default_factory=lambda: {5: [], 10: []})
    rr: list[float] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def add(self, files: list[str], functions: list[str] | None, gold_files: set[str], gold_funcs: set[str],
            seconds: float, tokens: int | None = None) -> None:
        files = list(dict.fromkeys(files))
        for k in self.file_hits:
            self.file_hits[k].append(gold_files <= set(files[:k]))
        first = next((i for i, f in enumerate(files) if f in gold_files), None)
        self.rr.append(0.0 if first is None else 1.0 / (first + 1))
        if functions is not None and gold_funcs:
            functions = list(dict.fromkeys(functions))
            for k in self.func_hits:
                self.func_hits[k].append(gold_funcs <= set(functions[:k]))
        self.seconds.append(seconds)
        if tokens is not None:
            self.tokens.append(tokens)

    def row(self) -> dict:
        mean = lambda xs: round(sum(xs) / len(xs), 3) if xs else None  # noqa: E731
        return {
            **{f"file@{k}": mean(v) for k, v in self.file_hits.items()},
            **{f"func@{k}": mean(v) for k, v in self.func_hits.items()},
            "MRR": mean(self.rr), "queries": len(self.rr), "func_queries": len(self.func_hits[5]),
            "tokens_mean": round(statistics.mean(self.tokens)) if self.tokens else None,
            "ms_p50": round(1000 * statistics.median(self.seconds), 1) if self.seconds else None,
            "ms_p95": round(1000 * sorted(self.seconds)[max(0, math.ceil(0.95 * len(self.seconds)) - 1)], 1)
            if self.seconds else None,
        }


def locate_tokens(found) -> int:
    from server.mcp_server.app import locate_result

    _result, text = locate_result(found, embeddings=False)
    return (len(text) + 3) // 4


# -- the run -------------------------------------------------------------------------------


def evaluate(name: str, mirror: Path, cache: Path, commits: list[str], embeddings: bool,
             minilm: MiniLM | None, results: dict[str, Scores], per_query: list[dict], on_query=None) -> None:
    work = cache / "work" / name
    if not work.exists():
        work.parent.mkdir(parents=True, exist_ok=True)
        git(cache, "clone", "--quiet", "--shared", "--no-checkout", str(mirror), str(work))
    index_dir = cache / "index" / name
    vectors = None
    for commit in commits:
        sha = git(work, "rev-parse", commit).strip()
        message = git(work, "log", "-1", "--format=%B", sha)
        query = query_text(message)
        gold_files = set(changed_files(work, sha))
        if not gold_files or not query:
            continue
        git(work, "checkout", "--quiet", "--force", f"{sha}^")
        git(work, "clean", "--quiet", "-fdx")
        indexer = Indexer(work, index_dir, IndexOptions())
        indexer.run()
        graph = Graph(indexer.store, indexer.root)
        if embeddings:
            from indexer.semantic.build import update_embeddings
            from indexer.semantic.search import SemanticIndex

            update_embeddings(graph, index_dir)
            vectors = SemanticIndex(index_dir, graph)
            vectors.refresh()
        gold_funcs: set[str] = set()
        for path in gold_files:
            for line in changed_old_lines(work, sha, path):
                holder = graph.enclosing_symbol(path, line)
                if holder is not None and holder.kind in ("function", "method"):
                    gold_funcs.add(holder.qualname)
        paths = [p for p in graph.indexed_paths()]
        record = {"project": name, "commit": sha[:10], "query": query[:200], "gold_files": sorted(gold_files),
                  "gold_functions": sorted(gold_funcs)}

        for label, use_vectors in (("codemeld locate", True), ("codemeld locate (no embeddings)", False)):
            if use_vectors and vectors is None:
                continue
            started = time.perf_counter()
            found = locate(graph, query, k=20, vectors=vectors if use_vectors else None)
            seconds = time.perf_counter() - started
            files = [f.path for f in found.files]
            functions = [s.symbol.qualname for s in found.symbols if s.symbol.kind in ("function", "method")]
            results.setdefault(label, Scores()).add(files, functions, gold_files, gold_funcs, seconds,
                                                    locate_tokens(found))
            record[label] = files[:5]

        started = time.perf_counter()
        ranked = bm25_files(work, paths, query)
        results.setdefault("BM25 whole files", Scores()).add(ranked, None, gold_files, gold_funcs,
                                                              time.perf_counter() - started)
        record["BM25 whole files"] = ranked[:5]

        if minilm is not None:
            minilm.index(graph)
            started = time.perf_counter()
            ranked_funcs = minilm.rank(graph, query)
            seconds = time.perf_counter() - started
            files = [p for p, _ in ranked_funcs]
            results.setdefault("MiniLM functions", Scores()).add(files, [q for _, q in ranked_funcs], gold_files,
                                                                  gold_funcs, seconds)
            record["MiniLM functions"] = list(dict.fromkeys(files))[:5]
        per_query.append(record)
        if on_query is not None:
            on_query()
        indexer.close()
        log.info("%s %s done", name, sha[:10])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirrors", type=Path, help="Folder of <owner>+<name>/repo bare mirrors.")
    parser.add_argument("--mirror", action="append", default=[], help="NAME=PATH of one project's git repo.")
    parser.add_argument("--cache", type=Path, default=None, help="Checkouts and indexes (default: user cache).")
    parser.add_argument("--projects", default=",".join(PROJECTS), help="Comma-separated project names.")
    parser.add_argument("--limit", type=int, default=0, help="At most this many commits per project.")
    parser.add_argument("--no-embeddings", action="store_true", help="Skip everything that needs the model.")
    parser.add_argument("--select", metavar="NAME", help="Print candidate fix commits of a project and exit.")
    parser.add_argument("--json", type=Path, help="Write per-query results here.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("indexer", "lancedb", "sentence_transformers", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    mirrors = dict(item.split("=", 1) for item in args.mirror)
    def mirror_of(name: str) -> Path | None:
        if name in mirrors:
            return Path(mirrors[name])
        if args.mirrors is not None:
            candidate = args.mirrors / PROJECTS[name].github.replace("/", "+") / "repo"
            return candidate if candidate.exists() else None
        return None

    if args.select:
        for sha in select(mirror_of(args.select)):
            print(sha)
        return
    from platformdirs import user_cache_dir

    cache = args.cache or Path(user_cache_dir("codemeld")) / "eval_locate"
    cache.mkdir(parents=True, exist_ok=True)
    minilm = None if args.no_embeddings else MiniLM()
    results: dict[str, Scores] = {}
    per_query: list[dict] = []
    for name in args.projects.split(","):
        mirror = mirror_of(name)
        if mirror is None:
            print(f"skipping {name}: no mirror (see --mirrors / --mirror)", file=sys.stderr)
            continue
        commits = list(PROJECTS[name].commits)[: args.limit or None]
        evaluate(name, mirror, cache, commits, not args.no_embeddings, minilm, results, per_query,
                 on_query=lambda: args.json and args.json.write_text(json.dumps(
                     {"summary": {k: v.row() for k, v in results.items()}, "queries": per_query}, indent=1)))
    rows = {label: scores.row() for label, scores in results.items()}
    columns = ["file@1", "file@3", "file@5", "func@5", "func@10", "MRR", "tokens_mean", "ms_p50", "ms_p95", "queries"]
    print(f"{'method':34}" + "".join(f"{c:>12}" for c in columns))
    for label, row in rows.items():
        print(f"{label:34}" + "".join(f"{'—' if row[c] is None else row[c]:>12}" for c in columns))
    print(f"(functions: {next(iter(rows.values()))['func_queries'] if rows else 0} queries change a function)")
    if args.json:
        reports.write(args.json, "locate", {"summary": rows, "queries": per_query}, vars(args))


if __name__ == "__main__":
    main()
