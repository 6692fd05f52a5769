"""The per-file facts impact's value guards read from the index (issue 12,
made incremental): the keywords of each call, from the tree-sitter tree the
worker already has.

- `calls`: `(first line, last line, callee's last name, keywords)` of every
  call with a named keyword whose callee is a name or an attribute
  (1-based lines, as `ast` numbers them): which keywords library code passes
  when it builds a class (impact_guards `_library_keywords`).
- `dynamic`: the keywords passed, inside a function, to a callee the code
  does not name: a parameter or local of an enclosing function (`cls(...)`),
  a call's result or an item (`type(self)(...)`), or `self.X_class` /
  `self.Upper` / `cls.` alike (impact_guards `_dynamic_keywords`).

They were `ast` scans at query time: the whole workspace for `dynamic` (the
standard library's first tests-affected query took 34 s) and a walk of the
whole file per reference for `calls`.
- `conditions`: per function, the lines that run only under an `if` on a
  name (`conditions` below): a call edge on no such line has no guard, so
  the guards parse a file with `ast` only where a guard may exist. Here they come from the captures the
extractor's query already made (keyword names, written names, parameters):
no second walk of the tree, and the names a function binds are looked at only
for a call whose callee is a plain name, inside a function, with keywords.
"""

from __future__ import annotations

import ast
import operator
from bisect import bisect_left

import tree_sitter as ts
from indexer.graph import python_ast


_START = operator.attrgetter("start_byte")
# The extractor's captures of the names a function's code stores (`ast`'s
# Store context: assignment and loop targets, `with ... as`, `:=`).
_STORES = ("ref.write", "ref.compvar")


def guard_facts(captures: dict, source: bytes) -> tuple[list[tuple], list[str], dict]:
    """(calls, dynamic keywords, conditions) of one file, from the
    extractor's query captures (python-refs.scm). See the module's doc."""
    calls, dynamic = _keywords(captures, source)
    return calls, dynamic, conditions(captures.get("guard.if", ()), source)


def _keywords(captures: dict, source: bytes) -> tuple[list[tuple], list[str]]:
    keywords = captures.get("ref.keyword")
    if not keywords:
        return [], []
    by_call: dict[tuple[int, int], tuple[ts.Node, list[str]]] = {}
    for kw in sorted(keywords, key=_START):
        arguments = kw.parent.parent if kw.parent is not None else None
        call = arguments.parent if arguments is not None and arguments.type == "argument_list" else None
        if call is None or call.type != "call":
            continue
        by_call.setdefault((call.start_byte, call.end_byte), (call, []))[1].append(
            source[kw.start_byte:kw.end_byte].decode("utf-8", "replace"))
    calls: list[tuple] = []
    dynamic: set[str] = set()
    functions = _Functions(captures, source)
    for call, names in by_call.values():
        callee = call.child_by_field_name("function")
        if callee is None:
            continue
        kind = callee.type
        if kind == "identifier":
            name = source[callee.start_byte:callee.end_byte].decode("utf-8", "replace")
        elif kind == "attribute":
            attr = callee.child_by_field_name("attribute")
            name = source[attr.start_byte:attr.end_byte].decode("utf-8", "replace") if attr is not None else None
        else:
            name = None
        if name is not None:
            calls.append((call.start_point[0] + 1, call.end_point[0] + 1, name, tuple(names)))
        if not dynamic.issuperset(names) and functions.dynamic(call, callee, kind, name):
            dynamic.update(names)
    calls.sort()
    return calls, sorted(dynamic)


class _Functions:
    """The functions around a call, and whether one binds a name as `ast`
    sees a function's locals: its own parameters, and every name stored
    anywhere in its body, nested scopes included (`except ... as e` and
    the parameters of nested functions and lambdas are no stores there)."""

    def __init__(self, captures: dict, source: bytes):
        self.captures = captures
        self.source = source
        self.stores: list[ts.Node] | None = None  # sorted on first use
        self.starts: list[int] = []

    def dynamic(self, call: ts.Node, callee: ts.Node, kind: str, name: str | None) -> bool:
        defs = []
        node = call.parent
        while node is not None:
            if node.type == "function_definition":
                defs.append(node)
            node = node.parent
        if not defs:
            return False  # module or class level: no function's code
        if kind in ("call", "subscript"):
            return True
        if kind == "attribute":
            value = callee.child_by_field_name("object")
            return value is not None and value.type == "identifier" \
                and self.source[value.start_byte:value.end_byte] in (b"self", b"cls") \
                and name is not None and (name.endswith("_class") or name[:1].isupper())
        if kind != "identifier" or name == "self":
            return False
        return any(self.binds(d, name.encode()) for d in defs)

    def binds(self, defn: ts.Node, name: bytes) -> bool:
        source = self.source
        if source.count(name, defn.start_byte, defn.end_byte) < 2:
            return False  # only the call names it
        params = defn.child_by_field_name("parameters")
        for node in self.captures.get("bind.param", ()) if params is not None else ():
            if params.start_byte <= node.start_byte < params.end_byte \
                    and source[node.start_byte:node.end_byte] == name:
                return True
        body = defn.child_by_field_name("body")
        if body is None:
            return False
        if self.stores is None:
            self.stores = sorted((n for role in _STORES for n in self.captures.get(role, ())), key=_START)
            self.starts = [n.start_byte for n in self.stores]
        i = bisect_left(self.starts, body.start_byte)
        while i < len(self.stores) and self.starts[i] < body.end_byte:
            node = self.stores[i]
            if source[node.start_byte:node.end_byte] == name and not _caught(node):
                return True
            i += 1
        return False


def _caught(name: ts.Node) -> bool:
    """`except E as name`: `ast` keeps the name as text, not a stored Name."""
    target = name.parent
    pattern = target.parent if target is not None else None
    return pattern is not None and pattern.parent is not None and pattern.parent.type == "except_clause"


# -- conditions: which lines of a function run only under a test on a name ----

# Statements `impact_guards._attributes_required` looks inside (ast's body,
# orelse, finalbody, handlers); a `match` or a nested class it does not.
_THROUGH = frozenset({"block", "if_statement", "elif_clause", "else_clause", "for_statement", "while_statement",
                      "with_statement", "try_statement", "except_clause", "except_group_clause", "finally_clause"})
_NOT_TYPES = ("object", "NoneType", "Any")
# The conditions that may require a name: `self.x`, `x`, `a and b`, `isinstance(x, T)`, `x is not None`.
_TESTS = frozenset({"identifier", "attribute", "boolean_operator", "call", "comparison_operator"})
_FALSY = (None, False, 0, "", ())
_CONSTANTS = frozenset({"integer", "float", "string", "concatenated_string", "true", "false", "none", "ellipsis"})


def conditions(ifs, source: bytes) -> dict[tuple[int, str], list[tuple]]:
    """(line of a function's name, its name) -> regions `(first line, last
    line, atoms)`: the lines of an `if` body (atoms its test requires), or
    those after an `if` that returns or raises (atoms that make it false).
    An atom is `("attr", X)` for `self.X`, `("name", n)` for a plain name,
    `("isinstance", n)` for `isinstance(n, T)` with T excluding None; the
    guards map names to tokens at query time. A line under no region runs
    under no condition: its call edge has no guard, and the guards need not
    parse the file (impact_guards `Guards.guard`).

    The query's captures come in the order their matches finish, which is
    not document order and varied between runs (two PYTHONHASHSEEDs), so the
    `if`s are taken in document order and the keys sorted: the stored bytes
    are a function of the source alone (readers look regions up, in no
    order)."""
    out: dict[tuple[int, str], list[tuple]] = {}
    conditions = _Conditions(source)
    for node in sorted(ifs, key=_START):
        regions = conditions.regions(node)
        owner = _owner(node) if regions else None
        if owner is not None:
            name = owner.child_by_field_name("name")
            key = (owner.start_point[0] + 1 if name is None else name.start_point[0] + 1,
                   "" if name is None else source[name.start_byte:name.end_byte].decode("utf-8", "replace"))
            out.setdefault(key, []).extend(regions)
    return dict(sorted(out.items()))


def _owner(node: ts.Node) -> ts.Node | None:
    """The function whose statements hold `node` (None: module or class
    level, or inside a `match`)."""
    parent = node.parent
    while parent is not None:
        kind = parent.type
        if kind == "function_definition":
            return parent
        if kind not in _THROUGH:
            return None
        parent = parent.parent
    return None


def _first(block: ts.Node) -> ts.Node | None:
    child = block.named_child(0) if block.named_child_count else None
    while child is not None and child.type == "comment":
        child = child.next_named_sibling
    return child


def _last(block: ts.Node) -> ts.Node | None:
    count = block.named_child_count
    child = block.named_child(count - 1) if count else None
    while child is not None and child.type == "comment":
        child = child.prev_named_sibling
    return child


def _first_line(stmt: ts.Node) -> int:
    if stmt.type == "decorated_definition":  # (ast numbers a decorated def by its `def` line)
        definition = stmt.child_by_field_name("definition")
        if definition is not None:
            stmt = definition
    return stmt.start_point[0] + 1


def _unparen(node: ts.Node | None) -> ts.Node | None:
    while node is not None and node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


class _Conditions:
    def __init__(self, source: bytes):
        self.source = source

    def text(self, node: ts.Node) -> str:
        return self.source[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def regions(self, node: ts.Node) -> list[tuple]:
        out = []
        condition, body = node.child_by_field_name("condition"), node.child_by_field_name("consequence")
        alternatives = node.children_by_field_name("alternative")
        clauses = [(condition, body)] + [(a.child_by_field_name("condition"), a.child_by_field_name("consequence"))
                                         for a in alternatives if a.type == "elif_clause"]
        for test, block in clauses:
            atoms = self.requires(test) if block is not None else None
            first = _first(block) if atoms else None
            if first is not None:
                out.append((_first_line(first), _last(block).end_point[0] + 1, tuple(sorted(atoms))))
        if alternatives or body is None:
            return out
        last = _last(body)
        parent = node.parent
        if last is not None and last.type in ("return_statement", "raise_statement") \
                and parent is not None and parent.type == "block":
            atoms = self.negated(condition)
            after = _last(parent) if atoms else None
            if after is not None and after.end_byte > node.end_byte:
                out.append((node.end_point[0] + 2, after.end_point[0] + 1, tuple(sorted(atoms))))
        return out

    def name(self, node: ts.Node | None):
        """`self.X` -> ("attr", X); a plain name -> ("name", n)."""
        node = _unparen(node)
        if node is None:
            return None
        if node.type == "identifier":
            return ("name", self.text(node))
        if node.type == "attribute":
            value = _unparen(node.child_by_field_name("object"))
            attr = node.child_by_field_name("attribute")
            if value is not None and value.type == "identifier" and self.text(value) == "self" and attr is not None:
                return ("attr", self.text(attr))
        return None

    def requires(self, test: ts.Node | None) -> set:
        test = _unparen(test)
        if test is None or test.type not in _TESTS:
            return set()  # (most conditions: a call, a comparison of a call...)
        if test.type == "boolean_operator" and self.operator(test) == "and":
            return self.requires(test.child_by_field_name("left")) | self.requires(test.child_by_field_name("right"))
        atom = self.name(test)
        if atom is not None:
            return {atom}
        given = self.isinstance_of(test)
        if given is not None:
            return {("isinstance", given)}
        compared = self.comparison(test)
        if compared is not None:
            left, op, right = compared
            atom = self.name(left)
            if atom is not None and right.type in _CONSTANTS:
                value = self.constant(right)
                if value is _NOT_CONSTANT:
                    return set()
                if op == "is not" and value is None:
                    return {atom}
                if op in ("is", "==") and value not in _FALSY:
                    return {atom}
        return set()

    def negated(self, test: ts.Node | None) -> set:
        test = _unparen(test)
        if test is None:
            return set()
        if test.type == "boolean_operator" and self.operator(test) == "or":
            return self.negated(test.child_by_field_name("left")) | self.negated(test.child_by_field_name("right"))
        if test.type == "not_operator":
            atom = self.name(test.child_by_field_name("argument"))
            return {atom} if atom is not None else set()
        compared = self.comparison(test)
        if compared is not None and compared[1] == "is" and _unparen(compared[2]).type == "none":
            atom = self.name(compared[0])
            return {atom} if atom is not None else set()
        return set()

    def operator(self, node: ts.Node) -> str:
        op = node.child_by_field_name("operator")
        return op.type if op is not None else ""

    def comparison(self, node: ts.Node):
        """(left, operator, right) of a comparison with one operator."""
        if node.type != "comparison_operator":
            return None
        operands = [c for c in node.named_children if c.type != "comment"]
        ops = node.children_by_field_name("operators")
        if len(ops) != 1 or len(operands) != 2:
            return None
        return operands[0], " ".join(ops[0].text.decode().split()), _unparen(operands[1])

    def constant(self, node: ts.Node):
        if node.type == "string" and any(c.type == "interpolation" for c in node.named_children):
            return _NOT_CONSTANT
        if node.type == "concatenated_string" and any(
                c.type == "interpolation" for s in node.named_children for c in s.named_children):
            return _NOT_CONSTANT
        try:
            return python_ast.literal_eval(self.text(node))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return _NOT_CONSTANT

    def isinstance_of(self, test: ts.Node) -> str | None:
        """`isinstance(name, T)` with T excluding None: the name."""
        if test.type != "call":
            return None
        func, arguments = test.child_by_field_name("function"), test.child_by_field_name("arguments")
        if func is None or func.type != "identifier" or self.text(func) != "isinstance" or arguments is None \
                or arguments.type != "argument_list":
            return None
        args = [c for c in arguments.named_children if c.type != "comment"]
        if len(args) != 2 or _unparen(args[0]).type != "identifier":
            return None
        kinds = _unparen(args[1])
        kinds = [_unparen(k) for k in kinds.named_children if k.type != "comment"] if kinds.type == "tuple" else [kinds]
        if any(k.type in ("keyword_argument", "list_splat", "dictionary_splat") for k in args):
            return None
        if all(k.type in ("identifier", "attribute") and self.text(k).rpartition(".")[2].strip() not in _NOT_TYPES
               for k in kinds):
            return self.text(_unparen(args[0]))
        return None


_NOT_CONSTANT = object()
