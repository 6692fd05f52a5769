"""Operator protocols in the impact walk (issue 12, toolz): `a == b` runs
`type(a).__eq__`, and no reference says so when the operands' types are
not inferred (toolz's dict tests compare `merge(D(...)) == D(...)` where
`D` is whatever mapping class the test class holds).

The rule: the `__eq__` of a class defined in a test module (a file that
holds tests) runs in the tests that make its instances, the class's own
instance walk (calls, subclasses, aliases, dispatch to them). Such helper
classes exist to be built and asserted on by the tests around them. On
toolz this finds 31 of the 31 pairs of the two test mappings' `__eq__` for 1
extra; other protocol methods of the same classes (`__setitem__`,
`__contains__`, `__ne__`) run in under half of those tests, and library
classes (curry's `__eq__`: 3 of about 40 holders) far fewer, so they are
left out.

Library classes too (boltons, LIBRARY_RULE): a value class's `__eq__`
(OrderedMultiDict, URL, IndexedSet, SpooledIOBase) runs where tests build
and compare its instances (`assert omd == omd_c`, `assertEqual(a, b)`), and
the operands' types are rarely inferred there. On boltons this finds 58
pairs for 244 false ones; toolz 5 for 56 (curry's `__eq__`), marshmallow 6
for 327, attrs 6 for 6, more-itertools 3 for 15, click nothing. `__ne__`
is left out: on toolz it cost 70 false pairs for 4.

`__hash__` too (HASH_RULE, packaging): hashing an instance runs it
(`frozenset(map(Specifier, specs))`, `{spec: ...}`, `hash(spec)`) and no
reference says so either. The link reaches the same holders as `__eq__`;
impact_equse keeps a chain through it only where a function after the class
may hash a value it holds (and only where it reads bodies: up to
impact.GUARD_MAX_FILES Python files).
"""

from __future__ import annotations

from indexer.graph.vocab import SymbolKind

# Protocol methods a test module's class runs wherever a test holds one.
ASSERTED_PROTOCOL = ("__eq__",)
# A library class's `__eq__` too, not only a test module's (switch, for its test).
LIBRARY_RULE = True
# `__hash__` runs where a holder hashes an instance (switch, for its test).
HASH_RULE = False
HASHED = "__hash__"


def asserted_class(method, lookup, graph, hashed: bool = False) -> str | None:
    """The class whose instance-making tests run `method` under this rule,
    or None. `lookup(qualname)` finds a symbol. `hashed`: the walk reads
    bodies, so a `__hash__` link can be limited to the holders that hash."""
    asked = method.name in ASSERTED_PROTOCOL or (hashed and HASH_RULE and method.name == HASHED)
    if method.kind != SymbolKind.METHOD or not asked or not method.parent:
        return None
    owner = lookup(method.parent)
    if owner is None or owner.kind != SymbolKind.CLASS:
        return None
    if not LIBRARY_RULE and not any(sym.is_test for sym in graph.symbols_in_file(owner.path)):
        return None
    return owner.qualname
