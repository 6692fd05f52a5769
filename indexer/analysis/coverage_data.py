"""Dynamic evidence from a coverage.py data file recorded with per-test
contexts (`pytest --cov --cov-context=test`): which tests executed which
lines. Read straight from its SQLite schema (tables `file`, `context`,
`line_bits`), so coverage.py need not be installed to use it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections import defaultdict
from pathlib import Path

from indexer.graph.model import Symbol

log = logging.getLogger(__name__)

_PHASES = ("|run", "|setup", "|teardown")


def numbits_to_lines(numbits: bytes) -> list[int]:
    """coverage.py's numbits: bit i of byte j set means line j*8+i ran."""
    lines = []
    for index, byte in enumerate(numbits):
        if byte:
            base = index * 8
            lines.extend(base + bit for bit in range(8) if byte & (1 << bit))
    return lines


def find_data_file(root: Path) -> Path | None:
    explicit = os.environ.get("COVERAGE_FILE")
    for candidate in ((root / explicit) if explicit else None, root / ".coverage"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def test_id_of_context(context: str) -> str | None:
    """`tests/test_x.py::TestA::test_b[param]|run` -> `tests/test_x.py::TestA::test_b`."""
    if "::" not in context:
        return None
    for phase in _PHASES:
        if context.endswith(phase):
            context = context[: -len(phase)]
    return context.split("[", 1)[0]


class CoverageMap:
    """For each workspace file: line -> the test ids that executed it."""

    def __init__(self, root: Path, data_file: Path, test_id_of=test_id_of_context):
        """`test_id_of` names the test a recorded context stands for (None:
        not a test); the default reads pytest-cov's `--cov-context=test`."""
        self.root = Path(root).resolve()
        self.path = str(data_file)
        self.lines: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.contexts = 0
        self._load(data_file, test_id_of)

    def _load(self, data_file: Path, test_id_of) -> None:
        conn = sqlite3.connect(f"file:{data_file}?mode=ro", uri=True)
        try:
            files = dict(conn.execute("SELECT id, path FROM file"))
            contexts = {cid: test_id_of(text) for cid, text in conn.execute("SELECT id, context FROM context")}
            self.contexts = sum(1 for c in contexts.values() if c)
            for file_id, context_id, numbits in conn.execute("SELECT file_id, context_id, numbits FROM line_bits"):
                self._add(files, contexts, file_id, context_id, numbits_to_lines(numbits))
            # Branch coverage (`branch = True`) records arcs instead of lines:
            # both ends of an arc ran (negative numbers are entries/exits).
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "arc" in tables:
                arcs: dict[tuple[int, int], set[int]] = defaultdict(set)
                for file_id, context_id, from_line, to_line in conn.execute(
                        "SELECT file_id, context_id, fromno, tono FROM arc"):
                    arcs[(file_id, context_id)].update(n for n in (from_line, to_line) if n > 0)
                for (file_id, context_id), lines in arcs.items():
                    self._add(files, contexts, file_id, context_id, lines)
        except sqlite3.DatabaseError as exc:
            log.warning("cannot read coverage data %s: %s", data_file, exc)
        finally:
            conn.close()

    def _add(self, files, contexts, file_id, context_id, lines) -> None:
        test_id = contexts.get(context_id)
        rel = self._relative(files.get(file_id))
        if test_id is None or rel is None:
            return
        per_line = self.lines[rel]
        for line in lines:
            per_line[line].add(test_id)

    def _relative(self, path: str | None) -> str | None:
        if not path:
            return None
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def tests_covering(self, symbol: Symbol) -> set[str]:
        """Test ids that ran any line of the symbol's body (1-based lines in
        the data). The signature is left out: it runs at import time, under
        whichever test imported the module first."""
        per_line = self.lines.get(symbol.path)
        if not per_line:
            return set()
        out: set[str] = set()
        first = (symbol.body_line if symbol.body_line is not None else symbol.selection_range.start.line + 1) + 1
        for line in range(first, symbol.range.end.line + 2):
            out |= per_line.get(line, set())
        return out

    def tests_reaching(self, symbols, resolve_test=None) -> list[tuple[str, Symbol | None]]:
        """Tests that ran any of these symbols (all definitions of one name:
        overloads, platform branches, property getter and setter)."""
        if isinstance(symbols, Symbol):
            symbols = [symbols]
        ids: set[str] = set()
        for symbol in symbols:
            ids |= self.tests_covering(symbol)
        return [(test_id, resolve_test(test_id) if resolve_test else None) for test_id in sorted(ids)]


def recorded_contexts(data_file: Path) -> list[str]:
    """Every non-empty context a coverage.py data file recorded."""
    conn = sqlite3.connect(f"file:{data_file}?mode=ro", uri=True)
    try:
        return [c for (c,) in conn.execute("SELECT context FROM context") if c]
    except sqlite3.DatabaseError as exc:
        log.warning("cannot read coverage data %s: %s", data_file, exc)
        return []
    finally:
        conn.close()


def load(root: Path) -> CoverageMap | None:
    data_file = find_data_file(Path(root))
    if data_file is None:
        return None
    coverage = CoverageMap(root, data_file)
    if not coverage.contexts or not coverage.lines:
        log.info("coverage data %s has no per-test contexts: static impact only", data_file)
        return None
    return coverage
