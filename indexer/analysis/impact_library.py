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
  rule (PROTOCOL_RULE): a dunder an outside formatting engine runs on its
  values (`%` runs `__str__`, `__getitem__`, `__int__`...; `format`
  `__format__`) is a dispatch target of the functions that make an
  instance of the class and, in the same body, call that engine
  (`str.__mod__`, `format`, `string.Formatter.vformat`), where every maker
  of the class does: a helper made for the engine.

- A class handed to the library that defines its base (structlog, never
  tuned on before). `logging.config.dictConfig({"()": ProcessorFormatter})`
  makes the formatter, `handler.setFormatter(ProcessorFormatter())` keeps
  one; a later log record runs its `format` override. Neither calls a
  member of `logging.Formatter`, so TEMPLATE_RULE missed 19 of 20 true
  pairs. PACKAGE_CALLS: for an instance method, a function that hands the
  class (itself, an instance it makes, or a local bound to one; not a
  member read off it) to a call into the base's top-level package, inside
  the call's arguments (`python_ast.hands_over`), is a template caller, and
  makes an instance there (`handed_made`, for the receiver walk). Any call
  into the package was not enough: cachetools' `Cache(MutableMapping)` made
  beside a `collections.OrderedDict()` cost 1,044 false pairs (precision
  0.693 -> 0.565), marshmallow's OrderedSet 680, click's `io` wrappers 384.

All read only what the index holds (the makers' own references) and run
on small workspaces only, as the other recall rules (impact._recall_rules_scale).
"""

from __future__ import annotations

from indexer.analysis.impact_guards import Guards
from indexer.analysis.impact_newmade import ancestors
from indexer.graph.python_ast import hands_over
from indexer.graph.vocab import RefKind, SymbolKind

TEMPLATE_RULE = True  # switches, for their tests
# The maker may hand the class to any member of the outside base's
# top-level package: the library that defines the base is the one that
# calls it back (`logging.config.dictConfig({"()": ProcessorFormatter})`,
# `handler.setFormatter(ProcessorFormatter())`, `json.dumps(x, cls=Enc)`).
PACKAGE_CALLS = True
# A module-level maker binding the outside member to a name (glom's
# `bbrepr = _BBRepr().repr`): the name's callers are the template callers.
MODULE_MAKERS = True
PROTOCOL_RULE = True
# An override that runs its outside base's own version (`def visit(self,
# node): ... super().visit(node)` in an `ast.NodeTransformer`) runs the
# library's template on its own instance: it is a template caller too, so
# its callers reach the `visit_Name` the library dispatches to by name
# (typeguard's AnnotationTransformer, never tuned on before). Not a dunder
# (`super().__init__()` calls nothing back), nor unittest's
# (`super().setUp()`: the runner's own calls are the tests' business).
EXTENDING_OVERRIDES = True

# Outside formatting engines, by the last part of the name the index gives
# them (`builtins.str.__mod__`, `string.Formatter.vformat`), and the dunders
# they run on the values handed to them. A consumer such as `str()` or
# `print()` is left out: its caller's own code (tests that make an instance
# and print something else) would bring every protocol method of the class
# (wrapt: 1,437 more predicted pairs for 4 more true, packaging 2,148 for 61).
_PERCENT = frozenset({"__str__", "__repr__", "__int__", "__float__", "__index__", "__getitem__"})
_FORMAT = frozenset({"__format__", "__str__", "__repr__"})
_CONSUMERS = {
    "__mod__": _PERCENT, "__rmod__": _PERCENT,
    "format": _FORMAT, "vformat": _FORMAT | {"__getitem__"}, "format_map": _FORMAT | {"__getitem__"},
}


def template_callers(walk, method, owner: str, bases: list[str], subs: list[str], definers) -> list[str]:
    """The functions that make an instance of `owner` and call a member of
    its outside base, which may call `method` back (TEMPLATE_RULE)."""
    if not TEMPLATE_RULE or method.kind != SymbolKind.METHOD or method.name.startswith("__"):
        return []
    if any(base in definers for base in bases):
        return []  # a workspace base defines it: dispatch from its callers covers it
    # A library calls back an instance's methods, not a static or class
    # method of its subclass (structlog's `wrap_for_formatter`, +14 false).
    bound = "staticmethod" not in method.flags and "classmethod" not in method.flags
    bases = [base for base in bases if walk.symbol(base) is None and not base.startswith(_NO_TEMPLATES)]
    outside = tuple(f"{base}." for base in bases)
    if not outside:
        return []
    packages = tuple(_package_prefix(base) for base in bases) if bound and PACKAGE_CALLS else ()
    # A member the hierarchy defines itself is no library call: the index
    # names `x.stopOn` on a ParserElement `abc.ABC.stopOn` when only a
    # subclass defines it (pyparsing: 15,000 false pairs before).
    own = {name for cls in (owner, *subs) for name in _member_names(walk, cls)}
    made = [owner, *(sub for sub in subs if sub not in definers)]
    out = []
    for user in walk.callers(made):
        maker = walk.symbol(user)
        if MODULE_MAKERS and maker is not None and maker.kind == SymbolKind.MODULE:
            out.extend(_bound_users(walk, maker, set(made), outside, own))
        elif any(ref.kind == RefKind.CALL and ref.target and ref.target.startswith(outside)
                 and ref.target.rpartition(".")[2] not in own for ref in walk.uses_in(user)):
            out.append(user)
    if EXTENDING_OVERRIDES:
        out.extend(user for cls in made for user in _extending_overrides(walk, cls, outside)
                   if user != method.qualname)
    if packages:
        # (PACKAGE_CALLS) the makers and readers handing the class to the base's package
        out.extend(user for user in _users(walk, made) if _hands_to(walk, user, tuple(made), packages))
    return list(dict.fromkeys(out))


def _bound_users(walk, module, made: set[str], outside: tuple, own: set[str]) -> list[str]:
    """The callers of a module-level name bound to an outside member of an
    instance made on the same line (glom's `bbrepr = _BBRepr().repr`)."""
    uses = walk.uses_in(module.qualname)
    making = {ref.range.start.line for ref in uses if ref.kind == RefKind.CALL and ref.target in made}
    lines = {ref.range.start.line for ref in uses if ref.range.start.line in making
             and ref.kind in (RefKind.CALL, RefKind.ATTRIBUTE) and ref.target and ref.target.startswith(outside)
             and ref.target.rpartition(".")[2] not in own}
    if not lines:
        return []
    names = [sym.qualname for sym in walk.graph.symbols_in_file(module.path)
             if sym.parent == module.qualname and sym.kind in (SymbolKind.VARIABLE, SymbolKind.CONSTANT)
             and sym.range.start.line in lines]
    return walk.callers(names) if names else []


def _extending_overrides(walk, cls: str, outside: tuple) -> list[str]:
    """The instance methods of `cls` that call their outside base's own
    version (EXTENDING_OVERRIDES): a call of their name into `outside`."""
    key = ("extending overrides", cls, outside)
    if key not in walk.memo:
        bases = tuple(base for base in outside if not base.startswith(_TEST_FRAMEWORKS))
        walk.memo[key] = [
            sym.qualname for sym in walk.graph.members(cls) if bases and sym.kind == SymbolKind.METHOD
            and not sym.name.startswith("__") and "staticmethod" not in sym.flags and "classmethod" not in sym.flags
            and any(ref.kind == RefKind.CALL and ref.name == sym.name and ref.target
                    and ref.target.startswith(bases) for ref in walk.uses_in(sym.qualname))]
    return walk.memo[key]


_TEST_FRAMEWORKS = ("unittest.",)


def _users(walk, made: list[str]) -> list[str]:
    """The functions that call one of the classes `made` or read one as a
    value (a class handed to the library, which makes it:
    `{"()": ProcessorFormatter}`)."""
    key = ("makers or readers", *made)
    if key not in walk.memo:
        readers = {enclosing for _t, enclosing, *_rest in walk.graph.incoming(made, RefKind.READ)}
        walk.memo[key] = sorted(readers.union(walk.callers(made)))
    return walk.memo[key]


def handed_made(walk, cls: str, kind: str, user: str) -> bool:
    """Whether a `kind` use of the class `cls` by `user` makes an instance
    of it: a read of a class with an outside base, handed to a call into
    that base's package, which makes it
    (`logging.config.dictConfig({"()": ProcessorFormatter})`; PACKAGE_CALLS)."""
    if not (TEMPLATE_RULE and PACKAGE_CALLS) or kind != RefKind.READ:
        return False
    key = ("handed class packages", cls)
    if key not in walk.memo:
        walk.memo[key] = tuple(_package_prefix(base) for base in _outside_bases(walk, cls))
    packages = walk.memo[key]
    return bool(packages) and _hands_to(walk, user, (cls,), packages)


def _hands_to(walk, user: str, made: tuple, packages: tuple) -> bool:
    """Whether `user` passes one of the classes `made` (the class itself, an
    instance it makes there, or a local name bound to one) inside the
    arguments of a call into one of `packages` (as the index names them):
    `handler.setFormatter(Fmt())`, `dictConfig({"()": Fmt})`. A member read
    off the class (`Fmt.level_of`) is no class handed over."""
    key = ("hands to", user, made, packages)
    if key in walk.memo:
        return walk.memo[key]
    uses = walk.uses_in(user)
    classes = {(ref.range.start.line, ref.range.start.character) for ref in uses
               if ref.target in made and ref.kind in (RefKind.READ, RefKind.CALL)}
    calls = {(ref.range.start.line, ref.range.start.character) for ref in uses
             if ref.kind == RefKind.CALL and ref.target and ref.target.startswith(packages)}
    sym = walk.symbol(user) if classes and calls else None
    node = Guards(walk.graph, walk.memo).node_of(sym) if sym is not None and sym.kind != SymbolKind.MODULE else None
    walk.memo[key] = node is not None and hands_over(node, classes, calls)
    return walk.memo[key]


def _package_prefix(base: str) -> str:
    """What a call into the outside base's top-level package starts with."""
    return f"{base.partition('.')[0]}."


def _outside_bases(walk, cls: str) -> list[str]:
    """The outside bases on `cls`'s workspace hierarchy that may call back
    (not builtins, markers or typing constructs)."""
    return [base for base in dict.fromkeys(ancestors(walk, cls))
            if walk.symbol(base) is None and "." in base and not base.startswith(_NO_TEMPLATES)]


# Outside bases that call nothing back: markers and typing constructs.
_NO_TEMPLATES = ("builtins.", "abc.", "typing.", "typing_extensions.")


def _member_names(walk, cls: str) -> list[str]:
    key = ("member names", cls)
    if key not in walk.memo:
        walk.memo[key] = [sym.name for sym in walk.graph.members(cls)]
    return walk.memo[key]


def protocol_makers(walk, method, owner: str, subs: list[str], definers) -> list[str]:
    """The functions that make an instance of `owner` and call an outside
    formatting engine that runs `method` on it, where all its makers do
    (PROTOCOL_RULE)."""
    if not PROTOCOL_RULE or method.kind != SymbolKind.METHOD \
            or not any(method.name in dunders for dunders in _CONSUMERS.values()):
        return []
    makers = walk.callers([owner, *(sub for sub in subs if sub not in definers)])
    consuming = [user for user in makers if any(_consumes(walk, ref, method.name) for ref in walk.uses_in(user))]
    # A helper made for the engine: each of its makers hands it on (a class
    # made in many places and formatted in one is formatted there with
    # something else: wrapt's proxies, packaging's Tag, 206 false pairs).
    return consuming if len(consuming) == len(makers) else []


def _consumes(walk, ref, dunder: str) -> bool:
    if ref.kind != RefKind.CALL or not ref.target or walk.symbol(ref.target) is not None:
        return False
    return dunder in _CONSUMERS.get(ref.target.rpartition(".")[2], ())
