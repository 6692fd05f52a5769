"""The graph as a SCIP index (Sourcegraph's Code Intelligence Protocol), what
`src code-intel upload` and GitLab's code-intelligence job consume.

One Document per indexed file: a definition occurrence for every symbol, a
reference occurrence for every resolved use, and a SymbolInformation (hover
documentation, kind, enclosing symbol, relationships) for every symbol it
defines. Names outside the workspace get SymbolInformation in
`external_symbols`, so every occurrence's symbol is described somewhere.

Uses below `min_confidence` (name-matched guesses) are left out, or kept
with an Information diagnostic saying how uncertain they are when
`mark_uncertain` is set.

The file is written as a stream of Index messages (metadata, one per
document, then the external symbols): protobuf concatenation merges them
into one Index, so memory stays per document however large the project.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from indexer import languages
from indexer.export import scip_pb2 as pb
from indexer.export.package import Package, project_package
from indexer.export.symbols import SCHEME, SymbolNamer, is_local, local_symbol
from indexer.graph.model import Range, Symbol
from indexer.graph.query import Graph, char_column, utf16_column
from indexer.graph.store import Store
from indexer.graph.vocab import RefKind, SymbolKind
from indexer.pipeline.worker_pool import start_method

_KIND = {
    "module": pb.SymbolInformation.Module, "class": pb.SymbolInformation.Class,
    "function": pb.SymbolInformation.Function, "method": pb.SymbolInformation.Method,
    "variable": pb.SymbolInformation.Variable, "constant": pb.SymbolInformation.Constant,
    "attribute": pb.SymbolInformation.Field, "property": pb.SymbolInformation.Property,
    "parameter": pb.SymbolInformation.Parameter,
}
_ROLE = {"import": pb.Import, "write": pb.WriteAccess}
_FUNCTIONS = ("function", "method")
_SCOPED = ("class", "function", "method")


@dataclass(frozen=True, slots=True)
class ScipOptions:
    min_confidence: float = 0.5
    mark_uncertain: bool = False  # keep uses below min_confidence, with a diagnostic
    package: Package | None = None  # default: from the project's metadata
    scheme: str = SCHEME
    tool_version: str = ""
    arguments: tuple[str, ...] = ()
    jobs: int = 0  # worker processes; 0 = one per core, 1 = in-process


@dataclass(frozen=True, slots=True)
class ScipExport:
    documents: int
    occurrences: int
    symbols: int
    external_symbols: int
    left_out: int  # uses below the threshold, not written
    marked: int  # uses below the threshold, written with a diagnostic
    seconds: float


def export_scip(graph: Graph, out: Path, options: ScipOptions = ScipOptions()) -> ScipExport:
    """Write the SCIP index of the whole graph to `out` (atomically)."""
    started = time.perf_counter()
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    writer = _Writer(graph, options)
    try:
        with open(tmp, "wb") as handle:
            for data in writer.messages():
                handle.write(data)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return ScipExport(writer.documents, writer.occurrences, writer.symbols, len(writer.externals),
                      writer.left_out, writer.marked, time.perf_counter() - started)


def build_index(graph: Graph, options: ScipOptions = ScipOptions()) -> pb.Index:
    """The same index as one message (tests, small projects)."""
    index = pb.Index()
    for data in _Writer(graph, options).messages():
        index.MergeFromString(data)
    return index


# Files per unit of work; workers take units when there are several (fork
# inherits the writer's lookup tables instead of pickling them).
_UNIT = 48
_WORKER: dict = {}


def _export_unit(unit: tuple[int, int, list]) -> tuple[bytes, dict, tuple]:
    writer: _Writer = _WORKER["writer"]
    if _WORKER.get("pid") != os.getpid():  # a connection must never cross a fork
        _WORKER["pid"] = os.getpid()
        writer.graph = Graph(Store(writer.graph.store.index_dir, readonly=True), writer.graph.root)
    writer.externals = {}
    writer.documents = writer.occurrences = writer.symbols = writer.left_out = writer.marked = 0
    data = pb.Index(documents=list(writer.unit_documents(*unit))).SerializeToString()
    return data, writer.externals, (writer.documents, writer.occurrences, writer.symbols, writer.left_out,
                                    writer.marked)


class _Writer:
    def __init__(self, graph: Graph, options: ScipOptions):
        self.graph = graph
        self.options = options
        self.files = graph.indexed_files()
        modules = {module for _fid, _path, module, _pkg in self.files if module}
        self.kinds: dict[str, str] = {}
        self.parents: dict[str, str | None] = {}
        for qualname, kind, parent in graph.symbol_kinds():
            self.kinds.setdefault(qualname, kind)
            self.parents.setdefault(qualname, parent)
        self.bases = graph.class_bases()
        package = options.package or project_package(graph.root)
        self.namer = SymbolNamer(package, self.kinds, modules, options.scheme)
        self.externals: dict[str, str] = {}  # symbol -> dotted name
        self.documents = self.occurrences = self.symbols = self.left_out = self.marked = 0

    def messages(self):
        """The index as serialized Index messages, concatenated in order."""
        yield pb.Index(metadata=pb.Metadata(
            version=pb.UnspecifiedProtocolVersion,
            tool_info=pb.ToolInfo(name="codemeld", version=self.options.tool_version or _version(),
                                  arguments=list(self.options.arguments)),
            project_root=self.graph.root.as_uri(), text_document_encoding=pb.UTF8)).SerializeToString()
        units = [(chunk[0][0], chunk[-1][0], chunk)
                 for chunk in (self.files[i:i + _UNIT] for i in range(0, len(self.files), _UNIT))]
        workers = min(self.options.jobs or os.cpu_count() or 1, len(units))
        # Forked workers only (forking costs more on small projects): they
        # inherit the writer's tables, and a fork is safe only from a single
        # thread (worker_pool.py); the CLI that exports runs no other.
        if workers > 1 and (len(units) >= 4 or self.options.jobs > 1) and start_method() == "fork":
            _WORKER.clear()
            _WORKER["writer"] = self
            try:
                with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                    for data, externals, counts in pool.map(_export_unit, units):
                        for symbol, dotted in externals.items():
                            self.externals.setdefault(symbol, dotted)
                        self._count(*counts)
                        yield data
            finally:
                _WORKER.clear()
        else:
            for unit in units:
                yield pb.Index(documents=list(self.unit_documents(*unit))).SerializeToString()
        yield pb.Index(external_symbols=[
            pb.SymbolInformation(symbol=symbol, display_name=dotted.rsplit(".", 1)[-1],
                                 documentation=[f"```python\n{dotted}\n```"])
            for symbol, dotted in sorted(self.externals.items())]).SerializeToString()

    def _count(self, documents: int, occurrences: int, symbols: int, left_out: int, marked: int) -> None:
        self.documents += documents
        self.occurrences += occurrences
        self.symbols += symbols
        self.left_out += left_out
        self.marked += marked

    def unit_documents(self, first: int, last: int, files: list):
        symbols = groupby(self.graph.all_symbols(first, last), key=lambda s: s.path)
        refs = groupby(self.graph.reference_rows(first, last), key=lambda r: r[0])
        next_syms, next_refs = next(symbols, None), next(refs, None)
        for _fid, path, module, _is_package in files:
            file_syms: list[Symbol] = []
            file_refs: list[tuple] = []
            # The three come in the same file order; a file without symbols
            # or references has no group.
            if next_syms is not None and next_syms[0] == path:
                file_syms = list(next_syms[1])
                next_syms = next(symbols, None)
            if next_refs is not None and next_refs[0] == path:
                file_refs = list(next_refs[1])
                next_refs = next(refs, None)
            yield self.document(path, module, file_syms, file_refs)

    # -- one document --------------------------------------------------------

    def document(self, path: str, module: str | None, syms: list[Symbol], refs: list[tuple]) -> pb.Document:
        doc = pb.Document(relative_path=path, language=languages.language_for_path(path) or "python",
                          position_encoding=pb.UTF16CodeUnitOffsetFromLineStart)
        locals_: dict = {}  # qualname or (enclosing, name) -> local symbol

        def local(key) -> str:
            if key not in locals_:
                locals_[key] = local_symbol(len(locals_))
            return locals_[key]

        described: set[str] = set()
        aliases = self._aliases(path, syms, refs)
        for sym in syms:
            symbol = local(sym.qualname) if self._is_local(sym) else self.namer.workspace(sym.qualname)
            if symbol is None:
                continue
            if sym.kind == SymbolKind.MODULE:
                doc.occurrences.add(range=[0, 0, 0], symbol=symbol, symbol_roles=pb.Definition)
            else:
                occ = doc.occurrences.add(range=_range(sym.selection_range), symbol=symbol,
                                          symbol_roles=pb.Definition)
                if sym.kind in _SCOPED:
                    occ.enclosing_range.extend(_range(sym.range))
            if symbol not in described:
                described.add(symbol)
                doc.symbols.append(self._info(sym, symbol, aliases.get(sym.qualname)))
        defined = {(tuple(o.range), o.symbol) for o in doc.occurrences}
        aliases_of_modules: dict[tuple[str, str], str] = {}  # (alias, module) -> local symbol
        lines = _Lines(self.graph.root / path)
        min_confidence, mark = self.options.min_confidence, self.options.mark_uncertain
        last_import = None  # (occurrence, range, target) of the import use just written
        for _path, sl, sc, el, ec, name, kind, enclosing, target, confidence, how in refs:
            symbol = self._ref_symbol(target, kind, how, enclosing, name, locals_, local)
            if kind != RefKind.IMPORT and (name, target) in aliases_of_modules:
                symbol = aliases_of_modules[(name, target)]  # `t.Optional` after `import typing as t`
            if symbol is None:
                continue
            rng = (sl, sc, ec) if sl == el else (sl, sc, el, ec)
            if (rng, symbol) in defined:
                continue  # the write that defines a symbol is its definition occurrence
            uncertain = confidence < min_confidence
            if uncertain and not mark:
                self.left_out += 1
                continue
            if kind == RefKind.IMPORT and last_import is not None and last_import[1][0] == sl == el:
                prev_occ, prev_rng, prev_target = last_import
                if prev_target == target and prev_occ.symbol == symbol and sc - prev_rng[-1] == 4:
                    # `from m import A as B`: one occurrence for the clause, as scip-python writes it.
                    del doc.occurrences[-1]
                    rng = (sl, prev_rng[1], ec)
                elif prev_target is not None and sc == prev_rng[-1] + 1 and target == f"{prev_target}.{name}":
                    # `import a.b` / `from a.b import c`: one occurrence for the
                    # dotted module path, as scip-python writes it.
                    del doc.occurrences[-1]  # the previous import part, always the last one added
                    rng = (sl, prev_rng[1], ec)
                    symbol = self._module_symbol(target)
            occ = doc.occurrences.add(range=rng, symbol=symbol, symbol_roles=_ROLE.get(kind, pb.ReadAccess))
            last_import = None
            if kind == RefKind.IMPORT:
                last_import = (occ, rng, target)
                alias = lines.module_alias(rng) if target else None
                if alias is not None and alias[0] != target.rsplit(".", 1)[-1]:
                    # `import typing as t`: `t` is a local name for the module, as scip-python has it.
                    alias_symbol = local(("import-as", alias[0], target))
                    aliases_of_modules[(alias[0], target)] = alias_symbol
                    doc.occurrences.add(range=list(alias[1]), symbol=alias_symbol, symbol_roles=pb.Definition)
                    doc.symbols.add(symbol=alias_symbol, display_name=alias[0], kind=pb.SymbolInformation.Module,
                                    documentation=[f"```python\nimport {target} as {alias[0]}\n```"])
                    described.add(alias_symbol)
                    last_import = None
            if uncertain:
                self.marked += 1
                occ.diagnostics.add(severity=pb.Information, code="codemeld/uncertain", source="codemeld",
                                    message=f"{how}: {confidence:.2f} confidence that this refers to {target}")
            if symbol.startswith("local ") and symbol not in described:
                described.add(symbol)
                doc.symbols.add(symbol=symbol, display_name=name, kind=pb.SymbolInformation.Variable)
        self.documents += 1
        self.occurrences += len(doc.occurrences)
        self.symbols += len(doc.symbols)
        return doc

    def _is_local(self, sym: Symbol) -> bool:
        """A variable bound inside a function: scip-python's `local N`."""
        return sym.kind in (SymbolKind.VARIABLE, SymbolKind.CONSTANT) and self.kinds.get(sym.parent or "") in _FUNCTIONS

    def _ref_symbol(self, target, kind, how, enclosing, name, locals_: dict, local) -> str | None:
        if target is None:
            # Bound without a symbol (comprehension and loop variables).
            return local((enclosing, name)) if how == "local" else None
        found = locals_.get(target)
        if found is not None:
            return found
        if self.kinds.get(target) in (SymbolKind.VARIABLE, SymbolKind.CONSTANT) and \
                self.kinds.get(self.parents.get(target) or "") in _FUNCTIONS:
            return local(target)
        symbol = self.namer.workspace(target)
        if symbol is None:
            symbol = self.namer.external(target, kind)
            self.externals.setdefault(symbol, target)
        return symbol

    def _module_symbol(self, dotted: str) -> str:
        symbol = self.namer.workspace(dotted)
        if symbol is None:
            symbol = self.namer.external(dotted, "import", is_module=True)
            self.externals.setdefault(symbol, dotted)
        return symbol

    # -- symbol information -------------------------------------------------

    def _info(self, sym: Symbol, symbol: str, alias_of: str | None) -> pb.SymbolInformation:
        info = pb.SymbolInformation(symbol=symbol, display_name=sym.name,
                                    kind=_KIND.get(sym.kind, pb.SymbolInformation.UnspecifiedKind))
        header = sym.signature or f"({sym.kind}) {sym.qualname if sym.kind == SymbolKind.MODULE else sym.name}"
        info.documentation.append(f"```python\n{header}\n```")
        if sym.docstring:
            info.documentation.append(sym.docstring)
        if sym.parent and not is_local(symbol):
            parent = self.namer.workspace(sym.parent)
            if parent:
                info.enclosing_symbol = parent
        if sym.kind == SymbolKind.CLASS:
            for base in self.bases.get(sym.qualname, ()):
                info.relationships.add(symbol=self._any_symbol(base, "inherit"), is_implementation=True)
        elif sym.kind in _FUNCTIONS and self.kinds.get(sym.parent or "") == SymbolKind.CLASS:
            for overridden in self._overridden(sym.parent, sym.name):
                info.relationships.add(symbol=overridden, is_implementation=True)
        if alias_of is not None:
            info.relationships.add(symbol=self._any_symbol(alias_of, "read"), is_reference=True)
        return info

    def _any_symbol(self, qualname: str, ref_kind: str) -> str:
        symbol = self.namer.workspace(qualname)
        if symbol is None:
            symbol = self.namer.external(qualname, ref_kind)
            self.externals.setdefault(symbol, qualname)
        return symbol

    def _overridden(self, cls: str, name: str) -> list[str]:
        """The nearest definition of `name` up each line of workspace bases."""
        out: list[str] = []
        seen = {cls}
        todo = list(self.bases.get(cls, ()))
        while todo:
            base = todo.pop(0)
            if base in seen:
                continue
            seen.add(base)
            member = f"{base}.{name}"
            if self.kinds.get(member) in _FUNCTIONS + ("property",):
                symbol = self.namer.workspace(member)
                if symbol and symbol not in out:
                    out.append(symbol)
                continue
            todo.extend(self.bases.get(base, ()))
        return out

    def _aliases(self, path: str, syms: list[Symbol], refs: list[tuple]) -> dict[str, str]:
        """Module- and class-level names bound to another name (`B = A`,
        `run = Base.run`) -> what they alias: the use that ends the statement."""
        candidates = [s for s in syms if s.kind in (SymbolKind.VARIABLE, SymbolKind.CONSTANT) and not self._is_local(s)]
        if not candidates:
            return {}
        if languages.language_for_path(path) != "python":
            return {}  # aliases read Python module summaries
        summary = self.graph.store.load_summary(path=path)
        if summary is None:
            return {}
        ends = defaultdict(list)
        for _path, _sl, _sc, el, ec, _name, _kind, _enclosing, target, confidence, _how in refs:
            if target is not None and confidence >= self.options.min_confidence:
                ends[(el, ec)].append(target)
        out = {}
        for sym in candidates:
            info = summary.symbols.get(sym.qualname)
            expr = getattr(info, "type_expr", None)
            if not expr or expr[0] not in ("name", "attr"):
                continue
            targets = ends.get((sym.range.end.line, sym.range.end.character))
            if targets and targets[0] != sym.qualname:
                out[sym.qualname] = targets[0]
        return out


class _Lines:
    """A document's lines, read only when an import needs looking at."""

    _AS = re.compile(r"\s+as\s+([A-Za-z_][A-Za-z0-9_]*)")

    def __init__(self, path: Path):
        self.path = path
        self.lines: list[str] | None = None

    def module_alias(self, r: tuple) -> tuple[str, tuple[int, int, int]] | None:
        """(alias, its range) when `import a.b as c` names the module at the
        one-line SCIP range `r` (line, start, end)."""
        if self.lines is None:
            try:
                self.lines = self.path.read_text(encoding="utf-8", errors="replace").split("\n")
            except OSError:
                self.lines = []
        if len(r) != 3 or r[0] >= len(self.lines):
            return None
        line = r[0]
        text = self.lines[line]
        if not text.lstrip().startswith("import "):
            return None
        end = char_column(text, r[2])
        match = self._AS.match(text, end)
        if match is None:
            return None
        start = utf16_column(text, match.start(1))
        return match.group(1), (line, start, start + len(match.group(1)))


def _range(r: Range) -> list[int]:
    if r.start.line == r.end.line:
        return [r.start.line, r.start.character, r.end.character]
    return [r.start.line, r.start.character, r.end.line, r.end.character]


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("codemeld")
    except Exception:
        return "0"
