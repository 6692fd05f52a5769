"""A parameter's default value and annotation, and the return annotation,
are evaluated where the `def` runs: their names are looked up in the scope
around the function, never among its own parameters (issue 12, tenacity:
`def __init__(self, sleep=sleep)` resolved the default to the parameter, so
`nap.sleep` had no user and none of the 41 tests running it was selected).
The uses stay the function's own: a call that leaves the argument out runs
with that value. One case per place, and the off-case: the body still
reads the parameter."""

from __future__ import annotations

import pytest

from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

FILES = {
    "nap.py": """
        def sleep(seconds):
            return seconds

        class date:
            pass
        """,
    "lib.py": """
        from nap import date, sleep

        def default(sleep=sleep):
            return sleep

        def other_param(x=sleep, sleep=None):
            return x

        def annotated(date: date):
            return date

        def returns(date) -> date:
            return date

        class Retrying:
            def __init__(self, sleep=sleep):
                self.sleep = sleep

            def __call__(self):
                self.sleep(1)

        lam = lambda sleep=sleep: sleep
        """,
    "tests/test_lib.py": """
        from lib import Retrying

        def test_retrying():
            Retrying()()
        """,
}


def _uses(g, enclosing: str) -> dict[tuple[int, int], str]:
    return {(r.range.start.line, r.range.start.character): r.target for r in g.references_from(enclosing)}


@pytest.mark.parametrize("enclosing, at, target", [
    ("lib.default", (2, 18), "nap.sleep"),               # def default(sleep=sleep)
    ("lib.default", (3, 11), "lib.default.sleep"),       # off-case: the body reads the parameter
    ("lib.other_param", (5, 18), "nap.sleep"),           # a later parameter of that name
    ("lib.annotated", (8, 20), "nap.date"),              # date: date
    ("lib.returns", (11, 21), "nap.date"),               # -> date
    ("lib.Retrying.__init__", (15, 29), "nap.sleep"),    # a method's default, the class around it
])
def test_defaults_and_annotations_are_looked_up_around_the_function(tmp_path, enclosing, at, target):
    indexer, g = build(tmp_path, FILES)
    assert _uses(g, enclosing).get(at) == target
    indexer.close()


def test_a_lambda_default_is_looked_up_around_the_lambda(tmp_path):
    indexer, g = build(tmp_path, FILES)
    targets = {r.target for r in g.references_from("lib.lam")} | {r.target for r in g.references_from("lib")}
    assert "nap.sleep" in targets
    indexer.close()


def test_a_change_to_a_default_callable_selects_the_tests_running_it(tmp_path):
    indexer, g = build(tmp_path, FILES)
    assert "tests/test_lib.py::test_retrying" in selected(impact(g, "nap.sleep"))
    indexer.close()


# The function's own scope stays the one its locals evaluate in (pluggy: a
# local bound from an annotated parameter lost its value when the scope
# added for the annotation was taken for the function's).
TRACER = {
    "tracing.py": """
        class Sub:
            def __call__(self, *args):
                return args

        class Tracer:
            def get(self, name) -> Sub:
                return Sub()
        """,
    "tests/test_tracing.py": """
        from tracing import Tracer

        def test_indent(root: Tracer = None):
            log = root.get("1")
            log("hello")
        """,
}


def test_locals_still_evaluate_in_the_function_s_own_scope(tmp_path):
    indexer, g = build(tmp_path, TRACER)
    assert "tests/test_tracing.py::test_indent" in selected(impact(g, "tracing.Sub.__call__"))
    indexer.close()
