"""Impact analysis: what depends on a symbol, through which path, how surely,
and which tests exercise it.

The dependents are the reverse transitive closure of the reference graph:
a use of X inside function F makes F depend on X (edge kind = the use's
kind: call, read, import, inherit, decorator, annotation, fixture...). On
top of the references, methods bring their class hierarchy along: a change
to `Base.m` reaches the overriding `Sub.m` (kind "override"), and a change
to `Sub.m` reaches the callers of `Base.m`, which may dispatch to it at run
time (kind "dispatch"). Confidence multiplies along the path; the first path
found at the smallest depth is kept, upgraded when an equally short path is
more certain.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from indexer import languages
from indexer.analysis.impact_supplied import supplied_to
from indexer.analysis.impact_lifecycle import copying_users, finalized_class
from indexer.analysis.impact_setter import entered_by_setter, is_setter, writes_only
from indexer.analysis.impact_selfiter import self_iterating_users
from indexer.analysis.impact_selfscope import inherited_holders
from indexer.analysis.impact_attrhooks import self_writers
from indexer.analysis.impact_copied import copied_into
from indexer.analysis.impact_decorated import product_users
from indexer.analysis.impact_carried import carried_makers
from indexer.analysis.impact_opaque import opaque_makers
from indexer.analysis.impact_execd import exec_decorated_users
from indexer.analysis.impact_operands import drop_operand_uses, drop_reflected_uses
from indexer.analysis.impact_order import ORDER_MEMO
from indexer.analysis.impact_exact import drop_exact_uses
from indexer.analysis.impact_metaclass import metaclass_readers
from indexer.analysis.impact_registered import registry_key, registry_users
from indexer.analysis.impact_mixins import (autouse_tests, inherited_test_ids, pytest_instance, recollected_in,
                                            setup_test_ids)
from indexer.analysis.impact_members import class_aliases, is_class_value, member_definers, self_dispatch_classes
from indexer.analysis.impact_precision import global_instance, receiver_class, unfollowed_guess
from indexer.analysis.impact_abc import container_class
from indexer.analysis.impact_classread import names_the_class
from indexer.analysis.impact_containeruse import ContainerUse
from indexer.analysis.impact_library import handed_made, protocol_makers, template_callers
from indexer.analysis.impact_outside import outside_callers
from indexer.analysis.impact_bestfirst import best_first
from indexer.analysis.impact_abstract import runs_an_override
from indexer.analysis.impact_protocols import asserted_class
from indexer.analysis.impact_introspect import introspecting_users, uninitialized_users
from indexer.analysis.impact_closures import closure_edge
from indexer.analysis.impact_created import SUBCLASS, runs_only_the_class
from indexer.analysis.impact_returns import returning_readers
from indexer.analysis.impact_bound import HOW as BOUND, bound_elsewhere, factory_names, instance_names, loose_scripts, \
    module_level_uses, script_module, \
    module_paths
from indexer.analysis import impact_bound
from indexer.analysis.impact_stubs import in_stub
from indexer.analysis.impact_unrun import unrun_link
from indexer.analysis.impact_testglobals import module_makers
from indexer.analysis.impact_rechain import Rechain, kept as rechain_kept
from indexer.analysis.impact_guards import AnyKeyword, Guards, _attributes_required, requirements
from indexer.analysis.impact_flags import flag_guard
from indexer.analysis.impact_changed import CHANGED, changed_guard, given_changed
from indexer.analysis.impact_storer import RUNS, discharged, storer_guard, storer_taint
from indexer.analysis.impact_params import passed_at
from indexer.analysis.impact_constructors import constructor_guard
from indexer.analysis.impact_isinstance import DISPLAY, builtin_guard, display_passed, infeasible, isinstance_guard, \
    isinstance_passed
from indexer.analysis.impact_switches import switched_off, switches_of
from indexer.analysis.impact_switchattr import switch_guard
from indexer.analysis.impact_declared import declares_only
from indexer.analysis.impact_heldself import needs_held
from indexer.analysis.impact_identity import drop_infeasible as drop_identity_infeasible
from indexer.analysis.impact_heldtype import holds_guard, reduced
from indexer.analysis.impact_holders import PASSED, ParameterAnnotations
from indexer.analysis.impact_defaults import default_only
from indexer.analysis.impact_falsebranch import never_runs
from indexer.analysis.impact_overridden import overridden_caller
from indexer.analysis.impact_selfchain import off_receiver
from indexer.analysis.impact_createdflow import decorated_member_kind, flow_kind
from indexer.analysis.impact_equse import EqualityUse
from indexer.analysis.impact_patched import Patched
from indexer.analysis.impact_newmade import made_in_new
from indexer.analysis.impact_selfhash import self_keyed_users
from indexer.analysis.impact_structural import protocol_dispatch
from indexer.analysis.impact_visitors import getattr_dispatchers
from indexer.analysis.index_memo import IndexMemo
from indexer.analysis.impact_members import MEMBER_KINDS
from indexer.graph.model import Range, Symbol
from indexer.graph.query import Graph
from indexer.graph.vocab import How, RefKind, SymbolKind

OVERRIDE_CONFIDENCE = 0.8
# Low on purpose: most callers of Base.m never hold a Sub; a threshold can
# drop these while keeping the direct chains.
DISPATCH_CONFIDENCE = 0.4
_CONSTRUCTORS = ("__init__", "__new__", "__post_init__")
# Click needs 8 for recall 0.85 (issue 12's goal; 6 reached 0.73), the
# other measured projects meet it at 6 and 8 alike. A workspace past
# GUARD_MAX_FILES Python files (where the guards are off too) walks 6:
# on the stdlib, 8 took the slowest selection from 0.8 s to 1.3 s of CPU.
DEFAULT_DEPTH = 8
LARGE_WORKSPACE_DEPTH = 6
DEFAULT_LIMIT = 2000
_CALLABLE_KINDS = ("function", "method")
CLOSURE_RULE = True
STUB_RULE = True
METACLASS_RULE = True  # a metaclass's methods keep every test (no receiver rule)
UNRUN_RULE = True  # impact_unrun: tests reached only through links that run nothing are ruled out
# A function's local functions change with it: their callers run its lines
# (with extract.CAST_CLOSURES: pyparsing 0.850 -> 0.888 recall, precision
# 0.508 -> 0.507, depth 8, default selection; the other fifteen identical).
NESTED_TARGETS = True
# How deep: a local function's own local functions are its definer's lines
# too (2: was 1 before extract.TYPE_METHODS).
NESTED_LEVELS = 2
# Scales a link that runs nothing: ranked after every clean link, cut first by the limit.
UNRUN_FACTOR = 0.01  # impact_stubs: uses written in stub files are not followed (a switch for its test)


@dataclass(frozen=True, slots=True)
class Dependent:
    symbol: Symbol
    depth: int
    kind: str  # how it uses the previous link: call, read, import, inherit, override, dispatch...
    confidence: float
    via: tuple[str, ...]  # target ... -> this symbol
    source: str = "static"  # static | learned | both
    how: str = ""  # the rule that found the last link: import, self, alias, partial, registry, dispatch...


@dataclass(frozen=True, slots=True)
class AffectedTest:
    id: str  # pytest node id: tests/test_x.py::TestClass::test_name
    symbol: Symbol | None  # None: a dynamic test whose code is not in the index
    depth: int
    confidence: float
    via: tuple[str, ...]
    source: str = "static"  # static (the graph) | learned (a recorded run executed the target) | both
    stale: bool = False  # learned from code that has changed since (until `codemeld tests learn` runs it again)


@dataclass(frozen=True, slots=True)
class Breaking:
    path: str
    range: Range
    message: str
    target: str  # the changed definition


@dataclass(frozen=True, slots=True)
class ImpactReport:
    target: Symbol
    dependents: tuple[Dependent, ...]
    tests: tuple[AffectedTest, ...]
    files: tuple[str, ...]
    breaking: tuple[Breaking, ...] = ()
    truncated: bool = False
    max_depth: int = 0
    coverage: str | None = None  # the coverage data file merged in, if any


def test_node_id(symbol: Symbol, lookup) -> str:
    """pytest's node id: the file, then each enclosing class, then the name.
    `lookup(qualname)` finds the enclosing symbols. A language with its own
    test runner ids implements the optional `test_id` hook (Go: `go test -run`)."""
    support = languages.find(languages.language_of(symbol.qualname))
    if getattr(support, "test_id", None) is not None:
        return support.test_id(symbol, lookup)
    parts = [symbol.name]
    parent = symbol.parent
    while parent:
        owner = lookup(parent)
        if owner is None or owner.kind != SymbolKind.CLASS:
            break
        parts.append(owner.name)
        parent = owner.parent
    return "::".join([symbol.path, *reversed(parts)])


@dataclass(slots=True)
class _Reach:
    depth: int
    confidence: float
    kind: str
    parent: str | None
    how: str = ""


@dataclass
class _Walk:
    graph: Graph
    max_depth: int
    limit: int
    reach: dict[str, _Reach] = field(default_factory=dict)
    symbols: dict[str, Symbol | None] = field(default_factory=dict)
    truncated: bool = False
    blocked: frozenset[str] = frozenset()  # nodes never entered
    created: frozenset[str] = frozenset()  # classes followed only through calls and subclasses
    memo: dict = field(default_factory=dict)  # IMPACT_MEMO's table: graph-only answers shared across queries
    tainted: set[str] = field(default_factory=set)  # reached through a link that runs nothing (impact_unrun)
    runs: bool = True  # who runs the target (False: who holds an instance of it, the receiver walks)
    soft: set[str] = field(default_factory=set)  # tainted only through a created class's users: a clean chain re-enters
    flagged: dict = field(default_factory=dict)  # tainted only under module-level flags: their tokens (impact_flags)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # every (callee, user, kind) link, for the guards
    _dispatched: dict | None = None  # user -> dispatching callees, read from `edges` once the walk is done
    _into: dict | None = None  # user -> other reached callees, read from `edges` once the walk is done

    def symbol(self, qualname: str) -> Symbol | None:
        if qualname not in self.symbols:
            self.symbols[qualname] = self.graph.symbol(qualname)
        return self.symbols[qualname]

    def prefetch(self, qualnames) -> None:
        missing = [q for q in qualnames if q not in self.symbols]
        if missing:
            found = self.graph.symbols_named(missing)
            for qualname in missing:
                self.symbols[qualname] = found.get(qualname)

    def prefetch_chains(self, qualnames) -> None:
        """`prefetch` of `qualnames` and of their enclosing chains, one batch
        per level: `ancestors` and test ids read them, and one `symbol` query
        each was a quarter of a 2,000-dependent answer (same symbols: the
        first by id, as `Graph.symbol`)."""
        todo = list(dict.fromkeys(qualnames))
        seen = set(todo)
        while todo:
            self.prefetch(todo)
            todo = [sym.parent for q in todo if (sym := self.symbols.get(q)) is not None and sym.parent]
            todo = [q for q in dict.fromkeys(todo) if q not in seen]
            seen.update(todo)

    def callers(self, targets) -> list[str]:
        """The functions that call any of `targets` (outside functions, named
        as the index names them), sorted: one query per set of targets and
        index version, kept in `memo` (impact_lifecycle, impact_outside,
        impact_selfiter)."""
        key = ("callers", *targets)
        if key not in self.memo:
            self.memo[key] = sorted({enclosing for _t, enclosing, *_rest in self.graph.incoming(list(targets),
                                                                                                RefKind.CALL)})
        return self.memo[key]

    def uses_in(self, qualname: str) -> list:
        """The references made inside `qualname`, kept in `memo` per index
        version (impact_carried, impact_metaclass)."""
        key = ("uses in", qualname)
        if key not in self.memo:
            self.memo[key] = self.graph.references_from(qualname)
        return self.memo[key]

    def dispatched(self, user: str) -> list[str]:
        """The reached nodes with a dispatch link into `user` (impact_members)."""
        if self._dispatched is None:
            self._dispatched = defaultdict(list)
            for callee, enclosing, kind in self.edges:
                if kind == "dispatch" and callee in self.reach:
                    self._dispatched[enclosing].append(callee)
        return self._dispatched.get(user, ())

    def into(self, user: str) -> list[str]:
        """The reached nodes with a link into `user` other than a dispatch (impact_selfscope)."""
        if self._into is None:
            self._into = defaultdict(list)
            for callee, enclosing, kind in self.edges:
                if kind != "dispatch" and callee in self.reach:
                    self._into[enclosing].append(callee)
        return self._into.get(user, ())

    def ancestors(self, qualname: str) -> set[str]:
        """The class/module chain that contains a symbol."""
        out: set[str] = set()
        sym = self.symbol(qualname)
        while sym is not None and sym.parent and sym.parent not in out:
            out.add(sym.parent)
            sym = self.symbol(sym.parent)
        return out



def _incoming_many(graph: Graph, qualnames: list[str], kind: str | None = None, memo: dict | None = None
                   ) -> dict[str, list[tuple[str, str, float, str]]]:
    """(enclosing symbol, use kind, best confidence, its rule) of the uses of each target,
    one query per 500 targets (a walk level at once). Enclosing names are scope
    owners (module, class, function), so each is a node of the walk as it is."""
    out: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    names = list(dict.fromkeys(qualnames))
    for start in range(0, len(names), 500):
        chunk = names[start:start + 500]
        rows = graph.incoming(chunk, kind) if memo is None else _incoming_rows(graph, chunk, kind, memo)
        if memo is None and rows:
            memo = IMPACT_MEMO.table(graph)  # (a walk passes its own: one version read per query)
        modules = module_paths(graph, memo) if rows else {}
        for target, enclosing, ref_kind, conf, how in rows:  # not `kind`: the next chunk filters by it
            if enclosing in modules and module_level_uses(graph, memo, target, enclosing):
                continue  # a module body, under a function's name (impact_bound)
            out[target].append((enclosing, ref_kind, conf, how))
    return out


# Each target's uses (`Graph.incoming` rows), kept in IMPACT_MEMO's scratch
# dict: a hub's users are read once per index version, not once per walk
# that reaches it (`TestCase.assertRaises`: 11,284 references, 0.1-0.2 s
# a read on the stdlib); past this many rows the cache starts over.
INCOMING_CACHE = True
INCOMING_CACHE_ROWS = 300_000


def _incoming_rows(graph: Graph, chunk: list[str], kind: str | None, memo: dict) -> list:
    """`graph.incoming(chunk, kind)`, rows in its order (by target, then
    user and kind: its GROUP BY's), each target's read once."""
    if not INCOMING_CACHE:
        return graph.incoming(chunk, kind)
    scratch = IMPACT_MEMO.scratch(memo)
    if scratch.get("incoming rows", 0) > INCOMING_CACHE_ROWS:
        for key in [k for k in scratch if isinstance(k, tuple) and k[0] == "incoming"]:
            scratch[key] = {}  # (a walk under way keeps the dict it holds)
        scratch["incoming rows"] = 0
    cache = scratch.setdefault(("incoming", str(kind)), {})
    missing = [t for t in chunk if t not in cache]
    if missing:
        fetched: dict[str, list] = {t: [] for t in missing}
        rows = graph.incoming(missing, kind)
        for row in rows:
            fetched[row[0]].append(row)
        cache.update(fetched)
        scratch["incoming rows"] = scratch.get("incoming rows", 0) + len(rows)
    return [row for target in sorted(chunk) for row in cache[target]]


def subclasses(graph: Graph, qualname: str) -> list[str]:
    return graph.subclass_names(qualname)


def superclasses(graph: Graph, qualname: str) -> list[str]:
    return graph.base_targets(qualname)


def hierarchy_namesakes(graph: Graph, symbol: Symbol) -> list[Symbol]:
    """A method plus the same-named methods of every class related to its
    class through the hierarchy (bases and subclasses, in either direction, to
    closure; Go: interfaces and embedding): what a rename moves together."""
    out = [symbol]
    if symbol.kind != SymbolKind.METHOD or not symbol.parent:
        return out
    seen, todo = {symbol.parent}, [symbol.parent]
    while todo:
        owner = todo.pop()
        for other in subclasses(graph, owner) + superclasses(graph, owner):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    for owner in sorted(seen - {symbol.parent}):
        out.extend(graph.symbols(f"{owner}.{symbol.name}"))
    return out


def _hierarchy(graph: Graph, start: str, down: bool, memo: dict | None = None) -> list[str]:
    """All subclasses (down) or bases (up) of a class, one query per level
    (with `memo`, IMPACT_MEMO's table: each class's direct ones read once)."""
    known, level, out = {start}, [start], []
    while level:
        step = graph.hierarchy_step(level, down) if memo is None else _hierarchy_step(graph, memo, level, down)
        level = [q for q in step if q not in known]
        known.update(level)
        out.extend(level)
    return out


def _hierarchy_step(graph: Graph, memo: dict, level: list[str], down: bool) -> list[str]:
    """`graph.hierarchy_step(level, down)`, in its order (the level's classes
    by name, each one's direct sub/base classes as the query meets them,
    the first of each kept), from each class's direct ones read once per
    index version into IMPACT_MEMO's scratch: the stdlib's slowest selection
    made 2,961 such queries, most for classes another walk had read."""
    cache = IMPACT_MEMO.scratch(memo).setdefault(("hierarchy", down), {})
    missing = [q for q in dict.fromkeys(level) if q not in cache]
    for start in range(0, len(missing), 500):
        chunk = missing[start:start + 500]
        fetched: dict[str, list[str]] = {q: [] for q in chunk}
        for cls, other in graph.hierarchy_pairs(chunk, down):
            fetched[cls].append(other)
        cache.update(fetched)
    return list(dict.fromkeys(other for cls in sorted(set(level)) for other in cache[cls]))


# The hierarchy and the definers of a name depend on the graph alone: kept
# in IMPACT_MEMO's table (walk.memo) across the queries over one index version.

def _subclasses(walk: _Walk, cls: str) -> list[str]:
    key = ("subclasses", cls)
    if key not in walk.memo:
        walk.memo[key] = _hierarchy(walk.graph, cls, down=True, memo=walk.memo)
    return walk.memo[key]


def _superclasses(walk: _Walk, cls: str) -> list[str]:
    key = ("superclasses", cls)
    if key not in walk.memo:
        walk.memo[key] = _hierarchy(walk.graph, cls, down=False, memo=walk.memo)
    return walk.memo[key]


def _classes_defining(walk: _Walk, name: str) -> set[str]:
    """Classes that define a member called `name` (one indexed query per name)."""
    key = ("definers", name)
    if key not in walk.memo:
        known = IMPACT_MEMO.scratch(walk.memo).pop(key, None)  # (read in a batch: _prefetch_definers)
        walk.memo[key] = known if known is not None else walk.graph.parents_defining(
            name, (SymbolKind.METHOD, SymbolKind.FUNCTION))
    return walk.memo[key]


_DEFINER_KINDS = (SymbolKind.METHOD, SymbolKind.FUNCTION)


def _prefetch_definers(walk: _Walk, names) -> None:
    """`member_definers` and `_classes_defining` of many names in one batch,
    into IMPACT_MEMO's scratch dict (moved into its table by the first use,
    so the table holds what it did when each name cost two queries: on the
    stdlib's slowest selections a tenth of the time was those queries)."""
    known = IMPACT_MEMO.scratch(walk.memo)
    names = [n for n in dict.fromkeys(names) if ("member definers", n) not in walk.memo
             and ("member definers", n) not in known]
    if not names:
        return
    members: dict[str, set] = {n: set() for n in names}
    definers: dict[str, set] = {n: set() for n in names}
    for name, kind, parent in walk.graph.definers_of(names, MEMBER_KINDS):
        members[name].add(parent)
        if kind in _DEFINER_KINDS:
            definers[name].add(parent)
    for name in names:
        known[("member definers", name)] = members[name]
        if ("definers", name) not in walk.memo:
            known[("definers", name)] = definers[name]


# impact_abc: a container ABC's abstract methods run where its instances are made.
ABC_RULE = True
# impact_abstract: a call of an @abstractmethod (not through super()) runs an override.
ABSTRACT_RULE = True
# impact_created: a created class's users are ruled out; a clean chain re-enters them.
CREATED_RULE = True
REENTER_RULE = True


def _hierarchy_edges(walk: _Walk, method: Symbol) -> list[tuple[str, str, float, bool]]:
    """(qualname, kind, confidence, is_caller_source) for overrides and dispatch;
    for constructors, the calls of the class (and of subclasses that inherit
    the constructor) run it."""
    owner = walk.symbol(method.parent) if method.parent else None
    if owner is None or owner.kind != SymbolKind.CLASS:
        return []
    name = method.name
    # A class attribute or method replaces a base's member of any kind on
    # `self` (impact_members: `D = CustomMapping` over `D = dict`).
    members = member_definers(walk.graph, walk.memo, name, IMPACT_MEMO.scratch(walk.memo))
    # ... and supplies one its bases read on `self` but never define (impact_supplied).
    supplied = [(user, "dispatch", SELF_DISPATCH_CONFIDENCE, False, "dispatch-self") for user in supplied_to(
        walk, method, _superclasses(walk, owner.qualname), members)] if name not in _CONSTRUCTORS else []
    # `klass.OPTIONS_CLASS` on the class a metaclass's `__new__` makes (impact_metaclass).
    if _recall_rules_scale(walk):
        # `getattr(self, f"visit_{...}")` in a base finds a subclass's handler, or its
        # class-level alias (`visit_If = _simple_visit`; impact_visitors).
        supers = _superclasses(walk, owner.qualname)
        supplied += [(user, "dispatch", DISPATCH_CONFIDENCE, False, How.GETATTR_MATCH)
                     for user in getattr_dispatchers(walk, method, supers)]
        supplied += [(user, "dispatch", DISPATCH_CONFIDENCE, False, How.PROTOCOL) for user in metaclass_readers(
            walk, method, [owner.qualname, *supers])]
    if method.kind != SymbolKind.METHOD and not members - {owner.qualname}:
        return supplied  # no other class has the name: nothing to replace
    bases = _superclasses(walk, owner.qualname)
    if method.kind != SymbolKind.METHOD and not members.intersection(bases):
        return supplied
    definers = _classes_defining(walk, name)
    # Over a base's class attribute (not a method), only `self.name` in the
    # base's own code dispatches: a reader typed by annotation (click's
    # `self.type.arity`) holds any subclass (impact_members).
    attribute_bases = [(f"{base}.{name}", "dispatch", DISPATCH_CONFIDENCE, True, How.SELF)
                       for base in bases if base in members and base not in definers]
    if method.kind != SymbolKind.METHOD:
        return attribute_bases + supplied
    subs = _subclasses(walk, owner.qualname)
    defined = _defined_classes(walk, owner.qualname, name)
    if defined:
        return [(cls, DEFINE, 1.0, False) for cls in defined] + (
            [(owner.qualname, "call", 1.0, True)] if name in _CONSTRUCTORS else [])
    if name in _CONSTRUCTORS:
        built = [owner.qualname] + [sub for sub in subs if sub not in definers]
        # A name bound to the class (`D = CustomMapping`) is the class: what
        # calls or dispatches to it constructs it too (impact_members).
        aliases = [(alias, RefKind.FLOW, 1.0, False) for cls in built
                   for alias in class_aliases(walk.graph, walk.memo, cls, walk.symbol)]
        return [(cls, "call", 1.0, True) for cls in built] + aliases
    out = [(f"{sub}.{name}", "override", OVERRIDE_CONFIDENCE, False) for sub in subs if sub in definers]
    out.extend((f"{base}.{name}", "dispatch", DISPATCH_CONFIDENCE, True) for base in bases if base in definers)
    # A Protocol the class implements without naming it (impact_structural).
    out.extend((declared, "dispatch", DISPATCH_CONFIDENCE, True) for declared in protocol_dispatch(
        walk, method, owner.qualname, bases, lambda member: _classes_defining(walk, member)))
    out.extend(attribute_bases)
    out.extend(supplied)
    # `self.popitem()` in a base that inherits it from `MutableMapping` (impact_outside).
    out.extend((user, "dispatch", DISPATCH_CONFIDENCE, False, How.SELF) for user in outside_callers(
        walk, method, bases, {base for base in bases if base not in definers and walk.symbol(base) is not None}))
    # `copy.copy(x)`, `pickle.dumps(x)` run x's copy protocol (impact_lifecycle).
    out.extend((user, "dispatch", DISPATCH_CONFIDENCE, False, How.PROTOCOL) for user in copying_users(
        walk, method, {owner.qualname, *bases, *subs}, subs, lambda cls: _superclasses(walk, cls)))
    # `inspect.getmembers(proxy)`, `isinstance(proxy, T)` run its `__getattr__`, `__class__` (impact_introspect).
    out.extend((user, "dispatch", DISPATCH_CONFIDENCE, False, How.PROTOCOL)
               for user in introspecting_users(walk, method))
    # `C.__new__(C)` makes one whose reads of what `__init__` sets fall to `__getattr__` (impact_introspect).
    out.extend((user, "dispatch", DISPATCH_CONFIDENCE, False, How.PROTOCOL) for user in uninitialized_users(
        walk, method, [owner.qualname, *(sub for sub in subs if sub not in definers)]))
    # `zip_longest(self, other)` in the class's own methods runs `__iter__` (impact_selfiter).
    out.extend((user, "dispatch", DISPATCH_CONFIDENCE, False, How.PROTOCOL) for user in self_iterating_users(
        walk, method, {owner.qualname, *bases, *subs}))
    if _recall_rules_scale(walk):
        # `self.x = v` in the class's (and subclasses') methods runs its `__setattr__` (impact_attrhooks).
        out.extend((user, "dispatch", DISPATCH_CONFIDENCE, False, How.PROTOCOL) for user in self_writers(
            walk, method, owner.qualname, bases, subs))
        # `cache.get((self, loc))` in the class's (and subclasses') methods runs its `__hash__` (impact_selfhash).
        out.extend((user, "dispatch", DISPATCH_CONFIDENCE, False, How.PROTOCOL) for user in self_keyed_users(
            walk, method, owner.qualname, subs))
        # `Markup.format` makes an EscapeFormatter and calls `string.Formatter.vformat`, which
        # calls its `format_field` back; `str.__mod__` runs a made helper's `__str__` (impact_library).
        out.extend((user, "dispatch", DISPATCH_CONFIDENCE, False, How.PROTOCOL) for user in template_callers(
            walk, method, owner.qualname, bases, subs, definers))
        out.extend((user, "dispatch", DISPATCH_CONFIDENCE, False, How.PROTOCOL) for user in protocol_makers(
            walk, method, owner.qualname, subs, definers))
        # `@deco def f` where `deco` returns a C: using `f` runs C's `__call__`/`__get__` (impact_decorated).
        out.extend((user, DEFINE, 1.0, False) if statement
                   else (user, "dispatch", DISPATCH_CONFIDENCE, False, How.PROTOCOL)
                   for user, statement in product_users(walk, method, owner.qualname, subs, definers))
    held = asserted_class(method, walk.symbol, walk.graph, hashed=_recall_rules_scale(walk))
    if held is None and ABC_RULE:
        # `len(s)`, `for x in s`, `s |= t` on a container ABC's subclass (impact_abc).
        held = container_class(method, bases, walk.symbol)
    if held is None:
        held = finalized_class(method, walk.symbol)  # `__del__` (impact_lifecycle)
    if held is not None:
        # `==` on a test module's class: the tests holding an instance run it
        # (impact_protocols); from the class, only what makes an instance.
        walk.created = walk.created | {held}
        out.append((held, How.PROTOCOL, How.PROTOCOL.confidence, False, How.PROTOCOL))
    return out


# What can hand a test an instance of a class: calling it, subclassing it, a
# function or attribute annotated with it (a factory, `__getattr__ -> C`), a
# fixture, decorating with it (`@cachedproperty def query_params`: the name
# holds an instance, whose `__get__` runs where it is read; boltons: 23 of
# 23 pairs of `cachedproperty.__get__` ruled out). Imports and plain reads
# of the class name make none.
_MAKES_INSTANCE = (RefKind.CALL, RefKind.INHERIT, RefKind.ANNOTATION, RefKind.FIXTURE, RefKind.DECORATOR)


# A class created by changed code (its metaclass, decorator, body) and then
# used: the users run what the class statement produced, not the change
# itself (per-test coverage never sees them execute it, yet a change may
# alter what they get), so they are listed at this factor.
CREATED_CONFIDENCE = 0.1
# Uses whose enclosing scope is a class run in its class statement (its
# decorators, its body), not when the class is used.
_CLASS_STATEMENT_USES = (RefKind.DECORATOR, RefKind.READ, RefKind.ATTRIBUTE, RefKind.CALL)


# Edge kind of a class whose creation (the class statement) runs the changed
# code: a metaclass's __new__/__init__, a base's __init_subclass__. What uses
# such a class later does not re-run it; its subclasses' statements do.
DEFINE = "define"


def _defined_classes(walk: _Walk, owner: str, name: str) -> list[str]:
    """The classes whose class statement runs `owner.name`: those created by
    the metaclass `owner` (for __new__/__init__), or `owner`'s subclasses
    (for __init_subclass__)."""
    if name == "__init_subclass__":
        return _subclasses(walk, owner)
    if name in ("__new__", "__init__"):
        return walk.graph.metaclass_users(owner)
    return []


# A call `self.m()` in a method of the class that the changed override's
# class inherits from (a template method) usually dispatches to overrides;
# a call on a receiver known only by its annotation may hold any subclass.
SELF_DISPATCH_CONFIDENCE = 0.6


_SELF_HOWS = (How.SELF, How.MRO, How.SUPER)


def _dispatch_edges(walk: _Walk, method: Symbol, uses, factor: float) -> list[tuple]:
    """Callers of a base's method that may run `method` (an override) at run
    time, ranked: a `self.m()` inside a class related to the override's class
    (an ancestor: template method; a subclass) may; inside a sibling class it
    cannot (self is never an instance of the override's class there)."""
    cls = method.parent
    related = {cls, *_superclasses(walk, cls), *_subclasses(walk, cls)}
    out = []
    for enclosing, kind, conf, how in uses:
        if names_the_class(how):
            continue  # `Cache.__setitem__`: the class's own function, never an override (impact_classread)
        if how in ("self", "mro", "super"):
            caller = walk.symbol(enclosing)
            owner = caller.parent if caller is not None and caller.kind == SymbolKind.METHOD else None
            if owner is not None and owner not in related:
                continue
            out.append((enclosing, "dispatch", conf * max(factor, SELF_DISPATCH_CONFIDENCE), method.qualname,
                        "dispatch-self"))
        else:
            out.append((enclosing, "dispatch", conf * factor, method.qualname, "dispatch"))
    return out


def _same_level(walk: _Walk, frontier: list[str]) -> list[str]:
    """Links that add no call level, followed to closure before each level:
    a name bound to the value (`s = attrs`: kind "flow") is the same object,
    and a local definition runs as part of its function. Returns the nodes
    they reach (recorded at the depth of the node they came from)."""
    out: list[str] = []
    level = list(frontier)
    while level and len(walk.reach) <= walk.limit:
        added = []
        flows = _incoming_many(walk.graph, level, kind="flow", memo=walk.memo)
        walk.prefetch_chains([*level, *(e for node in level for e, *_ in flows.get(node, ()))])
        returned = returning_readers(walk, level)
        for node in level:
            base = walk.reach[node]
            edges = [(e, "flow", c, how) for e, _k, c, how in flows.get(node, ())]
            local = _local_definition_edge(walk, node)
            if local is not None:
                edges.append(local)
            # A function its reader returns runs in the reader's caller (impact_returns).
            edges.extend((reader, RefKind.READ, 1.0, "returned") for reader in returned.get(node, ()))
            if _recall_rules_scale(walk):
                # A module-level name bound to the node's call holds its closure or instance (impact_bound).
                edges.extend((name, RefKind.FLOW, 1.0, BOUND)
                             for name in (*factory_names(walk, node), *instance_names(walk, node)))
            for enclosing, kind, conf, how in edges:
                if enclosing not in walk.blocked:
                    walk.edges.append((node, enclosing, kind))
                if enclosing in walk.blocked or walk.symbol(enclosing) is None:
                    continue
                stub = STUB_RULE and in_stub(walk.symbol(enclosing))
                if enclosing in walk.reach and not (REENTER_RULE and enclosing in walk.soft
                                                    and node not in walk.tainted and not stub):
                    continue
                walk.tainted.discard(enclosing)
                walk.soft.discard(enclosing)
                walk.reach[enclosing] = _Reach(max(base.depth, 1), base.confidence * conf * (UNRUN_FACTOR if stub else 1.0),
                                               flow_kind(base.kind, kind, DEFINE, walk.runs), node, how)  # (impact_createdflow)
                if node in walk.tainted or stub:
                    walk.tainted.add(enclosing)
                    if node in walk.soft and not stub:
                        walk.soft.add(enclosing)
                added.append(enclosing)
        # Modules are never walked through (see impact()).
        level = [q for q in added if walk.symbol(q).kind != SymbolKind.MODULE]
        out.extend(level)
    return out


def _local_definition_edge(walk: _Walk, node: str) -> tuple | None:
    """A class defined inside a function runs (decorators, bases, body) each
    time the function runs; so does a local function's decorator. The
    function depends on it even when the name is never used afterwards
    (`@attr.s class C: ...` inside a test)."""
    sym = walk.symbol(node)
    if sym is None or not sym.parent or sym.kind not in (SymbolKind.CLASS, SymbolKind.FUNCTION, SymbolKind.METHOD):
        return None
    parent = walk.symbol(sym.parent)
    if parent is not None and parent.path != sym.path and impact_bound.NAMESAKE_RULE:
        # A definition's parent is in its file: `tenacity.retry` names the
        # package's function and the `retry.py` module (impact_bound).
        parent = next((s for s in walk.graph.symbols(sym.parent) if s.path == sym.path), None)
    if parent is None:
        return None
    if sym.kind != SymbolKind.CLASS and walk.reach[node].kind != RefKind.DECORATOR:
        # A closure its definer calls or hands out runs as part of the
        # definer's call: no call level is added (impact_closures).
        closure = CLOSURE_RULE and sym.kind == SymbolKind.FUNCTION and parent.kind in _CALLABLE_KINDS
        return closure_edge(walk.graph, sym, parent, walk.memo) if closure else None
    if parent.kind == SymbolKind.CLASS and sym.kind == SymbolKind.METHOD:
        # A method's decorator runs with its class body: the class runs it
        # (and a class local to a function runs with that function), once:
        # its users run what it made (impact_createdflow).
        return (parent.qualname, decorated_member_kind(DEFINE, walk.runs), 1.0, "local")
    if parent.kind not in _CALLABLE_KINDS:
        return None
    return (parent.qualname, "local", 1.0, "local")


# The symbols the walks looked up, shared by every walk over one index
# version (a query's receiver walks and the next queries read mostly the
# same ones), in IMPACT_MEMO's scratch dict (not counted in its table);
# past this many the dict starts over.
SHARED_SYMBOLS = True
SHARED_SYMBOLS_LIMIT = 100_000


def _shared_symbols(memo: dict) -> dict[str, Symbol | None]:
    if not SHARED_SYMBOLS:
        return {}
    scratch = IMPACT_MEMO.scratch(memo)
    held = scratch.get("symbols")
    if held is None or len(held) > SHARED_SYMBOLS_LIMIT:
        held = scratch["symbols"] = {}
    return held


def default_depth(graph: Graph) -> int:
    """The depth an answer walks when the caller names none."""
    return DEFAULT_DEPTH if _guards_scale(graph, IMPACT_MEMO.table(graph)) else LARGE_WORKSPACE_DEPTH


def impact(graph: Graph, qualname: str, depth: int | None = None, limit: int = DEFAULT_LIMIT,
           coverage=None, learned: bool = True, blocked: frozenset[str] = frozenset(),
           created: frozenset[str] = frozenset(), path_receivers: bool = True,
           on_dependents=None, line: int | None = None) -> ImpactReport:
    """The ImpactReport of one symbol. `coverage` is a CoverageMap (optional);
    `learned` merges the test edges `codemeld tests learn` stored in the index;
    the walk never enters `blocked` nodes (the receiver rule's overriding
    subclasses); from `created` classes it follows only what makes an
    instance (calls, subclasses), not annotations or imports;
    `path_receivers` applies the receiver rule at each dispatch on a test's
    chain too (`_ruled_out`); `on_dependents` is called with the report's
    dependents as soon as the walk ends, before its tests are looked for (a
    streamed answer sends its first page then); `line` (0-based, of the
    name) picks one of the definitions that share the qualname: a property's
    setter is run by the writes of the attribute (impact_setter)."""
    target = graph.symbol(qualname)
    if target is None:
        raise KeyError(qualname)
    if depth is None:
        depth = default_depth(graph)
    memo = IMPACT_MEMO.table(graph)
    walk = _Walk(graph, depth, limit, blocked=blocked, created=created, memo=memo, runs=not created,
                 symbols=_shared_symbols(memo))
    walk.symbols[qualname] = target
    walk.reach[qualname] = _Reach(0, 1.0, "target", None)
    frontier = [qualname]
    if NESTED_TARGETS and target.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD):
        # A local function's lines are its definer's: changing the definer
        # changes what the closure it hands out runs (pyparsing's
        # replaced_by_pep8._inner, run by every camelCase alias).
        # (and theirs: a factory's `make_method(level)` returning `meth`, structlog)
        outer = [qualname]
        for _level in range(NESTED_LEVELS):
            inners = [inner for definer in outer for inner in graph.members(definer)
                      if inner.kind == SymbolKind.FUNCTION and inner.qualname not in walk.reach]
            for inner in inners:
                walk.symbols[inner.qualname] = inner
                walk.reach[inner.qualname] = _Reach(0, 1.0, "local", qualname, "closure")
                walk.edges.append((inner.parent, inner.qualname, "local"))  # (the guards' chains start at the target)
                frontier.append(inner.qualname)
            outer = [inner.qualname for inner in inners]
    # Nodes run as a property setter: their users are the attribute's writes (impact_setter).
    setters = {qualname} if is_setter(graph, qualname, line) else set()
    level = 0
    instances = Guards(graph, walk.memo) if GUARDS and ISINSTANCE_RULE and _guards_scale(graph, walk.memo) else None
    switches = (instances or Guards(graph, walk.memo)) if GUARDS and SWITCH_RULE and _guards_scale(graph, walk.memo) \
        else None
    identities = (instances or switches or Guards(graph, walk.memo)) \
        if GUARDS and IDENTITY_RULE and _guards_scale(graph, walk.memo) else None
    flags = (instances or switches or identities or Guards(graph, walk.memo)) \
        if GUARDS and FLAG_TAINT and _guards_scale(graph, walk.memo) else None
    changed_memo = IMPACT_MEMO.scratch(walk.memo)  # (impact_changed's: kept off the table's limit)
    while frontier and level < depth:
        frontier = frontier + _same_level(walk, frontier)
        level += 1
        found: dict[str, _Reach] = {}
        taint: set[str] = set()
        soft: set[str] = set()
        flagged: dict[str, frozenset] = {}
        walk.prefetch_chains(frontier)
        _prefetch_definers(walk, (sym.name for node in frontier if (sym := walk.symbol(node)) is not None
                                  and (sym.kind == SymbolKind.METHOD or is_class_value(sym, walk.symbol))))
        related = {node: _hierarchy_edges(walk, walk.symbol(node)) for node in frontier
                   if walk.symbol(node) is not None and (walk.symbol(node).kind == SymbolKind.METHOD
                                                         or is_class_value(walk.symbol(node), walk.symbol))}
        asked = frontier + [r[0] for rel in related.values() for r in rel if r[3]]
        incoming = _incoming_many(graph, asked, memo=walk.memo)
        if not _recall_rules_scale(walk):
            drop_operand_uses(incoming)  # `a + b`, `len(a)`: small workspaces only (impact_operands)
        drop_reflected_uses(graph, walk.memo, incoming)  # `a + b` of one family runs a's __add__, not b's __radd__
        if setters:
            # `x.name = v` runs the setter, `x.name` the getter (impact_setter).
            writes_only(incoming, asked if level == 1 and qualname in setters else
                        [node for node in frontier if node in setters])
        for cls in dict.fromkeys(asked) if _recall_rules_scale(walk) else ():
            # A callable registered into a module-level dict runs where an item is read (impact_registered).
            incoming[cls].extend(registry_users(walk, cls))
            # A test calling a local that may hold the class (impact_carried).
            if (sym := walk.symbol(cls)) is not None and sym.kind == SymbolKind.CLASS:
                incoming[cls].extend(carried_makers(walk, cls))
                # `<opaque>.C()`: a receiver the index cannot evaluate makes one (impact_opaque).
                incoming[cls].extend(opaque_makers(walk, cls))
            if not walk.runs:
                # Who can hold a class's instance: `@ns.name` where an exec'd
                # literal defines `name` decorated with its maker (impact_execd).
                incoming[cls].extend(exec_decorated_users(walk, cls))
        # A batch, not one query each: the guesses' users, and the users
        # `_dispatch_edges` looks up (`self.m()`; 4,315 single lookups in
        # one stdlib selection).
        walk.prefetch(u[0] for uses in incoming.values() for u in uses if u[3] == "name-match" or u[3] in _SELF_HOWS)
        for callee, uses in incoming.items():
            if any(how == "name-match" for *_x, how in uses):
                incoming[callee] = [u for u in uses if u[3] != "name-match"
                                    or not unfollowed_guess(u[1], u[3], walk.symbol(callee), walk.symbol(u[0]))]
        level_edges = {}
        for node in frontier:
            if walk.reach[node].kind == DEFINE:
                # Created by the change, not running it: a subclass statement
                # runs it again (and a local class runs with its function:
                # _same_level); what uses the class runs only its result: at
                # a lower confidence, and ruled out (impact_created; listed,
                # never dropped) where the walk asks who runs the target.
                level_edges[node] = [(e, DEFINE, c, node, SUBCLASS) if k == RefKind.INHERIT
                                     else (e, k, c * CREATED_CONFIDENCE, node, how)
                                     for e, k, c, how in incoming.get(node, ())]
                continue
            edges = [(e, k, c, node, how) for e, k, c, how in incoming.get(node, ())
                     if node not in walk.created or k in _MAKES_INSTANCE or made_in_new(walk, k, e)
                     or handed_made(walk, node, k, e)]
            for other, kind, factor, callers, *rule in related.get(node, ()):
                if not callers:
                    how = rule[0] if rule else How.ALIAS if kind == RefKind.FLOW else kind
                    edges.append((other, kind, factor, node, how))
                elif kind == RefKind.CALL:
                    # Constructors run only through calls of their class, or where the
                    # class is handed to its library base's package, which makes it (impact_library).
                    edges.extend((e, kind, c * factor, node, "constructor")
                                 for e, k, c, how in incoming.get(other, ())
                                 if k == "call" or handed_made(walk, other, k, e))
                else:
                    uses = incoming.get(other, ())
                    if rule and rule[0] == How.SELF:
                        uses = [u for u in uses if u[3] in _SELF_HOWS]
                    if _recall_rules_scale(walk):
                        # `Empty() + x`: a receiver of one known class runs its own method
                        # (impact_exact; it reads each user's source: small workspaces only).
                        overrider = walk.symbol(node).parent
                        uses = drop_exact_uses(walk, other, uses, {overrider, *_subclasses(walk, overrider)},
                                               lambda cls: _superclasses(walk, cls))
                    edges.extend(_dispatch_edges(walk, walk.symbol(node), uses, factor))
            level_edges[node] = edges
        if instances is not None:
            # Entered `parent` under isinstance(p, C); a user that passes no C
            # there is no link (impact_isinstance). It reads only the earlier
            # levels' edges, so it can run before this level's are recorded.
            level_edges = {node: [e for e in edges if not infeasible(instances, walk, e[3], e[0])]
                           for node, edges in level_edges.items()}
        if identities is not None:
            # Entered `node` under `if p is None:` (`is Ellipsis`...); a user
            # that cannot pass None there is no link (impact_identity).
            level_edges = drop_identity_infeasible(identities, walk, level_edges)
        if switches is not None:
            # Entered `node` under `if validate:`; a user whose calls pass
            # `validate=False` never runs it (impact_switches).
            for node, edges in level_edges.items():
                needed = switches_of(switches, walk, node) if edges else frozenset()
                if needed:
                    level_edges[node] = [e for e in edges if not switched_off(switches, walk, e[3], e[0], needed)]
        walk.edges.extend((node, e[0], e[1]) for node, edges in level_edges.items() for e in edges
                          if e[0] not in walk.blocked)
        # Most certain users first: a hub's level stops near its room (impact_bestfirst).
        first: dict[str, int] = {}
        for batch in best_first(walk, level_edges, found, first, UNRUN_FACTOR):
            for seq, base, containers, (enclosing, kind, conf, parent, how) in batch:
                if enclosing in walk.blocked or (enclosing in walk.reach and not (
                        REENTER_RULE and enclosing in walk.soft and parent not in walk.tainted)):
                    continue
                if enclosing in containers and kind not in ("local", How.PROTOCOL) and walk.symbol(enclosing) is not None \
                        and walk.symbol(enclosing).kind not in _CALLABLE_KINDS:
                    # The class/module that contains the node (its body
                    # mentions its own member): not a dependent. A function
                    # that calls its own local function is one.
                    continue
                if walk.symbol(enclosing) is None:
                    continue  # a scope owner that left the index meanwhile
                # A write runs a setter (impact_setter), not a function it replaces (impact_unrun).
                # A use written in a stub is a declaration (impact_stubs).
                unrun = (UNRUN_RULE and parent not in setters and unrun_link(
                    walk.graph, kind, walk.symbol(parent), walk.symbol(enclosing), walk.memo,
                    walk.reach[parent].kind == RefKind.FLOW, walk.reach[parent].parent, walk.reach[parent].kind)) \
                    or (STUB_RULE and in_stub(walk.symbol(enclosing))) \
                    or (ABSTRACT_RULE and runs_an_override(kind, how, walk.symbol(parent)))
                created_use = CREATED_RULE and runs_only_the_class(walk.reach[parent].kind, how, DEFINE, walk.runs)
                # Only in a branch that is false on this interpreter: tests ruled out, dependents kept (impact_falsebranch).
                created_use = created_use or (_guards_scale(walk.graph, walk.memo) and never_runs(
                    walk.graph, walk.memo, kind, walk.symbol(parent), walk.symbol(enclosing)))
                # Only in the user's parameter defaults: ran when the def ran (impact_defaults).
                created_use = created_use or (_recall_rules_scale(walk) and default_only(
                    walk.graph, walk.memo, kind, how, walk.symbol(parent), walk.symbol(enclosing),
                    walk.reach[parent].parent is None))
                # `self.x` in a template method a subclass overrides never reaches its `x` (impact_overridden).
                created_use = created_use or (_recall_rules_scale(walk) and overridden_caller(
                    walk.graph, walk.memo, how, walk.symbol(parent), walk.symbol(enclosing)))
                # A chain of `self` links into a subclass overriding the target runs nothing (impact_selfchain).
                created_use = created_use or (_recall_rules_scale(walk) and off_receiver(
                    walk, how, parent, enclosing, lambda method: _overriders(walk, method)))
                # Only under a module-level flag (impact_flags): soft, its tests ruled out
                # but where they name the flag (`tokens`, read by _report).
                tokens = flag_guard(flags, parent, enclosing, _attributes_required) \
                    if flags is not None and not created_use else None
                if flags is not None and not created_use and not tokens:
                    # A callable stored by a late method, a setter called back under
                    # `!=`: soft as a flag (impact_storer, impact_changed).
                    # A registry link under its literal key (impact_registered), soft as a flag.
                    tokens = storer_taint(walk, parent, enclosing, kind) \
                        or changed_guard(flags, parent, enclosing, changed_memo) \
                        or registry_key(walk, parent, enclosing, how)
                created_use = created_use or bool(tokens)
                if not tokens and not created_use and parent in walk.tainted:
                    tokens = walk.flagged.get(parent)  # the parent's flags, carried on
                elif tokens and parent in walk.tainted:
                    tokens = tokens | walk.flagged[parent] if parent in walk.flagged else None
                if kind in _CLASS_STATEMENT_USES and walk.symbol(enclosing).kind == SymbolKind.CLASS and not unrun:
                    # The class's body or decorator ran it once, when the class
                    # statement ran: what uses the class later does not run it.
                    kind = DEFINE
                # A link that runs nothing (impact_unrun) taints the chain:
                # its tests are ruled out; a clean chain wins at equal depth.
                # A created class's users are tainted "soft": a clean chain
                # at a later level re-enters them (impact_created).
                hard = unrun or (parent in walk.tainted and parent not in walk.soft)
                tainted = hard or created_use or parent in walk.tainted
                if tainted and enclosing in walk.reach:
                    continue  # re-entered only by a clean chain
                candidate = _Reach(level, base.confidence * conf * (UNRUN_FACTOR if unrun else 1.0), kind, parent, how)
                held = found.get(enclosing)
                if held is None or (tainted, -candidate.confidence) < (enclosing in taint, -held.confidence):
                    found[enclosing] = candidate
                    first.setdefault(enclosing, seq)
                    if tainted:
                        taint.add(enclosing)
                    else:
                        taint.discard(enclosing)
                    if tainted and not hard:
                        soft.add(enclosing)
                    else:
                        soft.discard(enclosing)
                    if tainted and not hard and tokens:
                        flagged[enclosing] = tokens
                    else:
                        flagged.pop(enclosing, None)
        found = dict(sorted(found.items(), key=lambda kv: first[kv[0]]))  # the order of one pass over the links
        room = walk.limit - (len(walk.reach) - 1) + sum(1 for q in found if q in walk.reach)
        if len(found) > room:
            walk.truncated = True
            found = dict(sorted(found.items(), key=lambda kv: -kv[1].confidence)[:max(room, 0)])
        walk.reach.update(found)
        setters.update(q for q, reach in found.items() if entered_by_setter(walk, q, reach.parent))
        walk.tainted.update(q for q in found if q in taint)
        walk.tainted.difference_update(q for q in found if q not in taint)
        walk.soft.update(q for q in found if q in soft)
        walk.soft.difference_update(q for q in found if q not in soft)
        for q in found:
            if q in flagged:
                walk.flagged[q] = flagged[q]
            else:
                walk.flagged.pop(q, None)
        # Modules are where imports live; what imports a module is not
        # affected by the module's other contents, so the walk stops there.
        frontier = [q for q in found if (walk.symbol(q) is None or walk.symbol(q).kind != SymbolKind.MODULE)]
        if walk.truncated:
            break
    if frontier and level >= depth:
        walk.truncated = walk.truncated or bool(_incoming_many(graph, frontier[:200], memo=walk.memo))
    dependents = _dependents(walk)
    if on_dependents is not None:
        on_dependents(dependents)
    # The receiver walks depend on the graph alone: shared by every query
    # over an unchanged index (the inner walks, path_receivers=False, are
    # the ones being memoised; they read the table only for the guards).
    memo = IMPACT_MEMO.table(graph)
    # A receiver walk (who can hold a class's instance) applies the rule at
    # its own dispatches too (RECEIVER_PATH_RULE).
    rule = _PathReceivers(graph, depth, limit, memo, created if not path_receivers else frozenset()) \
        if path_receivers or (RECEIVER_PATH_RULE and created and _guards_scale(graph, memo)) else None
    allowed = rule.tests_of(qualname) if rule is not None else _receiver_tests(graph, target, depth, limit)
    # Guards apply in the receiver walks too: a test that never gives `count`
    # holds no IntRange that Option.__init__ makes only `if count:`.
    guards = _GuardRule(walk, memo) if GUARDS and _guards_scale(graph, memo) else None
    return _report(walk, target, coverage, learned, allowed, rule, guards, dependents)


# Switch for the value-sensitive rule (impact_guards); tests turn it off to
# show what it changes.
GUARDS = True
# impact_isinstance: the walk does not continue a chain that entered a
# function under `isinstance(p, C)` through a caller that passes no C there.
ISINSTANCE_RULE = True
# impact_switches: a caller that turns a switch parameter off (`validate=False`)
# does not reach the code under it.
SWITCH_RULE = True
# impact_identity: the walk does not continue a chain that entered a function
# under `if p is None:` (`is not None`'s else, `is Ellipsis`, after an early
# return under the opposite test) through a caller that cannot pass None at p
# (`expr("label")` never runs `__call__`'s `self.copy()`, `a + b` never runs
# `__add__`'s `_PendingSkip(self)`).
IDENTITY_RULE = True
# impact_flags: a link under a module-level flag (`if __diag__.FLAG:`) taints
# its chain softly: the tests it reaches are ruled out but those naming the
# flag; a clean chain re-enters (a chain free of it that the receiver rule
# judges: `IndentedBlock.parseImpl -> set_debug`).
FLAG_TAINT = True
# Workspaces with more Python files than this answer without the guards:
# more tests selected, never fewer. The whole-workspace scans that first
# set it (the stdlib's first `tests affected` took 34 s) are stored in the
# index now (languages/python/guard_facts.py), and an edge under no
# condition reads no source; but a guarded edge and the tests it rules out
# still parse their files with `ast` at query time. On the stdlib (1,791
# files, 200 sampled functions, CPU time) the guards take p95 from about
# 0.3 s to 0.45 s and the slowest query from 1.0 s to 4.3 s, over the 1 s
# goal: the limit stays until those per-function facts are stored too.
# (A def is now parsed from its own lines, impact_guards._own_node: the
# slowest fell to about 2 s; most of it is test keywords and `_call_at`.)
GUARD_MAX_FILES = 600


def _recall_rules_scale(walk) -> bool:
    """Whether this session's recall rules for unseen projects run
    (impact_attrhooks, impact_decorated, impact_carried, impact_metaclass,
    impact_selfscope.inherited_holders): up to GUARD_MAX_FILES Python files,
    as the value guards. On the stdlib they made the slowest of 200 random
    one-line selections 1.0-1.05 s where main's took 0.62-0.82 s (the
    issue's goal is under 1 s), and every evaluated project is far smaller."""
    return _guards_scale(walk.graph, walk.memo)


def _guards_scale(graph: Graph, memo: dict) -> bool:
    key = ("guards scale",)
    if key not in memo:
        memo[key] = sum(1 for path in graph.indexed_paths() if path.endswith(".py")) <= GUARD_MAX_FILES
    return memo[key]


class _GuardRule:
    """A test whose every chain needs a constructor keyword (or an
    environment variable) that the test never gives runs none of them
    (impact_guards). On click at depth 10: see the note of issue 12."""

    def __init__(self, walk: _Walk, memo: dict):
        self.guards = Guards(walk.graph, memo)
        self.scratch = IMPACT_MEMO.scratch(memo)  # (impact_changed's memo: kept off the table's limit)
        self.walk = walk
        self.holders = ParameterAnnotations(walk.graph)
        self.own: dict = {}  # (method, walked classes) -> needs an instance of them (impact_heldself)
        self.target = next(iter(walk.reach))
        self.req = requirements(self.target, walk.edges, walk.reach, self.guard, self.passed)

    def passed(self, callee: str, user: str, held=None) -> frozenset[str] | None:
        """What `user` passes to `callee` that discharges a token; `held`:
        the callee's requirement (the display tokens are read only where it
        holds one: reading the arguments' origins is most of their cost)."""
        out = passed_at(self.guards, callee, user)
        instances = isinstance_passed(self.guards, callee, user)
        if held is None or any(t.startswith(DISPLAY) for alternative in held for t in alternative):
            instances = instances | display_passed(self.guards, callee, user)
        # `**options` (None) passes any keyword, not an instance at a position (impact_isinstance).
        return AnyKeyword(instances) if out is None else out | instances

    def guard(self, callee: str, user: str, kind: str) -> frozenset[str]:
        out = self.guards.guard(callee, user) | isinstance_guard(self.guards, callee, user) \
            | constructor_guard(self.guards, callee, user) | builtin_guard(self.guards, callee, user) \
            | holds_guard(self.guards, callee, user) | flag_guard(self.guards, callee, user, _attributes_required) \
            | storer_guard(self.walk, callee, user, kind) | changed_guard(self.guards, callee, user, self.scratch) \
            | switch_guard(self.guards, self.walk, callee, user)
        if kind == RefKind.ANNOTATION and callee in self.walk.created \
                and (self.holders.only_parameters(callee, user_sym := self.walk.symbol(user))
                     or declares_only(user_sym)):
            # the receiver walk: a parameter receives an instance, a class or module body's
            # annotation declares one (impact_declared): neither makes one
            out = out | {PASSED}
        if needs_held(self.walk, callee, self.own, lambda c: _subclasses(self.walk, c)):
            out = out | {PASSED}  # the receiver walk: a call of the walked class's method needs one already
        return out

    def tokens_given(self, tokens: frozenset[str], test) -> bool:
        """Whether the test gives every token of a soft-tainted chain: a flag
        it names, a storer it runs (impact_storer), an attribute it changes
        (impact_changed)."""
        left = self._discharged(frozenset([tokens]), test.symbol, test.id)
        return left is not None and any(a <= self.guards.given(test.symbol) for a in left)

    def _discharged(self, requirement, test: Symbol, test_id: str | None):
        # A callable stored by a method: the test must run the method (impact_storer).
        # (The storer's own walk: a chain that needs it run already runs it only by another chain.)
        requirement = discharged(requirement, lambda storer: test_id is None or (storer != self.target and (
            (held := storer_tests(self.walk.graph, storer, self.walk.max_depth, self.walk.limit)) is None
            or test_id in held)))
        # A setter called back under `if X.ATTR != saved:`: the test changed ATTR (impact_changed).
        return requirement if requirement is None else discharged(requirement, lambda body: test_id is None or (
            given_changed(body, self.guards.given(test), lambda callee, user: (held := storer_tests(
                self.walk.graph, callee, self.walk.max_depth, self.walk.limit, frozenset([user]))) is None
                or test_id in held)), CHANGED)

    def rules_out(self, node: str, test: Symbol, test_id: str | None = None) -> bool:
        requirement = self.req.get(node)
        if test_id is not None:
            # `isinstance(x, C)` links: the test must hold a C (impact_heldtype).
            requirement = reduced(requirement, lambda c: (
                (held := class_holders(self.walk.graph, c, self.walk.max_depth, self.walk.limit)) is None
                or test_id in held))
            if requirement is None:
                return True
        requirement = self._discharged(requirement, test, test_id)  # (impact_storer, impact_changed)
        if requirement is None:
            return True
        return self.guards.rules_out(requirement, test)


def _receiver_tests(graph: Graph, target: Symbol, depth: int, limit: int) -> frozenset[str] | None:
    """The tests that can hold an instance of an instance method's class, or
    of a subclass that does not override the method (see impact_precision);
    None: no constraint (not such a method, or the class's own walk was cut
    short)."""
    cls = receiver_class(target, graph.symbol)
    if cls is not None:
        # A member a metaclass copies into the classes it makes (impact_copied):
        # the instances of those classes hold it.
        made = copied_into(graph, cls.qualname, graph.symbol, IMPACT_MEMO.table(graph))
        if len(made) > 1:
            return None
        cls = graph.symbol(made[0]) if made else cls
    if cls is None or (METACLASS_RULE and graph.metaclass_users(cls.qualname)):
        # A metaclass's instances are the classes whose statements name it
        # (`class Schema(metaclass=SchemaMeta)`), which no call makes: the
        # class's users are followed through "define" links instead.
        return None
    subs = _hierarchy(graph, cls.qualname, down=True)
    if pytest_instance(cls, subs, graph.symbols_named):
        return None  # a test's own instance (impact_mixins)
    blocked = overriding_subclasses(graph, target, subs)
    return _class_walk_holders(graph, cls, subs, blocked, depth, limit)


def class_holders(graph: Graph, qualname: str, depth: int, limit: int) -> frozenset[str] | None:
    """The tests that can hold an instance of the class (or of any of its
    subclasses); None: no constraint (impact_heldtype). A class whose holders
    are being walked answers None (a cycle)."""
    def walk():
        cls = graph.symbol(qualname)
        if cls is None or cls.kind != SymbolKind.CLASS or (METACLASS_RULE and graph.metaclass_users(qualname)):
            return None
        subs = _hierarchy(graph, qualname, down=True)
        if pytest_instance(cls, subs, graph.symbols_named):
            return None
        return _class_walk_holders(graph, cls, subs, frozenset(), depth, limit)
    # (a cycle answers None; impact_order keeps the answer free of the queries asked before)
    return ORDER_MEMO.lookup(IMPACT_MEMO.table(graph), ("class holders", qualname, depth, limit), walk)


def storer_tests(graph: Graph, qualname: str, depth: int, limit: int,
                 blocked: frozenset[str] = frozenset()) -> frozenset[str] | None:
    """The tests the walk of a storing method selects (impact_storer); None:
    no constraint (its walk cut short, or being walked: a cycle)."""
    def walk():
        # walked at least as deep as a receiver walk; a walk cut at its depth
        # still names the tests within it (the others are ruled out, listed)
        report = impact(graph, qualname, depth=max(depth, RECEIVER_MIN_DEPTH) if RECEIVER_DEPTH_CUT else depth,
                        limit=limit, learned=False, blocked=blocked)
        if report.truncated and len(report.dependents) >= limit:
            return None
        return frozenset(t.id for t in report.tests if t.confidence > RULED_OUT_CONFIDENCE)
    # (a cycle answers None; impact_order keeps the answer free of the queries
    # asked before: no placeholder left in the table while the walk is under way)
    return ORDER_MEMO.lookup(IMPACT_MEMO.table(graph), ("storer tests", qualname, depth, limit, blocked), walk)


def _class_walk_holders(graph: Graph, cls: Symbol, subs: list[str], blocked: frozenset[str], depth: int,
                        limit: int) -> frozenset[str] | None:
    # Instances of an overriding subclass (and of its own subclasses) never run the method.
    beneath = {q for b in blocked for q in _hierarchy(graph, b, down=True)} | blocked
    held = [cls.qualname, *(q for q in subs if q not in beneath)]
    # (impact_testglobals; a workspace past GUARD_MAX_FILES keeps the old
    # answer: a receiver walk there is where the stdlib's slow queries go)
    scaled = _guards_scale(graph, IMPACT_MEMO.table(graph))
    memo = IMPACT_MEMO.table(graph)
    makers = (module_makers(graph, held, bound_elsewhere(graph, memo, held),
                            lambda module: script_module(graph, memo, module), loose_scripts(graph, memo, held))
              if scaled else None) if global_instance(graph, held) else frozenset()
    if makers is None:
        return None  # a library module's instance: any test may hold it (impact_testglobals)
    # The methods of one class that no subclass overrides walk the same
    # holders: one walk per (class, blocked subclasses), not per method.
    def walk():
        # A test may hold an instance made further from the class than the
        # method's own walk goes: the holders are walked at least this deep.
        walk_depth = max(depth, RECEIVER_MIN_DEPTH) if RECEIVER_DEPTH_CUT else depth
        report = impact(graph, cls.qualname, depth=walk_depth, limit=limit, learned=False, blocked=blocked,
                        created=frozenset([cls.qualname, *subs]) - beneath, path_receivers=False)
        if report.truncated and (not RECEIVER_DEPTH_CUT or len(report.dependents) >= limit):
            return None
        # Walked past the query's depth: a test it leaves out is ruled out, listed,
        # as a walk cut at the query's depth would have listed it (constrained by nothing).
        return _Holders.of(report.tests, cut=report.truncated or report.max_depth > depth, files=makers)
    if not RECEIVER_WALK_MEMO:
        return walk()
    # (not a cycle's break: a walk under way is walked again, nested, as its
    # methods' and class_holders' keys break the cycle; impact_order)
    return ORDER_MEMO.lookup(IMPACT_MEMO.table(graph), ("receiver walk", cls.qualname, blocked, depth, limit),
                             walk, breaks=False)


# The receiver rule at each dispatch on the chains of a receiver walk too: a
# test holds an instance made in `B.parseImpl` only if it holds a B, when
# the chain reaches `B.parseImpl` through a dispatch (`self.parseImpl()` in
# the base's `_parseNoCache`). Before, a class made in one element's
# `parseImpl` looked held by every test that parses (pyparsing's
# IndentedBlock.parseImpl builds MatchFirst, And, Opt...).
# Default selection, depth 8, off (with RECEIVER_SELF_RULE, which needs it)
# against all on: pyparsing 0.828 / 0.381 -> 0.815 / 0.435 (-32,128
# predicted pairs, -1,458 true), marshmallow 0.951 / 0.648 -> 0.949 / 0.688
# (-1,480 predicted, -28 true), tenacity P 0.654 -> 0.656, wrapt -1
# predicted; the other twelve identical. RECEIVER_SELF_RULE alone off:
# pyparsing 0.828 / 0.381 too (without it, the cycle answer "no constraint"
# kept every test that parses), tenacity P 0.654, wrapt +1 predicted;
# marshmallow keeps 0.688 (the path rule's own saving).
# Cost (CPU of 40 sampled queries, one fresh process each, main 105daac vs
# this, same machine): pyparsing 10.7 s -> 28.8 s (9.3 s with
# RECEIVER_SELF_RULE off: the tests it rules out in receiver walks go
# through impact_rechain's search for another chain; skipping that search
# there gave 11.6 s, but wrapt's recall fell to 0.658 and click's precision
# to 0.609), click 3.8 -> 4.2 s, marshmallow 5.3 -> 5.7 s, wrapt 0.8 s both.
# Up to GUARD_MAX_FILES Python files, as the guards: a receiver walk then
# asks for other classes' receiver walks (memoised per index).
RECEIVER_PATH_RULE = True
# ... and a receiver walk's chain through a dispatch to a method of the very
# class it walks (or of one of its subclasses it walks) needs an instance of
# it already: no test holds the class through that chain (IndentedBlock's
# `parseImpl` makes an IndentedBlock; an answer of "no constraint" there
# had kept every test that parses).
RECEIVER_SELF_RULE = True


# A test class reached as "define" (its class statement ran the change, at
# import): its tests are listed, ruled out, as those reading a test module's
# global that its import made are not listed at all (the walk stops at
# modules). Per-test coverage never sees them run it.
CLASS_STATEMENT_TESTS = True
# One receiver walk per (class, blocked subclasses, depth, limit), shared by
# the class's methods (IMPACT_MEMO); a switch for its test.
RECEIVER_WALK_MEMO = True


# A receiver walk cut short by its depth (not by the size limit) still names
# the tests that hold the class within that depth: kept as the constraint,
# and a test beyond it is ruled out, never dropped (it may hold the class
# further away). Before, such a walk constrained nothing: click's
# MultiCommand and UsageError walks reach depth 10 through `main`.
RECEIVER_DEPTH_CUT = True
# Cut at the query's own depth (6), marshmallow lost 158 true pairs at
# depth 6 (tests holding a schema built further away); 8 keeps them, as 10
# does. CPU of the stdlib selection benchmark: about +10% with 8, +30% with 10.
RECEIVER_MIN_DEPTH = 8


class _Holders(frozenset):
    """The tests that hold the receiver; `guarded`: those whose only way to
    it needs a keyword they never give (impact_guards): the method's answer
    keeps them, ruled out, where it drops the tests that never reach the class."""

    guarded: frozenset[str] = frozenset()
    cut: bool = False  # the walk stopped at its depth: every other test is ruled out, not dropped
    files: frozenset[str] = frozenset()  # every test of these files holds one (impact_testglobals)

    @classmethod
    def of(cls, tests, cut: bool = False, files: frozenset[str] = frozenset()) -> _Holders:
        out = cls(t.id for t in tests if t.confidence > RULED_OUT_CONFIDENCE)
        out.guarded = frozenset(t.id for t in tests) - out
        out.cut = cut
        out.files = files
        return out

    def __contains__(self, test_id) -> bool:
        return frozenset.__contains__(self, test_id) or (
            bool(self.files) and isinstance(test_id, str) and test_id.partition("::")[0] in self.files)


# The confidence of a test that a rule along its chain rules out: listed
# last (nothing vanishes from the answer), left out of the default selection
# (affected.DEFAULT_MIN_CONFIDENCE is above it).
RULED_OUT_CONFIDENCE = 0.0


# What impact derives from the graph alone, per index version, shared across
# impact calls (a server answering many queries over an unchanged index walks
# each class once): (qualname, depth, limit) -> the tests the receiver rule
# allows, or None; ("test ids", path) -> collected test id -> test function.
IMPACT_MEMO = IndexMemo()


class _PathReceivers:
    """The receiver rule at each dispatch on a test's chain. A chain
    `... B.g -> A.f (dispatch: self.g() in A.f) -> ... -> test` runs B.g only
    when the test holds a B: the tests the receiver rule allows for B.g
    (memoised per method in `allowed`: IMPACT_MEMO's table for the index's
    current version). The target's own rule is `_receiver_tests`; this one
    applies it where the chain crosses a dispatch further on (marshmallow:
    precision 0.41 -> 0.46 at recall 0.802 -> 0.796; click 0.47 -> 0.49 at
    0.682 -> 0.680; measured by evals/impact.py)."""

    def __init__(self, graph: Graph, depth: int, limit: int, allowed: dict, created: frozenset[str] = frozenset()):
        self.graph, self.depth, self.limit = graph, depth, limit
        self.allowed = allowed
        # A receiver walk's own classes: a chain through a dispatch to one of
        # their methods needs an instance to make one (RECEIVER_SELF_RULE).
        self.created = created if RECEIVER_SELF_RULE else frozenset()
        self.own: dict[str, bool] = {}  # qualname -> a method of one of `created` (this walk's, not IMPACT_MEMO's)

    def tests_of(self, qualname: str) -> set[str] | None:
        if self.created and self._own(qualname):
            return frozenset()  # (RECEIVER_SELF_RULE; not in IMPACT_MEMO: another walk's answer differs)
        def walk():
            sym = self.graph.symbol(qualname)
            return None if sym is None else _receiver_tests(self.graph, sym, self.depth, self.limit)
        # (a receiver walk asking, through a dispatch, for the holders of a class
        # whose walk is under way: no constraint, rather than a cycle; impact_order
        # keeps the answer the same whatever queries ran before)
        return ORDER_MEMO.lookup(self.allowed, (qualname, self.depth, self.limit), walk)

    def _own(self, qualname: str) -> bool:
        # (asked millions of times per pyparsing eval: each a symbol lookup in the index)
        own = self.own.get(qualname)
        if own is None:
            own = (sym := self.graph.symbol(qualname)) is not None \
                and (cls := receiver_class(sym, self.graph.symbol)) is not None and cls.qualname in self.created
            self.own[qualname] = own
        return own

    def rules_out(self, walk: _Walk, test_id: str, via: tuple[str, ...]) -> bool:
        for node, after in zip(via[1:-1], via[2:]):
            reach = walk.reach.get(after)
            if reach is None or reach.kind != "dispatch":
                continue
            allowed = self.tests_of(node)
            if allowed is not None and test_id not in allowed:
                return True
        return False


def _overriders(walk: _Walk, method: Symbol) -> frozenset[str]:
    """The subclasses of the method's class that override it (without
    calling up to it), with their own subclasses: their instances never run
    it (impact_selfchain)."""
    key = ("overriders", method.qualname)
    if key not in walk.memo:
        subs = _hierarchy(walk.graph, method.parent, down=True, memo=walk.memo)
        # An override that calls up to one that reaches the method (`super().__init__()`
        # through Token's) runs it too: to a fixpoint.
        reaching, names = {method.qualname}, {f"{sub}.{method.name}": sub for sub in subs}
        level = [method.qualname]
        while level:
            level = [e for _t, e, *_r in walk.graph.incoming(level) if e in names and e not in reaching]
            reaching.update(level)
        out = {sub for sub in overriding_subclasses(walk.graph, method, subs) if f"{sub}.{method.name}" not in reaching}
        for cls in list(out):
            out.update(_hierarchy(walk.graph, cls, down=True, memo=walk.memo))
        walk.memo[key] = frozenset(out)
    return walk.memo[key]


def overriding_subclasses(graph: Graph, method: Symbol, subs: list[str]) -> frozenset[str]:
    """Subclasses of the method's class that define their own `method.name`
    without calling up to it (`super().m()`): their instances never run it."""
    definers = graph.parents_defining(method.name, (SymbolKind.METHOD,))
    callers = {enclosing for _t, enclosing, *_rest in graph.incoming([method.qualname])}
    return frozenset(sub for sub in subs if sub in definers and f"{sub}.{method.name}" not in callers)


def _collected(walk: _Walk, test: Symbol, depth: int, confidence: float, via: tuple) -> list[AffectedTest]:
    """The ids pytest collects for a test function: its own, for a test
    method also the one in every test subclass that inherits it, and each
    again in every test module that imports its class (or it) by name."""
    out = [AffectedTest(test_node_id(test, walk.symbol), test, depth, confidence, via)]
    owner = walk.symbol(test.parent) if test.kind == SymbolKind.METHOD and test.parent else None
    if owner is not None and owner.kind == SymbolKind.CLASS:
        holders = [owner] if owner.is_test else []
        for sub in _subclasses(walk, owner.qualname):
            sub_symbol = walk.symbol(sub)
            if sub_symbol is None or not sub_symbol.is_test or walk.symbol(f"{sub}.{test.name}") is not None:
                continue
            node_id = "::".join([test_node_id(sub_symbol, walk.symbol), test.name])
            out.append(AffectedTest(node_id, test, depth, confidence, via))
            holders.append(sub_symbol)
        # ... and again in each test module that imports one of those classes (impact_mixins)
        for holder in holders:
            for path, name in recollected_in(walk, holder.qualname) if _top_level(walk, holder) else ():
                out.append(AffectedTest(f"{path}::{name}::{test.name}", test, depth, confidence, via))
    elif test.kind == SymbolKind.FUNCTION and _top_level(walk, test):
        for path, name in recollected_in(walk, test.qualname):
            out.append(AffectedTest(f"{path}::{name}", test, depth, confidence, via))
    return out


def _top_level(walk: _Walk, sym: Symbol) -> bool:
    """A symbol a module binds at its top level (what another module can import)."""
    parent = walk.symbol(sym.parent) if sym.parent else None
    return parent is not None and parent.kind == SymbolKind.MODULE


class _TestIds:
    """Resolves a collected test id to the function that runs, memoised per file
    in IMPACT_MEMO (inherited ids such as Sub::test_m resolve to the base's
    method; on attrs with learned edges, rebuilding these maps was 30% of
    each impact call)."""

    def __init__(self, walk: _Walk):
        self.walk = walk
        self.memo: dict | None = None  # read on first use: most calls never resolve an id

    def __call__(self, node_id: str) -> Symbol | None:
        path = node_id.partition("::")[0]
        if self.memo is None:
            self.memo = IMPACT_MEMO.table(self.walk.graph)
        by_id = self.memo.get(("test ids", path))
        if by_id is None:
            by_id = {}
            for sym in self.walk.graph.symbols_in_file(path):
                if sym.is_test and sym.kind in _CALLABLE_KINDS:
                    for test in _collected(self.walk, sym, 0, 1.0, ()):
                        by_id.setdefault(test.id, sym)
            self.memo[("test ids", path)] = by_id
        return by_id.get(node_id)


def _collected_in(test_id: str, classes: set[str], walk: _Walk) -> bool | None:
    """Whether a collected test id's class (`path::Class::test`) is one of
    `classes`; None when the id names no class."""
    parts = test_id.split("::")
    if len(parts) < 3:
        return None
    return any(walk.symbol(cls) is not None and walk.symbol(cls).name == parts[-2]
               and walk.symbol(cls).path == parts[0] for cls in classes)


def _chain(walk: _Walk, qualname: str) -> tuple[str, ...]:
    out = []
    node: str | None = qualname
    while node is not None:
        out.append(node)
        node = walk.reach[node].parent
    return tuple(reversed(out))


def _learned_tests(graph: Graph, qualname: str) -> dict[str, bool]:
    """Tests a recorded run saw executing the symbol -> whether that evidence
    is stale (the code it saw has changed since)."""
    out: dict[str, bool] = {}
    for test_id, _executed, stale in graph.store.learned_reaching(qualname):
        out[test_id] = out.get(test_id, True) and stale
    return out


def _merge_learned(tests: dict, target: Symbol, node_id: str, test_symbol: Symbol | None, stale: bool) -> None:
    held = tests.get(node_id)
    if held is not None:
        if held.source == "static":
            tests[node_id] = AffectedTest(held.id, held.symbol, held.depth, held.confidence, held.via, "both", stale)
        return
    via = (target.qualname, test_symbol.qualname) if test_symbol else (target.qualname,)
    tests[node_id] = AffectedTest(node_id, test_symbol, 1, 1.0, via, "learned", stale)


def _prefetch_tests(walk: _Walk) -> None:
    """What `_collected` reads of the reached tests, in batches: their class
    chains, and each test method's name in every subclass of its class (and
    so for a plain class's `test*` methods, impact_mixins.inherited_test_ids:
    876 single batches in one stdlib selection)."""
    walk.prefetch_chains(walk.reach)
    methods = [sym for q in walk.reach if (sym := walk.symbols.get(q)) is not None
               and (sym.is_test or sym.name.startswith("test")) and sym.kind == SymbolKind.METHOD and sym.parent]
    owners = {sym.parent for sym in methods if (owner := walk.symbols.get(sym.parent)) is not None
              and owner.kind == SymbolKind.CLASS}
    subs = {owner: _subclasses(walk, owner) for owner in owners}
    walk.prefetch_chains(sub for found in subs.values() for sub in found)
    walk.prefetch(f"{sub}.{sym.name}" for sym in methods if sym.parent in subs for sub in subs[sym.parent])


def _dependents(walk: _Walk) -> list[Dependent]:
    """The walk's dependents in the answer's order: final once the walk
    ends, before any test is looked for (a streamed answer's first page)."""
    dependents = [Dependent(sym, reach.depth, reach.kind, reach.confidence, _chain(walk, qualname), how=reach.how)
                  for qualname, reach in walk.reach.items()
                  if reach.parent is not None and (sym := walk.symbol(qualname)) is not None]
    dependents.sort(key=lambda d: (d.depth, -d.confidence, d.symbol.path, d.symbol.range.start.line))
    return dependents


def _report(walk: _Walk, target: Symbol, coverage, learned: bool = True,
            receivers: set[str] | None = None, path_rule: _PathReceivers | None = None,
            guards: _GuardRule | None = None, dependents: list[Dependent] | None = None) -> ImpactReport:
    dependents = _dependents(walk) if dependents is None else dependents
    vias = {d.via[-1]: d.via for d in dependents}
    tests: dict[str, AffectedTest] = {}
    _prefetch_tests(walk)
    rechain = Rechain(walk, walk.max_depth) if path_rule is not None and _guards_scale(walk.graph, walk.memo) \
        else None  # (its receiver walks: past GUARD_MAX_FILES, as the guards)
    if target.is_test and target.kind in _CALLABLE_KINDS:
        # A changed test affects itself (and its inherited copies in test subclasses).
        for test in _collected(walk, target, 0, 1.0, (target.qualname,)):
            tests.setdefault(test.id, test)

    def holders_of(via):  # impact_members' self-dispatch rule, with the copies the base's own method keeps
        return self_dispatch_classes(via, walk.reach, walk.symbol, lambda c: _subclasses(walk, c), walk.dispatched,
                                     inherited)

    container = ContainerUse(walk, guards.guards, walk.max_depth) if guards is not None else None
    equality = EqualityUse(walk, guards.guards, walk.max_depth) if guards is not None else None
    patched = Patched(walk, guards.guards, walk.max_depth) if guards is not None else None
    inherited = inherited_holders(walk.into, walk.symbol, lambda c: _subclasses(walk, c),
                                  lambda q: holders_of(vias[q]) if q in vias else None) \
        if _recall_rules_scale(walk) else (lambda user, name: ())
    for qualname, reach in walk.reach.items():
        if reach.parent is None:
            continue
        sym = walk.symbol(qualname)
        if sym is None:
            continue
        via = vias[qualname]
        # A `test*` method a test class inherits from a plain class (impact_mixins).
        # A set-up method runs around each test of its class (impact_mixins).
        found = [AffectedTest(node_id, sym, reach.depth, reach.confidence, via) for node_id in [
            *inherited_test_ids(walk, sym, lambda c: _subclasses(walk, c), lambda s: test_node_id(s, walk.symbol)),
            *setup_test_ids(walk, sym, lambda c: _subclasses(walk, c), lambda c: _superclasses(walk, c),
                            lambda s: test_node_id(s, walk.symbol))]]
        # An autouse fixture runs around every test in its scope (impact_mixins).
        for test in autouse_tests(walk, sym) if not sym.is_test else ():
            found += _collected(walk, test, reach.depth + 1, reach.confidence, via + (test.qualname,))
        if not sym.is_test and not found:
            continue
        if sym.is_test and sym.kind in _CALLABLE_KINDS:
            found = _collected(walk, sym, reach.depth, reach.confidence, via)
        elif sym.is_test and sym.kind == SymbolKind.CLASS:
            # A test class whose statement ran the change (its body, bases or
            # decorators) ran it at collection, as a test module's globals
            # do: its tests use what it made, never run it (listed, ruled out).
            confidence = RULED_OUT_CONFIDENCE if CLASS_STATEMENT_TESTS and reach.kind == DEFINE \
                else reach.confidence
            for method in walk.graph.members(sym.qualname):
                if method.is_test and method.kind == SymbolKind.METHOD:
                    found += _collected(walk, method, reach.depth + 1, confidence, via + (method.qualname,))
        holders = holders_of(via) if found else None
        tainted = qualname in walk.tainted  # its chain crosses a link that runs nothing
        for test in found:
            if holders is not None and test.confidence > RULED_OUT_CONFIDENCE \
                    and _collected_in(test.id, holders, walk) is False:
                # Dispatched through the test instance's own attribute: only
                # the copies collected in the overriding class hold it.
                test = replace(test, confidence=RULED_OUT_CONFIDENCE)
            guarded = receivers is not None and test.id not in receivers \
                and (test.id in getattr(receivers, "guarded", ()) or getattr(receivers, "cut", False))
            if guarded:
                test = replace(test, confidence=RULED_OUT_CONFIDENCE)  # holds it only through a guard
            if receivers is None or test.id in receivers or guarded:  # else it never holds the receiver
                if tainted and not (qualname in walk.flagged and guards is not None
                                    and guards.tokens_given(walk.flagged[qualname], test)):
                    # (a chain under flags the test names is no taint: impact_flags)
                    test = replace(test, confidence=RULED_OUT_CONFIDENCE)
                if path_rule is not None and test.confidence > RULED_OUT_CONFIDENCE \
                        and path_rule.rules_out(walk, test.id, test.via) \
                        and not rechain_kept(rechain, path_rule.tests_of, qualname, test.id):
                    # (impact_rechain: another chain to the test that the rule allows keeps it)
                    test = replace(test, confidence=RULED_OUT_CONFIDENCE)
                if guards is not None and test.confidence > RULED_OUT_CONFIDENCE \
                        and guards.rules_out(qualname, test.symbol, test.id):
                    test = replace(test, confidence=RULED_OUT_CONFIDENCE)
                if container is not None and test.confidence > RULED_OUT_CONFIDENCE and container.rules_out(test.via):
                    # A mapping's item method, held by no function that uses items (impact_containeruse).
                    test = replace(test, confidence=RULED_OUT_CONFIDENCE)
                if equality is not None and test.confidence > RULED_OUT_CONFIDENCE and equality.rules_out(test.via):
                    # An `__eq__` protocol link, held by no function that compares (impact_equse).
                    test = replace(test, confidence=RULED_OUT_CONFIDENCE)
                if patched is not None and test.confidence > RULED_OUT_CONFIDENCE \
                        and patched.rules_out(test.symbol, test.via):
                    # A link into a function the test patches out (impact_patched).
                    test = replace(test, confidence=RULED_OUT_CONFIDENCE)
                held = tests.get(test.id)  # the first chain found, unless a rule ruled it out
                if held is None or held.confidence <= RULED_OUT_CONFIDENCE < test.confidence:
                    tests[test.id] = test
    resolve_test = _TestIds(walk)
    if coverage is not None:
        for node_id, test_symbol in coverage.tests_reaching(walk.graph.symbols(target.qualname), resolve_test):
            _merge_learned(tests, target, node_id, test_symbol, False)
    if learned:
        for node_id, stale in _learned_tests(walk.graph, target.qualname).items():
            _merge_learned(tests, target, node_id, resolve_test(node_id), stale)
    ordered_tests = sorted(tests.values(), key=lambda t: (t.depth, -t.confidence, t.id))
    per_file: dict[str, int] = defaultdict(int)
    for dep in dependents:
        per_file[dep.symbol.path] += 1
    files = tuple(sorted(per_file, key=lambda p: (-per_file[p], p)))
    max_depth = max((d.depth for d in dependents), default=0)
    return ImpactReport(target, tuple(dependents), tuple(ordered_tests), files, (), walk.truncated, max_depth,
                        getattr(coverage, "path", None))


def target_at(graph: Graph, path: str, line: int, character: int) -> str | None:
    """The workspace symbol named at a position (definition or use)."""
    for qualname in graph.targets_at(path, line, character):
        if graph.symbol(qualname) is not None:
            return qualname
    return None


def impact_at(graph: Graph, path: str, line: int, character: int, depth: int | None = None,
              limit: int = DEFAULT_LIMIT, coverage=None, learned: bool = True,
              on_dependents=None) -> ImpactReport | None:
    qualname = target_at(graph, path, line, character)
    if not qualname:
        return None
    # On a setter's def, its own writers (impact_setter), not its getter's readers.
    defined = graph.definition_at(path, line, character)
    return impact(graph, qualname, depth=depth, limit=limit, coverage=coverage, learned=learned,
                  on_dependents=on_dependents,
                  line=line if defined is not None and defined.qualname == qualname else None)


@dataclass(frozen=True, slots=True)
class ImpactSummary:
    dependents: int
    files: int
    tests: int
    truncated: bool = False

    def text(self) -> str:
        """The code lens: `3 dependents in 2 files · 1 test` ('+' when cut short)."""
        more = "+" if self.truncated else ""
        # Cut short, every count is a lower bound: the files too.
        return (f"{self.dependents}{more} dependent{'s' * (self.dependents != 1)} in {self.files}{more} file"
                f"{'s' * (self.files != 1)} · {self.tests}{more} test{'s' * (self.tests != 1)}")

    def sentence(self) -> str:
        """Inside an explanation: `3 dependents in 2 files (1 test)`."""
        more = "+" if self.truncated else ""
        return (f"{self.dependents}{more} dependent{'s' if self.dependents != 1 else ''} in {self.files}"
                f" file{'s' if self.files != 1 else ''} ({self.tests} test{'s' if self.tests != 1 else ''})")


SUMMARY_DEPTH = 3
SUMMARY_LIMIT = 300


SUMMARY_MAX_USES = 1000  # above this many direct uses, only the first link is counted


def impact_summary(graph: Graph, qualname: str, depth: int = SUMMARY_DEPTH, limit: int = SUMMARY_LIMIT) -> ImpactSummary:
    """A bounded impact for hovers and code lenses: cheap enough to compute on
    demand, marked with '+' when the bound cut it short. A very widely used
    symbol gets its first link only (the full walk is `codemeld/impact`)."""
    uses = graph.reference_count(qualname)
    if uses > SUMMARY_MAX_USES:
        depth, limit = 1, min(limit, 100)
    report = impact(graph, qualname, depth=depth, limit=limit)
    return ImpactSummary(len(report.dependents), len(report.files), len(report.tests), report.truncated)


def direct_summary(graph: Graph, qualname: str) -> str:
    """The first link only, in one indexed query: for hovers, which must stay
    fast on any symbol (the whole chain is codemeld/impact and the code lens)."""
    dependents, files, tests = graph.direct_use_counts(qualname)
    learned = len(_learned_tests(graph, qualname))  # tests a recorded run saw executing it
    return (f"{dependents} direct dependent{'s' * (dependents != 1)} in {files} file{'s' * (files != 1)}"
            f" · {tests} direct test{'s' * (tests != 1)}" + (f" · {learned} learned" if learned else ""))
