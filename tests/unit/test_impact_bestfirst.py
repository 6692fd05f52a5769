"""The best-first order of an impact level (impact_bestfirst, issue 17): a
level cut to its room weighs the most certain users first and stops early,
and its answer equals a whole pass's over every link, at every room size."""

from __future__ import annotations

import pytest

from indexer.analysis import impact as impact_module, impact_bestfirst
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo  # noqa: F401 (autouse)

# A hub method with users of every certainty: resolved calls (same module
# and imported), calls on a receiver known only by name (a guess), overrides
# (a link that runs nothing: scaled down only once the user is read), and
# tests a level further; many ties at each certainty.
_CALLERS = "\n".join(f"""
def direct_{i}():
    return Base().run()
""" for i in range(6))
_OVERRIDES = "\n".join(f"""
class Sub{i}(Base):
    def run(self):
        return {i}
""" for i in range(3))
_GUESSES = "\n".join(f"""
def guess_{i}(thing):
    return thing.run()
""" for i in range(6))
_IMPORTED = "\n".join(f"""
def imported_{i}():
    return Base().run()


def test_imported_{i}():
    assert imported_{i}() == 1
""" for i in range(6))
HUB = {
    "lib.py": f"""
class Base:
    def run(self):
        return hub()


def hub():
    return 1


{_OVERRIDES}
{_CALLERS}
{_GUESSES}
""",
    "lib.pyi": """
class Base:
    def run(self) -> int: ...
def typed(b: Base) -> int: ...
""",
    "tests/test_hub.py": f"""
from lib import Base, direct_0, guess_1, imported_2
{_IMPORTED}


def test_direct():
    assert direct_0() == 1


def test_guess():
    assert guess_1(Base()) == 1
""",
}


def _reports(g, limit: int, depth: int) -> str:
    return repr(impact(g, "lib.Base.run", depth=depth, limit=limit))


@pytest.mark.parametrize("batch", [1, impact_bestfirst.BATCH])
def test_best_first_equals_the_whole_pass_at_every_room(tmp_path, monkeypatch, batch):
    indexer, g = build(tmp_path, HUB)
    whole = impact(g, "lib.Base.run", limit=1000)
    assert len(whole.dependents) >= 20 and not whole.truncated
    assert {d.symbol.qualname for d in whole.dependents} >= {"lib.Sub0.run", "lib.guess_0", "tests.test_hub.test_direct"}
    assert len({round(d.confidence, 6) for d in whole.dependents}) >= 3  # users of several certainties
    monkeypatch.setattr(impact_bestfirst, "BATCH", batch)
    for depth in (1, 2, 3):
        for limit in range(0, len(whole.dependents) + 2):
            monkeypatch.setattr(impact_bestfirst, "ORDERED", False)
            expected = _reports(g, limit, depth)
            monkeypatch.setattr(impact_bestfirst, "ORDERED", True)
            assert _reports(g, limit, depth) == expected, (depth, limit)
    indexer.close()


def test_a_cut_level_reads_about_its_room(tmp_path, monkeypatch):
    indexer, g = build(tmp_path, HUB)
    monkeypatch.setattr(impact_bestfirst, "BATCH", 1)
    # What one walk reads (walks share what they read otherwise: the second would read nothing).
    monkeypatch.setattr(impact_module, "SHARED_SYMBOLS", False)
    read: list[str] = []
    symbols_named = g.symbols_named

    def counted(qualnames):
        qualnames = list(qualnames)
        read.extend(qualnames)
        return symbols_named(qualnames)

    monkeypatch.setattr(g, "symbols_named", counted)
    for ordered in (False, True):
        monkeypatch.setattr(impact_bestfirst, "ORDERED", ordered)
        read.clear()
        report = impact(g, "lib.Base.run", depth=1, limit=3)
        assert report.truncated and len(report.dependents) == 3
        users = {d.symbol.qualname for d in report.dependents}
        assert users <= set(read)
        # The 12 certain callers (the guesses are read first by the name-match rule).
        callers = {q for q in read if q.startswith(("lib.direct_", "tests.test_hub.imported_"))}
        assert (len(callers) <= 5) is ordered, callers  # the room, one past it to know it was cut, one batch
    indexer.close()
