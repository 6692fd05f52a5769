"""Cursor paging for the CLI's long answers (`refs`, `impact`), the way the
MCP tools page (server/mcp_server/paging.py: an opaque cursor of the offset
plus a fingerprint of the question, refused when the question changed).
Without `--limit`/`--cursor` the commands print the whole answer as before."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

DEFAULT_LIMIT = 100

LimitOpt = Annotated[Optional[int], typer.Option(
    "--limit", min=1, help="Print one page of at most this many; the next page's --cursor goes to stderr (and JSON).")]
# impact's --limit already caps the closure itself
PageSizeOpt = Annotated[Optional[int], typer.Option(
    "--page-size", min=1, help="Print one page of at most this many dependents; --cursor continues.")]
CursorOpt = Annotated[Optional[str], typer.Option(
    "--cursor", help="The next_cursor of the previous page (same other arguments).")]


def paged(command: str, question: dict, items: list, limit: int | None, cursor: str | None) -> tuple[list, dict | None]:
    """(the page, its {total, offset, returned, next_cursor}); (items, None) when not paging."""
    if limit is None and cursor is None:
        return items, None
    from server.mcp_server.paging import CursorError, fingerprint, page  # pydantic models: only when paging

    try:
        chunk, info = page(items, limit or DEFAULT_LIMIT, cursor, fingerprint(command, question))
    except CursorError as exc:
        raise typer.BadParameter(str(exc), param_hint="--cursor") from exc
    return chunk, info.model_dump()


def footer(info: dict | None) -> str | None:
    """The stderr line under a text page."""
    if info is None:
        return None
    shown = f"{info['offset'] + 1}-{info['offset'] + info['returned']}" if info["returned"] else "none"
    more = f"; next page: --cursor {info['next_cursor']}" if info["next_cursor"] else "; last page"
    return f"{shown} of {info['total']}{more}"
