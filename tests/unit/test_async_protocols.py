"""`async for` and `async with` run the asynchronous protocol methods of
their operand (issue 12, tenacity: `async for attempt in AsyncRetrying(...)`
runs `__aiter__`/`__anext__`; with no link 67 of the missed pairs in the
top-30 functions were there). One case per statement, and the off-cases:
the synchronous statements keep their own methods, an operand outside the
workspace gets no link."""

from __future__ import annotations

import pytest

from indexer.analysis.impact import impact
from indexer.languages.python.extract import extract
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

SOURCE = b"""
import asyncio

class R:
    def __aiter__(self): return self
    async def __anext__(self): raise StopAsyncIteration
    async def __aenter__(self): return self
    async def __aexit__(self, *a): pass
    def __iter__(self): return iter(())
    def __enter__(self): return self
    def __exit__(self, *a): pass

async def uses():
    r = R()
    async for x in r:
        pass
    async with R() as y:
        pass
    for z in r:
        pass
    with r:
        pass
    async for q in asyncio.Queue():
        pass
"""


@pytest.mark.parametrize("line, wanted", [
    (14, {"__aiter__", "__anext__"}),     # async for x in r
    (16, {"__aenter__", "__aexit__"}),    # async with R() as y
    (18, {"__iter__", "__next__"}),       # a plain for runs __iter__ and __next__ (OPERAND_PROTOCOLS,
                                          # ITERATING_BUILTINS), never the async pair
    (20, {"__enter__", "__exit__"}),      # a plain with keeps its methods
])
def test_the_statement_names_its_protocol_methods(line, wanted):
    facts = extract(SOURCE, "m.py", "m")
    got = {r.name for r in facts.refs if r.kind == "implicit" and r.span[0] == line}
    assert got == wanted


def test_only_workspace_operands_get_a_link(tmp_path):
    indexer, g = build(tmp_path, {"m.py": SOURCE.decode()})
    lines: dict[str, set[int]] = {}
    for ref in g.references_from("m.uses"):
        lines.setdefault(ref.target, set()).add(ref.range.start.line)
    assert lines.get("m.R.__aiter__") == {13} and lines.get("m.R.__anext__") == {13}  # (the file loses its first newline)
    assert lines.get("m.R.__aenter__") == {15} and "m.R.__enter__" in lines
    assert not any(target.startswith("asyncio.") and "__a" in target for target in lines)  # the Queue
    indexer.close()


WORKSPACE = {
    "lib.py": """
        class Retrying:
            def __init__(self, attempts):
                self.attempts = attempts

            def __aiter__(self):
                return self

            async def __anext__(self):
                if not self.attempts:
                    raise StopAsyncIteration
                self.attempts -= 1
                return self.attempts

        class Guard:
            async def __aenter__(self):
                return self

            async def __aexit__(self, *exc):
                return False
        """,
    "tests/test_lib.py": """
        import asyncio
        from lib import Guard, Retrying

        def test_async_for():
            async def run():
                async for attempt in Retrying(3):
                    pass
            asyncio.run(run())

        def test_async_with():
            async def run():
                async with Guard():
                    pass
            asyncio.run(run())

        def test_neither():
            assert Retrying(0).attempts == 0
        """,
}


@pytest.mark.parametrize("changed, wanted", [
    ("lib.Retrying.__anext__", "tests/test_lib.py::test_async_for"),
    ("lib.Retrying.__aiter__", "tests/test_lib.py::test_async_for"),
    ("lib.Guard.__aenter__", "tests/test_lib.py::test_async_with"),
    ("lib.Guard.__aexit__", "tests/test_lib.py::test_async_with"),
])
def test_a_change_to_an_async_protocol_method_selects_the_tests_using_the_statement(tmp_path, changed, wanted):
    indexer, g = build(tmp_path, WORKSPACE)
    got = selected(impact(g, changed))
    assert wanted in got
    assert "tests/test_lib.py::test_neither" not in got
    indexer.close()
