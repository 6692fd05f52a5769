"""The operand protocols' uses in large workspaces (issue 12 and the
stdlib selection goal): the Python extractor records `a + b`, `-a`,
`a < b`, `a == b`, `for x in a`, `len(a)`, `isinstance(a, T)` ... as uses
of the operand's dunder (how "dunder") when the operand is a workspace
instance (extract.OPERAND_PROTOCOLS, schema 21). On the stdlib they made
the slowest of `evals.bench_learn --no-project`'s 200 selections 1.3-2.1 s
against main's 0.8-1.0 s in three alternated runs (p95 209-251 ms against
150-188 ms): a change to a value class's `__eq__` or `__iter__` reaches
every comparison and loop over its instances.

So above impact._recall_rules_scale's 600 Python files the walk does not
follow them, as it leaves out the other recall rules for unseen projects;
the references stay in the index (refs, call hierarchy, hover counts).
`in`, subscripts, `with` and calls of instances (schemas 17-19) are kept:
they are older and within the goal.
"""

from __future__ import annotations

from indexer.graph.vocab import How, RefKind

RULE = True  # switch, for its test
_BINARY = ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift", "and", "xor", "or")
OPERAND_DUNDERS = frozenset(
    [f"__{n}__" for n in _BINARY] + [f"__r{n}__" for n in _BINARY] + [f"__i{n}__" for n in _BINARY]
    + ["__neg__", "__pos__", "__invert__", "__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__", "__iter__",
       "__len__", "__str__", "__repr__", "__hash__", "__bool__", "__reversed__", "__round__", "__abs__", "__int__",
       "__float__", "__complex__", "__bytes__", "__dir__", "__format__", "__next__", "__index__", "__dict__",
       "__divmod__", "__rdivmod__", "__class__", "__setattr__"])


def drop_operand_uses(incoming: dict) -> None:
    """Remove, in place, the operand protocols' dunder uses from one walk
    level's incoming uses ({callee: [(enclosing, kind, conf, how)]})."""
    if not RULE:
        return
    for callee, uses in incoming.items():
        if callee.rpartition(".")[2] in OPERAND_DUNDERS and any(u[3] == How.DUNDER for u in uses):
            incoming[callee] = [u for u in uses if u[3] != How.DUNDER]


# `a + b` is recorded as a use of a's `__add__` and of b's `__radd__`, both
# on the `+` token. Python runs the reflected one only when the forward one
# is missing or gives up (NotImplemented). Where the forward use at the same
# token is the `__add__` of the very class whose `__radd__` the walk reached
# (one family that defines both: pyparsing's ParserElement), the family's
# own forward method takes its own instances: the reflected link is not
# followed (`Empty() + StringEnd()` in `parse_string` never runs
# `ParserElement.__radd__`, which had made every test that parses look able
# to hold a SkipTo). A reflected use with no such forward use is kept, and
# so is one whose forward method puts its operand on the right of an
# operator again (wrapt's `return self.__wrapped__ + other`: the wrapped
# value's method gives up, and the other proxy's `__radd__` runs).
# Default selection, depth 8, off against all on: pyparsing -1,015
# predicted pairs, -22 true (P 0.433 -> 0.435), tenacity -1 predicted; the
# other fourteen identical (wrapt too, with the pass-on exception).
REFLECTED_RULE = True  # switch, for its test
_REFLECTED = {f"__r{n}__": (f"__{n}__", f"__i{n}__") for n in _BINARY}


def drop_reflected_uses(graph, memo: dict, incoming: dict) -> None:
    """Remove, in place, the reflected-operator uses (`__radd__`) whose every
    use in the user sits at a forward use (`__add__`, `__iadd__`) of the same
    class."""
    if not REFLECTED_RULE:
        return
    for callee, uses in incoming.items():
        owner, _, name = callee.rpartition(".")
        forward = _REFLECTED.get(name)
        if forward is None or not any(u[3] == How.DUNDER for u in uses):
            continue
        incoming[callee] = [u for u in uses if u[3] != How.DUNDER
                            or not _forward_taken(graph, memo, callee, [f"{owner}.{f}" for f in forward], u[0])]


def _forward_taken(graph, memo: dict, callee: str, forward: list[str], user: str) -> bool:
    key = ("reflected taken", callee, user)
    if key not in memo:
        kinds = tuple(RefKind)
        at = {(r.path, r.range.start.line, r.range.start.character) for f in forward
              if not _passes_on(graph, memo, f) for r in graph.uses_in(f, user, kinds)}
        mine = graph.uses_in(callee, user, kinds)
        memo[key] = bool(mine) and all((r.path, r.range.start.line, r.range.start.character) in at for r in mine)
    return memo[key]


def _operator_call(node, other: str) -> bool:
    """`operator.itruediv(self.__wrapped__, other)`"""
    import ast

    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
        and isinstance(node.func.value, ast.Name) and node.func.value.id == "operator" \
        and any(isinstance(a, ast.Name) and a.id == other for a in node.args[1:])


def _passes_on(graph, memo: dict, forward: str) -> bool:
    """Whether the forward method writes its operand (its second parameter)
    as the right operand of an operator (`self.__wrapped__ + other`,
    `operator.itruediv(self.__wrapped__, other)`), or is not sure to be a
    plain def (then it may)."""
    key = ("operand passed on", forward)
    if key not in memo:
        import ast
        from pathlib import Path

        from indexer.analysis.impact_guards import _own_node  # (the def from its own lines)

        sym = graph.symbol(forward)
        func = _own_node(Path(graph.root) / sym.path, sym) if sym is not None else None
        params = func.args.posonlyargs + func.args.args if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) \
            else []
        if len(params) < 2:
            memo[key] = True
        else:
            other = params[1].arg
            memo[key] = any(isinstance(node, ast.BinOp) and isinstance(node.right, ast.Name) and node.right.id == other
                            or isinstance(node, ast.AugAssign) and isinstance(node.value, ast.Name)
                            and node.value.id == other
                            or _operator_call(node, other) for node in ast.walk(func))
    return memo[key]
