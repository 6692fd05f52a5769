"""impact_guards._own_node parses a def/class from its own lines: the node
must be the one a parse of the whole file gives, positions included."""

import ast
import types
from pathlib import Path

import pytest

from indexer.analysis import impact_guards

SOURCE = '''\
import functools


@functools.lru_cache(
    maxsize=None,
)
def cached(a, b=None):
    return a


class Outer:
    """Doc
@not_a_decorator
    """

    @property
    @functools.wraps(
        cached)
    def value(self, flag=False):
        def inner(x=0):
            if flag:
                return x
        return inner

    async def later(self, *, key=""):
        text = """
starts at column 0
"""
        return key
\x0c
def after_form_feed(y=()):
    return [
y]
'''


def _symbols(tree: ast.Module):
    # The ranges the index stores: the def line (not its decorators) to the end.
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node, types.SimpleNamespace(
                name=node.name,
                range=types.SimpleNamespace(start=types.SimpleNamespace(line=node.lineno - 1),
                                            end=types.SimpleNamespace(line=node.end_lineno - 1)),
                selection_range=types.SimpleNamespace(start=types.SimpleNamespace(line=node.lineno - 1)))


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_own_lines_give_the_whole_file_node(tmp_path: Path, newline: str):
    path = tmp_path / "mod.py"
    path.write_bytes(SOURCE.replace("\n", newline).encode())
    names = []
    for node, sym in _symbols(ast.parse(SOURCE)):
        own = impact_guards._own_node(path, sym)
        assert own is not None, sym.name
        assert ast.dump(own, include_attributes=True) == ast.dump(node, include_attributes=True)
        names.append(sym.name)
    assert sorted(names) == ["Outer", "after_form_feed", "cached", "inner", "later", "value"]


def test_a_line_that_may_end_a_decorator_parses_the_whole_file(tmp_path: Path):
    source = "@deco(a,\nb)\ndef f(x=None):\n    return x\n"
    path = tmp_path / "mod.py"
    path.write_text(source)
    node, sym = next(_symbols(ast.parse(source)))
    assert node.decorator_list and impact_guards._own_node(path, sym) is None


OVERLOADED = {
    "lib.py": """
        from typing import overload

        @overload
        def invoke(callback: int) -> int: ...

        @overload
        def invoke(callback: str) -> str: ...

        def invoke(callback):
            return callback
        """,
}


def test_node_of_tells_apart_definitions_that_share_a_qualname(tmp_path):
    """`@overload` stubs (and a property's setter) share the implementation's
    qualname: the memoised node is per definition, so which one a walk asked
    for first does not change the answer for the other (click: the guards of
    `Context.invoke` read through its stub made the selection depend on the
    order of the queries)."""
    from indexer.analysis.impact_guards import Guards
    from tests.support import build

    indexer, g = build(tmp_path, OVERLOADED)
    stub, *_, impl = sorted(g.symbols("lib.invoke"), key=lambda s: s.range.start.line)
    guards = Guards(g, {})
    assert guards.node_of(stub).lineno == stub.selection_range.start.line + 1
    assert guards.node_of(impl).lineno == impl.selection_range.start.line + 1
    assert guards.node_of(impl).body[0].lineno != guards.node_of(stub).body[0].lineno
    indexer.close()
