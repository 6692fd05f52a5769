"""The context pack: what the index knows about one symbol, at several levels
of abstraction, cut to a token budget.

Levels, from the outside in: the module's purpose (docstring, main symbols),
the enclosing class, the symbol itself (signature, docstring, body), what it
calls (callees' signatures), who calls it (call lines), tests that exercise
it (their bodies are usage examples), similar code (optional, from the
semantic index) and the impact summary.

Everything is gathered generously first, then `_fit` keeps items in order of
how much they tell about the symbol until the budget is spent; whatever did
not fit is recorded in `dropped`, so a reader (or a model) knows the pack is
partial. Text is read from files only after `PrivacyPolicy` allowed the path.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol, Sequence

from indexer.explain.privacy import PrivacyPolicy
from indexer.impact import ImpactSummary
from indexer.model import Symbol
from indexer.query import Graph
from indexer.vocab import CALL_KINDS  # noqa: F401  (one definition, re-exported)

log = logging.getLogger(__name__)

DEFAULT_BUDGET = 2000  # tokens: room for a useful prompt on small local models
_CODE_KINDS = ("function", "method", "class")
_WEAK_CONFIDENCE = 0.5  # below this a caller was only matched by name
_MAX_TEST_LINES = 40
_MAX_DOC_CHARS = 1200  # the target's own docstring
_MAX_CARD_DOC_CHARS = 300  # docstrings of other symbols: the first paragraph, capped


def approx_tokens(text: str) -> int:
    """~4 characters per token: close enough for budgeting English and code
    without shipping a tokenizer."""
    return (len(text) + 3) // 4


class SimilarProvider(Protocol):
    """What the semantic index offers (`SemanticIndex.similar_to`); hits carry
    `.symbol`, `.score` and `.snippet`."""

    def similar_to(self, qualname: str, limit: int = 10) -> Sequence: ...


@dataclass(frozen=True, slots=True)
class PackOptions:
    budget: int = DEFAULT_BUDGET
    max_callers: int = 12
    max_callees: int = 12
    max_tests: int = 4
    max_similar: int = 3
    max_module_symbols: int = 8
    include_impact: bool = True
    include_tests: bool = True
    count_tokens: Callable[[str], int] = approx_tokens


# -- pieces ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Card:
    """A symbol in a few lines: what it is, where, its signature and the start
    of its docstring. `signature`/`docstring` are empty when its file is private."""

    qualname: str
    kind: str
    path: str
    line: int  # 0-based line of its name
    signature: str = ""
    docstring: str = ""

    @property
    def summary(self) -> str:
        return first_sentence(self.docstring)

    @staticmethod
    def of(sym: Symbol, allowed: bool, doc_chars: int = _MAX_CARD_DOC_CHARS) -> "Card":
        if not allowed:
            return Card(sym.qualname, sym.kind, sym.path, sym.selection_range.start.line)
        doc = sym.docstring.strip()
        if doc_chars < _MAX_DOC_CHARS:
            doc = doc.split("\n\n", 1)[0]
        if len(doc) > doc_chars:
            doc = doc[:doc_chars].rstrip() + " ..."
        return Card(sym.qualname, sym.kind, sym.path, sym.selection_range.start.line, sym.signature, doc)


@dataclass(frozen=True, slots=True)
class Caller:
    qualname: str  # the function/class/module the call sits in
    kind: str
    path: str
    line: int  # 0-based line of the call
    text: str  # the call line, stripped ("" when private)
    confidence: float
    how: str
    is_test: bool
    purpose: str = ""  # first sentence of the caller's docstring


@dataclass(frozen=True, slots=True)
class Callee:
    card: Card
    call_line: int  # 0-based line of the first call inside the target


@dataclass(frozen=True, slots=True)
class TestExample:
    id: str  # pytest node id
    qualname: str
    path: str
    line: int
    body: str
    depth: int  # 1 = the test uses the symbol directly
    confidence: float


@dataclass(frozen=True, slots=True)
class TestRef:
    """A test that reaches the symbol, named only (cheap; not part of the budget)."""

    id: str
    path: str
    line: int
    depth: int


@dataclass(frozen=True, slots=True)
class Similar:
    qualname: str
    path: str
    line: int
    score: float
    snippet: str


@dataclass
class ContextPack:
    target: Card
    root: Path
    symbol_hash: str = ""  # body_hash of the symbol in the index
    body: str = ""
    body_lines: int = 0  # lines of the whole body (body may hold fewer)
    module: Card | None = None
    module_symbols: list[Card] = field(default_factory=list)
    owner: Card | None = None  # enclosing class
    members: list[Card] = field(default_factory=list)  # a class's methods
    subclasses: list[Card] = field(default_factory=list)  # direct subclasses of a class
    callees: list[Callee] = field(default_factory=list)
    callers: list[Caller] = field(default_factory=list)
    caller_count: int = 0  # distinct callers before the budget cut
    caller_files: int = 0
    tests: list[TestExample] = field(default_factory=list)  # bodies: usage examples
    test_refs: list[TestRef] = field(default_factory=list)  # the first few tests reaching it, by id
    similar: list[Similar] = field(default_factory=list)
    impact: ImpactSummary | None = None
    budget: int = DEFAULT_BUDGET
    used: int = 0
    dropped: list[str] = field(default_factory=list)
    withheld: dict[str, str] = field(default_factory=dict)  # path -> why its text stayed out
    notes: list[str] = field(default_factory=list)

    @property
    def body_truncated(self) -> bool:
        return bool(self.body) and self.body.count("\n") + 1 < self.body_lines

    def fingerprint(self) -> str:
        """Hash of what the pack says, without line numbers: an edit that only
        moves code (a line added above a caller) keeps it; a changed body,
        callee signature, caller set, test or docstring changes it."""
        digest = hashlib.blake2b(digest_size=16)

        def put(*values) -> None:
            for value in values:
                digest.update(str(value).encode("utf-8", "surrogatepass"))
                digest.update(b"\x1f")

        t = self.target
        put("target", t.qualname, t.kind, t.signature, t.docstring, self.symbol_hash, self.body)
        for card in ([self.module] if self.module else []) + self.module_symbols + (
                [self.owner] if self.owner else []) + self.members + self.subclasses:
            put("card", card.qualname, card.signature, card.docstring)
        for callee in self.callees:
            put("callee", callee.card.qualname, callee.card.signature, callee.card.docstring)
        for caller in self.callers:
            put("caller", caller.qualname, caller.text)
        for test in self.tests:
            put("test", test.id, test.body)
        for sim in self.similar:
            put("similar", sim.qualname, sim.snippet)
        if self.impact is not None:
            put("impact", self.impact.sentence())
        return digest.hexdigest()

    def summary(self) -> dict:
        """What went into the pack, for clients and logs (JSON-ready)."""
        return {
            "qualname": self.target.qualname,
            "budget": self.budget,
            "tokens": self.used,
            "body": {"lines": self.body.count("\n") + 1 if self.body else 0, "of": self.body_lines},
            "module": self.module.qualname if self.module else None,
            "class": self.owner.qualname if self.owner else None,
            "callers": [c.qualname for c in self.callers],
            "callerCount": self.caller_count,
            "callees": [c.card.qualname for c in self.callees],
            "subclasses": [c.qualname for c in self.subclasses],
            "tests": [t.id for t in self.tests],
            "similar": [s.qualname for s in self.similar],
            "impact": self.impact.sentence() if self.impact else None,
            "dropped": list(self.dropped),
            "withheld": dict(self.withheld),
        }


# -- text helpers ---------------------------------------------------------------


def first_sentence(doc: str) -> str:
    """The docstring's summary line: up to the first blank line, joined, cut at
    the first sentence end."""
    para = " ".join(line.strip() for line in doc.strip().split("\n\n", 1)[0].splitlines()).strip()
    for end in (". ", ".\t"):
        cut = para.find(end)
        if cut > 0:
            return para[: cut + 1]
    return para


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
        if owner is None or owner.kind == "module":
            return None
        if owner.kind == "class":
            return owner
        parent = owner.parent
    return None


def _module_of(graph: Graph, sym: Symbol) -> Symbol | None:
    for candidate in graph.symbols_in_file(sym.path)[:3]:
        if candidate.kind == "module":
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
        if sym is not None and sym.kind == "class":
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
            purpose=first_sentence(sym.docstring) if sym is not None and sym.kind != "module"
            and src.allowed(sym.path) else ""))
    return out, len(ranked), len({ref.path for ref, _ in ranked})


def _tests_and_impact(graph: Graph, target: Symbol, src: _Sources, options: PackOptions,
                      pack: ContextPack) -> list[TestExample]:
    from indexer.impact import impact

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
                if s.parent == target.qualname and s.kind in _CODE_KINDS] if target.kind == "class" else []
    body = elide_docstring(src.span(target, children)) if target.kind != "module" else []
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
    members = _members(graph, target, src, 15) if target.kind == "class" else []
    subclasses = _subclasses(graph, target, src, 8) if target.kind == "class" else []
    callees = _callees(graph, target, src, options.max_callees)
    callers, pack.caller_count, pack.caller_files = _callers(graph, target, src, options.max_callers)
    tests = _tests_and_impact(graph, target, src, options, pack) if (
        options.include_tests or options.include_impact) else []
    similar_code = _similar(similar, target, src, options.max_similar, pack)
    _fit(pack, options, body, module_symbols, members, callees, callers, tests, similar_code, subclasses)
    return pack


# -- the budget -----------------------------------------------------------------

# What render_pack writes around the items, costed so the rendered pack stays
# within the budget (numbers in headings are written at their widest).
_FIXED_OVERHEAD = ("Source (first 999 of 999 lines):\n```python\n```\n"
                   "(Text from 99 private file(s) was withheld.)\n(Left out for space: 99 item(s).)")
_HEADINGS = {
    "caller": "Called by (9999 callers in 999 files, 9999 not shown):",
    "callee": "It calls:",
    "test": "Tests that exercise it (usage examples):",
    "member": "Members:",
    "subclass": "Subclasses:",
    "similar": "Similar code elsewhere:",
    "module symbol": "Other symbols in the module:",
    "class": "", "module": "",
}


def _fit(pack: ContextPack, options: PackOptions, body: list[str], module_symbols: list[Card],
         members: list[Card], callees: list[Callee], callers: list[Caller], tests: list[TestExample],
         similar_code: list[Similar], subclasses: list[Card] = ()) -> None:
    """Keep the most informative items first until the budget is spent.

    The order encodes what helps most to explain a symbol: its own card and
    code, then how it is used (callers, the class around it), what it builds
    on (callees), worked examples (tests), then breadth (more callers, the
    module's other symbols, similar code). Items that do not fit are
    skipped, not truncated, so a later smaller item may still get in; only
    the body is cut to fit, because half a body beats none."""
    count = options.count_tokens
    # Fixed text around the items (the source fence, closing notes) is paid up front.
    used = count(render_card(pack.target, "Symbol to explain")) + count(_FIXED_OVERHEAD)
    if pack.impact is not None:
        used += count(f"Impact: changing it affects {pack.impact.sentence()}.") + 1
    dropped: list[str] = []
    opened: set[str] = set()

    def take(kind: str, label: str, text: str) -> bool:
        """Keep one item if it (and its section heading, the first time) fits."""
        nonlocal used
        cost = count(text) + 1
        if kind not in opened:
            cost += count(_HEADINGS.get(kind, "")) + 1
        if used + cost > pack.budget:
            dropped.append(label)
            return False
        used += cost
        opened.add(kind)
        return True

    # The body: cut to leave a third of what is left (capped) for how it is used.
    if body:
        room = pack.budget - used
        reserve = min(room // 3, 600)
        kept: list[str] = []
        spent = 0
        for line in body:
            cost = count(line + "\n")
            if spent + cost > room - reserve:
                break
            kept.append(line)
            spent += cost
        if len(kept) < len(body):
            dropped.append(f"body lines {len(kept) + 1}-{len(body)} of {len(body)}")
        pack.body = "\n".join(kept)
        used += spent

    steps: list[tuple[str, object, str]] = []
    if pack.owner is not None:
        steps.append(("class", pack.owner, render_card(pack.owner, "Class")))
    steps += [("caller", c, render_caller(c)) for c in callers[:3]]
    if pack.module is not None and pack.module.docstring:
        steps.append(("module", pack.module, render_card(pack.module, "Module")))
    steps += [("callee", c, render_callee(c)) for c in callees[:6]]
    steps += [("test", t, render_test(t)) for t in tests[:2]]
    steps += [("member", m, render_card(m, "Member")) for m in members[:8]]
    steps += [("subclass", c, f"- {c.signature or c.qualname}") for c in subclasses]
    steps += [("caller", c, render_caller(c)) for c in callers[3:]]
    steps += [("callee", c, render_callee(c)) for c in callees[6:]]
    steps += [("test", t, render_test(t)) for t in tests[2:]]
    steps += [("similar", s, render_similar(s)) for s in similar_code]
    steps += [("module symbol", m, render_card(m, "Also in module")) for m in module_symbols]
    steps += [("member", m, render_card(m, "Member")) for m in members[8:]]

    keep: dict[str, list] = defaultdict(list)
    for kind, item, text in steps:
        name = getattr(item, "qualname", None) or getattr(getattr(item, "card", None), "qualname", "") or ""
        if kind == "test":
            name = item.id
        if take(kind, f"{kind} {name}", text):
            keep[kind].append(item)
    if pack.owner is not None and not keep["class"]:
        pack.owner = None
    if pack.module is not None and not keep["module"]:
        pack.module = None
    pack.callers = keep["caller"]
    pack.callees = keep["callee"]
    pack.tests = keep["test"]
    pack.members = keep["member"]
    pack.subclasses = keep["subclass"]
    pack.similar = keep["similar"]
    pack.module_symbols = keep["module symbol"]
    pack.used = used
    pack.dropped = dropped


# -- rendering for a model ------------------------------------------------------


def _where(path: str, line: int) -> str:
    return f"{path}:{line + 1}"


def render_card(card: Card, label: str) -> str:
    head = f"{label}: {card.kind} {card.qualname} ({_where(card.path, card.line)})"
    if card.signature:
        head += f"\n    {card.signature}"
    if card.docstring:
        head += "\n    " + card.docstring.replace("\n", "\n    ")
    return head


def render_caller(caller: Caller) -> str:
    text = f"- {caller.qualname} ({_where(caller.path, caller.line)})"
    if caller.confidence < _WEAK_CONFIDENCE:
        text += " [matched by name only]"
    if caller.text:
        text += f": {caller.text}"
    if caller.purpose:
        text += f"\n    ({caller.qualname}: {caller.purpose})"
    return text


def render_callee(callee: Callee) -> str:
    card = callee.card
    text = f"- {card.signature or card.qualname} ({_where(card.path, card.line)})"
    if card.summary:
        text += f" -- {card.summary}"
    return text


def render_test(test: TestExample) -> str:
    return f"Test {test.id} ({_where(test.path, test.line)}):\n{test.body}"


def render_similar(sim: Similar) -> str:
    return f"- {sim.qualname} ({_where(sim.path, sim.line)}, similarity {sim.score:.2f}):\n{sim.snippet}"


def render_pack(pack: ContextPack) -> str:
    """The pack as plain text for a model, outer levels first."""
    parts: list[str] = []
    if pack.module is not None:
        parts.append(render_card(pack.module, "Module"))
    if pack.module_symbols:
        parts.append("Other symbols in the module:\n" + "\n".join(
            f"- {c.signature or c.qualname}" + (f" -- {c.summary}" if c.summary else "") for c in pack.module_symbols))
    if pack.owner is not None:
        parts.append(render_card(pack.owner, "Enclosing class"))
    parts.append(render_card(pack.target, "Symbol to explain"))
    if pack.body:
        note = "" if not pack.body_truncated else f" (first {pack.body.count(chr(10)) + 1} of {pack.body_lines} lines)"
        parts.append(f"Source{note}:\n```python\n{pack.body}\n```")
    if pack.members:
        parts.append("Members:\n" + "\n".join(
            f"- {m.signature or m.qualname}" + (f" -- {m.summary}" if m.summary else "") for m in pack.members))
    if pack.subclasses:
        parts.append("Subclasses:\n" + "\n".join(f"- {c.signature or c.qualname}" for c in pack.subclasses))
    if pack.callees:
        parts.append("It calls:\n" + "\n".join(render_callee(c) for c in pack.callees))
    if pack.callers:
        more = pack.caller_count - len(pack.callers)
        parts.append(f"Called by ({pack.caller_count} callers in {pack.caller_files} files"
                     f"{f', {more} not shown' if more > 0 else ''}):\n" + "\n".join(render_caller(c) for c in pack.callers))
    if pack.tests:
        parts.append("Tests that exercise it (usage examples):\n" + "\n\n".join(render_test(t) for t in pack.tests))
    if pack.similar:
        parts.append("Similar code elsewhere:\n" + "\n".join(render_similar(s) for s in pack.similar))
    if pack.impact is not None:
        parts.append(f"Impact: changing it affects {pack.impact.sentence()}.")
    if pack.withheld:
        parts.append(f"(Text from {len(pack.withheld)} private file(s) was withheld.)")
    if pack.dropped:
        parts.append(f"(Left out for space: {len(pack.dropped)} item(s).)")
    return "\n\n".join(parts)
