"""Tidy: the architecture's boundaries, checked on the source itself.

Each test reads the code (AST, not grep, so comments and strings do not
count) and fails on a new violation of an invariant ARCHITECTURE.md states.
Where today's code still breaks a boundary, the offenders are listed by name
in a KNOWN_* set: that list may only shrink. A module that stops offending
must leave the list too, so it cannot quietly start again.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Engine modules that still run SQL themselves instead of asking the store or
# the graph (issue 13: "a sealed graph"). Shrink, never grow.
KNOWN_ENGINE_SQL: set[str] = set()
# Engine modules outside indexer/languages/ that import the Python plugin
# directly instead of going through the language registry.
KNOWN_DIRECT_LANGUAGE_IMPORTS: set[str] = set()
# Scripts that still borrow test helpers (the harness belongs in evals/).
KNOWN_SCRIPTS_IMPORTING_TESTS: set[str] = set()
# Tests that still import an evaluation instead of the harness.
KNOWN_TESTS_IMPORTING_EVALUATIONS: set[str] = set()
# Where SQL belongs: the graph's store and query modules, plus the two
# modules that own a database of their own (the explanation cache) or read
# another tool's (coverage.py's data file), and the vector store (LanceDB's
# merge builder also ends in `.execute`).
SQL_HOMES = {"indexer/graph/store.py", "indexer/graph/query.py", "indexer/explain/cache.py",
             "indexer/analysis/coverage_data.py", "indexer/semantic/store.py"}

# Folders whose every source file ARCHITECTURE.md must name.
MAPPED = [("indexer", "*.py"), ("server", "*.py"), ("scripts", "*.sh"), ("evals", "*.py"),
          ("editors/vscode/src", "*.ts"), ("editors/nvim", "*.lua")]


def sources(folder: str, pattern: str = "*.py") -> list[Path]:
    return sorted(p for p in (REPO / folder).rglob(pattern)
                  if "node_modules" not in p.parts and "__pycache__" not in p.parts)


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@lru_cache(maxsize=None)
def syntax(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def imported_modules(path: Path) -> set[str]:
    """Every module an import statement in `path` names (relative ones resolved)."""
    tree = syntax(path)
    package = rel(path).removesuffix(".py").replace("/", ".").rsplit(".", 1)[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def runs_sql(path: Path) -> bool:
    """Touches a database connection: `.conn`, `.execute*(...)` or
    `sqlite3.connect` (catching `sqlite3.Error` is fine)."""
    tree = syntax(path)
    return any(isinstance(node, ast.Attribute)
               and (node.attr in {"conn", "execute", "executemany", "executescript"}
                    or (node.attr == "connect" and isinstance(node.value, ast.Name) and node.value.id == "sqlite3"))
               for node in ast.walk(tree))


def test_engine_never_imports_lsp_or_the_server():
    offenders = {rel(p): sorted(m for m in imported_modules(p)
                                if m.split(".")[0] in {"pygls", "lsprotocol", "server"})
                 for p in sources("indexer")}
    assert {k: v for k, v in offenders.items() if v} == {}


# The engine's layers (ARCHITECTURE.md, "indexer/"): which other engine
# packages each may import. The graph is the bottom; answers and edits read
# it and never index; the pipeline writes it through the language registry.
# (`languages` here is the registry: plugins are reached through it only,
# test_languages_are_reached_through_the_registry.)
ENGINE_LAYERS = {
    "graph": set(),
    "edits": {"graph"},
    "analysis": {"graph", "edits", "languages"},  # the registry only (test ids, schemes)
    "pipeline": {"graph", "languages"},
}


@pytest.mark.parametrize("layer", sorted(ENGINE_LAYERS))
def test_engine_layers(layer):
    allowed = ENGINE_LAYERS[layer] | {layer}
    offenders = {rel(p): sorted(m for m in imported_modules(p)
                                if m.split(".")[0] == "indexer" and len(m.split(".")) > 1
                                and (REPO / "indexer" / m.split(".")[1]).is_dir()
                                and m.split(".")[1] not in allowed)
                 for p in sources(f"indexer/{layer}")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_front_doors_hold_no_sql():
    assert [rel(p) for p in sources("server") if runs_sql(p)] == []


# The host (server/host/) is transport-neutral: it is what LSP, MCP and CLI
# share, so it may not lean on any one of them.
TRANSPORTS = {"pygls", "lsprotocol", "mcp", "mcp_types", "typer", "rich"}
FRONT_DOOR_MODULES = {"server.app", "server.convert", "server.features", "server.progress", "server.transport",
                      "server.edits", "server.mcp_server", "server.cli", "server.cli_agent", "server.cli_team",
                      "server.cli_tests", "server.__main__"}
# Owned by the host: background work (watcher, embeddings, learned tests,
# the shared snapshot) and the inputs of its compositions (the coverage
# cache behind impact, ripple and propagate behind code-action offers,
# the vector index merged over folders). A front door asks the host.
HOST_OWNED = {"server.host.watcher", "server.host.semantic", "server.host.learning", "server.host.shared_index",
              "indexer.analysis.coverage_data", "indexer.languages.python.edits.ripple",
              "indexer.languages.python.edits.propagate"}
# LSP/MCP front doors: reads go through the host's folders (server.host.workspace),
# never through an Indexer or a store they open themselves. The CLI opens the
# index itself on purpose: it is a one-shot process over one folder.
SERVED_FRONT_DOORS = ("server/app.py", "server/features/", "server/mcp_server/")
OPENS_AN_INDEX = {"indexer.pipeline.index.Indexer", "indexer.graph.store.Store", "indexer.graph.query.Graph.open"}


def front_doors() -> list[Path]:
    return [p for p in sources("server") if not rel(p).startswith("server/host/")]


def test_host_is_transport_neutral():
    offenders = {rel(p): sorted(m for m in imported_modules(p)
                                if m.split(".")[0] in TRANSPORTS
                                or any(m == f or m.startswith(f + ".") for f in FRONT_DOOR_MODULES))
                 for p in sources("server/host")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_front_doors_leave_background_work_and_compositions_to_the_host():
    offenders = {rel(p): sorted(m for m in imported_modules(p) if m in HOST_OWNED)
                 for p in front_doors()}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_served_front_doors_read_through_the_host():
    offenders = {rel(p): sorted(imported_modules(p) & OPENS_AN_INDEX)
                 for p in front_doors() if rel(p).startswith(SERVED_FRONT_DOORS)}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_engine_sql_stays_in_the_store_and_graph_modules():
    offenders = {rel(p) for p in sources("indexer") if runs_sql(p)} - SQL_HOMES
    assert offenders - KNOWN_ENGINE_SQL == set(), "new SQL outside indexer/graph/store.py and indexer/graph/query.py"
    assert KNOWN_ENGINE_SQL - offenders == set(), "no longer offends: drop it from KNOWN_ENGINE_SQL"


def test_python_ast_is_parsed_one_thread_at_a_time():
    """`ast.parse` and `ast.literal_eval` race in CPython 3.11's threads
    (SystemError, gh-106905): the engine and server call them only through
    indexer/graph/python_ast.py, which holds a lock."""
    def calls_ast_parser(path: Path) -> bool:
        return any(isinstance(node, ast.Attribute) and node.attr in {"parse", "literal_eval"}
                   and isinstance(node.value, ast.Name) and node.value.id == "ast"
                   for node in ast.walk(syntax(path)))
    offenders = {rel(p) for p in sources("indexer") + sources("server") if calls_ast_parser(p)}
    assert offenders == {"indexer/graph/python_ast.py"}


def test_languages_are_reached_through_the_registry():
    offenders = {rel(p) for p in sources("indexer")
                 if not rel(p).startswith("indexer/languages/")
                 and any(m.startswith("indexer.languages.") and m.split(".")[2] not in {"base"}
                         and m != "indexer.languages" and len(m.split(".")) > 2
                         and (REPO / "indexer/languages" / m.split(".")[2]).is_dir()
                         for m in imported_modules(p))}
    assert offenders - KNOWN_DIRECT_LANGUAGE_IMPORTS == set(), "import the language registry, not a plugin"
    assert KNOWN_DIRECT_LANGUAGE_IMPORTS - offenders == set(), "no longer offends: drop it from the list"


# Modules that still compare kinds with bare strings ("method") instead of
# the vocabulary (indexer/graph/vocab.py). Shrink, never grow.
KNOWN_BARE_KIND_COMPARISONS: set[str] = set()


def bare_kind_comparisons(path: Path) -> list[int]:
    """Lines comparing something named *kind* with string literals that are
    symbol or reference kinds (`s.kind == "method"`, `kind in ("call", "read")`);
    "attribute" alone is both, so it does not count."""
    from indexer.graph.vocab import RefKind, SymbolKind

    symbol_kinds, ref_kinds = {k.value for k in SymbolKind}, {k.value for k in RefKind}
    lines = []
    for node in ast.walk(syntax(path)):
        if not isinstance(node, ast.Compare) or "kind" not in ast.unparse(node):
            continue
        for side in (node.left, *node.comparators):
            items = side.elts if isinstance(side, (ast.Tuple, ast.Set, ast.List)) else [side]
            values = [e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if values and len(values) == len(items) and set(values) != {"attribute"} \
                    and (set(values) <= symbol_kinds or set(values) <= ref_kinds):
                lines.append(node.lineno)
    return lines


def test_kinds_are_compared_through_the_vocabulary():
    # The Python resolver's own tagged values ("class", "function"...) share the names: it is not checked here.
    offenders = {rel(p) for p in sources("indexer") + sources("server")
                 if rel(p) != "indexer/languages/python/resolve.py" and bare_kind_comparisons(p)}
    assert offenders - KNOWN_BARE_KIND_COMPARISONS == set(), {p: bare_kind_comparisons(REPO / p) for p in offenders}
    assert KNOWN_BARE_KIND_COMPARISONS - offenders == set(), "no longer offends: drop it from the list"


def test_front_doors_and_host_reach_languages_through_the_registry():
    """server/ asks `indexer.languages` (`edits_for_path`, `support_for_path`)
    for a language's facets; no front door or host module imports a plugin."""
    plugins = {p.name for p in (REPO / "indexer" / "languages").iterdir() if (p / "__init__.py").exists()}
    offenders = {rel(p): sorted(m for m in imported_modules(p)
                                if m.startswith("indexer.languages.") and m.split(".")[2] in plugins)
                 for p in sources("server")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_tests_and_scripts_do_not_import_each_other():
    tests_importing_scripts = {rel(p) for p in sources("tests")
                               if any(m.split(".")[0] == "scripts" for m in imported_modules(p))}
    scripts_importing_tests = {rel(p) for p in sources("scripts") + sources("evals")
                               if any(m.split(".")[0] == "tests" for m in imported_modules(p))}
    assert tests_importing_scripts == set()
    # Evaluations are modules of evals/, scripts/ holds only shell entry points.
    assert sources("scripts") == [], "an evaluation or benchmark belongs in evals/ (python -m evals.NAME)"
    evaluations = {f"evals.{p.stem}" for p in sources("evals") if p.parent.name == "evals" and p.stem != "__init__"}
    tests_importing_evaluations = {rel(p) for p in sources("tests")
                                   if any(m.split(".")[0] == "evals" and m.split(".")[1:2] not in (["harness"], [])
                                          or m in evaluations for m in imported_modules(p))}
    assert tests_importing_evaluations == KNOWN_TESTS_IMPORTING_EVALUATIONS, \
        "tests import the harness (evals.harness), never an evaluation"
    assert scripts_importing_tests == KNOWN_SCRIPTS_IMPORTING_TESTS


def test_evaluations_edit_no_import_path():
    """evals/ is a package run as `python -m evals.NAME`: no `sys.path` edits."""
    offenders = [rel(p) for p in sources("evals")
                 if any(isinstance(node, ast.Attribute) and node.attr == "path" and isinstance(node.value, ast.Name)
                        and node.value.id == "sys" for node in ast.walk(syntax(p)))]
    assert offenders == []


@pytest.mark.parametrize("folder,pattern", MAPPED)
def test_code_map_names_every_module(folder, pattern):
    code_map = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    unnamed = [rel(p) for p in sources(folder, pattern)
               if p.name not in code_map and not (p.name == "__init__.py" and p.stat().st_size < 400)]
    assert unnamed == [], "ARCHITECTURE.md does not mention these modules"


@pytest.mark.slow
def test_install_prints_nothing_unexpected():
    """The README's install step, run again over an installed venv, is quiet:
    no setuptools deprecation walls, no pip chatter."""
    proc = subprocess.run(["bash", "scripts/install.sh"], cwd=REPO, capture_output=True, text=True,
                          timeout=900, env=os.environ | {"PIP_PROGRESS_BAR": "off"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    # This machine's pip configuration lists local package mirrors that do
    # not hold every package; pip says so. That is the machine, not us.
    said = [line for line in (proc.stdout + proc.stderr).splitlines()
            if line.strip() and not re.match(r"WARNING: Location '.*' is ignored", line)]
    assert said == []


def test_features_do_not_import_the_app():
    """`server/app.py` wires the features; a feature that imports it back
    makes a cycle (what it needs from the server comes in as `ls`)."""
    assert [rel(p) for p in sources("server/features")
            if any(m.startswith("server.app") for m in imported_modules(p))] == []
