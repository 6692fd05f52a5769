"""Attribute hooks in the impact walk (issue 12, wrapt): a class that
defines `__setattr__` runs it on every attribute assignment to its
instances, `self.x = v` in its own methods included, and no reference
names it (the statement names only the attribute).

    class ObjectProxy:
        def __setattr__(self, name, value): ...
    class _AdapterFunctionSurrogate(CallableObjectProxy):
        def __init__(self, wrapped, adapter):
            super().__init__(wrapped)
            self._self_adapter = adapter      # runs ObjectProxy.__setattr__

The rule: the methods of the hook's class and of its subclasses that
assign an attribute of `self` are dispatch users of its `__setattr__`
(how "protocol"); the receiver rule then keeps the tests that can hold
the class. A base's methods are left out: their `self` is an instance of
the hook's class only when a subclass instance runs them, and linking them
would reach every user of the base. Writes through other receivers
(`proxy.x = v`) are not linked: the index records them only when the
receiver's class is inferred, and then as writes of that class's member.

Measured on the eleven evaluated projects at the default depth 8 (default
selection), against the same rules without it: wrapt +94 true / +13 false
pairs (0.531 / 0.526 -> 0.575 / 0.542); the other ten are unchanged (none
has a workspace `__setattr__` that its classes' self-writes reach).

LOCAL_SELF_RULE: a method whose `self` is a local unpacked from `*args`
(`def __init__(*args, **kwargs): self, args = _unpack_self(*args)`, wrapt's
PartialCallableObjectProxy) writes `self._self_args = args` through a
receiver the index does not resolve; the write's receiver is read by its
position (the local `self` right before the dot). wrapt +20 true / +12
false pairs of `ObjectProxy.__setattr__`.
"""

from __future__ import annotations

from indexer.graph.vocab import RefKind, SymbolKind

RULE = True  # switch, for its test
# A method whose `self` is a local, unpacked from `*args` so that callers
# may pass `self=` as a keyword (`def __init__(*args, **kwargs): self, args
# = _unpack_self(*args)`, as functools.partial's pure-Python code and
# wrapt's proxies do): the index leaves its `self.x = v` unresolved, and the
# hook runs for them as for a parameter's (a switch, for its test).
LOCAL_SELF_RULE = True
SETTERS = ("__setattr__",)
_SELF_HOWS = ("self", "mro", "super")


def self_writers(walk, method, owner: str, bases: list[str], subs: list[str]) -> list[str]:
    """The methods of `owner` (the hook's class) and its subclasses that
    assign an attribute of `self` (memoised per class in `walk.memo`)."""
    if not RULE or method.kind != SymbolKind.METHOD or method.name not in SETTERS:
        return []
    key = ("self writers", owner)
    if key not in walk.memo:
        hierarchy = {owner, *subs}
        # An attribute is recorded on the class that first assigns it, which
        # may be a base (`self.x` set in a base's __init__, reassigned here).
        attributes = [sym.qualname for cls in sorted({owner, *bases, *subs}) for sym in walk.graph.members(cls)
                      if sym.kind == SymbolKind.ATTRIBUTE]
        writers = set()
        for start in range(0, len(attributes), 500):
            for _target, enclosing, _kind, _conf, how in walk.graph.incoming(attributes[start:start + 500],
                                                                              RefKind.WRITE):
                if how in _SELF_HOWS and enclosing.rsplit(".", 1)[0] in hierarchy:
                    writers.add(enclosing)
        if LOCAL_SELF_RULE:
            writers.update(_local_self_writers(walk, sorted(hierarchy)))
        walk.memo[key] = sorted(writers)
    return walk.memo[key]


def _local_self_writers(walk, classes: list[str]) -> set[str]:
    """The methods of `classes` whose local `self` (not a parameter) has an
    attribute written: `self.x = v`, the write's receiver the read of that
    local just before its dot."""
    out = set()
    for cls in classes:
        for method in walk.graph.members(cls):
            if method.kind != SymbolKind.METHOD:
                continue
            local = walk.symbol(f"{method.qualname}.self")
            if local is None or local.kind != SymbolKind.VARIABLE:
                continue
            uses = walk.graph.references_from(method.qualname)
            receivers = {(u.range.end.line, u.range.end.character) for u in uses
                         if u.kind == RefKind.READ and u.target == local.qualname}
            if any(u.kind == RefKind.WRITE and u.target is None
                   and (u.range.start.line, u.range.start.character - 1) in receivers for u in uses):
                out.add(method.qualname)
    return out
