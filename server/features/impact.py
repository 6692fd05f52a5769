"""codemeld/impact request and codemeld.impact command: the ImpactReport of
the symbol at a position, with the breaking changes of the document's
unsaved edits when it has any."""

from __future__ import annotations

import asyncio
import dataclasses

from lsprotocol import types

from indexer.analysis.impact import DEFAULT_LIMIT
from server import convert, wire
from server.host.features import impact_with_breaking

IMPACT = "codemeld/impact"
PAGE = 500  # dependents per $/progress page under a partialResultToken


def _report(graph, path, line, character, depth, limit, text, baseline, overlays, on_page=None):
    """The report's wire form. With `on_page` (a partialResultToken), the
    dependents go to it in pages of `PAGE`, converted one page at a time on
    this query thread, and the report comes back with `dependents: []`
    (its summary still counts them all). The first page leaves as soon as
    the walk ends, before the tests are looked for (impact's `on_dependents`)."""
    from server.protocol import edge  # pydantic models: loaded on first use, not at each start
    root_uri = graph.root.as_uri()
    dialects: dict = {}
    sent = 0

    def first_page(dependents) -> None:
        nonlocal sent
        if dependents:
            sent = min(PAGE, len(dependents))
            on_page(wire.encoded([edge.dependent_wire(d, root_uri, dialects) for d in dependents[:sent]]))

    found = impact_with_breaking(graph, path, line, character, depth, limit, text, baseline, overlays,
                                 first_page if on_page is not None else None)
    if found is None:
        return None
    # Plain dicts (edge.*_wire: what the models' .wire() gives, without
    # building thousands of models), encoded here: pygls sends the text as is.
    if on_page is None:
        return wire.encoded(edge.impact_report_wire(found.report, root_uri, found.breaking))
    dependents = found.report.dependents
    for start in range(sent, len(dependents), PAGE):
        on_page(wire.encoded([edge.dependent_wire(d, root_uri, dialects) for d in dependents[start:start + PAGE]]))
    report = edge.impact_report_wire(dataclasses.replace(found.report, dependents=()), root_uri, found.breaking)
    report["summary"]["dependents"] = len(dependents)
    return wire.encoded(report)


def _int(value, default: int | None) -> int | None:
    return value if isinstance(value, int) and value > 0 else default


async def compute(ls, params) -> wire.Encoded | None:
    params = convert.plain(params)
    at = convert.text_position(params)
    if at is None:
        return None
    uri, line, character = at
    document = ls.workspace.text_documents.get(uri)
    text = document.source.encode("utf-8") if document is not None else None
    token = params.get("partialResultToken")
    on_page = None
    if token is not None:
        loop = asyncio.get_running_loop()

        def on_page(value) -> None:  # runs on the query thread; messages leave from the loop
            loop.call_soon_threadsafe(ls.protocol.notify, types.PROGRESS, types.ProgressParams(token=token, value=value))

    answer = await ls.session.at(uri, _report, line, character, _int(params.get("depth"), None),
                                 _int(params.get("limit"), DEFAULT_LIMIT), text, ls.session.baseline(uri),
                                 ls.session.open_texts(uri), on_page)
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
