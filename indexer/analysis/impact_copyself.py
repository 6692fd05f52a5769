"""A method copying its own instance runs no other class's copy protocol
(issue 12, pyparsing).

impact_lifecycle links every caller of `copy.copy`, `copy.deepcopy`,
`pickle.dumps`... as a dispatch user of each class's `__getstate__`,
`__setstate__`, `__getnewargs__`, `__reduce_ex__`, `__copy__`: the copied
value is unknown. Often it is known: a method that copies `self`

    class ParserElement:
        def copy(self):
            cpy = copy.copy(self)        # a ParserElement (or a subclass)

runs the protocol of `self`'s class hierarchy only. pyparsing's
`ParseResults.__getstate__`, `__setstate__`, `__getnewargs__` and
`_ParseResultsWithOffset`'s were linked through `ParserElement.copy`, which
nearly every test reaches (1,679 and 1,670 tests predicted each, 18 true:
the two tests that pickle a ParseResults, in each of nine test classes).

The rule: a copier's caller is kept for a protocol method of class K unless
it is a method whose every copier call is a shallow copy (`copy.copy`,
`copy.replace`) of `self` and its class C can be no K: C is not K, a base
or a subclass of K, and no subclass of K is also a subclass of C. A deep
copy or a pickle of `self` runs the protocol of what the instance holds
too, any class; a call taking anything else (a local, a field, a loaded
string) keeps the caller, as does a body that cannot be read.

Default selection, depth 8, all 16 projects (evals.impact --no-hybrid,
PYTHONHASHSEED=0, same cached truth), this rule off -> on: pyparsing
-6,729 false pairs, no true one lost (the five methods above); attrs -696
false pairs, none true (`Converter`'s and `Factory`'s `__getstate__`/
`__setstate__` were linked through `Attribute.evolve`'s
`copy.copy(self)`), P 0.649 -> 0.670; the other 14 unchanged by it.
"""

from __future__ import annotations

import ast

from indexer.analysis.impact_guards import Guards
from indexer.graph.python_ast import callee_name
from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
# The copiers that run the protocol of their argument's class alone: a deep
# copy or a pickle also runs that of everything the instance holds.
SHALLOW = frozenset({"copy", "replace"})
# The modules whose functions copy or pickle (impact_lifecycle.COPIERS).
_MODULES = frozenset({"copy", "pickle", "cloudpickle", "dill"})


def copies_other_class(walk, user: str, copier_names: frozenset[str], hierarchy: set[str], subs, superclasses) -> bool:
    """Whether `user` copies only `self`, of a class unrelated to the
    protocol method's class (`hierarchy`: it, its bases and subclasses;
    `subs`: its subclasses; `superclasses(c)`: the bases of a class)."""
    if not RULE:
        return False
    own = _self_copier_class(walk, user, copier_names)
    if own is None or own in hierarchy:
        return False
    return not any(own in superclasses(sub) for sub in subs)


def _self_copier_class(walk, user: str, copier_names: frozenset[str]) -> str | None:
    """The class of `user` when it is a method whose copier calls all take
    `self` (positionally, first); None when any takes something else or the
    body cannot be read."""
    key = ("copies self", user)
    if key not in walk.memo:
        walk.memo[key] = None
        sym = walk.symbol(user)
        owner = walk.symbol(sym.parent) if sym is not None and sym.kind == SymbolKind.METHOD and sym.parent else None
        if owner is not None and owner.kind == SymbolKind.CLASS:
            node = Guards(walk.graph, walk.memo).node_of(sym)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.args.args and not any(
                    callee_name(deco) == "staticmethod" for deco in node.decorator_list):
                me = node.args.args[0].arg
                calls = [sub for sub in ast.walk(node) if isinstance(sub, ast.Call) and _copier(sub.func, copier_names)]
                if calls and all(callee_name(call.func) in SHALLOW and call.args and isinstance(call.args[0], ast.Name)
                                 and call.args[0].id == me for call in calls):
                    walk.memo[key] = owner.qualname
    return walk.memo[key]


def _copier(func: ast.AST, names: frozenset[str]) -> bool:
    """`copy.copy(...)`, `pickle.dumps(...)`, a bare imported `deepcopy(...)`;
    not a method named alike (`self._tokdict.copy()`)."""
    if isinstance(func, ast.Name):
        return func.id in names
    return isinstance(func, ast.Attribute) and func.attr in names and isinstance(func.value, ast.Name) \
        and func.value.id in _MODULES
