"""SCIP export: source in, occurrences/symbols/relationships out, and the
round trip through the generated schema (indexer/export/scip_pb2.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from indexer.export import scip_pb2 as pb
from indexer.export.scip import ScipOptions, build_index, export_scip
from indexer.export.symbols import escape_name
from tests.support import build, run_cli

P = "scip-python python shop 1.2.3 "
FILES = {
    "pyproject.toml": '[project]\nname = "shop"\nversion = "1.2.3"\n',
    "shop/__init__.py": "from shop.models import Item as Item\n",
    "shop/models.py": '''
        import os.path


        class Base:
            """A base."""

            def price(self, qty: int) -> int:
                total = qty * 2
                return total


        class Item(Base):
            def price(self, qty):
                return super().price(qty) + len(os.path.join("a", "b"))


        Alias = Item


        def make():
            item = Item()
            return item.price(1), [x for x in range(3)]
    ''',
    "shop/guess.py": '''
        def use(thing):
            return thing.totally_unknown_member()


        class A:
            def totally_unknown_member(self):
                return 1


        class B:
            def totally_unknown_member(self):
                return 2
    ''',
}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    _indexer, graph = build(tmp_path_factory.mktemp("scip"), FILES)
    return build_index(graph)


def occurrences(index: pb.Index, path: str, definitions: bool) -> list[tuple]:
    doc = next(d for d in index.documents if d.relative_path == path)
    return [(tuple(o.range), o.symbol) for o in doc.occurrences
            if bool(o.symbol_roles & pb.Definition) == definitions]


def info(index: pb.Index, symbol: str) -> pb.SymbolInformation:
    return next(s for d in index.documents for s in d.symbols if s.symbol == symbol)


@pytest.mark.parametrize("rng, symbol", [
    ((0, 0, 0), "`shop.models`/__init__:"),
    ((3, 6, 10), "`shop.models`/Base#"),
    ((6, 8, 13), "`shop.models`/Base#price()."),
    ((6, 20, 23), "`shop.models`/Base#price().(qty)"),
    ((11, 6, 10), "`shop.models`/Item#"),
    ((16, 0, 5), "`shop.models`/Alias."),
    ((19, 4, 8), "`shop.models`/make()."),
])
def test_definitions(index, rng, symbol):
    assert (rng, P + symbol) in occurrences(index, "shop/models.py", True)


@pytest.mark.parametrize("rng, symbol", [
    ((0, 7, 14), "scip-python python python-stdlib {v} `os.path`/__init__:"),  # one occurrence for the dotted path
    ((6, 25, 28), "scip-python python python-stdlib {v} builtins/int#"),
    ((11, 11, 15), P + "`shop.models`/Base#"),
    ((13, 23, 28), P + "`shop.models`/Base#price()."),
    ((16, 8, 12), P + "`shop.models`/Item#"),
    ((20, 11, 15), P + "`shop.models`/Item#"),
    ((21, 16, 21), P + "`shop.models`/Item#price()."),
])
def test_references(index, rng, symbol):
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert (rng, symbol.format(v=version)) in occurrences(index, "shop/models.py", False)


def test_locals_are_document_scoped(index):
    refs = occurrences(index, "shop/models.py", False)
    defs = occurrences(index, "shop/models.py", True)
    total_def = next(s for r, s in defs if r == (7, 8, 13))
    assert total_def.startswith("local ") and ((8, 15, 20), total_def) in refs
    # A comprehension variable has no symbol in the graph: still a local, described in its document.
    comprehension = [s for r, s in refs if r == (21, 27, 28)]
    assert len(comprehension) == 1 and comprehension[0].startswith("local ") and comprehension[0] != total_def
    doc = next(d for d in index.documents if d.relative_path == "shop/models.py")
    assert comprehension[0] in {s.symbol for s in doc.symbols}


def test_import_alias_clause_is_one_occurrence(index):
    assert ((0, 24, 36), P + "`shop.models`/Item#") in occurrences(index, "shop/__init__.py", False)


def test_relationships_and_hover(index):
    item = info(index, P + "`shop.models`/Item#")
    assert [(r.symbol, r.is_implementation) for r in item.relationships] == [(P + "`shop.models`/Base#", True)]
    override = info(index, P + "`shop.models`/Item#price().")
    assert [(r.symbol, r.is_implementation) for r in override.relationships] == [(P + "`shop.models`/Base#price().", True)]
    alias = info(index, P + "`shop.models`/Alias.")
    assert [(r.symbol, r.is_reference) for r in alias.relationships] == [(P + "`shop.models`/Item#", True)]
    base = info(index, P + "`shop.models`/Base#")
    assert list(base.documentation) == ["```python\nclass Base\n```", "A base."]
    method = info(index, P + "`shop.models`/Base#price().")
    assert method.documentation[0] == "```python\ndef price(self, qty: int) -> int\n```"
    assert method.kind == pb.SymbolInformation.Method and method.enclosing_symbol == P + "`shop.models`/Base#"


def test_uncertain_uses_left_out_or_marked(tmp_path):
    _indexer, graph = build(tmp_path, FILES)
    guessed = (1, 17, 39)

    def at(index):
        return [o for d in index.documents if d.relative_path == "shop/guess.py"
                for o in d.occurrences if tuple(o.range) == guessed]

    assert at(build_index(graph)) == []
    marked = at(build_index(graph, ScipOptions(mark_uncertain=True)))
    assert len(marked) == 2 and all(o.diagnostics[0].code == "codemeld/uncertain" for o in marked)
    assert at(build_index(graph, ScipOptions(min_confidence=0.0))) and not at(
        build_index(graph, ScipOptions(min_confidence=0.0)))[0].diagnostics


def test_round_trip_every_occurrence_has_symbol_information(tmp_path):
    """The written file parses with the schema, and every occurrence's
    symbol is described (locals in their document, the rest anywhere)."""
    _indexer, graph = build(tmp_path, FILES)
    out = tmp_path / "index.scip"
    stats = export_scip(graph, out, ScipOptions(mark_uncertain=True))
    index = pb.Index()
    index.ParseFromString(out.read_bytes())
    assert index.metadata.tool_info.name == "codemeld" and len(index.documents) == stats.documents == 3
    described = {s.symbol for s in index.external_symbols}
    described.update(s.symbol for d in index.documents for s in d.symbols)
    for doc in index.documents:
        here = {s.symbol for s in doc.symbols}
        for occ in doc.occurrences:
            assert occ.symbol in (here if occ.symbol.startswith("local ") else described), occ.symbol
    assert sum(len(d.occurrences) for d in index.documents) == stats.occurrences


def test_escaping():
    assert escape_name("price") == "price"
    assert escape_name("shop.models") == "`shop.models`"
    assert escape_name("a`b") == "`a``b`"


@pytest.mark.slow
def test_cli_export(tmp_path):
    _indexer, _graph = build(tmp_path, FILES)
    out = tmp_path / "cli.scip"
    rc, stdout, stderr = run_cli(["export", tmp_path / "ws", "--index-dir", tmp_path / "index", "--scip", out])
    assert rc == 0, stderr
    assert stdout == "" and "wrote" in stderr
    pb.Index().ParseFromString(out.read_bytes())
    rc, _, stderr = run_cli(["export", tmp_path / "ws", "--index-dir", tmp_path / "none", "--scip", out])
    assert rc == 1 and "no index" in stderr


def test_worker_processes_write_the_same_index(tmp_path, monkeypatch):
    from indexer.export import scip as scip_module

    _indexer, graph = build(tmp_path, FILES)
    serial = build_index(graph, ScipOptions(jobs=1))
    monkeypatch.setattr(scip_module, "_UNIT", 1)  # one file per unit: every file goes through a worker
    parallel = build_index(graph, ScipOptions(jobs=2))
    assert list(parallel.documents) == list(serial.documents)
    assert sorted(s.symbol for s in parallel.external_symbols) == sorted(s.symbol for s in serial.external_symbols)


@pytest.mark.parametrize("files, expected", [
    ({"pyproject.toml": '[project]\nname = "a"\nversion = "1.0"\n'}, ("a", "1.0")),
    ({"pyproject.toml": '[tool.poetry]\nname = "p"\nversion = "2.0"\n'}, ("p", "2.0")),
    ({"setup.cfg": "[metadata]\nname = c\nversion = 3.1\n"}, ("c", "3.1")),
    ({"setup.cfg": "[metadata]\nname = c\nversion = attr: c.__version__\n",
      "c/__init__.py": '__version__ = "3.2"\n'}, ("c", "3.2")),
    ({"setup.py": 'from setuptools import setup\nsetup(name="s", version="0.9")\n'}, ("s", "0.9")),
    ({"pyproject.toml": '[project]\nname = "requests"\ndynamic = ["version"]\n',
      "src/requests/__version__.py": '__version__ = "2.32.3"\n'}, ("requests", "2.32.3")),
    ({"setup.py": 'setup(name=about["__title__"], version=about["__version__"])\n',
      "src/requests/__version__.py": '__title__ = "requests"\n__version__ = "2.32.3"\n'}, ("requests", "2.32.3")),
    ({"pyproject.toml": "not = [toml"}, ("proj", "0")),
])
def test_project_package_from_metadata(tmp_path, files, expected):
    from indexer.export.package import project_package
    from tests.support import write_tree

    root = tmp_path / "proj"
    write_tree(root, files)
    package = project_package(root)
    assert (package.name, package.version) == expected
