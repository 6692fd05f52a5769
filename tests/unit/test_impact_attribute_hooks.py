"""How Python runs attribute access on a class with hooks (issue 12,
wrapt's proxies), as the resolver records it; one case per fact, each with
its switch on and off:
- `object.__setattr__(self, "x", v)` in a method defines the instance
  attribute C.x (extract.SETATTR_ATTRIBUTES): a later `self.x` read finds
  it, not the class's `__getattr__` (which runs only for missing names);
- `obj.x = v` on an instance runs its class's `__setattr__`, never its
  `__getattr__` (resolve.ATTRIBUTE_WRITES);
- a method whose first parameter is `*args` has no `self`: `len(args)` is
  the tuple's length, not the class's `__len__`."""

from __future__ import annotations

import importlib

import pytest

from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

FILES = {
    "lib.py": """
        class Proxy:
            def __init__(self, wrapped):
                object.__setattr__(self, "_self_wrapped", wrapped)
                setattr(self, "_self_count", 0)

            def __getattr__(self, name):
                return getattr(self._self_wrapped, name)

            def __setattr__(self, name, value):
                object.__setattr__(self, name, value)

            def __len__(self):
                return 1

            def size(self):
                return self._self_count

            def __call__(*args, **kwargs):
                self, rest = args[0], args[1:]
                return len(args)
        """,
    "tests/test_lib.py": """
        from lib import Proxy

        def test_size():
            assert Proxy(1).size() == 0

        def test_write():
            p = Proxy(1)
            p.extra = 2

        def test_call():
            assert Proxy(1)(2)
        """,
}


def _graph(tmp_path, monkeypatch, setattrs: bool, writes: bool):
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.extract"), "SETATTR_ATTRIBUTES", setattrs)
    monkeypatch.setattr(importlib.import_module("indexer.languages.python.resolve"), "ATTRIBUTE_WRITES", writes)
    return build(tmp_path, FILES)


@pytest.mark.parametrize("rule", [True, False])
def test_an_attribute_set_through_object_setattr_is_the_class_s_own(tmp_path, monkeypatch, rule):
    indexer, g = _graph(tmp_path, monkeypatch, rule, True)
    assert (g.symbol("lib.Proxy._self_count") is not None) is rule
    assert (g.symbol("lib.Proxy._self_wrapped") is not None) is rule
    # `self._self_count` in size() is found, so size() never runs __getattr__
    getattr_users = {r.enclosing for r in g.references("lib.Proxy.__getattr__")}
    assert ("lib.Proxy.size" in getattr_users) is not rule
    assert ("tests/test_lib.py::test_size" in selected(impact(g, "lib.Proxy.__getattr__"))) is not rule
    indexer.close()


@pytest.mark.parametrize("rule", [True, False])
def test_an_attribute_write_runs_setattr_not_getattr(tmp_path, monkeypatch, rule):
    indexer, g = _graph(tmp_path, monkeypatch, True, rule)
    assert ("tests/test_lib.py::test_write" in selected(impact(g, "lib.Proxy.__setattr__"))) is rule
    # (the write was recorded as a use of __getattr__)
    assert ("tests.test_lib.test_write" in {r.enclosing for r in g.references("lib.Proxy.__getattr__")}) is not rule
    indexer.close()


def test_a_leading_star_args_is_no_self(tmp_path, monkeypatch):
    indexer, g = _graph(tmp_path, monkeypatch, True, True)
    assert "lib.Proxy.__call__" not in {r.enclosing for r in g.references("lib.Proxy.__len__")}
    assert "tests/test_lib.py::test_call" not in selected(impact(g, "lib.Proxy.__len__"))
    indexer.close()
