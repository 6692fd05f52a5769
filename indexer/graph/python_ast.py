"""The standard library's `ast.parse` and `ast.literal_eval`, one thread at
a time.

CPython 3.11's AST constructor keeps its recursion depth in interpreter-wide
state, so two threads parsing at once can raise
`SystemError: AST constructor recursion depth mismatch` (CPython gh-106905,
fixed in 3.12.1). The server parses from its query threads (impact's guards,
explain) while its indexing thread reads literals, so every engine use of
`ast` goes through here. Errors are the same as `ast`'s.
"""

from __future__ import annotations

import ast
import threading

_LOCK = threading.Lock()


def parse(source: str | bytes) -> ast.Module:
    with _LOCK:
        return ast.parse(source)


def literal_eval(text: str):
    # literal_eval(str) parses first, so it shares the parser's lock.
    with _LOCK:
        return ast.literal_eval(text)
