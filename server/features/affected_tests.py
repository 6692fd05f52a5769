"""codemeld/affectedTests: the tests affected by the current change (git's
uncommitted changes plus unsaved buffers), as pytest node ids the editor can
run ("Run affected tests"), each marked static, learned or both."""

from __future__ import annotations

from indexer.analysis.affected import select_for_editor
from server import convert

AFFECTED_TESTS = "codemeld/affectedTests"


def _selection(graph, path, overlays, git):
    from server.protocol import edge  # pydantic models: loaded on first use, not at each start
    selection = select_for_editor(graph, overlays, git)
    return edge.affected_tests(selection, graph.root.as_uri(), pytest_args=True).wire()


async def compute(ls, params) -> dict | None:
    params = convert.plain(params) or {}
    uri = (params.get("textDocument") or {}).get("uri")
    if uri is None and ls.session.folders:
        uri = ls.session.folders[0].root.as_uri()
    if uri is None:
        return None
    answer = await ls.session.at(uri, _selection, ls.session.open_texts(uri), params.get("git", True) is not False)
    return answer.value if answer else None


def register(server) -> None:
    @server.feature(AFFECTED_TESTS)
    async def affected_tests_request(ls, params=None):
        return await compute(ls, params)
