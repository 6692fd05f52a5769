"""What a test class runs that no call names (issue 12, cachetools and
boltons): pytest collects every `test*` method of a unittest.TestCase
subclass or a `Test*` class, inherited ones included, and runs the class's
set-up and tear-down methods around each of them.

1. Inherited test methods:

    # tests/__init__.py
    class CacheTestMixin:
        def test_insert(self):
            cache = self.Cache(maxsize=2)

    # tests/test_cache.py
    class CacheTest(unittest.TestCase, CacheTestMixin):
        Cache = Cache

`CacheTestMixin.test_insert` is no test where it is written (no test file,
no test class), yet it runs as `tests/test_cache.py::CacheTest::test_insert`
and in every other test subclass. Without this rule the walk reached the
mixin's method and stopped there: on cachetools 149 of `Cache.__init__`'s
182 tests were missed.

2. A test class's own instance: pytest makes one for each collected test,
so no walk of "who makes an instance" finds its holders. The receiver rule
leaves methods of test classes and of their mixins unconstrained
(`pytest_instance`); which copies hold an override is the self-dispatch
rule's (impact_members). On cachetools, `CacheWrapperTest.cache` (a method
the mixin's tests call as `self.cache(...)`) ruled out all 130 of its true
pairs.

3. Set-up and tear-down: `setUp`, `tearDown` (unittest), `setup_method`,
`teardown_method` (pytest) run around every test collected in their class
and its test subclasses; the class-level ones (`setUpClass`, `setup_class`,
...) run once for them all. On boltons, `TestSpooledStringIO.setUp` was
reached and linked to no test: 109 pairs missed.
"""

from __future__ import annotations

import re

from indexer.analysis.impact_supplied import methods_of
from indexer.graph.vocab import SymbolKind

RULE = True  # switch, for its test
SETUP_RULE = True  # switch, for its test
INSTANCE_RULE = True  # switch, for its test
# 4. A test class or function imported into another test module is collected
# there too (`recollected_in`; a switch, for its test). Off: itsdangerous
# missed 1,070 of its 2,972 true pairs, the tests of TestSerializer,
# TestSigner and TestTimedSerializer run again in the modules that import them.
IMPORTED_RULE = True
# 5. An autouse fixture runs around every test in its scope, which names it
# nowhere (`autouse_tests`; a switch, for its test): structlog's conftest
# `_reset_config` runs `reset_defaults()` before each of its 800 tests.
AUTOUSE_RULE = True
SETUP_NAMES = frozenset({"setUp", "tearDown", "setUpClass", "tearDownClass", "setup_method", "teardown_method",
                         "setup_class", "teardown_class", "setup", "teardown", "asyncSetUp", "asyncTearDown"})
_PREFIX = "test"  # pytest's python_functions and unittest's testMethodPrefix


def inherited_test_ids(walk, sym, subclasses, node_id) -> list[str]:
    """The collected ids of a `test*` method of a class that is not a test,
    one per test subclass that inherits it (does not define the name
    itself). `subclasses(qualname)` lists every subclass, `node_id(symbol)`
    is pytest's id of a symbol."""
    if not RULE or sym.is_test or sym.kind != SymbolKind.METHOD or not sym.name.startswith(_PREFIX) \
            or not sym.parent:
        return []
    owner = walk.symbol(sym.parent)
    if owner is None or owner.kind != SymbolKind.CLASS or owner.is_test:
        return []
    out = []
    subs = subclasses(owner.qualname)
    walk.prefetch([*subs, *(f"{sub}.{sym.name}" for sub in subs)])  # one batch, not one query each
    for sub in subs:
        sub_symbol = walk.symbol(sub)
        if sub_symbol is None or not sub_symbol.is_test or walk.symbol(f"{sub}.{sym.name}") is not None:
            continue
        out.append(f"{node_id(sub_symbol)}::{sym.name}")
    return out


def recollected_in(walk, qualname: str) -> list[tuple[str, str]]:
    """(test file, name) for each other test module that imports the test
    class or function `qualname` at its top level: pytest collects it there
    again, under that name (itsdangerous's test_timed.py imports
    `TestSerializer` and `TestSigner` to subclass them, and runs their tests
    as `test_timed.py::TestSerializer::...` too). Memoised per index version."""
    if not IMPORTED_RULE:
        return []
    key = ("recollected in", qualname)
    if key not in walk.memo:
        out = []
        module_of = qualname.rpartition(".")[0]
        for ref in walk.graph.references_of_kinds(qualname, ("import",)):
            importer = walk.symbol(ref.enclosing) if ref.enclosing else None
            if importer is None or importer.kind != SymbolKind.MODULE or ref.enclosing == module_of:
                continue
            if _holds_tests(walk, ref.path):
                out.append((ref.path, ref.name))
        walk.memo[key] = out
    return walk.memo[key]


def _holds_tests(walk, path: str) -> bool:
    key = ("holds tests", path)
    if key not in walk.memo:
        walk.memo[key] = any(sym.is_test for sym in walk.graph.symbols_in_file(path))
    return walk.memo[key]


def setup_test_ids(walk, sym, subclasses, superclasses, node_id) -> list[str]:
    """The collected ids a set-up or tear-down method runs around: every
    test collected in its class (when a test class) and in its test
    subclasses. `superclasses(qualname)` lists every base."""
    if not SETUP_RULE or sym.kind != SymbolKind.METHOD or sym.name not in SETUP_NAMES or not sym.parent:
        return []
    owner = walk.symbol(sym.parent)
    if owner is None or owner.kind != SymbolKind.CLASS:
        return []
    out = []
    for cls in (owner.qualname, *subclasses(owner.qualname)):
        holder = walk.symbol(cls)
        if holder is not None and holder.is_test:
            out.extend(f"{node_id(holder)}::{name}" for name in _test_names(walk, cls, superclasses))
    return out


def _test_names(walk, cls: str, superclasses) -> list[str]:
    """The names of the test methods pytest collects in a test class: its
    own and its bases' `test*` methods (memoised per index version)."""
    key = ("collected test names", cls)
    if key not in walk.memo:
        names: dict[str, None] = {}
        for owner in (cls, *superclasses(cls)):
            for member in methods_of(walk, owner):
                if member.name.startswith(_PREFIX):
                    names.setdefault(member.name)
        walk.memo[key] = list(names)
    return walk.memo[key]


def pytest_instance(cls, subclasses: list[str], lookup_many) -> bool:
    """Whether pytest makes the instances of `cls`: a test class, or a
    plain class that test classes inherit from (`subclasses`: all of them;
    `lookup_many(qualnames)` finds their symbols in one batch)."""
    if not INSTANCE_RULE:
        return False
    return cls.is_test or (bool(subclasses) and any(sub.is_test for sub in lookup_many(subclasses).values()))


def autouse_tests(walk, sym) -> list:
    """The test functions and methods an autouse fixture runs around: those
    of its class (a fixture defined in a class), of its module, or, for a
    conftest.py's, of every test module in its folder and below. Their
    collected ids (subclass copies, re-collections) are impact's to make.
    Memoised per index version."""
    if not AUTOUSE_RULE or fixture_option(sym, "autouse") != "True":
        return []
    key = ("autouse tests", sym.qualname)
    if key not in walk.memo:
        owner = walk.symbol(sym.parent) if sym.parent else None
        if owner is not None and owner.kind == SymbolKind.CLASS:
            found = [m for m in walk.graph.members(owner.qualname) if m.is_test and m.kind == SymbolKind.METHOD]
        elif sym.path.rsplit("/", 1)[-1] == "conftest.py":
            folder = sym.path.rpartition("/")[0]
            found = [t for t in _test_symbols(walk) if not folder or t.path.startswith(folder + "/")]
        else:
            found = [t for t in walk.graph.symbols_in_file(sym.path)
                     if t.is_test and t.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD)]
        walk.memo[key] = found
    return walk.memo[key]


def fixture_option(sym, option: str) -> str | None:
    """The literal value a fixture's decorator gives `option`
    (`@pytest.fixture(autouse=True)`: "True"; `scope="session"`: "session")."""
    if "fixture" not in sym.flags:
        return None
    pattern = re.compile(rf"""\b{option}\s*=\s*(?:["'](\w+)["']|(\w+))""")
    for deco in sym.decorators:
        if (found := pattern.search(deco)) is not None:
            return found.group(1) or found.group(2)
    return None


def _test_symbols(walk) -> list:
    key = ("all test symbols",)
    if key not in walk.memo:
        walk.memo[key] = walk.graph.test_symbols()
    return walk.memo[key]
