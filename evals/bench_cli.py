"""What one `codemeld` command costs end to end, as a user meets it: a fresh
process per call (start, imports, option parsing, opening the index, the
answer), on a warm index of the running interpreter's standard library.

The corpus is a git-initialised copy of the stdlib with a one-function change
in the working tree (one line added to the body of `--function`), so `tests
affected` has a real diff to select from. Each command runs N times, this
checkout and `--baseline` alternating, over the same tree, each reading an
index its own code built (across a schema change the baseline cannot read
this checkout's; status's output differs for that reason). Both run with
this interpreter and the same PYTHONPYCACHEPREFIX (bytecode written there by
an untimed first call), so neither checkout is charged for compiling its
sources on every call (as a read-only `git archive`, or PYTHONDONTWRITEBYTECODE,
would make it).

Each call runs in the corpus as a user would type it there: no --root (found
from the working directory), the index at its default place (under
CODEMELD_CACHE_DIR, which the bench points into its workdir).

Printed per command: wall and CPU (user+sys of the child) p50/p95 in ms, and
this/baseline ratios of the p50s; also whether both printed the same stdout.

    HF_HUB_OFFLINE=1 .venv/bin/python -m evals.bench_cli --baseline /tmp/main-copy [--repeat 10] [--json PATH]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from evals.harness import report
from evals.harness.metrics import ratio

REPO = Path(__file__).resolve().parents[1]
MARK = "_codemeld_bench_cli = None"
# The console script's entry (pyproject [project.scripts]), not `-m server.cli`,
# which runs cli.py twice (once as __main__).
ENTRY = "import sys; sys.argv[0] = 'codemeld'; from server.cli import main; sys.exit(main())"


def log(msg: str) -> None:
    print(f"[bench_cli] {msg}", file=sys.stderr, flush=True)


def default_workdir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("codemeld-bench")) / "cli-stdlib"


def prepare_corpus(work: Path) -> Path:
    """A git repository holding a copy of the stdlib (made once, reused)."""
    src = work / "stdlib"
    if (src / ".git").is_dir():
        return src
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    log(f"copying {stdlib} to {src}")
    tmp = work / "stdlib.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(stdlib, tmp, symlinks=True,
                    ignore=shutil.ignore_patterns("site-packages", "dist-packages", "__pycache__"))
    git = ["git", "-c", "user.email=bench@codemeld", "-c", "user.name=bench", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=tmp, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*git, "commit", "-qm", "stdlib"], cwd=tmp, check=True)
    tmp.rename(src)
    return src


def index_corpus(src: Path, index_dir: Path) -> None:
    """Bring the index up to date with the committed tree (incremental after the first time)."""
    from indexer.pipeline.index import IndexOptions, Indexer

    started = time.monotonic()
    indexer = Indexer(src, index_dir, IndexOptions())
    indexer.run()
    indexer.close()
    log(f"index ready in {time.monotonic() - started:.1f}s")


def change_function(src: Path, index_dir: Path, qualname: str) -> str:
    """Add one statement to the body of `qualname`; returns the changed file."""
    from indexer.graph.query import Graph
    from indexer.graph.store import Store

    store = Store(index_dir, readonly=True)
    symbol = Graph(store, src).symbol(qualname)
    store.close()
    if symbol is None or symbol.body_line is None:
        raise SystemExit(f"{qualname} is not a function of the indexed stdlib")
    path = src / symbol.path
    lines = path.read_text(encoding="utf-8").split("\n")
    body = lines[symbol.body_line]
    indent = body[: len(body) - len(body.lstrip())]
    lines.insert(symbol.body_line, indent + MARK)
    path.write_text("\n".join(lines), encoding="utf-8")
    return symbol.path


def commands(qualname: str) -> dict[str, list[str]]:
    """As a user types them in the workspace: the root found from the working
    directory, the index at its default place (CODEMELD_CACHE_DIR)."""
    return {
        "floor (refs of an unknown name)": ["refs", "no_such_symbol_anywhere"],
        "status --json": ["status", "--json"],
        "refs --json": ["refs", qualname, "--json"],
        "refs (text)": ["refs", qualname],
        "defs": ["defs", qualname],
        "impact --tests": ["impact", qualname, "--tests"],
        "tests affected": ["tests", "affected"],
        "tests affected --json": ["tests", "affected", "--json"],
    }


def run_once(checkout: Path, args: list[str], cwd: Path, env: dict, timeout: float) -> tuple[float, float, int, bytes]:
    """(wall s, CPU s of the child, exit code, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", ENTRY, *args], cwd=cwd, capture_output=True, timeout=timeout,
                          env=env | {"PYTHONPATH": str(checkout)})
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, done.stdout


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, help="another checkout (e.g. `git archive main`), same run")
    parser.add_argument("--workdir", type=Path, help="corpus and index (default: under the user cache dir)")
    parser.add_argument("--function", default="json.dumps", help="the stdlib function the change is made in")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--only", action="append", default=[], help="only commands whose label starts with this")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--json", type=Path, help="also write the figures as a report here")
    args = parser.parse_args(argv)

    work = (args.workdir or default_workdir()).resolve()
    work.mkdir(parents=True, exist_ok=True)
    src = prepare_corpus(work)
    os.environ["CODEMELD_CACHE_DIR"] = str(work / "cache")  # here and in every call
    from indexer.pipeline.index_dir import default_index_dir

    index_dir = default_index_dir(src)
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=src, check=True)  # a change a killed run left
    index_corpus(src, index_dir)
    caches = {"this": work / "cache"}
    if args.baseline:
        # The baseline reads an index its own code built (of the same tree):
        # across a schema change it cannot read this one.
        caches["baseline"] = work / "cache-baseline"
        done = subprocess.run([sys.executable, "-c", ENTRY, "index", str(src), "--no-embeddings"], cwd=src,
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(args.baseline),
                                                                   "CODEMELD_CACHE_DIR": str(caches["baseline"])})
        log(f"baseline index ready (exit {done.returncode})")
    changed = change_function(src, index_dir, args.function)
    log(f"changed {args.function} in {changed}")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPYCACHEPREFIX": str(work / "pycache")}
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed codemeld has its .pyc files
    checkouts = {"this": REPO} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    cmds = {label: argv_ for label, argv_ in commands(args.function).items()
            if not args.only or any(label.startswith(o) for o in args.only)}
    load = os.getloadavg()
    try:
        # Untimed: write the pycs, and let `tests affected` bring the index up to
        # date with the change once (the timed calls find nothing to re-read).
        for name, checkout in list(checkouts.items()):
            for label, argv_ in cmds.items():
                _, _, code, _ = run_once(checkout, argv_, src, env | {"CODEMELD_CACHE_DIR": str(caches[name])},
                                         args.timeout)
                if label.startswith("status") and code != 0:
                    log(f"{name} cannot read this index (exit {code}): left out")
                    del checkouts[name]
                    break
        times = {name: {label: {"wall": [], "cpu": []} for label in cmds} for name in checkouts}
        codes: dict[str, dict[str, set]] = {name: {label: set() for label in cmds} for name in checkouts}
        outputs: dict[str, dict[str, bytes]] = {name: {} for name in checkouts}
        for round_ in range(args.repeat):
            for label, argv_ in cmds.items():
                # Alternate which checkout goes first: neither always meets a warmer page cache.
                order = list(checkouts.items())
                for name, checkout in (order if round_ % 2 == 0 else order[::-1]):
                    wall, cpu, code, out = run_once(checkout, argv_, src,
                                                    env | {"CODEMELD_CACHE_DIR": str(caches[name])}, args.timeout)
                    times[name][label]["wall"].append(wall)
                    times[name][label]["cpu"].append(cpu)
                    codes[name][label].add(code)
                    outputs[name][label] = out
            log(f"round {round_ + 1}/{args.repeat} done")
    finally:
        subprocess.run(["git", "checkout", "-q", "--", "."], cwd=src, check=True)
    load_end = os.getloadavg()

    print(f"== codemeld CLI, {args.repeat} calls each, stdlib copy with a change in {args.function}"
          f" (load {load[0]:.1f} at start, {load_end[0]:.1f} at end); ms")
    header = f"{'command':34} {'wall p50':>9} {'p95':>7} {'cpu p50':>8} {'p95':>7}"
    if "baseline" in checkouts:
        header += f"   {'base wall p50':>13} {'p95':>7} {'cpu p50':>8} {'p95':>7}  {'wall x':>6} {'cpu x':>6}  same"
    print(header)
    results = []
    for label in cmds:
        row = {"command": label, "exit": sorted(codes["this"][label])}
        line = f"{label:34}"
        for name in checkouts:
            t = times[name][label]
            stats = {"wall_p50": statistics.median(t["wall"]) * 1000, "wall_p95": p95(t["wall"]) * 1000,
                     "cpu_p50": statistics.median(t["cpu"]) * 1000, "cpu_p95": p95(t["cpu"]) * 1000}
            row[name] = stats
            line += ("   " if name == "baseline" else "") + (f" {stats['wall_p50']:{13 if name == 'baseline' else 9}.0f}"
                                                            f" {stats['wall_p95']:7.0f} {stats['cpu_p50']:8.0f}"
                                                            f" {stats['cpu_p95']:7.0f}")
        if "baseline" in checkouts:
            row["wall_ratio"] = ratio(row["this"]["wall_p50"], row["baseline"]["wall_p50"])
            row["cpu_ratio"] = ratio(row["this"]["cpu_p50"], row["baseline"]["cpu_p50"])
            row["same_stdout"] = outputs["this"][label] == outputs["baseline"][label]
            row["same_exit"] = codes["this"][label] == codes["baseline"][label]
            same = "yes" if row["same_stdout"] and row["same_exit"] else "NO"
            line += f"  {row['wall_ratio']:6.2f} {row['cpu_ratio']:6.2f}  {same}"
        results.append(row)
        print(line)
    if args.json:
        report.write(args.json, "bench_cli", results,
                     {**vars(args), "load_start": load, "load_end": load_end, "python": sys.version.split()[0]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
