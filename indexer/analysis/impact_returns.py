"""A function its reader returns adds no call level to the impact walk.

    def _determine_setters(frozen, slots, base_attr_map):
        if frozen is True:
            ...
        return (), _assign, _assign_with_converter

`_determine_setters` does not run `_assign`: it hands it to its caller,
which calls it (`fmt_setter(...)`). Like a closure its definer returns
(impact_closures), the function runs as part of the reader's caller, so the
hop reader -> function is no call level: counting it put attrs' `_assign`
one level past the default depth of the tests that build classes (238 of its
250 tests missed).
"""

from __future__ import annotations

from indexer import languages
from indexer.graph.vocab import RefKind, SymbolKind

RULE = True  # switch, for its test
_READS = (RefKind.READ, RefKind.ATTRIBUTE)
SURE = 0.5  # name-matched guesses are below it (vocab.How.NAME_MATCH)
_FUNCTIONS = (SymbolKind.FUNCTION, SymbolKind.METHOD)


def returning_readers(graph, function, memo: dict) -> list[str]:
    """The functions that return `function` (a Symbol) as a value."""
    if not RULE or function is None or function.kind not in _FUNCTIONS:
        return []
    key = ("returned by", function.qualname)
    if key not in memo:
        out = []
        # Sure reads only: a name-matched `obj.render` on an unknown receiver
        # is a guess the walk does not follow as a read either.
        for ref in graph.references_of_kinds(function.qualname, _READS, min_confidence=SURE):
            if ref.enclosing and ref.enclosing not in out and _returned(graph, ref, memo):
                user = graph.symbol(ref.enclosing)
                if user is not None and user.kind in _FUNCTIONS and not user.is_test:
                    out.append(ref.enclosing)
        memo[key] = out
    return memo[key]


def _returned(graph, ref, memo: dict) -> bool:
    support = languages.find(languages.language_of(ref.enclosing or ""))
    hook = getattr(support, "stored_reads", None)
    if hook is None:
        return False
    key = ("stored reads", ref.path)  # the parse impact_unrun keeps
    if key not in memo:
        try:
            memo[key] = hook((graph.root / ref.path).read_bytes())
        except OSError:
            memo[key] = None
    parsed = memo[key]
    return parsed is not None and parsed.returned(ref.range.end.line, ref.range.end.character)
