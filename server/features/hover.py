"""textDocument/hover: signature, a model's one-line explanation when one is
cached, the docstring as markdown, where defined and one line of counts
(`indexer.hover_text.render_hover`)."""

from lsprotocol import types

from indexer import navigation
from indexer.explain import hover_line
from server import convert
from server.features.explain import hover_model


def _hover(graph, path, line, character, min_confidence, model):
    info = navigation.hover(graph, path, line, character, min_confidence)
    if info is None:
        return None
    explanation = ""
    if info.references <= navigation.HOVER_DETAIL_LIMIT:  # keep hovers on hugely used names fast
        try:
            explanation = hover_line(graph, path, line, character, model, brief=True)
        except Exception:  # an explanation is a bonus: never lose the hover over it
            explanation = ""
    return info, explanation


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls, params: types.HoverParams):
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, _hover, pos.line, pos.character,
                                     ls.options.minConfidence, hover_model(ls))
        if not answer or answer.value is None:
            return None
        info, explanation = answer.value
        return convert.hover(info, explanation)
