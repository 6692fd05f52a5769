"""A method read through its class's name is that class's function (issue
12, cachetools). `Cache.__setitem__` looks the name up on the class object
`Cache` (its MRO), never on an instance, so no subclass's override runs
there:

    class FIFOCache(Cache):
        def __setitem__(self, key, value, cache_setitem=Cache.__setitem__):
            cache_setitem(self, key, value)     # always Cache's own

    class TTLCache(Cache):
        def __setitem__(self, key, value): ...  # an override

The dispatch rule (impact.py `_dispatch_edges`: the callers of a base's
method may run an override) linked `TTLCache.__setitem__` to
`FIFOCache.__setitem__`, and from there to every FIFO cache test. A use of
a method whose receiver the resolver found as a name in scope or an import
(how "scope", "import", "star-import": a class name; an instance comes with
"self", "mro", "local", "constructor", "annotation", "value"...) is no
dispatch site. (`Base.m(self)` inside a subclass, `Cache.__init__(self,
...)`, are the same.)

Finds and costs, default selection at depth 8, the rule switched off in
the final code (evals.impact, eight projects): cachetools -222 false pairs,
no true one lost (precision 0.659 -> 0.693 at recall 0.939); boltons -1
false and -1 true pair (`SequentialGUIDerator.__next__` had reached
`test_seqguiderator` only by a dispatch from the class-body alias
`next = __next__` of its base, which binds the base's own function: the
test runs it through the builtin `next()`, which no link names); the other
six identical pair for pair.
"""

from __future__ import annotations

from indexer.graph.vocab import How

RULE = True  # switch, for its test
_CLASS_NAME = frozenset({How.SCOPE, How.IMPORT, How.STAR_IMPORT})


def names_the_class(how: str) -> bool:
    """Whether a method use resolved this way reads it off its class by name."""
    return RULE and how in _CLASS_NAME
