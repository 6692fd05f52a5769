"""Call hierarchy: prepare, incoming calls, outgoing calls (across files).

Incoming calls can number tens of thousands (every test calling
`assertEqual`): they are read as rows and made into JSON text on the query
thread (`navigation.incoming_call_rows`, `convert.incoming_call_items`,
sent as is by server/wire.py), not as Symbols, lsprotocol objects and a
cattrs walk. With a partialResultToken they stream: each page of files'
callers goes out as a `$/progress` page as soon as it is read."""

import asyncio

from lsprotocol import types

from indexer.analysis import navigation
from server import convert, wire
from server.features.hierarchy import for_item
from server.features.partial import send_pages


def _incoming_items(graph, qualname: str, min_confidence: float, on_page=None) -> list[str]:
    """On the query thread: the callers' rows, made JSON text there too; with
    `on_page` (a partialResultToken) each page of them goes to it as read."""
    root = graph.root
    if on_page is None:
        return convert.incoming_call_items(root, navigation.incoming_call_rows(graph, qualname, min_confidence))
    navigation.incoming_call_row_pages(graph, qualname, min_confidence,
                                       lambda rows: on_page(wire.array(convert.incoming_call_items(root, rows))))
    return []


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY)
    async def prepare(ls, params: types.CallHierarchyPrepareParams):
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, navigation.callables_at, pos.line, pos.character)
        return [convert.call_item(answer.root, s) for s in answer.value] or None if answer else None

    @server.feature(types.CALL_HIERARCHY_INCOMING_CALLS)
    async def incoming(ls, params: types.CallHierarchyIncomingCallsParams):
        token = params.partial_result_token
        on_page = None
        if token is not None:
            loop = asyncio.get_running_loop()

            def on_page(value) -> None:  # runs on the query thread; messages leave from the loop
                loop.call_soon_threadsafe(ls.protocol.notify, types.PROGRESS, types.ProgressParams(token=token, value=value))

        answer = await for_item(ls, params.item, navigation.callables_at, _incoming_items, ls.options.minConfidence,
                                on_page)
        if answer is None:
            return None
        return wire.array(answer.value) if token is None else []

    @server.feature(types.CALL_HIERARCHY_OUTGOING_CALLS)
    async def outgoing(ls, params: types.CallHierarchyOutgoingCallsParams):
        answer = await for_item(ls, params.item, navigation.callables_at, navigation.outgoing_calls, ls.options.minConfidence)
        if answer is None:
            return None
        calls = convert.outgoing_calls(answer.root, answer.value)
        return calls if params.partial_result_token is None else send_pages(ls, params.partial_result_token, calls)

