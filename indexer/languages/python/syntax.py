"""Python syntax: the grammar, the queries, the parser, columns, source
normalization and recovery from mid-edit text, syntax errors."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from pathlib import Path

import tree_sitter as ts
import tree_sitter_python as tsp

from indexer.graph.text import Columns as _Columns  # noqa: F401 (the edit modules read it from here)


QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
_MAX_ERRORS = 20


@lru_cache(maxsize=1)
def _language() -> ts.Language:
    return ts.Language(tsp.language())


@lru_cache(maxsize=1)
def _query() -> ts.Query:
    text = "\n".join(
        (QUERY_DIR / name).read_text(encoding="utf-8")
        for name in ("python-defs.scm", "python-refs.scm")
    )
    return ts.Query(_language(), text)


@lru_cache(maxsize=1)
def parser() -> ts.Parser:
    return ts.Parser(_language())


def _text(node: ts.Node | None) -> str:
    if node is None:
        return ""
    return node.text.decode("utf-8", "replace")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _syntax_errors(root: ts.Node) -> list[str]:
    errors: list[str] = []
    cursor = root.walk()
    while len(errors) < _MAX_ERRORS:
        node = cursor.node
        if node.is_error or node.is_missing:
            what = f"missing {node.type}" if node.is_missing else "syntax error"
            errors.append(f"{node.start_point[0] + 1}:{node.start_point[1] + 1}: {what}")
        elif node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return errors
    return errors


def _region(node: ts.Node) -> tuple[int, int]:
    """The bytes where a scope's own names are visible."""
    if node.type == "class_definition":
        body = node.child_by_field_name("body")
        return (body.start_byte if body is not None else node.end_byte, node.end_byte)
    if node.type == "function_definition":
        params = node.child_by_field_name("parameters")
        return (params.start_byte if params is not None else node.end_byte, node.end_byte)
    return (node.start_byte, node.end_byte)


@lru_cache(maxsize=1)
def _query_cursor_factory():
    return _query()


def _query_cursor() -> ts.QueryCursor:
    return ts.QueryCursor(_query_cursor_factory())


_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_LONE_CR = re.compile(rb"\r(?!\n)")
_TOP_LEVEL_DEF = re.compile(rb"^(?:async[ \t]+def|def|class|@)[ \t]", re.MULTILINE)
_RECOVERY_ROUNDS = 4


def normalize_source(raw: bytes) -> bytes:
    """The bytes tree-sitter should see, as an editor shows the file: a
    UTF-8 BOM dropped, a PEP 263 coding cookie honoured (re-encoded to
    UTF-8), and old-Mac lone CRs counted as line breaks (same length, so
    positions are unchanged)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    head = raw.split(b"\n", 2)[:2]
    for line in head:
        match = _CODING_COOKIE.match(line)
        if match:
            codec = match.group(1).decode("ascii", "replace").lower()
            if codec.replace("_", "-") not in ("utf-8", "utf8"):
                try:
                    raw = raw.decode(codec).encode("utf-8")
                except (LookupError, UnicodeError):
                    pass  # keep the bytes; the file is still indexed as UTF-8
            break
    if b"\r" in raw:
        raw = _LONE_CR.sub(b"\n", raw)
    return raw


# Deeper than any file CPython compiles (its compiler gives up on an
# expression a few thousand levels deep), above the deepest nesting the
# bad-input cases index in full (3,000 nested lists). tree-sitter parses
# deeper trees at once, but finding a node's parent walks down from the root,
# and the query slows the same way: the sweep costs names x depth, and a
# 100 kB chain `a.b.b...` held the indexer for minutes. A deep statement of
# few names (a 100,000-term sum of numbers) is still cheap, and kept.
MAX_DEPTH = 4000
MAX_DEEP_NAMES = 1000
_NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


def _too_deep(root: ts.Node, limit: int = MAX_DEPTH) -> list[ts.Node]:
    """The innermost statements holding a path deeper than `limit`, in no
    particular order. Only a child with at least `limit - depth`
    descendants can reach the limit, so ordinary code visits a handful of
    nodes (`descendant_count` is O(1))."""
    found: list[ts.Node] = []
    stack = [(root, 1, None)]
    while stack:
        node, depth, statement = stack.pop()
        if node.type.endswith(("statement", "definition")):
            statement = node
        if depth >= limit and statement is not None:
            found.append(statement)
            start, end = statement.start_byte, statement.end_byte
            stack = [item for item in stack if not start <= item[0].start_byte < end]
            continue
        need = limit - depth
        stack.extend((child, depth + 1, statement) for child in node.children if child.descendant_count >= need)
    return found


def _many_names(source: bytes, start: int, end: int) -> bool:
    names = _NAME.finditer(source, start, end)
    return next(itertools.islice(names, MAX_DEEP_NAMES, None), None) is not None


def _flatten_deep(source: bytes, tree: ts.Tree) -> tuple[bytes, list[str]] | None:
    """Blank (offsets unchanged) the statements nested deeper than
    MAX_DEPTH that hold many names, with a note for each; None when there
    are none."""
    deep = sorted((node for node in _too_deep(tree.root_node)
                   if _many_names(source, node.start_byte, node.end_byte)), key=lambda node: node.start_byte)
    if not deep:
        return None
    out, notes, at = [], [], 0
    for node in deep:
        out.append(source[at:node.start_byte])
        out.append(bytes(b if b in (10, 13) else 32 for b in source[node.start_byte:node.end_byte]))
        at = node.end_byte
        row, column = node.start_point
        notes.append(f"{row + 1}:{column + 1}: nested more than {MAX_DEPTH} levels deep; statement left out")
    out.append(source[at:])
    return b"".join(out), notes


def _recover(source: bytes, tree: ts.Tree) -> bytes | None:
    """Mid-edit text such as `value = a(1,` swallows the definitions after it
    into one error node. Blank the broken statement up to the next top-level
    `def`/`class`/decorator line (offsets unchanged) so they parse again."""
    for child in tree.root_node.children:
        if not (child.is_error or child.has_error) or child.start_point[0] == child.end_point[0]:
            continue
        first_line_end = source.find(b"\n", child.start_byte)
        match = _TOP_LEVEL_DEF.search(source, first_line_end + 1 if first_line_end >= 0 else child.end_byte, child.end_byte)
        if match is None:
            continue
        blanked = bytes(b if b in (10, 13) else 32 for b in source[child.start_byte:match.start()])
        return source[:child.start_byte] + blanked + source[match.start():]
    return None
