"""What call and type hierarchy share: finding the symbol an item stands for."""

from server import convert


async def for_item(ls, item, finder, fn, *args):
    """fn(graph, qualname, *args) for the symbol a hierarchy item (from
    prepare) stands for. The item's `data` names it; a client that dropped
    `data` gets it found again at the item's position with `finder`
    (`navigation.callables_at` or `classes_at`)."""
    target = convert.item_target(item.data)
    folder = ls.session.folder_by_root(target[0]) if target else None
    if folder is None:
        located = ls.session.locate(item.uri)
        if located is None:
            return None
        start = item.selection_range.start
        found = await ls.session.run(located[0], finder, located[1], start.line, start.character)
        if found is None or not found.value:
            return None
        folder, target = located[0], (None, found.value[0].qualname)
    return await ls.session.run(folder, fn, target[1], *args)
