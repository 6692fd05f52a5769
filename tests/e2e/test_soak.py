"""The short soak run (evals/soak.py --short) in CI: kills, damage,
concurrent writers, the bad-input corpus, a storm, growth and a secrets
canary, each against real processes. Slow: minutes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_short_soak_passes():
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "evals.soak", "--short"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 inconsistent indexes" in done.stdout and "0 secrets sent" in done.stdout
