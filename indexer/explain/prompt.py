"""What the model is asked: a fixed system message plus the context pack as
text. Kept apart from the transport (llm.py) so the wording can change
without touching the client, and so the cache key can include it."""

from __future__ import annotations

import hashlib

from indexer.explain.pack import ContextPack, render_pack

SYSTEM = """You explain code to a developer who is reading it in their editor.
You get evidence from an index of their codebase: the module and class around a symbol, its source,
what it calls, who calls it (with the calling lines), tests that exercise it, and how much depends on it.
Rules:
- Use only that evidence. When something is not shown, say you cannot tell; do not invent behaviour.
- Start with ONE sentence saying what the symbol does and why it exists. That sentence is shown on hover.
- Then, in concise markdown (at most ~12 lines): inputs and outputs, notable behaviour and edge cases
  visible in the code, how callers use it, what the tests show, and the risk of changing it.
- Refer to code as `name` and to locations as path:line exactly as given."""

# Bump when SYSTEM or the message layout changes: cached answers to the old
# prompt are then no longer served.
PROMPT_VERSION = "1"


def messages_for(pack: ContextPack) -> list[dict]:
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"Explain `{pack.target.qualname}`.\n\n{render_pack(pack)}"},
    ]


def prompt_hash() -> str:
    return hashlib.blake2b((PROMPT_VERSION + SYSTEM).encode(), digest_size=6).hexdigest()


def short_from_answer(answer: str, limit: int = 240) -> str:
    """The hover line from a model's answer: its first sentence (the prompt asks
    for it), without markdown heading or emphasis marks."""
    for line in answer.strip().splitlines():
        text = line.strip().lstrip("#>-* ").strip()
        if not text or text.startswith("```"):
            continue
        text = text.replace("**", "")
        cut = text.find(". ")
        if 0 < cut < limit:
            text = text[: cut + 1]
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return ""
