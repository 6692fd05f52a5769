"""Shared by the impact rule cases (test_impact_attrs, _classgen,
_marshmallow): what a report selects and lists, and a memo cleared around
each case (guards and receiver walks are memoised per index, and the cases
switch rules on and off between runs over the same index)."""

from __future__ import annotations

import pytest

from indexer.analysis.affected import DEFAULT_MIN_CONFIDENCE
from indexer.analysis.impact import IMPACT_MEMO


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
