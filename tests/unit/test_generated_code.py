"""server/generated_code.py: attrs' generated methods compiled once and kept,
the classes built from the kept code behaving exactly as freshly compiled
ones (issue 17, warm start)."""

from __future__ import annotations

import dataclasses
import marshal
import os
import subprocess
import sys
from pathlib import Path

import attr
import attrs
import pytest

from server import generated_code

REPO = Path(__file__).resolve().parents[2]


def _classes():
    """A new set of attrs classes (the same generated text at every call)."""

    @attrs.define
    class Point:
        x: int
        y: int = 0

    @attrs.frozen
    class Name:
        text: str = attrs.field(validator=attrs.validators.instance_of(str))

    @attr.s(slots=True, eq=True, order=True)
    class Old:
        a = attr.ib(default=1)
        b = attr.ib(factory=list)

    return Point, Name, Old


def _check(Point, Name, Old):
    assert Point(1) == Point(1, 0) and Point(1, 2) != Point(1, 3)
    assert repr(Point(1, 2)).endswith("Point(x=1, y=2)")
    with pytest.raises(TypeError):
        Name(3)
    name = Name("a")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        name.text = "b"
    assert hash(name) == hash(Name("a"))
    assert Old() < Old(2) and Old().b == [] and Old().b is not Old().b


def test_second_start_compiles_nothing_and_behaves_the_same(tmp_path):
    path = tmp_path / "code.marshal"
    with generated_code.cached(path) as first:
        classes = _classes()
    _check(*classes)
    assert first["misses"] > 0 and first["hits"] == 0
    assert path.exists()
    with generated_code.cached(path) as second:
        classes = _classes()
    _check(*classes)
    # The frozen class's __hash__ holds a per-process hash() constant: it may miss.
    assert second["hits"] >= first["misses"] - 1 and second["misses"] <= 1


def test_generated_code_is_compiled_as_attrs_compiles_it(tmp_path):
    """Same compiler flags (attrs' module's __future__ ones, not ours), so the
    same annotations and code; from the kept file as from the first compile."""
    plain = _classes()
    with generated_code.cached(tmp_path / "code.marshal"):
        fresh = _classes()
    with generated_code.cached(tmp_path / "code.marshal"):
        kept = _classes()
    for a, b, c in zip(plain, fresh, kept):
        for method in ("__init__", "__repr__", "__eq__"):
            codes = [getattr(cls, method).__code__ for cls in (a, b, c)]
            assert len({(code.co_flags, code.co_code, code.co_names, code.co_varnames) for code in codes}) == 1
        assert a.__init__.__annotations__ == b.__init__.__annotations__ == c.__init__.__annotations__


def _dataclasses():
    @dataclasses.dataclass(frozen=True, slots=True, order=True)
    class Span:
        start: int
        end: int = 0
        tags: tuple = ()

    @dataclasses.dataclass
    class Box:
        items: list = dataclasses.field(default_factory=list)
        name: "str" = "box"

    return Span, Box


def test_dataclasses_from_kept_code_behave_and_compile_the_same(tmp_path):
    path = tmp_path / "code.marshal"
    plain = _dataclasses()
    with generated_code.cached(path) as first:
        fresh = _dataclasses()
    with generated_code.cached(path) as second:
        kept = _dataclasses()
    assert first["misses"] > 0 and second["misses"] == 0 and second["hits"] == first["misses"]
    for Span, Box in (plain, fresh, kept):
        assert Span(1) == Span(1, 0) and Span(1, 2) < Span(2) and hash(Span(1)) == hash(Span(1, 0, ()))
        with pytest.raises(dataclasses.FrozenInstanceError):
            Span(1).start = 2
        assert repr(Box()).endswith("Box(items=[], name='box')") and Box().items is not Box().items
    for classes in zip(plain, fresh, kept):
        for method in ("__init__", "__repr__", "__eq__"):
            codes = [getattr(cls, method).__code__ for cls in classes]
            assert len({(code.co_flags, code.co_code, code.co_names, code.co_varnames) for code in codes}) == 1
        assert len({repr(cls.__init__.__annotations__) for cls in classes}) == 1
    assert "exec" not in vars(dataclasses)  # the builtin again after the block


def test_changed_text_is_compiled_afresh(tmp_path):
    path = tmp_path / "code.marshal"
    with generated_code.cached(path):
        @attrs.define
        class Shape:
            a: int

    with generated_code.cached(path) as counts:
        @attrs.define
        class Shape:  # same class name and file name, other fields
            a: int
            b: str = "x"

    assert counts["misses"] > 0
    assert Shape(1).b == "x" and Shape(1, "y") == Shape(1, "y")


def test_original_compiler_is_back_after_the_block(tmp_path):
    import attr._make as make

    before = make._compile_and_eval
    with generated_code.cached(tmp_path / "code.marshal"):
        assert make._compile_and_eval is not before and "exec" in vars(dataclasses)
    assert make._compile_and_eval is before and "exec" not in vars(dataclasses)


def test_an_entry_that_is_not_code_is_compiled_afresh(tmp_path):
    path = tmp_path / "code.marshal"
    with generated_code.cached(path):
        _classes()
    fmt, entries = marshal.loads(path.read_bytes())
    path.write_bytes(marshal.dumps((fmt, {key: "raise SystemExit(3)" for key in entries})))
    with generated_code.cached(path) as counts:
        classes = _classes()
    _check(*classes)
    assert counts["hits"] == 0 and counts["misses"] == len(entries)


@pytest.mark.parametrize("content", [b"", b"\x00garbage", marshal.dumps(("other", {})), marshal.dumps([1, 2])])
def test_a_torn_or_foreign_file_is_ignored_and_replaced(tmp_path, content):
    path = tmp_path / "code.marshal"
    path.write_bytes(content)
    with generated_code.cached(path) as counts:
        classes = _classes()
    _check(*classes)
    assert counts["hits"] == 0 and counts["misses"] > 0
    with generated_code.cached(path) as again:
        _classes()
    assert again["hits"] > 0


def test_the_file_keeps_only_what_the_last_writing_start_used(tmp_path):
    path = tmp_path / "code.marshal"
    with generated_code.cached(path):
        _classes()
    many = len(marshal.loads(path.read_bytes())[1])
    path.unlink()
    with generated_code.cached(path):
        @attrs.define
        class One:
            a: int

    assert len(marshal.loads(path.read_bytes())[1]) < many


def test_an_unwritable_cache_dir_only_costs_the_compiles(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with generated_code.cached(blocker / "sub" / "code.marshal") as counts:
        classes = _classes()
    _check(*classes)
    assert counts["misses"] > 0


def test_cache_file_is_per_python_version(tmp_path):
    path = generated_code.cache_file(tmp_path)
    assert path.parent == tmp_path / "startup" and sys.implementation.cache_tag in path.name


@pytest.mark.slow
def test_server_imports_hit_the_kept_code_in_a_second_process(tmp_path):
    code = ("from server.generated_code import cached\n"
            "with cached() as c:\n"
            "    import server.app\n"
            "print(c['hits'], c['misses'])\n")
    env = {**os.environ, "CODEMELD_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO,
                           check=True).stdout.split() for _ in range(2)]
    (hits1, misses1), (hits2, misses2) = [tuple(map(int, r)) for r in runs]
    assert hits1 == 0 and misses1 > 400  # lsprotocol's classes
    assert hits2 >= misses1 - 8 and misses2 <= 8
