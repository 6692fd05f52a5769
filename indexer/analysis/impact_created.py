"""The users of a class the change built run the class, not the change.

    @attrs                      # attrs -> ... -> _ClassBuilder.add_repr ran here,
    class _InValidator: ...     # once, when validators.py was imported

    def in_(options):
        return _InValidator(options)

A change to the class generator reaches `_InValidator` through its class
statement (impact's "define" link), and then everything that uses the class:
`in_`, and every test that calls `in_`. Those tests run what the class
statement produced, not the generator; per-test coverage never sees them
execute it. They were listed at CREATED_CONFIDENCE (0.1) inside the default
selection: on attrs about 5,700 false and 500 true pairs at depth 6.

The rule: a use of a created class (any link but a subclass statement, which
runs the class statement machinery again) is a link that runs nothing, so
the tests reached only through it are ruled out: listed at
RULED_OUT_CONFIDENCE, left out of the default selection. Unlike the other
such links (impact_unrun), a node reached this way stays open: a clean chain
found at a later level re-enters it and its tests (most of attrs' 500 true
pairs build a class of their own further down, `@attr.s class C` inside the
test, at a deeper level than `attr.ib`'s created `_CountingAttr`).

Only the walks that ask who *runs* the target apply it. The receiver walks
(who can *hold* an instance of a class, impact._receiver_tests) keep the
users: `name = fields.String()` in a class body makes an instance that every
user of the class holds (marshmallow: recall 0.878 with the receiver walks
kept, 0.842 without).

Measured by `python -m evals.impact` (figures in the note of issue 12).
"""

from __future__ import annotations

SUBCLASS = "subclass"  # the how of a subclass statement of a created class (impact.py)


def runs_only_the_class(reached_kind: str, how: str, define_kind: str, runs: bool) -> bool:
    """Whether a link from a node reached as `reached_kind` by the rule `how`
    uses a class the change created (and so runs only its product).
    `runs`: the walk asks who runs the target (not who holds an instance)."""
    return runs and reached_kind == define_kind and how != SUBCLASS
