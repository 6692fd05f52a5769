"""The container rule, limited to the holders that use the item protocol
(issue 12, cachetools). impact_abc links a mapping class's `__getitem__`,
`__setitem__` (and `__delitem__`) to every test that makes an instance
(how "protocol"): the callers are statements (`c[k] = v`) and the ABC's
mixin methods (`c.update(...)`), and no reference names the method. But
Python runs `C.__setitem__` only where such a statement or call executes on
a C:

    def test_defaults(self):
        cache = self.Cache(maxsize=1)       # holds a cache...
        self.assertEqual(0, len(cache))     # ...but never stores an item
        self.assertEqual(1, cache.maxsize)

A chain that crosses such a protocol link keeps its test only if some
function on the chain after the class (the outermost function, for a local
class or closure: its body is the test's) does one of:
- the operation itself: a subscript load (`__getitem__`), a store or an
  augmented assignment (`__setitem__`), `del c[k]` (`__delitem__`); for
  `__getitem__` also `k in c` and `==`/`!=` (the ABC's `__contains__` and
  `__eq__` read items), and `**c`;
- a call of a method that does it: the ABC's mixins (`get`, `pop`,
  `setdefault`, `items`, `values`, `popitem` read; `update`, `setdefault`
  store; `pop`, `popitem`, `clear` delete) or a method of the class family
  whose own body does the operation on `self` (`Cache.get`: `self[key]`);
- lets a value go where it may be done out of sight: passes a non-literal
  argument to a call (`cached(cache)(f)`), stores it in an attribute
  (`self.cache = ...`: a set-up method), or yields it (a fixture). The
  builtins that never touch a mapping's items (`len`, `repr`, `isinstance`,
  `iter`, `list`, `sorted`, ...) do not count, and for the stores and
  deletes neither do unittest's `assert*` methods (they compare and read).
Otherwise the test is ruled out: listed at confidence 0, out of the default
selection (as impact_unrun).

Only mapping classes (a `Mapping`/`MutableMapping` base): a `Sequence`'s
`__getitem__` is also what `for x in s` and `x in s` run.

Finds and costs, default selection at depth 8, the rule switched off in
the final code (evals.impact, eight projects): cachetools -98 false pairs
for -7 true ones (0.941 / 0.679 -> 0.939 / 0.693; the true ones are
`test_popitem_exception_context`, whose direct `.popitem()` call on
`self.Cache(...)` the graph does not link, so its only chain runs through
`__setitem__`); boltons -1 false pair; the other six identical pair for pair.
"""

from __future__ import annotations

import ast

from indexer.analysis.impact_rechain import levels, users_of
from indexer.analysis.impact_selfscope import self_scope
from indexer.graph.vocab import How, SymbolKind

RULE = True  # switch, for its test

_MAPPING_BASES = ("collections.abc.Mapping", "collections.abc.MutableMapping", "typing.Mapping",
                  "typing.MutableMapping")
# The ABC's mixin methods that run each abstract method.
_MIXINS = {
    "__getitem__": frozenset({"get", "pop", "popitem", "setdefault", "items", "values", "__eq__", "__contains__"}),
    "__setitem__": frozenset({"update", "setdefault"}),
    "__delitem__": frozenset({"pop", "popitem", "clear"}),
}
METHODS = frozenset(_MIXINS)
# Builtins that never read, store or delete a mapping's items.
_HARMLESS = frozenset({"len", "repr", "str", "format", "isinstance", "issubclass", "type", "id", "hash", "print",
                       "bool", "callable", "hasattr", "iter", "next", "list", "tuple", "set", "frozenset",
                       "sorted", "enumerate", "zip", "min", "max", "sum", "any", "all", "vars", "dir"})
_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)


def _literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _literal(k) and _literal(v) for k, v in zip(node.keys, node.values))
    if isinstance(node, ast.UnaryOp):
        return _literal(node.operand)
    return isinstance(node, ast.Lambda)  # a function made here holds no instance of ours


def _plain_literal(expr: ast.AST) -> bool:
    """A literal that is no mapping (`0`, `"a"`, `(1, 2)`, `None`)."""
    return _literal(expr) and not isinstance(expr, ast.Dict)


def _may_hold(expr: ast.AST) -> bool:
    """Whether an argument may be (or carry) an instance: not a literal, an
    attribute read off a local or module (`cache.__class__.__name__`; one
    off `self` may be a set-up's instance), or a harmless builtin's result."""
    if _literal(expr) or isinstance(expr, ast.JoinedStr):
        return False
    if isinstance(expr, ast.Attribute):
        root = expr
        while isinstance(root, ast.Attribute):
            root = root.value
        return not (isinstance(root, ast.Name) and root.id not in ("self", "cls"))
    if isinstance(expr, ast.Call):
        name, attribute = _callee_name(expr)
        if attribute:  # `repr(c).startswith(...)`: a method of a builtin's result or a literal
            return _may_hold(expr.func.value)
        return name not in _HARMLESS
    if isinstance(expr, (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare)):
        return any(_may_hold(child) for child in ast.iter_child_nodes(expr) if isinstance(child, ast.expr))
    return True


def _compares_items(compare: ast.Compare) -> bool:
    """`k in c` (the container side) or `c == d` (either side) on a value
    that may be an instance: the ABC's `__contains__` and `__eq__` read items."""
    operands = [compare.left, *compare.comparators]
    for i, op in enumerate(compare.ops):
        if isinstance(op, (ast.In, ast.NotIn)) and _may_hold(operands[i + 1]):
            return True
        # The ABC's `__eq__` returns NotImplemented, reading nothing, unless both sides are mappings.
        if isinstance(op, (ast.Eq, ast.NotEq)) and not _plain_literal(operands[i]) \
                and not _plain_literal(operands[i + 1]) and (_may_hold(operands[i]) or _may_hold(operands[i + 1])):
            return True
    return False


def _callee_name(call: ast.Call) -> tuple[str | None, bool]:
    """(the called name or attribute, whether it is an attribute)."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id, False
    if isinstance(func, ast.Attribute):
        return func.attr, True
    return None, False


def uses(node: ast.AST, method: str, family_methods: frozenset[str]) -> bool:
    """Whether a function's body (nested definitions included) may run
    `method` on a value it holds: see the module docstring."""
    mixins = _MIXINS[method] | family_methods
    for sub in ast.walk(node):
        if isinstance(sub, ast.Subscript):
            ctx = sub.ctx
            if (method == "__getitem__" and isinstance(ctx, ast.Load)) or \
                    (method == "__setitem__" and isinstance(ctx, ast.Store)) or \
                    (method == "__delitem__" and isinstance(ctx, ast.Del)):
                return True
        elif isinstance(sub, ast.AugAssign) and isinstance(sub.target, ast.Subscript) \
                and method in ("__getitem__", "__setitem__"):
            return True
        elif isinstance(sub, ast.Compare) and method == "__getitem__" and _compares_items(sub):
            return True
        elif isinstance(sub, ast.Dict) and method == "__getitem__" and None in sub.keys:
            return True  # {**c}
        elif isinstance(sub, ast.keyword) and sub.arg is None and method == "__getitem__":
            return True  # f(**c)
        elif isinstance(sub, (ast.Yield, ast.YieldFrom)) and sub.value is not None and not _literal(sub.value):
            return True
        elif isinstance(sub, (ast.Assign, ast.AnnAssign)):
            targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
            if sub.value is not None and not _literal(sub.value) and any(
                    isinstance(t, ast.Attribute) for target in targets for t in ast.walk(target)):
                return True  # `self.cache = ...`: read later, out of this chain's sight
        elif isinstance(sub, ast.Call):
            name, attribute = _callee_name(sub)
            if attribute and name in mixins:
                return True
            if not attribute and name in _HARMLESS:
                continue
            if attribute and name is not None and name.startswith("assert") and method != "__getitem__":
                continue
            if any(_may_hold(arg.value if isinstance(arg, ast.Starred) else arg) for arg in sub.args) or \
                    any(_may_hold(kw.value) for kw in sub.keywords):
                return True
    return False


class ProtocolUse:
    """Per report: whether a test's chain crosses a protocol link for one of
    a family of dunder methods with no function after it on the chain that
    may run the method. Another chain with no such link keeps the test (as
    impact_rechain). Subclasses say which links count (`_asked`, `_counts`)
    and what running the method looks like in a function (`_runs`)."""

    def __init__(self, walk, guards, depth: int):
        self.walk = walk
        self.guards = guards  # impact_guards.Guards: the def nodes, memoised per index
        self.memo = walk.memo
        self.depth = depth
        self._clean: dict[str, int] | None = None
        self._counted: dict[str, bool] = {}

    def _enabled(self) -> bool:
        raise NotImplementedError

    def _counts(self, name: str) -> bool:
        """Whether a protocol link to a method of this name is one the rule asks about."""
        raise NotImplementedError

    def _asked(self, sym, held: str):
        """What `_runs` needs for a link from `sym` to its holder `held`; None: not asked."""
        raise NotImplementedError

    def _runs(self, scope, sym, asked) -> bool:
        raise NotImplementedError

    def _runs_at(self, scope, sym, asked, last: bool) -> bool:
        """`_runs`, told whether `scope` is the chain's last function."""
        return self._runs(scope, sym, asked)

    def _confined(self, held: str, user: str) -> bool:
        """Whether `user`, next on the chain after the class `held`, keeps
        the instances it makes to itself and runs none of the method."""
        return False

    def rules_out(self, via: tuple[str, ...]) -> bool:
        if not self._enabled() or len(via) < 3:
            return False
        walk = self.walk
        for i in range(len(via) - 2):
            method, held = via[i], via[i + 1]
            reach = walk.reach.get(held)
            if reach is None or reach.how != How.PROTOCOL or reach.kind != How.PROTOCOL:
                continue
            sym = walk.symbol(method)
            if sym is None or not self._counts(sym.name):
                continue
            asked = self._asked(sym, held)
            if asked is None:
                continue
            scopes = []
            for node in via[i + 2:]:
                found = self_scope(walk.symbol(node), walk.symbol)
                if found is not None and found.kind in _CALLABLE and found not in scopes:
                    scopes.append(found)
            if not scopes:
                continue
            if self._confined(held, via[i + 2]) or not any(
                    self._runs_at(scope, sym, asked, k == len(scopes) - 1) for k, scope in enumerate(scopes)):
                if self._clean is None:  # (one walk over the links per report, only when needed)
                    self._clean = self._without_counted_links()
                return via[-1] not in self._clean
        return False

    def _without_counted_links(self) -> dict[str, int]:
        """The reached nodes that the walk's links (every link it saw, not
        only the first per node) reach within the depth without crossing a
        counted protocol link (impact_rechain.levels)."""
        walk = self.walk
        counted = self._counted

        def counted_link(node, user, kind) -> bool:
            if kind != How.PROTOCOL:
                return False
            if node not in counted:
                sym = walk.symbol(node)
                counted[node] = sym is not None and self._counts(sym.name)
            return counted[node]

        return levels(walk, users_of(walk), self.depth, counted_link)


class ContainerUse(ProtocolUse):
    """A mapping's protocol link for an item method (`__getitem__`,
    `__setitem__`, ...), crossed with no function on the chain that may run it."""

    def _enabled(self) -> bool:
        return RULE

    def _counts(self, name: str) -> bool:
        return name in METHODS

    def _asked(self, sym, held: str):
        return self._family_methods(held, sym.name) if self._mapping(held) else None

    def _runs(self, scope, sym, family) -> bool:
        return self._uses(scope, sym.name, family)

    def _uses(self, scope, method: str, family: frozenset[str]) -> bool:
        key = ("container use", scope.qualname, method, family)
        if key not in self.memo:
            node = self.guards.node_of(scope)
            self.memo[key] = True if node is None else uses(node, method, family)  # unknown: kept
        return self.memo[key]

    def _mapping(self, cls: str) -> bool:
        key = ("mapping class", cls)
        if key not in self.memo:
            self.memo[key] = self._bases_mapping(cls)
        return self.memo[key]

    def _bases_mapping(self, cls: str) -> bool:
        seen, todo = set(), [cls]
        while todo:
            current = todo.pop()
            for base in self.walk.graph.base_targets(current):
                if base in _MAPPING_BASES or (base.startswith("builtins.") and base[9:] == "dict"):
                    return True
                if base not in seen:
                    seen.add(base)
                    todo.append(base)
        return False

    def _family_methods(self, cls: str, method: str) -> frozenset[str]:
        """Names of the methods of `cls`, its bases and subclasses (in the
        workspace) whose own body does the operation (`self[key]`)."""
        key = ("container family", cls, method)
        if key not in self.memo:
            graph = self.walk.graph
            classes = {cls}
            todo = [cls]
            while todo:
                current = todo.pop()
                for other in (*graph.base_targets(current), *graph.subclass_names(current)):
                    if other not in classes and graph.symbol(other) is not None:
                        classes.add(other)
                        todo.append(other)
            names = set()
            for owner in sorted(classes):
                for member in graph.members(owner):
                    if member.kind != SymbolKind.METHOD or member.name in names:
                        continue
                    node = self.guards.node_of(member)
                    if node is not None and _does(node, method):
                        names.add(member.name)
            self.memo[key] = frozenset(names)
        return self.memo[key]


def _self(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Name) and expr.id == "self"


def _does(node: ast.AST, method: str) -> bool:
    """The operation itself on `self` in a method's body (`self[key]`,
    `key in self`)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Subscript) and _self(sub.value):
            if (method == "__getitem__" and isinstance(sub.ctx, ast.Load)) or \
                    (method == "__setitem__" and isinstance(sub.ctx, ast.Store)) or \
                    (method == "__delitem__" and isinstance(sub.ctx, ast.Del)):
                return True
        elif isinstance(sub, ast.Compare) and method == "__getitem__" and any(
                isinstance(op, (ast.In, ast.NotIn)) for op in sub.ops) and any(_self(c) for c in sub.comparators):
            return True
    return False
