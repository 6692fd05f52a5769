"""Links of the impact walk that run nothing.

The walk follows every use of a changed symbol; some uses do not execute it,
so a test reached only through them does not run the change. Such a test is
kept in the answer, ruled out (impact.RULED_OUT_CONFIDENCE, listed last) and
left out of the default selection; the dependents stay listed.

- An override: `Sub.m` overriding `Base.m` without calling up to it never runs
  `Base.m` (a `super().m()` call is a call link of its own, and wins). On
  marshmallow the abstract `FieldABC._serialize` reached every test that
  serializes a field (664 false pairs, no true one, at depth 6).
- A class body's read of a function or class (impact_classgen.stored_not_run).
- A write of a function's name (`termui.prompt_func = fake`) replaces the
  function; the writer runs nothing of it (a test runner's swap). So does a
  write of a name the walk reached by value flow from the function
  (`_parse = _parseNoCache` in a class body, which a context manager saves
  and puts back: `ParserElement._parse = saved`; RULES["write_alias"]). On
  pyparsing every test that used `reset_pyparsing_context` looked affected by
  `_parseNoCache` and all it reaches (102,502 false pairs at depth 8). A
  writer that uses the flow's source itself writes the value the walk
  follows (`self.proxies = frozenset(map(Proxy, values))`) and is followed.
  Default selection, depth 8, the sixteen projects, this rule off against
  all on: pyparsing 0.826 / 0.426 -> 0.815 / 0.435 (-6,762 predicted pairs,
  -1,249 true: test_examples' tests ran the examples at import, which the
  walk never sees, and were reached through the swap alone), pluggy
  P 0.736 -> 0.738; the other fourteen identical.
- A library function's read of a function that only stores or compares it
  (`self._cls_dict["__setattr__"] = _frozen_setattrs`, `x is _frozen_setattrs`,
  `on_setattr == setters.validate`; the language's `stored_reads` hook says
  which): on attrs these made every class-building test look affected by
  `_frozen_setattrs` and `setters.convert`. A read passed as an argument,
  returned or bound to a local name may be called soon and is followed; so
  is a property's read (it runs the property) and a test's own read.

Measured by `python -m evals.impact` (figures in the note of issue 12).
"""

from __future__ import annotations

from indexer import languages
from indexer.analysis.impact_classgen import stored_not_run
from indexer.analysis.impact_mixins import fixture_option
from indexer.graph.model import Symbol
from indexer.graph.vocab import RefKind, SymbolKind

OVERRIDE = "override"


_READS = (RefKind.READ, RefKind.ATTRIBUTE)
_FUNCTIONS = (SymbolKind.FUNCTION, SymbolKind.METHOD)


def unrun_link(graph, kind: str, used: Symbol | None, user: Symbol | None, memo: dict,
               holds_function: bool = False, source: str | None = None, entered: str | None = None) -> bool:
    """Whether `user`'s use of `used` (a link of kind `kind`) runs nothing.
    `memo`: a dict kept while the index is unchanged (parsed files);
    `holds_function`: `used` is a name the walk reached by value flow from a
    function (`_DEFAULT_ON_SETATTR = setters.pipe(convert, validate)`), from
    `source`; `entered`: the kind of the link the walk entered `used` by."""
    return (RULES["override"] and kind == OVERRIDE) or (RULES["stored"] and stored_not_run(kind, used, user)) \
        or (RULES["stored_read"] and stored_read(graph, kind, used, user, memo, holds_function)) \
        or (RULES["write"] and kind == RefKind.WRITE and used is not None and used.kind in _FUNCTIONS) \
        or (RULES["write_alias"] and kind == RefKind.WRITE and used is not None and holds_function
            and "property" not in used.flags and not _writes_the_source(graph, memo, source, user)) \
        or (RULES["scoped_fixture"] and kind == RefKind.FIXTURE and entered in _RUN_BY_BODY
            and later_in_scope(graph, used, user, memo))


def _writes_the_source(graph, memo: dict, source: str | None, user: Symbol | None) -> bool:
    """Whether the writer uses the value flow's source itself: it writes the
    value the walk follows (`self.proxies = frozenset(map(Proxy, values))`),
    not another one in its place."""
    if source is None or user is None:
        return True
    key = ("writes the source", source, user.qualname)
    if key not in memo:
        memo[key] = bool(graph.uses_in(source, user.qualname, tuple(RefKind)))
    return memo[key]


RULES = {"override": True, "stored": True, "stored_read": True, "write": True,
         "write_alias": True, "scoped_fixture": True}  # each rule's switch, for its test
# A fixture entered by these links ran the change in its body; entered by a
# read (markupsafe's session fixture `escape` returns `_mod.escape`), its
# value is what each test runs.
_RUN_BY_BODY = frozenset({RefKind.CALL, RefKind.DECORATOR, "local"})
_WIDER_SCOPES = frozenset({"session", "package", "module", "class"})


def later_in_scope(graph, fixture: Symbol | None, test: Symbol | None, memo: dict) -> bool:
    """A test that asks for a fixture of a wider scope than the function
    (`@pytest.fixture(scope="session")`) after the first test of that scope
    did: pytest ran the fixture's body once, for the first one (in
    collection order: path, then line), and hands the others its value.
    attrs' session fixture `C` builds an attrs class: 17 of the 18 tests
    asking for it never run attrs' class-building code."""
    if fixture is None or test is None or not test.is_test:
        return False
    scope = fixture_option(fixture, "scope")
    if scope not in _WIDER_SCOPES:
        return False
    key = ("first in fixture scope", fixture.qualname)
    if key not in memo:
        first: dict[tuple, tuple] = {}
        for ref in graph.references_of_kinds(fixture.qualname, (RefKind.FIXTURE,)):
            user = graph.symbol(ref.enclosing) if ref.enclosing else None
            if user is None or not user.is_test:
                continue
            unit = () if scope in ("session", "package") else (user.path,) if scope == "module" \
                else (user.path, user.parent)
            place = (user.path, user.range.start.line, user.qualname)
            if unit not in first or place < first[unit]:
                first[unit] = place
        memo[key] = frozenset(place[2] for place in first.values())
    return test.qualname not in memo[key]


def stored_read(graph, kind: str, used: Symbol | None, user: Symbol | None, memo: dict,
                holds_function: bool = False) -> bool:
    """A library function's reads of a function (or of a name holding one)
    that all only store or compare it."""
    if kind not in _READS or used is None or not (used.kind in _FUNCTIONS or holds_function) \
            or "property" in used.flags \
            or user is None or user.kind not in _FUNCTIONS or user.is_test:
        return False
    key = ("stored read", used.qualname, user.qualname)
    if key not in memo:
        reads = graph.uses_in(used.qualname, user.qualname, _READS)
        memo[key] = bool(reads) and all(_stored(graph, r, user, memo) for r in reads)
    return memo[key]


def _stored(graph, ref, user: Symbol, memo: dict) -> bool:
    support = languages.find(languages.language_of(ref.enclosing or ""))
    hook = getattr(support, "stored_reads", None)
    if hook is None:
        return False
    # The reading function's own lines, parsed once while the index is
    # unchanged (its file, parsed whole, cost the standard library's first
    # `tests affected` queries about 0.4 s a module).
    key = ("stored reads", user.qualname)
    if key not in memo:
        first, last = user.range.start.line, user.range.end.line
        try:
            with open(graph.root / user.path, "rb") as f:
                lines = f.readlines()[first:last + 1]
        except OSError:
            lines = None
        memo[key] = hook(lines, first) if lines else None
    parsed = memo[key]
    return parsed is not None and parsed.stored(ref.range.end.line, ref.range.end.character)
