"""A base class dispatching on `self` by a computed name (issue 12, jinja2).

jinja2's `NodeVisitor.get_visitor` is `getattr(self, f"visit_{type(node).__name__}")`:
`self` is a CodeGenerator, a FrameSymbolVisitor..., and the `visit_Template`
it finds is a subclass's. The resolver links such a getattr to the members
of the receiver's class and bases that the glob (`visit_*`) names; the base
defines none, so nothing linked a subclass's handler, and the whole code
generator (572 tests each in jinja2's suite) reached no test.

The resolver keeps every computed getattr's glob as a getattr-match row with
no target (resolve.py `GETATTR_SUBCLASSES`). The rule: a method `m` of class
C is dispatched from each method of a base of C whose getattr glob matches
`m`'s name. The walk's receiver rule then keeps the tests that can hold a C.

Measured in the note of the session that added it (evals.impact, depth 8,
default selection, against the same code without it).
"""

from __future__ import annotations

import re

from indexer.graph.vocab import How, SymbolKind

RULE = True  # switch, for its test
# A handler: a method, or a class-level name bound to one (jinja2's
# RootVisitor: `visit_If = _simple_visit`, reached from the method by its alias link).
_HANDLERS = (SymbolKind.METHOD, SymbolKind.VARIABLE)


def getattr_dispatchers(walk, method, bases: list[str]) -> list[str]:
    """The methods of `bases` whose computed getattr on their receiver names
    `method` (a glob matching its name)."""
    if not RULE or method.kind not in _HANDLERS or not bases:
        return []
    globs = _globs(walk)
    if not globs:
        return []
    out = []
    for base in bases:
        for user, matcher in globs.get(base, ()):
            if matcher.fullmatch(method.name):
                out.append(user)
    return out


def _globs(walk) -> dict[str, list[tuple[str, re.Pattern]]]:
    """class -> (the method doing a computed getattr, its glob's matcher),
    from the unresolved getattr-match rows (one scan per index version)."""
    key = ("getattr globs",)
    if key not in walk.memo:
        out: dict[str, list] = {}
        for user, glob in walk.graph.unresolved_of_how(How.GETATTR_MATCH.value):
            if "*" not in glob:
                continue
            owner = walk.symbol(user)
            if owner is None or owner.kind != SymbolKind.METHOD or not owner.parent:
                continue
            # (the resolver's dispatch.glob_matcher: the analysis layer may not import a language's modules)
            matcher = re.compile(".*".join(re.escape(piece) for piece in glob.split("*")))
            out.setdefault(owner.parent, []).append((user, matcher))
        walk.memo[key] = out
    return walk.memo[key]
