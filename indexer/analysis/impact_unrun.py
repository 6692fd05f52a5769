"""Links of the impact walk that run nothing.

The walk follows every use of a changed symbol; some uses do not execute it,
so a test reached only through them does not run the change. Such a test is
kept in the answer, ruled out (impact.RULED_OUT_CONFIDENCE, listed last) and
left out of the default selection; the dependents stay listed.

- An override: `Sub.m` overriding `Base.m` without calling up to it never runs
  `Base.m` (a `super().m()` call is a call link of its own, and wins). On
  marshmallow the abstract `FieldABC._serialize` reached every test that
  serializes a field (664 false pairs, no true one, at depth 6).
- A class body's read of a function or class (impact_classgen.stored_not_run).

Measured by `python -m evals.impact` (figures in the note of issue 12).
"""

from __future__ import annotations

from indexer.analysis.impact_classgen import stored_not_run
from indexer.graph.model import Symbol

OVERRIDE = "override"


def unrun_link(kind: str, used: Symbol | None, user: Symbol | None) -> bool:
    """Whether `user`'s use of `used` (a link of kind `kind`) runs nothing."""
    return (RULES["override"] and kind == OVERRIDE) or (RULES["stored"] and stored_not_run(kind, used, user))


RULES = {"override": True, "stored": True}  # each rule's switch, for its test
