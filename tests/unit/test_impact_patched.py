"""A function a test patches out runs nothing in that test (issue 12,
packaging; impact_patched). One source case per idiom, checked with the
rule on and switched off; each holds off-cases the rule must not touch."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_patched
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)

# packaging: `monkeypatch.setattr(tags, "platform_tags", lambda: [...])`,
# then `tags.compatible_tags()`, which looks `platform_tags` up in its
# module: `platform_tags -> _linux_platforms` never runs. Off-cases: a
# patch under an `if` (may patch nothing), a caller in another module that
# imported the original (`from lib import platforms`), a test that patches
# something else, and `mock.patch` of a method (every lookup finds it).
PATCHED = {
    "lib.py": """
        def linux():
            return ["linux"]

        def platforms():
            return linux()

        def compatible():
            return list(platforms())

        class Finder:
            def find(self):
                return linux()

            def run(self):
                return self.find()
        """,
    "other.py": """
        from lib import platforms

        def tags():
            return list(platforms())
        """,
    "tests/test_lib.py": """
        import sys
        from unittest import mock
        import lib
        import other

        def test_patched(monkeypatch):
            monkeypatch.setattr(lib, "platforms", lambda: ["plat"])
            assert lib.compatible() == ["plat"]

        def test_patched_by_name(monkeypatch):
            monkeypatch.setattr("lib.platforms", lambda: ["plat"])
            assert lib.compatible() == ["plat"]

        def test_maybe(monkeypatch):
            if sys.platform != "linux":
                monkeypatch.setattr(lib, "platforms", lambda: ["plat"])
            assert lib.compatible()

        def test_imported(monkeypatch):
            monkeypatch.setattr(lib, "platforms", lambda: ["plat"])
            assert other.tags()

        def test_other(monkeypatch):
            monkeypatch.setattr(lib, "compatible", lambda: [])
            assert lib.platforms()

        @mock.patch.object(lib.Finder, "find")
        def test_method(find):
            assert lib.Finder().run() is not None

        def test_method_kept():
            assert lib.Finder().run()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_function_the_test_patches_out_runs_nothing(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_patched, "RULE", rule)
    indexer, g = build(tmp_path, PATCHED)
    report = impact(g, "lib.linux")
    for kept in ("test_maybe", "test_imported", "test_other", "test_method_kept"):
        assert f"tests/test_lib.py::{kept}" in selected(report)
    for patched in ("test_patched", "test_patched_by_name", "test_method"):
        assert (f"tests/test_lib.py::{patched}" in selected(report)) is not rule
        assert f"tests/test_lib.py::{patched}" in listed(report)
    indexer.close()


# packaging: `@pytest.fixture def manylinux_module(monkeypatch):
# monkeypatch.setattr(...)`, named by the test, patches for it. Off-case: a
# test that does not name the fixture.
PATCHING_FIXTURE = {
    "lib.py": PATCHED["lib.py"],
    "tests/test_lib.py": """
        import pytest
        import lib

        @pytest.fixture
        def fake_platforms(monkeypatch):
            monkeypatch.setattr(lib, "platforms", lambda: ["plat"])

        def test_with_fixture(fake_platforms):
            assert lib.compatible() == ["plat"]

        def test_without():
            assert lib.compatible()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_fixture_the_test_names_patches_for_it(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_patched, "FIXTURE_RULE", rule)
    indexer, g = build(tmp_path, PATCHING_FIXTURE)
    report = impact(g, "lib.linux")
    assert "tests/test_lib.py::test_without" in selected(report)
    assert ("tests/test_lib.py::test_with_fixture" in selected(report)) is not rule
    assert "tests/test_lib.py::test_with_fixture" in listed(report)
    indexer.close()
