"""Impact precision and reach rules around generated classes and decorator
factories (attrs, marshmallow): one source case per rule, each checked with
the rule on and switched off, so the case fails without the rule."""

from __future__ import annotations

import pytest

from indexer.analysis import impact as impact_module
from indexer.analysis import impact_returns, impact_unrun
from indexer.analysis.impact import impact
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)


STUB = {
    "pkg/__init__.py": "from pkg._make import attrs, field\n\ns = attributes = attrs\n",
    "pkg/__init__.pyi": """
        from typing import dataclass_transform

        from pkg._make import field

        @dataclass_transform(field_specifiers=(field,))
        def attrs(maybe_cls=None): ...

        s = attributes = attrs
        """,
    "pkg/_make.py": """
        def field():
            return 1

        def attrs(maybe_cls=None):
            return maybe_cls
        """,
    "tests/test_stub.py": """
        import pkg

        @pkg.s
        class C:
            pass

        def test_uses_class():
            assert C()
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_use_written_in_a_stub_runs_nothing(tmp_path, monkeypatch, rule):
    # The stub's decorator names `field`, and the stub's `s = attributes =
    # attrs` links its `attrs` to the runtime `pkg.s` (one qualname): without
    # the rule, `field` reaches every class decorated with `@pkg.s`.
    monkeypatch.setattr(impact_module, "STUB_RULE", rule)
    monkeypatch.setattr(impact_module, "CREATED_RULE", False)  # (it rules out test_uses_class too)
    indexer, g = build(tmp_path, STUB)
    report = impact(g, "pkg._make.field")
    assert "tests/test_stub.py::test_uses_class" in listed(report)  # listed: nothing vanishes
    assert ("tests/test_stub.py::test_uses_class" in selected(report)) is not rule
    indexer.close()


CLOSURE = {
    "lib.py": """
        def build():
            pass

        def attrs(maybe_cls=None):
            def wrap(cls):
                build()
                return cls
            if maybe_cls is None:
                return wrap
            return wrap(maybe_cls)
        """,
    "tests/test_lib.py": """
        from lib import attrs

        def test_builds():
            attrs(object)
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_closure_its_definer_uses_adds_no_level(tmp_path, monkeypatch, rule):
    # build <- attrs.wrap <- attrs <- test: two call levels with the rule
    # (wrap is part of attrs' call), three without.
    monkeypatch.setattr(impact_module, "CLOSURE_RULE", rule)
    monkeypatch.setattr(impact_returns, "RULE", rule)  # (`return wrap` hands out the closure too)
    indexer, g = build(tmp_path, CLOSURE)
    report = impact(g, "lib.build", depth=2)
    assert ("tests/test_lib.py::test_builds" in selected(report)) is rule
    found = {d.symbol.qualname: d for d in report.dependents}
    assert found["lib.attrs"].depth == (1 if rule else 2)
    indexer.close()


def test_a_local_function_its_definer_never_uses_is_not_linked(tmp_path):
    files = {
        "lib.py": """
            def build():
                pass

            def outer():
                def unused():
                    build()
                return 1
            """,
        "tests/test_lib.py": "from lib import outer\n\ndef test_outer():\n    outer()\n",
    }
    indexer, g = build(tmp_path, files)
    report = impact(g, "lib.build")
    assert "lib.outer" not in {d.symbol.qualname for d in report.dependents}
    assert not report.tests
    indexer.close()


STORED = {
    "lib.py": """
        def isoformat(value):
            return str(value)

        class DateTime:
            FUNCS = {"iso": isoformat}

            def format(self, value):
                return self.FUNCS["iso"](value)
        """,
    "tests/test_dt.py": """
        from lib import DateTime

        def test_makes_one():
            assert DateTime()

        def test_formats():
            assert DateTime().format(1) == "1"
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_class_body_read_of_a_function_does_not_build_the_class(tmp_path, monkeypatch, rule):
    # `FUNCS = {"iso": isoformat}` stores the function: the class statement
    # does not run it. The registry is followed to the method that calls it;
    # a test that only makes a DateTime is ruled out (listed, not selected).
    monkeypatch.setitem(impact_unrun.RULES, "stored", rule)
    monkeypatch.setattr(impact_module, "CREATED_RULE", False)  # (it rules out test_makes_one too)
    indexer, g = build(tmp_path, STORED)
    report = impact(g, "lib.isoformat")
    assert "tests/test_dt.py::test_formats" in selected(report)
    assert "tests/test_dt.py::test_makes_one" in listed(report)
    assert ("tests/test_dt.py::test_makes_one" in selected(report)) is not rule
    indexer.close()


OVERRIDE = {
    "lib.py": """
        class FieldABC:
            def _serialize(self, value):
                raise NotImplementedError

        class Field(FieldABC):
            def _serialize(self, value):
                return value

        def register(field):
            return field

        register(FieldABC())  # no name holds it (`DEFAULT = [FieldABC()]` is followed: impact_bound)
        """,
    "tests/test_field.py": """
        from lib import Field

        def test_serializes():
            assert Field()._serialize(1) == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_an_override_without_super_does_not_run_the_base_method(tmp_path, monkeypatch, rule):
    # A module-level instance lifts the receiver rule; the override link
    # FieldABC._serialize -> Field._serialize still reaches the test, which
    # never runs the base method: ruled out (listed, not selected).
    monkeypatch.setitem(impact_unrun.RULES, "override", rule)
    indexer, g = build(tmp_path, OVERRIDE)
    report = impact(g, "lib.FieldABC._serialize")
    assert "lib.Field._serialize" in {d.symbol.qualname for d in report.dependents}
    assert "tests/test_field.py::test_serializes" in listed(report)
    assert ("tests/test_field.py::test_serializes" in selected(report)) is not rule
    indexer.close()


STORED_READ = {
    "lib.py": """
        def frozen_setattr(self, name, value):
            raise AttributeError(name)

        def get_value(obj, key):
            return getattr(obj, key)

        def validate(instance, attrib, value):
            return value

        def convert(instance, attrib, value):
            return value

        DEFAULT_ON_SETATTR = convert

        class Builder:
            def __init__(self, frozen, on_setattr=None):
                self.cls_dict = {}
                if frozen:
                    self.cls_dict["__setattr__"] = frozen_setattr
                elif on_setattr in (validate, None):
                    self.own = True
                elif on_setattr == DEFAULT_ON_SETATTR:
                    self.own = False

        def build(frozen=False):
            return Builder(frozen)

        def serialize(obj, key, accessor=None):
            accessor_func = accessor or get_value
            return accessor_func(obj, key)
        """,
    "tests/test_lib.py": """
        from lib import build, serialize

        def test_builds():
            assert build()

        def test_serializes():
            assert serialize(1, "real") == 1
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_read_that_only_stores_a_function_does_not_run_it(tmp_path, monkeypatch, rule):
    # `cls_dict[...] = frozen_setattr` stores the function: building does not
    # run it. `accessor or get_value` is called right after: followed.
    monkeypatch.setitem(impact_unrun.RULES, "stored_read", rule)
    indexer, g = build(tmp_path, STORED_READ)
    stored = impact(g, "lib.frozen_setattr")
    assert "tests/test_lib.py::test_builds" in listed(stored)
    assert ("tests/test_lib.py::test_builds" in selected(stored)) is not rule
    compared = impact(g, "lib.validate")  # `on_setattr in (validate, None)` compares it
    assert ("tests/test_lib.py::test_builds" in selected(compared)) is not rule
    held = impact(g, "lib.convert")  # compared through a name that holds it
    assert ("tests/test_lib.py::test_builds" in selected(held)) is not rule
    assert "tests/test_lib.py::test_serializes" in selected(impact(g, "lib.get_value"))
    indexer.close()


METACLASS = {
    "lib.py": """
        class SchemaMeta(type):
            def __init__(cls, name, bases, attrs):
                super().__init__(name, bases, attrs)
                cls._hooks = cls.resolve_hooks()

            def resolve_hooks(cls):
                return {}

        class Schema(metaclass=SchemaMeta):
            pass
        """,
    "tests/test_schema.py": """
        from lib import Schema

        def test_defines_a_schema():
            class UserSchema(Schema):
                pass
            assert UserSchema._hooks == {}
        """,
}


@pytest.mark.parametrize("rule", [True, False])
def test_a_metaclass_method_runs_for_every_class_it_creates(tmp_path, monkeypatch, rule):
    # resolve_hooks' "self" is a class made by a class statement, not by a
    # call: the receiver rule (the test must make an instance) does not apply.
    monkeypatch.setattr(impact_module, "METACLASS_RULE", rule)
    indexer, g = build(tmp_path, METACLASS)
    report = impact(g, "lib.SchemaMeta.resolve_hooks")
    assert ("tests/test_schema.py::test_defines_a_schema" in selected(report)) is rule
    indexer.close()
