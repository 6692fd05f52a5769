"""Instances made through a receiver the index cannot evaluate (issue 12;
the stdlib's json suite after impact_bound's INSTANCE_RULE).

    class PyTest(unittest.TestCase):
        json = import_fresh_module("json", blocked=["_json"])   # opaque

    def test_keys_reuse(self):
        decoder = self.json.decoder.JSONDecoder()   # unresolved call
        self.check_keys_reuse(s, decoder.decode)    # name-matched to decode

The call of `JSONDecoder` is stored unresolved (its receiver chain is a
value nobody can evaluate statically), so the receiver walk (who can hold
an instance of a class, impact._receiver_tests) never reached the test,
and the receiver rule then ruled out its name-matched use of `decode`.
It used to pass only because `json/__init__.py`'s `_default_decoder =
JSONDecoder()` lifted the rule for every test, which INSTANCE_RULE no
longer does.

The rule: in a receiver walk, an unresolved call `<opaque>.C(...)` (an
attribute of an unevaluable receiver, named as a workspace class) is taken
to construct C there: a call use of C, how "name-match", 0.4 shared among
the workspace's classes of that name. A bare unresolved `C(...)` is not
taken (a name the module never binds is another thing: a builtin, a star
import from outside). Only the holder question: the walk of who runs C's
code keeps its resolved callers.

Only up to impact.GUARD_MAX_FILES Python files, as the other recall rules.
Of the 16 evaluated projects' indexes, only attrs has such calls (three, in
a doctest: `attr.VersionInfo(...)`); evals.impact at depth 8 on click,
tenacity, voluptuous, marshmallow and attrs gives the same figures at every
threshold with the rule on and off. Its memo is one entry: an entry per
class asked made IMPACT_MEMO's table start over sooner, which moved click's
conf>=0.3 row (22,717 -> 22,351 predicted pairs; default selection unchanged).
"""

from __future__ import annotations

from indexer.graph.text import char_column
from indexer.graph.vocab import How, RefKind, SymbolKind

RULE = True  # switch, for its test


def opaque_makers(walk, cls: str) -> list[tuple[str, str, float, str]]:
    """Synthetic call uses (enclosing, kind, confidence, how) of class `cls`
    by the code that calls `<opaque>.Name(...)`, Name being its name. Memoised
    in one entry of `walk.memo` (the shared table starts over when it holds
    too many: an entry per class asked would make it do so sooner)."""
    if not RULE or walk.runs:
        return []
    table = walk.memo.setdefault(("opaque makers",), {})
    if cls not in table:
        out: list[tuple[str, str, float, str]] = []
        sym = walk.symbol(cls)
        calls = walk.graph.unresolved_calls(sym.name) if sym is not None and sym.kind == SymbolKind.CLASS else ()
        lines: dict[str, list[str]] = {}
        seen: set[str] = set()
        for enclosing, path, line, column in calls:
            if enclosing in seen or not _on_attribute(walk.graph, lines, path, line, column):
                continue
            seen.add(enclosing)
            out.append((enclosing, RefKind.CALL, How.NAME_MATCH.confidence, How.NAME_MATCH))
        if out:
            # A name match's confidence is shared among the classes of that name.
            share = max(_namesakes(walk.graph, sym.name), 1)
            out = [(e, k, c / share, h) for e, k, c, h in out]
        table[cls] = out
    return table[cls]


def _namesakes(graph, name: str) -> int:
    return sum(1 for q in graph.qualnames_named(name) if (s := graph.symbol(q)) is not None
               and s.kind == SymbolKind.CLASS)


def _on_attribute(graph, lines: dict, path: str, line: int, column: int) -> bool:
    """Whether the name at (line, UTF-16 column) follows a `.`: `x.Name`."""
    if path not in lines:
        try:
            with open(graph.root / path, "rb") as f:
                lines[path] = f.read().decode("utf-8", "replace").split("\n")
        except OSError:
            lines[path] = []
    text = lines[path][line] if line < len(lines[path]) else ""
    return text[:char_column(text, column)].rstrip().endswith(".")
