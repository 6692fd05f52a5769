"""The two calls the front doors make: `explain` (full markdown, may ask a
model) and `hover_summary` (one line, never waits on the network).

Code leaves the machine only through `explain` with an `llm_config`, and
only as a context pack (which never holds text of ignored or secret files).
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from typing import Callable

from indexer.explain import structural
from indexer.explain.cache import ExplainCache, cache_for, dependency_hash
from indexer.explain.llm import ENV_MODEL, ChatClient, LLMConfig, LLMError
from indexer.explain.pack import (CALL_KINDS, DEFAULT_BUDGET, ContextPack, PackOptions, SimilarProvider,
                                  build_pack, primary_symbol, symbol_hash)
from indexer.explain.privacy import PrivacyPolicy
from indexer.explain.prompt import messages_for, prompt_hash, short_from_answer
from indexer.graph.query import Graph
from indexer.graph.vocab import SymbolKind

log = logging.getLogger(__name__)

STRUCTURAL = "structural"
LLM = "llm"
CACHE = "cache"
_STRONG = 0.5  # callers matched only by name count when nothing surer calls


@dataclass(frozen=True, slots=True)
class Explanation:
    qualname: str
    markdown: str
    short: str  # one line for hover
    source: str  # "structural" | "llm" | "cache"
    model: str | None  # which model wrote it (llm and cache sources)
    pack_summary: dict = field(default_factory=dict)
    note: str | None = None  # why a configured model was not used (endpoint down...)


def _footer(model: str, cached: bool) -> str:
    return f"\n\n_Explained by model `{model}` from the code index{' (cached)' if cached else ''}._\n"


def explain(graph: Graph, qualname: str, *, llm_config: LLMConfig | None = None, budget: int = DEFAULT_BUDGET,
            use_cache: bool = True, stream: bool = False, on_delta: Callable[[str], None] | None = None,
            similar: SimilarProvider | None = None, policy: PrivacyPolicy | None = None,
            cache: ExplainCache | None = None, client: ChatClient | None = None) -> Explanation:
    """Explain one symbol (a qualname in the workspace; KeyError otherwise).

    Without `llm_config` the answer is structural. With one, the pack goes to
    the model (streamed through `on_delta` when `stream`), the answer is
    cached by content, and any endpoint failure falls back to the structural
    explanation with `note` saying why. Blocking: call it off the event loop.
    """
    pack = build_pack(graph, qualname, PackOptions(budget=budget), policy=policy, similar=similar)
    if llm_config is None:
        return _structural(pack)
    if pack.target.path in pack.withheld:
        return _structural(pack, note=f"not sent to a model: {pack.target.path} is private"
                                      f" ({pack.withheld[pack.target.path]})")
    model = llm_config.model
    cache = cache if cache is not None else cache_for(graph.store.index_dir)
    target = primary_symbol(graph, qualname)
    deps = dependency_hash(graph, target) if target is not None else ""
    pack_hash = hashlib.blake2b((pack.fingerprint() + prompt_hash()).encode(), digest_size=16).hexdigest()
    if use_cache:
        hit = cache.get(qualname, model, pack.symbol_hash, pack_hash)
        if hit is not None:
            if stream and on_delta is not None:
                on_delta(hit.markdown)
            return Explanation(qualname, hit.markdown + _footer(model, True), hit.short, CACHE, model,
                               pack.summary())
    client = client or ChatClient(llm_config)
    messages = messages_for(pack)
    try:
        if stream:
            parts = []
            for delta in client.stream(messages):
                parts.append(delta)
                if on_delta is not None:
                    on_delta(delta)
            answer = "".join(parts)
        else:
            answer = client.complete(messages)
    except LLMError as exc:
        log.info("explain %s: %s", qualname, exc)  # the note carries it to the user
        return _structural(pack, note=f"{exc}; showing the structural explanation instead")
    answer = answer.strip()
    if not answer:
        return _structural(pack, note=f"model {model} returned an empty answer; showing the structural explanation")
    short = short_from_answer(answer) or structural.short_from_pack(pack)
    if use_cache:
        cache.put(qualname, model, pack.symbol_hash, deps, pack_hash, answer, short)
    return Explanation(qualname, answer + _footer(model, False), short, LLM, model, pack.summary())


def _structural(pack: ContextPack, note: str | None = None) -> Explanation:
    markdown = structural.render_markdown(pack)
    if note:
        markdown = f"> {note}\n\n{markdown}"
    return Explanation(pack.target.qualname, markdown, structural.short_from_pack(pack), STRUCTURAL, None,
                       pack.summary(), note)


def hover_summary(graph: Graph, qualname: str, *, model: str | None = None,
                  cache: ExplainCache | None = None, brief: bool = False) -> str:
    """One line for a hover, above the signature. Never touches the network
    and never builds a full pack: a cached model answer that is still valid
    for the symbol and its direct dependencies (saying which model wrote
    it), else the structural short form from a few indexed queries.

    The text stays on this machine (it is shown in the user's own editor), so
    the privacy rules for packs do not apply here; "" for unknown symbols."""
    sym = primary_symbol(graph, qualname)
    if sym is None:
        return ""
    cache = cache if cache is not None else cache_for(graph.store.index_dir)
    if cache.path.exists():  # no file yet: nothing was ever explained by a model here
        hit = cache.get_for_hover(qualname, symbol_hash(graph, sym), dependency_hash(graph, sym),
                                  model or os.environ.get(ENV_MODEL))
        if hit is not None:
            return f"{hit.short} _(explained by `{hit.model}`)_"
    card = structural.Card(sym.qualname, sym.kind, sym.path, sym.selection_range.start.line, sym.signature,
                           sym.docstring)
    if brief:
        # The hover shows the docstring and the counts itself: only a purpose
        # it cannot show (inferred from the name, said as such) is added.
        purpose = "" if sym.docstring.strip() else structural.inferred_purpose(card)
        return f"_{purpose} (inferred from the name)_" if purpose else ""
    callers, files, tests, top = _usage(graph, qualname)
    subclasses = 0
    if sym.kind == SymbolKind.CLASS:
        subclasses = graph.subclass_count(qualname)
    return structural.short_text(card, callers, files, tests, top, direct_tests=True, subclasses=subclasses)


def _usage(graph: Graph, qualname: str) -> tuple[int, int, int, str | None]:
    """(callers, files, direct tests, best non-test caller) in a few queries."""
    rows = graph.callers_summary(qualname, CALL_KINDS)
    strong = [r for r in rows if r[2] >= _STRONG] or rows
    tests = sum(1 for r in strong if r[3])
    code = sorted((r for r in strong if not r[3]), key=lambda r: -r[2])
    return len(strong), len({r[1] for r in strong}), tests, (code[0][0] if code else None)


def similar_provider(graph: Graph) -> SimilarProvider | None:
    """The semantic index when it is installed and built for this index, else
    None (explanations then skip similar code)."""
    try:
        from indexer.semantic.search import SemanticIndex  # optional: heavy deps, separate build step
    except Exception:
        return None
    try:
        index = SemanticIndex(graph.store.index_dir, graph)
        return index if index.available() else None
    except Exception as exc:
        log.info("similar code unavailable: %s", exc)
        return None
