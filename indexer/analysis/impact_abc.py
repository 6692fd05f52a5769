"""Container protocol methods in the impact walk (issue 12, marshmallow): a
class built on a `collections.abc` container (`OrderedSet(MutableSet)`)
supplies the abstract methods that the builtins (`len(s)`, `for x in s`,
`k in s`) and the ABC's own mixin methods (`s |= t` calls `add`, `s - t`
iterates) call. No reference names them: the callers are `len`, `for` and
code inside the standard library.

The rule: such a method runs in the tests that make the class's instances
(the class's instance walk: calls, subclasses, aliases), like the `__eq__`
of impact_protocols. On marshmallow this reaches OrderedSet's `__len__`,
`__iter__` and `add` through the schemas that
build one in `_init_fields` (`self.set_class(...)`).
"""

from __future__ import annotations

from indexer.graph.vocab import SymbolKind

# Of each container ABC's abstract methods, those that building, sizing and
# iterating an instance run (the constructor's `s |= iterable` calls `add`;
# `len`, `for`, `s - t`, `s | t` iterate). Membership and removal
# (`__contains__`, `discard`) run only where code asks for them: on
# marshmallow linking them too found 59 pairs for 607 false ones.
ABSTRACT_METHODS = {
    "Set": ("__len__", "__iter__"),
    "MutableSet": ("__len__", "__iter__", "add"),
    "Mapping": ("__len__", "__iter__", "__getitem__"),
    "MutableMapping": ("__len__", "__iter__", "__getitem__", "__setitem__"),
    "Sequence": ("__len__", "__getitem__"),
    "MutableSequence": ("__len__", "__getitem__", "__setitem__", "insert"),
}
# A subclass of a builtin container overriding the methods its own C code
# and the builtins call (boltons' OrderedMultiDict(dict): `omd['a']`,
# `for k in omd`, `dict(omd)`).
BUILTIN_METHODS = {
    "dict": ("__len__", "__iter__", "__getitem__"),
    "list": ("__len__", "__iter__", "__getitem__"),
}
BUILTIN_RULE = True  # switch, for its test
_ABC_MODULES = ("collections.abc.", "typing.")


def container_class(method, bases: list[str], lookup) -> str | None:
    """The class whose instance-making tests run `method` under this rule,
    or None. `bases` are the qualnames of its class's superclasses (outside
    ones included, as the index names them); `lookup(qualname)` finds a
    symbol."""
    if method.kind != SymbolKind.METHOD or not method.parent:
        return None
    owner = lookup(method.parent)
    if owner is None or owner.kind != SymbolKind.CLASS:
        return None
    for base in bases:
        module = next((m for m in _ABC_MODULES if base.startswith(m)), None)
        if module is not None and method.name in ABSTRACT_METHODS.get(base[len(module):], ()):
            return owner.qualname
        if BUILTIN_RULE and base.startswith("builtins.") and method.name in BUILTIN_METHODS.get(base[9:], ()):
            return owner.qualname
    return None
