"""Call hierarchy: prepare, incoming calls, outgoing calls (across files).

Incoming calls can number tens of thousands (every test calling
`assertEqual`): they are read as rows and made into JSON text on the query
thread (`navigation.incoming_call_rows`, `convert.incoming_call_items`,
sent as is by server/wire.py), not as Symbols, lsprotocol objects and a
cattrs walk."""

from lsprotocol import types

from indexer.analysis import navigation
from server import convert, wire
from server.features.hierarchy import for_item
from server.features.partial import send_encoded_pages, send_pages


def _incoming_items(graph, qualname: str, min_confidence: float) -> list[str]:
    """On the query thread: the callers' rows, made JSON text there too."""
    return convert.incoming_call_items(graph.root, navigation.incoming_call_rows(graph, qualname, min_confidence))


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY)
    async def prepare(ls, params: types.CallHierarchyPrepareParams):
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, navigation.callables_at, pos.line, pos.character)
        return [convert.call_item(answer.root, s) for s in answer.value] or None if answer else None

    @server.feature(types.CALL_HIERARCHY_INCOMING_CALLS)
    async def incoming(ls, params: types.CallHierarchyIncomingCallsParams):
        answer = await for_item(ls, params.item, navigation.callables_at, _incoming_items, ls.options.minConfidence)
        if answer is None:
            return None
        if params.partial_result_token is None:
            return wire.array(answer.value)
        return send_encoded_pages(ls, params.partial_result_token, answer.value)

    @server.feature(types.CALL_HIERARCHY_OUTGOING_CALLS)
    async def outgoing(ls, params: types.CallHierarchyOutgoingCallsParams):
        answer = await for_item(ls, params.item, navigation.callables_at, navigation.outgoing_calls, ls.options.minConfidence)
        if answer is None:
            return None
        calls = convert.outgoing_calls(answer.root, answer.value)
        return calls if params.partial_result_token is None else send_pages(ls, params.partial_result_token, calls)

