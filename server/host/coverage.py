"""The project's recorded per-test coverage, for impact: one host function
in a module of its own, so that `codemeld impact` reads it without loading
the rest of the host's features (explain, semantic search...)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from indexer.analysis import coverage_data

# Per-test coverage data per workspace root, reloaded when the file changes.
_COVERAGE: dict[Path, tuple[float, object]] = {}
_COVERAGE_LOCK = threading.Lock()


def coverage_for(root: Path):
    """The project's recorded per-test coverage (None without a data file)."""
    data_file = coverage_data.find_data_file(root)
    if data_file is None:
        return None
    mtime = os.stat(data_file).st_mtime
    with _COVERAGE_LOCK:
        held = _COVERAGE.get(root)
    if held is None or held[0] != mtime:
        held = (mtime, coverage_data.load(root))
        with _COVERAGE_LOCK:
            _COVERAGE[root] = held
    return held[1]
