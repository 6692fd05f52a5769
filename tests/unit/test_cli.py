"""The `codemeld` CLI, black-box over small workspaces: the real entry point
(`server.cli.main`, what the `codemeld` script runs) in process, with its
own argv, environment, working directory and captured stdout/stderr (typer's
CliRunner isolation). A few tests run a real subprocess where only a process
can prove it: stdout stays clean of everything but results, and exit codes
(those are marked slow).

Contract (issue): `codemeld index [ROOT]`, `refs TARGET [--root] [--json]`,
`defs TARGET`, `symbols FILE`, `status [--json]`. TARGET is `path:line:col`
(1-based, col in characters, as compilers print) or a qualified name.
`--json` puts exactly one JSON document on stdout, positions 0-based LSP
(UTF-16 columns), paths relative to the root. A clear error is one line on
stderr starting with "codemeld:" and a non-zero exit; stdout stays empty.

Every run gets CODEMELD_CACHE_DIR pointing into the test's temp dir, so the
default index location is isolated from the user's cache.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from tests.support import run_cli

REPO = Path(__file__).resolve().parents[2]

needs_symlinks = pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")

FILES = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "pkg/__init__.py": "from .core import Greeter, helper\n",
    "pkg/core.py": (
        "class Greeter:\n"
        "    def hello(self, name):\n"
        "        return f\"hi {name}\"\n"
        "\n"
        "\n"
        "def helper():\n"
        "    return Greeter().hello(\"x\")\n"
    ),
    "pkg/jobs.py": "class Daily:\n    def run(self):\n        return 1\n\n\nclass Weekly:\n    def run(self):\n        return 2\n",
    "pkg/sub/__init__.py": "",
    "pkg/sub/deep.py": "from pkg.core import helper\n\n\ndef deep():\n    return helper()\n",
    "app.py": (
        "from pkg.core import Greeter, helper\n"
        "\n"
        's = "😀"; helper()\n'
        "g = Greeter()\n"
        'g.hello("y")\n'
        't = "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"; u = "é"; helper()\n'
        "print(s)\n"
    ),
}
PY_FILES = [p for p in FILES if p.endswith(".py")]


def line_of(path: str, line: int) -> str:
    return FILES[path].split("\n")[line]


def utf16(text: str, char_col: int) -> int:
    return len(text[:char_col].encode("utf-16-le")) // 2


def at(path: str, line: int, needle: str, nth: int = 1) -> tuple[str, int, int]:
    """(path, 0-based line, UTF-16 column) of the nth `needle` on a line of FILES."""
    text = line_of(path, line)
    col = -1
    for _ in range(nth):
        col = text.index(needle, col + 1)
    return path, line, utf16(text, col)


def char_col(path: str, line: int, needle: str) -> int:
    """1-based character column of `needle` on a 0-based line of FILES, as a TARGET takes it."""
    return line_of(path, line).index(needle) + 1


HELPER_REFS = {
    (*at("app.py", 0, "helper"), "import"),
    (*at("app.py", 2, "helper"), "call"),
    (*at("app.py", 5, "helper"), "call"),
    (*at("pkg/__init__.py", 0, "helper"), "import"),
    (*at("pkg/sub/deep.py", 0, "helper"), "import"),
    (*at("pkg/sub/deep.py", 4, "helper"), "call"),
}
HELPER_DECLARATION = (*at("pkg/core.py", 5, "helper"), "definition")


# -- running the CLI -----------------------------------------------------------------


@dataclass
class Result:
    args: list[str]
    rc: int
    stdout: str
    stderr: str

    def json(self):
        assert self.rc == 0, self
        # Exactly one JSON document and nothing else on stdout.
        return json.loads(self.stdout)

    def __str__(self) -> str:
        return f"codemeld {' '.join(self.args)} -> {self.rc}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def make_env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CODEMELD_CACHE_DIR"] = str(cache)
    # The worktree's code, not whatever copy is installed in the venv.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["PYTHONIOENCODING"] = "utf-8"
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        env.pop(name, None)
    return env


def _argv(args, embeddings: bool) -> list[str]:
    argv = [str(a) for a in args]
    if argv and argv[0] == "index" and not embeddings and "--no-embeddings" not in argv:
        # The graph is what these tests check; loading the model for every
        # index run would cost seconds each (tests/unit/test_semantic.py covers it).
        argv.append("--no-embeddings")
    return argv


def cli(*args, env: dict[str, str], cwd: Path = REPO, embeddings: bool = False) -> Result:
    """`codemeld ARGS` in this process (tests/support.py `run_cli`)."""
    argv = _argv(args, embeddings)
    rc, stdout, stderr = run_cli(argv, env=env, cwd=cwd)
    return Result(argv, rc, stdout, stderr)


def cli_process(*args, env: dict[str, str], cwd: Path = REPO, embeddings: bool = False) -> Result:
    """`python -m server.cli ARGS` as a real process."""
    argv = _argv(args, embeddings)
    proc = subprocess.run(
        [sys.executable, "-m", "server.cli", *argv], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, encoding="utf-8", timeout=120)
    return Result(argv, proc.returncode, proc.stdout, proc.stderr)


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")


def assert_clear_error(result: Result, mentions: str | None = None) -> None:
    """A non-zero exit, nothing on stdout, one line on stderr that says what is wrong."""
    assert result.rc == 1, result
    assert result.stdout == "", result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result
    assert lines[0].startswith("codemeld:"), result
    if mentions is not None:
        assert re.search(mentions, lines[0], re.I), result


def ref_set(items: list[dict]) -> set[tuple[str, int, int, str]]:
    return {(r["path"], r["range"]["start"]["line"], r["range"]["start"]["character"], r["kind"]) for r in items}


def assert_ref_shape(item: dict) -> None:
    # `how` (the rule that resolved it) added beside confidence: DESIGN says refs carry both.
    assert set(item) == {"path", "range", "confidence", "kind", "how"}, item
    assert isinstance(item["how"], str) and item["how"], item
    assert not item["path"].startswith("/") and "\\" not in item["path"], item
    assert set(item["range"]) == {"start", "end"}
    for end in ("start", "end"):
        assert set(item["range"][end]) == {"line", "character"}
        assert all(isinstance(v, int) and v >= 0 for v in item["range"][end].values())
    assert (item["range"]["start"]["line"], item["range"]["start"]["character"]) <= (
        item["range"]["end"]["line"], item["range"]["end"]["character"])
    assert isinstance(item["confidence"], (int, float)) and 0 < item["confidence"] <= 1
    assert isinstance(item["kind"], str) and item["kind"]


@dataclass(repr=False)
class Workspace:
    root: Path
    cache: Path
    env: dict[str, str]
    tmp: Path
    first_index: Result
    indexed_at: float

    def __repr__(self) -> str:
        return f"Workspace({self.root})"

    def run(self, *args, cwd: Path = REPO) -> Result:
        return cli(*args, env=self.env, cwd=cwd)

    def index_db(self) -> Path:
        dbs = list(self.cache.glob("*/graph.sqlite3"))
        assert len(dbs) == 1, dbs
        return dbs[0]


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    base = tmp_path_factory.mktemp("cli")
    root = base / "ws"
    write_tree(root, FILES)
    env = make_env(base / "cache")
    started = time.time()
    first = cli("index", root, env=env)
    assert first.rc == 0, first
    return Workspace(root, base / "cache", env, base, first, started)


# -- index ---------------------------------------------------------------------------


def test_index_is_quiet_on_stdout_and_writes_to_the_cache_dir(ws: Workspace) -> None:
    # Not a TTY: no progress bar, no result lines on stdout; the summary goes to stderr.
    assert ws.first_index.stdout == "", ws.first_index
    assert "indexed" in ws.first_index.stderr and "\x1b[" not in ws.first_index.stderr
    db = ws.index_db()
    assert db.parent.parent == ws.cache
    # Nothing written into the workspace itself.
    assert sorted(p.relative_to(ws.root).as_posix() for p in ws.root.rglob("*") if p.is_file()) == sorted(FILES)


def test_second_index_json_reports_nothing_parsed(ws: Workspace) -> None:
    result = ws.run("index", ws.root, "--json")
    data = result.json()
    assert set(data) == {"root", "indexDir", "discovered", "parsed", "unchanged", "removed", "failed",
                         "refsResolved", "seconds", "embeddings"}
    assert Path(data["root"]) == ws.root.resolve()
    assert Path(data["indexDir"]) == ws.index_db().parent
    assert (data["discovered"], data["parsed"], data["unchanged"], data["removed"], data["failed"]) == (
        len(PY_FILES), 0, len(PY_FILES), 0, 0)


def test_index_verbose_logs_go_to_stderr(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    write_tree(root, {"a.py": "def a():\n    pass\n", "blob.py": b"\x7fELF\x00\x01" * 100})
    env = make_env(tmp_path / "cache")
    result = cli("index", root, "-v", "--json", env=env)
    data = result.json()
    assert (data["discovered"], data["parsed"]) == (1, 1)
    assert "skipped blob.py: binary" in result.stderr


def test_index_dir_option(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    write_tree(root, FILES)
    env = make_env(tmp_path / "cache")
    index_dir = tmp_path / "elsewhere" / "idx"
    result = cli("index", root, "--index-dir", index_dir, "--json", env=env)
    assert result.json()["parsed"] == len(PY_FILES)
    assert (index_dir / "graph.sqlite3").is_file()
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())

    refs = cli("refs", "pkg.core.helper", "--root", root, "--index-dir", index_dir, "--json", env=env)
    assert ref_set(refs.json()) == HELPER_REFS
    status = cli("status", "--root", root, "--index-dir", index_dir, "--json", env=env).json()
    assert Path(status["indexDir"]) == index_dir and status["files"] == len(PY_FILES)
    # Without --index-dir the default location is used, and there is no index there.
    assert_clear_error(cli("refs", "pkg.core.helper", "--root", root, env=env), mentions="no index")


def test_two_workspaces_sharing_one_index_dir_is_refused(tmp_path: Path) -> None:
    """ROOT_B indexed into ROOT_A's --index-dir would remove all of ROOT_A's
    files (and its learned tests): refused with both roots named and the ways
    on; ROOT_A's index is untouched. `--repoint` replaces it on purpose."""
    root_a, root_b = tmp_path / "ws_a", tmp_path / "ws_b"
    write_tree(root_a, FILES)
    write_tree(root_b, {"other.py": "def other():\n    return 2\n"})
    env = make_env(tmp_path / "cache")
    index_dir = tmp_path / "shared-idx"
    assert cli("index", root_a, "--index-dir", index_dir, "--no-embeddings", env=env).rc == 0
    before = (index_dir / "graph.sqlite3").read_bytes()

    for argv in (("index", root_b, "--index-dir", index_dir, "--no-embeddings"),
                 ("tests", "learn", "--root", root_b, "--index-dir", index_dir)):
        refused = cli(*argv, env=env)
        assert_clear_error(refused, mentions="--repoint")
        assert str(root_a) in refused.stderr and str(root_b) in refused.stderr and "--index-dir" in refused.stderr
    assert (index_dir / "graph.sqlite3").read_bytes() == before
    refs = cli("refs", "pkg.core.helper", "--root", root_a, "--index-dir", index_dir, "--json", env=env)
    assert ref_set(refs.json()) == HELPER_REFS

    # The same root again is an ordinary update; --repoint re-points on purpose.
    assert cli("index", root_a, "--index-dir", index_dir, "--no-embeddings", env=env).rc == 0
    moved = cli("index", root_b, "--index-dir", index_dir, "--no-embeddings", "--repoint", "--json", env=env).json()
    assert (moved["parsed"], moved["removed"]) == (1, len(PY_FILES))
    assert cli("index", root_b, "--index-dir", index_dir, "--no-embeddings", env=env).rc == 0


@pytest.mark.parametrize("kind", ["text", "random bytes", "truncated"])
def test_index_rebuilds_a_corrupt_index(tmp_path: Path, kind: str) -> None:
    """An unreadable index is a cache to rebuild, not a reason to stop."""
    root = tmp_path / "ws"
    write_tree(root, FILES)
    env = make_env(tmp_path / "cache")
    index_dir = tmp_path / "idx"
    assert cli("index", root, "--index-dir", index_dir, env=env).rc == 0
    CORRUPTIONS[kind](index_dir / "graph.sqlite3")
    result = cli("index", root, "--index-dir", index_dir, "--json", env=env)
    assert result.rc == 0, result
    assert result.json()["parsed"] == len(PY_FILES)
    refs = cli("refs", "pkg.core.helper", "--root", root, "--index-dir", index_dir, "--json", env=env)
    assert ref_set(refs.json()) == HELPER_REFS


def test_index_over_a_damaged_table_rebuilds_or_says_so(tmp_path: Path) -> None:
    """Damage the open-time checks cannot see: rebuild, or one clear line; never a traceback."""
    root = tmp_path / "ws"
    write_tree(root, FILES)
    env = make_env(tmp_path / "cache")
    index_dir = tmp_path / "idx"
    assert cli("index", root, "--index-dir", index_dir, env=env).rc == 0
    _damaged_refs_table(index_dir / "graph.sqlite3")
    (root / "app.py").write_text(FILES["app.py"] + "later = helper()\n", encoding="utf-8")  # something to write
    result = cli("index", root, "--index-dir", index_dir, env=env)
    assert "Traceback" not in result.stderr, result
    if result.rc != 0:
        assert_clear_error(result, mentions="index")
    else:
        refs = cli("refs", "pkg.core.helper", "--root", root, "--index-dir", index_dir, "--json", env=env)
        assert len(ref_set(refs.json())) == len(HELPER_REFS) + 1


# -- refs ----------------------------------------------------------------------------

HELPER_TARGETS = {
    "qualified name": lambda ws: "pkg.core.helper",
    "dotted suffix": lambda ws: "core.helper",
    "bare unique name": lambda ws: "helper",
    "definition path:line:col": lambda ws: "pkg/core.py:6:5",
    "definition path:line": lambda ws: "pkg/core.py:6",
    "inside the name": lambda ws: "pkg/core.py:6:10",
    "absolute path": lambda ws: f"{ws.root / 'pkg' / 'core.py'}:6:5",
    "use in another file": lambda ws: f"pkg/sub/deep.py:5:{char_col('pkg/sub/deep.py', 4, 'helper')}",
    "import line": lambda ws: f"app.py:1:{char_col('app.py', 0, 'helper')}",
    "use after an emoji": lambda ws: f"app.py:3:{char_col('app.py', 2, 'helper')}",
    "use after astral letters": lambda ws: f"app.py:6:{char_col('app.py', 5, 'helper')}",
}


@pytest.mark.parametrize("target", HELPER_TARGETS.values(), ids=HELPER_TARGETS.keys())
def test_refs_json(ws: Workspace, target: Callable[[Workspace], str]) -> None:
    result = ws.run("refs", target(ws), "--root", ws.root, "--json")
    items = result.json()
    assert isinstance(items, list)
    for item in items:
        assert_ref_shape(item)
    assert ref_set(items) == HELPER_REFS
    assert result.stderr == ""


def test_refs_include_declaration(ws: Workspace) -> None:
    plain = ref_set(ws.run("refs", "pkg.core.helper", "--root", ws.root, "--json").json())
    with_decl = ws.run("refs", "pkg.core.helper", "--root", ws.root, "--json", "--include-declaration").json()
    for item in with_decl:
        assert_ref_shape(item)
    assert HELPER_DECLARATION not in plain
    assert ref_set(with_decl) == plain | {HELPER_DECLARATION}
    paths = [(i["path"], i["range"]["start"]["line"], i["range"]["start"]["character"]) for i in with_decl]
    assert paths == sorted(paths)


def test_refs_text(ws: Workspace) -> None:
    result = ws.run("refs", "pkg.core.helper", "--root", ws.root)
    assert result.rc == 0, result
    lines = result.stdout.splitlines()
    assert len(lines) == len(HELPER_REFS)
    for line in lines:
        assert re.match(r"^[\w/.]+\.py:\d+:\d+: (call|import) \[\S+ \d\.\d\d\]  \S", line), line
    files = len({path for path, *_ in HELPER_REFS})
    assert result.stderr == f"{len(HELPER_REFS)} references in {files} files\n", result


def test_text_locations_are_character_columns(ws: Workspace) -> None:
    """`path:line:col` in human output counts characters, like a TARGET: a printed
    location fed back to `defs` names the same symbol."""
    result = ws.run("refs", "pkg.core.helper", "--root", ws.root)
    assert result.rc == 0, result
    failures = []
    for line in result.stdout.splitlines():
        path, line1, col1 = re.match(r"^(.+?):(\d+):(\d+): ", line).groups()
        text = line_of(path, int(line1) - 1)
        if int(col1) != text.index("helper") + 1:
            failures.append(f"{line}: helper is at character column {text.index('helper') + 1}")
        back = ws.run("defs", f"{path}:{line1}:{col1}", "--root", ws.root, "--json")
        if back.rc != 0 or [d["qualname"] for d in back.json()] != ["pkg.core.helper"]:
            failures.append(f"{path}:{line1}:{col1} fed back to defs: {back.stdout.strip() or back.stderr.strip()}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("line, needle", [(2, "helper"), (5, "helper"), (5, "u =")], ids=["emoji", "astral", "assignment"])
def test_non_ascii_line_columns(ws: Workspace, line: int, needle: str) -> None:
    """TARGET columns count characters; JSON columns count UTF-16 units."""
    text = line_of("app.py", line)
    col = text.index(needle)
    assert utf16(text, col) != col, "the case must tell characters from UTF-16 units apart"
    target = f"app.py:{line + 1}:{col + 1}"
    if needle == "helper":
        items = ws.run("refs", target, "--root", ws.root, "--json").json()
        assert ("app.py", line, utf16(text, col), "call") in ref_set(items)
        assert ref_set(items) == HELPER_REFS
    else:
        defs = ws.run("defs", target, "--root", ws.root, "--json").json()
        assert [(d["qualname"], d["range"]["start"]["line"], d["range"]["start"]["character"]) for d in defs] == [
            ("app.u", line, utf16(text, col))]


def test_refs_batch(ws: Workspace) -> None:
    batch = ws.tmp / "batch-targets.txt"
    batch.write_text("pkg.core.helper\n\n   pkg.core.Greeter.hello  \nno.such.thing\npkg/core.py:6:5\n", encoding="utf-8")
    result = ws.run("refs", "--batch", batch, "--root", ws.root)
    assert result.rc == 0, result
    out = json.loads(result.stdout)
    assert list(out) == ["pkg.core.helper", "pkg.core.Greeter.hello", "no.such.thing", "pkg/core.py:6:5"]
    assert ref_set(out["pkg.core.helper"]) == ref_set(out["pkg/core.py:6:5"]) == HELPER_REFS
    assert ref_set(out["pkg.core.Greeter.hello"]) == {
        (*at("app.py", 4, "hello"), "call"), (*at("pkg/core.py", 6, "hello"), "call")}
    assert out["no.such.thing"] is None
    for items in out.values():
        for item in items or ():
            assert_ref_shape(item)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("codemeld:") and "no.such.thing" in lines[0], result


def test_a_huge_unknown_name_is_quoted_back_bounded(ws: Workspace) -> None:
    # argv holds at most 128 KiB an argument on Linux: 100,000 characters there, 5 MB through --batch.
    huge = "pkg.core.nothing_" + "x" * 100_000
    for command in ("refs", "defs", "impact"):
        result = ws.run(command, huge, "--root", ws.root)
        assert result.rc != 0 and result.stdout == "", command
        assert len(result.stderr) < 2000 and "chars)" in result.stderr, (command, result.stderr[:500])
    batch = ws.tmp / "huge-target.txt"
    batch.write_text("y" * 5_000_000 + "\n", encoding="utf-8")
    result = ws.run("refs", "--batch", batch, "--root", ws.root)
    assert result.rc == 0 and len(result.stderr) < 2000 and "5000000 chars" in result.stderr, result.stderr[:500]


# -- defs, symbols, status -------------------------------------------------------------


@pytest.mark.parametrize("target", ["pkg.core.helper", "helper", "app.py:3:10", "pkg/sub/deep.py:5:12"])
def test_defs(ws: Workspace, target: str) -> None:
    items = ws.run("defs", target, "--root", ws.root, "--json").json()
    assert [(d["qualname"], d["kind"], d["path"], d["range"]["start"]["line"]) for d in items] == [
        ("pkg.core.helper", "function", "pkg/core.py", 5)]
    text = ws.run("defs", target, "--root", ws.root)
    assert text.rc == 0 and text.stdout == "pkg/core.py:6:5: function pkg.core.helper  def helper()\n", text


@pytest.mark.parametrize("args", [["defs", "pkg.core.helper"], ["symbols", "pkg/core.py"],
                                  ["search", "helper", "-k", "3"]], ids=["defs", "symbols", "search"])
def test_symbol_json_carries_the_file_uri(ws: Workspace, args: list[str]) -> None:
    # DESIGN.md: Symbol JSON is {name, qualname, kind, uri, path, range}; impact
    # and tests affected had `uri`, defs, symbols and search did not.
    items = ws.run(*args, "--root", ws.root, "--json").json()
    symbols = [i.get("symbol", i) for i in items]
    assert symbols, items
    for sym in symbols:
        assert sym.get("uri") == (ws.root / sym["path"]).resolve().as_uri(), sym


def test_symbols(ws: Workspace) -> None:
    items = ws.run("symbols", ws.root / "pkg" / "core.py", "--root", ws.root, "--json").json()
    got = [(i["qualname"], i["kind"], i["parent"]) for i in items if i["kind"] != "parameter"]
    assert got == [("pkg.core.Greeter", "class", "pkg.core"),
                   ("pkg.core.Greeter.hello", "method", "pkg.core.Greeter"),
                   ("pkg.core.helper", "function", "pkg.core")]
    assert all(i["path"] == "pkg/core.py" for i in items)
    text = ws.run("symbols", "pkg/core.py", "--root", ws.root)
    assert text.rc == 0, text
    outline = [line for line in text.stdout.splitlines() if "parameter" not in line]
    assert outline == ["class Greeter  class Greeter  [1:7]", "  method hello  def hello(self, name)  [2:9]",
                       "function helper  def helper()  [6:5]"]


def test_symbols_positions_on_a_non_ascii_line(ws: Workspace) -> None:
    items = ws.run("symbols", "app.py", "--root", ws.root, "--json").json()
    u = [i for i in items if i["qualname"] == "app.u"]
    assert len(u) == 1
    assert (u[0]["range"]["start"]["line"], u[0]["range"]["start"]["character"]) == at("app.py", 5, "u =")[1:]


def test_status(ws: Workspace) -> None:
    data = ws.run("status", "--root", ws.root, "--json").json()
    db = ws.index_db()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        files, symbols, refs, unresolved = (
            conn.execute(sql).fetchone()[0] for sql in (
                "SELECT count(*) FROM files", "SELECT count(*) FROM symbols", "SELECT count(*) FROM refs",
                "SELECT count(*) FROM refs WHERE how = 'unresolved'"))
    finally:
        conn.close()
    assert Path(data["root"]) == ws.root.resolve() and Path(data["indexDir"]) == db.parent
    assert (data["files"], data["symbols"], data["references"]) == (len(PY_FILES), symbols, refs)
    assert files == len(PY_FILES) and symbols > 10 and refs > 10
    assert data["resolutionRate"] == pytest.approx(1 - unresolved / refs, abs=1e-4)
    assert 0 <= data["resolutionRate"] <= 1
    assert data["sizeBytes"] >= db.stat().st_size > 0
    assert ws.indexed_at - 1 <= data["lastUpdate"] <= time.time() + 1
    assert (data["errors"], data["pending"]) == (0, 0)

    text = ws.run("status", "--root", ws.root)
    assert text.rc == 0, text
    fields = dict(line.split(":", 1) for line in text.stdout.splitlines())
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    assert {"files", "symbols", "references", "size", "last update"} <= set(fields), text
    assert fields["files"].startswith(f"{len(PY_FILES)} ")
    assert fields["symbols"] == str(symbols)
    assert re.fullmatch(rf"{refs} \(\d+\.\d% resolved\)", fields["references"]), fields
    assert re.fullmatch(r"\d+\.\d MB", fields["size"]) and re.fullmatch(r"\d+ (s|min) ago", fields["last update"]), fields


# -- workspace root discovery -------------------------------------------------------------


@pytest.mark.parametrize("marker", ["pyproject.toml", ".git", "setup.py"])
def test_queries_from_a_subdirectory_find_the_workspace(tmp_path: Path, marker: str) -> None:
    root = tmp_path / "ws"
    write_tree(root, {p: t for p, t in FILES.items() if p != "pyproject.toml"})
    if marker == ".git":
        (root / ".git").mkdir()
    else:
        (root / marker).write_text("", encoding="utf-8")
    env = make_env(tmp_path / "cache")
    sub = root / "pkg" / "sub"
    indexed = cli("index", "--json", env=env, cwd=sub)
    assert Path(indexed.json()["root"]) == root.resolve()

    refs = cli("refs", "pkg.core.helper", "--json", env=env, cwd=sub).json()
    assert ref_set(refs) == HELPER_REFS  # paths relative to the root, not to the cwd
    status = cli("status", "--json", env=env, cwd=sub).json()
    assert Path(status["root"]) == root.resolve()
    assert status["files"] == len(PY_FILES) + (marker == "setup.py")
    # File arguments are relative to the cwd.
    symbols = cli("symbols", "deep.py", "--json", env=env, cwd=sub).json()
    assert [s["qualname"] for s in symbols] == ["pkg.sub.deep.deep"]
    defs = cli("defs", "deep.py:5:12", "--json", env=env, cwd=sub).json()
    assert [d["qualname"] for d in defs] == ["pkg.core.helper"]


@pytest.mark.parametrize("cwd_name", ["elsewhere", "ws2"], ids=["unrelated dir", "sibling sharing the root's prefix"])
def test_root_relative_target_from_outside_the_workspace(ws: Workspace, cwd_name: str) -> None:
    """With --root, a relative TARGET path that is not under the cwd is taken relative to the root."""
    cwd = ws.tmp / cwd_name
    cwd.mkdir(exist_ok=True)
    assert not (cwd / "pkg").exists()
    result = ws.run("refs", "pkg/core.py:6:5", "--root", ws.root, "--json", cwd=cwd)
    assert result.rc == 0, result
    assert ref_set(result.json()) == HELPER_REFS


@needs_symlinks
def test_symlinked_file_is_queried_by_its_workspace_path(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    write_tree(root, {"pyproject.toml": "", "use.py": "from link import external_fn\n\nexternal_fn()\n"})
    write_tree(tmp_path / "outside", {"ext.py": "def external_fn():\n    return 2\n"})
    (root / "link.py").symlink_to("../outside/ext.py")
    env = make_env(tmp_path / "cache")
    assert cli("index", env=env, cwd=root).rc == 0
    symbols = cli("symbols", "link.py", "--json", env=env, cwd=root)
    assert symbols.rc == 0, symbols
    assert [s["qualname"] for s in symbols.json()] == ["link.external_fn"]
    refs = cli("refs", "link.py:1:5", "--json", env=env, cwd=root)
    assert refs.rc == 0, refs
    assert ref_set(refs.json()) == {("use.py", 0, 17, "import"), ("use.py", 2, 0, "call")}


# -- the human output quotes the right source line --------------------------------------------


@pytest.mark.parametrize("separator, newline", [
    pytest.param("\n", "\n", id="LF"),
    pytest.param("\n", "\r\n", id="CRLF"),
    pytest.param("\n\x0c\n", "\n", id="form feed line"),  # as in the stdlib's older modules
    pytest.param("\nnote = 'a\u2028b'\n", "\n", id="U+2028 inside a string"),
])
def test_text_refs_quote_the_referencing_line(tmp_path: Path, separator: str, newline: str) -> None:
    root = tmp_path / "ws"
    source = "def f():\n    return 1\n" + separator + "value = f()\n"
    write_tree(root, {"pyproject.toml": "", "mod.py": source.replace("\n", newline)})
    env = make_env(tmp_path / "cache")
    assert cli("index", env=env, cwd=root).rc == 0
    result = cli("refs", "mod.f", env=env, cwd=root)
    assert result.rc == 0, result
    line = source.split("\n").index("value = f()") + 1
    assert result.stdout.splitlines() == [f"mod.py:{line}:9: call [scope 1.00]  value = f()"]


# -- clear errors ----------------------------------------------------------------------------


@dataclass
class Ctx:
    ws: Workspace
    tmp: Path  # this test's own temp dir

    def index_copy(self, corrupt: Callable[[Path], None]) -> Path:
        """A copy of the workspace's index dir, damaged by `corrupt(db_path)`."""
        target = self.tmp / "damaged"
        shutil.copytree(self.ws.index_db().parent, target)
        corrupt(target / "graph.sqlite3")
        return target


def _garbage(size: int) -> bytes:
    return random.Random(size).randbytes(size)  # deterministic: the same damage every run


def _without_wal(db: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def _random_bytes(db: Path) -> None:
    _without_wal(db)
    db.write_bytes(_garbage(16384))


def _text_garbage(db: Path) -> None:
    _without_wal(db)
    db.write_text("garbage, not SQLite\n" * 100)


def _truncated(db: Path) -> None:
    _without_wal(db)
    data = db.read_bytes()
    db.write_bytes(data[:4096 + 100])


def _garbage_pages(db: Path) -> None:
    """Valid header, garbage everywhere else."""
    _without_wal(db)
    data = db.read_bytes()
    db.write_bytes(data[:100] + _garbage(len(data) - 100))


def _damaged_refs_table(db: Path) -> None:
    """One damaged page, in the refs table: the index opens, then a query hits it."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root_page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ref_rows'").fetchone()[0]
    finally:
        conn.close()
    _without_wal(db)
    data = bytearray(db.read_bytes())
    offset = (root_page - 1) * page_size
    data[offset:offset + page_size] = _garbage(page_size)
    db.write_bytes(bytes(data))


def _old_schema(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 1")
    conn.close()


CORRUPTIONS = {"random bytes": _random_bytes, "text": _text_garbage, "truncated": _truncated,
               "garbage pages": _garbage_pages, "damaged refs table": _damaged_refs_table}
CORRUPT_COMMANDS = {
    "refs --json": lambda c, d: ["refs", "pkg.core.helper", "--root", c.ws.root, "--index-dir", d, "--json"],
    "defs": lambda c, d: ["defs", "pkg/core.py:6:5", "--root", c.ws.root, "--index-dir", d],
    "symbols": lambda c, d: ["symbols", c.ws.root / "pkg" / "core.py", "--root", c.ws.root, "--index-dir", d],
    "status --json": lambda c, d: ["status", "--root", c.ws.root, "--index-dir", d, "--json"],
}

# name -> (args from a Ctx, what the message must mention, cwd from a Ctx or None for the repo root)
ERRORS: dict[str, tuple[Callable[[Ctx], list], str | None, Callable[[Ctx], Path] | None]] = {
    "unknown qualified name": (lambda c: ["refs", "pkg.core.nothing", "--root", c.ws.root], "pkg.core.nothing", None),
    "unknown name with --json": (lambda c: ["refs", "no_such_name", "--root", c.ws.root, "--json"], "no_such_name", None),
    "unknown name for defs": (lambda c: ["defs", "no_such_name", "--root", c.ws.root], "no_such_name", None),
    "ambiguous name": (lambda c: ["refs", "run", "--root", c.ws.root], r"Daily\.run.*Weekly\.run", None),
    "line past the end of the file": (lambda c: ["refs", "app.py:999:1", "--root", c.ws.root], r"app\.py:999", None),
    "blank line": (lambda c: ["defs", "app.py:2:1", "--root", c.ws.root], r"app\.py:2", None),
    "file not in the index": (lambda c: ["refs", "pkg/missing.py:1:1", "--root", c.ws.root], "missing.py", None),
    "defined outside the workspace": (
        lambda c: ["defs", f"app.py:7:{char_col('app.py', 6, 'print')}", "--root", c.ws.root], "outside", None),
    "symbols of a file outside the workspace": (
        lambda c: ["symbols", c.tmp / "stray.py", "--root", c.ws.root], "outside", None),
    "symbols of a file not indexed": (lambda c: ["symbols", "pkg/missing.py", "--root", c.ws.root], "not in the index", None),
    "refs with a nonexistent root": (lambda c: ["refs", "helper", "--root", c.tmp / "nope"], "nope", None),
    "status with a nonexistent root": (lambda c: ["status", "--root", c.tmp / "nope"], "nope", None),
    "index a nonexistent root": (lambda c: ["index", c.tmp / "nope"], "nope", None),
    "index a file as root": (lambda c: ["index", c.ws.root / "app.py"], "app.py", None),
    "refs with a file as root": (lambda c: ["refs", "helper", "--root", c.ws.root / "app.py"], "app.py", None),
    "missing index (--index-dir)": (
        lambda c: ["refs", "helper", "--root", c.ws.root, "--index-dir", c.tmp / "empty"], "codemeld index", None),
    "missing index for status": (lambda c: ["status", "--root", c.ws.root, "--index-dir", c.tmp / "empty"], "no index", None),
    "missing index for symbols": (
        lambda c: ["symbols", "app.py", "--root", c.ws.root, "--index-dir", c.tmp / "empty"], "no index", None),
    "workspace never indexed (default location)": (
        lambda c: ["refs", "helper"], "no index", lambda c: c.tmp),
    "old schema": (
        lambda c: ["refs", "helper", "--root", c.ws.root, "--index-dir", c.index_copy(_old_schema)], "codemeld index", None),
    "batch file missing": (
        lambda c: ["refs", "--batch", c.tmp / "no-such-batch.txt", "--root", c.ws.root], "no-such-batch", None),
}
for _kind, _corrupt in CORRUPTIONS.items():
    for _command, _args in CORRUPT_COMMANDS.items():
        if _kind == "random bytes" or _command in ("refs --json", "status --json"):
            ERRORS[f"corrupt index ({_kind}): {_command}"] = (
                lambda c, _a=_args, _k=_corrupt: _a(c, c.index_copy(_k)), r"index", None)


@pytest.mark.parametrize("name", ERRORS)
def test_clear_error(ws: Workspace, tmp_path: Path, name: str) -> None:
    args, mentions, cwd = ERRORS[name]
    ctx = Ctx(ws, tmp_path)
    (tmp_path / "stray.py").write_text("x = 1\n")
    (tmp_path / "empty").mkdir()
    result = ws.run(*args(ctx), cwd=cwd(ctx) if cwd else REPO)
    assert_clear_error(result, mentions)
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="permission bits do not apply to root")
@pytest.mark.parametrize("command", ["index", "refs"])
def test_unreadable_root(tmp_path: Path, command: str) -> None:
    root = tmp_path / "locked"
    write_tree(root, {"a.py": "def a():\n    pass\n"})
    env = make_env(tmp_path / "cache")
    assert cli("index", root, env=env).rc == 0
    root.chmod(0)
    try:
        args = ["index", root] if command == "index" else ["refs", "a.a", "--root", root]
        assert_clear_error(cli(*args, env=env), mentions="locked")
    finally:
        root.chmod(0o755)


USAGE_ERRORS = {
    "refs without TARGET or --batch": ["refs"],
    "unknown option": ["refs", "helper", "--bogus"],
    "unknown command": ["frobnicate"],
    "option value of the wrong type": ["index", "--jobs", "many"],
    # Numbers out of range answered nonsense with exit 0 ("0 dependents in 0
    # files, 10 tests (truncated)"; no tests ran after "stopping the test run").
    "impact depth 0": ["impact", "helper", "--depth", "0"],
    "impact negative depth": ["impact", "helper", "--depth", "-3"],
    "impact limit 0": ["impact", "helper", "--limit", "0"],
    "locate k 0": ["locate", "helper", "-k", "0"],
    "search k negative": ["search", "helper", "-k", "-2"],
    "map depth 0": ["map", "--depth", "0"],
    "map negative budget": ["map", "--budget", "-5"],
    "explain negative budget": ["explain", "helper", "--budget", "-5"],
    "learn negative timeout": ["tests", "learn", "--timeout", "-1"],
    "learn negative test timeout": ["tests", "learn", "--test-timeout", "-5"],
    "affected confidence above 1": ["tests", "affected", "--min-confidence", "7"],
    # A line or column below 1 was read as part of the path: "pkg/core.py:-1 is not in the index".
    "refs negative line": ["refs", "pkg/core.py:-1:3"],
    "refs line 0": ["refs", "pkg/core.py:0:3"],
    "defs negative column": ["defs", "pkg/core.py:6:-5"],
    "impact column 0": ["impact", "pkg/core.py:6:0"],
}


@pytest.mark.parametrize("args", USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_usage_errors_exit_2_without_a_traceback(ws: Workspace, args: list[str]) -> None:
    result = ws.run(*args, cwd=ws.root)
    assert result.rc == 2, result
    assert result.stdout == "", result
    assert "Traceback" not in result.stderr and "Error" in result.stderr, result
    if ".py:" in " ".join(args):
        assert "count from 1" in result.stderr and "not in the index" not in result.stderr, result


def test_a_skipped_file_says_why_it_is_not_in_the_index(tmp_path: Path) -> None:
    """`symbols`/`refs` on a file discovery left out named the reason, not
    just "not in the index"."""
    root = tmp_path / "ws"
    write_tree(root, {**FILES, "pkg/huge.py": "x = 1\n" * 200_000, "pkg/blob.py": "x = 1\n\0\0\0\n"})
    env = make_env(tmp_path / "cache")
    assert cli("index", root, env=env).rc == 0
    cases = {("symbols", "pkg/huge.py"): r"skipped \(too large\).*--max-file-size",
             ("refs", "pkg/huge.py:1:1"): r"skipped \(too large\)",
             ("symbols", "pkg/blob.py"): r"skipped \(binary\)",
             ("symbols", "pkg/nothing.py"): "no such file"}
    for argv, why in cases.items():
        assert_clear_error(cli(*argv, "--root", root, env=env, cwd=root), mentions=f"not in the index: .*{why}")


# -- a real process: what only a process can show ----------------------------------------


@pytest.mark.slow
def test_real_process_prints_only_results_on_stdout(ws: Workspace) -> None:
    index = cli_process("index", ws.root, env=ws.env)
    assert index.rc == 0 and index.stdout == "", index
    refs = cli_process("refs", "pkg.core.helper", "--root", ws.root, "--json", env=ws.env)
    assert ref_set(refs.json()) == HELPER_REFS and refs.stderr == ""


@pytest.mark.slow
@pytest.mark.parametrize("args, rc", [(["refs", "pkg.core.nothing"], 1), (["refs", "helper", "--bogus"], 2)],
                         ids=["clear error", "usage error"])
def test_real_process_exit_codes(ws: Workspace, args: list[str], rc: int) -> None:
    result = cli_process(*args, "--root", ws.root, env=ws.env)
    assert result.rc == rc and result.stdout == "", result
    assert "Traceback" not in result.stderr, result
