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
whole file per reference for `calls`. Here they come from the captures the
extractor's query already made (keyword names, written names, parameters):
no second walk of the tree, and the names a function binds are looked at only
for a call whose callee is a plain name, inside a function, with keywords.
"""

from __future__ import annotations

import operator
from bisect import bisect_left

import tree_sitter as ts

_START = operator.attrgetter("start_byte")
# The extractor's captures of the names a function's code stores (`ast`'s
# Store context: assignment and loop targets, `with ... as`, `:=`).
_STORES = ("ref.write", "ref.compvar")


def guard_facts(captures: dict, source: bytes) -> tuple[list[tuple], list[str]]:
    """(calls, dynamic keywords) of one file, from the extractor's query
    captures (python-refs.scm); see the module's doc."""
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
