"""Navigation answers over the graph: what editors ask while moving around.

Built on `indexer.graph.query.Graph` only (read-only, any thread). Plain data in
editor terms: paths, 0-based lines, UTF-16 columns. Everything the server
would otherwise have to decide (which references count as calls, how a
class's bases are found, how workspace-symbol results are ranked) lives
here, so every front door (LSP, CLI, MCP) answers the same way.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass

from indexer import languages
from indexer.graph.model import Range, Reference, Symbol
from indexer.graph.query import Graph, reference_from_row
# CALL_KINDS (re-exported): a call, a decorator applied, a fixture pytest
# calls for each test that names it.
from indexer.graph.vocab import CALL_KINDS, SymbolKind  # noqa: F401

# Definitions worth a code lens / a place in call hierarchies.
CALLABLE_KINDS = ("class", "function", "method")


@dataclass(frozen=True, slots=True)
class HoverInfo:
    symbol: Symbol
    references: int  # uses across the workspace (declaration not counted)
    files: int  # files those uses are in
    impact: str = ""  # one line: "N dependents in M files · K tests"


@dataclass(frozen=True, slots=True)
class Highlight:
    range: Range
    kind: str  # "read", "write" or "text"


@dataclass(frozen=True, slots=True)
class Call:
    """One edge of a call hierarchy: the symbol at the other end and the call
    sites. Call sites are always in the caller's file."""

    symbol: Symbol
    ranges: tuple[Range, ...]


@dataclass(frozen=True, slots=True)
class SymbolMatch:
    symbol: Symbol
    score: float


# -- at a position -------------------------------------------------------------


def definitions(graph: Graph, path: str, line: int, character: int) -> list[Symbol]:
    """Where the name at this position is defined (itself, on a definition)."""
    return graph.definitions_at(path, line, character)


def reference_family(graph: Graph, qualname: str) -> list[str]:
    """The definitions whose uses Find All References shows together: the
    symbol itself, and for a language whose own server counts a member's
    overrides and overridden declarations as one symbol (tsserver does;
    pyright, Python's reference, does not) those too: the plugin's
    `reference_family`, asked only for other languages than Python."""
    language = languages.language_of(qualname)
    if language == "python":
        return [qualname]
    hook = getattr(languages.find(language), "reference_family", None)
    return hook(graph, qualname) if hook is not None else [qualname]


def _related_declarations(graph: Graph, qualname: str, family: list[str]) -> list[tuple]:
    """Name spans of the family's other declarations (they are uses of the member too)."""
    return [(s.path, s.selection_range.start.line, s.selection_range.start.character,
             s.selection_range.end.line, s.selection_range.end.character)
            for other in family if other != qualname for s in graph.symbols(other)]


def find_references(graph: Graph, qualnames, include_declaration: bool = False, min_confidence: float = 0.0,
                    guesses: bool = False) -> list[Reference]:
    """Find All References, the one policy every front door (CLI, LSP, MCP)
    uses: sure and inferred uses; name-matched guesses (how="name-match",
    confidence <= 0.4: an attribute on a receiver of unknown type that
    shares the name) only when asked (`guesses`), since a 0.1 guess mixed in
    silently with sure answers is noise. Each reference keeps `how` and
    `confidence`, so a client that asks for guesses can group them."""
    return [reference_from_row(row) for row in find_reference_rows(graph, qualnames, include_declaration,
                                                                   min_confidence, guesses)]


def find_reference_rows(graph: Graph, qualnames, include_declaration: bool = False, min_confidence: float = 0.0,
                        guesses: bool = False) -> list[tuple]:
    """`find_references` as `Graph.use_rows` tuples: what a paged
    answer (CLI --limit, the MCP tool) reads whole and builds one page of."""
    out: list[tuple] = []
    seen: set[tuple] = set()
    family = [member for qualname in qualnames for member in reference_family(graph, qualname)]
    for qualname in family:
        for row in graph.use_rows(qualname, include_declaration and qualname in qualnames, min_confidence,
                                        guesses=guesses):
            key = row[:5]  # path and range
            if key not in seen:
                seen.add(key)
                out.append(row)
    return out


def references(graph: Graph, path: str, line: int, character: int, include_declaration: bool,
               min_confidence: float = 0.0, guesses: bool = False) -> list[Reference]:
    return find_references(graph, graph.targets_at(path, line, character), include_declaration, min_confidence,
                           guesses)


REFERENCE_PAGE = 2000  # spans per streamed page (LSP partial results)
FIRST_PAGE = 300  # the first page's: out at once (a client shows it while the rest is read)


def file_pages(graph: Graph, qualname: str, first: int | None = None, page: int | None = None):
    """The files referring to `qualname` as id lists in path order: the
    first list with about `first` references, the next `page`, then each
    twice the one before (up to 8 pages). A huge answer reads a list of
    files at a time, so its first rows come before the last are sorted (one
    query sorting 35,000 rows took 110-170 ms to its first row under load),
    in few queries (each costs its planning). Read inside `Store.snapshot`:
    one state of the index."""
    ids: list[int] = []
    held, size = 0, FIRST_PAGE if first is None else first
    page = REFERENCE_PAGE if page is None else page
    for file_id, count in graph.target_files(qualname):
        ids.append(file_id)
        held += count
        if held >= size:
            yield ids
            ids, held, size = [], 0, page if size < page else min(2 * size, 8 * page)
    if ids:
        yield ids


def _paged_spans(graph: Graph, target: str, min_confidence: float, guesses: bool):
    """`Graph.reference_spans` of `target`, read a page of files at a time
    (chained in C: no Python frame per row)."""
    return itertools.chain.from_iterable(graph.reference_spans(target, min_confidence, guesses, ids)
                                         for ids in file_pages(graph, target))


def _target_spans(graph: Graph, target: str, include_declaration: bool, min_confidence: float,
                  guesses: bool, stream: bool = True):
    """The spans of one target's uses (its family's, see `reference_family`)."""
    family = reference_family(graph, target)
    if len(family) == 1 and not include_declaration:
        if not stream:  # one query: a whole answer's first rows need not come early
            return graph.reference_spans(target, min_confidence, guesses)
        return _paged_spans(graph, target, min_confidence, guesses)  # streamed as read
    spans = [span for qualname in family for span in graph.reference_spans(qualname, min_confidence, guesses)]
    if len(family) > 1:
        spans += _related_declarations(graph, target, family)
    if include_declaration:
        spans += [(s.path, s.selection_range.start.line, s.selection_range.start.character,
                   s.selection_range.end.line, s.selection_range.end.character)
                  for s in graph.symbols(target) if s.kind != SymbolKind.MODULE]
    return sorted(spans)


def reference_span_pages(graph: Graph, path: str, line: int, character: int, include_declaration: bool,
                         min_confidence: float = 0.0, guesses: bool = False, on_page=None,
                         page: int = REFERENCE_PAGE, stream: bool = True) -> int:
    """`references` as (path, sl, sc, el, ec) tuples handed to
    `on_page(list)` in pages as they are read (the first page goes out
    before the rest is read): same policy, same order, no Reference objects.
    `stream=False` (a whole answer) reads each target in one query instead
    of a few files at a time: the same rows, 5-10% less CPU. Returns how
    many spans went out."""
    seen: set[tuple] = set()
    batch: list[tuple] = []
    sent = 0
    size = min(page, FIRST_PAGE)  # the first page small: out at once
    with graph.store.snapshot():
        for target in graph.targets_at(path, line, character):
            spans = _target_spans(graph, target, include_declaration, min_confidence, guesses, stream)
            for span in spans:
                if span in seen:
                    continue
                seen.add(span)
                batch.append(span)
                if len(batch) >= size:
                    on_page(batch)
                    sent += len(batch)
                    batch, size = [], page
        if batch:
            on_page(batch)
            sent += len(batch)
    return sent


HOVER_DETAIL_LIMIT = 2000  # uses above which hover skips per-dependent counts


def hover(graph: Graph, path: str, line: int, character: int, min_confidence: float = 0.0) -> HoverInfo | None:
    found = graph.definitions_at(path, line, character)
    if not found:
        return None
    symbol = found[0]
    count, files = graph.use_count(symbol.qualname, min_confidence)
    if symbol.kind in (SymbolKind.MODULE, SymbolKind.PARAMETER):
        summary = ""
    elif count > HOVER_DETAIL_LIMIT:
        # Thousands of uses: counting them again by dependent would make the
        # hover slow; the full picture is one codemeld/impact away.
        summary = f"used {count} times: run codemeld impact for dependents and tests"
    else:
        # here, not at the top: `codemeld refs` loads this module, not impact
        from indexer.analysis.impact import direct_summary

        summary = direct_summary(graph, symbol.qualname)
    return HoverInfo(symbol, count, files, summary)


def highlights(graph: Graph, path: str, line: int, character: int) -> list[Highlight]:
    """Every occurrence in this file of what the name at the position means."""
    targets = graph.targets_at(path, line, character)
    if not targets:
        return []
    out: list[Highlight] = []
    out.extend(Highlight(Range.of(*row), "write") for row in graph.name_spans_in_file(path, targets))
    rows = graph.use_spans_in_file(path, targets)
    out.extend(Highlight(Range.of(*row[:4]), "write" if row[4] == "write" else "read") for row in rows)
    unique = {(h.range.start.line, h.range.start.character): h for h in out}
    return [unique[k] for k in sorted(unique)]


def outline(graph: Graph, path: str) -> list[Symbol]:
    """A file's symbols in order, without parameters (noise in an outline).
    Each symbol's `parent` names its place in the hierarchy."""
    return [s for s in graph.symbols_in_file(path) if s.kind not in (SymbolKind.MODULE, SymbolKind.PARAMETER)]


# -- call hierarchy ---------------------------------------------------------------


def callables_at(graph: Graph, path: str, line: int, character: int) -> list[Symbol]:
    return [s for s in graph.definitions_at(path, line, character) if s.kind in CALLABLE_KINDS]


def symbol_in(graph: Graph, qualname: str | None, path: str) -> Symbol | None:
    """The symbol named `qualname`, preferring the copy in `path` (a name can
    be defined twice, e.g. under `if TYPE_CHECKING`)."""
    if qualname is None:
        return None
    found = graph.symbols(qualname)
    for sym in found:
        if sym.path == path:
            return sym
    return found[0] if found else None


def module_symbol(graph: Graph, path: str) -> Symbol | None:
    found = [s for s in graph.symbols_in_file(path) if s.kind == SymbolKind.MODULE]
    return found[0] if found else None


def incoming_calls(graph: Graph, qualname: str, min_confidence: float = 0.0) -> list[Call]:
    """Who calls `qualname`, grouped by calling symbol (a module for top-level code)."""
    groups: dict[tuple[str, str | None], list[Reference]] = {}
    for ref in graph.references_of_kinds(qualname, CALL_KINDS, min_confidence):
        groups.setdefault((ref.path, ref.enclosing), []).append(ref)
    out = []
    for (path, enclosing), refs in groups.items():
        caller = symbol_in(graph, enclosing, path) or module_symbol(graph, path)
        if caller is not None:
            out.append(Call(caller, tuple(r.range for r in refs)))
    return out


def incoming_call_rows(graph: Graph, qualname: str, min_confidence: float = 0.0) -> list[tuple[tuple, list[tuple]]]:
    """`incoming_calls` as plain rows, for answers of thousands of callers:
    (caller, sites), the caller a `Graph.symbol_briefs` row and the sites
    (sl, sc, el, ec) tuples. Same callers, same order, same choice of the
    caller's copy (the one in the calling file) and the same module fallback,
    with a few batched queries instead of one per caller and no objects."""
    out: list[tuple[tuple, list[tuple]]] = []
    incoming_call_row_pages(graph, qualname, min_confidence, out.extend)
    return out


def incoming_call_row_pages(graph: Graph, qualname: str, min_confidence: float = 0.0, on_page=None) -> None:
    """`incoming_call_rows` handed to `on_page(list)` a page of files at a
    time (`file_pages`), the first page before the rest is read. A caller's
    sites all lie in its file, so the pages joined are the whole answer."""
    with graph.store.snapshot():
        for ids in file_pages(graph, qualname):
            rows = _callers(graph, graph.call_sites(qualname, CALL_KINDS, min_confidence, ids))
            if rows:
                on_page(rows)


def _callers(graph: Graph, sites) -> list[tuple[tuple, list[tuple]]]:
    """Call sites (path, enclosing, sl, sc, el, ec) grouped by caller, in the
    order of each caller's first site."""
    groups: dict[tuple[str, str | None], list[tuple]] = {}
    for path, enclosing, sl, sc, el, ec in sites:
        groups.setdefault((path, enclosing), []).append((sl, sc, el, ec))
    copies = graph.symbol_briefs(enclosing for _, enclosing in groups if enclosing is not None)
    modules = None
    out = []
    for (path, enclosing), sites in groups.items():
        found = copies.get(enclosing) if enclosing is not None else None
        if found:
            caller = found[0]
            if len(found) > 1:  # a name defined twice: the copy in the calling file
                for row in found:
                    if row[4] == path:
                        caller = row
                        break
        else:
            if modules is None:  # top-level code, or an enclosing name with no symbol: the module
                modules = graph.module_briefs(p for (p, e) in groups if e is None or not copies.get(e))
            caller = modules.get(path)
        if caller is not None:
            out.append((caller, sites))
    return out


def outgoing_calls(graph: Graph, qualname: str, min_confidence: float = 0.0) -> list[Call]:
    """What `qualname` calls, grouped by callee; callees outside the
    workspace (stdlib, site-packages) have no symbol here and are left out."""
    groups: dict[str, list[Reference]] = {}
    caller_paths: dict[str, str] = {}
    for ref in graph.references_from(qualname):
        if ref.kind in CALL_KINDS and ref.target and ref.confidence >= min_confidence:
            groups.setdefault(ref.target, []).append(ref)
            caller_paths.setdefault(ref.target, ref.path)
    out = []
    for target, refs in groups.items():
        callee = symbol_in(graph, target, caller_paths[target])
        if callee is not None:
            out.append(Call(callee, tuple(r.range for r in refs)))
    return out


# -- type hierarchy ------------------------------------------------------------------


def classes_at(graph: Graph, path: str, line: int, character: int) -> list[Symbol]:
    return [s for s in graph.definitions_at(path, line, character) if s.kind == SymbolKind.CLASS]


def _class_holding(graph: Graph, path: str, line: int, character: int) -> Symbol | None:
    """Innermost class whose span holds the position (a base list is inside its class)."""
    return graph.innermost_class_at(path, line, character)


def supertypes(graph: Graph, qualname: str) -> list[Symbol]:
    """Direct bases of a class that are defined in the workspace."""
    out: list[Symbol] = []
    for cls in graph.symbols(qualname):
        for ref in graph.inherit_refs_between(cls.path, cls.range.start.line, cls.range.end.line):
            holder = _class_holding(graph, ref.path, ref.range.start.line, ref.range.start.character)
            if holder is None or holder.qualname != cls.qualname:
                continue  # a base of a nested class
            base = symbol_in(graph, ref.target, ref.path)
            if base is not None and base not in out:
                out.append(base)
    return out


def subtypes(graph: Graph, qualname: str) -> list[Symbol]:
    """Classes in the workspace that name `qualname` as a direct base."""
    out: list[Symbol] = []
    for ref in graph.inherit_refs_to(qualname):
        holder = _class_holding(graph, ref.path, ref.range.start.line, ref.range.start.character)
        if holder is not None and holder not in out:
            out.append(holder)
    return out


# -- code lens ---------------------------------------------------------------------


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def reference_counts(graph: Graph, path: str, min_confidence: float = 0.0) -> list[tuple[Symbol, int]]:
    """(definition, number of references) for each class/function/method in
    a file that is worth a code lens: not dunders (`__eq__`, `__repr__`:
    called by the language, "0 references" on every class is noise) and not
    tests (pytest calls them; nothing else does)."""
    symbols = [s for s in graph.symbols_in_file(path)
               if s.kind in CALLABLE_KINDS and not s.is_test and not _is_dunder(s.name)]
    if not symbols:
        return []
    counts = graph.confident_reference_counts(sorted({s.qualname for s in symbols}), min_confidence)
    return [(s, counts.get(s.qualname, 0)) for s in symbols]


# -- workspace symbols ---------------------------------------------------------------

_KIND_BONUS = {"class": 6, "function": 5, "method": 4, "constant": 3, "module": 3, "variable": 2, "attribute": 1}
_TOP_NAMES = 300  # distinct names whose symbols are ranked in full
# Parameters and function locals are not workspace symbols.
_ELIGIBLE = ("s.kind != 'parameter'"
             " AND (s.kind NOT IN ('variable', 'constant') OR s.is_member = 1 OR s.parent = f.module)")

# index dir -> (version, every eligible name on its own line). Scanning the
# symbols table per keystroke costs tens of ms on the standard library; a
# regex over this string finds the candidate names in a few.
_NAMES: dict[str, tuple[tuple, str]] = {}
_NAMES_LOCK = threading.Lock()


def _names(graph: Graph) -> str:
    # Symbols are re-inserted (new ids) when a file changes, and every
    # update ends by stamping last_update, so this pair moves on any change.
    version = (graph.symbols_version(), graph.store.get_meta("last_update"))
    key = str(graph.store.index_dir)
    with _NAMES_LOCK:
        cached = _NAMES.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    blob = "\n".join(name for name in graph.distinct_names(_ELIGIBLE) if "\n" not in name)
    with _NAMES_LOCK:
        _NAMES[key] = (version, blob)
    return blob


def subsequence_pattern(query: str) -> str:
    """A regex (IGNORECASE, MULTILINE) for the lines holding `query`'s
    characters in order. Each step skips to the next occurrence of its
    character, possessively (`[^\\nc]*+c`): the first occurrence is always
    the best one, so nothing is ever given back. A lazy `[^\\n]*?c` per
    character backtracked through every earlier choice on each line that
    failed late: a long query (`test_url_without_trailing_`) took 320-370 ms
    of CPU over the 110,000 names of the 2-million-line corpus, 45 ms this
    way, with the same matches (evals/bench_lsp.py, issue 17)."""
    return "^" + "".join(f"[^\n{re.escape(c)}]*+{re.escape(c)}" for c in query) + "[^\n]*+$"


# index dir -> (the names string it was read from, the last subsequence
# query, its matches on their own lines). An editor asks again on every
# keystroke: a name that holds `query + more` in order holds `query`, so a
# longer query searches only the last one's matches.
_LAST: dict[str, tuple[str, str, str]] = {}


def _candidate_names(graph: Graph, query: str) -> list[str]:
    """Names that match at all: a prefix for a single letter (anything looser
    matches half the index), a subsequence otherwise."""
    if "\n" in query:  # no name holds one (a match would span two names)
        return []
    names = _names(graph)
    if len(query) == 1:
        return re.findall("^" + re.escape(query) + "[^\n]*$", names, re.IGNORECASE | re.MULTILINE)
    key = str(graph.store.index_dir)
    with _NAMES_LOCK:
        last = _LAST.get(key)
    searched = names
    if last is not None and last[0] is names and query.startswith(last[1]):
        searched = last[2]  # the same names, and this query narrows that one
    found = re.findall(subsequence_pattern(query), searched, re.IGNORECASE | re.MULTILINE)
    with _NAMES_LOCK:
        _LAST[key] = (names, query, "\n".join(found))
    return found


def _boundaries(name: str) -> str:
    """Initials of a name's words: format_price -> fp, DiscountedProduct -> dp."""
    out = [name[0]] if name else []
    for i in range(1, len(name)):
        c, prev = name[i], name[i - 1]
        if (prev == "_" and c != "_") or (c.isupper() and not prev.isupper()) or (c.isdigit() and not prev.isdigit()):
            out.append(c)
    return "".join(out).lower()


def _is_subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(c in it for c in needle)


def name_score(name: str, query: str) -> float | None:
    """How well `name` matches a fuzzy `query`; None when it does not."""
    if name == query:
        return 100.0
    low, q = name.lower(), query.lower()
    if low == q:
        return 95.0
    if low.startswith(q):
        return 85.0 - min(len(name) - len(query), 30) * 0.3
    initials = _boundaries(name)
    if initials.startswith(q):
        return 75.0 - min(len(initials) - len(q), 10)
    position = low.find(q)
    if position >= 0:
        return 65.0 - min(position, 20) * 0.5 - min(len(name) - len(query), 30) * 0.2
    if _is_subsequence(q, initials):
        return 55.0
    if _is_subsequence(q, low):
        return 40.0 - min(len(name) - len(query), 30) * 0.3
    return None


MAX_QUERY = 256  # characters of a workspace-symbol query that are used


def search_symbols(graph: Graph, query: str, limit: int = 100) -> list[SymbolMatch]:
    """Fuzzy workspace-symbol search, best first.

    `Cart.tot` narrows by the enclosing name. Ranked by match quality
    (exact > prefix > word initials > substring > subsequence), then kind
    (classes and functions before attributes), public before private,
    code before tests, shorter qualified names first. Parameters and
    function locals are not offered.
    """
    # No identifier is this long; matching a megabyte against every name took
    # half a minute, so longer queries are cut, not refused.
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    scope, _, name_query = query.rpartition(".")
    if not name_query:
        return []
    scored = [(score, name) for name in _candidate_names(graph, name_query)
              if (score := name_score(name, name_query)) is not None]
    scored.sort(key=lambda t: (-t[0], len(t[1])))
    names = [name for _, name in scored[:_TOP_NAMES]]
    if not names:
        return []
    matches: list[SymbolMatch] = []
    for sym in graph.symbols_named_where(names, _ELIGIBLE):
        score = name_score(sym.name, name_query)
        if score is None:
            continue
        if scope:
            parent = sym.qualname[: -len(sym.name) - 1] if sym.qualname.endswith("." + sym.name) else ""
            parent_name = parent.rsplit(".", 1)[-1]
            parent_score = name_score(parent_name, scope.rsplit(".", 1)[-1])
            if parent_score is None and not _is_subsequence(scope.lower(), parent.lower()):
                continue
            score += (parent_score or 0) / 10
        score += _KIND_BONUS.get(sym.kind, 0)
        if sym.name.startswith("_") and not name_query.startswith("_"):
            score -= 4
        if sym.is_test or "test" in sym.path.rsplit("/", 1)[-1]:
            score -= 3
        score -= min(sym.qualname.count("."), 10) * 0.2
        matches.append(SymbolMatch(sym, score))
    matches.sort(key=lambda m: (-m.score, len(m.symbol.qualname), m.symbol.qualname))
    return matches[:limit]



def index_counts(graph: Graph) -> dict:
    """Sizes for a status line, cheap enough to poll: `Graph.stats` also
    scans every reference for the resolution rate (a second on the stdlib)."""
    files, symbols, references = graph.table_sizes()
    return {"files": files, "symbols": symbols, "references": references, "pending": graph.pending()}
