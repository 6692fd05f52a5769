"""Abstract methods in the impact walk (issue 12, marshmallow): an
`@abstractmethod` never runs as the answer to a call on an instance (no
instance of a class that leaves it abstract can exist; a concrete class
overrides it), only through `super().m()` from an override.

So a call of it that is not a `super()` call runs an override, not the
changed body: on marshmallow, `field_obj.serialize(...)` name-matched to the
abstract `FieldABC.serialize` and `FieldABC.deserialize` put 325 false
(function, test) pairs in the default selection and no true one. The tests
stay listed, ruled out (impact_unrun's convention).
"""

from __future__ import annotations

from indexer.graph.model import Symbol
from indexer.graph.vocab import How, RefKind

_ABSTRACT = ("abstractmethod", "abc.abstractmethod")


def is_abstract(symbol: Symbol | None) -> bool:
    return symbol is not None and any(d in _ABSTRACT for d in symbol.decorators)


def runs_an_override(kind: str, how: str, used: Symbol | None) -> bool:
    """Whether a link of `kind`/`how` to `used` runs an override instead."""
    return kind == RefKind.CALL and how != How.SUPER and is_abstract(used)
