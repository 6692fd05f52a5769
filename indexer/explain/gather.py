"""Gathering a context pack: everything the index and the allowed files say
about one symbol, generously; `fit.py` then cuts it to the budget."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from indexer.explain.privacy import PrivacyPolicy
from indexer.analysis.impact import ImpactSummary
from indexer.graph.model import Symbol
from indexer.graph.query import Graph
from indexer.graph.vocab import CALL_KINDS, SymbolKind
from indexer.explain.pack import (_CODE_KINDS, _WEAK_CONFIDENCE, _MAX_TEST_LINES, _MAX_DOC_CHARS,
    SimilarProvider, PackOptions, Card, Caller, Callee, TestExample, TestRef, Similar, ContextPack,
    first_sentence)
from indexer.explain.fit import _fit


class _Sources:
    """File text by line, read once per pack, only for allowed paths."""

    def __init__(self, root: Path, policy: PrivacyPolicy, withheld: dict[str, str]):
        self.root = root
        self.policy = policy
        self.withheld = withheld
        self.lines: dict[str, list[str]] = {}

    def allowed(self, path: str) -> bool:
        reason = self.policy.reason(path)
        if reason is not None:
            self.withheld.setdefault(path, reason)
            return False
        return True

    def file_lines(self, path: str) -> list[str]:
        if not self.allowed(path):
            return []
        if path not in self.lines:
            try:
                text = (self.root / path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            # Lines as the index counts them: only \n ends a line.
            self.lines[path] = [line.rstrip("\r") for line in text.split("\n")]
        return self.lines[path]

    def line(self, path: str, line: int) -> str:
        lines = self.file_lines(path)
        return lines[line].strip() if 0 <= line < len(lines) else ""

    def span(self, sym: Symbol, collapse: list[Symbol] = ()) -> list[str]:
        """The symbol's lines, dedented; each symbol in `collapse` (a class's
        methods) shrinks to its first line, which the members list details."""
        lines = self.file_lines(sym.path)
        start, end = sym.range.start, sym.range.end
        chunk = lines[start.line: end.line + 1]
        if not chunk:
            return []
        # Keep the first line's indentation, so the block dedents evenly.
        chunk[0] = " " * start.character + chunk[0][start.character:]
        hidden: set[int] = set()
        for child in collapse:
            first, last = child.range.start.line - start.line, child.range.end.line - start.line
            if 0 <= first < last < len(chunk):
                hidden.update(range(first + 1, last + 1))
                if not chunk[first].rstrip().endswith("..."):
                    chunk[first] = chunk[first].rstrip() + " ..."
        if hidden:
            chunk = [line for i, line in enumerate(chunk) if i not in hidden]
        return _dedent(chunk)


def _dedent(lines: list[str]) -> list[str]:
    widths = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(widths, default=0)
    return [line[cut:] for line in lines]


_QUOTES = ('"""', "'''")


def elide_docstring(lines: list[str]) -> list[str]:
    """Replace the docstring inside a body by a marker: the card above the
    source already carries it, and a long docstring would eat the budget twice."""
    for i, line in enumerate(lines[:12]):
        stripped = line.strip()
        if i == 0 or not stripped or stripped.startswith(("@", "#")):
            continue
        body = stripped.lstrip("rRuUbB")
        quote = next((q for q in _QUOTES if body.startswith(q)), None)
        if quote is None:
            if lines[i - 1].rstrip().endswith(":"):
                return lines  # the first statement is code: no docstring
            continue  # a signature continued over several lines
        end = i if body.count(quote) >= 2 else next(
            (j for j in range(i + 1, len(lines)) if quote in lines[j]), None)
        if end is None:
            return lines
        indent = line[: len(line) - len(line.lstrip())]
        return lines[:i] + [f"{indent}{quote}(docstring above){quote}"] + lines[end + 1:]
    return lines


# -- gathering ------------------------------------------------------------------


def is_overload(sym: Symbol) -> bool:
    return "overload" in sym.flags or any(d == "overload" or d.endswith(".overload") for d in sym.decorators)


def primary_symbol(graph: Graph, qualname: str) -> Symbol | None:
    """The definition that stands for a qualname defined several times: the
    implementation rather than its `@overload` stubs, a documented one rather
    than a bare redefinition (`try: ... except ImportError: def f...`)."""
    found = graph.symbols(qualname)
    if len(found) <= 1:
        return found[0] if found else None
    return max(found, key=lambda s: (not is_overload(s), bool(s.docstring), -s.id))


def symbol_hash(graph: Graph, sym: Symbol) -> str:
    """The symbol's `body_hash` in the index: changes with its own text."""
    return graph.body_hash(sym.id)


def _owner_class(graph: Graph, sym: Symbol) -> Symbol | None:
    parent = sym.parent
    while parent:
        owner = graph.symbol(parent)
        if owner is None or owner.kind == SymbolKind.MODULE:
            return None
        if owner.kind == SymbolKind.CLASS:
            return owner
        parent = owner.parent
    return None


def _module_of(graph: Graph, sym: Symbol) -> Symbol | None:
    for candidate in graph.symbols_in_file(sym.path)[:3]:
        if candidate.kind == SymbolKind.MODULE:
            return candidate
    return None


def _reference_counts(graph: Graph, qualnames: list[str]) -> dict[str, int]:
    return graph.reference_counts(qualnames)


def _module_symbols(graph: Graph, module: Symbol, target: Symbol, src: _Sources, limit: int) -> list[Card]:
    """The module's public classes and functions, most used first."""
    tops = [s for s in graph.symbols_in_file(module.path)
            if s.parent == module.qualname and s.kind in _CODE_KINDS and not s.name.startswith("_")
            and s.qualname != target.qualname]
    counts = _reference_counts(graph, [s.qualname for s in tops])
    tops.sort(key=lambda s: (-counts.get(s.qualname, 0), s.range.start.line))
    allowed = src.allowed(module.path)
    return [Card.of(s, allowed) for s in tops[:limit]]


def _members(graph: Graph, cls: Symbol, src: _Sources, limit: int) -> list[Card]:
    allowed = src.allowed(cls.path)
    by_name: dict[str, Symbol] = {}
    for s in graph.symbols_in_file(cls.path):
        if s.parent == cls.qualname and s.kind in (*_CODE_KINDS, "property"):
            held = by_name.get(s.qualname)
            # One entry per name: the implementation, not its @overload stubs.
            if held is None or (is_overload(held) and not is_overload(s)):
                by_name[s.qualname] = s
    methods = list(by_name.values())
    # Public API first, then dunders (__init__ tells how to build one), then private helpers.
    methods.sort(key=lambda s: (s.name.startswith("_") and not s.name.startswith("__"), s.name != "__init__",
                                s.name.startswith("_"), s.range.start.line))
    return [Card.of(s, allowed) for s in methods[:limit]]


def _subclasses(graph: Graph, cls: Symbol, src: _Sources, limit: int) -> list[Card]:
    out = []
    for qualname in graph.direct_subclasses(cls.qualname)[:limit]:
        sym = primary_symbol(graph, qualname)
        if sym is not None and sym.kind == SymbolKind.CLASS:
            out.append(Card.of(sym, src.allowed(sym.path)))
    return out


def _callees(graph: Graph, target: Symbol, src: _Sources, limit: int) -> list[Callee]:
    seen: dict[str, Callee] = {}
    for ref in graph.references_from(target.qualname):
        if ref.kind not in CALL_KINDS or not ref.target or ref.target in seen or ref.target == target.qualname:
            continue
        if ref.target.startswith(target.qualname + "."):
            continue  # its own nested functions are part of the body
        sym = primary_symbol(graph, ref.target)
        if sym is None or sym.kind not in _CODE_KINDS:
            continue  # outside the workspace, or a parameter/variable holding a callable
        seen[ref.target] = Callee(Card.of(sym, src.allowed(sym.path)), ref.range.start.line)
        if len(seen) >= limit:
            break
    return list(seen.values())


def rank_callers(graph: Graph, qualname: str) -> list[tuple]:
    """Distinct calling symbols, best call site each, ordered for display:
    sure calls before name matches, non-test code before tests, and files
    interleaved so the top few show the variety of uses rather than one file's."""
    best: dict[str, object] = {}
    for ref in graph.references(qualname):
        if ref.kind not in CALL_KINDS:
            continue
        key = ref.enclosing or ref.path
        held = best.get(key)
        if held is None or ref.confidence > held.confidence:
            best[key] = ref
    symbols = {q: graph.symbol(q) for q in best}
    groups: dict[tuple, list] = defaultdict(list)
    for key, ref in best.items():
        sym = symbols[key]
        weak = ref.confidence < _WEAK_CONFIDENCE
        is_test = bool(sym and sym.is_test)
        groups[(weak, is_test, ref.path)].append((ref, sym))
    ordered: list[tuple] = []
    for weak in (False, True):
        for is_test in (False, True):
            files = [(k, v) for k, v in groups.items() if k[0] == weak and k[1] == is_test]
            for _, items in files:
                items.sort(key=lambda rs: (-rs[0].confidence, rs[0].range.start.line))
            files.sort(key=lambda kv: (-kv[1][0][0].confidence, -len(kv[1]), kv[0][2]))
            queues = [items for _, items in files]
            while any(queues):
                for queue in queues:
                    if queue:
                        ordered.append(queue.pop(0))
    return ordered


def _callers(graph: Graph, target: Symbol, src: _Sources, limit: int) -> tuple[list[Caller], int, int]:
    ranked = rank_callers(graph, target.qualname)
    out = []
    for ref, sym in ranked[:limit]:
        text = src.line(ref.path, ref.range.start.line)
        out.append(Caller(
            qualname=ref.enclosing or ref.path, kind=sym.kind if sym else "module", path=ref.path,
            line=ref.range.start.line, text=text, confidence=ref.confidence, how=ref.how,
            is_test=bool(sym and sym.is_test),
            # A module's docstring says what the module is for, not why this line calls.
            purpose=first_sentence(sym.docstring) if sym is not None and sym.kind != SymbolKind.MODULE
            and src.allowed(sym.path) else ""))
    return out, len(ranked), len({ref.path for ref, _ in ranked})


def _tests_and_impact(graph: Graph, target: Symbol, src: _Sources, options: PackOptions,
                      pack: ContextPack) -> list[TestExample]:
    from indexer.analysis.impact import impact

    try:
        report = impact(graph, target.qualname)
    except KeyError:
        return []
    if options.include_impact:
        pack.impact = ImpactSummary(len(report.dependents), len(report.files), len(report.tests), report.truncated)
    pack.test_refs = [TestRef(t.id, t.symbol.path, t.symbol.selection_range.start.line, t.depth)
                      for t in report.tests[:10]]
    if not options.include_tests:
        return []
    out = []
    for test in report.tests[: options.max_tests]:
        lines = src.span(test.symbol)
        if len(lines) > _MAX_TEST_LINES:
            lines = lines[:_MAX_TEST_LINES] + ["    ..."]
        out.append(TestExample(test.id, test.symbol.qualname, test.symbol.path,
                               test.symbol.selection_range.start.line, "\n".join(lines), test.depth,
                               test.confidence))
    return out


def _similar(provider: SimilarProvider | None, target: Symbol, src: _Sources, limit: int,
             pack: ContextPack) -> list[Similar]:
    if provider is None or limit <= 0:
        return []
    try:
        hits = provider.similar_to(target.qualname, limit=limit + 2)
    except Exception as exc:  # the semantic index is optional: never let it break a pack
        pack.notes.append(f"similar code unavailable: {exc}")
        return []
    out = []
    for hit in hits:
        sym = getattr(hit, "symbol", None)
        if sym is None or sym.qualname == target.qualname or not src.allowed(sym.path):
            continue
        out.append(Similar(sym.qualname, sym.path, sym.selection_range.start.line,
                           float(getattr(hit, "score", 0.0)), str(getattr(hit, "snippet", ""))))
        if len(out) >= limit:
            break
    return out


def build_pack(graph: Graph, qualname: str, options: PackOptions = PackOptions(), *,
               policy: PrivacyPolicy | None = None, similar: SimilarProvider | None = None) -> ContextPack:
    """The context pack of one symbol, cut to `options.budget` tokens.
    Raises KeyError when the symbol is not in the workspace."""
    target = primary_symbol(graph, qualname)
    if target is None:
        raise KeyError(qualname)
    policy = policy or PrivacyPolicy.default(graph.root)
    pack = ContextPack(target=Card(target.qualname, target.kind, target.path, target.selection_range.start.line),
                       root=graph.root, budget=options.budget)
    src = _Sources(graph.root, policy, pack.withheld)
    own_text = src.allowed(target.path)
    pack.target = Card.of(target, own_text, _MAX_DOC_CHARS)
    pack.symbol_hash = symbol_hash(graph, target)
    children = [s for s in graph.symbols_in_file(target.path)
                if s.parent == target.qualname and s.kind in _CODE_KINDS] if target.kind == SymbolKind.CLASS else []
    body = elide_docstring(src.span(target, children)) if target.kind != SymbolKind.MODULE else []
    pack.body_lines = len(body)
    module = _module_of(graph, target)
    if module is not None and module.qualname != target.qualname:
        pack.module = Card.of(module, src.allowed(module.path))
        module_symbols = _module_symbols(graph, module, target, src, options.max_module_symbols)
    else:
        module_symbols = []
    owner = _owner_class(graph, target)
    if owner is not None:
        pack.owner = Card.of(owner, src.allowed(owner.path))
    members = _members(graph, target, src, 15) if target.kind == SymbolKind.CLASS else []
    subclasses = _subclasses(graph, target, src, 8) if target.kind == SymbolKind.CLASS else []
    callees = _callees(graph, target, src, options.max_callees)
    callers, pack.caller_count, pack.caller_files = _callers(graph, target, src, options.max_callers)
    tests = _tests_and_impact(graph, target, src, options, pack) if (
        options.include_tests or options.include_impact) else []
    similar_code = _similar(similar, target, src, options.max_similar, pack)
    _fit(pack, options, body, module_symbols, members, callees, callers, tests, similar_code, subclasses)
    return pack
