"""A shared index per commit in object storage: CI publishes, editors pull."""


class ShareError(RuntimeError):
    """A snapshot cannot be published or used; the message says why and what
    happens instead (callers fall back to a local index)."""
