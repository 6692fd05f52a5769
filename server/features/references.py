"""textDocument/references, honouring includeDeclaration and partialResultToken.

Locations go out as JSON text made from row tuples on the query thread
(`convert.location_items`, sent as is by `server.wire`): no Reference,
lsprotocol object or dict per use, and no cattrs walk of the answer. With a
partialResultToken the answer streams as `$/progress` pages, the first as
soon as it is read, and the response itself is empty, as the LSP spec asks
of partial results.
"""

import asyncio

from lsprotocol import types

from indexer.analysis import navigation
from server import convert, wire


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def references(ls, params: types.ReferenceParams):
        pos = params.position
        uri = params.text_document.uri
        located = ls.session.locate(uri)
        if located is None:
            return None
        root = located[0].root
        token = params.partial_result_token
        pages: list[str] = []
        if token is None:
            on_page = lambda spans: pages.append(convert.location_items(root, spans))  # noqa: E731
        else:
            loop = asyncio.get_running_loop()

            def on_page(spans) -> None:  # runs on the query thread; messages leave from the loop
                value = wire.array([convert.location_items(root, spans)])
                loop.call_soon_threadsafe(ls.protocol.notify, types.PROGRESS,
                                          types.ProgressParams(token=token, value=value))

        answer = await ls.session.at(uri, navigation.reference_span_pages, pos.line, pos.character,
                                     params.context.include_declaration, ls.options.minConfidence,
                                     ls.options.includeGuesses, on_page, navigation.REFERENCE_PAGE,
                                     token is not None)  # stream: read a few files at a time only when streaming
        if answer is None:
            return None
        if token is not None:
            return []
        return wire.array(pages)
