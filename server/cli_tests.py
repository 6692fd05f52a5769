"""`codemeld tests learn|affected`: learned test impact and the affected-test
runner. Registered on the `codemeld` app by one import in server/cli.py.

Results on stdout (node ids, or JSON with --json); progress and summaries on
stderr. `affected --run` exits with pytest's own exit code.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from server.cli import CliError, IndexDirOpt, other_root_message, JsonOpt, RootOpt, _emit_json, _root, _setup_logging, app

if TYPE_CHECKING:
    from indexer.pipeline.index import Indexer

# The engines load inside the command that runs (a `codemeld refs` call does
# not import them). Their defaults, shown by --help, are the engines' own
# (tests/unit/test_cli_imports.py checks that these equal them).
DEFAULT_MIN_CONFIDENCE = 1e-9  # indexer.analysis.affected.DEFAULT_MIN_CONFIDENCE
DEFAULT_TIMEOUT = 3600.0  # indexer.analysis.learn.DEFAULT_TIMEOUT
DEFAULT_TEST_TIMEOUT = 300.0  # indexer.analysis.learn.DEFAULT_TEST_TIMEOUT

tests_app = typer.Typer(no_args_is_help=True, help="Tests: learn which tests run which code; select affected tests.")
app.add_typer(tests_app, name="tests")

_PASSTHROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}
PythonOpt = Annotated[Optional[str], typer.Option(
    "--python", help="Interpreter that runs the tests (default: the workspace's .venv/venv, else this one).")]


def _indexer(root: Path | None, index_dir: Path | None, update: bool) -> Indexer:
    """The workspace's index, brought up to date with the files on disk
    (only changed files are read) unless `update` is off."""
    from indexer.graph.store import StoreError
    from indexer.pipeline.index import IndexOptions, Indexer

    workspace = _root(root)
    try:
        indexer = Indexer(workspace, index_dir, IndexOptions(jobs=1))
    except (StoreError, OSError) as exc:
        raise CliError(str(exc)) from exc
    if indexer.built_for is not None:  # a run would drop the other workspace's files and tests
        indexer.close()
        raise CliError(other_root_message(indexer))
    if update:
        indexer.run()
    return indexer


@tests_app.command(context_settings=_PASSTHROUGH)
def learn(
    ctx: typer.Context,
    root: RootOpt = None,
    index_dir: IndexDirOpt = None,
    python: PythonOpt = None,
    full: Annotated[bool, typer.Option("--full", help="Run every test, not only those whose dependencies changed.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds for the whole run (above 0).")] = DEFAULT_TIMEOUT,
    test_timeout: Annotated[float, typer.Option(min=0, help="Seconds for one test (0: no limit).")] = DEFAULT_TEST_TIMEOUT,
    as_json: JsonOpt = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False,
) -> None:
    """Run the project's tests under coverage (per-test contexts) and store which
    test executes which function in the index. Later runs re-run only tests whose
    functions changed, new tests and tests that did not pass. Extra arguments
    (after --) go to pytest."""
    from indexer.analysis import learn as learning
    from indexer.graph.query import Graph

    if timeout <= 0:  # a run stopped before it starts would store "no tests ran"
        raise typer.BadParameter(f"{timeout} is not above 0", param_hint="'--timeout'")
    _setup_logging(verbose)
    indexer = _indexer(root, index_dir, update=True)
    graph = Graph(indexer.store, indexer.root)
    options = learning.LearnOptions(python=python, args=tuple(ctx.args), timeout=timeout,
                                    test_timeout=test_timeout, full=full)
    try:
        run = learning.learn(graph, options, progress=lambda m: print(f"codemeld: {m}", file=sys.stderr))
    except learning.LearnError as exc:
        raise CliError(str(exc)) from exc
    finally:
        indexer.close()
    if as_json:
        _emit_json(run.to_json())
    print(learning.learn_text(run), file=sys.stderr)


@tests_app.command(context_settings=_PASSTHROUGH)
def affected(
    ctx: typer.Context,
    root: RootOpt = None,
    index_dir: IndexDirOpt = None,
    staged: Annotated[bool, typer.Option("--staged", help="The staged changes (index vs HEAD).")] = False,
    working_tree: Annotated[bool, typer.Option("--working-tree", help="All uncommitted changes (default).")] = False,
    since: Annotated[Optional[str], typer.Option("--since", help="Changes since a revision (working tree vs REV).")] = None,
    run_: Annotated[bool, typer.Option("--run", help="Run the selected tests with pytest (arguments after -- go to pytest).")] = False,
    python: PythonOpt = None,
    static_only: Annotated[bool, typer.Option("--static", help="Ignore learned test edges.")] = False,
    min_confidence: Annotated[float, typer.Option(min=0, max=1, help="Drop statically found tests below this confidence.")] = DEFAULT_MIN_CONFIDENCE,
    no_update: Annotated[bool, typer.Option("--no-update", help="Do not bring the index up to date first.")] = False,
    as_json: JsonOpt = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False,
) -> None:
    """The tests affected by a change (git diff -> changed symbols -> tests): prints
    pytest node ids, or runs them."""
    from indexer.analysis import affected as affected_engine
    from indexer.graph.query import Graph

    _setup_logging(verbose)
    if sum(bool(x) for x in (staged, working_tree, since)) > 1:
        raise CliError("choose one of --staged, --working-tree, --since")
    started = time.monotonic()
    indexer = _indexer(root, index_dir, update=not no_update)
    graph = Graph(indexer.store, indexer.root)
    try:
        changes = affected_engine.git_changes(indexer.root, staged=staged, since=since)
        selection = affected_engine.select(graph, changes, min_confidence=min_confidence, learned=not static_only)
    except affected_engine.DiffError as exc:
        raise CliError(str(exc)) from exc
    finally:
        indexer.close()
    seconds = time.monotonic() - started
    learned = sum(1 for t in selection.tests.values() if t.source != "static")
    print(f"codemeld: {len(selection.changed)} changed symbols in {len(selection.files)} files ->"
          f" {len(selection.tests)} tests ({learned} learned) in {seconds:.2f}s", file=sys.stderr)
    if selection.unowned:
        print("codemeld: module-level lines changed outside any symbol (imports, statements): "
              + ", ".join(f"{p}:{','.join(str(n + 1) for n in lines[:5])}" for p, lines in selection.unowned.items()),
              file=sys.stderr)
    if not run_:
        if as_json:
            from server.protocol import edge  # pydantic models: only for JSON

            _emit_json(edge.affected_tests(selection, graph.root.as_uri()).wire())
        else:
            for test_id in selection.ids():
                print(test_id)
        return
    ids = selection.ids()
    if not ids:
        print("codemeld: no affected tests to run", file=sys.stderr)
        return
    from indexer.analysis import learn as learning

    interpreter = learning.find_python(graph.root, python)
    cmd = [interpreter, "-m", "pytest", *ctx.args, *ids]
    print(f"codemeld: running {' '.join(cmd[:3] + list(ctx.args))} <{len(ids)} tests>", file=sys.stderr)
    code = subprocess.run(cmd, cwd=graph.root).returncode
    sys.exit(code)
