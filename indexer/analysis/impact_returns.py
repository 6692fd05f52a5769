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

from collections import defaultdict

from indexer import languages
from indexer.graph.vocab import RefKind, SymbolKind

RULE = True  # switch, for its test
_READS = (RefKind.READ, RefKind.ATTRIBUTE)
SURE = 0.5  # name-matched guesses are below it (vocab.How.NAME_MATCH)
_FUNCTIONS = (SymbolKind.FUNCTION, SymbolKind.METHOD)


def returning_readers(walk, nodes) -> dict[str, list[str]]:
    """node -> the functions that return it as a value, for the function
    nodes of a walk level (`walk`: impact._Walk; memoised in `walk.memo`,
    kept while the index is unchanged). One query per reference kind for
    the level; positions and sources are read only for the functions some
    function reads."""
    if not RULE:
        return {}
    memo = walk.memo
    todo = [q for q in nodes if ("returned by", q) not in memo
            and (sym := walk.symbol(q)) is not None and sym.kind in _FUNCTIONS]
    if todo:
        readers: dict[str, set[str]] = defaultdict(set)
        for start in range(0, len(todo), 500):
            for kind in _READS:
                for target, enclosing, _kind, confidence, _how in walk.graph.incoming(todo[start:start + 500], kind):
                    if confidence >= SURE:
                        readers[target].add(enclosing)
        walk.prefetch(u for users in readers.values() for u in users)
        for q in todo:
            users = {u for u in readers.get(q, ()) if (sym := walk.symbol(u)) is not None
                     and sym.kind in _FUNCTIONS and not sym.is_test}
            out: list[str] = []
            if users:
                # Sure reads only: a name-matched `obj.render` on an unknown
                # receiver is a guess the walk does not follow as a read either.
                for ref in walk.graph.references_of_kinds(q, _READS, min_confidence=SURE):
                    if ref.enclosing in users and ref.enclosing not in out \
                            and _returned(walk.graph, ref, walk.symbol(ref.enclosing), memo):
                        out.append(ref.enclosing)
            memo[("returned by", q)] = out
    return {q: memo[("returned by", q)] for q in nodes if ("returned by", q) in memo}


def _returned(graph, ref, reader, memo: dict) -> bool:
    """Whether `ref` (a read inside the function `reader`) is returned."""
    key = ("returned reads", reader.qualname)
    if key not in memo:
        support = languages.find(languages.language_of(reader.qualname))
        hook = getattr(support, "returned_reads", None)
        found: set = set()
        if hook is not None:
            try:
                with open(graph.root / reader.path, "rb") as f:
                    lines = f.readlines()
            except OSError:
                lines = []
            first, last = reader.range.start.line, reader.range.end.line
            found = hook(lines[first:last + 1], first) if lines else set()
        memo[key] = found
    return (ref.range.end.line, ref.range.end.character) in memo[key]
