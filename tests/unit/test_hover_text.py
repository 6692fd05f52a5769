"""Hover text and full-text search over the graph: data in, text out."""

from __future__ import annotations

import pytest

from indexer.analysis.hover_text import docstring_markdown, format_signature, render_hover
from indexer.analysis.text_search import query_words, text_search
from tests.support import build
from server.protocol import edge

LONG = ("def echo( message: t.Optional[t.Any] = None, file: t.Optional[t.IO[t.Any]] = None, nl: bool = True, "
        "err: bool = False, color: t.Optional[bool] = None, ) -> None")


@pytest.mark.parametrize("signature, expected", [
    ("def f(a, b) -> int", "def f(a, b) -> int"),
    ("def f( a, b, )", "def f(a, b)"),
    (LONG, "def echo(\n    message: t.Optional[t.Any] = None,\n    file: t.Optional[t.IO[t.Any]] = None,\n"
           "    nl: bool = True,\n    err: bool = False,\n    color: t.Optional[bool] = None,\n) -> None"),
    ("def g(self, mapping: dict[str, tuple[int, int]] = {'a,b': (1, 2)}, *args, key: str = ')', **kw) -> None",
     "def g(\n    self,\n    mapping: dict[str, tuple[int, int]] = {'a,b': (1, 2)},\n    *args,\n"
     "    key: str = ')',\n    **kw,\n) -> None"),
    # An escaped quote inside a default: still inside the string, so its ')' and ',' count for nothing.
    ("def h(open: str = '\\'(', close: str = '\\')', sep: str = ',', width: int = 80, pad: bool = False) -> str",
     "def h(\n    open: str = '\\'(',\n    close: str = '\\')',\n    sep: str = ',',\n    width: int = 80,\n"
     "    pad: bool = False,\n) -> str"),
])
def test_format_signature(signature, expected):
    assert format_signature(signature) == expected


def test_rest_roles_become_markdown():
    doc = ("Print a message. Use instead of :func:`print`.\n\n:param message: The text.\n"
           ":param nl: Add a newline.\n\n.. versionchanged:: 8.0\n    Unicode on Windows.\n")
    md = docstring_markdown(doc)
    assert ":func:" not in md and "`print`" in md
    assert "- `message`: The text." in md and ":param" not in md
    assert "*Changed in 8.0*" in md and ".. versionchanged" not in md
    assert docstring_markdown("Plain text, nothing to convert.") == "Plain text, nothing to convert."


def test_hover_says_each_thing_once(tmp_path):
    _, graph = build(tmp_path, {"m.py": '''
        def total(items):
            """Sum of the prices.

            :param items: the line items.
            """
            return sum(items)
        '''})
    sym = graph.symbol("m.total")
    text = render_hover(sym, 3, 2, "2 direct dependents in 2 files · 1 direct test")
    assert text.count("Sum of the prices.") == 1
    assert text.endswith("3 references in 2 files · 2 direct dependents in 2 files · 1 direct test")
    assert "`m.py:1`" in text


SHOP = {
    "shop/utils.py": '''
        def format_price(value):
            """Format a price with its currency, two decimals."""
            return f"{value:.2f} EUR"

        def parse_config(path):
            """Read the settings file."""
        ''',
    "shop/models.py": '''
        class Product:
            """A thing for sale, with a price."""
            def total(self):
                return 1
        ''',
    "tests/test_utils.py": '''
        from shop.utils import format_price

        def test_format_price():
            assert format_price(1) == "1.00 EUR"
        ''',
}


def test_query_words_drop_stop_words_and_stem():
    assert query_words("format a price with the currency")[:2] == ["format", "price"]
    assert len(query_words("format a price with the currency")) == 3
    assert query_words("Formatting prices") == query_words("format price") == ["format", "price"]


@pytest.mark.parametrize("query, first", [
    ("format a price with currency", "shop.utils.format_price"),
    ("settings file", "shop.utils.parse_config"),
    ("thing for sale", "shop.models.Product"),
    ("test format price", "tests.test_utils.test_format_price"),
])
def test_text_search_ranks_names_then_docstrings(tmp_path, query, first):
    _, graph = build(tmp_path, SHOP)
    hits = text_search(graph, query, 5)
    assert hits[0].symbol.qualname == first
    assert edge.search_result(hits[0], None).wire()["source"] == "text"


def test_text_search_filters_and_empty_queries(tmp_path):
    _, graph = build(tmp_path, SHOP)
    assert text_search(graph, "the a of", 5) == []
    assert [h.symbol.kind for h in text_search(graph, "price", 10, kind="class")] == ["class"]
    assert {h.symbol.path for h in text_search(graph, "price", 10, path_glob="tests/*")} == {"tests/test_utils.py"}


def test_code_lenses_skip_dunders_and_tests(tmp_path):
    from indexer.analysis.navigation import reference_counts

    _, graph = build(tmp_path, {
        "m.py": '''
            class Money:
                def __init__(self, cents):
                    self.cents = cents

                def __eq__(self, other):
                    return self.cents == other.cents

                def euros(self):
                    return self.cents / 100
            ''',
        "tests/test_m.py": '''
            from m import Money

            def test_euros():
                assert Money(100).euros() == 1
            ''',
    })
    assert [s.qualname for s, _ in reference_counts(graph, "m.py")] == ["m.Money", "m.Money.euros"]
    assert reference_counts(graph, "tests/test_m.py") == []
