"""textDocument/hover: signature, a model's one-line explanation when one is
cached, the docstring as markdown, where defined and one line of counts
(`indexer.analysis.hover_text.render_hover`; composed by the host:
`server.host.features.hover`)."""

from lsprotocol import types

from server import convert
from server.features.explain import hover_model
from server.host import features


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls, params: types.HoverParams):
        pos = params.position
        answer = await ls.session.at(params.text_document.uri, features.hover, pos.line, pos.character,
                                     ls.options.minConfidence, hover_model(ls))
        if not answer or answer.value is None:
            return None
        info, explanation = answer.value
        return convert.hover(info, explanation)
