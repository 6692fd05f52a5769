"""Code outside the workspace calling back into a workspace class (issue 12,
markupsafe, never tuned on before).

Two idioms where the call that runs a method is made by the standard
library, so no reference in the index names the method:

- A library template method. `class EscapeFormatter(string.Formatter)`
  overrides `format_field`; `Markup.format` makes an EscapeFormatter and
  calls its `vformat`, which the index names `string.Formatter.vformat`.
  `vformat` calls `format_field` back: 6 of 6 true pairs were missed. The
  rule (TEMPLATE_RULE): a method of a class with an outside base (not a
  builtin type), of a name no workspace base defines and no dunder, is a
  dispatch target of each function that makes an instance of the class
  (or of a subclass keeping the method) and, in the same body, calls a
  member of that outside base.
- A protocol the library runs on an instance handed to it. `Markup.__mod__`
  wraps each argument in a `_MarkupEscapeHelper` and calls
  `super().__mod__(arg)`: `str.__mod__` runs the helper's `__str__`,
  `__getitem__`, `__int__`, `__float__`: 8 of 8 true pairs were missed. The
  rule (PROTOCOL_RULE): a conversion or container dunder of a class is a
  dispatch target of each function that makes an instance and, in the same
  body, calls an outside function that consumes values by those protocols
  (an outside dunder such as `str.__mod__`, `format`, `str.format`, `print`,
  `json.dumps`...).

Both read only what the index holds (the makers' own references) and run
on small workspaces only, as the other recall rules (impact._recall_rules_scale).
"""

from __future__ import annotations

from indexer.graph.vocab import RefKind, SymbolKind

TEMPLATE_RULE = True  # switches, for their tests
PROTOCOL_RULE = True

# The dunders a consumer of values runs on them (conversion, formatting, items).
_PROTOCOL_DUNDERS = frozenset({
    "__str__", "__repr__", "__format__", "__int__", "__float__", "__index__", "__bool__",
    "__getitem__", "__len__", "__iter__", "__contains__",
})
# Outside callables that consume their arguments by those protocols, by the
# last part of the name the index gives them (`builtins.print`, `str.format`).
_CONSUMERS = frozenset({
    "print", "format", "format_map", "join", "str", "repr", "int", "float", "dumps", "dump", "write",
    "writelines", "sorted", "list", "dict", "vformat",
})


def template_callers(walk, method, owner: str, bases: list[str], subs: list[str], definers) -> list[str]:
    """The functions that make an instance of `owner` and call a member of
    its outside base, which may call `method` back (TEMPLATE_RULE)."""
    if not TEMPLATE_RULE or method.kind != SymbolKind.METHOD or method.name.startswith("__"):
        return []
    if any(base in definers for base in bases):
        return []  # a workspace base defines it: dispatch from its callers covers it
    outside = tuple(f"{base}." for base in bases if walk.symbol(base) is None and not base.startswith("builtins."))
    if not outside:
        return []
    makers = walk.callers([owner, *(sub for sub in subs if sub not in definers)])
    return [user for user in makers if any(
        ref.kind == RefKind.CALL and ref.target and ref.target.startswith(outside) for ref in walk.uses_in(user))]


def protocol_makers(walk, method, owner: str, subs: list[str], definers) -> list[str]:
    """The functions that make an instance of `owner` and call an outside
    consumer that runs `method` on it (PROTOCOL_RULE)."""
    if not PROTOCOL_RULE or method.kind != SymbolKind.METHOD or method.name not in _PROTOCOL_DUNDERS:
        return []
    makers = walk.callers([owner, *(sub for sub in subs if sub not in definers)])
    return [user for user in makers if any(_consumes(walk, ref) for ref in walk.uses_in(user))]


def _consumes(walk, ref) -> bool:
    if ref.kind != RefKind.CALL or not ref.target or walk.symbol(ref.target) is not None:
        return False
    name = ref.target.rpartition(".")[2]
    return name in _CONSUMERS or (name.startswith("__") and name.endswith("__") and name not in (
        "__init__", "__new__", "__class__", "__init_subclass__", "__setattr__", "__getattr__"))
