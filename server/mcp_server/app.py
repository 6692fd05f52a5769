"""`codemeld mcp`: the index as Model Context Protocol tools.

Built on the official MCP Python SDK (`mcp` 2.x) and its high-level
`MCPServer` (the SDK's successor of FastMCP): tools are plain functions whose
typed parameters become the input schema and whose pydantic result model
becomes the output schema; each answer carries structured content (the
model) plus a short text form for clients that only show text.

A tool here converts arguments -> calls one engine function (`indexer.*`,
mostly `indexer.agent`) -> converts the result. Bad input is a tool error
that says what to do instead; limits are clamped; long answers page with a
cursor; nothing is written to the workspace except by `apply_edit`.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Callable

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from indexer.analysis import impact as impact_engine
from indexer import languages
from indexer.agent import calls as call_engine
from indexer.agent import codemap, edits, locate as locate_engine, lookup
from indexer.agent.textindex import text_index, tokens
from indexer.explain.pack import PackOptions, approx_tokens, build_pack, render_pack
from indexer.graph.model import Symbol
from indexer.analysis.navigation import search_symbols
from indexer.graph.query import Graph, reference_from_row
from server.mcp_server import models as m
from indexer.graph.echo import quoted
from server.host.agent import AgentHost
from server.mcp_server.answers import AnswerCache
from server.mcp_server.paging import CursorError, decode, fingerprint, page

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 120.0  # longest a tool waits for a first index before asking to retry
MAX_PAGE = 500
MAX_DIFF_CHARS = 60_000
IMPACT_LIMIT = 1000  # dependents walked; beyond it the report says truncated
TEXT_LINES = 25  # lines in the text form; the structured content holds the whole page
_DOC_CHARS = 300

INSTRUCTIONS = """codemeld: a resolved index of this Python codebase (definitions, references, calls,
inheritance, tests). Start a task with `locate` (paste the issue or traceback) or `map` (the codebase's
most central parts within a token budget); then `symbol`, `references`, `callers`, `callees`, `impact`
and `explain` on what you found. Symbols are qualified names (pkg.mod.Class.method), a dotted suffix
(Class.method) or path:line. Edits: `rename_preview` / `change_signature_preview` show a diff and an
edit_id; nothing is written until `apply_edit(edit_id)`."""

READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)

SymbolArg = Annotated[str, Field(description="Qualified name (pkg.mod.Class.method), a dotted suffix "
                                             "(Class.method), a bare name, or path:line[:column] (1-based).")]
LimitArg = Annotated[int, Field(description=f"Items per page (clamped to 1..{MAX_PAGE}).")]
CursorArg = Annotated[str | None, Field(description="next_cursor of the previous page.")]


def _clamp(value: int, low: int, high: int) -> int:
    try:
        return max(low, min(int(value), high))
    except (TypeError, ValueError):
        return low


def symbol_info(sym: Symbol) -> m.SymbolInfo:
    doc = " ".join(sym.docstring.strip().split("\n\n", 1)[0].split())
    return m.SymbolInfo(qualname=sym.qualname, name=sym.name, kind=sym.kind, path=sym.path,
                        language=languages.dialect_of(sym.path) or "",
                        line=sym.selection_range.start.line + 1, end_line=sym.range.end.line + 1,
                        signature=sym.signature, doc=doc[:_DOC_CHARS], is_test=sym.is_test)


def _result(model: BaseModel, text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)],
                          structured_content=model.model_dump(mode="json"))


def _lines(items: list[str], total: int | None = None) -> str:
    shown = items[:TEXT_LINES]
    more = (total if total is not None else len(items)) - len(shown)
    return "\n".join(shown) + (f"\n… {more} more in the structured result" if more > 0 else "")


class _SourceLines:
    """Source lines for reference snippets; files stay cached across calls
    (keyed by size and mtime), so paging through thousands of uses reads
    each file once."""

    _cache: dict[Path, tuple[tuple[int, int], list[str]]] = {}

    def __init__(self, root: Path):
        self.root = root

    def get(self, path: str, line: int) -> str:
        file = self.root / path
        try:
            stat = file.stat()
            stamp = (stat.st_size, stat.st_mtime_ns)
            held = self._cache.get(file)
            if held is None or held[0] != stamp:
                if len(self._cache) > 2000:
                    self._cache.clear()
                held = (stamp, file.read_text(encoding="utf-8", errors="replace").split("\n"))
                self._cache[file] = held
        except OSError:
            return ""
        lines = held[1]
        return lines[line].strip()[:200] if 0 <= line < len(lines) else ""


def locate_result(found, embeddings: bool) -> tuple[m.LocateResult, str]:
    """The locate tool's structured result and text form (also measured by evals/locate.py)."""

    def sym_out(s) -> m.LocatedSymbolOut:
        return m.LocatedSymbolOut(qualname=s.symbol.qualname, kind=s.symbol.kind, path=s.symbol.path,
                                  line=s.symbol.selection_range.start.line + 1, score=s.score,
                                  why=list(s.why), tests=list(s.tests))

    result = m.LocateResult(
        files=[m.LocatedFileOut(path=f.path, score=f.score, why=list(f.why), symbols=[sym_out(s) for s in f.symbols])
               for f in found.files],
        symbols=[sym_out(s) for s in found.symbols], traceback_frames=found.frames,
        embeddings=embeddings, seconds=round(found.seconds, 4))
    text = ["Files:"] + [f"{i}. {f.path} — {'; '.join(f.why[:2])}" for i, f in enumerate(result.files, 1)]
    text += ["Definitions:"] + [f"{i}. {s.qualname} ({s.path}:{s.line}) — {'; '.join(s.why[:2])}"
                                 + (f"; tested by {', '.join(s.tests[:2])}" if s.tests else "")
                                 for i, s in enumerate(result.symbols, 1)]
    return result, "\n".join(text)


def build_server(host: AgentHost) -> MCPServer:
    server = MCPServer("codemeld", instructions=INSTRUCTIONS, version="0.1.0")
    answers = AnswerCache()  # whole answers between pages: a next page only slices

    async def run(ctx: Context | None, fn: Callable[[Graph], Any]) -> Any:
        """Wait for an index (with progress notifications), then run the
        blocking engine call off the event loop. Lookup mistakes become
        tool errors the model can act on."""
        if not host.has_index():
            await _wait_for_index(ctx)
        try:
            return await anyio.to_thread.run_sync(lambda: host.answer(fn))
        except (lookup.LookupError_, edits.EditError, CursorError) as exc:
            raise ToolError(str(exc)) from exc

    async def _wait_for_index(ctx: Context | None) -> None:
        portal_events: list[tuple[int, int, str]] = []

        def note(done: int, total: int, message: str) -> None:
            portal_events.append((done, total, message))

        async with anyio.create_task_group() as group:
            result: dict[str, bool] = {}

            async def waiter() -> None:
                result["ok"] = await anyio.to_thread.run_sync(lambda: host.wait_ready(READY_TIMEOUT_S, note))
                group.cancel_scope.cancel()

            async def reporter() -> None:
                sent = 0
                while True:
                    await anyio.sleep(0.25)
                    if ctx is not None and len(portal_events) > sent:
                        done, total, message = portal_events[-1]
                        sent = len(portal_events)
                        try:
                            await ctx.report_progress(done, total or None, f"indexing: {message}")
                        except Exception:  # a client without progress support
                            pass

            group.start_soon(waiter)
            group.start_soon(reporter)
        if not result.get("ok"):
            p = host.progress
            raise ToolError(f"the index is still being built ({p.done}/{p.total} files, {p.message});"
                            " call again in a moment or watch `status`")

    # -- locate and map ------------------------------------------------------------

    @server.tool(annotations=READ_ONLY)
    async def locate(
        task: Annotated[str, Field(description="The task: an issue, a bug report, a feature request, a pasted "
                                               "traceback or log. Use all of it; long texts are fine.")],
        k: Annotated[int, Field(description="How many files and definitions to return (clamped to 1..50).")] = 10,
        ctx: Context | None = None,
    ) -> Annotated[CallToolResult, m.LocateResult]:
        """Where to look for a task: a ranked list of files and definitions to read or change, each with why
        (text matches spread through callers, callees, overrides and tests; traceback frames, deepest first)."""
        if not task.strip():
            raise ToolError("task is empty: paste the issue, bug report or traceback")
        k = _clamp(k, 1, 50)
        vectors = host.vectors()
        found = await run(ctx, lambda g: locate_engine.locate(g, task, k, vectors=vectors))

        return _result(*locate_result(found, vectors is not None))

    @server.tool(name="map", annotations=READ_ONLY)
    async def map_(
        path: Annotated[str, Field(description="Zoom into a folder, a file or a module/class qualname; "
                                               "empty for the whole workspace.")] = "",
        depth: Annotated[int, Field(description="Levels below `path`: 1 packages, 2 modules, 3 classes and "
                                                "functions, 4 methods (clamped to 1..4).")] = 4,
        budget_tokens: Annotated[int, Field(description=f"Size of the map in tokens (clamped to "
                                                        f"{codemap.MIN_BUDGET}..{codemap.MAX_BUDGET}).")] = 2000,
        include_tests: Annotated[bool, Field(description="Also map test code.")] = False,
        ctx: Context | None = None,
    ) -> Annotated[CallToolResult, m.MapResult]:
        """A map of the codebase: packages, modules, classes, functions, ranked by how central each is in the
        resolved reference graph, with one-line purposes, fitted to the token budget. Zoom in with `path`."""

        def work(g: Graph):
            scope = path
            if "/" in path or "\\" in path or ".." in path or path.endswith(".py"):
                scope = lookup.workspace_path(g, path)  # refuses what leaves the workspace
            try:
                return codemap.build_map(g, scope, depth, budget_tokens, include_tests)
            except KeyError:
                raise lookup.BadPath(f"{quoted(path)} is not an indexed folder, file or module; "
                                     "call `map` without a path to see what is there") from None

        found = await run(ctx, work)
        result = m.MapResult(scope=found.scope, text=found.text, tokens=found.tokens, budget_tokens=found.budget,
                             total_entries=found.total_entries,
                             entries=[m.MapEntryOut(kind=e.kind, name=e.name, path=e.path, line=e.line, depth=e.depth,
                                                    centrality=e.centrality, purpose=e.purpose, omitted=e.omitted)
                                      for e in found.entries])
        return _result(result, found.text)

    # -- symbols and navigation ---------------------------------------------------

    @server.tool(annotations=READ_ONLY)
    async def symbol(name: SymbolArg, limit: LimitArg = 10, cursor: CursorArg = None,
                     ctx: Context | None = None) -> Annotated[CallToolResult, m.SymbolResult]:
        """Signature, docstring and location of a symbol: by qualified name, by dotted suffix, or fuzzy."""
        limit = _clamp(limit, 1, MAX_PAGE)
        key = fingerprint("symbol", {"name": name})

        def work(g: Graph):
            try:
                found = lookup.find_symbols(g, name, limit=MAX_PAGE)
                how = "exact" if found and found[0].qualname == name.strip() else (
                    "location" if ":" in name else "suffix")
            except lookup.UnknownSymbol:
                fuzzy = [x.symbol for x in search_symbols(g, name.rsplit(".", 1)[-1], limit=MAX_PAGE)]
                if "." in name:
                    fuzzy = [s for s in fuzzy if name.split(".")[0].lower() in s.qualname.lower()] or fuzzy
                if not fuzzy:
                    raise
                found, how = fuzzy, "fuzzy"
            chunk, pg = page(found, limit, cursor, key)
            counts = {s.qualname: len(g.use_rows(s.qualname, guesses=False)) for s in chunk}
            return [m.SymbolMatch(**symbol_info(s).model_dump(), match=how, references=counts[s.qualname])
                    for s in chunk], pg

        matches, pg = await run(ctx, work)
        result = m.SymbolResult(query=name, matches=matches, page=pg)
        text = [f"{s.qualname} ({s.kind}, {s.path}:{s.line}) {s.signature}" + (f"\n    {s.doc}" if s.doc else "")
                for s in matches]
        return _result(result, (f"{pg.total} matches ({matches[0].match}):\n" if matches else "") + _lines(text, pg.total))

    @server.tool(annotations=READ_ONLY)
    async def references(
        symbol: SymbolArg,
        include_declaration: Annotated[bool, Field(description="List the definition too.")] = False,
        min_confidence: Annotated[float, Field(description="Drop uses resolved with less confidence (0..1).")] = 0.0,
        guesses: Annotated[bool, Field(description="Also list name-matched guesses (receivers of unknown type), "
                                                   "as `codemeld refs --guesses` does.")] = False,
        limit: LimitArg = 100, cursor: CursorArg = None, ctx: Context | None = None,
    ) -> Annotated[CallToolResult, m.ReferencesResult]:
        """Every use of a symbol across the workspace, with the confidence and rule of each resolution
        (name-matched guesses only with `guesses`, as in the CLI and the language server)."""
        limit = _clamp(limit, 1, MAX_PAGE)
        confidence = max(0.0, min(float(min_confidence), 1.0))
        key = fingerprint("references", {"symbol": symbol, "d": include_declaration, "c": confidence, "g": guesses})

        def work(g: Graph):
            def whole():
                target = lookup.find_symbol(g, symbol)
                rows = g.use_rows(target.qualname, include_declaration, confidence, guesses)  # objects: the page only
                return (target, rows, len({row[0] for row in rows})), len(rows)

            target, rows, files = answers.get(g, key, whole)
            chunk, pg = page(rows, limit, cursor, key)
            chunk = [reference_from_row(row) for row in chunk]
            source = _SourceLines(g.root)
            out = [m.ReferenceOut(path=r.path, language=languages.dialect_of(r.path) or "", line=r.range.start.line + 1, column=r.range.start.character + 1,
                                  kind=r.kind, confidence=round(r.confidence, 3), how=r.how, enclosing=r.enclosing,
                                  text=source.get(r.path, r.range.start.line)) for r in chunk]
            return target, out, files, pg

        target, out, files, pg = await run(ctx, work)
        result = m.ReferencesResult(target=symbol_info(target), references=out, files=files, page=pg)
        text = [f"{r.path}:{r.line}: {r.kind} [{r.how} {r.confidence:.2f}] {r.text}" for r in out]
        head = f"{pg.total} references to {target.qualname} in {files} files (items {pg.offset + 1}-{pg.offset + pg.returned}):\n"
        return _result(result, head + _lines(text, pg.returned))

    @server.tool(annotations=READ_ONLY)
    async def definition(symbol: SymbolArg, ctx: Context | None = None) -> Annotated[CallToolResult, m.DefinitionResult]:
        """Where a symbol is defined; given path:line:column, where the name at that position is defined
        (with the confidence of that resolution)."""

        def work(g: Graph):
            outside: list[str] = []
            loc = lookup._LOCATION.fullmatch(symbol.strip())
            if loc and loc.group(3) and ("/" in loc.group(1) or loc.group(1).endswith(".py")):
                path = lookup.workspace_path(g, loc.group(1))
                line, column = int(loc.group(2)) - 1, int(loc.group(3)) - 1
                own = g.definition_at(path, line, column)
                if own is not None:
                    return [(own, 1.0, "definition")], outside
                out = []
                for ref in g.reference_at(path, line, column):
                    found = g.symbols(ref.target) if ref.target else []
                    if ref.target and not found:
                        outside.append(ref.target)
                    out.extend((s, ref.confidence, ref.how) for s in found)
                if not out and not outside:
                    raise lookup.UnknownSymbol(symbol, [])
                return out, outside
            found = lookup.find_symbols(g, symbol, limit=20)
            return [(s, 1.0, "exact" if s.qualname == symbol.strip() else "suffix") for s in found], outside

        found, outside = await run(ctx, work)
        result = m.DefinitionResult(query=symbol, outside_workspace=outside, definitions=[
            m.DefinitionOut(**symbol_info(s).model_dump(), confidence=round(c, 3), how=h) for s, c, h in found])
        text = [f"{d.path}:{d.line}: {d.kind} {d.qualname} {d.signature} [{d.how} {d.confidence:.2f}]"
                for d in result.definitions] + [f"(outside the workspace: {q})" for q in outside]
        return _result(result, _lines(text))

    def _calls_tool(direction: str):
        async def tool(symbol: SymbolArg,
                       min_confidence: Annotated[float, Field(description="Drop calls resolved with less confidence.")] = 0.0,
                       limit: LimitArg = 100, cursor: CursorArg = None,
                       ctx: Context | None = None) -> Annotated[CallToolResult, m.CallsResult]:
            limit = _clamp(limit, 1, MAX_PAGE)
            confidence = max(0.0, min(float(min_confidence), 1.0))
            key = fingerprint(direction, {"symbol": symbol, "c": confidence})

            def work(g: Graph):
                def whole():
                    target = lookup.find_symbol(g, symbol)
                    engine = call_engine.callers if direction == "callers" else call_engine.callees
                    edges = engine(g, target.qualname, confidence)
                    return (target, edges), len(edges)

                target, edges = answers.get(g, key, whole)
                chunk, pg = page(edges, limit, cursor, key)
                return target, [m.CallOut(symbol=symbol_info(e.symbol), lines=[x + 1 for x in e.lines], path=e.path,
                                          confidence=round(e.confidence, 3), how=e.how) for e in chunk], pg

            target, out, pg = await run(ctx, work)
            result = m.CallsResult(target=symbol_info(target), calls=out, page=pg)
            verb = "called by" if direction == "callers" else "calls"
            text = [f"{c.symbol.qualname} ({c.symbol.path}:{c.symbol.line}) at lines {', '.join(map(str, c.lines[:5]))}"
                    f" [{c.how} {c.confidence:.2f}]" for c in out]
            return _result(result, f"{target.qualname} {verb} {pg.total}:\n" + _lines(text, pg.returned))

        tool.__name__ = direction
        tool.__doc__ = ("Who calls a symbol (grouped by calling definition), with call-site lines and confidence."
                        if direction == "callers" else
                        "What a symbol calls inside the workspace, with call-site lines and confidence.")
        return tool

    server.add_tool(_calls_tool("callers"), name="callers", annotations=READ_ONLY)
    server.add_tool(_calls_tool("callees"), name="callees", annotations=READ_ONLY)

    @server.tool(annotations=READ_ONLY)
    async def impact(
        symbol: SymbolArg,
        depth: Annotated[int | None, Field(description="Links to follow (clamped to 1..10); default: the engine's "
                                              "(8, or 6 in a workspace of over 600 Python files).")] = None,
        limit: LimitArg = 100, cursor: CursorArg = None, ctx: Context | None = None,
    ) -> Annotated[CallToolResult, m.ImpactResult]:
        """What depends on a symbol (transitively, through calls, imports, inheritance and overrides): the
        dependents with the chain that links each, the files, and the tests to run."""
        limit = _clamp(limit, 1, MAX_PAGE)
        depth = None if depth is None else _clamp(depth, 1, 10)
        key = fingerprint("impact", {"symbol": symbol, "depth": depth})

        def work(g: Graph):
            def whole():
                target = lookup.find_symbol(g, symbol)
                report = impact_engine.impact(g, target.qualname, depth=depth, limit=IMPACT_LIMIT)
                return (target, report), len(report.dependents)

            target, report = answers.get(g, key, whole)
            chunk, pg = page(list(report.dependents), limit, cursor, key)
            return target, report, chunk, pg

        target, report, chunk, pg = await run(ctx, work)
        result = m.ImpactResult(
            target=symbol_info(target),
            dependents=[m.DependentOut(symbol=symbol_info(d.symbol), depth=d.depth, kind=d.kind,
                                       confidence=round(d.confidence, 3), via=list(d.via)) for d in chunk],
            tests=[m.TestOut(id=t.id, depth=t.depth, confidence=round(t.confidence, 3)) for t in report.tests[:MAX_PAGE]],
            files=list(report.files[:MAX_PAGE]), truncated=report.truncated, page=pg)
        text = [f"{len(report.dependents)} dependents in {len(report.files)} files, {len(report.tests)} tests"
                + (" (truncated)" if report.truncated else "")]
        text += [f"  depth {d.depth}: {d.symbol.qualname} ({d.kind}, {d.confidence:.2f})" for d in result.dependents]
        text += [f"  test {t.id}" for t in result.tests[:10]]
        return _result(result, _lines(text, len(text)))

    @server.tool(annotations=READ_ONLY)
    async def explain(
        symbol: SymbolArg,
        budget_tokens: Annotated[int, Field(description="Size of the context pack (clamped to 200..8000).")] = 1500,
        ctx: Context | None = None,
    ) -> Annotated[CallToolResult, m.ExplainResult]:
        """Everything the index knows about a symbol as model-ready text: its module and class, signature,
        docstring and body, callees, callers, tests that use it, and its impact, cut to a token budget."""
        budget = _clamp(budget_tokens, 200, 8000)

        def work(g: Graph):
            target = lookup.find_symbol(g, symbol)
            pack = build_pack(g, target.qualname, PackOptions(budget=budget))
            return target, render_pack(pack), pack

        target, text, pack = await run(ctx, work)
        dropped = [str(d) for d in getattr(pack, "dropped", ())][:50]
        result = m.ExplainResult(qualname=target.qualname, text=text, tokens=approx_tokens(text), dropped=dropped)
        return _result(result, text)

    @server.tool(annotations=READ_ONLY)
    async def search(
        query: Annotated[str, Field(description="What the code does, in words, or a name.")],
        limit: LimitArg = 10, cursor: CursorArg = None,
        path: Annotated[str, Field(description="Only under this folder or file.")] = "",
        ctx: Context | None = None,
    ) -> Annotated[CallToolResult, m.SearchResult]:
        """Find code by what it does (semantic + full text when embeddings are built; BM25 over code
        otherwise) or by name."""
        if not query.strip():
            raise ToolError("query is empty")
        limit = _clamp(limit, 1, 100)
        key = fingerprint("search", {"query": query, "path": path})
        vectors = host.vectors()

        def work(g: Graph):
            scope = lookup.workspace_path(g, path) if path else ""
            want = min(MAX_PAGE, limit + decode(cursor, key) + 1)
            hits: list[tuple[Symbol, float, str]] = []
            engine = "lexical"
            if vectors is not None:
                engine = "semantic"
                hits = [(h.symbol, h.score, h.snippet) for h in vectors.search(query, want, path_glob=scope or None)]
            else:
                for doc, score in text_index(g).symbols.top(Counter(tokens(query)), want * 3):
                    if scope and not (doc.path == scope or doc.path.startswith(scope + "/")):
                        continue
                    sym = g.symbol(doc.qualname)
                    if sym is not None:
                        hits.append((sym, score, sym.signature))
                if len(query.split()) == 1:
                    named = [(x.symbol, x.score, x.symbol.signature) for x in search_symbols(g, query, limit=want)
                             if not scope or x.symbol.path.startswith(scope)]
                    seen = {h[0].qualname for h in named}
                    hits = named + [h for h in hits if h[0].qualname not in seen]
            chunk, pg = page(hits[:want], limit, cursor, key)
            return engine, chunk, pg

        engine, chunk, pg = await run(ctx, work)
        result = m.SearchResult(query=query, engine=engine, page=pg, hits=[
            m.SearchHitOut(symbol=symbol_info(s), score=round(float(sc), 5), snippet=snip) for s, sc, snip in chunk])
        text = [f"{h.symbol.qualname} ({h.symbol.path}:{h.symbol.line}) {h.symbol.signature}" for h in result.hits]
        return _result(result, f"{engine} search:\n" + _lines(text, pg.returned))

    # -- edits ------------------------------------------------------------------

    def _preview(plan: edits.EditPlan) -> tuple[m.PreviewResult, str]:
        edit_id = host.keep_plan(plan)
        diff = plan.diff
        truncated = len(diff) > MAX_DIFF_CHARS
        if truncated:
            diff = diff[:MAX_DIFF_CHARS] + "\n… diff truncated\n"
        uncertain = [m.EditOut(path=e.path, line=e.range.start.line + 1, column=e.range.start.character + 1,
                               end_line=e.range.end.line + 1, end_column=e.range.end.character + 1,
                               new_text=e.new_text, certain=e.certain, reason=e.reason) for e in plan.uncertain]
        result = m.PreviewResult(edit_id=edit_id, title=plan.title, target=plan.target, diff=diff,
                                 diff_truncated=truncated, files=list(plan.files), edits=len(plan.edits),
                                 uncertain=uncertain[:MAX_PAGE])
        head = (f"{plan.title}: {len(plan.edits)} edits in {len(plan.files)} files, {len(uncertain)} uncertain."
                f" Nothing is written until apply_edit(edit_id={edit_id!r}).\n")
        return result, head + diff

    @server.tool(annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False))
    async def rename_preview(symbol: SymbolArg,
                             new_name: Annotated[str, Field(description="The new identifier.")],
                             ctx: Context | None = None) -> Annotated[CallToolResult, m.PreviewResult]:
        """Preview renaming a symbol everywhere (definition, references, overrides, keyword arguments,
        __all__): a unified diff plus the uncertain edits. Writes nothing; apply with `apply_edit`."""
        plan = await run(ctx, lambda g: edits.rename_preview(g, lookup.find_symbol(g, symbol), new_name.strip()))
        return _result(*_preview(plan))

    @server.tool(annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False))
    async def change_signature_preview(
        symbol: SymbolArg,
        new_parameters: Annotated[str, Field(description="The new parameter list, e.g. "
                                                         "'(self, quantity: int, *, rounding=None) -> float'.")],
        ctx: Context | None = None,
    ) -> Annotated[CallToolResult, m.PreviewResult]:
        """Preview changing a function's parameters with every call site rewritten to match: a unified diff
        plus the uncertain edits. Writes nothing; apply with `apply_edit`."""
        plan = await run(ctx, lambda g: edits.change_signature_preview(g, lookup.find_symbol(g, symbol), new_parameters))
        return _result(*_preview(plan))

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False,
                                             open_world_hint=False))
    async def apply_edit(
        edit_id: Annotated[str, Field(description="The edit_id of a preview.")],
        include_uncertain: Annotated[bool, Field(description="Also write the uncertain edits.")] = False,
        ctx: Context | None = None,
    ) -> Annotated[CallToolResult, m.ApplyResult]:
        """Write the edits of a preview to the files (refused when a file changed since the preview).
        The changed files are re-indexed."""
        plan = host.take_plan(edit_id)
        if plan is None:
            raise ToolError(f"no preview with edit_id {quoted(edit_id)} (applied already, or forgotten): preview again")

        def work(g: Graph):
            try:
                return edits.apply_plan(g.root, plan, include_uncertain)
            except edits.EditError:
                host.put_back(edit_id, plan)
                raise

        changed = await run(ctx, work)
        host.files_written(changed)
        skipped = 0 if include_uncertain else len(plan.uncertain)
        result = m.ApplyResult(edit_id=edit_id, files_changed=changed, edits_applied=len(plan.edits) - skipped,
                               uncertain_skipped=skipped, reindexed=bool(changed))
        return _result(result, f"{plan.title}: wrote {result.edits_applied} edits to {len(changed)} files"
                               + (f"; {skipped} uncertain edits left out" if skipped else ""))

    @server.tool(annotations=READ_ONLY)
    async def status() -> Annotated[CallToolResult, m.StatusResult]:
        """Size and state of the index (and progress while it is being built)."""

        def work():
            s = host.folder.status()
            p = host.progress
            return m.StatusResult(root=s["root"], index_dir=s["indexDir"], state=s["state"], files=s["files"],
                                  symbols=s["symbols"], references=s["references"], pending=s["pending"],
                                  embeddings=host.embeddings_state(),
                                  progress=m.ProgressOut(done=p.done, total=p.total, message=p.message)
                                  if p.running else None)

        result = await anyio.to_thread.run_sync(work)
        text = (f"{result.state}: {result.files} files, {result.symbols} symbols, {result.references} references,"
                f" {result.pending} pending; embeddings {result.embeddings}; index {result.index_dir}")
        return _result(result, text)

    return server

