"""pytest's `python_files` decides which files hold tests (issue 12:
voluptuous keeps its tests in `voluptuous/tests/tests.py` and configures
`python_files = "tests.py"`). One case per place pytest reads it, the
off-cases (no pytest section, a pattern that does not match), and the index
end to end: tests found, impact selecting them, and a config change
re-extracting files whose text did not change."""

from __future__ import annotations

import pytest

from indexer.analysis.impact import impact
from indexer.languages.python.pytest_config import is_test_module, configured_test_files
from indexer.pipeline.index import IndexOptions, Indexer
from indexer.graph.query import Graph
from tests.support import build, write_tree
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

CONFIGS = [
    ({"pyproject.toml": '[tool.pytest.ini_options]\npython_files = "tests.py"\n'}, ("tests.py",)),
    ({"pyproject.toml": '[tool.pytest.ini_options]\npython_files = ["check_*.py", "tests.py"]\n'},
     ("check_*.py", "tests.py")),
    ({"pytest.ini": "[pytest]\npython_files = tests.py check_*.py\n"}, ("tests.py", "check_*.py")),
    ({"tox.ini": "[tox]\nenvlist = py3\n[pytest]\npython_files =\n    tests.py\n"}, ("tests.py",)),
    ({"setup.cfg": "[tool:pytest]\npython_files = tests.py\n"}, ("tests.py",)),
    # pytest.ini wins over pyproject.toml, as in pytest
    ({"pytest.ini": "[pytest]\npython_files = a.py\n",
      "pyproject.toml": '[tool.pytest.ini_options]\npython_files = "b.py"\n'}, ("a.py",)),
    # off-cases: no pytest section, a section without python_files, a broken file
    ({"setup.cfg": "[metadata]\nname = x\n", "pyproject.toml": "[project]\nname = 'x'\n"}, ()),
    ({"pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n"}, ()),
    ({"pyproject.toml": "[tool.pytest.ini_options\n"}, ()),
]


@pytest.mark.parametrize("files, globs", CONFIGS)
def test_python_files_is_read_where_pytest_reads_it(tmp_path, files, globs):
    write_tree(tmp_path, files)
    assert configured_test_files(tmp_path) == globs


@pytest.mark.parametrize("path, globs, wanted", [
    ("pkg/tests/tests.py", ("tests.py",), True),
    ("pkg/tests/test_a.py", ("tests.py",), False),       # the configured pattern replaces the default
    ("pkg/checks/check_a.py", ("check_*.py",), True),
    ("pkg/tests/tests.py", ("tests/tests.py",), True),    # a pattern with a folder matches the path's end
    ("pkg/other/tests.py", ("tests/tests.py",), False),
])
def test_a_file_is_a_test_module_when_a_pattern_matches(path, globs, wanted):
    assert is_test_module(path, globs) is wanted


WORKSPACE = {
    "lib.py": """
        def validate(x):
            return x
        """,
    "tests/__init__.py": "",
    "tests/tests.py": """
        from lib import validate

        def test_validate():
            assert validate(1) == 1
        """,
}
CONFIG = {"pyproject.toml": '[tool.pytest.ini_options]\npython_files = "tests.py"\ntestpaths = "tests"\n'}


@pytest.mark.parametrize("configured", [True, False])
def test_impact_selects_tests_in_files_the_config_names(tmp_path, configured):
    indexer, g = build(tmp_path, {**WORKSPACE, **(CONFIG if configured else {})})
    report = impact(g, "lib.validate")
    assert ("tests/tests.py::test_validate" in selected(report)) is configured
    indexer.close()


def test_a_config_change_re_extracts_unchanged_files(tmp_path):
    indexer, g = build(tmp_path, WORKSPACE)
    assert "tests/tests.py::test_validate" not in selected(impact(g, "lib.validate"))
    write_tree(indexer.root, CONFIG)
    run = indexer.run()
    assert run.parsed >= 3  # every Python file again, though none of their text changed
    indexer.close()
    fresh = Indexer(tmp_path / "ws", tmp_path / "index", IndexOptions())
    assert "tests/tests.py::test_validate" in selected(impact(Graph(fresh.store, fresh.root), "lib.validate"))
    assert fresh.run().parsed == 0  # and only once
    fresh.close()
