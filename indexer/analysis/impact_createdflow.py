"""A name bound to a class the change created is that created class
(issue 12, wrapt).

    class BoundFunctionWrapper(_FunctionWrapperBase): ...   # a subclass statement
                                                            # of a class the change built
    class FunctionWrapper(_FunctionWrapperBase):
        __bound_function_wrapper__ = BoundFunctionWrapper   # the same class object

A change to a metaclass's `__new__` (or to `with_metaclass`, called in a
base list) reaches the classes whose statements it runs through impact's
"define" links, and impact_created rules out the tests that only use those
classes afterwards: they run what the class statement produced, not the
change. A value-flow link (`name = Class`) binds the same object, so its
users use the created class too. Before this rule the flow link was an
ordinary one: every test that reached `__bound_function_wrapper__` (through
`_FunctionWrapperBase.__get__`, a name-matched guess) looked affected by
`_ObjectProxyMetaType.__new__` and `with_metaclass`, which ran once, when
`wrapt.wrappers` was imported.

The alias keeps the "define" kind: a subclass statement that names it runs
the machinery again (a define link), every other use is a use of the
created class (ruled out in the walks that ask who runs the target).

The same holds for a decorator on a method (MEMBER_RULE): the class body
runs `@instanceproperty def __signature__` once, when the class statement
runs, so the class is created by the change; before, the link from the
method to its class was a plain "local" one, and every test that used
toolz's `curry` looked affected by `instanceproperty` and
`InstanceProperty.__init__`. A class local to a function still runs with
that function (impact.py `_local_definition_edge`).

Both apply only in the walks that ask who runs the target. The receiver
walks (who can hold an instance, impact._receiver_tests) keep plain links:
`class Cache: __size = _DefaultSize()` makes an instance that every user of
`Cache` holds, through its aliases too (`Cache = cachetools.Cache` in each
test class, which the self-dispatch rule follows; a "define" node follows
no such links). Applied there too, the flow rule lost cachetools 48 true
pairs of `_DefaultSize`'s methods (for 32 false ones).

Finds, default selection at depth 8 (evals.impact, each rule switched off
in the final code, same cached truth), no true pair lost:
- RULE (aliases): wrapt -212 false pairs (precision 0.600 -> 0.661 with
  the other rules on; `FunctionWrapper.__bound_function_wrapper__ =
  BoundFunctionWrapper`, reached from `_ObjectProxyMetaType.__new__` and
  `with_metaclass`), attrs -62 (0.653 -> 0.655).
- MEMBER_RULE: toolz -18 (0.621 -> 0.628: `instanceproperty` and
  `InstanceProperty.__init__`), marshmallow -110 (0.642 -> 0.645); wrapt identical.
- cachetools: identical (see above for the receiver walks).
"""

from __future__ import annotations

from indexer.graph.vocab import RefKind

RULE = True  # switch, for its test
MEMBER_RULE = True  # switch of the decorated-member rule, for its test


def flow_kind(reached_kind: str, kind: str, define_kind: str, runs: bool) -> str:
    """The kind a same-level link records: `define_kind` for a name bound to
    a class that was reached as created (`reached_kind` is `define_kind`),
    in a walk that asks who runs the target (`runs`)."""
    return define_kind if RULE and runs and kind == RefKind.FLOW and reached_kind == define_kind else kind


def decorated_member_kind(define_kind: str, runs: bool) -> str:
    """The kind of the link from a method reached as a decorator's user to
    its class: the class statement ran the decorator, once, so the class is
    created by the change (`define_kind`), not a plain local, in a walk that
    asks who runs the target (`runs`)."""
    return define_kind if MEMBER_RULE and runs else "local"
