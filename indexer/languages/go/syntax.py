"""Go syntax: the grammar wheel, the definitions query, the parser, columns."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import tree_sitter as ts
import tree_sitter_go as tsgo

from indexer.graph.text import Columns  # noqa: F401 (the plugin reads it from here)

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"


@lru_cache(maxsize=1)
def language() -> ts.Language:
    return ts.Language(tsgo.language())


@lru_cache(maxsize=1)
def defs_query() -> ts.Query:
    return ts.Query(language(), (QUERY_DIR / "go-defs.scm").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def parser() -> ts.Parser:
    return ts.Parser(language())


def text(node: ts.Node | None) -> str:
    return "" if node is None else node.text.decode("utf-8", "replace")


def string_value(node: ts.Node | None) -> str | None:
    """The value of a Go string literal node ("..." or `...`), escapes kept."""
    if node is None or node.type not in ("interpreted_string_literal", "raw_string_literal"):
        return None
    raw = text(node)
    return raw[1:-1] if len(raw) >= 2 else None
