"""Test tiers.

`pytest -m "not slow"` is the fast tier: data-driven engine tests in one
process. Everything that starts an editor, a language server, a CLI
subprocess, the real embedding model or a whole corpus is `slow`. The
README's test command and `.ci/run` run both tiers.

Whole folders and files are tiered here, by what they are; a single slow
test elsewhere carries `@pytest.mark.slow` itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

# Real LSP sessions and real editors.
SLOW_FOLDERS = {"e2e", "editors"}
# CLI subprocesses, the real model, a real corpus, SIGKILLed index runs.
SLOW_FILES = {
    "unit/test_crash_safety.py",
    "unit/test_semantic.py", "unit/test_stdlib_corpus.py",
}


def _tier_of(path: Path) -> bool:
    """True when `path` (a file or folder under tests/) is slow as a whole."""
    try:
        where = path.resolve().relative_to(TESTS)
    except ValueError:
        return False
    return bool(where.parts) and (where.parts[0] in SLOW_FOLDERS or where.as_posix() in SLOW_FILES)


def pytest_ignore_collect(collection_path: Path, config):
    """The fast tier does not even import the slow modules: importing the
    LSP client, the MCP SDK and their pydantic models is most of a
    collection's time, for tests that `-m "not slow"` deselects anyway."""
    if (config.getoption("markexpr") or "").replace(" ", "") == "notslow" and _tier_of(Path(collection_path)):
        return True
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        try:
            where = Path(str(item.path)).resolve().relative_to(TESTS)
        except ValueError:
            continue
        if where.parts[0] in SLOW_FOLDERS or where.as_posix() in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
