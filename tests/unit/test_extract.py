"""Facts from one file: source text in, expected symbols and uses out."""

from __future__ import annotations

import textwrap

import pytest

from indexer.languages.python.extract import extract


def facts_of(source: str, path: str = "pkg/mod.py", module: str = "pkg.mod"):
    return extract(textwrap.dedent(source).lstrip("\n").encode(), path, module)


def symbols_of(source: str, path: str = "pkg/mod.py", module: str = "pkg.mod") -> dict[str, tuple]:
    facts = facts_of(source, path, module)
    return {s.qualname: s for s in facts.symbols}


SYMBOL_CASES = {
    "module docstring, constants and variables": (
        '''
        """Tools for things."""
        MAX_SIZE = 10
        default_name = "x"
        a, b = 1, 2
        typed: int = 3
        ''',
        {
            "pkg.mod": ("module", ""),
            "pkg.mod.MAX_SIZE": ("constant", ""),
            "pkg.mod.default_name": ("variable", ""),
            "pkg.mod.a": ("variable", ""),
            "pkg.mod.b": ("variable", ""),
            "pkg.mod.typed": ("variable", ""),
        },
    ),
    "functions with a full signature": (
        '''
        async def fetch(url: str, /, retries: int = 3, *args, timeout: float, **kw) -> bytes:
            """Fetch a URL.

            More text.
            """
        ''',
        {
            "pkg.mod.fetch": ("function", "async def fetch(url: str, /, retries: int = 3, *args, timeout: float, **kw) -> bytes"),
            "pkg.mod.fetch.url": ("parameter", ""),
            "pkg.mod.fetch.retries": ("parameter", ""),
            "pkg.mod.fetch.args": ("parameter", ""),
            "pkg.mod.fetch.timeout": ("parameter", ""),
            "pkg.mod.fetch.kw": ("parameter", ""),
        },
    ),
    "classes, methods, class and instance attributes": (
        '''
        class Shape(Base, metaclass=Meta):
            sides = 0

            def __init__(self, name):
                self.name = name
                self.sides = 4

            @property
            def label(self):
                return self.name

            @staticmethod
            def unit():
                pass

            class Inner:
                pass
        ''',
        {
            "pkg.mod.Shape": ("class", "class Shape(Base, metaclass=Meta)"),
            "pkg.mod.Shape.sides": ("variable", ""),
            "pkg.mod.Shape.__init__": ("method", "def __init__(self, name)"),
            "pkg.mod.Shape.name": ("attribute", ""),
            "pkg.mod.Shape.label": ("method", "def label(self)"),
            "pkg.mod.Shape.unit": ("method", "def unit()"),
            "pkg.mod.Shape.Inner": ("class", "class Inner"),
        },
    ),
    "nested functions and locals": (
        '''
        def outer():
            total = 0
            def inner(x):
                return x
            for item in range(3):
                total += inner(item)
            return [y for y in range(total)]
        ''',
        {
            "pkg.mod.outer": ("function", "def outer()"),
            "pkg.mod.outer.total": ("variable", ""),
            "pkg.mod.outer.inner": ("function", "def inner(x)"),
            "pkg.mod.outer.inner.x": ("parameter", ""),
            "pkg.mod.outer.item": ("variable", ""),
        },
    ),
}


@pytest.mark.parametrize("name", list(SYMBOL_CASES))
def test_symbols(name):
    source, expected = SYMBOL_CASES[name]
    found = symbols_of(source)
    got = {q: (s.kind, s.signature) for q, s in found.items()
           if q in expected or s.kind not in ("parameter", "module")}
    # Exactly the expected symbols: no comprehension variables, no duplicates.
    assert got == {q: v for q, v in expected.items()}


def test_docstrings_and_params():
    found = symbols_of(SYMBOL_CASES["functions with a full signature"][0])
    fetch = found["pkg.mod.fetch"]
    assert fetch.docstring == "Fetch a URL.\n\nMore text."
    assert fetch.flags == ("async",)
    assert fetch.params == (
        ("url", "posonly", "str", None),
        ("retries", "pos", "int", "3"),
        ("args", "varargs", None, None),
        ("timeout", "kwonly", "float", None),
        ("kw", "varkw", None, None),
    )
    assert fetch.returns == ("name", "bytes")
    module = symbols_of('"""Tools for things."""\nx = 1\n')["pkg.mod"]
    assert module.docstring == "Tools for things."


FLAG_CASES = [
    ("@property\ndef f(self): pass", "property"),
    ("@functools.cached_property\ndef f(self): pass", "property"),
    ("@f.setter\ndef f(self, v): pass", "property"),
    ("@classmethod\ndef f(cls): pass", "classmethod"),
    ("@staticmethod\ndef f(): pass", "staticmethod"),
    ("@pytest.fixture\ndef f(): pass", "fixture"),
    ("@pytest.fixture(scope='session')\ndef f(): pass", "fixture"),
    ("@fixture\ndef f(): pass", "fixture"),
    ("@abc.abstractmethod\ndef f(self): pass", "abstract"),
]


@pytest.mark.parametrize("source, flag", FLAG_CASES)
def test_decorator_flags(source, flag):
    indented = "class C:\n" + textwrap.indent(source, "    ") + "\n"
    method = symbols_of(indented)["pkg.mod.C.f"]
    assert flag in method.flags
    assert method.decorators and method.span[0] == 1  # the span starts at the decorator


TEST_CASES = [
    # (path, source, qualnames that are tests)
    ("tests/test_a.py", "def test_one(): pass\ndef helper(): pass\n", {"tests.test_a.test_one"}),
    ("tests/test_a.py", "class TestX:\n    def test_m(self): pass\n    def util(self): pass\n",
     {"tests.test_a.TestX", "tests.test_a.TestX.test_m"}),
    ("tests/a_test.py", "def test_one(): pass\n", {"tests.a_test.test_one"}),
    ("src/app.py", "def test_like(): pass\n", set()),  # not a test file
    ("src/app.py", "import unittest\nclass Case(unittest.TestCase):\n    def test_m(self): pass\n",
     {"src.app.Case", "src.app.Case.test_m"}),
]


@pytest.mark.parametrize("path, source, tests", TEST_CASES)
def test_test_detection(path, source, tests):
    module = path[:-3].replace("/", ".")
    facts = extract(source.encode(), path, module)
    assert {s.qualname for s in facts.symbols if s.is_test} == tests


USE_CASES = [
    # (source, [(name, kind) of uses in order])
    ("x = f(a)\n", [("f", "call"), ("a", "read"), ("a", "flow")]),  # a flows into x (wrapped)
    ("x = y = z\n", [("z", "read"), ("z", "flow"), ("z", "flow")]),  # into x and into y
    ("obj.method(1)\n", [("obj", "read"), ("method", "call")]),
    ("obj.attr = 2\n", [("obj", "read"), ("attr", "write")]),
    ("x = 1\nx = 2\n", [("x", "write")]),  # the first binding is the definition
    ("class A(B, mod.C): pass\n", [("B", "inherit"), ("mod", "read"), ("C", "inherit")]),
    # a generic base names its class: C inherits Base (itsdangerous's `TimedSerializer(Serializer[_T])`)
    # (the subscripts' implicit `__getitem__` links only on an instance: a class has none)
    ("class A(B[T], mod.C[T]): pass\n", [("__getitem__", "implicit"), ("B", "inherit"), ("T", "read"),
                                        ("__getitem__", "implicit"), ("mod", "read"), ("C", "inherit"),
                                        ("T", "read")]),
    ("@deco\ndef f(): pass\n", [("deco", "decorator")]),
    ("@app.route('/')\ndef f(): pass\n", [("app", "read"), ("route", "decorator")]),
    ("def f(a: Foo) -> mod.Bar: pass\n", [("Foo", "annotation"), ("mod", "annotation"), ("Bar", "annotation")]),
    ("v: list[Item] = []\n", [("list", "annotation"), ("Item", "annotation")]),
    ("f(key=1)\n", [("f", "call"), ("key", "keyword")]),
    ('def f() -> "pkg.Node[T]": pass\n', [("pkg", "annotation"), ("Node", "annotation"), ("T", "annotation")]),
    ('x: t.List["Item"] = []\n', [("t", "annotation"), ("List", "annotation"), ("Item", "annotation")]),
    ('y = "Item"\n', []),  # a string outside an annotation is just a string
    ("from .core import Option as Option\n", [("core", "import"), ("Option", "import"), ("Option", "import")]),
    ("import a.b\n", [("a", "import"), ("b", "import")]),
    ("from .m import n as k\nk()\n", [("m", "import"), ("n", "import"), ("k", "call")]),
    # (the implicit uses of the operand protocols: extract.OPERAND_PROTOCOLS)
    ("[y for y in items]\n", [("y", "read"), ("__iter__", "implicit"), ("__next__", "implicit"), ("items", "read")]),
    ("lambda q: q + z\n", [("__add__", "implicit"), ("__radd__", "implicit"), ("q", "read"), ("z", "read")]),
]


@pytest.mark.parametrize("source, uses", USE_CASES)
def test_uses(source, uses):
    facts = facts_of(source)
    assert [(r.name, r.kind) for r in facts.refs] == uses


def test_receiver_and_enclosing_scope():
    facts = facts_of("""
        class A:
            def run(self):
                self.step().go()
        """)
    by_name = {r.name: r for r in facts.refs}
    assert by_name["step"].receiver == ("name", "self")
    assert by_name["go"].receiver == ("call", ("attr", ("name", "self"), "step"))
    scope = facts.scopes[by_name["go"].scope]
    assert facts.symbols[scope.symbol].qualname == "pkg.mod.A.run"


def test_imports_and_dunder_all():
    facts = facts_of("""
        import os, sys as system
        from . import sibling
        from ..parent.mod import a, b as c
        from pkg import *
        __all__ = ["x"]
        __all__ += ["y"]
        __all__.extend(["z"])
        """)
    module_scope = facts.scopes[0].names
    assert module_scope["os"] == ("import", "os", None, 0)
    assert module_scope["system"] == ("import", "sys", None, 0)
    assert module_scope["sibling"] == ("import", "", "sibling", 1)
    assert module_scope["c"] == ("import", "parent.mod", "b", 2)
    assert facts.extra.star_imports == [(0, "pkg")]
    assert facts.extra.all_names == ["x", "y", "z"]


def test_positions_are_utf16():
    facts = facts_of('s = "😀é"; f()\n')
    call = [r for r in facts.refs if r.name == "f"][0]
    # 😀 is two UTF-16 units, é one: f sits at character 10, UTF-16 column 11.
    assert call.span == (0, 11, 0, 12)


def test_syntax_errors_keep_what_parses():
    facts = facts_of("""
        def before():
            pass

        def broken(:
            pass

        def after():
            return before()
        """)
    names = {s.qualname for s in facts.symbols}
    assert {"pkg.mod.before", "pkg.mod.after"} <= names
    assert facts.errors and facts.errors[0].startswith("4:")


def test_stored_facts_round_trip_as_rows_and_old_blobs_still_load():
    """What the store keeps (rows, packed) gives back equal facts; a blob an
    earlier version packed as the FileFacts object itself still loads."""
    from indexer.graph.store import pack, unpack
    from indexer.languages.base import facts_from_rows, facts_rows

    facts = facts_of('''
        import os
        from . import sibling as sib
        class Base(sib.Thing):
            """Doc."""
            def run(self, x: int = 1) -> "Base":
                self.seen = [y for y in range(x)]
                return os.path.join(self.seen, key=lambda v: v)
        ''')
    assert facts.refs and facts.scopes and facts.imports and facts.extra is not None
    assert facts_from_rows(unpack(pack(facts_rows(facts)))) == facts
    assert facts_from_rows(unpack(pack(facts))) == facts
    assert facts_from_rows(None) is None


def test_stored_facts_keep_spans_as_steps_and_derivable_qualnames_out():
    """Issue 17: the stored facts were a third of the index on disk. Uses and
    symbols are stored as columns with spans as steps, a qualname its parent
    gives left out (0), and the symbol fields no resolver reads (the symbol
    rows keep them) not at all: the same facts back but those fields at their
    defaults, in under half the bytes the plain rows pack to."""
    import dataclasses

    from indexer.graph.store import pack, unpack
    from indexer.languages.base import UNSTORED, facts_from_rows, facts_rows, stored_facts

    facts = facts_of("\n".join(
        f"@decorated\nclass C{i}(Base):\n    \"\"\"Doc {i}.\"\"\"\n    def m{i}(self, a, b=None):\n"
        f"        return self.x + a.y(b) + helper(a, b, {i})\n" for i in range(120)))
    assert all(any(getattr(s, name) for s in facts.symbols) for name in UNSTORED)
    stored = stored_facts(facts)
    back = facts_from_rows(unpack(pack(stored)))
    unstored = [dataclasses.replace(s, **{f.name: f.default for f in dataclasses.fields(s) if f.name in UNSTORED})
                for s in facts.symbols]
    assert back == dataclasses.replace(facts, symbols=unstored)
    method = next(i for i, s in enumerate(facts.symbols) if s.qualname == "pkg.mod.C7.m7")
    assert stored[4][1][method] == 0  # pkg.mod.C7 + "." + m7
    assert len(pack(stored)) < 0.5 * len(pack(facts_rows(facts)))


# A file exercising every role the sweep meets: decorators, bases, self
# attributes, imports, globals, lambdas, comprehensions, annotations (also in
# strings), isinstance narrowing, keyword arguments, `with`, flows, getattr,
# non-ASCII columns.
_EVERY_ROLE = '''
"""Doc."""
from __future__ import annotations
import os.path as osp, sys
from .pkg import name as alias, other
from typing import TypeVar
T = TypeVar("T", bound="Base")
__all__ = ["Base", "helper"]
COUNT: int = 0
é = "ü"

@decorate.thing(1)
class Base(object, meta.Mixin, metaclass=Meta):
    attr: "typing.List[Base]" = []
    def __init__(self, value: int = 3, *args, **kw) -> None:
        global COUNT
        self.value = value
        self.cb = helper
        with open(osp.join("a", "b")) as fh, lock:
            data = [x for x in fh if x]
        if isinstance(value, Base):
            value.attr.append(lambda y, z=1: y + z)
        assert isinstance(kw, dict)
        kw.items()
        getattr(self, "value")()
        return None

def helper(a: "Base", *, b: int | None = None):
    def inner():
        nonlocal a
        a = {k: v for k, v in zip(a, a)}
        return a
    short = inner
    return (yield other(key=a, n=b))
'''


def test_complete_sweep_gives_the_same_facts():
    """The fallback sweep (over the union of every role's identifiers, run
    if the catch-all capture ever missed one) yields exactly what the fast
    sweep over the catch-all does."""
    from indexer.languages.base import facts_rows
    from indexer.languages.python.extract import _Extractor, parser

    source = textwrap.dedent(_EVERY_ROLE).encode()
    fast = _Extractor(source, "pkg/mod.py", "pkg.mod", False).run(parser().parse(source))
    complete = _Extractor(source, "pkg/mod.py", "pkg.mod", False, complete=True).run(parser().parse(source))
    assert len(fast.refs) > 60 and any(r.receiver for r in fast.refs) and any(r.kind == "flow" for r in fast.refs)
    assert facts_rows(fast) == facts_rows(complete)
