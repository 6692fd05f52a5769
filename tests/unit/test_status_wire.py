"""`codemeld/status` built as a plain dict (server/protocol/status_wire.py)
says exactly what the pydantic models' `.wire()` says, over the folder
states a session goes through (issue 17: the first status poll of a warm
start no longer imports pydantic)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from server.protocol import edge
from server.protocol.status_wire import status_wire


def folder(**over) -> dict:
    base = {"name": "ws", "root": "/ws", "state": "ready", "files": 3, "symbols": 40, "references": 120,
            "pending": 0, "indexDir": "/cache/ws", "cancelled": False, "embeddings": "off"}
    return base | over


CASES = {
    "no folders": [],
    "one ready": [folder()],
    "indexing with first answers": [folder(state="indexing", partial=True, firstAnswers=["a.py", "b/c.py"])],
    "two folders, embedding": [folder(embeddings="ready"), folder(name="two", root="/two", state="indexing",
                                                                  embeddings="embedding", pending=7, indexDir=None)],
    "cancelled, unavailable": [folder(cancelled=True, embeddings="unavailable")],
    "an extra key": [folder(extra="ignored")],
}


@pytest.mark.parametrize("case", CASES)
def test_plain_status_equals_the_model(case):
    folders = CASES[case]
    assert status_wire(folders) == edge.status(folders).wire()


def test_status_does_not_import_pydantic():
    code = ("import sys; from server import convert; convert.status([]); "
            "print('pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
