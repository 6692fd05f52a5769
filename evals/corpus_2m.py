"""The two-million-line corpus: this interpreter's standard library, Django and
SymPy side by side in one workspace, each where codemeld's source-root rules
name its modules as Python would import them:

    cpython/Lib/...            the standard library (`Lib` is a source root)
    django/src/django/...      the django package
    django/tests/lib/...       Django's test suite (runtests.py puts tests/ on sys.path)
    sympy/src/sympy/...        sympy, its tests inside the package

The sdists are pinned and fetched from PyPI by `evals.harness.corpora` into
its cache; the assembled tree is cached beside them, never committed.

    python -m evals.corpus_2m      # build (or reuse) it, print its root and size
"""

from __future__ import annotations

import shutil
import sys
import sysconfig
from pathlib import Path

from evals.harness.corpora import cache_root, fetch_sdist, log

PINNED = (("django", "5.1.4"), ("sympy", "1.13.3"))
_DONE = ".codemeld-corpus-complete"
_SKIP = shutil.ignore_patterns("__pycache__", "site-packages", "dist-packages", "*.pyc")


def build(stdlib: Path | None = None, dest_root: Path | None = None) -> Path:
    """The assembled corpus root (built once per interpreter version)."""
    stdlib = Path(stdlib or sysconfig.get_paths()["stdlib"]).resolve()
    dest_root = Path(dest_root) if dest_root else cache_root()
    name = "corpus-2m-py{}.{}-".format(*sys.version_info[:2]) + "-".join(f"{n}{v}" for n, v in PINNED)
    dest = dest_root / name
    if (dest / _DONE).exists():
        return dest
    sources = {name: fetch_sdist(name, version, dest_root) for name, version in PINNED}
    partial = dest_root / f".{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    log(f"assembling {dest}")
    shutil.copytree(stdlib, partial / "cpython" / "Lib", ignore=_SKIP, symlinks=True)
    shutil.copytree(sources["django"] / "django", partial / "django" / "src" / "django", ignore=_SKIP)
    shutil.copytree(sources["django"] / "tests", partial / "django" / "tests" / "lib", ignore=_SKIP)
    shutil.copytree(sources["sympy"] / "sympy", partial / "sympy" / "src" / "sympy", ignore=_SKIP)
    (partial / _DONE).touch()
    shutil.rmtree(dest, ignore_errors=True)
    partial.rename(dest)
    return dest


def python_lines(root: Path) -> tuple[int, int]:
    """(files, lines) of the Python files under `root`."""
    files = lines = 0
    for path in root.rglob("*.py"):
        files += 1
        with open(path, "rb") as handle:
            lines += handle.read().count(b"\n")
    return files, lines


def main() -> int:
    root = build()
    files, lines = python_lines(root)
    print(f"{root}  ({files:,} Python files, {lines:,} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
