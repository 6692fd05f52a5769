"""Explanations of symbols, grounded in the index.

- `pack.py`: the context pack (module -> class -> symbol, callers, callees,
  tests, similar code, impact) cut to a token budget.
- `privacy.py`: which files may contribute text (never ignored or secret-looking ones).
- `structural.py`: the default explainer, markdown from the pack, no network.
- `prompt.py`, `llm.py`: the model path (OpenAI-compatible chat completions).
- `cache.py`: model answers keyed by content hashes, in the index directory.
- `service.py`: `explain(...)` and `hover_summary(...)`, what front doors call.
- `at.py`: the same by editor position (`explain_at`, `hover_line`).
"""

from indexer.explain.service import Explanation, explain, hover_summary, similar_provider
from indexer.explain.at import explain_at, hover_line, symbol_at

__all__ = ["Explanation", "explain", "explain_at", "hover_line", "hover_summary", "similar_provider", "symbol_at"]
