"""CLI commands for agents: `codemeld mcp` (the MCP server), `codemeld
locate TEXT` and `codemeld map` (the same engine the MCP tools call).
Registered on the `codemeld` typer app by one import in server/cli.py."""

from __future__ import annotations

import ipaddress
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from indexer.graph.echo import quoted
from server.cli import CliError, IndexDirOpt, JsonOpt, RootOpt, _emit_json, _graph, _root, app

log = logging.getLogger(__name__)


def parse_listen(text: str, allow_remote: bool) -> tuple[str, int]:
    """HOST:PORT -> (host, port); only loopback hosts unless `allow_remote`."""
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise typer.BadParameter(f"{quoted(text)}: use HOST:PORT, e.g. 127.0.0.1:8765")
    host = host.strip("[]") or "127.0.0.1"
    loopback = host == "localhost"
    if not loopback:
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
    if not loopback and not allow_remote:
        raise typer.BadParameter(f"{host} is not a loopback address: the MCP server reads your code and can edit it;"
                                 " pass --allow-remote to listen there anyway")
    return host, int(port_text)


@app.command()
def mcp(
    root: RootOpt = None,
    index_dir: IndexDirOpt = None,
    http: Annotated[Optional[str], typer.Option("--http", help="Serve streamable HTTP on HOST:PORT (loopback) instead of stdio.")] = None,
    allow_remote: Annotated[bool, typer.Option("--allow-remote", help="Allow --http on a non-loopback address.")] = False,
    embeddings: Annotated[bool, typer.Option("--embeddings/--no-embeddings", help="Build and use the semantic index.")] = True,
    watch: Annotated[bool, typer.Option("--watch/--no-watch", help="Re-index files changed on disk.")] = True,
    log_file: Annotated[Optional[Path], typer.Option("--log-file", help="Log here instead of stderr.")] = None,
    exclude: Annotated[list[str], typer.Option("--exclude", help="Extra gitignore-style pattern (repeatable).")] = [],
) -> None:
    """Serve the index to coding agents over the Model Context Protocol (stdio by default)."""
    listen = parse_listen(http, allow_remote) if http else None
    target = {"filename": str(log_file)} if log_file else {"stream": sys.stderr}  # never stdout: the MCP channel
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", **target)
    from server import gc_policy
    from server.mcp_server.app import build_server
    from server.host.agent import AgentHost

    gc_policy.tune()  # huge answers: fewer collections of a big heap (server/gc_policy.py)

    workspace = _root(root)
    host = AgentHost(workspace, index_dir, watch=watch, embeddings=embeddings, exclude=tuple(exclude))
    server = build_server(host)
    try:
        if listen is None:
            from server.mcp_server.stdio_guard import run_stdio

            run_stdio(server)  # server.run("stdio"), answering malformed lines
        else:
            from mcp.server.transport_security import TransportSecuritySettings

            # DNS-rebinding protection: only this host may be named in Host/Origin.
            names = [f"{listen[0]}:{listen[1]}", f"localhost:{listen[1]}", f"127.0.0.1:{listen[1]}"]
            security = TransportSecuritySettings(
                enable_dns_rebinding_protection=not allow_remote, allowed_hosts=names,
                allowed_origins=[f"http://{n}" for n in names])
            print(f"codemeld mcp: http://{listen[0]}:{listen[1]}/mcp", file=sys.stderr)
            server.run("streamable-http", host=listen[0], port=listen[1], transport_security=security)
    finally:
        host.close()


@app.command()
def locate(
    task: Annotated[str, typer.Argument(help="Issue text, bug report or traceback ('-' reads stdin).")],
    root: RootOpt = None,
    index_dir: IndexDirOpt = None,
    k: Annotated[int, typer.Option("-k", min=1, help="Files and definitions to list.")] = 10,
    embeddings: Annotated[bool, typer.Option("--embeddings/--no-embeddings", help="Use the semantic index when built.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Where to look for a task: files and definitions, best first, each with why."""
    from indexer.agent.locate import locate as run_locate

    text = sys.stdin.read() if task == "-" else task
    if not text.strip():
        raise CliError("the task text is empty")
    graph = _graph(root, index_dir)
    vectors = _vectors(graph) if embeddings else None
    found = run_locate(graph, text, k, vectors=vectors)
    if as_json:
        def sym(s):
            return {"qualname": s.symbol.qualname, "kind": s.symbol.kind, "path": s.symbol.path,
                    "line": s.symbol.selection_range.start.line + 1, "score": s.score, "why": list(s.why),
                    "tests": list(s.tests)}
        _emit_json({"files": [{"path": f.path, "score": f.score, "why": list(f.why), "symbols": [sym(s) for s in f.symbols]}
                              for f in found.files],
                    "symbols": [sym(s) for s in found.symbols], "tracebackFrames": found.frames,
                    "embeddings": vectors is not None, "seconds": round(found.seconds, 4)})
        return
    print("files:")
    for i, f in enumerate(found.files, 1):
        print(f"{i:3}. {f.path}  [{f.score:.2f}]  {'; '.join(f.why[:2])}")
    print("definitions:")
    for i, s in enumerate(found.symbols, 1):
        line = s.symbol.selection_range.start.line + 1
        tests = f"; tested by {', '.join(s.tests[:2])}" if s.tests else ""
        print(f"{i:3}. {s.symbol.path}:{line}: {s.symbol.qualname}  [{s.score:.2f}]  {'; '.join(s.why[:2])}{tests}")


def _vectors(graph):
    """The semantic index when one was built (`codemeld index`), else None."""
    try:
        from indexer.semantic.search import SemanticIndex

        index = SemanticIndex(graph.store.index_dir, graph)
        return index if index.available() else None
    except Exception as exc:  # torch or lancedb missing
        log.info("no semantic index: %s", exc)
        return None


@app.command(name="map")
def map_(
    path: Annotated[str, typer.Argument(help="Folder, file or module/class to zoom into (default: everything).")] = "",
    root: RootOpt = None,
    index_dir: IndexDirOpt = None,
    depth: Annotated[int, typer.Option(min=1, help="Levels: 1 packages, 2 modules, 3 classes/functions, 4 methods.")] = 4,
    budget: Annotated[int, typer.Option("--budget", min=1, help="Size of the map in tokens.")] = 2000,
    tests: Annotated[bool, typer.Option("--tests", help="Include test code.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """A map of the codebase ranked by centrality, fitted to a token budget."""
    from indexer.agent import codemap, lookup

    graph = _graph(root, index_dir)
    scope = path
    try:
        if "/" in path or path.endswith(".py"):
            scope = lookup.workspace_path(graph, path)
        found = codemap.build_map(graph, scope, depth, budget, tests)
    except lookup.BadPath as exc:
        raise CliError(str(exc)) from exc
    except KeyError:
        raise CliError(f"{quoted(path)} is not an indexed folder, file or module") from None
    if as_json:
        _emit_json({"scope": found.scope, "tokens": found.tokens, "budget": found.budget, "text": found.text,
                    "totalEntries": found.total_entries,
                    "entries": [{"kind": e.kind, "name": e.name, "path": e.path, "line": e.line, "depth": e.depth,
                                 "centrality": e.centrality, "purpose": e.purpose, "omitted": e.omitted}
                                for e in found.entries]})
        return
    sys.stdout.write(found.text)
    print(f"{found.tokens} tokens of {found.budget}; {len(found.entries)} of {found.total_entries} entries",
          file=sys.stderr)
