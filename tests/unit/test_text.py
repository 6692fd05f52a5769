"""Column conversions (indexer/graph/text.py), text in, columns out."""

import pytest

from indexer.graph.text import char_column, split_at_utf16, utf16_column, utf16_len, utf16_of_utf8, utf8_of_utf16

# line, a code-point column, the same column in UTF-16 units and in UTF-8 bytes
CASES = [
    ("plain = 1", 5, 5, 5),
    ("café = 1", 4, 4, 5),          # é: 1 unit, 2 bytes
    ("x = '😀' + y", 8, 9, 11),      # 😀: 2 units (surrogate pair), 4 bytes
    ("名前 = value", 2, 2, 6),        # CJK: 1 unit, 3 bytes each
    ("", 0, 0, 0),
]


@pytest.mark.parametrize("line,chars,units,octets", CASES)
def test_columns_round_trip(line, chars, units, octets):
    assert utf16_column(line, chars) == units
    assert char_column(line, units) == chars
    assert utf16_of_utf8(line.encode(), octets) == units
    assert utf8_of_utf16(line, units) == octets
    assert split_at_utf16(line, units) == (line[:chars], line[chars:])


def test_lengths_count_surrogate_pairs_twice():
    assert utf16_len("a😀b") == 4
    assert utf16_len("abc") == 3


def test_a_column_inside_a_surrogate_pair_does_not_raise():
    line = "😀x"
    assert char_column(line, 1) == 0
    assert split_at_utf16(line, 1) == ("", "😀x")


def test_columns_of_a_mixed_file_match_the_per_line_conversion():
    """A file with some non-ASCII lines: every row's columns (ASCII rows take
    a shortcut) equal the UTF-8 -> UTF-16 conversion of that row, as do the
    spans of its parsed identifiers."""
    from indexer.graph.text import Columns
    from indexer.languages.python.syntax import parser

    source = "a = 1\nnom = 'é𝄞'; x = nom\n# ü\nb = a\n  ü = 2; y = ü\n".encode()
    cols = Columns(source)
    lines = source.split(b"\n")
    for row, line in enumerate(lines):
        for byte_col in range(len(line) + 1):
            assert cols.col(row, byte_col) == utf16_of_utf8(line, byte_col)

    def identifiers(node):
        if node.type == "identifier":
            yield node
        for child in node.children:
            yield from identifiers(child)

    for node in identifiers(parser().parse(source).root_node):
        (sr, sc), (er, ec) = node.start_point, node.end_point
        assert cols.span(node) == (sr, utf16_of_utf8(lines[sr], sc), er, utf16_of_utf8(lines[er], ec))
