"""Class attributes in the impact walk (issue 12, toolz): a class attribute
is looked up on `self`, so a subclass's own value of it (a class, a
callable, a static method) replaces the base's wherever the base's code
reads `self.name`.

toolz's dict tests are written once in `TestDict` (`D = dict`) and re-run
by `TestDefaultDict` (a static method `D`) and `TestCustomMapping`
(`D = CustomMapping`): `D, kw = self.D, self.kw` in the base's test methods
reaches the subclass's `D` only in the subclass's copies of those tests.

1. Dispatch to an attribute: a class-level name (or method) that overrides a
   base's member of any kind (method, class variable, property) reaches the
   base's `self.name` users (kind "dispatch"), as method overrides do.
2. A class constructed through its aliases: `D = CustomMapping` makes `D` the
   class, so a constructor change reaches what uses the alias (how "alias").
3. Where that dispatch happens in a test class's own method (self is the test
   instance), only the test copies collected in the overriding class and its
   subclasses hold the override (`self_dispatch_classes`); the other copies
   are ruled out (listed at confidence 0, out of the default selection).
"""

from __future__ import annotations

from indexer.analysis.impact_selfscope import self_scope
from indexer.graph.vocab import How, RefKind, SymbolKind

# Members a subclass's attribute can replace on `self`.
MEMBER_KINDS = (SymbolKind.METHOD, SymbolKind.FUNCTION, SymbolKind.VARIABLE, SymbolKind.CONSTANT,
                SymbolKind.PROPERTY)
# Class-level names that are nodes of the walk's dispatch, besides methods.
_CLASS_VALUE_KINDS = (SymbolKind.VARIABLE, SymbolKind.CONSTANT)


def is_class_value(sym, lookup) -> bool:
    """A name bound in a class body (`D = CustomMapping`, not `self.x = ...`)."""
    if sym is None or sym.kind not in _CLASS_VALUE_KINDS or not sym.parent:
        return False
    owner = lookup(sym.parent)
    return owner is not None and owner.kind == SymbolKind.CLASS


def member_definers(graph, cache: dict, name: str, known: dict | None = None) -> set[str]:
    """Parents that define a member `name` of any kind (one query per name
    and index version: `cache` is impact's IMPACT_MEMO table; `known`, where
    given, may hold the answer already, read in a batch)."""
    key = ("member definers", name)
    if key not in cache:
        found = known.pop(key, None) if known is not None else None  # (None: not read yet)
        cache[key] = found if found is not None else graph.parents_defining(name, MEMBER_KINDS)
    return cache[key]


def class_aliases(graph, cache: dict, cls: str, lookup) -> list[str]:
    """Class-level and module-level names bound to the class itself
    (`D = CustomMapping`): calling them constructs it (memoised in `cache`,
    impact's IMPACT_MEMO table)."""
    key = ("class aliases", cls)
    if key not in cache:
        out = []
        for _target, enclosing, kind, _conf, how in graph.incoming([cls], RefKind.FLOW):
            sym = lookup(enclosing)
            if how == How.ALIAS and sym is not None and sym.kind in _CLASS_VALUE_KINDS:
                out.append(enclosing)
        cache[key] = out
    return cache[key]


# A plain class whose test methods test classes inherit (impact_mixins:
# `class CacheTest(TestCase, CacheTestMixin): Cache = Cache`) is a test
# class for this rule too: `self.Cache` in the mixin is the subclass's.
MIXIN_RULE = True


def _test_mixin(owner, lookup, subclasses) -> bool:
    return any((sub := lookup(q)) is not None and sub.is_test for q in subclasses(owner.qualname))


def self_dispatch_classes(via: tuple[str, ...], reach: dict, lookup, subclasses,
                          dispatched=lambda user: (), inherited=lambda user, name: ()) -> set[str] | None:
    """The test classes whose collected copies of a test can hold the
    overrides its chain dispatches to through `self` in a test class's
    method; None: no such dispatch on the chain. `subclasses(cls)` lists all
    subclasses of a class; `dispatched(user)`: every reached override that
    dispatches into `user` (the walk keeps one chain per node, but each
    test class's own `Cache = ...` reaches the mixin's `self.Cache(...)`)."""
    allowed: set[str] | None = None
    for node, after in zip(via, via[1:]):
        step = reach.get(after)
        if step is None or step.kind != "dispatch" or step.how != "dispatch-self":
            continue
        caller, override = self_scope(lookup(after), lookup), lookup(node)
        owner = lookup(caller.parent) if caller is not None and caller.parent else None
        if owner is None or owner.kind != SymbolKind.CLASS or override is None or not override.parent:
            continue
        if not owner.is_test and not (MIXIN_RULE and _test_mixin(owner, lookup, subclasses)):
            continue
        holders = {override.parent, *subclasses(override.parent)}
        if MIXIN_RULE:
            for other in dispatched(after):
                if other != node and (sym := lookup(other)) is not None and sym.parent and sym.name == override.name:
                    holders.update((sym.parent, *subclasses(sym.parent)))
            # ... and the copies that keep the base's own method, where it is reached too (impact_selfscope).
            holders.update(inherited(after, override.name))
        allowed = holders if allowed is None else allowed & holders
    return allowed
