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
