"""LLM-assisted propagation: for a change the structural rules cannot follow
(a different return type, new semantics), ask the configured model how each
calling function must change. Every answer becomes an edit that needs the
user's confirmation; nothing is applied here, and nothing is sent anywhere
unless an endpoint is configured (the caller passes a client).
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass

from indexer.explain.llm import ChatClient, LLMError
from indexer.explain.privacy import PrivacyPolicy
from indexer.explain.redact import MARKER
from indexer.languages.python.extract import extract, normalize_source, parser
from indexer.graph.model import Range
from indexer.graph.query import Graph
from indexer.languages.python.edits.rename import TextEdit
from indexer.graph.text import utf16_len
from indexer.graph.vocab import RefKind, SymbolKind

log = logging.getLogger(__name__)

_CODE_BLOCK = re.compile(r"```(?:python|py)?\s*\n(.*?)```", re.DOTALL)
NO_CHANGE = "NO_CHANGE"
SYSTEM = (
    "You update Python code after a change to a function it calls. Reply with the complete updated "
    f"calling function in one ```python block, or exactly {NO_CHANGE} if it needs no change. Keep "
    "everything else (names, formatting, comments) as it is."
)


@dataclass(frozen=True, slots=True)
class Proposal:
    target: str  # the changed definition
    caller: str  # the function the edit rewrites
    edit: TextEdit


def _lines(text: str, start: int, end: int) -> str:
    return "\n".join(text.split("\n")[start:end + 1])


def changed_definitions(graph: Graph, path: str, source: bytes) -> list[tuple[str, str, str]]:
    """(qualname, old text, new text) of functions whose code differs in the buffer."""
    row = graph.module_of(path)
    if row is None:
        return []
    try:
        disk = (graph.root / path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    buffer = normalize_source(source).decode("utf-8", "replace")
    facts = extract(normalize_source(source), path, row[0], bool(row[1]))
    out = []
    for sym in facts.symbols:
        if sym.kind not in (SymbolKind.FUNCTION, SymbolKind.METHOD):
            continue
        old = graph.symbol(sym.qualname)
        if old is None:
            continue
        old_text = _lines(disk, old.range.start.line, old.range.end.line)
        new_text = _lines(buffer, sym.span[0], sym.span[2])
        if old_text.strip() != new_text.strip():
            out.append((sym.qualname, old_text, new_text))
    return out


def propagate(graph: Graph, path: str, source: bytes, client: ChatClient,
              policy: PrivacyPolicy | None = None, max_callers: int = 20, only: str | None = None) -> list[Proposal]:
    """Ask the model, caller by caller, how to follow each changed function
    (or only the one named `only`)."""
    policy = policy or PrivacyPolicy.default(graph.root)
    if not policy.allowed(path):
        log.info("not sending %s to a model: private file", path)
        return []
    proposals: list[Proposal] = []
    for qualname, old_text, new_text in changed_definitions(graph, path, source):
        if only is not None and qualname != only:
            continue
        change = "".join(difflib.unified_diff(old_text.splitlines(keepends=True), new_text.splitlines(keepends=True),
                                              "before", "after"))
        callers: dict[str, object] = {}
        for ref in graph.references(qualname):
            if ref.kind != RefKind.CALL or ref.path == path or not ref.enclosing:
                continue
            caller = graph.symbol(ref.enclosing)
            if caller is not None and caller.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD) and policy.allowed(caller.path):
                callers.setdefault(caller.qualname, caller)
        for caller in list(callers.values())[:max_callers]:
            proposal = _ask(graph, client, qualname, change, caller)
            if proposal is not None:
                proposals.append(proposal)
    return proposals


def _ask(graph: Graph, client: ChatClient, qualname: str, change: str, caller) -> Proposal | None:
    try:
        text = (graph.root / caller.path).read_text(encoding="utf-8")
    except OSError:
        return None
    original = _lines(text, caller.range.start.line, caller.range.end.line)
    prompt = (f"`{qualname}` changed:\n```diff\n{change}```\n\n`{caller.qualname}` in {caller.path} calls it:\n"
              f"```python\n{original}\n```\nHow must `{caller.name}` change?")
    try:
        answer = client.complete([{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}])
    except LLMError as exc:
        log.warning("model unavailable for %s: %s", caller.qualname, exc)
        return None
    if NO_CHANGE in answer and "```" not in answer:
        return None
    match = _CODE_BLOCK.search(answer)
    if match is None:
        return None
    updated = match.group(1).rstrip("\n")
    indent = original[: len(original) - len(original.lstrip())]
    if updated and not updated.startswith(indent):
        updated = "\n".join(indent + line if line else line for line in updated.split("\n"))
    if MARKER in updated and MARKER not in original:
        return None  # the model saw a redacted literal: its version would lose the real value
    if updated.strip() == original.strip() or parser().parse(updated.strip().encode()).root_node.has_error:
        return None  # no change, or not valid Python: nothing worth proposing
    end_line = caller.range.end.line
    end_col = utf16_len(text.split("\n")[end_line])
    edit = TextEdit(caller.path, Range.of(caller.range.start.line, 0, end_line, end_col), updated, False,
                    f"suggested by {client.config.model} after the change to {qualname.rsplit('.', 1)[-1]}")
    return Proposal(qualname, caller.qualname, edit)
