"""Fitting a context pack to its token budget: items in order of how much they
tell about the symbol, and a record of what did not fit."""

from __future__ import annotations

from collections import defaultdict

from indexer.explain.pack import PackOptions, Card, Caller, Callee, TestExample, Similar, ContextPack
from indexer.explain.render import (render_card, render_caller, render_callee, render_test, render_similar)


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
