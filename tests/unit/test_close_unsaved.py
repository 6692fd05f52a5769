"""Closing a document with unsaved changes puts the disk version back: the
writer re-reads the file while readers answer freely (nothing of theirs is
pending). Every committed state they can see must answer a definition, from
the buffer's index or the disk's, never empty (the mixed-repo e2e case once
came back empty right after such a close).

Deterministic: a real FolderIndex and index, with the store's write
transaction wrapped so that after each commit of the re-read the writer
pauses while a reader on another thread (its own connection, as a query
pool thread has) asks the definitions. Every state a user could meet is
thus asked once."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time

import pytest

from indexer.analysis import navigation
from server.host.options import Options
from server.host.workspace import FolderIndex, Session
from tests.support import write_tree

# Per language: the files, the document closed unsaved, its unsaved edit
# (same lines, another signature), and (path, needle) -> the qualname its
# definition must give, asked in the closed file and in an importer.
CASES = {
    "typescript": dict(
        files={
            "web/package.json": '{ "name": "web", "type": "module" }\n',
            "web/src/money.ts": '''
                export function formatPrice(amount: number): string { return amount.toFixed(2); }
                export class Shape { area(): number { return 0; } }
                export class Square extends Shape { area(): number { return 1; } }
                export namespace Shape { export function unit(): Shape { return new Square(); } }
                export const unitArea = Shape.unit().area();
                ''',
            "web/src/cart.ts": '''
                import { formatPrice } from "./money";
                export function label(total: number): string { return formatPrice(total); }
                ''',
        },
        path="web/src/money.ts",
        edit=("formatPrice(amount: number)", "formatPrice(amount: number, currency: string)"),
        asks={("web/src/money.ts", "unit().area"): "typescript:web.src.money.unit",
              ("web/src/cart.ts", "formatPrice(total)"): "typescript:web.src.money.formatPrice"},
    ),
    "python": dict(
        files={
            "service/__init__.py": "",
            "service/prices.py": '''
                def format_price(value):
                    return f"{value:.2f}"


                def label(value):
                    return format_price(value)
                ''',
            "service/cart.py": '''
                from service.prices import format_price


                def total(value):
                    return format_price(value)
                ''',
        },
        path="service/prices.py",
        edit=("def format_price(value):", "def format_price(value, currency):"),
        asks={("service/prices.py", "format_price(value)\n"): "service.prices.format_price",
              ("service/cart.py", "format_price(value)"): "service.prices.format_price"},
    ),
    "go": dict(
        files={
            "go.mod": "module example.com/shop\n\ngo 1.21\n",
            "money/money.go": '''
                package money

                func Format(amount float64) string { return "" }

                func Label(amount float64) string { return Format(amount) }
                ''',
            "cart/cart.go": '''
                package cart

                import "example.com/shop/money"

                func Total(amount float64) string { return money.Format(amount) }
                ''',
        },
        path="money/money.go",
        edit=("func Format(amount float64)", "func Format(amount float64, currency string)"),
        asks={("money/money.go", "Format(amount) }"): "go:money.Format",
              ("cart/cart.go", "Format(amount)"): "go:money.Format"},
    ),
}


def _position(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    return text.count("\n", 0, offset), offset - text.rfind("\n", 0, offset) - 1


def _wait(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _ask(folder: FolderIndex, asks: dict) -> dict:
    """Every definition, as a query pool thread asks it (Session._call: its own connection)."""
    out = {}
    for (path, needle), _ in asks.items():
        line, character = _position((folder.root / path).read_text(), needle)
        answer = Session._call(folder, navigation.definitions, (path, line, character), None, time.monotonic())
        out[(path, needle)] = sorted({s.qualname for s in answer.value}) if answer is not None else None
    return out


@contextlib.contextmanager
def _probe_after_each_commit(folder: FolderIndex, asks: dict, answers: list):
    """While active, each write transaction the writer thread commits is
    followed, before the writer goes on, by `_ask` on a thread of its own."""
    store = folder.indexer.store
    real = store.transaction

    @contextlib.contextmanager
    def probed():
        with real() as conn:
            yield conn
        if threading.current_thread() is folder._thread:
            reader = threading.Thread(target=lambda: answers.append(_ask(folder, asks)))
            reader.start()
            reader.join()

    store.transaction = probed
    try:
        yield
    finally:
        store.transaction = real


@pytest.mark.parametrize("language", sorted(CASES))
def test_a_definition_right_after_closing_an_unsaved_buffer_never_answers_empty(tmp_path, language):
    case = CASES[language]
    root = tmp_path / "ws"
    write_tree(root, case["files"])
    folder = FolderIndex("ws", root, Options(), tmp_path / "index")
    try:
        folder.request_full_run()
        _wait(lambda: folder.state == "ready")
        expected = {key: [qualname] for key, qualname in case["asks"].items()}
        assert _ask(folder, case["asks"]) == expected  # the disk version answers

        path = case["path"]
        disk = (root / path).read_bytes()
        old, new = case["edit"]
        unsaved = disk.replace(old.encode(), new.encode())
        assert unsaved != disk
        folder.buffer_changed(path, unsaved, immediate=True)
        folder.sync(path, timeout=10)
        buffer_sha = folder.indexer.store.file_states()[path][1]
        assert buffer_sha == hashlib.sha256(unsaved).hexdigest()  # the index holds the buffer
        assert _ask(folder, case["asks"]) == expected  # the buffer answers

        _wait(lambda: not folder.indexer.store.dirty_files())  # the importers re-resolved too
        answers: list[dict] = []
        with _probe_after_each_commit(folder, case["asks"], answers):
            folder.buffer_closed(path)
            # at once (the writer may have begun the re-read or not)
            assert _ask(folder, case["asks"]) == expected
            _wait(lambda: folder.indexer.store.file_states()[path][1] != buffer_sha
                  and not folder.indexer.store.dirty_files())
            time.sleep(0.3)  # the job's last commit (its meta) and its probe
        assert answers, "the re-read committed nothing"
        for seen in answers:
            assert seen == expected, answers
        assert _ask(folder, case["asks"]) == expected  # the disk version again
    finally:
        folder.close()
