"""Members a metaclass copies into the classes it makes (issue 12, wrapt;
impact_copied): the instances of the made classes hold them, so the
receiver rule looks for those instances. Checked with the rule on and
switched off; off-cases: a class no metaclass copies, and a test that
holds no proxy."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_copied
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)

SOURCES = {
    "lib.py": """
        def with_metaclass(meta, *bases):
            return meta("NewBase", bases, {})

        class _ProxyMethods(object):
            @property
            def __module__(self):
                return self.__wrapped__.__module__

        class _Plain(object):
            @property
            def label(self):
                return "plain"

        class _ProxyMetaType(type):
            def __new__(cls, name, bases, dictionary):
                dictionary.update(vars(_ProxyMethods))
                return type.__new__(cls, name, bases, dictionary)

        class ObjectProxy(with_metaclass(_ProxyMetaType)):
            def __init__(self, wrapped):
                self.__wrapped__ = wrapped

        class Reader:
            def __init__(self):
                self.source = _Plain
        """,
    "tests/test_lib.py": """
        import lib

        def test_module_name():
            proxy = lib.ObjectProxy(len)
            assert proxy.__module__ == len.__module__

        def test_other():
            reader = lib.Reader()
            assert reader.label is None
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_member_a_metaclass_copies_is_held_by_the_classes_it_makes(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_copied, "RULE", rule)
    indexer, g = build(tmp_path, SOURCES)
    report = impact(g, "lib._ProxyMethods.__module__")
    assert ("tests/test_lib.py::test_module_name" in selected(report)) is rule
    assert "tests/test_lib.py::test_other" not in listed(report)
    # A class no metaclass copies keeps its own receiver rule.
    assert impact_copied.copied_into(g, "lib._Plain", g.symbol, {}) == []
    assert impact_copied.copied_into(g, "lib._ProxyMethods", g.symbol, {}) == (["lib.ObjectProxy"] if rule else [])
    indexer.close()
