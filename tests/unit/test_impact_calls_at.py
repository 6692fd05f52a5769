"""impact_params._call_at finds a use's call among the calls spanning its
line (impact_guards._Source.calls_on) with the same answer as a scan of
every call of the file: nested, chained and multi-line calls."""

from __future__ import annotations

import ast
import textwrap
from types import SimpleNamespace

import pytest

from indexer.analysis import impact_params
from indexer.analysis.impact_guards import _Source
from indexer.graph.model import Position, Range

SOURCE = textwrap.dedent("""
    f(g(x), h(
        y,
        k(z)),
      w)
    a.b(c)(d)
    partial(define, frozen=True)
    plain = name
    """)


def _uses(tree):
    return [(n.lineno, n.col_offset) for n in ast.walk(tree) if isinstance(n, ast.Name)]


@pytest.mark.parametrize("by_line", [True, False])
def test_call_at_reads_the_calls_of_the_line(monkeypatch, by_line):
    source = _Source(ast.parse(SOURCE))
    guards = SimpleNamespace(source=lambda path: source)
    monkeypatch.setattr(impact_params, "CALLS_BY_LINE", False)
    refs = [SimpleNamespace(path="m.py", range=Range(Position(line - 1, col), Position(line - 1, col + 1)))
            for line, col in _uses(source.tree)]
    scanned = [impact_params._call_at(guards, ref) for ref in refs]
    monkeypatch.setattr(impact_params, "CALLS_BY_LINE", by_line)
    assert [impact_params._call_at(guards, ref) for ref in refs] == scanned
    assert scanned.count(None) == 2  # `plain = name`
    # `k(z)` on the third line: its own call, inside h(...) inside f(...).
    z = refs[[ast.unparse(n) for n in ast.walk(source.tree) if isinstance(n, ast.Name)].index("z")]
    assert ast.unparse(impact_params._call_at(guards, z)) == "k(z)"
