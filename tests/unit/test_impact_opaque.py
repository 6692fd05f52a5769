"""Instances made through a receiver the index cannot evaluate
(impact_opaque; the stdlib's json suite): `self.json.decoder.Decoder()`,
where `self.json` comes from an import machinery nobody can follow, makes a
Decoder, so the test holds one and its name-matched `.decode` may run
`Decoder.decode`. Each case is checked with the rule on and switched off;
each holds off-cases the rule must not touch."""

from __future__ import annotations

import pytest

from indexer.analysis import impact_opaque
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, selected  # noqa: F401 (fresh_memo: autouse)

# The library's own instance is bound to a name (impact_bound's
# INSTANCE_RULE follows it), so it lifts the receiver rule for no test.
OPAQUE = {
    "lib/__init__.py": """
        from lib.decoder import Decoder

        _default = Decoder()

        def loads(s):
            return _default.decode(s)
        """,
    "lib/decoder.py": """
        class Decoder:
            def decode(self, s):
                return s.strip()

        class Thing:
            pass
        """,
    # (the stdlib's test_json: the suite's base classes hold a module that
    # an import machinery outside the workspace made, and a mixin reads it)
    "tests/__init__.py": """
        import unittest
        from support import import_helper

        pyjson = import_helper.import_fresh_module("lib", blocked=["_lib"])

        class PyTest(unittest.TestCase):
            json = pyjson
        """,
    "tests/test_lib.py": """
        from tests import PyTest

        class TestDecode:
            def test_own_decoder(self):
                decoder = self.json.decoder.Decoder()
                assert decoder.decode(" a ") == "a"

            def test_other_object(self):
                thing = self.json.decoder.Thing()
                assert thing.decode(" a ") == "a"

        class TestPyDecode(TestDecode, PyTest):
            pass
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_instance_made_on_an_opaque_receiver_is_held(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(impact_opaque, "RULE", rule)
    indexer, g = build(tmp_path, OPAQUE)
    tests = selected(impact(g, "lib.decoder.Decoder.decode"))
    assert ("tests/test_lib.py::TestPyDecode::test_own_decoder" in tests) is rule
    # Off-case: another class made on the same receiver holds no Decoder.
    assert "tests/test_lib.py::TestPyDecode::test_other_object" not in tests
    indexer.close()
