"""Team-scale commands: `codemeld export --scip` (the graph as SCIP for
Sourcegraph / GitLab) and `codemeld pull` (the shared index of the nearest
ancestor commit). `codemeld index --publish` lives on `index` and calls
`publish_after_index` here. Registered on the typer app by one import in
server/cli.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from server.cli import CliError, IndexDirOpt, JsonOpt, _emit_json, _graph, _root, _setup_logging, app


@app.command()
def export(
    root: Annotated[Optional[Path], typer.Argument(help="Workspace to export (default: current workspace).")] = None,
    scip: Annotated[Optional[Path], typer.Option("--scip", help="Write a SCIP index (protobuf) to this file.")] = None,
    index_dir: IndexDirOpt = None,
    min_confidence: Annotated[float, typer.Option(help="Leave out uses resolved with less confidence (name-matched guesses are 0.4 or less).")] = 0.5,
    mark_uncertain: Annotated[bool, typer.Option("--mark-uncertain", help="Keep uses below --min-confidence, each with a diagnostic saying so.")] = False,
    package_name: Annotated[Optional[str], typer.Option(help="Package name in symbols (default: from pyproject/setup metadata).")] = None,
    package_version: Annotated[Optional[str], typer.Option(help="Package version in symbols (default: from the metadata).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Export the index in a format other tools read (SCIP: `src code-intel upload`, GitLab)."""
    from indexer.export.package import Package, project_package
    from indexer.export.scip import ScipOptions, export_scip

    if scip is None:
        raise typer.BadParameter("give the output format and file, e.g. --scip index.scip")
    graph = _graph(root, None if index_dir is None else index_dir)
    package = project_package(graph.root)
    package = Package(package_name or package.name, package_version or package.version)
    options = ScipOptions(min_confidence=min_confidence, mark_uncertain=mark_uncertain, package=package,
                          arguments=tuple(sys.argv[1:]))
    try:
        result = export_scip(graph, scip, options)
    except OSError as exc:
        raise CliError(f"cannot write {scip}: {exc.strerror or exc}") from exc
    if as_json:
        _emit_json({"path": str(scip), "documents": result.documents, "occurrences": result.occurrences,
                    "symbols": result.symbols, "externalSymbols": result.external_symbols,
                    "leftOut": result.left_out, "marked": result.marked, "seconds": round(result.seconds, 3)})
        return
    print(f"wrote {scip}: {result.documents} documents, {result.occurrences} occurrences, {result.symbols} symbols,"
          f" {result.external_symbols} external symbols ({package.name} {package.version});"
          f" {result.left_out} uncertain uses left out, {result.marked} marked, in {result.seconds:.2f}s",
          file=sys.stderr)


def _embedding_model() -> str | None:
    try:
        from indexer.semantic.embedder import default_embedder

        return default_embedder().model_id
    except Exception:  # numpy or the semantic extra missing: no embeddings to share
        return None


def publish_after_index(workspace: Path, index_dir: Path, uri: str, as_json: bool = False) -> dict:
    """`codemeld index --publish URI`: upload the index just built."""
    from indexer.share import ShareError
    from indexer.share.snapshot import publish

    def step(what: str, amount: int) -> None:
        print(f"codemeld: uploaded {what}" + (f" ({amount / 1e6:.1f} MB)" if what == "graph" else ""),
              file=sys.stderr)

    try:
        done = publish(workspace, index_dir, uri, on_step=step)
    except ShareError as exc:
        raise CliError(f"publish failed: {exc} (the local index is complete and unchanged)") from exc
    print(f"published the index of {done.commit[:12]} to {uri}/{done.commit}/ in {done.seconds:.1f}s"
          f" (graph {done.graph_bytes / 1e6:.1f} MB, {done.vector_tables} vector tables)", file=sys.stderr)
    return {"commit": done.commit, "uri": uri, "graphBytes": done.graph_bytes, "vectorTables": done.vector_tables,
            "seconds": round(done.seconds, 3)}


def pull_then_index(workspace: Path, index_dir: Path, uri: str, embeddings: bool) -> dict:
    """Install the nearest ancestor's snapshot (or say why not), then index
    what differs locally. Never fails for the snapshot's sake: the fallback
    is a local index."""
    from indexer.pipeline.index import IndexOptions, Indexer
    from indexer.share import ShareError
    from indexer.share.snapshot import pull

    out: dict = {"uri": uri, "snapshot": None, "error": None}
    try:
        pulled = pull(workspace, index_dir, uri, _embedding_model() if embeddings else None)
        out["snapshot"] = {"commit": pulled.commit, "behind": pulled.behind, "vectors": pulled.vectors,
                           "seconds": round(pulled.seconds, 3)}
        for note in pulled.notes:
            print(f"codemeld: {note}", file=sys.stderr)
        print(f"codemeld: pulled the snapshot of {pulled.commit[:12]} ({pulled.behind} commits behind HEAD)"
              f" in {pulled.seconds:.1f}s", file=sys.stderr)
    except ShareError as exc:
        out["error"] = str(exc)
        print(f"codemeld: shared index not used: {exc}; indexing locally", file=sys.stderr)
    indexer = Indexer(workspace, index_dir, IndexOptions())
    run = indexer.run()
    out["index"] = {"parsed": run.parsed, "unchanged": run.unchanged, "removed": run.removed,
                    "seconds": round(run.seconds, 3)}
    print(f"codemeld: re-indexed {run.parsed} changed files ({run.unchanged} unchanged, {run.removed} removed)"
          f" in {run.seconds:.2f}s", file=sys.stderr)
    if embeddings:
        from server.cli import _update_embeddings
        from indexer.graph.query import Graph

        embed = _update_embeddings(Graph(indexer.store, workspace), indexer.index_dir)
        out["embedded"] = None if embed is None else embed.embedded
    indexer.close()
    return out


@app.command()
def pull(
    uri: Annotated[str, typer.Argument(help="Where snapshots are published: s3://bucket/prefix, gs://..., az://..., file:///...")],
    root: Annotated[Optional[Path], typer.Argument(help="Workspace (default: current workspace).")] = None,
    index_dir: IndexDirOpt = None,
    no_embeddings: Annotated[bool, typer.Option("--no-embeddings", help="Only the symbol graph.")] = False,
    as_json: JsonOpt = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False,
) -> None:
    """Fetch the shared index of the nearest ancestor commit, then re-index what differs locally.
    Credentials come from the environment (AWS_*, GOOGLE_*, AZURE_*; AWS_ENDPOINT_URL for S3-compatible stores)."""
    from indexer.pipeline.index import default_index_dir

    _setup_logging(verbose)
    workspace = _root(root)
    result = pull_then_index(workspace, index_dir or default_index_dir(workspace), uri, not no_embeddings)
    if as_json:
        _emit_json(result)
