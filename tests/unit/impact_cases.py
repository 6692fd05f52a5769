"""Shared by the impact rule cases (test_impact_attrs, _classgen,
_marshmallow): what a report selects and lists, and a memo cleared around
each case (guards and receiver walks are memoised per index, and the cases
switch rules on and off between runs over the same index)."""

from __future__ import annotations

import pytest

from indexer.analysis.affected import DEFAULT_MIN_CONFIDENCE
from indexer.analysis.impact import IMPACT_MEMO
from tests.support import build


def selected(report) -> set[str]:
    """The default selection of `codemeld tests affected`."""
    return {t.id for t in report.tests if t.confidence >= DEFAULT_MIN_CONFIDENCE}


def listed(report) -> set[str]:
    """Every test the plain `impact` answer lists, ruled out ones included."""
    return {t.id for t in report.tests}


@pytest.fixture(autouse=True)
def fresh_memo():
    IMPACT_MEMO.clear()
    yield
    IMPACT_MEMO.clear()


def graph_fixture(name: str, files: dict[str, str]):
    """A module-scoped fixture called `name`: the index of `files`, closed
    after the module. Bind it to the same name in the test module."""
    @pytest.fixture(scope="module", name=name)
    def graph(tmp_path_factory):
        indexer, built = build(tmp_path_factory.mktemp(name), files)
        yield built
        indexer.close()
    return graph


def assert_switched(found: set[str], prefix: str, kept, off, rule: bool) -> None:
    """A switch case: `kept` is selected either way; `off` only with the rule off."""
    assert {prefix + name for name in kept} <= found
    assert {prefix + name for name in off} & found == (set() if rule else {prefix + name for name in off})
