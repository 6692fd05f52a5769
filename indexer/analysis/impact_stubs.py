"""Stub files never run: a use made inside a type stub (`.pyi`, `.d.ts`) is a
declaration, not an execution, so the impact walk does not follow it.

On attrs, the stub `attr/__init__.pyi` declares `attrs` with
`@dataclass_transform(field_specifiers=(attrib, field))`; the stub's `attrs`
shares its qualname with the runtime alias target of `attr.s = attrs`, so a
change to `field` reached every `@attr.s` class through a decorator argument
that is never evaluated (603 false and 48 true pairs at depth 6). A stub
symbol is still a node when a runtime name flows from it (the alias itself
is a runtime statement); the uses written inside the stub run nothing: the
tests reached through them are ruled out like impact_unrun's (listed last,
left out of the default selection).
"""

from __future__ import annotations

from indexer.graph.model import Symbol

STUB_SUFFIXES = (".pyi", ".d.ts")


def in_stub(user: Symbol | None) -> bool:
    """Whether a use's enclosing symbol is declared in a stub file."""
    return user is not None and user.path.endswith(STUB_SUFFIXES)
