"""Property tests (issue 16): the extractor and the resolver take any bytes
and answer with well-formed facts, never an exception. Inputs are arbitrary
bytes, and Python-looking text assembled from real tokens (so the parser
gets deep into odd-but-plausible code, not only into its error paths)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from indexer.languages.python.extract import extract, normalize_source
from indexer.languages.python.provider import MemoryProvider
from indexer.languages.python.resolve import Resolver
from indexer.languages.python.summary import summarize

TOKENS = ["def ", "class ", "lambda", ":", "(", ")", "[", "]", "{", "}", ",", ".", "=", "+=", "*", "**", "->",
          "\n", "    ", "\t", "import ", "from ", " as ", "return ", "yield ", "await ", "async ", "@", "self",
          "super()", "x", "y", "Foo", "__all__", "'s'", '"""doc"""', "f'{x}'", "#", "\\\n", "if ", "else",
          "try", "except", "with ", "global ", "nonlocal ", "del ", "pass", "...", "0", "1.5", "\u00e9", "\ud7ff",
          "\x00", "\r", "\r\n", "\x0c", "match ", "case ", "type ", "[T]", ":=", "print", "*args", "**kw"]
PYTHONISH = st.lists(st.sampled_from(TOKENS), max_size=80).map(lambda parts: "".join(parts).encode("utf-8"))
SOURCES = st.one_of(st.binary(max_size=2000), PYTHONISH,
                    st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")))
PATHS = st.sampled_from([("m.py", "m", False), ("pkg/__init__.py", "pkg", True), ("a/b/c.pyi", "a.b.c", False)])
SPAN_KINDS = {"module", "class", "function", "method", "variable", "constant", "attribute", "parameter"}


def well_formed(facts, source: bytes) -> None:
    lines = facts.line_count
    assert lines >= 1
    for sym in facts.symbols:
        assert sym.kind in SPAN_KINDS, sym.kind
        assert sym.name and isinstance(sym.qualname, str) and sym.qualname.split(".")[-1] == sym.name or sym.kind == "module"
        assert -1 <= sym.parent < len(facts.symbols)
        sl, sc, el, ec = sym.span
        assert 0 <= sl <= el and sc >= 0 and ec >= 0 and (sl, sc) <= (el, ec), sym
        assert el <= lines
    for ref in facts.refs:
        sl, sc, el, ec = ref.span
        assert 0 <= sl <= el and (sl, sc) <= (el, ec) and el <= lines
        assert 0 <= ref.scope < len(facts.scopes)
        ref.name.encode("utf-8", "surrogatepass")
    for scope in facts.scopes:
        assert -1 <= scope.parent < len(facts.scopes)


def check(source: bytes, path) -> None:
    rel, module, is_package = path
    facts = extract(normalize_source(source), rel, module, is_package)
    well_formed(facts, source)
    summary = summarize(facts)
    result = Resolver(MemoryProvider([summary])).resolve_file(facts)
    kinds_out = set()
    for span, name, kind, enclosing, target, confidence, how in result.refs:
        assert 0.0 <= confidence <= 1.0 and isinstance(how, str) and how
        assert target is None or isinstance(target, str)
        kinds_out.add(kind)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=SOURCES, path=PATHS)
def test_any_bytes_give_well_formed_facts(source, path):
    check(source, path)


@pytest.mark.slow
@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=SOURCES, path=PATHS)
def test_any_bytes_give_well_formed_facts_many(source, path):
    check(source, path)
