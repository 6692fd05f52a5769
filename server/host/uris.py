"""file: URIs <-> paths for the host, without any LSP library: every front
door (LSP, MCP, CLI) addresses documents by URI or path, and the host must
not depend on one transport's toolkit to read them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit


def uri_to_path(uri: str) -> Path | None:
    """An absolute, resolved file path; None for non-file URIs (untitled:, git:)
    and malformed ones (a client's bug is not a reason to crash)."""
    if not isinstance(uri, str) or not uri.startswith("file:"):
        return None
    try:
        parts = urlsplit(uri)
        path = unquote(parts.path)
        if parts.netloc and parts.netloc != "localhost":
            path = f"//{parts.netloc}{path}"  # UNC share
        if not path:
            return None
        return Path(path).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
