"""Resolution on a real corpus every machine has: packages of the running
interpreter's standard library, copied into a workspace and indexed."""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

import pytest

from indexer.pipeline.index import IndexOptions, Indexer
from indexer.graph.query import Graph

STDLIB = Path(sysconfig.get_paths()["stdlib"])
PACKAGES = ("json", "email", "logging", "http", "urllib", "asyncio", "concurrent")


def line_of(path: Path, needle: str, nth: int = 1) -> tuple[int, int]:
    """0-based (line, column) of the nth occurrence of `needle` in a file."""
    seen = 0
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines()):
        column = text.find(needle)
        if column >= 0:
            seen += 1
            if seen == nth:
                return number, column
    raise AssertionError(f"{needle!r} not found in {path}")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("stdlib")
    for package in PACKAGES:
        shutil.copytree(STDLIB / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "test*"))
    indexer = Indexer(root, tmp_path_factory.mktemp("index"), IndexOptions(jobs=2))
    run = indexer.run()
    assert run.failed == 0 and run.parsed > 80
    yield root, Graph(indexer.store, indexer.root)
    indexer.close()


# (file, text on the line, occurrence, column offset into the text, expected target)
KNOWN = [
    ("json/__init__.py", "_default_decoder.decode(s)", 1, len("_default_decoder."), "json.decoder.JSONDecoder.decode"),
    ("json/__init__.py", "from .decoder import JSONDecoder", 1, len("from .decoder import "), "json.decoder.JSONDecoder"),
    ("json/decoder.py", "scanner.make_scanner(self)", 1, len("scanner."), "json.scanner.make_scanner"),
    ("email/parser.py", "feedparser.feed(data)", 1, len("feedparser."), "email.feedparser.FeedParser.feed"),
    ("email/feedparser.py", "super().feed(data.decode", 1, len("super()."), "email.feedparser.FeedParser.feed"),
    ("email/parser.py", "from email.feedparser import FeedParser", 1, len("from email.feedparser import "), "email.feedparser.FeedParser"),
    ("logging/handlers.py", "class RotatingFileHandler(BaseRotatingHandler)", 1, len("class RotatingFileHandler("), "logging.handlers.BaseRotatingHandler"),
    ("logging/handlers.py", "logging.FileHandler.__init__(self", 1, len("logging."), "logging.FileHandler"),
]


@pytest.mark.parametrize("path, text, nth, offset, target", KNOWN)
def test_known_references(corpus, path, text, nth, offset, target):
    root, graph = corpus
    line, column = line_of(root / path, text, nth)
    refs = graph.reference_at(path, line, column + offset)
    assert target in [r.target for r in refs], refs


def test_references_of_a_widely_used_class_span_files(corpus):
    _, graph = corpus
    refs = graph.references("email.message.Message")
    files = {r.path for r in refs}
    assert len(files) >= 3, files
    assert all(r.confidence > 0.5 for r in refs)


def test_resolution_rate_is_high(corpus):
    _, graph = corpus
    stats = graph.stats()
    assert stats.resolution_rate > 0.9, stats
