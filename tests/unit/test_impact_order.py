"""An impact answer does not depend on the queries asked before it in the
same process (impact_order): the receiver walks of two classes that reach
each other through dispatches form a cycle, broken by a placeholder; a
nested walk that read it was memoised as the class's own answer. Each case:
a function queried alone (fresh memo) and after other queries, in both
orders, answers alike; checked with the rule on and switched off."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_order
from indexer.analysis.impact import IMPACT_MEMO, impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)

# A.make makes a B, B.step makes an A: each reached by a dispatch in Base
# (`self.make()` in build, `self.step()` in run), so each class's receiver
# walk asks for the other's. test_build_c runs Base.build on a C, which
# dispatches to B.make too, but it holds no B: B's holders leave it out,
# unless they were walked inside A's walk (A.make under way, read as "no
# constraint") and kept so for a later query of B.make.
CYCLE = {
    "lib.py": """
        class Base:
            def run(self):
                return self.step()

            def build(self):
                return self.make()

            def step(self):
                return 0

            def make(self):
                return 0

        class A(Base):
            def make(self):
                return B()

        class B(Base):
            def step(self):
                return A()

            def make(self):
                return 1

        class C(Base):
            pass
        """,
    "tests/test_lib.py": """
        from lib import A, B, C

        def test_build_a():
            assert A().build()

        def test_run_b():
            assert B().run()

        def test_run_c():
            assert C().run() == 0

        def test_build_c():
            assert C().build() == 0
        """,
}

# (queried function, the queries asked before it in the same process, its selection)
CASES = [
    ("lib.B.make", ["lib.A.make"], {"tests/test_lib.py::test_build_a"}),
    ("lib.B.make", ["lib.Base.build", "lib.A.make", "lib.B.step"], {"tests/test_lib.py::test_build_a"}),
]


def _answer(report):
    return selected(report), listed(report)


@pytest.mark.parametrize("rule", [True, False])
@pytest.mark.parametrize("target, before, expected", CASES)
def test_an_answer_is_the_same_alone_and_after_other_queries(tmp_path, monkeypatch, rule, target, before, expected):
    monkeypatch.setattr(impact_order, "RULE", rule)
    indexer, g = build(tmp_path, CYCLE)
    alone = _answer(impact(g, target))
    assert alone[0] == expected
    IMPACT_MEMO.clear()
    for other in before:
        impact(g, other)
    after = _answer(impact(g, target))
    assert (alone == after) is rule
    indexer.close()
