"""The MCP tools' answer cache (`server/mcp_server/answers.py`) on a real
index: a next page reuses the whole answer; any index write (a file edited,
an unsaved buffer) drops it; the LRU stays inside its bounds."""

from __future__ import annotations

from indexer.analysis.navigation import find_reference_rows
from server.mcp_server.answers import AnswerCache
from tests.support import build

FILES = {
    "pkg/__init__.py": "",
    "pkg/core.py": "def helper(x):\n    return x\n",
    "pkg/use.py": "from pkg.core import helper\n\nhelper(1)\nhelper(2)\n",
}


def test_pages_reuse_the_answer_until_the_index_changes(tmp_path):
    indexer, graph = build(tmp_path, FILES)
    cache = AnswerCache()
    computed = []

    def answer():
        rows = find_reference_rows(graph, ["pkg.core.helper"])
        computed.append(rows)
        return rows, len(rows)

    first = cache.get(graph, "refs helper", answer)
    assert cache.get(graph, "refs helper", answer) is first and len(computed) == 1
    assert len(first) == 3  # the import and two calls

    (indexer.root / "pkg" / "use.py").write_text(FILES["pkg/use.py"] + "helper(3)\n")
    indexer.update_paths(["pkg/use.py"])
    again = cache.get(graph, "refs helper", answer)
    assert len(computed) == 2 and len(again) == 4  # a write drops it: the fresh answer

    indexer.update_source("pkg/use.py", (FILES["pkg/use.py"] + "helper(3)\nhelper(4)\n").encode())
    assert len(cache.get(graph, "refs helper", answer)) == 5 and len(computed) == 3
    assert (cache.hits, cache.misses) == (1, 3)


def test_bounded_by_answers_and_rows(tmp_path):
    _, graph = build(tmp_path, FILES)
    cache = AnswerCache(max_answers=2, max_rows=10)
    for key in "abc":
        cache.get(graph, key, lambda: (key, 4))
    assert list(cache._items) == ["b", "c"]  # the oldest went first
    cache.get(graph, "big", lambda: ("big", 11))  # larger than the bound: answered, not kept
    assert list(cache._items) == ["b", "c"]
    cache.get(graph, "d", lambda: ("d", 8))  # b went for the count; 4 + 8 rows > 10: c goes too
    assert list(cache._items) == ["d"]
