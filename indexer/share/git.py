"""The little of git the shared index needs, through the git command."""

from __future__ import annotations

import subprocess
from pathlib import Path

from indexer.share import ShareError

ANCESTORS = 2000  # how far back `pull` looks for a snapshot


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)
    except FileNotFoundError as exc:
        raise ShareError("git is not installed: a shared index is keyed by commit") from exc
    if done.returncode != 0:
        raise ShareError(f"git {' '.join(args)} failed in {root}: {done.stderr.strip() or done.returncode}")
    return done.stdout


def head(root: Path) -> str:
    try:
        return _git(root, "rev-parse", "HEAD").strip()
    except ShareError as exc:
        raise ShareError(f"{root} is not a git checkout with a commit ({exc})") from exc


def ancestors(root: Path, limit: int = ANCESTORS) -> list[str]:
    """HEAD and its ancestors, nearest first (first-parent order breaks ties)."""
    head(root)
    return _git(root, "rev-list", f"--max-count={limit}", "HEAD").split()


def is_dirty(root: Path) -> bool:
    return bool(_git(root, "status", "--porcelain", "--untracked-files=no").strip())
