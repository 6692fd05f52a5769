"""Rendering a context pack: the model's (and a reader's) markdown view."""

from __future__ import annotations


from indexer.languages import language_of
from indexer.explain.pack import _WEAK_CONFIDENCE, Card, Caller, Callee, TestExample, Similar, ContextPack


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
        parts.append(f"Source{note}:\n```{language_of(pack.target.qualname)}\n{pack.body}\n```")
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
