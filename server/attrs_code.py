"""The methods attrs generates for its classes, kept between server starts.

attrs builds the `__init__`, `__repr__`, `__eq__`... of every class it
decorates as source text and hands it to `compile()`. lsprotocol defines
about 560 such classes, and pygls imports all of them before a language
server can answer `initialize`: on a quiet machine that import is about
0.4 s of CPU, the largest part of a warm start (issue 17), and its 560
`compile()` calls are 40% of it. The text attrs generates depends only on
the class and the versions of attrs and Python, so `cached()` keeps the
compiled code objects (in `marshal` form, as `.pyc` files do) under the
user cache dir and gives them back when the same text comes again; any
other text is compiled as before. The code run is therefore exactly what
`compile()` would have returned.

Only around the server's imports (`server/cli.py` `serve`): the original
function is put back on exit. If attrs ever stops generating methods
through `attr._make._compile_and_eval`, nothing is patched and every start
simply compiles, as before.
"""

from __future__ import annotations

import __future__
import contextlib
import hashlib
import logging
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Iterator

log = logging.getLogger(__name__)

_FORMAT = 2  # 2: compiled with attrs' own __future__ flags
# A frozen class's generated `__hash__` holds hash() of a string, which
# differs in every process: it misses every time. A few misses are not worth
# writing the file again; a new attrs or lsprotocol misses hundreds.
_REWRITE_MISSES = 8
_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag


def cache_file(base: Path | None = None) -> Path:
    """Where this Python keeps the code (marshal's format is Python's own).
    Not named by the attrs version: asking for it costs an importlib.metadata
    lookup (25 ms), and an entry is keyed by its generated text anyway, so a
    new attrs only misses, and its first start writes the file anew."""
    if base is None:
        import platformdirs

        base = Path(os.environ.get("CODEMELD_CACHE_DIR") or platformdirs.user_cache_dir("codemeld"))
    return Path(base) / "startup" / f"attrs-code-{sys.implementation.cache_tag or 'none'}.marshal"


def _key(filename: str, script: str) -> tuple[str, str]:
    return filename, hashlib.blake2b(script.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _load(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            stored = marshal.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, EOFError, ValueError, TypeError) as exc:  # torn or foreign file: start afresh
        log.debug("ignoring %s: %s", path, exc)
        return {}
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == _FORMAT and isinstance(stored[1], dict)):
        return {}
    return stored[1]


def _save(path: Path, entries: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                marshal.dump((_FORMAT, entries), f)
            os.replace(tmp, path)  # another server starting at once reads a whole file or none
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:  # a read-only cache dir costs the next start its compiles, nothing else
        log.debug("cannot keep attrs code in %s: %s", path, exc)


@contextlib.contextmanager
def cached(path: Path | None = None) -> Iterator[dict]:
    """Within the block, attrs compiles each generated method's text once
    per installation. Yields counters: hits, misses."""
    counts = {"hits": 0, "misses": 0}
    try:
        import attr._make as make
    except ImportError:
        yield counts
        return
    original = getattr(make, "_compile_and_eval", None)
    path = path if path is not None else cache_file()
    if original is None:
        yield counts
        return
    stored = _load(path)
    used: dict = {}
    # compile() as attrs calls it inherits the __future__ flags of attr/_make.py
    # (annotations, today): ours must give the generated code those, not this module's.
    flags = original.__code__.co_flags & _FUTURE_FLAGS

    def compile_and_eval(script, globs, locs=None, filename=""):
        key = _key(filename, script)
        code = stored.get(key)
        if code is None:
            counts["misses"] += 1
            code = compile(script, filename, "exec", flags=flags, dont_inherit=True)
        else:
            counts["hits"] += 1
        used[key] = code
        eval(code, globs, locs)

    make._compile_and_eval = compile_and_eval
    try:
        yield counts
    finally:
        if make._compile_and_eval is compile_and_eval:
            make._compile_and_eval = original
        if counts["misses"] >= _REWRITE_MISSES or (counts["misses"] and not stored):
            _save(path, used)  # only what this start used: the file never grows past one set
