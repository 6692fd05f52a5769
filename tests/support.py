"""Shared test helpers: build a real index over files written to a temp dir,
and check `#>` markers written next to the code they describe.

Marker syntax (a comment line under a code line):
    #> name -> target [how]        the first `name` on the line above
    #> name#2 -> target [how]      its second occurrence
    #> name -> ?                   must stay unresolved (or only name-matched)
    #> name -> ~target             matched by name only (low confidence)
A marker may also start with `//>` (languages whose comments do).
The target is a qualified name; `how`, when given, must equal the rule that
resolved the reference.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import sysconfig
import time

from indexer.pipeline.index import IndexOptions, Indexer
from indexer.graph.query import Graph

REPO = Path(__file__).resolve().parents[1]
STDLIB = Path(sysconfig.get_paths()["stdlib"])

# `//>` is the same marker in languages whose comments start with `//` (Go).
_MARKER = re.compile(r"^\s*(?:#|//)>\s*(?P<name>[\w]+)(?:#(?P<nth>\d+))?\s*->\s*(?P<target>\S+)(?:\s+(?P<how>[\w-]+))?\s*$")


def write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def committed_tree(root: Path, files: dict[str, str]) -> None:
    """`files` written under `root` and committed as a git repository's
    first commit (for the git-diff driven commands: `tests affected`)."""
    write_tree(root, files)
    git = ["git", "-C", str(root), "-c", "user.email=t@t", "-c", "user.name=t", "-c", "commit.gpgsign=false"]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "init"], check=True)


def build(tmp_path: Path, files: dict[str, str], jobs: int = 1) -> tuple[Indexer, Graph]:
    root = tmp_path / "ws"
    root.mkdir(parents=True, exist_ok=True)
    write_tree(root, files)
    indexer = Indexer(root, tmp_path / "index", IndexOptions(jobs=jobs))
    indexer.run()
    return indexer, Graph(indexer.store, indexer.root)


@dataclass
class Expectation:
    path: str
    line: int  # 0-based
    column: int
    name: str
    target: str
    how: str | None


def expectations(files: dict[str, str]) -> list[Expectation]:
    out = []
    for rel, text in files.items():
        lines = textwrap.dedent(text).lstrip("\n").split("\n")
        code_line = None
        for number, line in enumerate(lines):
            match = _MARKER.match(line)
            if not match:
                if line.strip() and not line.strip().startswith(("#", "//")):
                    code_line = number
                continue
            assert code_line is not None, f"marker before any code in {rel}: {line}"
            name, nth = match["name"], int(match["nth"] or 1)
            hits = [m.start() for m in re.finditer(rf"(?<![\w]){re.escape(name)}(?![\w])", lines[code_line])]
            assert len(hits) >= nth, f"{rel}:{code_line + 1}: no occurrence #{nth} of {name!r}"
            out.append(Expectation(rel, code_line, hits[nth - 1], name, match["target"], match["how"]))
    assert out, "a case without markers checks nothing"
    return out


def check(graph: Graph, files: dict[str, str]) -> None:
    """Every marker holds; collects all failures into one assertion."""
    failures = []
    for exp in expectations(files):
        refs = graph.reference_at(exp.path, exp.line, exp.column)
        where = f"{exp.path}:{exp.line + 1}:{exp.column + 1} {exp.name}"
        got = sorted({(r.target, r.how, round(r.confidence, 2)) for r in refs}, key=str)
        if exp.target == "?":
            if any(r.target and r.how != "name-match" for r in refs):
                failures.append(f"{where}: expected unresolved, got {got}")
            continue
        if exp.target.startswith("~"):
            if not any(r.target == exp.target[1:] and r.how == "name-match" for r in refs):
                failures.append(f"{where}: expected name-match {exp.target[1:]}, got {got}")
            continue
        best = [r for r in refs if r.target == exp.target]
        if not best:
            failures.append(f"{where}: expected {exp.target}, got {got}")
        elif exp.how and all(r.how != exp.how for r in best):
            failures.append(f"{where}: expected how={exp.how}, got {got}")
    assert not failures, "\n".join(failures)


def run_cli(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `codemeld ARGV` run in this process:
    `server.cli.main` as the console script calls it (its error handling and
    exit codes are the real ones), with its own argv, environment overrides,
    working directory and captured streams (typer's CliRunner isolation)."""
    from typer.testing import CliRunner

    from server.cli import main

    root_logger = logging.getLogger()
    handlers, level = root_logger.handlers[:], root_logger.level
    old_argv, old_cwd = sys.argv, os.getcwd()
    overrides = {k: v for k, v in (env or {}).items() if os.environ.get(k) != v}
    with CliRunner().isolation(env=overrides) as (out, err, _):
        sys.argv = ["codemeld", *map(str, argv)]
        rc = 0
        try:
            if cwd is not None:
                os.chdir(cwd)
            main()
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            sys.argv = old_argv
            os.chdir(old_cwd)
            root_logger.handlers[:] = handlers  # the CLI points logging at its own stderr
            root_logger.setLevel(level)
        return rc, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")


# -- killed builds (tests/unit/test_crash_safety.py, test_power_loss.py) -----

# Rows an index holds, compared whole between a resumed build and a clean one.
ROWS = {
    "files": "SELECT path, sha256, module FROM files ORDER BY 1",
    "symbols": "SELECT f.path, s.qualname, s.kind, s.nsl, s.nsc FROM symbols s JOIN files f ON f.id=s.file_id ORDER BY 1,2,3,4,5",
    "refs": "SELECT f.path, r.sl, r.sc, r.target, r.how FROM refs r JOIN files f ON f.id=r.file_id ORDER BY 1,2,3,4,5",
}


def stdlib_corpus(root: Path) -> Path:
    """Seven standard-library packages (over 48 files: a cold build takes the
    bulk path), copied to `root`: big enough to be killed mid-build."""
    for package in ("email", "asyncio", "json", "logging", "http", "xml", "unittest"):
        shutil.copytree(STDLIB / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def snapshot(index_dir: Path) -> dict[str, list]:
    conn = sqlite3.connect(index_dir / "graph.sqlite3")
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in ROWS.items()}
    finally:
        conn.close()


def committed_files(index_dir: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{index_dir / 'graph.sqlite3'}?mode=ro", uri=True, timeout=0.1)
        try:
            return conn.execute("SELECT count(*) FROM files").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def cli_index(root: Path, index_dir: Path, jobs: int = 2) -> subprocess.Popen:
    """`codemeld index ROOT --json` in a subprocess of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "server.cli", "index", str(root), "--index-dir", str(index_dir),
         "--jobs", str(jobs), "--no-embeddings", "--json"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_mid_build(root: Path, index_dir: Path, jobs: int = 2, wait_s: float = 120) -> None:
    """Start `codemeld index`, wait for its first committed file, SIGKILL it."""
    proc = cli_index(root, index_dir, jobs)
    deadline = time.time() + wait_s
    while committed_files(index_dir) == 0 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the index finished before it could be killed: use a bigger corpus"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
