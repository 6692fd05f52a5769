"""Members a subclass supplies to its base's code (issue 12, cachetools):
a base (often a mixin) reads `self.X` and never defines X; each subclass
provides it.

    class DecoratorTestMixin:
        def decorator(self, maxsize, **kwargs):
            return self.DECORATOR(maxsize, **kwargs)   # unresolved: no X here

    class FIFODecoratorTest(unittest.TestCase, DecoratorTestMixin):
        DECORATOR = staticmethod(cachetools.func.fifo_cache)

The resolver leaves `self.DECORATOR` unresolved (no class on the base's
MRO defines it) or guesses one subclass's by name, so a change to `fifo_cache` reached `FIFODecoratorTest
.DECORATOR` and stopped. Python finds the attribute on the instance's
class: the subclass's member is what the base's read gets. The rule links
a class member (method, class attribute) to the methods of its bases that
read the name unresolved, as a dispatch through `self` (how
"dispatch-self"): the test-copy rule (impact_members) then keeps only the
copies collected in the supplying class.

Only for a supplying class that pytest instantiates (a test class, whose
base is a test class or a mixin of test methods): there the copies narrow
who holds the member. In library code the same links cost click precision
(0.594 -> 0.586 at depth 6, no recall gained), where name-matched reads
already reach the user.
"""

from __future__ import annotations

from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
_METHODS = (SymbolKind.METHOD,)


def supplied_to(walk, member, bases: list[str], definers: set[str]) -> list[str]:
    """The methods of `bases` (every base of the member's class) that read
    `member.name` and resolve it nowhere or only by name, for bases that do
    not define the name themselves (`definers`: the classes that do). Memoised per base in
    `walk.memo` (impact's IMPACT_MEMO table)."""
    if not RULE or not getattr(walk.symbol(member.parent), "is_test", False):
        return []
    out: list[str] = []
    for base in bases:
        if base not in definers:
            out.extend(_guessed_reads(walk, base).get(member.name, ()))
    return out


def _guessed_reads(walk, cls: str) -> dict[str, list[str]]:
    """name -> the methods of `cls` that read it unresolved or by a guess
    (one query per class and index version, in `walk.memo`)."""
    key = ("guessed reads", cls)
    if key not in walk.memo:
        out: dict[str, list[str]] = {}
        methods = [m.qualname for m in methods_of(walk, cls)]
        for start in range(0, len(methods), 500):
            for name, user in walk.graph.unresolved_names(methods[start:start + 500]):
                out.setdefault(name, []).append(user)
        walk.memo[key] = out
    return walk.memo[key]


def methods_of(walk, cls: str) -> list:
    """The methods a class defines (memoised per index version)."""
    key = ("methods", cls)
    if key not in walk.memo:
        walk.memo[key] = [m for m in walk.graph.members(cls) if m.kind in _METHODS]
    return walk.memo[key]
