"""Measure codemeld's find-references accuracy against pyright on real projects.

For each corpus project (a pinned PyPI sdist, see corpora.py) we sample
definitions from the package's own sources with `ast`, ask pyright's language
server for their references (the reference answer), ask the codemeld CLI for
the same, and compare the sets of (path, line, start character) positions.

    python -m evals.refs                      # click + requests, 60 defs each
    python -m evals.refs --pyright-only       # just pyright's side
    python -m evals.refs --lang go            # Go vs gopls (evals/refs_go.py)
    python -m evals.refs --lang typescript    # TypeScript/JavaScript vs tsserver (evals/refs_typescript.py)
    python -m evals.refs --project click==8.1.7 --sample 200 \
        --json /tmp/refs.json --show-misses 10

Results go to stdout; progress and logs go to stderr. pyright (from npm) and
its answers are cached under the corpora cache dir, so reruns only pay for
codemeld.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import queue
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from evals.harness import report as reports
from evals.harness import corpora
from evals.harness.lsp import LspClient, LspError  # noqa: F401  (evals/impact.py uses them through here)
from evals.harness.metrics import PerQuestionScore

REPO_ROOT = Path(__file__).resolve().parent.parent
PYRIGHT_VERSION = "1.1.408"
DEFAULT_SAMPLE = 60
DEFAULT_MIN_CONFIDENCE = 0.5

# Directories whose definitions we never sample: they are not the library's
# API. They stay in the workspace, so their references still count.
NON_PACKAGE_DIRS = {
    "tests", "test", "testing", "docs", "doc", "examples", "example",
    "benchmarks", "bench", "build", "dist", "scripts", "tools",
}

# A reference position: (POSIX path relative to the project root, 0-based
# line, 0-based UTF-16 start column), the same convention for both tools.
Ref = tuple[str, int, int]


def log(msg: str) -> None:
    print(f"[evals.refs] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Sampling definitions
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Definition:
    path: str        # POSIX, relative to the project root
    line: int        # 0-based line of the name token
    character: int   # 0-based UTF-16 column of the name token
    name: str
    qualname: str
    kind: str        # "function" | "class" | "method"

    @property
    def key(self) -> str:
        """Stable id used in caches and reports (0-based, like LSP)."""
        return f"{self.path}:{self.line}:{self.character}"


_DEF_KEYWORD = re.compile(r"(?:async\s+)?(?:def|class)\s+")


def package_dirs(root: Path, name: str) -> list[Path]:
    """Where the library's own code lives (src layout or flat layout)."""
    module = name.lower().replace("-", "_").replace(".", "_")
    candidates = [root / "src" / module, root / module, root / f"{module}.py"]
    found = [c for c in candidates if c.exists()]
    # Unusual layouts (module name != dist name): fall back to the whole tree,
    # which NON_PACKAGE_DIRS keeps to roughly the library's code.
    return found or [root]


def python_files(base: Path, root: Path) -> list[Path]:
    if base.is_file():
        return [base]
    files = []
    for path in sorted(base.rglob("*.py")):
        parts = path.relative_to(root).parts[:-1]
        if any(p in NON_PACKAGE_DIRS or p.startswith(".") for p in parts):
            continue
        files.append(path)
    return files


def collect_definitions(root: Path, name: str, dunders: bool = False) -> list[Definition]:
    defs: list[Definition] = []
    for base in package_dirs(root, name):
        for path in python_files(base, root):
            defs.extend(definitions_in_file(root, path))
    if not dunders:
        # pyright lists only spelled-out uses of __init__, __eq__, ... (not
        # Cls(...) or a == b), so dunders mostly add empty answers whose
        # "right" contents are a matter of convention, not accuracy.
        defs = [d for d in defs if not is_dunder(d.name)]
    return sorted(set(defs), key=lambda d: (d.path, d.line, d.character))


def is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def parse_file(path: Path) -> tuple[ast.Module, list[str]] | None:
    # Universal newlines, so line numbers agree with ast and with LSP servers.
    source = path.read_text(encoding="utf-8", errors="replace")
    try:
        return ast.parse(source, filename=str(path)), source.split("\n")
    except (SyntaxError, ValueError) as exc:
        log(f"skipping {path}: {exc}")
        return None


def definitions_in_file(root: Path, path: Path) -> list[Definition]:
    parsed = parse_file(path)
    if parsed is None:
        return []
    tree, lines = parsed
    out: list[Definition] = []
    _walk_scope(tree.body, "", False, lines, path.relative_to(root).as_posix(), out)
    return out


def _walk_scope(body, prefix: str, in_class: bool, lines, rel, out) -> None:
    """Module-level functions/classes and methods of (nested) classes."""
    for node in body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        qualname = f"{prefix}{node.name}"
        is_class = isinstance(node, ast.ClassDef)
        # An @overload stub is not the symbol's definition: pyright treats all
        # overloads as declarations, so sampling a stub measures nothing new.
        if not is_class and _is_overload(node):
            continue
        kind = "class" if is_class else ("method" if in_class else "function")
        d = _name_token(node, lines, rel, qualname, kind)
        if d:
            out.append(d)
        if is_class:
            _walk_scope(node.body, qualname + ".", True, lines, rel, out)


def _is_overload(node) -> bool:
    for dec in node.decorator_list:
        target = dec.attr if isinstance(dec, ast.Attribute) else getattr(dec, "id", None)
        if target == "overload":
            return True
    return False


def _name_token(node, lines, rel, qualname, kind) -> Definition | None:
    """Position of the name after `def`/`class` (ast only gives the keyword's)."""
    text = lines[node.lineno - 1]
    # col_offset counts UTF-8 bytes; turn it into a str index first.
    start = len(text.encode("utf-8")[: node.col_offset].decode("utf-8", errors="replace"))
    match = _DEF_KEYWORD.match(text, start)
    if not match or not text.startswith(node.name, match.end()):
        return None  # name on a continuation line: too rare to bother with
    return Definition(
        path=rel, line=node.lineno - 1, character=utf16_len(text[: match.end()]),
        name=node.name, qualname=qualname, kind=kind,
    )


class DeclarationSites:
    """Name tokens of every def/class in the project, read lazily per file.

    With includeDeclaration=false pyright still lists the *other*
    declarations of a symbol: @overload stubs, the second `def f` of an
    if/else, ... Those are definitions rather than uses, and whether a tool
    lists them is a convention, so both sides drop them before comparing.
    """

    def __init__(self, root: Path):
        self.root = root
        self._by_file: dict[str, set[Ref]] = {}

    def __contains__(self, ref: Ref) -> bool:
        return ref in self._sites(ref[0])

    def _sites(self, rel: str) -> set[Ref]:
        if rel not in self._by_file:
            self._by_file[rel] = self._read(rel)
        return self._by_file[rel]

    def _read(self, rel: str) -> set[Ref]:
        path = self.root / rel
        parsed = parse_file(path) if path.suffix == ".py" and path.is_file() else None
        if parsed is None:
            return set()
        tree, lines = parsed
        sites = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                d = _name_token(node, lines, rel, node.name, "")
                if d:
                    sites.add((rel, d.line, d.character))
        return sites


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def sample_definitions(defs: list[Definition], n: int, seed: int) -> list[Definition]:
    if n <= 0 or len(defs) <= n:
        return list(defs)
    # defs arrive sorted, so the sample only depends on the seed and the tree.
    chosen = random.Random(seed).sample(defs, n)
    return sorted(chosen, key=lambda d: (d.path, d.line, d.character))


# --------------------------------------------------------------------------
# pyright: the reference answer
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Pyright:
    version: str
    langserver: Path
    python: Path      # interpreter pyright resolves imports against
    timeout: float    # seconds per references request

    def settings(self) -> dict:
        """Answers to pyright's workspace/configuration requests, by section.

        No "python.analysis" section on purpose: pyright reads a present one
        as autoSearchPaths=false unless it says otherwise, and then stops
        resolving `import click` to src/click.
        """
        return {"python": {"pythonPath": str(self.python)}}


def ensure_pyright(version: str, cache: Path, timeout: float) -> Pyright:
    return Pyright(version, _install_pyright(version, cache), _bare_python(cache), timeout)


def _install_pyright(version: str, cache: Path) -> Path:
    """Install pyright from npm into the cache (once); return its langserver."""
    prefix = cache / f"pyright-{version}"
    langserver = prefix / "node_modules" / ".bin" / "pyright-langserver"
    if langserver.exists():
        return langserver
    if shutil.which("npm") is None:
        raise SystemExit("npm is needed to install pyright (apt-get install npm)")
    log(f"installing pyright@{version} into {prefix}")
    prefix.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
         f"pyright@{version}"],
        check=True, stdout=sys.stderr,
    )
    return langserver


def _bare_python(cache: Path) -> Path:
    """An interpreter with nothing installed, for pyright to resolve against.

    Left to itself pyright uses whatever `python` is on PATH, whose
    site-packages (another copy of click, urllib3 or not, ...) would change
    the answers from one machine to the next. With a bare venv only the
    workspace, the stdlib and pyright's bundled stubs resolve, which is also
    what codemeld indexes.
    """
    venv = cache / "pyright-python"
    python = venv / "bin" / "python"
    if not python.exists():
        log(f"creating an empty venv for pyright at {venv}")
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    return python


@dataclass
class PyrightCache:
    """Answers per project and pyright version, keyed by Definition.key.

    Keyed per definition rather than per sample so that a bigger --sample or
    another seed only queries what is new.
    """
    path: Path
    refs: dict[str, list[Ref]] = field(default_factory=dict)
    seconds: float = 0.0  # pyright wall time spent producing these answers

    @classmethod
    def load(cls, path: Path) -> "PyrightCache":
        if not path.exists():
            return cls(path)
        data = json.loads(path.read_text())
        refs = {k: [tuple(r) for r in v] for k, v in data["refs"].items()}
        return cls(path, refs, data.get("seconds", 0.0))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"refs": self.refs, "seconds": self.seconds}))
        tmp.replace(self.path)


def pyright_references(root: Path, defs: list[Definition], pyright: Pyright,
                       cache: PyrightCache) -> tuple[dict[str, set[Ref]], float | None]:
    """Answers for defs, and pyright's wall time this run (None: all cached)."""
    todo = [d for d in defs if d.key not in cache.refs]
    seconds = None
    if todo:
        log(f"pyright: {len(todo)} of {len(defs)} definitions not cached, querying")
        started = time.monotonic()
        try:
            _query_pyright(root, todo, pyright, cache)
        finally:
            seconds = time.monotonic() - started
            cache.seconds += seconds
            cache.save()
        log(f"pyright: {len(todo)} queries (with startup) in {seconds:.1f}s")
    return {d.key: set(cache.refs[d.key]) for d in defs}, seconds


def ensure_pyright_config(root: Path) -> None:
    """Analyse code for every platform, not just the one we run on.

    Otherwise pyright treats e.g. click's _winconsole.py (`assert
    sys.platform == "win32"`) as unreachable on Linux and finds no references
    in it. The language server takes pythonPlatform only from a config file,
    so we add one to the cached corpus (a project's own config is kept).
    """
    config = root / "pyrightconfig.json"
    if config.exists():
        if '"All"' not in config.read_text():
            log(f"{config} exists; leaving it, platform-specific code may look unreachable")
        return
    config.write_text(json.dumps({"pythonPlatform": "All"}) + "\n")


def _query_pyright(root, defs, pyright: Pyright, cache) -> None:
    cache.path.parent.mkdir(parents=True, exist_ok=True)
    ensure_pyright_config(root)
    client = LspClient(
        [str(pyright.langserver), "--stdio"], cwd=root, settings=pyright.settings(),
        log_path=cache.path.with_suffix(".log"),
    )
    try:
        client.initialize(root)
        by_file: dict[str, list[Definition]] = {}
        for d in defs:
            by_file.setdefault(d.path, []).append(d)
        done = 0
        for rel, file_defs in by_file.items():
            # Open one file at a time: every open file gets checked for
            # diagnostics, which is work the answers don't need.
            uri = _open(client, root / rel)
            for d in file_defs:
                t0 = time.monotonic()
                cache.refs[d.key] = _references(client, root, uri, d, pyright.timeout)
                done += 1
                log(f"pyright {done}/{len(defs)} {d.qualname}: "
                    f"{len(cache.refs[d.key])} refs ({time.monotonic() - t0:.1f}s)")
            client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
            cache.save()  # an interrupted run keeps what it paid for
    finally:
        client.close()


def _open(client: LspClient, path: Path) -> str:
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1,
        "text": path.read_text(encoding="utf-8", errors="replace"),
    }})
    return uri


def _references(client, root, uri, d: Definition, timeout) -> list[Ref]:
    # The first request also waits for pyright to discover and bind the
    # workspace, hence the generous timeout.
    locations = client.request("textDocument/references", {
        "textDocument": {"uri": uri},
        "position": {"line": d.line, "character": d.character},
        "context": {"includeDeclaration": False},
    }, timeout) or []
    refs = set()
    for loc in locations:
        rel = _relative_to_root(_uri_to_path(loc["uri"]), root)
        if rel is not None:  # typeshed/stdlib/site-packages: not ours to compare
            start = loc["range"]["start"]
            refs.add((rel, start["line"], start["character"]))
    return sorted(refs)


def _uri_to_path(uri: str) -> Path:
    return Path(urllib.parse.unquote(urllib.parse.urlparse(uri).path))


def _relative_to_root(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


# --------------------------------------------------------------------------
# codemeld: the system under test, through its CLI
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class CodemeldRef:
    path: str
    line: int
    character: int
    confidence: float
    kind: str

    @property
    def pos(self) -> Ref:
        return (self.path, self.line, self.character)


class CodemeldError(RuntimeError):
    pass


class CodemeldCli:
    """The `codemeld` CLI run from this checkout (python -m server.cli).

    Contract used (server/cli.py):
      index ROOT --index-dir DIR --no-embeddings
      refs TARGET --root ROOT --index-dir DIR --json        -> [ref, ...]
      refs --root ROOT --index-dir DIR --json --batch FILE  -> {TARGET: [ref, ...] | null}
    TARGET is PATH:LINE:COL with 1-based line and character column (see
    target()); a ref is {"path" (relative to ROOT), "range" (0-based LSP
    positions), "confidence", "kind", "how"}, never the declaration itself; null
    (or exit 1 for a single TARGET) means the target did not resolve.
    """

    def __init__(self, python: str, timeout: float, batch: bool = True, guesses: bool = False):
        self.python = python
        self.timeout = timeout
        self.batch = batch
        self.guesses = guesses  # also ask for the name-matched guesses (`refs --guesses`)

    @staticmethod
    def target(root: Path, d: Definition) -> str:
        # Absolute path: right whether the CLI resolves PATH against the cwd
        # or against --root. The column is a character index; for the ASCII
        # lines of a def it equals the UTF-16 column.
        return f"{(root / d.path).as_posix()}:{d.line + 1}:{d.character + 1}"

    def _run(self, args: list[str]) -> str:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        cmd = [self.python, "-m", "server.cli", *args]
        proc = subprocess.run(
            cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, timeout=self.timeout,
        )
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            raise CodemeldError(f"codemeld {' '.join(args[:1])} failed ({proc.returncode}):\n{tail}")
        return proc.stdout

    def _run_json(self, args: list[str]):
        out = self._run(args)
        try:
            return json.loads(out)
        except json.JSONDecodeError as exc:
            raise CodemeldError(f"codemeld {args[0]} printed no JSON ({exc}): {out[:200]!r}") from None

    def index(self, root: Path, index_dir: Path) -> None:
        self._run(["index", str(root), "--index-dir", str(index_dir), "--no-embeddings"])

    def references(self, root: Path, index_dir: Path,
                   defs: list[Definition]) -> dict[str, list[CodemeldRef] | None]:
        """Definition.key -> its references, or None where codemeld could
        not resolve the target (its batch mode answers null for those)."""
        targets = {self.target(root, d): d.key for d in defs}
        raw = self._refs_batch(root, index_dir, list(targets)) if self.batch \
            else {t: self._refs_one(root, index_dir, t) for t in targets}
        out = {}
        for target, key in targets.items():
            answer = raw.get(target)
            if answer is None:
                log(f"codemeld did not resolve {target}")
            out[key] = None if answer is None else parse_codemeld_refs(answer, root, target)
        return out

    def _common(self, root: Path, index_dir: Path) -> list[str]:
        return ["--root", str(root), "--index-dir", str(index_dir), "--json", *(["--guesses"] if self.guesses else [])]

    def _refs_batch(self, root, index_dir, targets: list[str]) -> dict:
        with tempfile.TemporaryDirectory(prefix="evals.refs-") as tmp:
            batch_file = Path(tmp) / "targets.txt"
            batch_file.write_text("".join(t + "\n" for t in targets))
            data = self._run_json(["refs", *self._common(root, index_dir), "--batch", str(batch_file)])
        if not isinstance(data, dict):
            raise CodemeldError(f"codemeld refs --batch printed {type(data).__name__}, not an object")
        return data

    def _refs_one(self, root, index_dir, target: str):
        try:
            return self._run_json(["refs", target, *self._common(root, index_dir)])
        except CodemeldError as exc:  # exit 1: unknown target, like null in a batch
            log(str(exc))
            return None


def parse_codemeld_refs(items, root: Path, target: str) -> list[CodemeldRef]:
    if not isinstance(items, list):
        log(f"codemeld answer for {target} is not a list: {str(items)[:200]}")
        return []
    refs = []
    for item in items:
        rel = _codemeld_path(item["path"], root)
        if rel is None:
            continue  # outside the project, like pyright's typeshed hits
        start = item["range"]["start"]
        refs.append(CodemeldRef(rel, start["line"], start["character"],
                                float(item.get("confidence", 1.0)), str(item.get("kind", ""))))
    return refs


def _codemeld_path(path: str, root: Path) -> str | None:
    p = Path(path)
    if p.is_absolute():
        return _relative_to_root(p, root)
    posix = p.as_posix()
    return None if posix.startswith("../") else posix


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------

@dataclass
class Score(PerQuestionScore):
    """Precision/recall of predicted refs against pyright's, over symbols
    (`evals.harness.metrics.PerQuestionScore`).

    micro: pooled over all references. macro: mean of per-symbol values, over
    the symbols where that value is defined (precision needs a prediction,
    recall needs a pyright ref); symbols where both are empty agree trivially
    and are counted in `both_empty`.
    """
    macro_precision_over: str = "predicted"

    @property
    def symbols(self) -> int:
        return self.questions

    def to_json(self) -> dict:
        return {"symbols": self.symbols, **self.figures(("gold", "pred", "tp", "both_empty"),
                                                         ("micro_p", "micro_r", "micro_f1", "macro_p", "macro_r"))}


# --------------------------------------------------------------------------
# Per-project evaluation
# --------------------------------------------------------------------------

@dataclass
class ProjectResult:
    name: str
    version: str
    root: Path
    defs_total: int
    defs: list[Definition]
    pyright: dict[str, set[Ref]]
    pyright_seconds: float | None  # None: every answer came from the cache
    codemeld: dict[str, list[CodemeldRef] | None] | None = None
    index_seconds: float | None = None  # None: --reuse-index kept an old one
    refs_seconds: float = 0.0
    gold_redeclarations: int = 0  # dropped from pyright's answers (see DeclarationSites)
    pred_redeclarations: int = 0  # dropped from codemeld's
    scores: dict[str, Score] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.name}-{self.version}"

    def codemeld_refs(self, d: Definition) -> list[CodemeldRef]:
        return self.codemeld.get(d.key) or []

    @property
    def unresolved(self) -> list[Definition]:
        """Sampled definitions codemeld could not even find."""
        return [d for d in self.defs if self.codemeld.get(d.key) is None]


def evaluate_project(name: str, version: str, args, pyright: Pyright,
                     cli: CodemeldCli | None) -> ProjectResult:
    root = corpora.fetch_sdist(name, version, args.cache).resolve()
    all_defs = collect_definitions(root, name, dunders=args.include_dunders)
    defs = sample_definitions(all_defs, args.sample, args.seed)
    log(f"{name}-{version}: sampled {len(defs)} of {len(all_defs)} definitions")

    cache = PyrightCache.load(args.cache / "pyright-refs" / f"{name}-{version}.pyright-{args.pyright_version}.json")
    gold, seconds = pyright_references(root, defs, pyright, cache)
    result = ProjectResult(name, version, root, len(all_defs), defs, gold, seconds)
    sites = None if args.keep_redeclarations else DeclarationSites(root)
    if sites:
        result.pyright = {k: {r for r in refs if r not in sites} for k, refs in gold.items()}
        result.gold_redeclarations = _count(gold) - _count(result.pyright)
    if cli is not None:
        run_codemeld(result, cli, args)
        if sites:
            before = sum(len(v) for v in result.codemeld.values() if v)
            result.codemeld = {k: None if v is None else [r for r in v if r.pos not in sites]
                               for k, v in result.codemeld.items()}
            result.pred_redeclarations = before - sum(len(v) for v in result.codemeld.values() if v)
        score_project(result, args.min_confidence)
    return result


def _count(refs: dict[str, set[Ref]]) -> int:
    return sum(len(v) for v in refs.values())


def run_codemeld(result: ProjectResult, cli: CodemeldCli, args) -> None:
    index_dir = args.cache / "codemeld-index" / result.label
    if not (args.reuse_index and index_dir.exists()):
        # A fresh index every run: the point is to measure the current code.
        shutil.rmtree(index_dir, ignore_errors=True)
        index_dir.mkdir(parents=True)
        log(f"codemeld: indexing {result.root}")
        t0 = time.monotonic()
        cli.index(result.root, index_dir)
        result.index_seconds = time.monotonic() - t0
        log(f"codemeld: indexed in {result.index_seconds:.1f}s")
    t0 = time.monotonic()
    result.codemeld = cli.references(result.root, index_dir, result.defs)
    result.refs_seconds = time.monotonic() - t0
    log(f"codemeld: {len(result.defs)} reference queries in {result.refs_seconds:.1f}s")


def filters(min_confidence: float) -> dict[str, float]:
    return {"all": -math.inf, f"conf>={min_confidence:g}": min_confidence}


def score_project(result: ProjectResult, min_confidence: float) -> None:
    for label, threshold in filters(min_confidence).items():
        score = Score()
        for d in result.defs:
            score.add(result.pyright[d.key], predicted(result, d, threshold))
        result.scores[label] = score


def predicted(result: ProjectResult, d: Definition, threshold: float) -> set[Ref]:
    return {r.pos for r in result.codemeld_refs(d) if r.confidence >= threshold}


# --------------------------------------------------------------------------
# Reporting (stdout)
# --------------------------------------------------------------------------

def fmt(value: float) -> str:
    return "   -" if math.isnan(value) else f"{value:.3f}"


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells) -> str:
        # First column (names) left-aligned, numbers right-aligned.
        return "  ".join(str(c).rjust(w) if i else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    print(line(header))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))


def print_pyright_report(results: list[ProjectResult]) -> None:
    header = ["project", "defs", "sampled", "func", "class", "method",
              "refs", "no-refs", "max", "redecl", "pyright-s"]
    rows = []
    for r in results:
        counts = [len(v) for v in r.pyright.values()]
        kinds = [d.kind for d in r.defs]
        rows.append([r.label, r.defs_total, len(r.defs), kinds.count("function"),
                     kinds.count("class"), kinds.count("method"), sum(counts),
                     counts.count(0), max(counts, default=0), r.gold_redeclarations,
                     _seconds(r.pyright_seconds)])
    print_table(header, rows)


def _seconds(value: float | None) -> str:
    return "cached" if value is None else f"{value:.1f}"


def print_score_report(results: list[ProjectResult], min_confidence: float) -> dict[str, Score]:
    header = ["project", "filter", "symbols", "pyright", "codemeld", "tp",
              "micro-P", "micro-R", "micro-F1", "macro-P", "macro-R", "both-empty"]
    rows, totals = [], {label: Score() for label in filters(min_confidence)}
    for r in results:
        for label, score in r.scores.items():
            rows.append(_score_row(r.label, label, score))
            totals[label].merge(score)
    for label, score in totals.items():
        rows.append(_score_row("TOTAL", label, score))
    print_table(header, rows)
    print()
    for r in results:
        index = "reused" if r.index_seconds is None else f"{r.index_seconds:.1f}s"
        print(f"{r.label}: codemeld index {index}, refs {r.refs_seconds:.1f}s; "
              f"redeclarations dropped: {r.gold_redeclarations} pyright, {r.pred_redeclarations} codemeld")
        if r.unresolved:
            names = ", ".join(d.qualname for d in r.unresolved[:8])
            print(f"  codemeld resolved no symbol at {len(r.unresolved)} sampled definitions: "
                  f"{names}{' ...' if len(r.unresolved) > 8 else ''}")
    return totals


def _score_row(project: str, label: str, s: Score) -> list:
    return [project, label, s.symbols, s.gold, s.pred, s.tp, fmt(s.micro_p),
            fmt(s.micro_r), fmt(s.micro_f1), fmt(s.macro_p), fmt(s.macro_r), s.both_empty]


class SourceLines:
    """Reads project files once, to quote the line a reference sits on."""

    def __init__(self, root: Path):
        self.root = root
        self._files: dict[str, list[str]] = {}

    def get(self, rel: str, line: int) -> str:
        if rel not in self._files:
            path = self.root / rel
            text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
            self._files[rel] = text.split("\n")
        lines = self._files[rel]
        return lines[line].strip() if 0 <= line < len(lines) else "<no such line>"


def print_misses(results: list[ProjectResult], limit: int) -> None:
    for r in results:
        src = SourceLines(r.root)
        missing, extra = [], []
        for d in r.defs:
            gold, found = r.pyright[d.key], {c.pos: c for c in r.codemeld_refs(d)}
            missing += [(d, ref) for ref in sorted(gold - found.keys())]
            extra += [(d, found[pos]) for pos in sorted(found.keys() - gold)]
        print(f"\n{r.label}: {len(missing)} missing, {len(extra)} extra (all confidences)")
        for d, (path, line, col) in missing[:limit]:
            print(f"  MISSING {d.qualname:<28} {path}:{line + 1}:{col + 1}  | {src.get(path, line)}")
        for d, c in extra[:limit]:
            print(f"  EXTRA   {d.qualname:<28} {c.path}:{c.line + 1}:{c.character + 1} "
                  f"[{c.kind} {c.confidence:.2f}]  | {src.get(c.path, c.line)}")


def write_json(path: Path, results: list[ProjectResult], totals: dict[str, Score] | None,
               args) -> None:
    data = {
        "pyright_version": args.pyright_version,
        "sample": args.sample,
        "seed": args.seed,
        "min_confidence": args.min_confidence,
        "positions": "0-based line and UTF-16 character of the reference's start",
        "projects": [_project_json(r) for r in results],
        "totals": {k: s.to_json() for k, s in (totals or {}).items()},
    }
    reports.write(path, "refs", data)
    log(f"wrote {path}")


def _project_json(r: ProjectResult) -> dict:
    symbols = []
    for d in r.defs:
        gold = r.pyright[d.key]
        entry = {"qualname": d.qualname, "kind": d.kind, "path": d.path,
                 "line": d.line, "character": d.character, "pyright": sorted(gold)}
        if r.codemeld is not None:
            refs = r.codemeld_refs(d)
            found = {c.pos for c in refs}
            entry["codemeld_resolved"] = r.codemeld.get(d.key) is not None
            entry["codemeld"] = [vars(c) for c in refs]
            entry["missing"] = sorted(gold - found)
            entry["extra"] = sorted(found - gold)
            entry["returned_declaration"] = (d.path, d.line, d.character) in found
        symbols.append(entry)
    return {
        "project": r.label, "root": str(r.root), "defs_total": r.defs_total,
        "pyright_seconds": None if r.pyright_seconds is None else round(r.pyright_seconds, 2),
        "index_seconds": None if r.index_seconds is None else round(r.index_seconds, 2),
        "refs_seconds": round(r.refs_seconds, 2),
        "redeclarations_dropped": {"pyright": r.gold_redeclarations, "codemeld": r.pred_redeclarations},
        "scores": {k: s.to_json() for k, s in r.scores.items()},
        "symbols": symbols,
    }


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------

def parse_project(spec: str) -> tuple[str, str]:
    name, sep, version = spec.partition("==")
    if not sep:
        version = corpora.DEFAULT_CORPORA.get(name, "")
        if not version:
            raise argparse.ArgumentTypeError(f"{spec}: give a version, as NAME==VERSION")
    return name, version


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--project", action="append", type=parse_project, metavar="NAME==VERSION",
                   help="corpus project (repeatable); default: "
                        + " ".join(f"{n}=={v}" for n, v in corpora.DEFAULT_CORPORA.items()))
    p.add_argument("--sample", type=int, default=DEFAULT_SAMPLE,
                   help="definitions per project, 0 for all (default %(default)s)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--include-dunders", action="store_true",
                   help="also sample __init__, __repr__, ... (skipped by default)")
    p.add_argument("--keep-redeclarations", action="store_true",
                   help="keep references that are themselves def/class names (overloads, "
                        "if/else definitions); dropped from both sides by default")
    p.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE,
                   help="threshold of the second, filtered score (default %(default)s)")
    p.add_argument("--pyright-only", action="store_true",
                   help="only fetch pyright's answers and print their counts")
    p.add_argument("--pyright-version", default=PYRIGHT_VERSION)
    p.add_argument("--pyright-timeout", type=float, default=600,
                   help="seconds per references request (default %(default)s)")
    p.add_argument("--codemeld-python", default=sys.executable,
                   help="interpreter that runs `-m server.cli` (default: this one)")
    p.add_argument("--codemeld-timeout", type=float, default=3600,
                   help="seconds per codemeld CLI call (default %(default)s)")
    p.add_argument("--guesses", action="store_true",
                   help="score codemeld's answer with its name-matched guesses included (`refs --guesses`): "
                        "the 'all' rows then show what the guesses cost")
    p.add_argument("--no-batch", action="store_true",
                   help="one `codemeld refs` process per definition instead of --batch")
    p.add_argument("--reuse-index", action="store_true",
                   help="keep the codemeld index of a previous run instead of rebuilding")
    p.add_argument("--cache", type=Path, default=None,
                   help="cache dir (default: $CODEMELD_CORPORA or ~/.cache/codemeld-corpora)")
    p.add_argument("--json", type=Path, metavar="OUT", help="write per-symbol details here")
    p.add_argument("--show-misses", type=int, default=0, metavar="N",
                   help="print N missing and N extra references per project")
    args = p.parse_args(argv)
    args.project = args.project or list(corpora.DEFAULT_CORPORA.items())
    args.cache = (args.cache or corpora.cache_root()).expanduser().resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    # `--lang go` hands the run to evals/refs_go.py (gopls as the oracle),
    # `--lang typescript` (or javascript) to evals/refs_typescript.py.
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", choices=["python", "go", "typescript", "javascript", "ts", "js"], default="python")
    chosen, rest = lang.parse_known_args(argv)
    if chosen.lang == "go":
        from evals import refs_go
        return refs_go.main(rest)
    if chosen.lang != "python":
        from evals import refs_typescript
        return refs_typescript.main(rest)
    args = parse_args(rest)
    pyright = ensure_pyright(args.pyright_version, args.cache, args.pyright_timeout)
    cli = None if args.pyright_only else CodemeldCli(
        args.codemeld_python, args.codemeld_timeout, batch=not args.no_batch, guesses=args.guesses)
    try:
        results = [evaluate_project(name, version, args, pyright, cli)
                   for name, version in args.project]
    except CodemeldError as exc:
        log(f"{exc}\n(pyright's answers are cached; --pyright-only checks that side alone)")
        return 1
    except (LspError, TimeoutError) as exc:
        log(f"pyright: {exc} (its log is under {args.cache / 'pyright-refs'})")
        return 1

    print(f"pyright {args.pyright_version}, sample {args.sample} (seed {args.seed})")
    print_pyright_report(results)
    totals = None
    if cli is not None:
        print()
        totals = print_score_report(results, args.min_confidence)
        if args.show_misses:
            print_misses(results, args.show_misses)
    if args.json:
        write_json(args.json, results, totals, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
