"""workspace/symbol's candidate names (issue 17): the possessive
subsequence regex finds exactly the names a plain subsequence test finds,
case-insensitively as Python's `re` folds case (Kelvin sign, long s, dotted
I, final sigma), with regex metacharacters in the query, and in a real
index the search ranks them as before."""

from __future__ import annotations

import re

import pytest

from indexer.analysis import navigation
from tests.support import build

NAMES = ["Kelvin", "\u212aelvin", "kelvin", "ſtate", "State", "ıdx", "İdx", "idx", "Σigma", "σigma", "ςigma",
         "µs", "μs", "Straße", "STRASSE", "a-b", "a]b", "a^b", "a\\b", "x.y", "ǅemal", "ǆemal", "ﬁle", "file",
         "test_url_without_trailing_slash", "test_url", "tset_lru", "format_price", "FormatPrice", "fmt_p"]
QUERIES = ["kel", "\u212ael", "st", "ſt", "idx", "İd", "σig", "ςi", "µs", "ss", "ß", "a-b", "a]", "^b", "\\b", "x.",
           ".y", "ǅe", "ﬁl", "fl", "test_url_", "tstrl", "turl", "fp", "fmtp", "FoPr", "zz", "aa"]


def subsequence(query: str, name: str) -> bool:
    """The lazy regex the possessive one replaced: its matches are the definition."""
    pattern = "^[^\n]*?" + "[^\n]*?".join(map(re.escape, query)) + "[^\n]*$"
    return re.match(pattern, name, re.IGNORECASE) is not None


@pytest.mark.parametrize("query", QUERIES)
def test_possessive_pattern_finds_the_subsequence_matches(query):
    blob = "\n".join(NAMES)
    found = re.findall(navigation.subsequence_pattern(query), blob, re.IGNORECASE | re.MULTILINE)
    assert found == [name for name in NAMES if subsequence(query, name)]


def test_long_queries_and_ranking_in_an_index(tmp_path):
    files = {f"pkg/test_m{i}.py": "".join(f"def test_url_case_{i}_{j}(): pass\n" for j in range(40))
             for i in range(5)}
    files["pkg/urls.py"] = "def test_url_without_trailing_slash(): pass\nclass UrlWithoutTrailing: pass\n"
    indexer, graph = build(tmp_path, files)
    try:
        # a long query that fails late on hundreds of names sharing its prefix
        found = [m.symbol.name for m in navigation.search_symbols(graph, "test_url_without_trailing_", 50)]
        assert found == ["test_url_without_trailing_slash"]
        assert [m.symbol.name for m in navigation.search_symbols(graph, "UrlWT", 5)][:1] == ["UrlWithoutTrailing"]
        cases = navigation.search_symbols(graph, "tstrlcs3_", 500)  # fuzzy: a subsequence of 40 names
        assert sorted(m.symbol.name for m in cases) == sorted(f"test_url_case_3_{j}" for j in range(40))
    finally:
        indexer.close()


def test_typing_narrows_the_last_answer_and_an_update_starts_over(tmp_path):
    """Keystroke by keystroke, each answer equals a search from scratch (the
    last query's matches are searched when the new query extends it), and a
    name the index gains between keystrokes is found."""
    files = {"pkg/a.py": "def format_price(): pass\ndef fmt_p(): pass\nclass FormatPrinter: pass\n",
             "pkg/b.py": "def format_percent(): pass\ndef for_map(): pass\n"}
    indexer, graph = build(tmp_path, files)

    def fresh(query):
        navigation._LAST.clear()
        return [(m.symbol.qualname, m.score) for m in navigation.search_symbols(graph, query, 50)]

    try:
        typed = ["fo", "for", "form", "formp", "formpr", "formPR", "fo", "fmt", "fmt_", "xfmt", "f\nm"]
        expected = [fresh(q) for q in typed]
        navigation._LAST.clear()
        assert [[(m.symbol.qualname, m.score) for m in navigation.search_symbols(graph, q, 50)]
                for q in typed] == expected
        assert expected[3] and not expected[-1]
        assert navigation.search_symbols(graph, "form", 50)  # the cache now holds "form"'s matches
        (indexer.root / "pkg/c.py").write_text("def for_multiplier(): pass\n", encoding="utf-8")
        indexer.update_paths(["pkg/c.py"])
        assert "pkg.c.for_multiplier" in [m.symbol.qualname for m in navigation.search_symbols(graph, "formu", 50)]
    finally:
        indexer.close()
