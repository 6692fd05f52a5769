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
