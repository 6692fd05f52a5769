"""A proxy's `__getattr__`, run by introspection (issue 12, wrapt).

Library introspection reads attributes of what it is given, and no
reference says so: `inspect.getmembers(x)`, `inspect.signature(x)`,
`getfullargspec(x)`, `getattr(x, name)`, `hasattr(x, name)`, `dir(x)`. On
an object whose class defines `__getattr__` (a proxy: wrapt's ObjectProxy
forwards what it does not hold to the wrapped object), each read of a name
the class lacks runs `__getattr__`:

    @wrapt.decorator
    def passthru(wrapped, instance, args, kwargs): ...

    @passthru
    def function1d(): ...                     # a FunctionWrapper: a proxy

    def test_lock():
        getattr(function1d, '_synchronized_lock', None)   # runs ObjectProxy.__getattr__

The rule (as impact_lifecycle's copy protocol): the tests that call an
introspecting library function are linked as dispatch users of a class's
`__getattr__` (how "protocol"); the receiver rule then keeps the tests that
can hold the class. Only tests: library code calls `getattr`/`hasattr`
everywhere, and linking it too (every caller) took wrapt's selection from
2549 to 9018 pairs. `isinstance`, `issubclass` and `callable` are no
introspectors here: they read the type (`__class__`), never `__getattr__`;
counting them cost click 69 false pairs and wrapt 38, for no true one.
Dunder-named properties (`__class__`, `__signature__`, `__name__`...) read
by every introspector were tried too: wrapt +108 true pairs for +2126 false.

TYPE_RULE keeps each property to its own readers: `__class__` to
`isinstance` and the `inspect` functions built on `signature` (and
`getmembers`), `__signature__` to the `inspect` ones; only a property
(`@property`, as a proxy defines them; a method of that name is no
reader's target). wrapt 0.824 / 0.676 -> 0.858 / 0.654 (+73 true, +127
false pairs, 58 of them the `__class__` setter's: it shares the getter's
qualname, so the evaluation scores the getter's answer for it too); the
other 15 projects define no such property (toolz's `__signature__` is an
`instanceproperty`) and are unchanged.

UNINITIALIZED_RULE: `C.__new__(C)` (wrapt's tests of an uninitialised
proxy: `one = ObjectProxy.__new__(ObjectProxy); one + two`) makes an
instance without `__init__`, so reading what `__init__` sets runs
`C.__getattr__`; the functions that write `__new__` right after a use of C
(or a subclass that inherits the hook) are its dispatch users. wrapt +13
true pairs, no false one.

Figures (python -m evals.impact --depths 8 --no-hybrid, all 16 projects,
default selection, same cached truth; off = merge 7d64750): wrapt recall
0.811 -> 0.824, precision 0.681 -> 0.676 (+27 true pairs, +31 false);
pyparsing +39 false pairs, no true one (ParseResults.__getattr__; 0.289
either way); the other 14 projects unchanged. Still short on wrapt: the
introspected proxies there are mostly module globals made by decorators
defined in exec'd code (`class1d = decorators.passthru_decorator(class1)`),
which the receiver rule cannot see holding a proxy, so `test_getmembers`
stays missed.
"""

from __future__ import annotations

from indexer.graph.vocab import How, RefKind, SymbolKind

RULE = True  # switch, for its test
ATTRIBUTE_HOOKS = ("__getattr__",)
# A proxy's `__class__` and `__signature__` (properties: TYPE_RULE), each
# read by its own library readers; see the note below.
TYPE_RULE = True  # switch, for its test
# A method called by a wholly computed name on a value of unknown type
# (`getattr(self._logger, method_name)(...)`: a delegate's methods, by the
# name of the caller's) runs the delegate's `__getattr__` when its class
# lacks the name: its users are dispatch users of every `__getattr__`, the
# receiver rule keeping the tests that can hold the class (a switch, for
# its test).
DELEGATE_RULE = True
# An instance made by `C.__new__(C)` skips `__init__`: a read of what
# `__init__` would have set falls to `__getattr__` (a switch, for its test).
UNINITIALIZED_RULE = True
# The library functions that read attributes of their argument by name (as
# the index names outside targets). Not `inspect.isfunction`/`isclass`/...
# (an isinstance) nor `inspect.getattr_static` (which skips `__getattr__`).
INTROSPECTORS = ("inspect.getmembers", "inspect.signature", "inspect.getfullargspec", "inspect.getargspec",
                 "inspect.unwrap", "inspect.getdoc", "inspect.getmodule", "inspect.getsource",
                 "inspect.iscoroutinefunction", "inspect.isgeneratorfunction", "functools.update_wrapper",
                 "functools.wraps", "builtins.getattr", "builtins.hasattr", "builtins.dir", "builtins.vars")


# The readers of a proxy's type and signature properties (TYPE_RULE).
# `isinstance(x, C)` reads `x.__class__` when `type(x)` is not a C (a
# proxy's type never is the wrapped object's), and so do the isinstance
# checks inside `inspect.signature` and what is built on it; `getmembers`
# reads every attribute `dir(x)` names. `type(x)` reads the C-level type,
# never the property; `issubclass` reads a class's bases; `getattr` and
# `hasattr` read the name they are given (rarely these).
PROPERTY_READERS = {
    "__class__": ("builtins.isinstance", "inspect.signature", "inspect.getfullargspec", "inspect.getargspec",
                  "inspect.getmembers"),
    "__signature__": ("inspect.signature", "inspect.getfullargspec", "inspect.getargspec", "inspect.getmembers"),
}


def introspecting_users(walk, method) -> list[str]:
    """The tests whose introspection calls may run `method` (a class's
    `__getattr__`, or with TYPE_RULE its `__class__`/`__signature__`
    property)."""
    if method.kind != SymbolKind.METHOD or not method.parent:
        return []
    name = method.name
    if name in ATTRIBUTE_HOOKS:
        readers = INTROSPECTORS if RULE else ()
    else:
        readers = PROPERTY_READERS.get(name, ()) if TYPE_RULE and name in PROPERTY_READERS \
            and _property(walk, method) else ()
    if not readers:
        return []
    key = ("introspecting tests", readers)
    if key not in walk.memo:
        walk.memo[key] = [user for user in walk.callers(readers)
                          if (sym := walk.symbol(user)) is not None and sym.is_test]
    if name not in ATTRIBUTE_HOOKS or not DELEGATE_RULE:
        return walk.memo[key]
    return walk.memo[key] + _delegating_users(walk)


def _delegating_users(walk) -> list[str]:
    """The functions calling a method by a wholly computed name on a value
    of unknown type (`getattr(self._logger, method_name)(...)`: the
    resolver's unresolved "getattr-any" rows; DELEGATE_RULE)."""
    key = ("delegating users",)
    if key not in walk.memo:
        walk.memo[key] = sorted({user for user, _name in walk.graph.unresolved_of_how(How.GETATTR_ANY.value)})
    return walk.memo[key]


def _property(walk, method) -> bool:
    """Whether `method` is read as an attribute (`@property` and its setter:
    one qualname)."""
    return any("property" in sym.flags for sym in walk.graph.symbols(method.qualname))


def uninitialized_users(walk, method, classes: list[str]) -> list[str]:
    """The functions that make an instance of one of `classes` (the hook's
    class and the subclasses that inherit `method`, its `__getattr__`)
    without running `__init__`: `C.__new__(C)`, the `__new__` call written
    right after a use of the class (UNINITIALIZED_RULE)."""
    if not UNINITIALIZED_RULE or method.kind != SymbolKind.METHOD or method.name not in ATTRIBUTE_HOOKS:
        return []
    key = ("uninitialized makers", tuple(classes))
    if key not in walk.memo:
        users = set()
        for _target, enclosing, _kind, _conf, _how in walk.graph.incoming(classes):
            if enclosing in users:
                continue
            uses = walk.graph.references_from(enclosing)  # (not memoised: one table entry per class, not per user)
            ends = {(u.range.end.line, u.range.end.character) for u in uses if u.target in classes}
            if any(u.kind == RefKind.CALL and u.name == "__new__"
                   and (u.range.start.line, u.range.start.character - 1) in ends for u in uses):
                users.add(enclosing)
        walk.memo[key] = sorted(users)
    return walk.memo[key]
