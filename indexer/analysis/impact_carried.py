"""Classes carried in values the resolver leaves unknown (issue 12, boltons'
known miss): a test names the classes, then calls a local that holds one of
them, and the index knows the local's value only when it is one class.

    caches_to_test = (LRU, LRI)
    for cache_type in caches_to_test:
        test_cache = cache_type(2)            # constructs LRU, then LRI

    @pytest.mark.parametrize("cls", [C1, C1Slots])
    def test_attrs(self, cls):
        cls(1)                                # constructs each in turn

Neither call links to a class: the first is a loop variable over a tuple,
the second a parameter pytest fills from the decorator's list. So a change
to `LRU.__init__` had no test, and the receiver rule then ruled out every
`test_cache.get(...)` guess to LRU's methods in those tests.

The rule: a test function (what pytest collects) that calls one of its own
locals whose value the index does not know (the call has no resolved
"value" use beside it), where that local is bound on a line that reads
class C (`for c in (A, B)`), or from a local bound on such a line
(`cs = (A, B)`; `for c in cs`), or is a parameter and C is read in the
test's decorators (`parametrize`), is taken to construct C there (a call
use of C, how "value"). The walk and
the receiver walk both take it: the test becomes one that can hold a C.
Only tests: in library code a class read beside a callback call is most
often an isinstance check or a registry, not the callback's value.

In any code (PASSED_RULE, wrapt): a call that passes the class, on the
line that reads it, to a workspace function that calls one of its own
parameters of unknown value (`wrap_object(module, name, FunctionWrapper,
args)` runs `factory(original, *args)`) constructs it for the caller.

Measured on the eleven evaluated projects at the default depth 8 (default
selection), against the same rules without it (impact_attrhooks and
impact_decorated on): marshmallow +165 true / +52 false pairs (0.925 /
0.638 -> 0.934 / 0.639); boltons +9 / +8 (0.867 / 0.654 -> 0.871 /
0.653); the other nine are unchanged. A first version that took any
unknown local call after any read of the class (a fixture called after an
`issubclass` check) was not measured; its case is test_type_only.
PASSED_RULE, measured the same way with every other rule on: wrapt +45
true / +15 false pairs (0.629 / 0.559 -> 0.650 / 0.564); boltons +6 / +10
(0.871 / 0.653 -> 0.873 / 0.652); the other nine are unchanged.
"""

from __future__ import annotations

from indexer.graph.vocab import How, RefKind, SymbolKind

RULE = True  # switch, for its test
PASSED_RULE = True  # a class passed to a function that calls its parameter (switch, for its test)
_LOCALS = (SymbolKind.VARIABLE, SymbolKind.PARAMETER)


def carried_makers(walk, cls: str) -> list[tuple[str, str, float, str]]:
    """Synthetic call uses (enclosing, kind, confidence, how) of `cls` by the
    tests that call a local of unknown value bound from a read of `cls`
    (memoised per class in `walk.memo`)."""
    if not RULE:
        return []
    key = ("carried makers", cls)
    if key not in walk.memo:
        read_lines: dict[str, set[int]] = {}
        for ref in walk.graph.references_of_kinds(cls, (RefKind.READ,)):
            if ref.enclosing:
                read_lines.setdefault(ref.enclosing, set()).add(ref.range.start.line)
        out = []
        for user, lines in sorted(read_lines.items()):
            sym = walk.symbol(user)
            if sym is None:
                continue
            if (sym.is_test and _carries(walk, sym, lines)) or (PASSED_RULE and _passes(walk, user, lines)):
                out.append((user, RefKind.CALL, How.VALUE.confidence, How.VALUE))
        walk.memo[key] = out
    return walk.memo[key]


def _carries(walk, test, lines: set[int]) -> bool:
    """`test` calls a local of unknown value that holds what `lines` read:
    a variable bound on one of those lines (`for c in (A, B)`), or bound
    from a local bound there (`cs = (A, B)` then `for c in cs`), or a
    parameter when a line is in the decorators (`parametrize("c", [A, B])`)."""
    refs = walk.uses_in(test.qualname)
    def_line = test.selection_range.start.line
    local_lines = {}  # local -> its binding line
    for local in {r.target for r in refs if r.target and r.target.rsplit(".", 1)[0] == test.qualname}:
        sym = walk.symbol(local)
        if sym is not None and sym.kind in _LOCALS:
            local_lines[local] = (sym.kind, sym.range.start.line)
    holding = set()
    for local, (kind, line) in local_lines.items():
        if kind == SymbolKind.PARAMETER:
            if any(read < def_line for read in lines):
                holding.add(local)
        elif line in lines or any(r.range.start.line == line and r.kind == RefKind.READ and r.target in local_lines
                                   and local_lines[r.target][1] in lines for r in refs):
            holding.add(local)
    return bool(holding & _unknown_calls(walk, test.qualname))



def _passes(walk, user: str, lines: set[int]) -> bool:
    """`user` calls, on a line that reads the class, a workspace function
    that calls one of its own parameters whose value the index does not
    know (`wrap_object(module, name, FunctionWrapper, args)`, whose body
    runs `factory(original, *args)`): the callee constructs the class for
    the caller. The argument is matched to no parameter in particular."""
    for ref in walk.uses_in(user):
        if ref.kind == RefKind.CALL and ref.range.start.line in lines and ref.target and ref.how != How.VALUE:
            callee = walk.symbol(ref.target)
            if callee is not None and callee.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD) \
                    and _calls_a_parameter(walk, callee.qualname):
                return True
    return False


def _calls_a_parameter(walk, function: str) -> bool:
    return any(target.rsplit(".", 1)[0] == function and (local := walk.symbol(target)) is not None
               and local.kind == SymbolKind.PARAMETER for target in _unknown_calls(walk, function))


def _unknown_calls(walk, function: str) -> set[str]:
    """The locals `function` calls whose value the index does not know: a
    call resolved to the local itself (how "scope") with no call of a known
    value at the same place (memoised per function in `walk.memo`)."""
    key = ("calls of unknown locals", function)
    if key not in walk.memo:
        refs = walk.uses_in(function)
        known = {(r.range.start.line, r.range.start.character) for r in refs
                 if r.kind == RefKind.CALL and r.how == How.VALUE}
        walk.memo[key] = {r.target for r in refs if r.kind == RefKind.CALL and r.how == How.SCOPE and r.target
                          and (r.range.start.line, r.range.start.character) not in known}
    return walk.memo[key]
