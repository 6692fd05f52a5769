"""`codemeld` command line: a front door over the indexer, like the LSP one.

stdout carries results only (JSON with --json); logs, progress and errors go
to stderr. Exit codes: 0 ok, 1 a clear error (unknown target, no index,
unreadable root), 2 bad usage.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from server import cli_coerce

cli_coerce.install()  # option values without building pydantic adapters (a fast start)
# Only what every query command needs at module level: the indexing pipeline,
# the analyses and pydantic load inside the commands that use them (a call
# pays for its own command only; tests/unit/test_cli_imports.py keeps it so).
from indexer.graph.echo import quoted
from indexer.graph.query import Graph, TargetError, age, char_column
from indexer.graph.store import Store, StoreError
from indexer.pipeline.writer_lock import IndexBusy
from server import cli_paging
from indexer.graph.vocab import SymbolKind

app = typer.Typer(add_completion=False, no_args_is_help=True, help="codemeld: a codebase-wide Python index and language server.")

RootOpt = Annotated[Optional[Path], typer.Option("--root", help="Workspace root (default: the workspace holding the current directory).")]
IndexDirOpt = Annotated[Optional[Path], typer.Option("--index-dir", help="Index location (default: under the user cache dir).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON to stdout.")]

_ROOT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg", ".hg")


class CliError(Exception):
    """Printed as one line on stderr, exit code 1."""


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(relativeCreated)7.0fms %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,  # the CLI owns its process's logging, also when run in process (tests)
    )


def find_root(start: Path) -> Path:
    start = start.resolve()
    for candidate in (start, *start.parents):
        if any((candidate / marker).exists() for marker in _ROOT_MARKERS):
            return candidate
    return start


def _root(root: Path | None) -> Path:
    path = (root or find_root(Path.cwd())).resolve()
    if not path.is_dir():
        raise CliError(f"root {path} is not a readable directory")
    return path


def _graph(root: Path | None, index_dir: Path | None) -> Graph:
    from indexer.pipeline.index_dir import default_index_dir

    workspace = _root(root)
    directory = index_dir or default_index_dir(workspace)
    try:
        store = Store(directory, readonly=True)
    except StoreError as exc:
        raise CliError(f"{exc} (workspace {workspace})") from exc
    return Graph(store, workspace)


def other_root_message(indexer) -> str:
    """Why a run into an index of another workspace is refused, and the ways on."""
    return (f"{indexer.index_dir} holds the index of {indexer.built_for}, not of {indexer.root}:"
            f" indexing here would remove that workspace's files and learned tests. Use another --index-dir,"
            f" or `codemeld index {indexer.root} --index-dir {indexer.index_dir} --repoint` to replace it")


def _emit_json(value) -> None:
    sys.stdout.write(json.dumps(value, indent=None))
    sys.stdout.write("\n")


def _location(lines: "_LineCache", path: str, line: int, utf16_col: int) -> str:
    """path:line:col as compilers print it: 1-based, columns in characters,
    so the location can be pasted back as a TARGET."""
    return f"{path}:{line + 1}:{char_column(lines.raw(path, line), utf16_col) + 1}"


@app.command()
def index(
    root: Annotated[Optional[Path], typer.Argument(help="Workspace to index (default: current workspace).")] = None,
    index_dir: IndexDirOpt = None,
    max_file_size: Annotated[int, typer.Option(help="Skip files larger than this many bytes.")] = 1_000_000,
    exclude: Annotated[list[str], typer.Option("--exclude", help="Extra gitignore-style pattern (repeatable).")] = [],
    jobs: Annotated[int, typer.Option(help="Parser processes (0 = one per core).")] = 0,
    no_embeddings: Annotated[bool, typer.Option("--no-embeddings", help="Build only the symbol graph.")] = False,
    publish: Annotated[Optional[str], typer.Option("--publish", help="Then upload it as the shared index of HEAD (s3://, gs://, az://, file://).")] = None,
    as_json: JsonOpt = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False,
    lock_wait: Annotated[float, typer.Option(help="Seconds to wait while another process writes this index.")] = 30.0,
    repoint: Annotated[bool, typer.Option("--repoint", help="The --index-dir holds another workspace's index: replace it with this one's.")] = False,
) -> None:
    """Build or update the index of a workspace (only changed files are re-read)."""
    from indexer.pipeline.index import IndexOptions, Indexer

    _setup_logging(verbose)
    workspace = _root(root)
    options = IndexOptions(max_file_size=max_file_size, exclude=tuple(exclude), jobs=jobs, lock_wait_s=lock_wait)
    try:
        indexer = Indexer(workspace, index_dir, options)
    except (StoreError, OSError, IndexBusy) as exc:
        raise CliError(str(exc)) from exc
    if indexer.built_for is not None and not repoint:
        indexer.close()
        raise CliError(other_root_message(indexer))
    try:
        # One lock across the run and its summary: another writer (a second
        # `index`, the server) cannot change what we report.
        with indexer.writing():
            with _progress() as report:
                run = indexer.run(progress=report)
            stats = Graph(indexer.store, workspace).stats()
        # The second store: after the graph, never instead of it (it has a lock of its own).
        embed_run = None if no_embeddings else _update_embeddings(Graph(indexer.store, workspace), indexer.index_dir)
    except IndexBusy as exc:
        indexer.close()
        raise CliError(str(exc)) from exc
    indexer.close()
    published = None if publish is None else cli_team.publish_after_index(workspace, indexer.index_dir, publish)
    if as_json:
        _emit_json({"root": str(workspace), "indexDir": str(indexer.index_dir), "discovered": run.discovered,
                    "parsed": run.parsed, "unchanged": run.unchanged, "removed": run.removed,
                    "failed": run.failed, "refsResolved": run.refs_resolved, "seconds": round(run.seconds, 3),
                    "embeddings": None if embed_run is None else {
                        "files": embed_run.files, "removed": embed_run.removed, "chunks": embed_run.chunks,
                        "embedded": embed_run.embedded, "reused": embed_run.reused,
                        "seconds": round(embed_run.seconds, 3)}} | ({"published": published} if published else {}))
        return
    print(f"indexed {workspace}: {run.parsed} parsed, {run.unchanged} unchanged, {run.removed} removed,"
          f" {run.failed} failed in {run.seconds:.2f}s; {stats.files} files, {stats.symbols} symbols,"
          f" {stats.references} references ({stats.resolution_rate:.1%} resolved)", file=sys.stderr)
    if embed_run is not None:
        print(f"embedded {embed_run.embedded} chunks ({embed_run.reused} reused) from {embed_run.files} changed"
              f" files, {embed_run.removed} removed, in {embed_run.seconds:.2f}s"
              + (f"; {embed_run.skipped} unreadable files left out" if embed_run.skipped else ""), file=sys.stderr)


def _update_embeddings(graph: Graph, index_dir: Path):
    """Build the vector store; when it cannot be built, say why once and
    leave the (complete) graph as the result."""
    from indexer.semantic import SemanticUnavailable
    from indexer.semantic.build import update_embeddings

    try:
        with _progress() as report:
            return update_embeddings(graph, index_dir, progress=report)
    except SemanticUnavailable as exc:
        print(f"codemeld: embeddings skipped: {exc}", file=sys.stderr)
        return None


class _progress:
    """A rich progress bar on a terminal; silent otherwise."""

    def __enter__(self):
        if not sys.stderr.isatty():
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), transient=True, console=_stderr_console())
        self.bar.start()
        self.task = self.bar.add_task("indexing", total=None)

        def report(done: int, total: int, message: str) -> None:
            stage = "resolving" if message.startswith("resolving") else "parsing"
            stage = "embedding" if message.startswith("Embedding") else stage
            self.bar.update(self.task, completed=done, total=total, description=stage)

        return report

    def __exit__(self, *exc) -> None:
        if getattr(self, "bar", None) is not None:
            self.bar.stop()


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


# path:line[:col] with signed numbers, so that -1 is caught here rather than read as part of the path.
_LOCATION = re.compile(r"(.+?):([-+]?\d+)(?::([-+]?\d+))?")


def _targets(graph: Graph, target: str) -> list[str]:
    location = _LOCATION.fullmatch(target)
    if location and (location.group(1).endswith((".py", ".pyi")) or "/" in location.group(1) or os.sep in location.group(1)):
        if any(n is not None and int(n) < 1 for n in location.group(2, 3)):
            raise typer.BadParameter(f"{quoted(target)}: line and column count from 1 (path:line:col, as compilers"
                                     f" print them)", param_hint="TARGET")
    try:
        return graph.resolve_target(target)
    except TargetError as exc:
        path = graph.relative_path(location.group(1)) if location else None
        if path is not None and not graph.has_file(path):
            raise CliError(_not_indexed(graph, path)) from exc
        raise CliError(str(exc)) from exc


def _not_indexed(graph: Graph, path: str) -> str:
    """Why a workspace file is not in the index: what discovery says of it now
    (with the default options of `codemeld index`)."""
    from indexer.pipeline import discovery

    checked = discovery.check_file(graph.root, graph.root / path)
    if isinstance(checked, discovery.Skipped):
        more = "; `codemeld index --max-file-size BYTES` takes larger files" if checked.reason == discovery.TOO_LARGE else ""
        return f"{path} is not in the index: it was skipped ({checked.reason}){more}"
    if not (graph.root / path).exists():
        return f"{path} is not in the index: no such file"
    if checked is None:
        return f"{path} is not in the index: it is ignored (.gitignore, --exclude) or not in a supported language"
    return f"{path} is not in the index yet: run `codemeld index`"


@app.command()
def refs(
    target: Annotated[Optional[str], typer.Argument(help="path:line:col (1-based) or a qualified name like pkg.mod.Class.method.")] = None,
    root: RootOpt = None,
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
    include_declaration: Annotated[bool, typer.Option("--include-declaration", help="List the definition too.")] = False,
    min_confidence: Annotated[float, typer.Option(help="Drop references resolved with less confidence.")] = 0.0,
    batch: Annotated[Optional[Path], typer.Option(help="File with one TARGET per line; prints {TARGET: [refs]}.")] = None,
    guesses: Annotated[bool, typer.Option("--guesses", help="Also list name-matched guesses (receivers of unknown type).")] = False,
    limit: cli_paging.LimitOpt = None,
    cursor: cli_paging.CursorOpt = None,
) -> None:
    """Every reference to a symbol across the workspace (name-matched guesses with --guesses)."""
    from indexer.analysis.navigation import find_reference_rows, find_references
    from indexer.graph.model import reference_json
    from indexer.graph.query import reference_from_row

    graph = _graph(root, index_dir)
    if batch is not None:
        out = {}
        try:
            batch_text = batch.read_text(encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot read batch file {batch}: {exc.strerror or exc}") from exc
        for line in batch_text.splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                qualnames = graph.resolve_target(line)
            except TargetError as exc:
                print(f"codemeld: {exc}", file=sys.stderr)
                out[line] = None
                continue
            out[line] = [r.to_json() for r in find_references(graph, qualnames, include_declaration, min_confidence, guesses)]
        _emit_json(out)
        return
    if target is None:
        raise typer.BadParameter("give a TARGET or --batch FILE")
    # Rows first, Reference objects for the page printed only (a page of 100 of 40,000 uses).
    rows = find_reference_rows(graph, _targets(graph, target), include_declaration, min_confidence, guesses)
    files = len({row[0] for row in rows})
    question = {"target": target, "declaration": include_declaration, "min": min_confidence, "guesses": guesses}
    rows, paging = cli_paging.paged("refs", question, rows, limit, cursor)
    if as_json:
        refs_json = [reference_json(*row[:5], row[6], row[9], row[10]) for row in rows]  # REF_COLUMNS order
        _emit_json(refs_json if paging is None else {"references": refs_json, "page": paging})
        return
    found = [reference_from_row(row) for row in rows]
    lines = _LineCache(graph.root)
    for ref in found:
        start = ref.range.start
        print(f"{_location(lines, ref.path, start.line, start.character)}: {ref.kind}"
              f" [{ref.how} {ref.confidence:.2f}]  {lines.get(ref.path, start.line)}")
    total = len(found) if paging is None else paging["total"]
    print(f"{total} references in {files} files", file=sys.stderr)
    if paging is not None:
        print(cli_paging.footer(paging), file=sys.stderr)


def _file_uri(graph, path: str) -> str:
    """DESIGN's Symbol JSON carries the file's URI beside its relative path."""
    return (graph.root / path).as_uri()


@app.command()
def defs(
    target: Annotated[str, typer.Argument(help="path:line:col (1-based) or a qualified name.")],
    root: RootOpt = None,
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Where a symbol (or the name at a position) is defined."""
    graph = _graph(root, index_dir)
    symbols = [s for q in _targets(graph, target) for s in graph.symbols(q)]
    if not symbols:
        # Outside the workspace (stdlib, site-packages): say what it is.
        raise CliError(f"{target} is defined outside the workspace ({', '.join(_targets(graph, target))})")
    if as_json:
        _emit_json([s.to_json() | {"uri": _file_uri(graph, s.path), "signature": s.signature} for s in symbols])
        return
    lines = _LineCache(graph.root)
    for sym in symbols:
        start = sym.selection_range.start
        print(f"{_location(lines, sym.path, start.line, start.character)}: {sym.kind} {sym.qualname}"
              f"  {sym.signature}")


@app.command()
def symbols(
    file: Annotated[Path, typer.Argument(help="A file of the workspace.")],
    root: RootOpt = None,
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The symbols a file defines, outline order."""
    graph = _graph(root, index_dir)
    path = graph.relative_path(str(file))
    if path is None:
        raise CliError(f"{file} is outside the workspace {graph.root}")
    found = [s for s in graph.symbols_in_file(path) if s.kind != SymbolKind.MODULE]
    if not found and not graph.has_file(path):
        raise CliError(_not_indexed(graph, path))
    if as_json:
        _emit_json([s.to_json() | {"uri": _file_uri(graph, path), "signature": s.signature, "parent": s.parent}
                    for s in found])
        return
    depth = {}
    lines = _LineCache(graph.root)
    for sym in found:
        level = depth.get(sym.parent, -1) + 1
        depth[sym.qualname] = level
        start = sym.selection_range.start
        column = char_column(lines.raw(path, start.line), start.character) + 1
        print(f"{'  ' * level}{sym.kind} {sym.name}  {sym.signature or ''}  [{start.line + 1}:{column}]".rstrip())


@app.command()
def impact(
    target: Annotated[str, typer.Argument(help="path:line:col (1-based) or a qualified name.")],
    root: RootOpt = None,
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
    tests: Annotated[bool, typer.Option("--tests", help="Print only the affected tests' pytest node ids.")] = False,
    depth: Annotated[Optional[int], typer.Option(min=1,
        help="How many links away to follow dependents (default: the engine's, 8; 6 above 600 Python files).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Stop after this many dependents.")] = 2000,
    output: Annotated[str, typer.Option("--format", help="text, json, mermaid or dot.")] = "text",
    coverage: Annotated[bool, typer.Option(help="Merge per-test coverage data (.coverage) when present.")] = True,
    page_size: cli_paging.PageSizeOpt = None,
    cursor: cli_paging.CursorOpt = None,
) -> None:
    """What depends on a symbol, through which path, and which tests exercise it."""
    from indexer.analysis import impact_render
    from indexer.analysis.impact import default_depth, impact as compute_impact
    from server.host.coverage import coverage_for

    if output not in ("text", "json", "mermaid", "dot"):
        raise typer.BadParameter(f"unknown format {quoted(output)}: use text, json, mermaid or dot")
    graph = _graph(root, index_dir)
    qualnames = [q for q in _targets(graph, target) if graph.symbol(q) is not None]
    if not qualnames:
        raise CliError(f"{target} is defined outside the workspace: no impact to compute")
    dynamic = coverage_for(graph.root) if coverage else None
    depth = default_depth(graph) if depth is None else depth
    report = compute_impact(graph, qualnames[0], depth=depth, limit=limit, coverage=dynamic)
    question = {"target": target, "depth": depth, "limit": limit, "coverage": coverage}
    dependents, paging = cli_paging.paged("impact", question, list(report.dependents), page_size, cursor)
    if paging is not None:  # one page of dependents; tests and files stay whole
        import dataclasses

        report = dataclasses.replace(report, dependents=tuple(dependents))
        print(cli_paging.footer(paging), file=sys.stderr)
    if tests:
        for test in report.tests:
            print(test.id)
        return
    if as_json or output == "json":
        from server.protocol import edge  # pydantic models: only for JSON

        _emit_json(edge.impact_report(report, graph.root.as_uri()).wire() | ({"page": paging} if paging else {}))
    elif output == "mermaid":
        sys.stdout.write(impact_render.to_mermaid(report))
    elif output == "dot":
        sys.stdout.write(impact_render.to_dot(report))
    else:
        sys.stdout.write(impact_render.to_text(report))


@app.command()
def explain(
    target: Annotated[str, typer.Argument(help="path:line:col (1-based) or a qualified name.")],
    root: RootOpt = None,
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
    budget: Annotated[int, typer.Option(min=1, help="Context pack size in (approximate) tokens.")] = 2000,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Structural explanation even when a model is configured.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Ask the model again instead of reusing its cached answer.")] = False,
    short: Annotated[bool, typer.Option("--short", help="Print only the one-line summary (what hover shows).")] = False,
) -> None:
    """Explain a symbol from the index: purpose, inputs/outputs, callers, tests, impact.
    Uses the model at CODEMELD_LLM_BASE_URL when set, else a structural explanation."""
    from indexer.explain import explain as explain_symbol, similar_provider
    from indexer.explain.llm import LLMConfig

    graph = _graph(root, index_dir)
    qualnames = [q for q in _targets(graph, target) if graph.symbol(q) is not None]
    if not qualnames:
        raise CliError(f"{target} is defined outside the workspace: nothing to explain")
    config = None if no_llm else LLMConfig.from_env()
    # Stream a model's answer to a terminal-style reader as it arrives; JSON waits for the whole.
    streamed: list[str] = []

    def show(delta: str) -> None:
        streamed.append(delta)
        sys.stdout.write(delta)
        sys.stdout.flush()

    live = config is not None and not as_json and not short
    result = explain_symbol(graph, qualnames[0], llm_config=config, budget=budget, use_cache=not no_cache,
                            stream=live, on_delta=show if live else None, similar=similar_provider(graph))
    if result.note:
        print(f"codemeld: {result.note}", file=sys.stderr)
    if as_json:
        from server.protocol import edge  # pydantic models: loaded on first use, not at each start

        _emit_json(edge.explanation(result, pack=True).wire())
    elif short:
        print(result.short)
    elif streamed and result.source != "structural":
        print(result.markdown[len("".join(streamed).strip()):].rstrip())  # the footer naming the model
    else:
        if streamed:
            print()
        sys.stdout.write(result.markdown)


@app.command()
def rename(
    target: Annotated[str, typer.Argument(help="path:line:col (1-based) or a qualified name.")],
    new_name: Annotated[str, typer.Argument(help="The new name.")],
    root: RootOpt = None,
    index_dir: IndexDirOpt = None,
    apply_: Annotated[bool, typer.Option("--apply", help="Write the certain edits to the files.")] = False,
    show_diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff of all edits.")] = False,
    include_uncertain: Annotated[bool, typer.Option(help="With --apply, also write name-matched edits.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Rename a symbol across the workspace (definition, references, overrides, keywords)."""
    from indexer import languages

    graph = _graph(root, index_dir)
    symbols = [s for q in _targets(graph, target) for s in graph.symbols(q)]
    if not symbols:
        raise CliError(f"{target} is defined outside the workspace and cannot be renamed")
    facet = languages.edits_for_path(symbols[0].path)
    if facet is None:
        raise CliError(f"{symbols[0].path}: renaming is not supported for this language")
    renaming = facet.rename
    try:
        plan = renaming.plan_rename(graph, symbols[0], new_name)
    except renaming.RenameError as exc:
        raise CliError(str(exc)) from exc
    if as_json:
        _emit_json([{"path": e.path, "range": e.range.to_json(), "newText": e.new_text,
                     "certain": e.certain, "reason": e.reason} for e in plan.edits])
    elif show_diff:
        sys.stdout.write(renaming.diff(graph.root, plan))
    if apply_:
        changed = renaming.apply(graph.root, plan, include_uncertain)
        print(f"renamed {symbols[0].qualname} -> {new_name}: {len(changed)} files changed", file=sys.stderr)
    uncertain = sum(1 for e in plan.edits if not e.certain)
    if not (as_json or show_diff):
        lines = _LineCache(graph.root)
        for edit in plan.edits:
            start = edit.range.start
            mark = "?" if not edit.certain else " "
            print(f"{mark} {_location(lines, edit.path, start.line, start.character)}: {lines.get(edit.path, start.line)}")
    print(f"{len(plan.edits)} edits in {len(plan.by_file())} files"
          + (f", {uncertain} uncertain (marked ?; not applied without --include-uncertain)" if uncertain else ""),
          file=sys.stderr)


@app.command()
def status(root: RootOpt = None, index_dir: IndexDirOpt = None, as_json: JsonOpt = False) -> None:
    """Size and health of the index."""
    graph = _graph(root, index_dir)
    stats = graph.stats()
    if as_json:
        _emit_json({"root": stats.root, "indexDir": stats.index_dir, "files": stats.files,
                    "symbols": stats.symbols, "references": stats.references,
                    "resolutionRate": round(stats.resolution_rate, 4), "errors": stats.errors,
                    "pending": graph.pending(), "sizeBytes": stats.size_bytes, "lastUpdate": stats.last_update})
        return
    print(f"root:        {stats.root}\nindex:       {stats.index_dir}\nfiles:       {stats.files}"
          f" ({stats.errors} with errors)\nsymbols:     {stats.symbols}\nreferences:  {stats.references}"
          f" ({stats.resolution_rate:.1%} resolved)\nsize:        {stats.size_bytes / 1e6:.1f} MB"
          f"\nlast update: {age(stats.last_update)}")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What the code does, in words (or a name).")],
    root: RootOpt = None,
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
    limit: Annotated[int, typer.Option("-k", "--limit", min=1, help="Number of results.")] = 10,
    kind: Annotated[list[str], typer.Option("--kind", help="module, class, function or method (repeatable).")] = [],
    path: Annotated[Optional[str], typer.Option("--path", help="Only paths matching this glob (or under this folder).")] = None,
) -> None:
    """Find code by what it does: hybrid semantic + full-text search over the index."""
    from server.protocol import edge  # pydantic models: loaded on first use, not at each start
    from indexer.semantic import SemanticUnavailable
    from indexer.semantic.search import SemanticIndex

    from indexer.semantic.embedder import query_embedder

    graph = _graph(root, index_dir)
    semantic = SemanticIndex(graph.store.index_dir, graph, query_embedder())
    try:
        hits = semantic.search(query, limit, kind=kind or None, path_glob=path)
    except SemanticUnavailable as exc:
        raise CliError(str(exc)) from exc
    if as_json:
        _emit_json([edge.search_result(h, _file_uri(graph, h.symbol.path)).wire() for h in hits])
        return
    lines = _LineCache(graph.root)
    for hit in hits:
        start = hit.symbol.selection_range.start
        first = hit.snippet.split("\n", 1)[0].strip()
        print(f"{_location(lines, hit.symbol.path, start.line, start.character)}: {hit.symbol.kind} {hit.symbol.qualname}"
              f"  [{hit.score:.4f}]  {first}")
    if any(getattr(hit, "source", "semantic") == "text" for hit in hits):  # what --json says as "source"
        print("codemeld: text matches only (names, qualified names, docstrings): no embeddings yet; "
              "`codemeld index` without --no-embeddings builds them", file=sys.stderr)


@app.command()
def serve(
    stdio: Annotated[bool, typer.Option("--stdio", help="Speak LSP on stdin/stdout (the default; language clients pass it).")] = False,
    tcp: Annotated[Optional[str], typer.Option("--tcp", help="Listen on HOST:PORT instead of stdio.")] = None,
    log_file: Annotated[Optional[Path], typer.Option("--log-file", help="Log here instead of stderr.")] = None,
) -> None:
    """Run the language server (LSP on stdio by default; logs never go to stdout)."""
    if stdio and tcp:
        raise CliError("--stdio and --tcp exclude each other: pick one transport")
    from server.generated_code import cached

    with cached():  # the methods of lsprotocol's ~560 attrs classes (and our dataclasses) compiled once
        from server.app import serve as run_server  # pygls loads only for this command

    code = run_server(tcp, log_file)
    if code:
        raise typer.Exit(code)  # `exit` without `shutdown` (LSP: exit code 1)


class _LineCache:
    def __init__(self, root: Path):
        self.root = root
        self.files: dict[str, list[str]] = {}

    def raw(self, path: str, line: int) -> str:
        if path not in self.files:
            try:
                text = (self.root / path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            # Lines as the index counts them: only \n ends a line (not \f, U+2028...).
            self.files[path] = text.split("\n")
        lines = self.files[path]
        return lines[line].rstrip("\r") if line < len(lines) else ""

    def get(self, path: str, line: int) -> str:
        return self.raw(path, line).strip()


from server import cli_team  # noqa: E402,F401  (export, pull: registers on `app`)
from server import cli_tests  # noqa: E402,F401  (`codemeld tests ...`, registers on app)


def _invoked(args: list[str]) -> typer.Typer:
    """The app to run `args` with. typer builds a click command for every
    registered command before it parses (each signature's annotations
    evaluated: about 0.1 s of CPU a call for ~20 commands); when the first
    argument names a command or group, a copy of the app holding only that one
    is enough, and parses, helps and fails the same. Anything else (no
    argument, an option first, an unknown name) gets the whole app, with its
    listing and suggestions."""
    name = args[0] if args else None
    commands = [c for c in app.registered_commands
                if (c.name or typer.main.get_command_name(c.callback.__name__)) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return app
    light = copy.copy(app)
    light.registered_commands, light.registered_groups = commands, groups
    # With one command and no callback typer would run that command as the
    # whole program (no subcommand name); a callback that does nothing keeps
    # the group, as on the whole app.
    light.registered_callback = None
    light.callback()(_no_group_options)
    return light


def _no_group_options() -> None:
    """The light app's group callback: the whole app has none, so nothing to do."""


def main() -> None:
    import server.cli_agent  # noqa: F401  (registers mcp, locate, map)

    try:
        code = _invoked(sys.argv[1:])(standalone_mode=False)  # typer.Exit(n) comes back as n here
        if isinstance(code, int) and code:
            sys.exit(code)
    except CliError as exc:
        print(f"codemeld: {exc}", file=sys.stderr)
        sys.exit(1)
    except StoreError as exc:
        print(f"codemeld: {exc}", file=sys.stderr)
        sys.exit(1)
    except sqlite3.DatabaseError as exc:
        print(f"codemeld: the index is damaged ({exc}); run `codemeld index` to rebuild it", file=sys.stderr)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        print("codemeld: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        # Usage errors (typer bundles its own click) carry their exit code and
        # know how to print themselves.
        exit_code = getattr(exc, "exit_code", None)
        if exit_code is None:
            raise
        show = getattr(exc, "show", None)
        if callable(show):
            show(file=sys.stderr)
        sys.exit(exit_code)


if __name__ == "__main__":
    # `python -m server.cli`: run the importable copy, the one command modules register on.
    from server.cli import main as _main

    _main()
