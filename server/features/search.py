"""Semantic search: the `codemeld/search` request and `codemeld.search` command.

Params: `{query, limit?, kind?, path?}` finds code by what it does;
`{similarTo: {textDocument, position}, limit?}` finds code like the symbol
at a position. Result: `[{symbol: Symbol, score, snippet}]`, best first
(DESIGN.md "Contracts"). The first search of a session waits for the
folder's first embedding run (the model loads in the background after the
graph is built); when the semantic index is off or cannot work, the
request fails with a message that says why.

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
    try:
        found = await features.search(ls.session, query, limit, kind, path_glob)
    except SemanticUnavailable as exc:
        raise SearchUnavailable(f"codemeld: {exc}") from exc
    return [result for root, hit in found for result in convert.search_results(root, [hit])]


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


def register(server) -> None:
    @server.feature(SEARCH)
    async def search_request(ls, params=None) -> list[dict]:
        return await answer(ls, params)

    @server.command(SEARCH_COMMAND)
    async def search_command(ls, *args) -> list[dict]:
        """Arguments: `query[, limit]`, or one params object as for the request."""
        if args and isinstance(args[0], str):
            return await answer(ls, {"query": args[0], "limit": args[1] if len(args) > 1 else None})
        return await answer(ls, args[0] if args else None)
