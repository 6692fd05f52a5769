"""User input quoted back in errors and logs, bounded: a 5 MB symbol name
must not become a 5 MB error message (or log line)."""

from __future__ import annotations

ECHO_LIMIT = 200  # characters of the input quoted back


def bounded(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` itself when short; else its first `limit` characters and how
    long the whole was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} chars)"


def quoted(text: str, limit: int = ECHO_LIMIT) -> str:
    """`repr(text)` for an error message, bounded the same way."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text)} chars)"
