"""A language server's start with embeddings on (the default) builds its
embedder without loading numpy, the model runtime or the vector store:
they load with the model, on the embed thread, after the graph's first
run says "ready" (issue 17 warm start: numpy alone was 0.07 s of CPU
before the freshness check could begin)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

LATER = ("numpy", "onnxruntime", "openvino", "torch", "sentence_transformers", "tokenizers", "lancedb")

PROBE = """
import json, sys
from server.host.options import Options
from server.host.semantic import SemanticService
service = SemanticService(Options(), lambda message: None)
print(json.dumps([type(service.embedder).__name__, sorted(m for m in sys.modules if m.split(".")[0] in LATER)]))
"""


@pytest.mark.slow
def test_the_semantic_service_starts_without_numpy_or_the_model():
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", f"LATER = {LATER!r}\n" + PROBE], capture_output=True, text=True,
                         env=env, cwd=REPO, check=True, timeout=120).stdout
    embedder, loaded = json.loads(out.strip().splitlines()[-1])
    assert embedder and loaded == []
