"""Cursor paging for long answers. A cursor is opaque to the agent: the
offset plus a fingerprint of the question, so a cursor is refused when the
other arguments changed (it would page through a different answer)."""

from __future__ import annotations

import base64
import hashlib
import json

from server.mcp_server.models import Page


class CursorError(ValueError):
    pass


def fingerprint(tool: str, args: dict) -> str:
    blob = json.dumps([tool, {k: v for k, v in sorted(args.items()) if k not in ("cursor", "limit")}],
                      default=str, sort_keys=True)
    return hashlib.blake2b(blob.encode(), digest_size=6).hexdigest()


def encode(offset: int, key: str) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{key}".encode()).decode().rstrip("=")


def decode(cursor: str | None, key: str) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        offset_text, cursor_key = raw.split(":", 1)
        offset = int(offset_text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CursorError("invalid cursor: pass the next_cursor of the previous page unchanged") from exc
    if cursor_key != key or offset < 0:
        raise CursorError("this cursor belongs to a different question: repeat the same arguments with it")
    return offset


def page(items: list, limit: int, cursor: str | None, key: str) -> tuple[list, Page]:
    offset = decode(cursor, key)
    chunk = items[offset:offset + limit]
    end = offset + len(chunk)
    return chunk, Page(total=len(items), offset=offset, returned=len(chunk),
                       next_cursor=encode(end, key) if end < len(items) else None)
