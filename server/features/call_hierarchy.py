"""Call hierarchy: prepare, incoming calls, outgoing calls (across files)."""

from lsprotocol import types

from indexer import navigation
from server import convert


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY)
    async def prepare(ls, params: types.CallHierarchyPrepareParams):
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, navigation.callables_at, pos.line, pos.character)
        return [convert.call_item(answer.root, s) for s in answer.value] or None if answer else None

    @server.feature(types.CALL_HIERARCHY_INCOMING_CALLS)
    async def incoming(ls, params: types.CallHierarchyIncomingCallsParams):
        answer = await _for_item(ls, params.item, navigation.incoming_calls)
        return convert.incoming_calls(answer.root, answer.value) if answer else None

    @server.feature(types.CALL_HIERARCHY_OUTGOING_CALLS)
    async def outgoing(ls, params: types.CallHierarchyOutgoingCallsParams):
        answer = await _for_item(ls, params.item, navigation.outgoing_calls)
        return convert.outgoing_calls(answer.root, answer.value) if answer else None


async def _for_item(ls, item, fn):
    """fn(graph, qualname) for the symbol an item (from prepare) stands for."""
    target = convert.item_target(item.data)
    folder = ls.session.folder_by_root(target[0]) if target else None
    if folder is None:  # the client dropped `data`: find the symbol by position
        located = ls.session.locate(item.uri)
        if located is None:
            return None
        start = item.selection_range.start
        found = await ls.session.run(located[0], navigation.callables_at, located[1], start.line, start.character)
        if found is None or not found.value:
            return None
        folder, target = located[0], (None, found.value[0].qualname)
    return await ls.session.run(folder, fn, target[1], ls.options.minConfidence)
