"""Type hierarchy: prepare, supertypes (direct bases), subtypes (direct subclasses)."""

from lsprotocol import types

from indexer import navigation
from server import convert


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_PREPARE_TYPE_HIERARCHY)
    async def prepare(ls, params: types.TypeHierarchyPrepareParams):
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, navigation.classes_at, pos.line, pos.character)
        return [convert.type_item(answer.root, s) for s in answer.value] or None if answer else None

    @server.feature(types.TYPE_HIERARCHY_SUPERTYPES)
    async def supertypes(ls, params: types.TypeHierarchySupertypesParams):
        answer = await _for_item(ls, params.item, navigation.supertypes)
        return [convert.type_item(answer.root, s) for s in answer.value] if answer else None

    @server.feature(types.TYPE_HIERARCHY_SUBTYPES)
    async def subtypes(ls, params: types.TypeHierarchySubtypesParams):
        answer = await _for_item(ls, params.item, navigation.subtypes)
        return [convert.type_item(answer.root, s) for s in answer.value] if answer else None


async def _for_item(ls, item, fn):
    target = convert.item_target(item.data)
    folder = ls.session.folder_by_root(target[0]) if target else None
    if folder is None:  # the client dropped `data`: find the class by position
        located = ls.session.locate(item.uri)
        if located is None:
            return None
        start = item.selection_range.start
        found = await ls.session.run(located[0], navigation.classes_at, located[1], start.line, start.character)
        if found is None or not found.value:
            return None
        folder, target = located[0], (None, found.value[0].qualname)
    return await ls.session.run(folder, fn, target[1])
