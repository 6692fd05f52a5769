"""The red-team run of issue 16 as a repeatable program.

    python -m evals.soak            # full: click from PyPI, 50 kills, embeddings
    python -m evals.soak --short    # CI: stdlib corpus, a few of each, small embeddings

Stages (each prints its figures; any lost data, inconsistency, hang, crash,
orphan process or leaked secret makes the exit code 1):

  kill       SIGKILL `codemeld index` mid-run N times (graph only), checking
             after each kill that the index reopens consistent and that no
             worker outlived its parent; every few kills and at the end the
             resumed index must equal an uninterrupted build row for row.
  kill-embed the same during the embedding stage; the next run must finish and
             search must answer.
  damage     SQLite truncated, garbled, replaced by a directory; LanceDB with
             `_versions` deleted, data files truncated, the folder replaced by
             a file: the next `codemeld index` exits 0 with the right rows, no
             traceback, and search answers.
  writers    concurrent `codemeld index` processes, then a server plus the CLI:
             every exit is 0 or a clear "being written" message, every printed
             summary is right, the final index equals a clean build.
  inputs     the malformed-input corpus (tests/data/bad-inputs) over LSP (and
             any other registered target, e.g. MCP): hangs and crashes.
  storm      didChange storm over 20 open files: query latency during and after.
  growth     disk size of the index over repeated edit + index rounds.
  secrets    a canary in `.env`, behind symlinks and in PASSWORD literals;
             `codemeld explain` against a local fake OpenAI endpoint
             (evals/harness/fake_openai.py); the canary must never arrive.

Everything runs on copies under a temp dir; corpora come from PyPI sdists
into the cache of evals/harness/corpora.py (full) or from the stdlib (short).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Callable

from evals.harness.bad_inputs import LspTarget, load_cases, run_corpus
from evals.harness.lsp import RawLsp
from evals.harness.processes import alive as _alive, descendants as _descendants
from evals.harness.storm import pick_files, storm

REPO = Path(__file__).resolve().parents[1]

STDLIB = Path(sysconfig.get_paths()["stdlib"])
SHORT_PACKAGES = ("email", "json", "http", "logging", "xml", "unittest", "asyncio")
ROWS = {
    "files": "SELECT path, sha256, module, error FROM files ORDER BY 1",
    "symbols": "SELECT f.path, s.qualname, s.kind, s.sl, s.sc, s.el, s.ec FROM symbols s JOIN files f ON f.id=s.file_id"
               " ORDER BY 1,2,3,4,5",
    "refs": "SELECT f.path, r.sl, r.sc, r.name, r.kind, r.target, round(r.confidence, 6), r.how FROM refs r"
            " JOIN files f ON f.id=r.file_id ORDER BY 1,2,3,4,5,6,7,8",
}


class Soak:
    def __init__(self, work: Path, short: bool):
        self.work = work
        self.short = short
        self.failures: list[str] = []
        self.figures: list[str] = []
        self.env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1",
                    "CODEMELD_CACHE_DIR": str(work / "cache")}
        for key in ("CODEMELD_LLM_BASE_URL", "CODEMELD_LLM_MODEL", "CODEMELD_LLM_API_KEY"):
            self.env.pop(key, None)

    # -- reporting ---------------------------------------------------------------

    def figure(self, stage: str, text: str) -> None:
        line = f"[{stage}] {text}"
        self.figures.append(line)
        print(line, flush=True)

    def fail(self, stage: str, text: str) -> None:
        line = f"[{stage}] FAIL: {text}"
        self.failures.append(line)
        print(line, flush=True)

    # -- helpers -------------------------------------------------------------------

    def cli(self, *args: str, timeout: float = 900, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=REPO, env=env or self.env,
                              capture_output=True, text=True, timeout=timeout)

    def index(self, root: Path, index_dir: Path, embed: bool = False, **kw) -> subprocess.CompletedProcess:
        args = ["index", str(root), "--index-dir", str(index_dir), "--jobs", "2"]
        if not embed:
            args.append("--no-embeddings")
        return self.cli(*args, **kw)

    def corpus(self, name: str) -> Path:
        root = self.work / name
        if root.exists():
            shutil.rmtree(root)
        if self.short:
            for package in SHORT_PACKAGES:
                shutil.copytree(STDLIB / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            from evals.harness.corpora import fetch_sdist

            shutil.copytree(fetch_sdist("click", "8.1.7"), root, ignore=shutil.ignore_patterns("__pycache__"))
        return root

    def small(self, name: str) -> Path:
        root = self.work / name
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(REPO / "tests" / "workspaces" / "shop", root)
        return root

    @staticmethod
    def rows(index_dir: Path) -> dict:
        conn = sqlite3.connect(index_dir / "graph.sqlite3")
        try:
            return {name: conn.execute(sql).fetchall() for name, sql in ROWS.items()}
        finally:
            conn.close()

    def clean_rows(self, root: Path, key: str) -> dict:
        index_dir = self.work / f"clean-{key}"
        if not (index_dir / "graph.sqlite3").exists():
            done = self.index(root, index_dir)
            if done.returncode != 0:
                raise RuntimeError(f"clean build failed: {done.stderr[-500:]}")
        return self.rows(index_dir)

    def same_as_clean(self, stage: str, root: Path, index_dir: Path, key: str) -> bool:
        got, want = self.rows(index_dir), self.clean_rows(root, key)
        for table in ROWS:
            if got[table] != want[table]:
                extra = sorted(set(got[table]) - set(want[table]))[:3]
                missing = sorted(set(want[table]) - set(got[table]))[:3]
                self.fail(stage, f"{table} differs from a clean build: {len(got[table])} vs {len(want[table])} rows;"
                                 f" extra {extra}; missing {missing}")
                return False
        return True

    def consistent(self, index_dir: Path) -> str | None:
        """What is wrong with an index as found after a kill (None: nothing)."""
        path = index_dir / "graph.sqlite3"
        if not path.exists():
            return None
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return "integrity_check failed"
            if not conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]:
                return None  # killed before the schema: an empty database
            for table in ("symbols", "refs", "imports"):
                orphans = conn.execute(f"SELECT count(*) FROM {table} WHERE file_id NOT IN (SELECT id FROM files)")
                if orphans.fetchone()[0]:
                    return f"{table} rows of files that are not there"
            stale = conn.execute("SELECT count(*) FROM refs r JOIN files f ON f.id = r.file_id WHERE f.dirty = 1"
                                 " AND f.facts IS NULL").fetchone()[0]
            if stale:
                return "refs of a file without facts"
        finally:
            conn.close()
        return None

    # -- stages ----------------------------------------------------------------------

    def stage_kill(self, kills: int) -> None:
        root = self.corpus("kill-ws")
        index_dir = self.work / "kill-index"
        self.clean_rows(root, "kill")
        rng = random.Random(16)
        killed = inconsistent = orphans = compared = 0
        for attempt in range(kills):
            if attempt % 10 == 0 and index_dir.exists():
                shutil.rmtree(index_dir)  # kill cold builds too, not only resumptions
            proc = subprocess.Popen([sys.executable, "-m", "server.cli", "index", str(root), "--index-dir",
                                     str(index_dir), "--jobs", "2", "--no-embeddings"], cwd=REPO, env=self.env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.3, 3.0))
            workers = _descendants(proc.pid)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed += 1
            proc.wait()
            time.sleep(1.0)
            alive = [pid for pid in workers if _alive(pid)]
            if alive:
                orphans += len(alive)
                self.fail("kill", f"kill {attempt + 1}: {len(alive)} worker(s) outlived the parent")
                for pid in alive:
                    os.kill(pid, signal.SIGKILL)
            problem = self.consistent(index_dir)
            if problem:
                inconsistent += 1
                self.fail("kill", f"kill {attempt + 1}: {problem}")
            if (attempt + 1) % 10 == 0 or attempt + 1 == kills:
                done = self.index(root, index_dir)
                compared += 1
                if done.returncode != 0:
                    self.fail("kill", f"resume after kill {attempt + 1} exited {done.returncode}: {done.stderr[-300:]}")
                    inconsistent += 1
                elif not self.same_as_clean("kill", root, index_dir, "kill"):
                    inconsistent += 1
        self.figure("kill", f"{killed} SIGKILLs mid-index ({kills} runs): {inconsistent} inconsistent indexes,"
                            f" {orphans} orphan workers; {compared} resumed indexes compared row for row")

    def stage_kill_embed(self, kills: int) -> None:
        root = self.small("kill-embed-ws") if self.short else self.corpus("kill-embed-ws")
        index_dir = self.work / "kill-embed-index"
        first = self.index(root, index_dir)
        if first.returncode != 0:
            self.fail("kill-embed", f"graph build failed: {first.stderr[-300:]}")
            return
        rng = random.Random(7)
        bad = 0
        for attempt in range(kills):
            proc = subprocess.Popen([sys.executable, "-m", "server.cli", "index", str(root), "--index-dir",
                                     str(index_dir), "--jobs", "2"], cwd=REPO, env=self.env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(2.0, 12.0 if self.short else 40.0))  # model load, then embedding
            workers = _descendants(proc.pid)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            time.sleep(1.0)
            if any(_alive(p) for p in workers):
                bad += 1
                self.fail("kill-embed", "orphan processes after a kill during embedding")
        done = self.index(root, index_dir, embed=True)
        found = self.cli("search", "format a price" if self.short else "parse command line options", "--root",
                         str(root), "--index-dir", str(index_dir), "--json")
        if done.returncode != 0 or "Traceback" in done.stderr:
            bad += 1
            self.fail("kill-embed", f"index after kills: exit {done.returncode}: {done.stderr[-400:]}")
        if found.returncode != 0 or not json.loads(found.stdout or "[]"):
            bad += 1
            self.fail("kill-embed", f"search after kills: exit {found.returncode}: {found.stderr[-400:]}")
        if not self.same_as_clean("kill-embed", root, index_dir, "kill-embed"):
            bad += 1
        self.figure("kill-embed", f"{kills} SIGKILLs during embedding: {bad} failures (index, search, rows)")

    def stage_damage(self) -> None:
        root = self.small("damage-ws")
        query = "format a price"
        sqlite_modes: dict[str, Callable[[Path], None]] = {
            "sqlite-truncated": lambda d: _truncate(d / "graph.sqlite3", 4096),
            "sqlite-garbled": lambda d: _garble(d / "graph.sqlite3"),
            "sqlite-is-a-directory": lambda d: (_remove(d / "graph.sqlite3"), (d / "graph.sqlite3" / "x").mkdir(parents=True)),
        }
        lance_modes: dict[str, Callable[[Path], None]] = {
            "lance-no-versions": lambda d: [shutil.rmtree(p) for p in list((d / "vectors.lance").rglob("_versions"))],
            "lance-truncated": lambda d: [_truncate(p, 10) for p in (d / "vectors.lance").rglob("*.lance") if p.is_file()],
            "lance-is-a-file": lambda d: (shutil.rmtree(d / "vectors.lance"), (d / "vectors.lance").write_text("x")),
        }
        failed = 0
        for name, damage in {**sqlite_modes, **lance_modes}.items():
            index_dir = self.work / f"damage-{name}"
            embed = name.startswith("lance")
            first = self.index(root, index_dir, embed=embed)
            if first.returncode != 0:
                self.fail("damage", f"{name}: first build failed: {first.stderr[-300:]}")
                failed += 1
                continue
            damage(index_dir)
            if embed:  # search on the damaged store: a clear message, no traceback
                found = self.cli("search", query, "--root", str(root), "--index-dir", str(index_dir), "--json")
                if "Traceback" in found.stderr:
                    failed += 1
                    self.fail("damage", f"{name}: search on the damaged store printed a traceback")
            for run in (1, 2):
                done = self.index(root, index_dir, embed=embed)
                if done.returncode != 0 or "Traceback" in done.stderr:
                    failed += 1
                    self.fail("damage", f"{name}: index run {run} exit {done.returncode}: {done.stderr[-300:]}")
                    break
            else:
                if not self.same_as_clean("damage", root, index_dir, "damage"):
                    failed += 1
                elif embed:
                    found = self.cli("search", query, "--root", str(root), "--index-dir", str(index_dir), "--json")
                    if found.returncode != 0 or not json.loads(found.stdout or "[]"):
                        failed += 1
                        self.fail("damage", f"{name}: search after the rebuild: {found.stderr[-300:]}")
        self.figure("damage", f"{len(sqlite_modes) + len(lance_modes)} kinds of damage: {failed} failures")

    def stage_writers(self, rounds: int) -> None:
        root = self.corpus("writers-ws")
        self.clean_rows(root, "writers")
        bad = 0
        for attempt in range(rounds):
            index_dir = self.work / f"writers-{attempt}"
            procs = [subprocess.Popen([sys.executable, "-m", "server.cli", "index", str(root), "--index-dir",
                                       str(index_dir), "--jobs", "2", "--no-embeddings", "--lock-wait", "600"],
                                      cwd=REPO, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True) for _ in range(3)]
            outs = [p.communicate(timeout=900) for p in procs]
            clean = self.clean_rows(root, "writers")
            refs = len(clean["refs"])
            for proc, (_, err) in zip(procs, outs):
                summary = [line for line in err.splitlines() if line.startswith("indexed ")]
                if proc.returncode != 0:
                    bad += 1
                    self.fail("writers", f"a concurrent index exited {proc.returncode}: {err[-300:]}")
                elif not summary or f" {refs} references" not in summary[-1]:
                    bad += 1
                    self.fail("writers", f"a wrong summary: {summary[-1:] or err[-300:]} (clean: {refs} references)")
            if not self.same_as_clean("writers", root, index_dir, "writers"):
                bad += 1
        # A server and the CLI on one index.
        index_dir = self.work / "writers-server"
        server = RawLsp(root, index_dir, self.work / "writers-server.log")
        try:
            server.initialize()
            done = self.index(root, index_dir)
            answers = sum(server.alive(10) for _ in range(20))
            if done.returncode != 0 or answers != 20:
                bad += 1
                self.fail("writers", f"server + CLI: CLI exit {done.returncode}, {answers}/20 server answers")
        finally:
            server.close()
        if not self.same_as_clean("writers", root, index_dir, "writers"):
            bad += 1
        self.figure("writers", f"{rounds} rounds of 3 concurrent `codemeld index` + a server with the CLI: {bad} failures")

    def stage_inputs(self) -> None:
        root = self.small("inputs-ws")
        for name, make in TARGETS.items():
            target, close = make(self, root)
            try:
                report = run_corpus(target, load_cases(target.protocol))
            finally:
                close()
            self.figure("inputs", f"{name}: {report.summary()}")
            for outcome in report.failures():
                if outcome.verdict in ("hang", "crash"):
                    self.fail("inputs", f"{name} {outcome.case}: {outcome.verdict} ({outcome.detail})")
                else:
                    print(f"[inputs] {name} {outcome.case}: {outcome.detail}")

    def stage_storm(self) -> None:
        root = self.corpus("storm-ws")
        server = RawLsp(root, self.work / "storm-index", self.work / "storm.log")
        try:
            server.initialize()
            server.wait_ready(600)
            files = pick_files(server, 20)
            result = storm(server, files, seconds=10 if self.short else 30, rate=20)
        finally:
            server.close()
        self.figure("storm", f"{len(files)} files at 20 changes/s: {result.line()}")
        if result.unanswered:
            self.fail("storm", f"{result.unanswered} queries never answered during the storm")
        if max(result.during_ms, default=0) > 2000 + 500:
            self.fail("storm", f"a query waited {max(result.during_ms):.0f} ms, longer than the 2 s sync timeout")
        if StormGoal.p95(result) > 500:
            print(f"[storm] note: p95 {StormGoal.p95(result):.0f} ms is above the 500 ms goal on this machine")

    def stage_growth(self, rounds: int) -> None:
        root = self.small("growth-ws")
        index_dir = self.work / "growth-index"
        self.index(root, index_dir, embed=True)
        start = _size(index_dir)
        target = root / "shop" / "utils.py"
        original = target.read_text()
        sizes = []
        for n in range(rounds):
            target.write_text(original + f"\n\ndef grown_{n}(value):\n    return value * {n}\n")
            done = self.index(root, index_dir, embed=True)
            if done.returncode != 0:
                self.fail("growth", f"round {n}: exit {done.returncode}: {done.stderr[-300:]}")
                return
            sizes.append(_size(index_dir))
        end = sizes[-1] if sizes else start
        self.figure("growth", f"{rounds} edit+index rounds: index {start / 1e6:.2f} MB -> {end / 1e6:.2f} MB"
                              f" (max {max(sizes, default=start) / 1e6:.2f} MB)")
        if end > 3 * start + 5e6:
            self.fail("growth", "the index keeps growing over repeated edits")

    def stage_secrets(self) -> None:
        from evals.harness.fake_openai import FakeOpenAI

        canary = "canary-5e1f09c3a7b2d864"
        root = self.work / "secrets-ws"
        if root.exists():
            shutil.rmtree(root)
        (root / "app").mkdir(parents=True)
        outside = self.work / "secrets-outside"
        outside.mkdir(exist_ok=True)
        (outside / "vault.py").write_text(f"def vault_token():\n    return '{canary}-outside'\n")
        (root / ".env").write_text(f"def load():\n    return 'DB_PASSWORD={canary}-env'\n")
        os.symlink(".env", root / "env_link.py")
        os.symlink(outside / "vault.py", root / "app" / "vault_link.py")
        (root / "app" / "settings.py").write_text(
            f'PASSWORD = "{canary}-literal"\nAPI_TOKEN = "{canary}-token"\n\n\n'
            "def connect(user):\n"
            f'    return login(user, password="{canary}-kw")\n\n\n'
            "def login(user, password):\n    return (user, password)\n")
        (root / "app" / "main.py").write_text(
            "from env_link import load\nfrom app.vault_link import vault_token\nfrom app.settings import connect\n\n\n"
            "def main():\n    return load(), vault_token(), connect('me')\n")
        index_dir = self.work / "secrets-index"
        self.index(root, index_dir)
        fake = FakeOpenAI().start()
        try:
            env = {**self.env, "CODEMELD_LLM_BASE_URL": fake.base_url, "CODEMELD_LLM_MODEL": "fake"}
            targets = ["env_link.load", "app.vault_link.vault_token", "app.settings.PASSWORD", "app.settings.API_TOKEN",
                       "app.settings.connect", "app.settings.login", "app.main.main", "app.settings"]
            for target in targets:
                self.cli("explain", target, "--root", str(root), "--index-dir", str(index_dir), "--no-cache", env=env)
            sent = "\n".join(json.dumps(r.body) for r in fake.requests)
        finally:
            fake.stop()
        leaks = sent.count(canary)
        self.figure("secrets", f"{len(targets)} explanations, {len(fake.requests)} requests to the fake endpoint:"
                               f" {leaks} secrets sent")
        if leaks:
            self.fail("secrets", f"the canary reached the model {leaks} time(s)")
        if not fake.requests:
            self.fail("secrets", "no request reached the fake endpoint: the check proved nothing")


class StormGoal:
    @staticmethod
    def p95(result) -> float:
        return result.pct(result.during_ms, 0.95)


def _lsp_target(soak: Soak, root: Path):
    client = RawLsp(root, soak.work / "inputs-index", soak.work / "inputs.log")
    client.initialize()
    client.wait_ready()
    return LspTarget(client, "shop/utils.py"), client.close


# Targets the malformed-input corpus runs against: name -> (soak, workspace) ->
# (target, close). The MCP server registers its own here (see evals/harness/bad_inputs.py).
TARGETS: dict[str, Callable] = {"lsp": _lsp_target}


def _truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(size)


def _garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    rng = random.Random(3)
    for _ in range(max(64, len(data) // 50)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path.write_bytes(bytes(data))


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


STAGES = ("kill", "kill-embed", "damage", "writers", "inputs", "storm", "growth", "secrets")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the CI version: small corpora, few repetitions")
    parser.add_argument("--kills", type=int, help="SIGKILLs mid-index (default 50; --short 6)")
    parser.add_argument("--only", action="append", choices=STAGES, help="run only this stage (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="codemeld-soak-"))
    soak = Soak(work, args.short)
    kills = args.kills or (6 if args.short else 50)
    plan = {
        "kill": lambda: soak.stage_kill(kills),
        "kill-embed": lambda: soak.stage_kill_embed(1 if args.short else 5),
        "damage": soak.stage_damage,
        "writers": lambda: soak.stage_writers(1 if args.short else 4),
        "inputs": soak.stage_inputs,
        "storm": soak.stage_storm,
        "growth": lambda: soak.stage_growth(3 if args.short else 20),
        "secrets": soak.stage_secrets,
    }
    started = time.monotonic()
    try:
        for name in args.only or STAGES:
            began = time.monotonic()
            try:
                plan[name]()
            except Exception as exc:  # a stage that cannot run is a failure, not a crash of the soak
                soak.fail(name, f"{type(exc).__name__}: {exc}")
            print(f"[{name}] {time.monotonic() - began:.0f} s", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(["", "figures:", *soak.figures]))
    if soak.failures:
        print("\n".join(["", f"{len(soak.failures)} failures:", *soak.failures]))
    print(f"soak {'passed' if not soak.failures else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return 1 if soak.failures else 0


if __name__ == "__main__":
    sys.exit(main())
