"""`codemeld/status` as a plain dict, without the pydantic models.

An editor polls the status from its first second; `edge.status(...).wire()`
imported pydantic and every model on the first poll, 0.08-0.1 s of CPU in
the middle of a warm start (issue 17: ready < 2 s on the 2M corpus). This
builds the same dict (tests/unit/test_status_wire.py compares them); the
models stay the schema.
"""

from __future__ import annotations

# FolderStatus's fields, in its order: a folder dict's other keys are left out, as pydantic ignores them.
FOLDER_FIELDS = ("name", "root", "state", "files", "symbols", "references", "pending", "indexDir", "cancelled",
                 "embeddings", "partial", "firstAnswers")


def embeddings_state(states: list[str]) -> str:
    """One word for all folders: the least advanced state wins."""
    for state in ("loading model", "waiting", "embedding", "unavailable", "ready"):
        if state in states:
            return state
    return "off"


def status_wire(folders: list[dict]) -> dict:
    """`edge.status(folders).wire()`: totals over all folders, and each folder's own."""
    out = {"state": "indexing" if any(f["state"] == "indexing" for f in folders) else "ready",
           "files": sum(f["files"] for f in folders), "symbols": sum(f["symbols"] for f in folders),
           "references": sum(f["references"] for f in folders), "pending": sum(f["pending"] for f in folders),
           "indexDir": folders[0]["indexDir"] if folders else None,
           "embeddings": embeddings_state([f.get("embeddings", "off") for f in folders])}
    if any(f.get("partial") for f in folders):
        out["partial"] = True
    out["folders"] = [{key: list(f[key]) if key == "firstAnswers" and f[key] is not None else f[key]
                       for key in FOLDER_FIELDS if key in f} for f in folders]
    return out
