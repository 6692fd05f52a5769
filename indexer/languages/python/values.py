"""What the Python resolver passes around, as small named types.

A *referent* is what a name is bound to: a workspace symbol (`Sym`), a
module (`Module`), a name outside the workspace (`External`) or a local
binding without a symbol (`Local`: comprehension variables, walrus names).
A *value* is what evaluating an expression gives: a module, a class, an
instance of a class, a function, something outside, `super()` in a class,
and the typing forms the resolver follows (`Generic` for `List[X]`,
`Iterable` for what holds Xs, `CallableType` for `Callable[..., R]`,
`CallableValue` for a value that, called, gives R).

Each type is a tuple whose first item is its tag ("sym", "module"...): they
compare and hash as the tagged tuples they replace, so the resolver's caches
and the `value[0] == "class"` checks keep working while code reads fields by
name (`referent.qualname`). Never stored: they live for one resolver run.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, ClassVar, NamedTuple


class Tagged(tuple):
    """A tuple `(tag, *fields)` with its fields named (see the module doc)."""

    __slots__ = ()
    tag: ClassVar[str]
    fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, tag: str, fields: tuple[str, ...] = (), **kwargs: Any):
        super().__init_subclass__(**kwargs)
        cls.tag, cls.fields, cls.__match_args__ = tag, fields, fields
        for position, name in enumerate(fields, 1):
            setattr(cls, name, property(itemgetter(position), doc=f"the {name} of a {tag} ({cls.__name__})"))
        cls.__new__ = staticmethod(_constructor(cls, tag, len(fields)))

    def __new__(cls, *values: Any):
        if len(values) != len(cls.fields):
            raise TypeError(f"{cls.__name__} takes {', '.join(cls.fields) or 'nothing'}, got {len(values)} values")
        return super().__new__(cls, (cls.tag, *values))

    def __getnewargs__(self):  # pickle and copy rebuild it from its fields
        return tuple(self[1:])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(map(repr, self[1:]))})"


_new_tuple = tuple.__new__


def _constructor(cls: type, tag: str, arity: int):
    """`cls.__new__` with its arity fixed: the generic one (star-args, a
    length check, `super()`) was 5% of a resolver worker's CPU (issue 17)."""
    if arity == 1:
        def new(cls, a):
            return _new_tuple(cls, (tag, a))
    elif arity == 2:
        def new(cls, a, b):
            return _new_tuple(cls, (tag, a, b))
    else:
        return Tagged.__new__
    new.__qualname__ = f"{cls.__name__}.__new__"
    return new


# -- referents (and the values that are the same thing) ---------------------------

class Sym(Tagged, tag="sym", fields=("qualname", "module")):
    """A definition of the workspace and the module holding it."""


class Module(Tagged, tag="module", fields=("name",)):
    """A module of the workspace (as a referent and as a value)."""


class External(Tagged, tag="external", fields=("dotted",)):
    """A name outside the workspace, kept by its dotted name (`os.path.join`,
    `builtins.len`, `requests.get()` for what a call returns)."""


class Local(Tagged, tag="local", fields=("expr", "scope")):
    """A local binding without a symbol; its value is `expr` (None when not
    known) evaluated in `scope`."""


# -- values -------------------------------------------------------------------------

class Class(Tagged, tag="class", fields=("qualname",)):
    """A class itself (calling it makes an `Instance`)."""


class Instance(Tagged, tag="instance", fields=("qualname",)):
    """An instance of a workspace class."""


class BuiltClass(Tagged, tag="class", fields=("qualname", "factory")):
    """A class `type(name, (Base,), namespace)` builds in a factory function:
    Base (qualname) plus the factory's functions taking `self` (its flags
    "builds:..."; extract.TYPE_METHODS). Read as the Class of Base by all
    that reads `value[0]`, `value[1]`."""


class BuiltInstance(Tagged, tag="instance", fields=("qualname", "factory")):
    """An instance of a BuiltClass."""


class Function(Tagged, tag="function", fields=("qualname",)):
    """A function or method itself (calling it gives its return type's value)."""


class Super(Tagged, tag="super", fields=("qualname",)):
    """`super()` inside the class `qualname`: members from its bases."""


class Generic(Tagged, tag="generic", fields=("item",)):
    """A container annotation (`List[X]`): called or held, it holds `item` values."""


class Iterable(Tagged, tag="iterable", fields=("element",)):
    """A value that holds elements (`xs: list[X]`): indexing or iterating gives X."""


class CallableType(Tagged, tag="callabletype", fields=("returns",)):
    """The annotation `Callable[..., R]`: a value of it is a `CallableValue`."""


class CallableValue(Tagged, tag="callable", fields=("returns",)):
    """Something callable whose call gives `returns` (a value held as `Callable[..., R]`)."""


class PartialValue(Tagged, tag="partial", fields=("wraps",)):
    """`partial(C, ...)`: called, it calls `wraps` (a class, function or partial)."""


class Raised(Tagged, tag="raised", fields=("qualname", "attribute")):
    """What `with pytest.raises(E) as info` (unittest's `assertRaises(E) as
    cm`) binds: its `attribute` (`value`, `exception`) is an E instance."""


class Found(NamedTuple):
    """What a name in a scope is bound to, and the rule that found it."""

    referent: Any  # a referent above, or None when unresolved
    how: str


class ResolvedRef(NamedTuple):
    """One reference of a file, resolved: the fields of each plain tuple
    `Resolution.refs` holds and the indexer writes (the resolver builds the
    tuples directly, for speed)."""

    span: Any
    name: str
    kind: str
    enclosing: Any
    target: str | None
    confidence: float
    how: str


Referent = Sym | Module | External | Local
Value = Module | Class | Instance | Function | External | Super | Generic | Iterable | CallableType | CallableValue \
    | Raised
