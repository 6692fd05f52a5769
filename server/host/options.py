"""Initialization options: typed, with a default for everything.

The client sends `initializationOptions` as loose JSON. `parse` turns it into
`Options` and collects one human-readable warning per bad value; the bad
value is replaced by its default, so a typo in a user's settings degrades
one setting instead of the whole server (jedi-language-server does the same).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from indexer.pipeline.index import IndexOptions


@dataclass(frozen=True)
class Features:
    """Per-feature switches; a switched-off feature is not even advertised."""

    definition: bool = True
    references: bool = True
    hover: bool = True
    documentSymbol: bool = True
    workspaceSymbol: bool = True
    callHierarchy: bool = True
    typeHierarchy: bool = True
    codeLens: bool = True
    documentHighlight: bool = True
    rename: bool = True
    codeAction: bool = True
    willRenameFiles: bool = True


@dataclass(frozen=True)
class LLMOptions:
    """The nested `llm` option: an OpenAI-compatible chat-completions endpoint
    for explanations. Unset fields fall back to `CODEMELD_LLM_*`; no base URL
    anywhere means no model, and no code leaves the machine."""

    baseUrl: str | None = None  # e.g. http://localhost:11434/v1 (Ollama)
    model: str | None = None
    apiKey: str | None = None
    timeout: float | None = None  # seconds per request; None: the client's default
    retries: int | None = None  # extra attempts on connection errors, 429 and 5xx

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass(frozen=True)
class Options:
    indexDir: str | None = None  # None: under the user cache dir, one per folder
    exclude: tuple[str, ...] = ()  # extra gitignore-style patterns
    maxFileSize: int = 1_000_000  # bytes; bigger files are skipped (and never overlaid)
    jobs: int = 0  # parser processes for full runs; 0 = one per core
    debounceMs: int = 50  # quiet time after a keystroke before the buffer is re-indexed
    watch: bool = True  # watchdog observer for changes made outside the editor
    minConfidence: float = 0.0  # drop references resolved with less confidence
    includeGuesses: bool = False  # Find All References lists name-matched guesses too
    embeddings: bool = True  # build the semantic index in the background (codemeld/search, similar code)
    embeddingModel: str | None = None  # sentence-transformers name or path; None: CODEMELD_EMBED_MODEL or MiniLM
    sharedIndex: str | None = None  # s3://, gs://, az://, file:// where CI publishes snapshots; pulled before a folder's first index
    llm: LLMOptions = field(default_factory=LLMOptions)
    features: Features = field(default_factory=Features)
    # Learned test impact (server/host/learning.py): run the tests under coverage
    # after each full graph run; the interpreter, extra pytest args, seconds per test.
    learnTests: bool = False
    testPython: str | None = None
    testArgs: tuple[str, ...] = ()
    testTimeout: int = 300

    def index_options(self) -> IndexOptions:
        # The server waits longer than the CLI for a writer lock: a CLI run may be a cold build.
        return IndexOptions(max_file_size=self.maxFileSize, exclude=tuple(self.exclude), jobs=self.jobs,
                            lock_wait_s=600.0)

    def llm_config(self, env=None):
        """The explanation model (`indexer.explain.llm.LLMConfig`) from the
        `llm` option, then the environment; None when none is configured."""
        from indexer.explain.llm import LLMConfig

        return LLMConfig.resolve({"llm": self.llm.as_dict()}, env)

    def index_dir_for(self, folder_name: str, folder_count: int) -> Path | None:
        """An explicit indexDir is used as is for one folder; with several
        folders each gets a sub-folder so their indexes never collide."""
        if not self.indexDir:
            return None
        base = Path(self.indexDir).expanduser()
        return base if folder_count == 1 else base / folder_name


def _check(name: str, value: Any, default: Any, warnings: list[str]) -> Any:
    """`value` when it has the default's type (ints accepted for floats)."""
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 1.0
        value = float(value) if ok else value
    elif isinstance(default, tuple):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        value = tuple(value) if ok else value
    else:  # optional string
        ok = value is None or (isinstance(value, str) and value.strip() != "")
    if not ok:
        warnings.append(f"codemeld: ignoring initialization option {name}={value!r}; using {default!r}")
        return default
    return value


def parse(raw: Any) -> tuple[Options, list[str]]:
    """(options, warnings) from the client's initializationOptions."""
    warnings: list[str] = []
    if raw is None:
        return Options(), warnings
    if not isinstance(raw, dict):
        return Options(), [f"codemeld: initializationOptions must be an object, got {type(raw).__name__}; using defaults"]
    defaults = Options()
    values: dict[str, Any] = {}
    known = {f.name for f in fields(Options)}
    for key, value in raw.items():
        if key not in known:
            warnings.append(f"codemeld: unknown initialization option {key!r} ignored")
        elif key == "features":
            values[key] = _features(value, warnings)
        elif key == "llm":
            values[key] = _llm(value, warnings)
        else:
            values[key] = _check(key, value, getattr(defaults, key), warnings)
    return Options(**values), warnings


def _features(raw: Any, warnings: list[str]) -> Features:
    if not isinstance(raw, dict):
        warnings.append(f"codemeld: ignoring initialization option features={raw!r}; all features on")
        return Features()
    known = {f.name for f in fields(Features)}
    values = {}
    for key, value in raw.items():
        if key not in known:
            warnings.append(f"codemeld: unknown feature {key!r} ignored")
        else:
            values[key] = _check(f"features.{key}", value, True, warnings)
    return Features(**values)


def _llm(raw: Any, warnings: list[str]) -> LLMOptions:
    if raw is None:
        return LLMOptions()
    if not isinstance(raw, dict):
        warnings.append(f"codemeld: ignoring initialization option llm={raw!r}; expected an object"
                        " like {\"baseUrl\": ..., \"model\": ...}")
        return LLMOptions()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("baseUrl", "model", "apiKey"):
            ok = value is None or isinstance(value, str)
            value = (value.strip() or None) if isinstance(value, str) and key != "apiKey" else (value or None)
        elif key == "timeout":
            ok = value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0)
            value = float(value) if ok and value is not None else value
        elif key == "retries":
            ok = value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
        else:
            warnings.append(f"codemeld: unknown initialization option llm.{key} ignored")
            continue
        if ok:
            values[key] = value
        else:
            warnings.append(f"codemeld: ignoring initialization option llm.{key}={value!r}")
    return LLMOptions(**values)
