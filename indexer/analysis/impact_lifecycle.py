"""Methods the interpreter calls on an instance's life events (issue 12,
boltons and the attrs miss the brief names): no reference names them.

1. Finalizer: `__del__` runs when an instance is released, in the test that
   made it (CPython frees it when the test's frame goes). boltons'
   `SpooledIOBase.__del__` calls `self.close()`: 78 + 78 missed pairs. The
   class's instance-making tests run it (how "protocol", as impact_abc).
2. Copy and pickle: `copy.copy(x)`, `copy.deepcopy(x)`, `pickle.dumps(x)`,
   `pickle.loads(s)` run `x`'s `__copy__`, `__deepcopy__`, `__reduce_ex__`,
   `__reduce__`, `__getstate__`, `__setstate__`, `__getnewargs__`. The
   functions that call those library functions are linked as dispatch
   users of each such method (how "protocol"); the receiver rule then keeps
   the tests that can hold the method's class.
"""

from __future__ import annotations

from indexer.analysis.impact_copyself import copies_other_class
from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
FINALIZERS = ("__del__",)
COPY_PROTOCOL = frozenset({"__copy__", "__deepcopy__", "__reduce__", "__reduce_ex__", "__getstate__",
                           "__setstate__", "__getnewargs__", "__getnewargs_ex__"})
# The library functions that run them (as the index names outside targets).
COPIERS = ("copy.copy", "copy.deepcopy", "copy.replace", "pickle.dumps", "pickle.loads", "pickle.dump",
           "pickle.load", "cloudpickle.dumps", "cloudpickle.loads", "dill.dumps", "dill.loads")


def finalized_class(method, lookup) -> str | None:
    """The class whose instance-making tests run `method` (a finalizer)."""
    if not RULE or method.kind != SymbolKind.METHOD or method.name not in FINALIZERS or not method.parent:
        return None
    owner = lookup(method.parent)
    return owner.qualname if owner is not None and owner.kind == SymbolKind.CLASS else None


_COPIER_NAMES = frozenset(name.rpartition(".")[2] for name in COPIERS)


def copying_users(walk, method, hierarchy: set[str] = frozenset(), subs=(), superclasses=None) -> list[str]:
    """The functions whose copy or pickle calls may run `method` (of a class
    whose `hierarchy`, `subs` and `superclasses` narrow a method copying
    its own `self`: impact_copyself)."""
    if not RULE or method.kind != SymbolKind.METHOD or method.name not in COPY_PROTOCOL:
        return []
    users = walk.callers(COPIERS)
    if superclasses is None:
        return users
    return [user for user in users
            if not copies_other_class(walk, user, _COPIER_NAMES, hierarchy, subs, superclasses)]
