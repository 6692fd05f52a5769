"""Defect 8 of issue 16: during a didChange storm every query waited ~4 s,
twice the sync timeout. A reader now waits for its own document first (the
writer takes it next, one document per job) and the budget counts from the
request's arrival. Real FolderIndex and index; the writer is slowed down by
wrapping `update_source` so the order of its jobs can be observed."""

from __future__ import annotations

import threading
import time

from server.host.options import Options
from server.host.workspace import FolderIndex, Session
from tests.support import write_tree

FILES = {f"m{i}.py": f"def f{i}():\n    return {i}\n" for i in range(10)}


def folder_with_slow_writer(tmp_path, delay: float):
    root = tmp_path / "ws"
    write_tree(root, FILES)
    folder = FolderIndex("ws", root, Options(), tmp_path / "index")
    folder.request_full_run()
    deadline = time.monotonic() + 30
    while folder.state != "ready" and time.monotonic() < deadline:
        time.sleep(0.02)
    order: list[str] = []
    real = folder.indexer.update_source

    def slow(path, source, **options):
        order.append(path)
        time.sleep(delay)
        return real(path, source, **options)

    folder.indexer.update_source = slow
    return folder, order


def test_reader_waits_for_its_own_document_not_the_whole_storm(tmp_path):
    folder, order = folder_with_slow_writer(tmp_path, delay=0.3)
    try:
        for i in range(10):
            folder.buffer_changed(f"m{i}.py", f"# edit\ndef f{i}():\n    return {i}\n".encode(), immediate=True)
        time.sleep(0.05)  # the writer has started on one document
        began = time.monotonic()
        folder.sync("m9.py", timeout=2.0)
        waited = time.monotonic() - began
        assert "m9.py" in order[:3], order  # taken ahead of the queue
        assert waited < 1.2, waited  # ~2 jobs of 0.3 s, not all 10 (3 s)
        assert folder._applied["m9.py"] >= folder._changed["m9.py"]
    finally:
        folder.close()


def test_the_sync_budget_counts_from_the_request(tmp_path):
    folder, _ = folder_with_slow_writer(tmp_path, delay=0.5)
    session = Session(Options())
    try:
        for i in range(6):
            folder.buffer_changed(f"m{i}.py", f"# edit\ndef f{i}():\n    return {i}\n".encode(), immediate=True)
        began = time.monotonic()
        # A request that arrived 1.9 s ago (it queued for a pool thread) waits 0.1 s more at most.
        answer = Session._call(folder, lambda graph, path: path, ("m5.py",), "m5.py", time.monotonic() - 1.9 + 2.0)
        assert answer.value == "m5.py"
        assert time.monotonic() - began < 0.5
    finally:
        session.close()
        folder.close()
