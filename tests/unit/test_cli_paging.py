"""`codemeld refs` and `codemeld impact` page long answers with a cursor
(server/cli_paging.py), as the MCP tools do: the pages together are the
whole answer, in order, nothing twice; a cursor from another question is a
clear error."""

from __future__ import annotations

import json

import pytest

from tests.support import write_tree
from tests.unit.test_cli import cli, make_env

CALLERS = 7
FILES = {
    "pkg/__init__.py": "",
    "pkg/core.py": "def helper(x):\n    return x\n",
    **{f"pkg/user{n}.py": f"from pkg.core import helper\n\n\ndef use{n}():\n    return helper({n})\n"
       for n in range(CALLERS)},
}


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    base = tmp_path_factory.mktemp("paging")
    write_tree(base / "ws", FILES)
    env = make_env(base / "cache")
    assert cli("index", base / "ws", env=env).rc == 0
    return base / "ws", env


def pages(ws, *args, size: int, key: str, flag: str = "--limit") -> tuple[list, list]:
    root, env = ws
    items, cursor, infos = [], None, []
    while True:
        extra = [flag, str(size)] + (["--cursor", cursor] if cursor else [])
        result = cli(*args, "--root", root, "--json", *extra, env=env)
        assert result.rc == 0, result
        doc = json.loads(result.stdout)
        items += doc[key]
        infos.append(doc["page"])
        cursor = doc["page"]["next_cursor"]
        if cursor is None:
            return items, infos


def test_refs_pages_add_up_to_the_whole_answer(ws):
    root, env = ws
    whole = json.loads(cli("refs", "pkg.core.helper", "--root", root, "--json", env=env).stdout)
    assert len(whole) == 2 * CALLERS  # an import and a call in each user
    items, infos = pages(ws, "refs", "pkg.core.helper", size=3, key="references")
    assert items == whole
    assert [i["returned"] for i in infos] == [3, 3, 3, 3, 2] and {i["total"] for i in infos} == {len(whole)}


def test_impact_pages_its_dependents(ws):
    root, env = ws
    whole = json.loads(cli("impact", "pkg.core.helper", "--root", root, "--json", env=env).stdout)
    items, infos = pages(ws, "impact", "pkg.core.helper", size=2, key="dependents", flag="--page-size")
    assert items == whole["dependents"] and len(items) >= CALLERS
    assert len(infos) == -(-len(items) // 2)


def test_text_page_says_where_the_next_one_starts(ws):
    root, env = ws
    result = cli("refs", "pkg.core.helper", "--root", root, "--limit", "4", env=env)
    assert result.rc == 0 and len(result.stdout.splitlines()) == 4
    assert "1-4 of 14; next page: --cursor " in result.stderr


def test_a_cursor_of_another_question_is_refused(ws):
    root, env = ws
    first = json.loads(cli("refs", "pkg.core.helper", "--root", root, "--json", "--limit", "2", env=env).stdout)
    other = cli("refs", "pkg.core.helper", "--root", root, "--json", "--include-declaration",
                "--cursor", first["page"]["next_cursor"], env=env)
    assert other.rc != 0 and other.stdout == "" and "different question" in other.stderr
