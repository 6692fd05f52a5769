"""Explanations by editor position (indexer/explain/at.py): what hover and
codemeld/explain call with a path, a 0-based line and a UTF-16 column."""

from __future__ import annotations

from indexer.explain import explain_at, hover_line, hover_summary, symbol_at
from tests.support import build

FILES = {
    "pkg/__init__.py": "",
    "pkg/money.py": 'def format_price(value: float) -> str:\n'
                    '    """Format a price with its currency."""\n'
                    '    return f"{value:.2f} EUR"\n',
    "pkg/shop.py": "from pkg.money import format_price\n\n\n"
                   "def receipt(amount):\n"
                   "    total = amount * 2\n"
                   "    return format_price(total)\n",
    "tests/test_shop.py": "from pkg.shop import receipt\n\n\ndef test_receipt():\n"
                          "    assert receipt(1) == '2.00 EUR'\n",
}


def test_symbol_at_definitions_uses_and_bodies(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    try:
        assert symbol_at(graph, "pkg/money.py", 0, 5).qualname == "pkg.money.format_price"  # the definition
        assert symbol_at(graph, "pkg/shop.py", 5, 12).qualname == "pkg.money.format_price"  # a call
        assert symbol_at(graph, "pkg/shop.py", 4, 0) is None  # indentation: no name
        assert symbol_at(graph, "pkg/shop.py", 4, 0, enclosing=True).qualname == "pkg.shop.receipt"
    finally:
        indexer.close()


def test_explain_at_and_hover_line(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    try:
        result = explain_at(graph, "pkg/shop.py", 5, 12)
        assert result.qualname == "pkg.money.format_price" and result.source == "structural"
        assert "pkg.shop.receipt" in result.markdown or "shop.receipt" in result.markdown
        assert explain_at(graph, "pkg/shop.py", 1, 0) is None  # a blank line at module level
        line = hover_line(graph, "pkg/shop.py", 5, 12)
        assert line == hover_summary(graph, "pkg.money.format_price")
        assert "Format a price with its currency" in line and "\n" not in line
        assert hover_line(graph, "pkg/shop.py", 4, 0) == ""  # hover never explains a body by accident
        assert hover_line(graph, "nowhere.py", 0, 0) == ""
    finally:
        indexer.close()
