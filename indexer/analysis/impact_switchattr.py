"""A switch passed an attribute that only a late method turns on (issue 12,
pyparsing precision).

    def set_debug(self, flag=True, recurse=False):
        if flag:
            self.set_debug_actions(_default_start_debug_action, ...)

    def set_debug_actions(self, start_action, ...):     # the only `debug = True`
        self.debugActions = ...; self.debug = True

    class IndentedBlock:
        def parseImpl(self, ...):
            nested_block.set_debug(self.debug)            # on only once debugging

impact_switches drops a link whose every call turns the switch off with a
constant; `self.debug` is of unknown truth, so the link stayed, and
`_parseNoCache` dispatching every `parseImpl` carried each parsing test to
the default debug actions (about 3,700 false pairs against 100 true). The
attribute is on only where a method that writes it a value that leaves the
switch on has run: every other write (`self.debug = False` in `__init__`,
`set_debug`) keeps it off. So the link's guard is impact_storer's token
`RUNS` + those writers, and a test gives it where the writers' own walk
selects it (impact's `storer_tests`).

Narrow on purpose: every call of the callee in the user passes the switch
off (a constant) or an attribute read (`x.attr`, resolved in the graph);
every write of that attribute is either a value that keeps the switch off
or sits in a late method (impact_storer: no dunder, never called at import).
Anything else (a write by `setattr`, a class-body default that is on, an
unresolved attribute) leaves no guard.

It pays only with impact_storer on (else `debugActions <- _parseNoCache`
carries the same tests). Checked on one query (pyparsing, depth 8): with
the link cut, `_default_start_debug_action` selects 36 tests (30 true of
45) against 1,289 (39 true). Off: the pyparsing eval with both rules on
ran past 3x main's CPU (storer_tests' walks; not yet profiled), so its
figures are unmeasured. wt-storer2: both on, pyparsing 161,631 -> 155,501
predicted, 93,137 -> 92,923 true, +39% user CPU (see impact_storer's note;
plain runs, without the wrapper that dropped a setter's `line=`: 160,065 -> 153,935).
Its per-link memo had no switches in its key: `switches_of` depends on the
uses of the callee the walk reached, so the first query's answer served
every later one (in the eval `_default_start_debug_action` kept its 1,289
tests; alone it selected 36); the switches are in the key now.
"""

from __future__ import annotations

import ast

from indexer.analysis.impact_storer import RUNS, _late_method as late_method, link_memo
from indexer.analysis.impact_switches import _DISPLAYS, bound_positional, switches_of, _passed, _turns_off
from indexer.graph.vocab import RefKind, SymbolKind

RULE = True  # switch, for its test: on with impact_storer (wt-storer2, see the module note)
_USES = (RefKind.CALL, RefKind.READ, RefKind.ATTRIBUTE)


def switch_guard(guards, walk, callee: str, user: str) -> frozenset[str]:
    """`{RUNS + writers}` where every call of `callee` in `user` passes its
    switch off or an attribute that only late methods (the writers) turn on."""
    if not RULE:
        return frozenset()
    # The switches hang on the uses of `callee` the walk reached (impact_switches):
    # they are part of the key, else the first walk's answer served every later one.
    switches = switches_of(guards, walk, callee)
    if not switches:
        return frozenset()
    key = ("switch attribute guard", callee, user, switches)
    memo = link_memo(walk)  # (one entry per link: kept off IMPACT_MEMO's table limit)
    if key not in memo:
        writers = _writers_needed(guards, walk, walk.symbol(callee), user, switches)
        memo[key] = frozenset([RUNS + "|".join(sorted(writers))]) if writers else frozenset()
    return memo[key]


def _writers_needed(guards, walk, sym, user: str, switches: frozenset) -> set[str] | None:
    from indexer.analysis.impact_params import _call_at  # (impact_params is the call-site reader)

    func = guards.node_of(sym)
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    refs = guards.graph.uses_in(sym.qualname, user, _USES)
    if not refs:
        return None
    needed: set[str] = set()
    for ref in refs:
        call = _call_at(guards, ref)
        at = (ref.range.start.line + 1, ref.range.start.character)
        if call is None or not ((call.func.lineno, call.func.col_offset) <= at
                                <= (call.func.end_lineno, call.func.end_col_offset)):
            return None  # not its own call
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return None
        positional = bound_positional(guards, sym, func, ref, call)
        if positional is None:
            return None
        values = [(_passed(call, positional, name), state) for name, state in switches]
        if any(_turns_off(value, state) for value, state in values):
            continue
        found = None
        for value, state in values:
            if isinstance(value, ast.Attribute):
                found = _turned_on_by(guards, walk, user, ref.path, value, state)
                if found:
                    break
        if not found:
            return None
        needed |= found
    return needed


def _turned_on_by(guards, walk, user: str, path: str, value: ast.Attribute, state: str) -> set[str] | None:
    """The late methods whose writes of the attribute read at `value` leave
    the switch on (None: another write may, or the attribute is unknown)."""
    attr = _attribute_at(guards, user, value)
    if attr is None:
        return None
    key = ("switch attribute writers", attr, state)
    if key in guards.memo:
        return guards.memo[key]
    out: set[str] | None = set()
    for ref in guards.graph.references_of_kinds(attr, (RefKind.WRITE,)):
        if not ref.enclosing:
            out = None
            break
        written = _written_value(guards, ref)
        if written is not None and _turns_off(written, state):
            continue  # `self.debug = False`: keeps the switch off
        if not late_method(walk, ref.enclosing):
            out = None
            break
        out.add(ref.enclosing)
    guards.memo[key] = out or None
    return guards.memo[key]


def _attribute_at(guards, user: str, value: ast.Attribute) -> str | None:
    """The attribute symbol the graph resolves the read `x.attr` to."""
    line, col = value.end_lineno, value.end_col_offset - len(value.attr)
    for ref in guards.graph.references_from(user):
        if ref.target and (ref.range.start.line + 1, ref.range.start.character) == (line, col):
            target = guards.graph.symbol(ref.target)
            return ref.target if target is not None and target.kind == SymbolKind.ATTRIBUTE else None
    return None


def _written_value(guards, ref) -> ast.AST | None:
    """The value of the plain assignment `x.attr = value` the write `ref` is (None: another shape)."""
    tree = guards.tree(ref.path)
    if tree is None:
        return None
    at = (ref.range.start.line + 1, ref.range.start.character)
    key = ("switch attribute assignments", ref.path)
    if key not in guards.memo:
        guards.memo[key] = {(t.end_lineno, t.end_col_offset - len(t.attr)): node.value
                            for node in ast.walk(tree) if isinstance(node, ast.Assign)
                            for t in node.targets if isinstance(t, ast.Attribute)}
    value = guards.memo[key].get(at)
    return value if isinstance(value, (ast.Constant, *_DISPLAYS)) else None
