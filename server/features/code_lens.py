"""textDocument/codeLens: "N references" and "N dependents · M tests" above
each class and function (the impact count is resolved when shown).

The lens command `codemeld.showReferences` is also a server command that
answers with the locations, for clients without a built-in equivalent.
"""

from lsprotocol import types

from indexer.analysis import navigation
from indexer.analysis.impact import impact_summary
from server import convert


def _summary(graph, path, qualname):
    return impact_summary(graph, qualname).text()


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=True))
    async def code_lens(ls, params: types.CodeLensParams):
        answer = await ls.session.at(params.text_document.uri, navigation.reference_counts, ls.options.minConfidence)
        if not answer:
            return None
        lenses = convert.code_lenses(answer.root, answer.value)
        return lenses + convert.impact_lenses(answer.root, [sym for sym, _count in answer.value])

    @server.feature(types.CODE_LENS_RESOLVE)
    async def resolve_lens(ls, lens: types.CodeLens):
        data = lens.data if isinstance(lens.data, dict) else {}
        if lens.command is not None or not data.get("impact") or not data.get("uri"):
            return lens
        answer = await ls.session.at(data["uri"], _summary, data["impact"])
        return convert.resolved_impact_lens(lens, answer.value if answer else "impact unavailable")

    @server.command(convert.SHOW_REFERENCES)
    async def show_references(ls, *args):
        if len(args) < 2 or not isinstance(args[0], str) or not isinstance(args[1], dict):
            return []
        line, character = args[1].get("line"), args[1].get("character")
        if not isinstance(line, int) or not isinstance(character, int):
            return []
        answer = await ls.session.at(args[0], navigation.references, line, character, False, ls.options.minConfidence)
        return convert.reference_locations(answer.root, answer.value) if answer else []
