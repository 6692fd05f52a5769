"""Guards of constructor links (impact_guards, extended).

The walk reaches `C.__init__`'s users through the calls of its class (and
of the subclasses that inherit the constructor): the link is
(`C.__init__`, user), while the user's code names `C`, so the guard of the
link (the keywords every use sits under) found no use and was empty:

    class Runner:
        def __init__(self, echo_stdin=False):
            self.echo_stdin = echo_stdin
        def isolation(self, input):
            if self.echo_stdin:
                input = EchoingStdin(input)      # only with echo_stdin=

`EchoingStdin.__init__ <- Runner.isolation` now needs `echo_stdin`, as
`EchoingStdin <- Runner.isolation` did: the guard is the one its uses of
the class (or of an inheriting subclass) share.
"""

from __future__ import annotations

from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
_CONSTRUCTORS = ("__init__", "__new__")


def constructor_guard(guards, callee: str, user: str) -> frozenset[str]:
    """The keywords every use of the constructor's classes in `user` requires."""
    owner, _, name = callee.rpartition(".")
    if not RULE or name not in _CONSTRUCTORS or not owner:
        return frozenset()
    key = ("constructor guard", callee, user)
    if key in guards.memo:
        return guards.memo[key]
    out: frozenset[str] | None = None
    cls = guards.graph.symbol(owner)
    if cls is not None and cls.kind == SymbolKind.CLASS:
        classes, level = [owner], [owner]
        while level:  # subclasses that inherit the constructor
            level = [q for q in guards.graph.hierarchy_step(level, True)
                     if q not in classes and guards.graph.symbol(f"{q}.{name}") is None]
            classes.extend(level)
        for holder in classes:
            if any(ref.enclosing == user for ref in guards._uses(holder)):
                found = guards.guard(holder, user)
                out = found if out is None else out & found
    guards.memo[key] = out or frozenset()
    return guards.memo[key]
