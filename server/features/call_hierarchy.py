"""Call hierarchy: prepare, incoming calls, outgoing calls (across files)."""

from lsprotocol import types

from indexer.analysis import navigation
from server import convert
from server.features.hierarchy import for_item
from server.features.partial import send_pages


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY)
    async def prepare(ls, params: types.CallHierarchyPrepareParams):
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, navigation.callables_at, pos.line, pos.character)
        return [convert.call_item(answer.root, s) for s in answer.value] or None if answer else None

    @server.feature(types.CALL_HIERARCHY_INCOMING_CALLS)
    async def incoming(ls, params: types.CallHierarchyIncomingCallsParams):
        answer = await for_item(ls, params.item, navigation.callables_at, navigation.incoming_calls, ls.options.minConfidence)
        if answer is None:
            return None
        calls = convert.incoming_calls(answer.root, answer.value)
        return calls if params.partial_result_token is None else send_pages(ls, params.partial_result_token, calls)

    @server.feature(types.CALL_HIERARCHY_OUTGOING_CALLS)
    async def outgoing(ls, params: types.CallHierarchyOutgoingCallsParams):
        answer = await for_item(ls, params.item, navigation.callables_at, navigation.outgoing_calls, ls.options.minConfidence)
        if answer is None:
            return None
        calls = convert.outgoing_calls(answer.root, answer.value)
        return calls if params.partial_result_token is None else send_pages(ls, params.partial_result_token, calls)

