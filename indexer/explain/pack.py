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

This module holds the pack's types; `gather.py` collects, `fit.py` cuts to
the budget and `render.py` writes the model's view. The entry points are
re-exported here, so `from indexer.explain.pack import build_pack` holds.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol, Sequence

from indexer.analysis.impact import ImpactSummary
from indexer.graph.model import Symbol
from indexer.graph.vocab import CALL_KINDS  # noqa: F401  (one definition, re-exported)


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


# The stages, re-exported (imported last: each of them imports the types above).
from indexer.explain.gather import (build_pack, elide_docstring, is_overload, primary_symbol, rank_callers,
    symbol_hash)  # noqa: E402,F401
from indexer.explain.render import render_card, render_pack  # noqa: E402,F401
