"""Type hierarchy: prepare, supertypes (direct bases), subtypes (direct subclasses)."""

from lsprotocol import types

from indexer.analysis import navigation
from server import convert
from server.features.hierarchy import for_item


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_PREPARE_TYPE_HIERARCHY)
    async def prepare(ls, params: types.TypeHierarchyPrepareParams):
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, navigation.classes_at, pos.line, pos.character)
        return [convert.type_item(answer.root, s) for s in answer.value] or None if answer else None

    @server.feature(types.TYPE_HIERARCHY_SUPERTYPES)
    async def supertypes(ls, params: types.TypeHierarchySupertypesParams):
        answer = await for_item(ls, params.item, navigation.classes_at, navigation.supertypes)
        return [convert.type_item(answer.root, s) for s in answer.value] if answer else None

    @server.feature(types.TYPE_HIERARCHY_SUBTYPES)
    async def subtypes(ls, params: types.TypeHierarchySubtypesParams):
        answer = await for_item(ls, params.item, navigation.classes_at, navigation.subtypes)
        return [convert.type_item(answer.root, s) for s in answer.value] if answer else None

