"""Real-world Python projects to evaluate codemeld on, fetched from PyPI sdists.

Evaluation scripts need the same pinned source trees on every machine, without
committing third-party code. An sdist is the closest thing to the project's
repository that PyPI serves (it usually ships tests/ and docs/ too), so we
download it with pip and unpack it into a per-user cache that every later run
reuses.

Cache layout (root = $CODEMELD_CORPORA or ~/.cache/codemeld-corpora):
    root/_sdists/NAME-VERSION.tar.gz   downloaded archives
    root/NAME-VERSION/                 the extracted project root
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

# Versions the evaluation is pinned to; a CLI may override them.
DEFAULT_CORPORA: dict[str, str] = {"click": "8.1.7", "requests": "2.32.3"}

# Written last during extraction, so a half-extracted tree is never reused.
_COMPLETE_MARKER = ".codemeld-corpus-complete"


def log(msg: str) -> None:
    # stdout is reserved for results of the calling script.
    print(f"[corpora] {msg}", file=sys.stderr, flush=True)


def cache_root() -> Path:
    env = os.environ.get("CODEMELD_CORPORA")
    root = Path(env) if env else Path.home() / ".cache" / "codemeld-corpora"
    return root.expanduser().resolve()


def fetch_sdist(name: str, version: str, dest_root: Path | None = None) -> Path:
    """Return the extracted project root of NAME==VERSION's sdist, fetching it if needed."""
    dest_root = Path(dest_root) if dest_root else cache_root()
    target = dest_root / f"{name}-{version}"
    if (target / _COMPLETE_MARKER).exists():
        return target
    archive = _download_sdist(name, version, dest_root / "_sdists")
    _extract(archive, target)
    return target


def _download_sdist(name: str, version: str, sdist_dir: Path) -> Path:
    existing = _find_archive(sdist_dir, name, version)
    if existing:
        return existing
    sdist_dir.mkdir(parents=True, exist_ok=True)
    log(f"downloading {name}=={version} sdist")
    # pip, not PyPI's JSON API: pip honours the machine's index configuration
    # (mirrors, certificates, proxies), which plain urllib would not.
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps",
        "--no-binary", ":all:", "--disable-pip-version-check", "-q",
        f"{name}=={version}", "-d", str(sdist_dir),
    ]
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    archive = _find_archive(sdist_dir, name, version)
    if archive is None:
        raise RuntimeError(f"pip did not produce an sdist for {name}=={version} in {sdist_dir}")
    return archive


def _find_archive(sdist_dir: Path, name: str, version: str) -> Path | None:
    if not sdist_dir.is_dir():
        return None
    # sdist file names normalise the project name inconsistently across
    # build backends (click-, Click-, my_pkg-), so compare loosely.
    wanted = _normalise(name)
    for path in sorted(sdist_dir.iterdir()):
        stem = _strip_archive_suffix(path.name)
        if stem is None or "-" not in stem:
            continue
        dist, _, ver = stem.rpartition("-")
        if _normalise(dist) == wanted and ver == version:
            return path
    return None


def _normalise(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _strip_archive_suffix(filename: str) -> str | None:
    for suffix in (".tar.gz", ".tgz", ".tar.bz2", ".zip"):
        if filename.endswith(suffix):
            return filename[: -len(suffix)]
    return None


def _extract(archive: Path, target: Path) -> None:
    log(f"extracting {archive.name} -> {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Extract beside the target and rename, so an interrupted run leaves only
    # a stray temp dir, never a partial project at the cached path.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".extract-") as tmp:
        tmp_path = Path(tmp)
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(tmp_path)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(tmp_path, filter="data")
        top = _single_top_dir(tmp_path)
        (top / _COMPLETE_MARKER).touch()
        if target.exists():
            shutil.rmtree(target)
        top.rename(target)


def _single_top_dir(extracted: Path) -> Path:
    entries = [p for p in extracted.iterdir()]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    # Not the usual NAME-VERSION/ wrapper: the extraction dir is the project.
    wrapper = extracted / "_project"
    wrapper.mkdir()
    for entry in entries:
        entry.rename(wrapper / entry.name)
    return wrapper


def main(argv: list[str] | None = None) -> int:
    """`python -m evals.harness.corpora [NAME==VERSION ...]`: fetch and print roots."""
    specs = argv if argv is not None else sys.argv[1:]
    pairs = [s.split("==", 1) for s in specs] or list(DEFAULT_CORPORA.items())
    for name, version in pairs:
        print(fetch_sdist(name, version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
