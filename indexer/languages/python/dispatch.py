"""Dynamic dispatch the Python resolver can still follow (issue 12).

1. A computed `getattr` name: `getattr(self, f"_compare_{kind}")(...)`
   (packaging's Specifier), `getattr(obj, "visit_" + kind)`,
   `getattr(obj, "do_%s" % cmd)`, `getattr(obj, "on_{}".format(e))`. The
   literal pieces of the name make a glob (`_compare_*`); the extractor
   records it as one reference of flow "getattr-match" whose name is that
   glob, and the resolver links it to every method of the receiver's class
   (and its bases) the glob matches, at How.GETATTR_MATCH's confidence
   (below a literal getattr's: any one of them may run). The reference keeps
   the glob as its name, so a rename never rewrites the f-string.
   A glob with fewer than two literal characters (`f"{x}"`, `f"_{x}"`)
   names nothing. Workspace subclasses of the receiver's class are not
   searched (the provider has no index of subclasses).
   A descriptor told its attribute name by `__set_name__` (packaging's
   `_Validator.__get__`: `getattr(self, f"_process_{self.name}")`) runs
   `_process_X` only for reads of an owner's attribute X (`X = _Validator()`
   in class Metadata): the extractor names such a reference `_process_{name}`
   (its one hole is `self.name`, the receiver `self`), and when the class
   defines `__set_name__` the resolver links each match from the class
   attributes X holding an instance of it (found by name, in any module)
   instead of from the method doing the getattr. No owner found: as before.
   Found (evals.impact, depth 8, default selection, against the merged code
   of the same day on all 16 projects): packaging -1145 false / -67 true
   pairs, R 0.911 -> 0.889, P 0.436 -> 0.525; the 15 others unchanged. The
   67 are `Metadata.from_raw(validate=True)`'s `getattr(ins, key)` over
   every field: a computed name with no literal piece, which links nothing.
2. The value of an operator expression: `a + b` is what the dunder it runs
   (`a.__add__`) returns, likewise `-a` and `a < b`; see `operator_expr`
   and Resolver._eval's "op". `a[k]` is its __getitem__'s result when that
   is known (resolve.GETITEM_RESULT).

What each finds (evals.impact, depth 8, default selection, switches off ->
on in the same run; the 14 projects of issue 12 unchanged except where named):
- computed getattr: none of the 14 projects has one in its own code (0
  pairs). packaging 24.1 (Specifier's `_compare_*`, static recall 0 before):
  +240 true / +1733 false pairs, R 0.837 -> 0.915, P 0.494 -> 0.392 (neither
  at the goal): a `contains` test reaches every operator's method, coverage
  sees only the operators it uses. Costs one glob match per class member
  per computed getattr.
- operator values: tenacity +4 true / 0 false pairs (`(stop_a | stop_b)(rs)`
  runs stop_any.__call__), packaging +20 true / +7 false; the other 13
  projects unchanged. pyparsing 3.1.4: ParserElement.parse_string has 46
  resolved references (33 before; jedi finds 37, 32 of them shared; of the
  13 new ones jedi finds 12; the 13th, tests/test_unit.py:246, is one too:
  `parser = White(...).set_results_name(...) + Word(...)`). Its impact
  (both rules; far from the goal either way): 641 references gained (301
  dunder, 273 annotation), 349 lost (300 name-match guesses now typed, 49
  unresolved); pairs -1045 true / -1561 false, micro R 0.897 -> 0.888,
  P 0.287 -> 0.286, macro R 0.830 -> 0.834 (why typed references lose
  pairs the guesses found is not yet looked into).
"""

from __future__ import annotations

import re

import tree_sitter as ts

# Switch for the computed-getattr references (for their test's on/off case).
GETATTR_PATTERNS = True
# Switch for `getattr(x, name)(...)` with no literal piece in the name: one
# reference named "*" of flow "getattr-any" (resolve.Resolver.resolve_flow).
GETATTR_ANY = True
# Switch for the operator expressions' values (expressions.expr_of).
OPERATOR_VALUES = True
# Switch for the descriptor rule: a computed getattr on self whose one hole
# is `self.A`, in a class defining `__set_name__`, links each matching member
# to the owner class attributes (`X = C()`) whose names fill the hole, not
# to the method doing the getattr (usually `__get__`).
SET_NAME_HOLES = True
_HOLE = re.compile(r"\{(\w+)\}")

BINARY = {
    "+": "__add__", "-": "__sub__", "*": "__mul__", "@": "__matmul__", "/": "__truediv__", "//": "__floordiv__",
    "%": "__mod__", "**": "__pow__", "<<": "__lshift__", ">>": "__rshift__", "&": "__and__", "^": "__xor__",
    "|": "__or__",
}
UNARY = {"-": "__neg__", "+": "__pos__", "~": "__invert__"}
COMPARE = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__", "==": "__eq__", "!=": "__ne__"}

_WORD = re.compile(r"\w*")
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifx]")
_BRACES = re.compile(r"\{[^{}]*\}")
_MIN_LITERAL = 2


def operator_dunder(node: ts.Node) -> tuple[ts.Node | None, str] | None:
    """(the operand whose class runs it, the dunder) of an operator node."""
    kind = node.type
    if kind == "binary_operator":
        op = node.child_by_field_name("operator")
        name = BINARY.get(op.type) if op is not None else None
        return (node.child_by_field_name("left"), name) if name else None
    if kind == "unary_operator":
        op = node.child_by_field_name("operator")
        name = UNARY.get(op.type) if op is not None else None
        return (node.child_by_field_name("argument"), name) if name else None
    if kind == "comparison_operator" and len(node.children) == 3:  # `a < b`; a chain is a bool
        name = COMPARE.get(node.children[1].type)
        return (node.children[0], name) if name else None
    return None


def _string_parts(node: ts.Node) -> list[str | None] | None:
    """A string's pieces: literal text, None for an interpolation."""
    if node.type == "concatenated_string":
        out: list[str | None] = []
        for child in node.named_children:
            parts = _string_parts(child)
            if parts is None:
                return None
            out += parts
        return out
    if node.type != "string":
        return None
    out = []
    for child in node.named_children:
        if child.type == "string_content":
            out.append(child.text.decode("utf-8", "replace"))
        elif child.type == "interpolation":
            out.append(None)
        elif child.type not in ("string_start", "string_end"):
            return None  # escape sequences and the like: not a method's name
    return out


def _split(text: str, holes: re.Pattern) -> list[str | None]:
    out: list[str | None] = []
    last = 0
    for match in holes.finditer(text):
        out += [text[last:match.start()], None]
        last = match.end()
    return out + [text[last:]]


def _name_parts(node: ts.Node, depth: int = 0) -> list[str | None] | None:
    if depth > 8:
        return None
    if node.type in ("string", "concatenated_string"):
        return _string_parts(node)
    if node.type == "parenthesized_expression" and node.named_children:
        return _name_parts(node.named_children[0], depth + 1)
    if node.type == "binary_operator":
        op = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op is None or left is None or right is None:
            return None
        if op.type == "+":
            lhs = _name_parts(left, depth + 1) or [None]
            rhs = _name_parts(right, depth + 1) or [None]
            return lhs + rhs
        if op.type == "%" and left.type == "string":
            parts = _string_parts(left)
            if parts is None or None in parts:
                return None
            return _split("".join(parts), _PERCENT)  # type: ignore[arg-type]
        return None
    if node.type == "call":  # "on_{}".format(x)
        func = node.child_by_field_name("function")
        if func is None or func.type != "attribute" or func.child_by_field_name("attribute").text != b"format":
            return None
        obj = func.child_by_field_name("object")
        parts = _string_parts(obj) if obj is not None else None
        if parts is None or None in parts:
            return None
        return _split("".join(parts), _BRACES)  # type: ignore[arg-type]
    return None


def getattr_pattern(node: ts.Node) -> str | None:
    """The glob a computed getattr name makes (`_compare_*`), or None when
    its literal pieces are not part of an identifier or say too little."""
    parts = _name_parts(node)
    if parts is None or None not in parts:
        return None
    glob = ""
    for part in parts:
        if part is None:
            if not glob.endswith("*"):
                glob += "*"
        elif _WORD.fullmatch(part):
            glob += part
        else:
            return None
    if len(glob.replace("*", "")) < _MIN_LITERAL or glob[0].isdigit():
        return None
    return glob


def set_name_hole(receiver: ts.Node, name: ts.Node) -> str | None:
    """`getattr(self, f"_process_{self.name}")`: the attribute of self that
    fills the name's one hole ("name"), else None. A descriptor whose
    `__set_name__` stored the attribute name it is bound to there reaches
    `_process_X` only through reads of the owner's attribute X (the
    resolver's getattr-match rule; SET_NAME_HOLES)."""
    if not SET_NAME_HOLES or receiver.type != "identifier" or receiver.text != b"self" or name.type != "string":
        return None
    holes = [c for c in name.named_children if c.type == "interpolation"]
    if len(holes) != 1 or len(holes[0].named_children) != 1:
        return None  # a conversion or format spec: not the name itself
    expr = holes[0].named_children[0]
    if expr.type != "attribute":
        return None
    obj, attr = expr.child_by_field_name("object"), expr.child_by_field_name("attribute")
    if obj is None or attr is None or obj.type != "identifier" or obj.text != b"self":
        return None
    return attr.text.decode("utf-8", "replace")


def split_hole(name: str) -> tuple[str, str | None]:
    """(glob, the set-name attribute or None) of a getattr-match reference's
    name: `_process_*` or `_process_{name}` (see set_name_hole)."""
    match = _HOLE.search(name)
    if match is None:
        return name, None
    return name[:match.start()] + "*" + name[match.end():], match.group(1)


def glob_matcher(glob: str) -> re.Pattern:
    return re.compile(".*".join(re.escape(piece) for piece in glob.split("*")))


def matching_members(resolver, qualname: str, glob: str) -> list[str]:
    """Qualnames of the members of class `qualname` and its workspace bases
    whose names the glob matches (the nearest definition of each name)."""
    matcher = glob_matcher(glob)
    found: dict[str, str] = {}
    seen: set[str] = set()
    todo = [qualname]
    while todo and len(seen) < 32:
        current = todo.pop(0)
        if current in seen:
            continue
        seen.add(current)
        info = resolver.class_info(current)
        if info is None:
            continue
        for name, member in info.members.items():
            if name not in found and matcher.fullmatch(name):
                found[name] = member
        todo += [base[1] for base in resolver.bases_of(info, 0) if base[0] == "class"]
    return [found[name] for name in sorted(found)]
