"""codemeld/impact request and codemeld.impact command: the ImpactReport of
the symbol at a position, with the breaking changes of the document's
unsaved edits when it has any."""

from __future__ import annotations

from indexer.analysis.impact import DEFAULT_DEPTH, DEFAULT_LIMIT
from server import convert
from server.protocol import edge
from server.host.features import impact_with_breaking

IMPACT = "codemeld/impact"


def _report(graph, path, line, character, depth, limit, text, baseline, overlays):
    found = impact_with_breaking(graph, path, line, character, depth, limit, text, baseline, overlays)
    if found is None:
        return None
    return edge.impact_report(found.report, graph.root.as_uri(), found.breaking).wire()


def _int(value, default: int) -> int:
    return value if isinstance(value, int) and value > 0 else default


async def compute(ls, params) -> dict | None:
    params = convert.plain(params)
    at = convert.text_position(params)
    if at is None:
        return None
    uri, line, character = at
    document = ls.workspace.text_documents.get(uri)
    text = document.source.encode("utf-8") if document is not None else None
    answer = await ls.session.at(uri, _report, line, character, _int(params.get("depth"), DEFAULT_DEPTH),
                                 _int(params.get("limit"), DEFAULT_LIMIT), text, ls.session.baseline(uri),
                                 ls.session.open_texts(uri))
    return answer.value if answer else None


def register(server) -> None:
    @server.feature(IMPACT)
    async def impact_request(ls, params=None):
        return await compute(ls, params)

    @server.command(convert.IMPACT)
    async def impact_command(ls, *args):
        # Arguments: [uri, {line, character}] (code lenses) or [{textDocument, position}].
        args = [convert.plain(a) for a in args]
        if len(args) >= 2 and isinstance(args[0], str):
            return await compute(ls, {"textDocument": {"uri": args[0]}, "position": args[1]})
        return await compute(ls, args[0] if args else None)
