"""The embedding model on ONNX Runtime: no torch at query time.

sentence-transformers on torch costs seconds to import and load before the
first vector, on every `codemeld search`; ONNX Runtime plus the `tokenizers`
package load the same MiniLM in a fraction of a second and encode faster
(evals/bench_embed.py prints both, measured in the same run).

The ONNX file is exported from the packaged weights once, at first use, with
torch (the only time torch is needed), and cached in the user cache dir
(`CODEMELD_ONNX_CACHE` overrides) next to its dynamic int8 quantization
(onnxruntime.quantization). The pipeline is the model's own
(modules.json): Transformer -> mean pooling -> L2 normalise, at the model's
max_seq_length.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Sequence


from indexer.semantic import EmbedderUnavailable

if TYPE_CHECKING:  # numpy loads with the model, not with the server (issue 17 warm start)
    import numpy as np

log = logging.getLogger(__name__)

BACKENDS = ("onnx", "onnx-int8")


def onnx_runtime_installed() -> bool:
    return (importlib.util.find_spec("onnxruntime") is not None
            and importlib.util.find_spec("tokenizers") is not None)


def openvino_installed() -> bool:
    return importlib.util.find_spec("openvino") is not None


def _import_openvino():
    """`import openvino` imports its model converter, whose import sends a
    Google Analytics event through `openvino_telemetry`, from a forked process
    (a fork after LanceDB started its runtime, which LanceDB warns may
    deadlock). Nothing leaves the machine unless the user configured it: with
    `openvino_telemetry` marked unimportable the converter falls back to its
    own no-op stub. Only this process is affected; the user's opt-in file is
    left alone."""
    import sys

    if "openvino" not in sys.modules:
        sys.modules.setdefault("openvino_telemetry", None)  # type: ignore[arg-type]
    import openvino as ov

    return ov


class _OpenVinoSession:
    """The one call of onnxruntime's session the embedder makes, on an
    OpenVINO compiled model (its CPU plugin ran MiniLM fastest in
    evals/bench_embed.py; same fp32 vectors)."""

    def __init__(self, path: Path, threads: int):
        ov = _import_openvino()
        core = ov.Core()
        config = {"INFERENCE_NUM_THREADS": threads} if threads else {}
        self.compiled = core.compile_model(str(path), "CPU", config)
        self.request = self.compiled.create_infer_request()
        self.lock = threading.Lock()

    def run(self, _names, feed):
        with self.lock:  # one infer request: searches and the builder share the model
            return [self.request.infer(feed)[0].copy()]


def cache_root() -> Path:
    env = os.environ.get("CODEMELD_ONNX_CACHE")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("codemeld")) / "onnx"


def _fingerprint(model_dir: Path) -> str:
    """Changes when the weights change (a new package version): size and
    mtime of every file, cheap enough to compute on each load."""
    digest = hashlib.sha1()
    for path in sorted(model_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(model_dir)}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()[:16]


def _replace_atomically(write, target: Path) -> None:
    """write(tmp_path) then rename: two processes exporting at once both
    succeed and nobody reads half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def export_fp32(model_dir: Path, target: Path) -> None:
    """Export the transformer of a sentence-transformers folder to ONNX
    (dynamic batch and sequence axes); outputs the last hidden state."""
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise EmbedderUnavailable(f"exporting the model to ONNX needs torch and transformers ({exc})") from exc
    import warnings

    class LastHidden(torch.nn.Module):
        """Keyword arguments (forward's positional order differs between
        transformers versions) and one plain tensor out."""

        def __init__(self):
            super().__init__()
            self.inner = AutoModel.from_pretrained(str(model_dir))

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    model = LastHidden()
    model.eval()
    ids = torch.ones((2, 8), dtype=torch.long)
    inputs = (ids, torch.ones_like(ids), torch.zeros_like(ids))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "sequence"} for name in names}
    axes["last_hidden_state"] = {0: "batch", 1: "sequence"}

    def write(tmp: Path) -> None:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, inputs, str(tmp), input_names=names, output_names=["last_hidden_state"],
                              dynamic_axes=axes, opset_version=17, dynamo=False)

    _replace_atomically(write, target)


def quantize_int8(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    _replace_atomically(lambda tmp: quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8), target)


def onnx_file(model_dir: Path, int8: bool) -> Path:
    """The cached ONNX file for a model folder, exported (and quantized) on
    first use."""
    folder = cache_root() / f"{model_dir.name}-{_fingerprint(model_dir)}"
    fp32 = folder / "model.onnx"
    if not fp32.exists():
        log.info("exporting %s to ONNX (once) into %s", model_dir, folder)
        export_fp32(model_dir, fp32)
    if not int8:
        return fp32
    quantized = folder / "model-int8.onnx"
    if not quantized.exists():
        quantize_int8(fp32, quantized)
    return quantized


class OnnxEmbedder:
    """The Embedder protocol over ONNX Runtime. Loads on first use; a failure
    is remembered and raised as EmbedderUnavailable."""

    def __init__(self, model_dir: str | Path, model_id: str, int8: bool = False, threads: int = 0,
                 batch_size: int = 32, fallback=None, runtime: str = "onnxruntime"):
        self.model_dir = Path(model_dir).expanduser()
        self._model_id = model_id
        self.int8 = int8
        self.threads = threads
        self.batch_size = batch_size
        self._session = None
        self._tokenizer = None
        self._dim = 0
        self._error: EmbedderUnavailable | None = None
        self._lock = threading.Lock()
        # () -> an Embedder of the same vector space (torch fp32), used when
        # ONNX cannot load here (export failed, runtime broken).
        self._fallback = fallback
        self._delegate = None
        self.runtime = runtime  # "onnxruntime" or "openvino" (the same ONNX file)

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        self._load()
        return self._delegate.dim if self._delegate is not None else self._dim

    @property
    def loaded(self) -> bool:
        return self._session is not None or (self._delegate is not None and self._delegate.loaded)

    def load(self) -> None:
        self._load()

    def _load(self) -> None:
        if self._session is not None or self._delegate is not None:
            return
        if self._error is not None:
            raise self._error
        with self._lock:
            if self._session is None and self._error is None:
                try:
                    self._open()
                except EmbedderUnavailable as exc:
                    self._error = exc
                except Exception as exc:  # export, quantization or runtime errors all mean "no model"
                    self._error = EmbedderUnavailable(f"cannot load ONNX embedding model {self.model_dir}: "
                                                      f"{type(exc).__name__}: {exc}")
                    self._error.__cause__ = exc
                if self._error is not None and self._fallback is not None:
                    log.warning("%s; embedding with torch instead", self._error)
                    self._delegate, self._error = self._fallback(), None
            if self._error is not None:
                raise self._error

    def _open(self) -> None:
        if not (self.model_dir / "tokenizer.json").exists():
            raise EmbedderUnavailable(f"{self.model_dir} has no tokenizer.json (not a sentence-transformers folder?)")
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EmbedderUnavailable(f"onnxruntime/tokenizers are not installed ({exc})") from exc
        path = onnx_file(self.model_dir, self.int8)
        if self.runtime == "openvino":
            self._open_openvino(path)
            return
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads or max(1, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings about unused initializers would reach the user's stderr
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        max_len = 256
        config = self.model_dir / "sentence_bert_config.json"
        if config.exists():
            max_len = int(json.loads(config.read_text()).get("max_seq_length", max_len))
        tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=max_len)
        tokenizer.no_padding()  # padded per batch below, to the batch's longest text
        self._input_names = {i.name for i in session.get_inputs()}
        self._dim = int(session.get_outputs()[0].shape[-1]) if isinstance(session.get_outputs()[0].shape[-1], int) \
            else self._probe_dim(session, tokenizer)
        self._tokenizer = tokenizer
        self._session = session
        log.info("embedding model %s loaded on ONNX Runtime (%s)", self.model_id, path)

    def _open_openvino(self, path: Path) -> None:
        from tokenizers import Tokenizer

        session = _OpenVinoSession(path, self.threads)
        tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        config = self.model_dir / "sentence_bert_config.json"
        max_len = int(json.loads(config.read_text()).get("max_seq_length", 256)) if config.exists() else 256
        tokenizer.enable_truncation(max_length=max_len)
        tokenizer.no_padding()
        self._input_names = {port.get_any_name() for port in session.compiled.inputs}
        self._dim = self._probe_dim(session, tokenizer)
        self._tokenizer = tokenizer
        self._session = session
        log.info("embedding model %s loaded on OpenVINO (%s)", self.model_id, path)

    def _probe_dim(self, session, tokenizer) -> int:
        self._tokenizer = tokenizer
        return int(self._run(session, [tokenizer.encode("x")]).shape[1])

    def _run(self, session, encodings) -> np.ndarray:
        import numpy as np

        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, :len(enc.ids)] = enc.ids
            mask[row, :len(enc.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feed)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        self._load()
        if self._delegate is not None:
            return self._delegate.encode(texts)
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        # Longest first in batches of similar length, so padding stays small.
        order = sorted(range(len(encodings)), key=lambda i: -len(encodings[i].ids))
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            out[rows] = self._run(self._session, [encodings[i] for i in rows])
        return out
