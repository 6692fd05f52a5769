"""Semantic search: the `codemeld/search` request and `codemeld.search` command.

Params: `{query, limit?, kind?, path?}` finds code by what it does;
`{similarTo: {textDocument, position}, limit?}` finds code like the symbol
at a position. Result: `[{symbol: Symbol, score, snippet}]`, best first
(DESIGN.md "Contracts"), each with `source`: "semantic", or "text" while
the folder's first embedding run is still going (the model loads in the
background after the graph is built): then the graph answers at once from
names, qualified names and docstrings (`indexer.text_search`). `similarTo`
waits for the first run. When the semantic index is off or cannot work,
the request fails with a message that says why; that expected failure is
logged as one line, not as an error with a traceback.

Also here: the embedding service's lifecycle (`start`, `attach`, `detach`;
see `server/semantic.py`) and the phrase fallback of workspace/symbol.
"""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from indexer.semantic import SemanticUnavailable
from server import convert
from server.progress import PlainProgress
from server.workspace import in_daemon_thread

log = logging.getLogger(__name__)

SEARCH = "codemeld/search"
SEARCH_COMMAND = "codemeld.search"
DEFAULT_LIMIT = 20
MAX_LIMIT = 200
_REQUEST_FAILED = -32803  # LSP ErrorCodes.RequestFailed


class SearchUnavailable(JsonRpcException):
    CODE = _REQUEST_FAILED


# -- lifecycle -------------------------------------------------------------------


def start(ls) -> None:
    """Create the session's embedding service (unless switched off) and
    attach every folder; call before the first graph run starts."""
    if not ls.options.embeddings or ls.session.semantic is not None:
        return
    from server.semantic import SemanticService

    loop = asyncio.get_running_loop()

    def notify(message: str) -> None:  # from the embed thread
        params = types.ShowMessageParams(type=types.MessageType.Warning, message=message)
        loop.call_soon_threadsafe(ls.window_show_message, params)

    def progress(title: str):  # from the embed thread: create the token on the loop, wait for it
        future = asyncio.run_coroutine_threadsafe(PlainProgress.start(ls, title, "loading"), loop)
        return future.result(timeout=10)

    try:
        ls.session.semantic = SemanticService(ls.options, notify, progress)
    except Exception as exc:  # numpy missing...: graph features carry on
        log.warning("semantic index unavailable: %s", exc)
        ls.window_show_message(types.ShowMessageParams(
            type=types.MessageType.Warning, message=f"codemeld: semantic search is off: {exc}"))
        return
    for folder in ls.session.folders:
        ls.session.semantic.attach(folder)


def attach(ls, folder) -> None:
    if ls.session.semantic is not None:
        ls.session.semantic.attach(folder)


def detach(ls, folder) -> None:
    if ls.session.semantic is not None:
        ls.session.semantic.detach(folder)


def saved(ls, uri: str) -> None:
    """didSave: re-embed the folder's changed files after a quiet second."""
    if ls.session.semantic is not None:
        located = ls.session.locate(uri)
        if located is not None:
            ls.session.semantic.saved(located[0])


# -- queries (run on the session's query threads) ----------------------------------


def _search(graph, state, query: str, limit: int, kind, path_glob):
    try:
        return state.index.search(query, limit, kind=kind, path_glob=path_glob)
    except SemanticUnavailable:  # nothing embedded in this folder (no Python files)
        return []


def _similar(graph, path: str, line: int, character: int, state, limit: int, kind, path_glob):
    from indexer.explain import symbol_at

    sym = symbol_at(graph, path, line, character, enclosing=True)
    if sym is None:
        return []
    try:
        return state.index.similar_to(sym.qualname, limit, kind=kind, path_glob=path_glob)
    except SemanticUnavailable:
        return []


async def _ready(ls, folder):
    """The folder's semantic state after its first embedding run."""
    service = ls.session.semantic
    if service is None:
        raise SemanticUnavailable("semantic search is switched off (initialization option embeddings: false)")
    return await in_daemon_thread(service.wait_first_run, folder)


def _now_state(ls, folder):
    """The folder's semantic state when it can answer now; None while its
    first embedding is still being built (then the graph answers, by text).
    Raises SemanticUnavailable when semantic search is off or cannot work."""
    from server.semantic import UNAVAILABLE

    service = ls.session.semantic
    if service is None:
        raise SemanticUnavailable("semantic search is switched off (initialization option embeddings: false)")
    state = service.state_of(folder)
    if state is None:
        raise SemanticUnavailable("semantic search is off for this folder")
    if state.state == UNAVAILABLE:
        raise SemanticUnavailable(state.error or "the semantic index is unavailable")
    return state if state.first_done.is_set() else None


async def search(ls, query: str, limit: int = DEFAULT_LIMIT, kind=None, path_glob: str | None = None) -> list[dict]:
    """Every folder's hits, merged by score. A folder whose embeddings are
    still being built answers at once from names, qualified names and
    docstrings; its hits say `"source": "text"`."""
    from indexer.text_search import text_search

    found, errors = [], []
    for folder in list(ls.session.folders):
        try:
            state = _now_state(ls, folder)
        except SemanticUnavailable as exc:
            errors.append(str(exc))
            continue
        if state is None:
            answer, source = await ls.session.run(folder, text_search, query, limit, kind, path_glob), "text"
        else:
            answer, source = await ls.session.run(folder, _search, state, query, limit, kind, path_glob), "semantic"
        if answer is not None:
            found.extend((hit.score, answer.root, hit, source) for hit in answer.value)
    if errors and not found and len(errors) == len(ls.session.folders):
        raise SearchUnavailable(f"codemeld: {errors[0]}")
    found.sort(key=lambda t: -t[0])
    return [result for _, root, hit, source in found[:limit]
            for result in convert.search_results(root, [hit], source)]


async def similar(ls, uri: str, line: int, character: int, limit: int = DEFAULT_LIMIT, kind=None,
                  path_glob: str | None = None) -> list[dict]:
    located = ls.session.locate(uri)
    if located is None:
        return []
    folder, path = located
    try:
        state = await _ready(ls, folder)
    except SemanticUnavailable as exc:
        raise SearchUnavailable(f"codemeld: {exc}") from exc
    answer = await ls.session.run(folder, _similar, path, line, character, state, limit, kind, path_glob)
    return convert.search_results(answer.root, answer.value) if answer else []


async def phrase_matches(ls, query: str, limit: int) -> list[tuple]:
    """workspace/symbol fallback: (score, root, Symbol) of semantic hits when
    the query reads as a phrase; [] otherwise or while no folder is embedded
    (workspace/symbol never waits for the model)."""
    service = ls.session.semantic
    if service is None:
        return []
    from indexer.semantic.search import is_phrase

    if not is_phrase(query):
        return []
    out = []
    for folder in list(ls.session.folders):
        state = service.state_of(folder)
        if state is None or not state.ready():
            continue
        answer = await ls.session.run(folder, _search, state, query, limit, None, None)
        if answer is not None:
            out.extend((hit.score, answer.root, hit.symbol) for hit in answer.value)
    out.sort(key=lambda t: -t[0])
    return out[:limit]


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
