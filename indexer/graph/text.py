"""Columns, once: the index and LSP count UTF-16 code units; Python strings
count code points; tree-sitter counts UTF-8 bytes. Every conversion between
them lives here, so a non-ASCII line is handled the same way everywhere.
"""

from __future__ import annotations


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (a character outside the BMP counts 2)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def char_column(line_text: str, utf16_col: int) -> int:
    """UTF-16 column -> code-point column (what compilers and people count)."""
    if line_text.isascii():
        return utf16_col
    return len(line_text.encode("utf-16-le")[: utf16_col * 2].decode("utf-16-le", "ignore"))


def utf16_column(line_text: str, char_col: int) -> int:
    """Code-point column -> UTF-16 column (what LSP and the index use)."""
    return utf16_len(line_text[:char_col])


def split_at_utf16(line_text: str, utf16_col: int) -> tuple[str, str]:
    """The line cut in two at a UTF-16 column."""
    at = char_column(line_text, utf16_col)
    return line_text[:at], line_text[at:]


def utf16_of_utf8(line_bytes: bytes, byte_col: int) -> int:
    """UTF-8 byte column (tree-sitter) -> UTF-16 column."""
    prefix = line_bytes[:byte_col]
    return byte_col if prefix.isascii() else utf16_len(prefix.decode("utf-8", "replace"))


def utf8_of_utf16(line_text: str, utf16_col: int) -> int:
    """UTF-16 column -> UTF-8 byte column (to find a tree-sitter node)."""
    return len(line_text[: char_column(line_text, utf16_col)].encode("utf-8"))


class Columns:
    """One file's tree-sitter byte columns -> UTF-16 columns, for every
    language plugin; free for ASCII files (the common case)."""

    def __init__(self, source: bytes):
        self.ascii = source.isascii()
        self.lines = None if self.ascii else source.split(b"\n")
        # The rows that hold a non-ASCII byte: on every other row a byte
        # column is the UTF-16 column. (A fifth of the standard library's
        # bytes are in files with one; their ASCII rows took the slow path.)
        self.wide_rows = frozenset() if self.ascii else frozenset(
            row for row, line in enumerate(self.lines) if not line.isascii())

    def col(self, row: int, byte_col: int) -> int:
        if byte_col == 0 or row not in self.wide_rows:
            return byte_col
        return utf16_of_utf8(self.lines[row], byte_col)

    def span(self, node) -> tuple[int, int, int, int]:
        """(start row, start column, end row, end column) of a tree-sitter node."""
        if self.ascii:
            return (*node.start_point, *node.end_point)
        (sr, sc), (er, ec) = node.start_point, node.end_point
        wide = self.wide_rows
        if sr not in wide and er not in wide:
            return (sr, sc, er, ec)
        return (sr, self.col(sr, sc), er, self.col(er, ec))
