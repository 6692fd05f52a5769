"""The ONNX Runtime embedder against the torch one, with the real model.

The export runs once per module into a temporary cache (about 20 s), so the
module is in the slow tier.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
pytest.importorskip("onnxruntime")
pytest.importorskip("sentence_transformers")

from indexer.semantic import EmbedderUnavailable  # noqa: E402
from indexer.semantic import onnx_embed  # noqa: E402
from indexer.semantic.embedder import EmbedderConfig, SentenceTransformerEmbedder, make_embedder  # noqa: E402
from indexer.semantic.onnx_embed import OnnxEmbedder  # noqa: E402

pytestmark = pytest.mark.slow

TEXTS = [
    "def load_settings(path):\n    with open(path) as handle:\n        return json.load(handle)",
    "send a prepared request",
    "",
    "x" * 5000,  # longer than the model reads: truncated the same way as torch
    "class Session:\n    \"\"\"Persist cookies across requests.\"\"\"\n" * 20,
    "ünïcödé 😀 名前",
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    path = tmp_path_factory.mktemp("onnx-cache")
    old = os.environ.get("CODEMELD_ONNX_CACHE")
    os.environ["CODEMELD_ONNX_CACHE"] = str(path)
    yield path
    if old is None:
        os.environ.pop("CODEMELD_ONNX_CACHE", None)
    else:
        os.environ["CODEMELD_ONNX_CACHE"] = old


@pytest.fixture(scope="module")
def torch_vectors():
    return SentenceTransformerEmbedder(EmbedderConfig(backend="torch")).encode(TEXTS)


def test_onnx_is_the_default_and_matches_torch(cache, torch_vectors):
    embedder = make_embedder(EmbedderConfig())
    assert isinstance(embedder, OnnxEmbedder) and embedder.model_id == "all-MiniLM-L6-v2"
    vectors = embedder.encode(TEXTS)
    assert vectors.shape == torch_vectors.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert np.min(np.sum(vectors * torch_vectors, axis=1)) > 0.9999
    assert list(cache.rglob("model.onnx"))  # exported into the cache
    # Batches of one give the same vectors as one big batch (padding is masked).
    one_by_one = np.stack([embedder.encode([t])[0] for t in TEXTS])
    assert np.allclose(one_by_one, vectors, atol=1e-5)
    assert embedder.encode([]).shape == (0, embedder.dim)


def test_int8_is_close_and_a_separate_vector_space(cache, torch_vectors):
    embedder = make_embedder(EmbedderConfig(int8=True))
    assert embedder.model_id != "all-MiniLM-L6-v2"  # vectors of two ids never mix in one store
    vectors = embedder.encode(TEXTS)
    assert np.mean(np.sum(vectors * torch_vectors, axis=1)) > 0.9
    assert list(cache.rglob("model-int8.onnx"))


def test_second_load_reuses_the_export(cache, monkeypatch):
    def no_export(*_args):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_embed, "export_fp32", no_export)
    make_embedder(EmbedderConfig()).encode(["again"])


def test_export_failure_falls_back_to_torch(tmp_path, monkeypatch, torch_vectors):
    monkeypatch.setenv("CODEMELD_ONNX_CACHE", str(tmp_path / "empty-cache"))

    def broken_export(*_args):
        raise RuntimeError("exporter broke")

    monkeypatch.setattr(onnx_embed, "export_fp32", broken_export)
    embedder = make_embedder(EmbedderConfig())
    vectors = embedder.encode(TEXTS)  # torch stands in: same vector space, same id
    assert np.min(np.sum(vectors * torch_vectors, axis=1)) > 0.9999
    # int8 has no stand-in (another vector space): a clear error instead.
    with pytest.raises(EmbedderUnavailable, match="exporter broke"):
        make_embedder(EmbedderConfig(int8=True)).encode(["x"])


def test_forced_onnx_on_a_folder_without_a_tokenizer_says_so(tmp_path):
    with pytest.raises(EmbedderUnavailable, match="tokenizer.json"):
        make_embedder(EmbedderConfig(model=str(tmp_path), backend="onnx"))
    with pytest.raises(EmbedderUnavailable, match="unknown embedding backend"):
        make_embedder(EmbedderConfig(backend="tpu"))


_PROBE = r'''
import json, os, sys, time
from pathlib import Path
forks = []
real_fork = os.fork
def counting_fork():
    forks.append(1)
    return real_fork()
os.fork = counting_fork
from indexer.semantic.onnx_embed import _OpenVinoSession
try:
    _OpenVinoSession(Path(sys.argv[1]), 1)
except Exception:
    pass  # no model there: only the import matters
time.sleep(1.0)  # openvino_telemetry sends from a thread, in a forked process
print(json.dumps({"telemetry": sys.modules.get("openvino_telemetry") is not None, "forks": len(forks)}))
'''


def test_opening_openvino_sends_no_telemetry(tmp_path):
    """`import openvino` imports its converter, which pinged Google Analytics
    ("ov import") from a forked process on every codemeld run that embedded:
    a network call nobody configured, and a fork after LanceDB had started
    its runtime (LanceDB warns of deadlocks). Nothing may leave the machine
    unless the user configured it."""
    import subprocess
    import sys

    pytest.importorskip("openvino")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TF_BUILD", "JENKINS_URL")}
    env["HOME"] = str(tmp_path)  # the telemetry's consent and client-id files live there
    done = subprocess.run([sys.executable, "-c", _PROBE, str(tmp_path / "none.onnx")], capture_output=True,
                          text=True, timeout=120, env=env, cwd=os.path.dirname(os.path.dirname(os.path.dirname(
                              os.path.abspath(__file__)))))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"telemetry": False, "forks": 0}, done.stderr
    assert not (tmp_path / "intel").exists()
