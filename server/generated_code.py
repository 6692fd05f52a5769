"""Code that attrs and dataclasses generate for their classes, kept between
server starts.

attrs builds the `__init__`, `__repr__`, `__eq__`... of every class it
decorates as source text and hands it to `compile()`. lsprotocol defines
about 560 such classes, and pygls imports all of them before a language
server can answer `initialize`: on a quiet machine that import is about
0.4 s of CPU, the largest part of a warm start (issue 17), and its 560
`compile()` calls are 40% of it. `dataclasses` does the same through
`exec()` of text (350 methods of codemeld's own classes at a start). The
text depends only on the class and the versions of the library and
Python, so `cached()` keeps the compiled code objects (in `marshal` form,
as `.pyc` files do) under the user cache dir, keyed by a hash of the text,
and gives them back when the same text comes again; any other text is
compiled as before, with the flags the library's own call would have used.
The code run is therefore exactly what `compile()` would have returned.

Only around the server's imports (`server/cli.py` `serve`): the originals
are put back on exit. If attrs ever stops generating methods through
`attr._make._compile_and_eval`, or dataclasses through a global `exec`,
that side is simply not kept, and every start compiles it, as before.
"""

from __future__ import annotations

import __future__
import builtins
import contextlib
import hashlib
import logging
import marshal
import os
import sys
import tempfile
from pathlib import Path
from types import CodeType
from typing import Iterator

log = logging.getLogger(__name__)

_FORMAT = 3  # 2: compiled with attrs' own __future__ flags; 3: and dataclasses'
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
    return Path(base) / "startup" / f"generated-code-{sys.implementation.cache_tag or 'none'}.marshal"


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
        log.debug("cannot keep generated code in %s: %s", path, exc)


class _Kept:
    """The stored code objects, what this start used, and the counters."""

    def __init__(self, stored: dict):
        self.stored = stored
        self.used: dict = {}
        self.counts = {"hits": 0, "misses": 0}

    def code(self, source: str, filename: str, flags: int):
        key = _key(filename, source)
        code = self.stored.get(key)
        if type(code) is not CodeType:  # absent (or not code: a file some other tool wrote)
            self.counts["misses"] += 1
            code = compile(source, filename, "exec", flags=flags, dont_inherit=True)
        else:
            self.counts["hits"] += 1
        self.used[key] = code
        return code


def _keep_attrs(kept: _Kept, undo: list) -> None:
    try:
        import attr._make as make
    except ImportError:
        return
    original = getattr(make, "_compile_and_eval", None)
    if original is None:
        return
    # compile() as attrs calls it inherits the __future__ flags of attr/_make.py
    # (annotations, today): ours must give the generated code those, not this module's.
    flags = original.__code__.co_flags & _FUTURE_FLAGS

    def compile_and_eval(script, globs, locs=None, filename=""):
        eval(kept.code(script, filename, flags), globs, locs)

    make._compile_and_eval = compile_and_eval

    def restore() -> None:
        if make._compile_and_eval is compile_and_eval:
            make._compile_and_eval = original

    undo.append(restore)


def _keep_dataclasses(kept: _Kept, undo: list) -> None:
    import dataclasses

    if "exec" in vars(dataclasses):
        return  # someone else's wrapper: leave it alone
    # Any function of the module carries its __future__ flags (none, today).
    flags = dataclasses.dataclass.__code__.co_flags & _FUTURE_FLAGS

    def exec_(source, globals=None, locals=None, /, **kwargs):
        if isinstance(source, str):
            source = kept.code(source, "<string>", flags)  # builtins.exec's own name for text
        return builtins.exec(source, globals, locals, **kwargs)

    dataclasses.exec = exec_  # a module global is found before the builtin

    def restore() -> None:
        if vars(dataclasses).get("exec") is exec_:
            del dataclasses.exec

    undo.append(restore)


@contextlib.contextmanager
def cached(path: Path | None = None) -> Iterator[dict]:
    """Within the block, attrs and dataclasses compile each generated
    method's text once per installation. Yields counters: hits, misses."""
    path = path if path is not None else cache_file()
    stored = _load(path)
    kept = _Kept(stored)
    undo: list = []
    _keep_attrs(kept, undo)
    _keep_dataclasses(kept, undo)
    try:
        yield kept.counts
    finally:
        for restore in reversed(undo):
            restore()
        misses = kept.counts["misses"]
        if misses >= _REWRITE_MISSES or (misses and not stored):
            _save(path, kept.used)  # only what this start used: the file never grows past one set
