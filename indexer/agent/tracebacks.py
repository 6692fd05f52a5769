"""Frames and names out of a pasted traceback or log.

Understands CPython tracebacks (`File "x.py", line 12, in f`), pytest's
short form (`x.py:12: in f`, `x.py:12: ValueError`) and the final
`SomeError: message` line. Frames come back deepest first: the code that
raised is the best first guess, its callers the next ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CPYTHON = re.compile(r'File "([^"]+)", line (\d+)(?:, in ([A-Za-z_<][\w<>.]*))?')
_PYTEST = re.compile(r"^\s*([\w./\\-]+\.py):(\d+):(?: in ([A-Za-z_][\w.]*))?", re.MULTILINE)
_EXCEPTION = re.compile(r"^\s*(?:[\w.]+\.)?([A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt|Failure))\b(?::|$)",
                        re.MULTILINE)
_RAISED = re.compile(r"(?:[\w]+\.)*([A-Z]\w*)(?::|$)")
_NAMED_EXCEPTION = re.compile(r"\b([A-Z]\w*(?:Error|Exception|Warning))\b")


@dataclass(frozen=True, slots=True)
class Frame:
    path: str  # as printed (absolute, site-packages, relative...)
    line: int  # 1-based
    function: str | None
    depth: int  # 0 = deepest (where it raised)


def frames(text: str) -> list[Frame]:
    """Every frame, deepest first. Several tracebacks (chained exceptions)
    keep their own order: the last printed is the one that escaped, so its
    frames count first."""
    found: list[tuple[int, str, int, str | None]] = []
    for match in _CPYTHON.finditer(text):
        found.append((match.start(), match.group(1), int(match.group(2)), match.group(3)))
    for match in _PYTEST.finditer(text):
        if not any(abs(match.start() - start) < 3 for start, *_ in found):
            found.append((match.start(), match.group(1), int(match.group(2)), match.group(3)))
    found.sort()
    out = []
    for depth, (_, path, line, function) in enumerate(reversed(found)):
        if function and function.startswith("<"):
            function = None  # <module>, <lambda>, <listcomp>
        out.append(Frame(path.replace("\\", "/"), line, function, depth))
    return out


def exception_names(text: str) -> list[str]:
    """Exception classes the text names: the raised one (the line after a
    traceback's last frame, or a final `XError: ...` line) first, then any
    other mentioned."""
    out: list[str] = []
    frames_end = [m.end() for m in _CPYTHON.finditer(text)]
    if frames_end:
        for line in text[frames_end[-1]:].split("\n")[1:]:
            if line and not line[0].isspace():
                raised = _RAISED.match(line)
                if raised:
                    out.append(raised.group(1))
                break
    for match in reversed(list(_EXCEPTION.finditer(text))):
        if match.group(1) not in out:
            out.append(match.group(1))
    for match in _NAMED_EXCEPTION.finditer(text):
        if match.group(1) not in out:
            out.append(match.group(1))
    return out


def match_path(frame_path: str, indexed: list[str]) -> str | None:
    """The indexed file a printed path means: the longest common tail of
    path components wins (`/usr/lib/.../site-packages/pkg/mod.py` and
    `src/pkg/mod.py` share `pkg/mod.py`). At least the file name must match."""
    parts = [p for p in frame_path.split("/") if p]
    if not parts:
        return None
    best, best_len = None, 0
    name = parts[-1]
    for path in indexed:
        if not path.endswith(name):
            continue
        other = path.split("/")
        n = 0
        while n < min(len(parts), len(other)) and parts[-1 - n] == other[-1 - n]:
            n += 1
        if n > best_len or (n == best_len and best is not None and len(path) < len(best)):
            best, best_len = path, n
    return best if best_len >= 1 else None
