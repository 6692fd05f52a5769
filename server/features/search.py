"""Semantic search: the `codemeld/search` request and `codemeld.search` command.

Params: `{query, limit?, kind?, path?}` finds code by what it does;
`{similarTo: {textDocument, position}, limit?}` finds code like the symbol
at a position. Result: `[{symbol: Symbol, score, snippet}]`, best first
(DESIGN.md "Contracts"), each with `source`: "semantic", or "text" while
the folder's first embedding run is still going (the model loads in the
background after the graph is built): then the graph answers at once from
names, qualified names and docstrings (`indexer.analysis.text_search`). `similarTo`
waits for the first run. When the semantic index is off or cannot work,
the request fails with a message that says why; that expected failure is
logged as one line, not as an error with a traceback.

The host owns the embedding service and merges the folders' hits
(server/host/features.py); this module converts params and results.
"""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from indexer.semantic import SemanticUnavailable
from server import convert
from server.host import features

log = logging.getLogger(__name__)

SEARCH = "codemeld/search"
SEARCH_COMMAND = "codemeld.search"
DEFAULT_LIMIT = 20
MAX_LIMIT = 200
_REQUEST_FAILED = -32803  # LSP ErrorCodes.RequestFailed


class SearchUnavailable(JsonRpcException):
    CODE = _REQUEST_FAILED


# -- queries: merged over the folders by the host (server/host/features.py) --------


async def search(ls, query: str, limit: int = DEFAULT_LIMIT, kind=None, path_glob: str | None = None) -> list[dict]:
    """Every folder's hits, merged by score; a folder whose embeddings are
    still being built answers by text (`"source": "text"`)."""
    try:
        found = await features.search(ls.session, query, limit, kind, path_glob)
    except SemanticUnavailable as exc:
        raise SearchUnavailable(f"codemeld: {exc}") from exc
    return [result for root, hit, source in found for result in convert.search_results(root, [hit], source)]


async def similar(ls, uri: str, line: int, character: int, limit: int = DEFAULT_LIMIT, kind=None,
                  path_glob: str | None = None) -> list[dict]:
    try:
        found = await features.similar(ls.session, uri, line, character, limit, kind, path_glob)
    except SemanticUnavailable as exc:
        raise SearchUnavailable(f"codemeld: {exc}") from exc
    return convert.search_results(*found) if found else []


# -- the request and the command -------------------------------------------------------


def _limit(value) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return min(value, MAX_LIMIT)
    return DEFAULT_LIMIT


async def answer(ls, params) -> list[dict]:
    p = convert.plain(params)
    if isinstance(p, str):
        p = {"query": p}
    if not isinstance(p, dict):
        raise JsonRpcInvalidParams("codemeld/search takes {query, limit} or {similarTo: {textDocument, position}}")
    limit = _limit(p.get("limit"))
    kind = p.get("kind") if isinstance(p.get("kind"), (str, list)) else None
    path_glob = p.get("path") if isinstance(p.get("path"), str) else None
    if p.get("similarTo") is not None:
        at = convert.text_position(p["similarTo"])
        if at is None:
            raise JsonRpcInvalidParams("similarTo must be {textDocument: {uri}, position: {line, character}}")
        return await similar(ls, *at, limit=limit, kind=kind, path_glob=path_glob)
    query = p.get("query")
    if not isinstance(query, str):
        raise JsonRpcInvalidParams("codemeld/search takes {query, limit} or {similarTo: {textDocument, position}}")
    if not query.strip():
        return []
    return await search(ls, query, limit, kind, path_glob)


class _ExpectedFailures(logging.Filter):
    """pygls logs every failed request with a traceback at ERROR; a search
    refused because the semantic index is off is an expected answer."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, SearchUnavailable):
            log.info("search refused: %s", exc)
            return False
        return True


def register(server) -> None:
    logging.getLogger("pygls.protocol.json_rpc").addFilter(_ExpectedFailures())

    @server.feature(SEARCH)
    async def search_request(ls, params=None) -> list[dict]:
        return await answer(ls, params)

    @server.command(SEARCH_COMMAND)
    async def search_command(ls, *args) -> list[dict]:
        """Arguments: `query[, limit]`, or one params object as for the request."""
        if args and isinstance(args[0], str):
            return await answer(ls, {"query": args[0], "limit": args[1] if len(args) > 1 else None})
        return await answer(ls, args[0] if args else None)
