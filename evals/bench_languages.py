"""Cold-index throughput per language, measured in one run: the files of
each language in a corpus (plus the config files that language reads) are
copied apart and indexed from nothing by the CLI, one language at a time,
and each rate is compared with Python's.

    python -m evals.bench_languages DIR [DIR...] [--jobs N]
    (python -m evals.bench_index prints the same table for its corpus)
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from indexer.pipeline import discovery
from indexer import languages

REPO = Path(__file__).resolve().parents[1]


def _cold(root: Path, index_dir: Path, jobs: int) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "server.cli", "index", str(root), "--index-dir", str(index_dir),
                    "--no-embeddings", "--json", "--jobs", str(jobs)], cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - started


def measure(roots: list[Path], jobs: int = 0) -> list[dict]:
    """One row per language: files, lines, seconds, lines/s, ratio to Python's rate."""
    by_language: dict[str, list[tuple[Path, str]]] = defaultdict(list)
    for number, root in enumerate(roots):
        for found in discovery.discover(root).files:
            language = languages.language_for_path(found.path)
            if language is not None:
                by_language[language].append((found.abs_path, f"{number}/{found.path}"))
    rows = []
    with tempfile.TemporaryDirectory(prefix="codemeld-langs-") as tmp:
        for language, files in sorted(by_language.items()):
            root = Path(tmp) / language / "src"
            lines = 0
            for source, rel in files:
                dest = root / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, dest)
                lines += source.read_bytes().count(b"\n")
            seconds = _cold(root, Path(tmp) / language / "index", jobs)
            rows.append({"language": language, "files": len(files), "lines": lines, "seconds": seconds,
                         "lines_per_s": lines / seconds if seconds else 0.0})
    python = next((r["lines_per_s"] for r in rows if r["language"] == "python"), None)
    for row in rows:
        row["vs_python"] = row["lines_per_s"] / python if python else None
    return rows


def print_rows(rows: list[dict]) -> None:
    print(f"{'language':12} {'files':>6} {'lines':>9} {'cold s':>7} {'lines/s':>8} {'vs python':>9}")
    for r in rows:
        ratio = f"{r['vs_python']:9.2f}" if r["vs_python"] is not None else f"{'-':>9}"
        print(f"{r['language']:12} {r['files']:6} {r['lines']:9,} {r['seconds']:7.2f} {r['lines_per_s']:8.0f} {ratio}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("roots", type=Path, nargs="+")
    p.add_argument("--jobs", type=int, default=0)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    rows = measure(args.roots, args.jobs)
    print_rows(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
