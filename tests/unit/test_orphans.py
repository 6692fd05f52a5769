"""No parser worker outlives a SIGKILLed `codemeld index` (issue 16, defect 9)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from evals.harness.processes import alive, descendants as children

STDLIB = Path(sysconfig.get_paths()["stdlib"])
REPO = Path(__file__).resolve().parents[2]


# `codemeld index`, whose workers fork from it, and the same with every
# worker from the forkserver (as in the threaded server): the forkserver ends
# with its owner, and its workers with it.
_FORKSERVER = ("import sys; import indexer.pipeline.worker_pool as w; w.FORK_WHEN_SINGLE_THREADED = False;"
               " from server.cli import main; sys.argv[0] = 'codemeld'; main()")


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
@pytest.mark.parametrize("command, started", [(["-m", "server.cli"], 2), (["-c", _FORKSERVER], 4)],
                         ids=["fork", "forkserver"])  # started: workers, and the forkserver and resource tracker
def test_sigkill_of_index_leaves_no_workers(tmp_path, command, started):
    root = tmp_path / "ws"
    for package in ("email", "asyncio", "json", "logging", "http", "unittest", "xml"):
        shutil.copytree(STDLIB / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    orphans = []
    for attempt in range(3):
        index_dir = tmp_path / f"index{attempt}"
        proc = subprocess.Popen([sys.executable, *command, "index", str(root), "--index-dir",
                                 str(index_dir), "--jobs", "2", "--no-embeddings"],
                                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        workers: set[int] = set()
        deadline = time.time() + 60
        while len(workers) < started and proc.poll() is None and time.time() < deadline:
            workers = children(proc.pid)
            time.sleep(0.02)
        assert workers, "no worker started: the corpus is too small to kill mid-run"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(2.0)
        left = [pid for pid in workers if alive(pid)]
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        orphans += left
    assert orphans == []
