"""Doctest examples are code (issue 12, decorator).

    doc = r'''                              # a module's string (its `__doc__`, a docstring)
    >>> @decorator
    ... def trace(f, *args, **kw): ...
    >>> trace(g)(1)
    '''

    class DocumentationTestCase(unittest.TestCase):
        def test(self):
            doctest.testmod(doc)                # runs every example of module `doc`

The `>>>` lines and their `...` continuations, written in a string literal
anywhere in a file, are parsed as Python, as the body of one synthetic
function of the module, `<module>.__doctest__`, whose uses keep the
positions they have inside the strings. Its globals are the module's, as
doctest's are. A call of `doctest.testmod(m)` or `doctest.DocTestSuite(m)`
is a call use of `m.__doctest__` (the extractor's `runner_ref`), so a change
to what the examples call reaches the test that runs them.

Cost: one scan of the file for `>>>` (files without one stop there), then
one parse and sweep of the example lines only. On the standard library
(1,790 files, 87 with examples: +1,405 symbols, +11,190 references),
extraction CPU +1.5% (22.9 s against 22.5 s, each file extracted with the
rule on and off in turn, load average about 7 on 2 cores).

Measured (sixteen projects, depth 8, default selection, the rule switched
off in the final code, same cached truth): decorator +10 true pairs, no
false one (0.771 / 0.853 -> 0.867 / 0.867 with the returned closures of
extract.py); the other fifteen identical. What the examples define is no
name-match target (resolve.py `_DOCTEST_PART`): before that, boltons'
examples' classes took guesses, +6 false pairs.
"""

from __future__ import annotations

import re

from indexer.languages.base import FileFacts, RefFact, ScopeFact

DOCTESTS = True  # switch, for its test
NAME = "__doctest__"
# The functions of `doctest` that run a module's examples, given the module first.
RUNNERS = frozenset({"testmod", "DocTestSuite"})
_PS1 = re.compile(rb"^([ \t]*)>>>(?: |$)", re.M)
_HEADER = b"def " + NAME.encode() + b"():"


def _utf16(text: bytes) -> int:
    if text.isascii():
        return len(text)
    return len(text.decode("utf-8", "replace").encode("utf-16-le")) // 2


def example_source(source: bytes, root) -> tuple[bytes, dict[int, int]] | None:
    """The examples' code as a module holding one function `__doctest__`
    whose body lines sit on the rows they have in `source`, each indented
    by one space; and per row, what to add to a column of that row to get
    the original column. None when `source` holds no example."""
    if b">>>" not in source:
        return None
    starts = _line_starts(source)
    rows: dict[int, bytes] = {}
    shift: dict[int, int] = {}
    for match in _PS1.finditer(source):
        row = _row_of(starts, match.start())
        if row == 0 or row in rows:
            continue  # (row 0 holds the function's header)
        indent = match.group(1)
        at = match.start() + len(indent)
        node = root.descendant_for_byte_range(at, at)
        if node is None or node.type != "string_content":
            continue  # not in a string literal
        prompt = len(indent) + 3
        more = indent + b"..."
        r = row
        while r < len(starts):
            end = starts[r + 1] - 1 if r + 1 < len(starts) else len(source)
            line = source[starts[r]:end].rstrip(b"\r")
            if r > row and not (line.startswith(more) and (len(line) == prompt or line[prompt] == 32)):
                break  # the example's `...` lines end
            code_at = min(prompt + 1, len(line))
            rows[r] = line[code_at:]
            shift[r] = _utf16(line[:code_at]) - 1
            r += 1
    if not rows:
        return None
    lines = [_HEADER] + [b" " + rows[r] if r in rows else b"" for r in range(1, max(rows) + 1)]
    return b"\n".join(lines) + b"\n", shift


def _line_starts(source: bytes) -> list[int]:
    starts = [0]
    at = source.find(b"\n")
    while at >= 0:
        starts.append(at + 1)
        at = source.find(b"\n", at + 1)
    return starts


def _row_of(line_starts: list[int], offset: int) -> int:
    lo, hi = 0, len(line_starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if line_starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _span(span, shift: dict[int, int]):
    r0, c0, r1, c1 = span
    return (r0, c0 + shift.get(r0, 0), r1, c1 + shift.get(r1, 0))


def merge(facts: FileFacts, examples: FileFacts, shift: dict[int, int]) -> None:
    """Adds the examples' function (symbol 1 of `examples`, a module of its
    own) and everything in it to `facts`: the examples' module symbol and
    scope become `facts`' own, so their names resolve in the module."""
    if len(examples.symbols) < 2 or examples.symbols[1].name != NAME:
        return
    base_sym, base_scope = len(facts.symbols) - 1, len(facts.scopes) - 1

    def sym_at(i: int) -> int:
        return i if i <= 0 else i + base_sym

    def scope_at(i: int) -> int:
        return i if i <= 0 else i + base_scope

    rows = sorted(shift)
    first, last = rows[0], rows[-1]
    for i, sym in enumerate(examples.symbols[1:], 1):
        if i == 1:
            sym.span = (first, shift[first] + 1, last + 1, 0)
            sym.name_span = (first, shift[first] + 1, first, shift[first] + 1)
            sym.signature = f"def {NAME}()"
        else:
            sym.span, sym.name_span = _span(sym.span, shift), _span(sym.name_span, shift)
        sym.qualname = facts.module + sym.qualname[len(examples.module):]
        sym.parent = sym_at(sym.parent)
        facts.symbols.append(sym)
    for scope in examples.scopes[1:]:
        names = {name: ("def", sym_at(b[1])) if b[0] == "def" else b for name, b in scope.names.items()}
        facts.scopes.append(ScopeFact(scope.kind, sym_at(scope.symbol), scope_at(scope.parent), names))
    facts.scopes[0].names.setdefault(NAME, ("def", sym_at(1)))
    for ref in examples.refs:
        if ref.scope == 0:
            continue  # (the module level of the examples' source holds only the def)
        ref.span = _span(ref.span, shift)
        ref.scope = scope_at(ref.scope)
        if ref.owner > 0:
            ref.owner = sym_at(ref.owner)
        facts.refs.append(ref)
    facts.imports.extend(examples.imports)


def runner_ref(span, name: str, receiver, scope: int) -> RefFact | None:
    """`doctest.testmod(m)`: a call use of `m.__doctest__` (None for other calls)."""
    if not DOCTESTS or name not in RUNNERS or receiver is None:
        return None
    return RefFact(span, NAME, "call", scope, receiver=receiver)

