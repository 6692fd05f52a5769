"""Cross-file resolution of Python references.

Every use of a name gets a target qualname, a confidence and the rule that
found it. In order of confidence:
  scope       a definition in the local, enclosing or module scope
  import      followed through imports, `__init__` re-exports, `__all__`
  star-import a name brought in by `from m import *`
  builtin     a name of the `builtins` module
  self        an attribute of `self`/`cls` found on the enclosing class
  mro         ...found on a base class (or `super()`)
  annotation / constructor / return-type
              an attribute of a value whose class is known from an
              annotation, a constructor call `x = Foo()`, or a return annotation
  fixture     a pytest test's parameter bound to a fixture function
  keyword     `f(x=1)` bound to the parameter x of f
  name-match  nothing better: same-named definitions, low confidence
Value flow (kind "flow" uses, owned by the name the value is bound to):
  alias / partial / wrapped / registry / stored
              `a = b = X`, `partial(X)`, `deco(X)`, `{"k": X}`, `self.cb = X`
  getattr     `getattr(obj, "name")` is a use of obj.name
Names that point outside the workspace (the stdlib seen from a project) keep
their dotted name as target with how="external".

The resolver reads other modules only through a ModuleProvider, so the same
code runs over in-memory summaries (cold index) and over the database
(incremental updates).
"""

from __future__ import annotations

import builtins
import functools
import re
import sys
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from indexer.languages.base import (REF_CALL, REF_FLOW, REF_KIND, REF_MODULE, REF_NAME, REF_OWNER, REF_RECEIVER,
                                    REF_SCOPE, REF_SPAN, SYM_BASES, SYM_FLAGS, SYM_IS_TEST, SYM_KIND, SYM_NAME,
                                    SYM_NAME_SPAN, SYM_PARENT, SYM_QUALNAME, FileFacts, ref_row, sym_row)
from indexer.languages.python.dispatch import glob_matcher, matching_members, split_hole
from indexer.languages.python.facts import python_facts
from indexer.graph.vocab import How
from indexer.languages.python.summary import ModuleSummary, SymInfo, symbol_infos
from indexer.languages.python.values import (BuiltClass, BuiltInstance, CallableType, CallableValue, Class,
                                             External, Found, Function, Generic, Instance, Iterable, Local, Module,
                                             PartialValue, Raised, Referent, Super, Sym, Value)

BUILTIN_NAMES = frozenset(dir(builtins))
# Subscripted annotations whose first argument is the type that matters.
_UNWRAP = frozenset({"Optional", "Union", "Annotated", "Final", "ClassVar", "Required", "NotRequired", "ReadOnly"})
_CLASS_OF = frozenset({"Type", "type"})
# An absolute import no workspace module answers is tried from the basedir
# pytest puts on sys.path for a test package (the first directory up without
# an __init__.py): a switch, for its test. Off, itsdangerous's test classes
# that subclass another test file's classes had no base (and no inherited tests).
PYTEST_BASEDIR = True
# Neither bare-name rule above shadows a standard-library module: structlog's
# `from typing import Protocol` in src/structlog/dev.py is the stdlib's, not
# its sibling structlog/typing.py (Python 3 has no implicit relative import,
# and the interpreter imports `typing`, `os`, `re`... before any script
# runs). Off, every Protocol base and annotation read from `typing` in a
# package with its own `typing.py` was unresolved (a switch, for its test).
STDLIB_FIRST = True
_STDLIB = frozenset(sys.stdlib_module_names)
# A computed getattr's glob is kept as an unresolved getattr-match row too:
# the receiver's subclasses may define what it names (switch, for its test).
GETATTR_SUBCLASSES = True
# A truth test of an instance whose class has no __bool__ runs its __len__
# (switch, for its test).
LEN_TRUTH = True
# pytest's ExceptionInfo methods that format the exception it holds (`str()` of it).
_SHOWS_RAISED = frozenset(("exconly", "getrepr", "match"))
# A fixture's return expression sees its arguments as the fixtures they
# name (same class, then module): `return signer_factory()` in a fixture
# gives what calling the `signer_factory` fixture's value gives (a switch).
FIXTURE_ARGS = True
# What `partial(X, ...)` can wrap so that calling it gives call_result(X).
_PARTIAL_OF = frozenset({"class", "function", "partial"})

# `obj.x = v` on a workspace instance: its class's __setattr__ runs (a
# use of it), and a name the class lacks is no __getattr__ use (switch).
# wrapt +9 true / 0 false pairs (writes through a local `self` that
# impact_attrhooks, which reads `self.x = v` only, misses); others unchanged.
ATTRIBUTE_WRITES = True
# `class C(object)` is `class C`: a name `object` lacks is no member of it
# (switch, for its test). Before, glom's `T.a` on `class TType(object)`
# with a `__getattr__` named `builtins.object.a`, never the hook.
OBJECT_BASE = True
_OBJECT_ATTRIBUTES = frozenset(dir(object))
# Implicit uses resolved on a class operand as before extract.OPERAND_PROTOCOLS
# (`with C:` and `C[k]` keep their member; the operators' dunders need an instance).
# `a[k]` on a workspace instance is its __getitem__'s result when known
# (dispatch.py); otherwise the instance itself, as before.
GETITEM_RESULT = True
_CLASS_OPERAND = frozenset(("__call__", "__contains__", "__getitem__", "__setitem__", "__delitem__", "__enter__",
                            "__exit__"))


def _sub_head(expr) -> str | None:
    base = expr[1] if expr and expr[0] == "sub" else None
    return base[-1] if base and base[0] == "attr" else (base[1] if base and base[0] == "name" else None)


_DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def _callback_args(expr, depth: int = 0) -> tuple | None:
    """The longest argument list of a Callable type expression, or of the
    first and last members of a Union of them: ("args", A, B) -> (A, B)."""
    if not expr or expr[0] != "sub" or depth > 3:
        return None
    head = _sub_head(expr)
    if head == "Callable":
        return expr[2][1:] if expr[2] and expr[2][0] == "args" else None
    if head not in ("Union", "Optional"):
        return None
    options = [_callback_args(option, depth + 1) for option in expr[2:]]
    return max((o for o in options if o is not None), key=len, default=None)


def _holds_a_class(expr) -> bool:
    """Whether an annotation expression is `Type[X]` (under Optional/Union/...)."""
    while expr and expr[0] == "sub" and _sub_head(expr) in _UNWRAP:
        expr = expr[2]
    return bool(expr) and expr[0] == "sub" and _sub_head(expr) in _CLASS_OF
# Annotations of collections whose first argument is what iterating yields.
# What a generator fixture is annotated with: its tests get the yielded value.
_YIELDING = frozenset({"Iterator", "Generator", "AsyncIterator", "AsyncGenerator", "Iterable", "AsyncIterable"})
_CONTAINERS = frozenset({
    "List", "list", "Sequence", "MutableSequence", "Iterable", "Iterator", "Collection",
    "Set", "set", "FrozenSet", "frozenset", "AbstractSet", "MutableSet", "Deque", "deque",
    "Generator", "AsyncIterator", "AsyncIterable", "AsyncGenerator", "Tuple", "tuple", "KeysView",
})
_TESTCASE = ("unittest.TestCase", "unittest.case.TestCase", "TestCase")
# How deep one evaluation goes. 16, was 12: structlog's `cls(...)` in
# BoundLoggerLazyProxy.bind reaches its class through a local `or`, a
# configuration attribute, a module name, a factory's return, a dict of
# classes and another factory's `type(...)` (expressions.DICT_VALUES,
# TYPE_BUILT): 12 cut it short. Indexing 169 stdlib files ran 0.4% more
# evaluations (63,013 -> 63,277).
_MAX_DEPTH = 16
# Uses of an attribute that run a descriptor's __get__, and the class-level
# symbols that can hold a descriptor.
_DESCRIPTOR_USES = ("read", "call", "attribute")
_DESCRIPTOR_HOLDERS = ("function", "method", "variable", "constant")
_NAME_MATCH_LIMIT = 4

# Each rule's confidence is part of the vocabulary (`indexer.graph.vocab.How`); a
# how outside this table (none today) counts 0.5.
CONFIDENCE = {how.value: how.confidence for how in How if how not in (How.NAME_MATCH, How.UNRESOLVED)}
NAME_MATCH_CONFIDENCE = How.NAME_MATCH.confidence


_DOCTEST_PART = ".__doctest__."  # (doctests.NAME, inside a qualname)
# `@name def g` where `name` holds a function (an alias, or a closure a
# factory returned: extract.py RETURNED_CLOSURES) is a decoration of g by
# that function, not a call in g's body: impact runs it where the def
# statement runs (switch, for its test).
DECORATING_ALIAS = True
# A name-matched `x.name` inside a class's code that the class itself has
# (defined or inherited) is guessed to be that member only (switch, for its
# test): `Resolver.own_guess`. Not in a method of the same name (`ctx.invoke()`
# in `Command.invoke` delegates to a peer). Figures (evals.impact, depth 8,
# default selection, on vs off, the impact_bound rules on): pyparsing
# R 0.883 -> 0.857, P 0.309 -> 0.358 (-50k predicted, -2.8k true pairs);
# click R 0.902 -> 0.918, P 0.618 -> 0.601 (+1,369 predicted, +319 true:
# not understood yet; a sharper guess carries a higher confidence share);
# the other 14 projects identical. Off by default: it moves two projects
# toward their goal lines (pyparsing's recall, click's precision) for a
# precision gain that still leaves pyparsing far from its goal, and it
# changes what Find References guesses, which no peer comparison has checked.
OWN_HIERARCHY_GUESS = False
# A call of a name-matched attribute declared as a workspace instance with
# `__call__` runs that `__call__` too (`matched_callables`; switch, for its test).
MATCHED_CALLABLES = True

class ModuleProvider(Protocol):
    def module(self, name: str) -> ModuleSummary | None: ...
    def has_module(self, name: str) -> bool: ...
    def module_at(self, path: str) -> ModuleSummary | None: ...
    def named(self, name: str) -> list[SymInfo]: ...


NEW_MAKES_OWN_INSTANCE = True  # switch, for its test
# A property returning `self.x` holds what `x` holds (switch, for its test):
# cachetools' `self.timer()` runs `_Timer.__call__`, 47 pairs for 71 false
# ones; the other seven projects unchanged.
PROPERTY_SELF_ATTRIBUTE = True
# A method or property whose return is `self` gives an instance of its class
# (switch, for its test): fluent APIs such as schedule's
# `every(1).seconds.do(job)` had each `.do` as a name match only, since the
# return was evaluated at module level, where no `self` exists.
RETURN_SELF = True
_SELF = ("name", "self")
# A method's return evaluated from another module knows its `self`: an
# instance of the method's class ("own"), so `return self._result()`,
# `return res, skipped` (res a `self.x` value) evaluate; and an element of a
# returned tuple binds what unpacks it (extract.TUPLE_RETURNS; switch, for
# its test).
SELF_RETURNS = True

# Referents (Sym, Module, External, Local) and values (Module, Class, Instance,
# Function, External, Super, Generic, Iterable, CallableType, CallableValue)
# are the small named types of values.py; `Found` pairs a referent with its rule.


@dataclass(slots=True)
class Resolution:
    # one (span, name, kind, enclosing, target, confidence, how) per reference:
    # the fields of `ResolvedRef`, as a plain tuple. A NamedTuple cost a
    # Python-level call to build (0.8 us) and a copy to a tuple for the
    # trip to the writer, about 1 s of CPU over the stdlib's 1.2M (issue 17).
    refs: list[tuple] = field(default_factory=list)
    # qualnames that resolution found to be tests (unittest through the MRO)
    tests: set[str] = field(default_factory=set)


def absolute_module(level: int, module: str, current: str, is_package: bool) -> str:
    if level == 0:
        return module
    parts = current.split(".") if current else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    base = ".".join(parts)
    return f"{base}.{module}" if base and module else (base or module)


class _Here(NamedTuple):
    """The module a file being resolved is, as relative imports need it."""

    module: str
    is_package: bool


class _File:
    """Per-file state: its own facts, with function locals visible."""

    def __init__(self, facts: FileFacts):
        self.facts = facts
        # Uses and symbols as rows (REF_*, SYM_* positions): the pipeline's
        # facts carry them so; a caller's objects (extract's own output) are
        # turned into rows.
        refs, symbols = facts.refs, facts.symbols
        self.refs: list[tuple] = refs if not refs or type(refs[0]) is tuple else list(map(ref_row, refs))
        self.symbols: list[tuple] = (symbols if not symbols or type(symbols[0]) is tuple
                                     else list(map(sym_row, symbols)))
        symbols = self.symbols
        # What import_target and follow_binding read of the file's own module
        # (the whole summarize(facts) was built for this once per file: issue 17).
        self.here = _Here(facts.module, facts.is_package)
        self.info: dict[str, SymInfo] = symbol_infos(symbols, facts.scopes, facts.module, with_locals=True)
        self.local_scope: dict[str, int] = {}  # qualname -> scope its type_expr evaluates in
        # First scope per symbol: its own (extract.py `outer_scope` adds one after it
        # for its defaults and annotations, owned by the same function).
        scope_of_symbol: dict[int, int] = {}
        for i, scope in enumerate(facts.scopes):
            if scope.symbol >= 0:
                scope_of_symbol.setdefault(scope.symbol, i)
        for sym in symbols:
            self.local_scope.setdefault(sym[SYM_QUALNAME], scope_of_symbol.get(sym[SYM_PARENT], 0))
        self.enclosing = [symbols[self.owner(i)][SYM_QUALNAME] for i in range(len(facts.scopes))]
        self.name_cache: dict[tuple[int, str], tuple] = {}
        self.eval_cache: dict[tuple[int, tuple], tuple | None] = {}
        self.fixture_params: dict[str, str] = {}  # parameter qualname -> fixture qualname

    def owner(self, scope: int) -> int:
        scopes = self.facts.scopes
        while scopes[scope].symbol < 0:
            scope = scopes[scope].parent
        return scopes[scope].symbol


class Resolver:
    def __init__(self, provider: ModuleProvider):
        self.p = provider
        self._values: dict[str, Value | None] = {}  # value of a non-local symbol
        self._members: dict[tuple, Referent | None] = {}  # (class, name, skip_self) -> member
        self._decorated: dict[str, Value] = {}  # function -> value after its decorators
        self._matches: dict[tuple[str, bool], tuple[str, ...]] = {}  # (name, member) -> name-match targets
        self._busy: set = set()  # symbols whose value is being computed (cycle guard)
        self._decorating: set = set()  # functions whose decorators are being applied
        # Counts every search cut short (a cycle guard or the depth limit). A
        # value whose computation saw the count move depends on what was
        # on the stack, so it is not cached: a cached answer must be the same
        # whichever lookup asked first, or a file's refs depend on the order
        # (and number) of workers that resolved the files before it.
        self._cuts = 0
        self._file: _File | None = None  # the file being resolved (its locals)

    # -- modules -----------------------------------------------------------

    def module_referent(self, name: str) -> Referent:
        return Module(name) if self.p.has_module(name) else External(name)

    def import_target(self, level: int, module: str, current: ModuleSummary | _Here) -> str:
        absolute = absolute_module(level, module, current.module, current.is_package)
        top = module.split(".")[0]
        if level == 0 and module and not self.p.has_module(top) and not (STDLIB_FIRST and top in _STDLIB):
            # Scripts and tests import siblings by bare name (sys.path[0]).
            package = current.module if current.is_package else current.module.rpartition(".")[0]
            if package and self.p.has_module(f"{package}.{module}"):
                return f"{package}.{module}"
            if PYTEST_BASEDIR and package:
                # pytest puts a test package's basedir on sys.path: the first
                # directory up without an __init__.py (itsdangerous's
                # tests/test_itsdangerous/test_timed.py imports
                # `test_itsdangerous.test_signer`, which is tests.test_itsdangerous.test_signer).
                basedir = package
                while basedir and self.p.module(basedir) is not None:
                    basedir = basedir.rpartition(".")[0]
                if basedir and basedir != package and self.p.has_module(f"{basedir}.{module}"):
                    return f"{basedir}.{module}"
        return absolute

    def follow_binding(self, binding: tuple, summary: ModuleSummary | _Here, depth: int) -> Referent | None:
        tag = binding[0]
        if tag == "def":
            return Sym(binding[1], summary.module)
        if tag == "import":
            module, attr, level = binding[1:4]
            target = self.import_target(level, module, summary)
            if attr is None:
                found = self.module_referent(target)
            else:
                found = self.module_attr(target, attr, depth + 1) or self.outside(target, attr)
            if len(binding) > 4 and (found is None or found[0] == "external"):
                # A `try:` import replacing a definition (extract._Rebinding)
                # that leaves the workspace: the definition runs.
                return Sym(binding[4], summary.module)
            return found
        return None

    def outside(self, module: str, attr: str) -> Referent | None:
        """`module.attr` not found: outside the workspace it keeps its dotted
        name; inside, the name is missing (unresolved)."""
        return None if self.p.has_module(module) else External(f"{module}.{attr}")

    def module_attr(self, module: str, name: str, depth: int = 0) -> Referent | None:
        """What `module.name` is: `from module import name` follows this."""
        if depth > _MAX_DEPTH:
            self._cuts += 1
            return None
        summary = self.p.module(module)
        if summary is None:
            submodule = f"{module}.{name}"
            if self.p.has_module(submodule):
                return Module(submodule)
            if self.p.has_module(module):
                return None  # namespace package without the name
            return External(submodule)
        binding = summary.names.get(name)
        if binding is not None and binding[0] in ("def", "import"):
            found = self.follow_binding(binding, summary, depth)
            if found is not None:
                return found
        submodule = f"{module}.{name}"
        if self.p.has_module(submodule):
            return Module(submodule)
        for level, star in summary.stars:
            target = self.import_target(level, star, summary)
            star_summary = self.p.module(target)
            # Outside the workspace we cannot know what a star brings in.
            if star_summary is None or not self.star_exports(star_summary, name, 0):
                continue
            found = self.module_attr(target, name, depth + 1)
            if found is not None:
                return found
        return None

    def star_exports(self, summary: ModuleSummary, name: str, depth: int) -> bool:
        """Whether `from module import *` brings in `name`: its `__all__`, else
        its public names, including those it star-imports itself (toolz's
        `__init__` re-exports `from .functoolz import *`)."""
        if summary.all_names is not None:
            return name in summary.all_names
        if name.startswith("_"):
            return False
        if name in summary.names:
            return True
        if depth > _MAX_DEPTH:
            self._cuts += 1
            return False
        for level, star in summary.stars:
            inner = self.p.module(self.import_target(level, star, summary))
            if inner is not None and inner is not summary and self.star_exports(inner, name, depth + 1):
                return True
        return False

    # -- symbols and values ------------------------------------------------

    def info(self, referent: Referent, f: _File | None) -> SymInfo | None:
        if not isinstance(referent, Sym):
            return None
        if f is not None and referent.module == f.facts.module:
            found = f.info.get(referent.qualname)
            if found is not None:
                return found
        summary = self.p.module(referent.module)
        return summary.symbols.get(referent.qualname) if summary is not None else None

    def value_of(self, referent: Referent | None, f: _File | None, depth: int) -> Value | None:
        """The value a referent stands for: a module, a class, an instance..."""
        if referent is None:
            return None
        if depth > _MAX_DEPTH:
            self._cuts += 1
            return None
        tag = referent[0]
        if tag == "module":
            return referent
        if tag == "external":
            return referent
        if tag == "local":
            if referent[1] is None or f is None:
                return None
            return self.eval(referent[1], f, referent[2], depth + 1)
        if tag != "sym":
            return None
        info = self.info(referent, f)
        if info is None:
            return None
        kind = info.kind
        if kind == "class":
            return Class(info.qualname)
        if kind in ("function", "method"):
            if info.decorators:
                return self.decorated_value(info, depth)
            return Function(info.qualname)
        if kind == "module":
            return Module(info.qualname)
        if kind == "parameter":
            if "self" in info.flags or "cls" in info.flags:
                owner = info.qualname.rsplit(".", 2)[0]
                return Instance(owner) if "self" in info.flags else Class(owner)
            fixture = f.fixture_params.get(info.qualname) if f is not None else None
            if info.type_expr is None and fixture is not None:
                # A test's parameter holds what its fixture returns or yields.
                module = fixture.rsplit(".", 1)[0]
                value = self.call_result(Function(fixture), depth + 1, module=module)
                return self.yielded(fixture, module, value)
        if info.type_expr is None:
            return None
        local = f is not None and referent[2] == f.facts.module and referent[1] in f.info
        key = info.qualname
        if not local and key in self._values:
            return self._values[key]
        if key in self._busy:
            self._cuts += 1
            return None  # a cycle such as `x = x.y`
        cuts = self._cuts
        self._busy.add(key)
        try:
            value = self.eval_declared(info.type_expr, referent, key, f, depth)
        finally:
            self._busy.discard(key)
        if not local and self._cuts == cuts:
            self._values[key] = value
        return value

    def dict_item(self, referent: Referent | None, f: _File | None, depth: int) -> Value | None:
        """An item of a module or class-level name bound to a dict literal of
        names, `{CRITICAL: AtCritical, ...}`: what its first value is."""
        if referent is None or referent[0] != "sym" or depth > _MAX_DEPTH:
            return None
        info = self.info(referent, f)
        if info is None or not info.type_expr or info.type_expr[0] != "dictof":
            return None
        return self.eval_declared(info.type_expr[1], referent, info.qualname, f, depth)

    def eval_declared(self, expr: tuple, referent: Referent, key: str, f: _File | None, depth: int) -> Value | None:
        """`expr`, declared with the symbol `referent` (qualname `key`),
        evaluated where it was declared: in this file's scope, else in its
        module's global scope."""
        if f is not None and referent[2] == f.facts.module and referent[1] in f.info:
            return self.eval(expr, f, f.local_scope.get(key, 0), depth + 1)
        return self.eval_in_module(expr, referent[2], depth + 1)

    def eval_in_module(self, expr: tuple, module: str, depth: int) -> Value | None:
        """Evaluate an expression in another module's global scope."""
        summary = self.p.module(module)
        if summary is None:
            return None

        def lookup(name: str) -> Referent | None:
            binding = summary.names.get(name)
            if binding is not None:
                return self.follow_binding(binding, summary, depth)
            if name in BUILTIN_NAMES:
                return External(f"builtins.{name}")
            return self.module_attr(module, name, depth + 1)

        return self._eval(expr, lookup, None, None, depth)

    def eval(self, expr: tuple, f: _File, scope: int, depth: int) -> Value | None:
        if depth == 0:
            # Receivers repeat (self, a module, a local): evaluate each once per scope.
            key = (scope, expr)
            if key in f.eval_cache:
                return f.eval_cache[key]
            value = self._eval(expr, lambda name: self.lookup(f, scope, name)[0], f, scope, 0)
            f.eval_cache[key] = value
            return value
        return self._eval(expr, lambda name: self.lookup(f, scope, name)[0], f, scope, depth)

    def _eval(self, expr, lookup, f: _File | None, scope: int | None, depth: int) -> Value | None:
        if expr is None:
            return None
        if depth > _MAX_DEPTH:
            self._cuts += 1
            return None
        tag = expr[0]
        if tag == "name":
            return self.value_of(lookup(expr[1]), f, depth + 1)
        if tag == "attr":
            base = self._eval(expr[1], lookup, f, scope, depth + 1)
            if base is not None and base[0] == "raised":  # `info.value` of `pytest.raises(E) as info`
                return Instance(base[1]) if expr[2] == base[2] else (Class(base[1]) if expr[2] == "type" else None)
            member = self.attr_of(base, expr[2], depth + 1)
            return self.member_value(member, f, depth + 1)
        if tag == "call":
            callee = self._eval(expr[1], lookup, f, scope, depth + 1)
            if _holds_a_class(expr[1]) and callee is not None and callee[0] == "class":
                # An instance of `Type[X]` (a parameter so annotated, `cast(Type[X], v)`)
                # is the class X: calling it builds an X, not X.__call__.
                return callee
            result = self.call_result(callee, depth + 1)
            if NEW_MAKES_OWN_INSTANCE and (result is None or result[0] == "external") and expr[1] \
                    and expr[1][0] == "attr" and expr[1][2] == "__new__" and f is not None and scope is not None:
                # `dict.__new__(cls)`, `super().__new__(cls)` in a class's
                # methods make the instance that method returns (boltons'
                # OrderedMultiDict.__new__: `ret = dict.__new__(cls); ret._clear_ll()`).
                cls = self.enclosing_class(f, scope)
                if cls is not None:
                    return Instance(cls)
            return result
        if tag == "fixture":  # a fixture's argument, by the fixture it names (fixture_arguments)
            module = expr[1].rsplit(".", 1)[0]
            return self.yielded(expr[1], module, self.call_result(Function(expr[1]), depth + 1, module=module))
        if tag == "raised":  # what `with pytest.raises(E) as info` binds (expressions.RAISES_INFO)
            raised = self._eval(expr[1], lookup, f, scope, depth + 1)
            return Raised(raised[1], expr[2]) if raised is not None and raised[0] == "class" else None
        if tag == "partialof":
            # `partial(C, ...)`: called, it calls C (expressions.PARTIAL_VALUES).
            inner = self._eval(expr[1], lookup, f, scope, depth + 1)
            return PartialValue(inner) if inner is not None and inner[0] in _PARTIAL_OF else None
        if tag == "sub":
            base = expr[1]
            head = base[-1] if base and base[0] == "attr" else (base[1] if base and base[0] == "name" else None)
            if head in _UNWRAP:
                return self._eval(expr[2], lookup, f, scope, depth + 1)
            if head in _CLASS_OF:
                inner = self._eval(expr[2], lookup, f, scope, depth + 1)
                return Class(inner[1]) if inner and inner[0] == "instance" else inner
            if head in _CONTAINERS:
                return Generic(self._eval(expr[2], lookup, f, scope, depth + 1))
            if head == "Callable":
                returned = self._eval(expr[3], lookup, f, scope, depth + 1) if len(expr) > 3 else None
                return CallableType(returned)
            if base and base[0] == "name":
                held = self.dict_item(lookup(base[1]), f, depth + 1)
                if held is not None:
                    return held  # `LEVELS[level]` of a dict of names (expressions.DICT_VALUES)
            value = self._eval(base, lookup, f, scope, depth + 1)
            if value is not None and value[0] == "iterable":
                return value[1]  # xs[0] of a list of X is an X
            if GETITEM_RESULT and value is not None and value[0] == "instance":
                return self.operator_result(value, "__getitem__", depth + 1) or value
            return value
        if tag == "op":  # `a + b`: what a's __add__ returns (dispatch.py)
            return self.operator_result(self._eval(expr[1], lookup, f, scope, depth + 1), expr[2], depth + 1)
        if tag == "lit":
            return External(f"builtins.{expr[1]}")
        if tag == "dictof":  # a dict of names: a dict, but for its items (dict_item)
            return External("builtins.dict")
        if tag == "local":  # a function's own local function, returned (extract.py RETURNED_CLOSURES)
            return Function(expr[1])
        if tag == "own":  # a method's `self`, evaluated outside the method (SELF_RETURNS)
            return Instance(expr[1])
        if tag == "element":  # `a, b = f(...)`: an item of what f returns (extract.TUPLE_RETURNS)
            return self.element_of(expr[1], expr[2], lookup, f, scope, depth + 1) if SELF_RETURNS else None
        if tag == "typeof":  # type(x): the class of x
            value = self._eval(expr[1], lookup, f, scope, depth + 1)
            return Class(value[1]) if value is not None and value[0] == "instance" else None
        if tag == "alt":
            # What an unannotated function returns: the last `return` that
            # gives a workspace value (guard clauses return early: toolz's
            # `compose` returns `identity` for no functions, a Compose
            # otherwise), else the first evaluable one.
            values = [self._eval(option, lookup, f, scope, depth + 1) for option in expr[1:]]
            for value in reversed(values):
                if value is not None and value[0] not in ("external", "generic", "iterable"):
                    return value
            return next((v for v in values if v is not None), None)
        if tag == "callers":  # an unannotated parameter: what this file's calls pass (extract.CALLER_TYPES)
            return self.caller_value(expr, f, depth + 1)
        if tag == "callback" and f is not None:  # a parameter of a callback (extract.CALLBACK_PARAMS)
            return self.callback_param(expr, f, depth + 1)
        if tag == "iter":
            value = self._eval(expr[1], lookup, f, scope, depth + 1)
            return value[1] if value is not None and value[0] == "iterable" else None
        if tag == "listof":  # `[Row(x) for x in xs]` (expressions.COMPREHENSION_VALUES)
            element = self._eval(expr[1], lookup, f, scope, depth + 1)
            if element is not None and element[0] in ("instance", "class", "function"):
                return Iterable(element)
            return External(f"builtins.{expr[2]}")
        if tag == "super" and f is not None and scope is not None:
            cls = self.enclosing_class(f, scope)
            return Super(cls) if cls else None
        return None

    def caller_value(self, expr: tuple, f: _File | None, depth: int) -> Value | None:
        """("callers", (scope, arg), ...): the one value the calls agree on,
        each argument evaluated where its call is. None when they disagree or
        one is out of reach (a guess by name keeps every candidate: voluptuous's
        `_compile(schema)`, handed an annotated Union and unknowns, had lost 50
        true pairs to its first member), and outside the file."""
        if f is None:
            return None
        agreed = None
        for scope, arg in expr[1:]:  # (the first unknown or disagreeing call ends it)
            value = self.eval(arg, f, scope, depth + 1)
            if value is None or agreed is not None and value != agreed:
                return None
            agreed = value
        return agreed

    def callback_param(self, expr: tuple, f: _File, depth: int) -> Value | None:
        """("callback", callee, scope, position, slot, count): parameter `slot`
        of `count` of a function passed at `position` to `callee` holds what
        the callee's parameter annotation (a Callable, or a Union of them
        through an alias) lists there, aligned from the right."""
        _tag, callee_expr, scope, position, slot, count = expr
        if callee_expr[0] == "attr":
            # `expr.setParseAction(f)`, a class attribute wrapping a method
            # (`setParseAction = replaced_by_pep8(..., set_parse_action)`): that method's
            owner = self._eval(callee_expr[1], lambda name: self.lookup(f, scope, name)[0], f, scope, depth + 1)
            member = self.attr_of(owner, callee_expr[2], depth + 1)
            held = self.info(member, f) if member is not None and member[0] == "sym" else None
            wraps = next((flag[6:] for flag in held.flags if flag.startswith("wraps:")), None) if held else None
            if wraps is not None and owner is not None and owner[0] in ("instance", "class"):
                callee_expr = ("attr", callee_expr[1], wraps)
        callee = self.eval(callee_expr, f, scope, depth + 1)
        if callee is None or callee[0] != "function":
            return None
        info = self.sym_by_qualname(callee[1])
        if info is None or info.kind not in ("function", "method"):
            return None
        params = info.params[1:] if info.kind == "method" and "staticmethod" not in info.flags else info.params
        positional = [p for p in params if p[1] in ("pos", "posonly")]
        if position < len(positional):
            annotation = positional[position][2]
        else:
            annotation = next((p[2] for p in params if p[1] == "varargs"), None)
        if not annotation or not _DOTTED.fullmatch(annotation):
            return None
        lookup = annotation.split(".")
        referent = self.module_attr(info.module, lookup[0], depth + 1)
        for part in lookup[1:]:
            referent = self.module_attr(referent[1], part, depth + 1) if referent and referent[0] == "module" else None
        alias = self.info(referent, None) if referent is not None and referent[0] == "sym" else None
        if alias is None or alias.type_expr is None:
            return None
        listed = _callback_args(alias.type_expr)
        if listed is None or count > len(listed):
            return None
        arg = listed[len(listed) - count + slot]
        return self.eval_in_module(("call", arg), referent[2], depth + 1) if arg is not None else None

    def operator_result(self, operand: Value | None, dunder: str, depth: int) -> Value | None:
        """What the dunder an operator runs on a workspace instance returns
        (annotated or inferred, as a call's result); None otherwise."""
        if operand is None or operand[0] != "instance":
            return None
        member = self.class_member(operand[1], dunder, depth + 1)
        if member is None or member[0] != "sym":
            return None
        return self.call_result(Function(member[1]), depth + 1, module=member[2])

    def enclosing_class(self, f: _File, scope: int) -> str | None:
        scopes = f.facts.scopes
        while scope >= 0:
            parent = scopes[scope].parent
            if scopes[scope].kind == "function" and parent >= 0 and scopes[parent].kind == "class":
                return f.symbols[scopes[parent].symbol][SYM_QUALNAME]
            scope = parent
        return None

    def member_value(self, member: Referent | None, f: _File | None, depth: int) -> Value | None:
        if member is None:
            return None
        if member[0] == "getattr":  # the value __getattr__ returns
            return self.call_result(("function", member[1]), depth + 1, module=member[2])
        info = self.info(member, f)
        if info is not None and "property" in info.flags:
            value = self.call_result(Function(info.qualname), depth + 1, module=info.module)
            if value is None and PROPERTY_SELF_ATTRIBUTE:
                value = self.property_self_attribute(info, f, depth + 1)
            return value
        return self.value_of(member, f, depth)

    def property_self_attribute(self, info, f: _File | None, depth: int) -> Value | None:
        """A property returning `self.x` (cachetools' `timer`: `return
        self.__timer`) gives what the owner's `x` holds; the module-level
        evaluation of its return knows no `self`."""
        returns = info.returns
        if returns is None or returns[0] != "=" or not info.is_member:
            return None
        expr = returns[1]
        if not (isinstance(expr, tuple) and len(expr) == 3 and expr[0] == "attr" and expr[1] == ("name", "self")):
            return None
        owner = info.qualname.rsplit(".", 1)[0]
        attribute = self.class_member(owner, expr[2], depth)
        if attribute is None or attribute[0] != "sym" or attribute[1] == info.qualname:
            return None
        return self.member_value(attribute, f, depth) if RETURN_SELF else self.value_of(attribute, f, depth)

    def call_result(self, callee: Value | None, depth: int, module: str | None = None,
                    want_callable: bool = False) -> Value | None:
        if callee is None:
            return None
        if depth > _MAX_DEPTH:
            self._cuts += 1
            return None
        tag = callee[0]
        if tag == "class":
            return BuiltInstance(callee[1], callee[2]) if isinstance(callee, BuiltClass) else Instance(callee[1])
        if tag == "generic":  # List[X]() as an annotation's value: holds Xs
            element = self.call_result(callee[1], depth + 1) if callee[1] is not None else None
            return Iterable(element)
        if tag == "callabletype":  # Callable[..., R] as an annotation's value
            return CallableValue(callee[1])
        if tag in ("callable", "partial"):
            return self.call_result(callee[1], depth + 1)
        if tag == "external":
            return External(callee[1] + "()")
        if tag == "function":
            info = self.sym_by_qualname(callee[1], module)
            if info is None or info.returns is None:
                return None
            # Overloads: a decorator factory called as @f() must return a callable.
            first = None
            for returns in (info.returns, *info.alt_returns):
                # ("=", expr): inferred from a return statement (the value
                # itself); otherwise an annotation (an instance of it).
                expr = returns[1] if returns[0] == "=" else ("call", returns)
                if expr == _SELF and info.is_member and RETURN_SELF and "staticmethod" not in info.flags:
                    value = Instance(info.qualname.rsplit(".", 1)[0])  # a fluent method or property
                else:
                    if FIXTURE_ARGS and "fixture" in info.flags:
                        expr = self.fixture_arguments(expr, info)
                    value = self.eval_in_module(self.own_self(expr, info), info.module, depth + 1)
                if value is None:
                    continue
                callable_ = value[0] in ("callable", "function", "partial")
                if callable_ == want_callable:
                    if not callable_:
                        if value[0] == "class" and any(flag.startswith("builds:") for flag in info.flags):
                            return BuiltClass(value[1], info.qualname)  # `return type(n, (Base,), ns)`
                        return value
                    # Prefer a factory whose product is known (not a TypeVar).
                    product = self.call_result(value, depth + 1)
                    if product is not None and product[0] != "external":
                        return value
                first = first or value
            return first
        return None

    def built_methods(self, factory: str, name: str) -> list[str]:
        """The functions taking `self` that the factory's `type(...)` puts in
        the class it builds (its "builds:" flags, extract.TYPE_METHODS): the
        factory's own one named `name`, else all of the factory's own (a
        namespace's keys may be computed: `meths[name] = meth`) and any
        module-level one so named."""
        info = self.sym_by_qualname(factory, None)
        methods = [flag[7:] for flag in info.flags if flag.startswith("builds:")] if info is not None else []
        named = [qualname for qualname in methods if qualname.rpartition(".")[2] == name]
        own = [qualname for qualname in methods if qualname.startswith(factory + ".")]
        # A module-level function is stored under its own name: only the factory's own may hide
        # behind a computed key, and one named so may call them through self (`self.error(...)`).
        return named if named and all(qualname in own for qualname in named) else named + own

    def own_self(self, expr: tuple, info) -> tuple:
        """A method's returned expression with its `self` made an instance of
        its class ("own"), for evaluation outside the method (SELF_RETURNS)."""
        if not SELF_RETURNS or _self_free(expr) or not info.is_member or "staticmethod" in info.flags \
                or "classmethod" in info.flags:
            return expr
        return _with_own(expr, ("own", info.qualname.rsplit(".", 1)[0]))

    def element_of(self, expr: tuple, index: int, lookup, f, scope, depth: int) -> Value | None:
        """Item `index` of a tuple display, or of the tuple a called function
        returns (`res, skipped = self._parse(s)`: extract.TUPLE_RETURNS)."""
        if expr[0] == "tuple":
            return self._eval(expr[1 + index], lookup, f, scope, depth + 1) if index + 1 < len(expr) else None
        if expr[0] != "call":
            return None
        callee = self._eval(expr[1], lookup, f, scope, depth + 1)
        if callee is not None and callee[0] == "class":
            return None  # unpacking an instance: its __iter__, not followed
        if callee is None or callee[0] != "function":
            return None
        info = self.sym_by_qualname(callee[1], None)
        if info is None or info.returns is None:
            return None
        for returns in (info.returns, *info.alt_returns):
            if returns[0] != "=":
                continue
            options = returns[1][1:] if returns[1][0] == "alt" else (returns[1],)
            for option in options:
                if option[0] == "tuple" and index + 1 < len(option):
                    value = self.eval_in_module(self.own_self(option[1 + index], info), info.module, depth + 1)
                    if value is not None:
                        return value
        return None

    def decorated_value(self, info: SymInfo, depth: int) -> Value:
        """What a decorated function's name holds: decorators whose return
        types are known transform it (@click.group() makes a Group); others
        (functools.wraps, outside libraries, TypeVar-typed) preserve it."""
        key = info.qualname
        if key in self._decorated:
            return self._decorated[key]
        value = Function(key)
        if key in self._decorating:  # a decorator that refers to what it decorates
            self._cuts += 1
            return value
        cuts = self._cuts
        self._decorating.add(key)
        try:
            value = self._apply_decorators(info, value, depth)
        finally:
            self._decorating.discard(key)
        if self._cuts == cuts:
            self._decorated[key] = value
        return value

    def _apply_decorators(self, info: SymInfo, value: Value, depth: int) -> Value:
        for expr in reversed(info.decorators):
            if expr is None:
                continue
            if expr[0] == "call":
                decorator = self.call_result(self.eval_in_module(expr[1], info.module, depth + 1),
                                             depth + 1, want_callable=True)
            else:
                decorator = self.eval_in_module(expr, info.module, depth + 1)
            if decorator is None or decorator[0] == "external":
                continue
            if decorator[0] == "class":
                result = Instance(decorator[1])
            else:
                result = self.call_result(decorator, depth + 1)
            if result is not None and result[0] != "external":
                value = result
        return value

    def sym_by_qualname(self, qualname: str, module: str | None = None) -> SymInfo | None:
        own = self._file.info.get(qualname) if self._file is not None else None
        if own is not None:
            # The file being resolved sees its own locals (a class defined in
            # a test: `class mycurry(curry)`), which no summary holds.
            return own
        if module is not None:
            summary = self.p.module(module)
            if summary is not None and qualname in summary.symbols:
                return summary.symbols[qualname]
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            summary = self.p.module(".".join(parts[:cut]))
            if summary is not None:
                return summary.symbols.get(qualname)
        return None

    def class_info(self, qualname: str) -> SymInfo | None:
        info = self.sym_by_qualname(qualname)
        return info if info is not None and info.kind == "class" else None

    def bases_of(self, info: SymInfo, depth: int) -> list[tuple]:
        out = []
        for base in info.bases:
            value = self.eval_in_module(base, info.module, depth + 1)
            if value is not None:
                out.append(value)
        return out

    def class_member(self, qualname: str, name: str, depth: int, skip_self: bool = False, seen=None) -> Referent | None:
        """Attribute lookup through the class hierarchy (left-to-right, depth first)."""
        if seen is None:
            key = (qualname, name, skip_self)
            if key in self._members:
                return self._members[key]
            cuts = self._cuts
            found = self._class_member(qualname, name, 0, skip_self, set())
            if self._cuts == cuts:  # `seen` is this call's own: only outside cuts count
                self._members[key] = found
            return found
        return self._class_member(qualname, name, depth, skip_self, seen)

    def _class_member(self, qualname: str, name: str, depth: int, skip_self: bool, seen: set) -> Referent | None:
        if depth > _MAX_DEPTH:
            self._cuts += 1
            return None
        if qualname in seen:
            return None
        seen.add(qualname)
        info = self.class_info(qualname)
        if info is None:
            return None
        if not skip_self and name in info.members:
            return Sym(info.members[name], info.module)
        external = None
        for base in self.bases_of(info, depth):
            if base[0] == "class":
                found = self.class_member(base[1], name, depth + 1, False, seen)
                if found is not None:
                    return found
            elif base[0] == "external" and external is None \
                    and not (OBJECT_BASE and base[1] == "builtins.object" and name not in _OBJECT_ATTRIBUTES):
                external = External(f"{base[1]}.{name}")
        return external

    def attr_of(self, value: Value | None, name: str, depth: int) -> Referent | None:
        if value is None:
            return None
        tag = value[0]
        if tag == "module":
            return self.module_attr(value[1], name, depth + 1)
        if tag in ("class", "instance"):
            found = self.class_member(value[1], name, depth + 1)
            if found is None and tag == "instance" and not name.startswith("__"):
                # No such member: an instance whose class defines __getattr__
                # answers with it (pluggy's `pm.hook.NAME` is a HookCaller).
                hook = self.class_member(value[1], "__getattr__", depth + 1)
                if hook is not None and hook[0] == "sym":
                    return ("getattr", hook[1], hook[2])
            return found
        if tag == "super":
            return self.class_member(value[1], name, depth + 1, skip_self=True)
        if tag == "external":
            return External(f"{value[1]}.{name}")
        return None

    # -- names in a file ---------------------------------------------------

    def lookup(self, f: _File, scope: int, name: str) -> Found:
        """(referent, how) for a bare name used in `scope` (LEGB)."""
        key = (scope, name)
        cached = f.name_cache.get(key)
        if cached is not None:
            return cached
        result = self._lookup(f, scope, name)
        f.name_cache[key] = result
        return result

    def _lookup(self, f: _File, scope: int, name: str) -> Found:
        scopes = f.facts.scopes
        summary = f.here
        current, first = scope, True
        while current >= 0:
            sc = scopes[current]
            if sc.kind == "class" and not first:
                current = sc.parent
                continue
            binding = sc.names.get(name)
            first = False
            if binding is None:
                current = sc.parent
                continue
            tag = binding[0]
            if tag == "global":
                if current == 0:
                    # `global x` written at module level: the module's own
                    # binding was not recorded; jumping to scope 0 again
                    # would loop forever.
                    break
                current, first = 0, True
                continue
            if tag == "nonlocal":
                current = sc.parent
                continue
            if tag == "local":
                return Found(Local(binding[1] if len(binding) > 1 else None, current), "local")
            if tag == "def":
                return Found(Sym(f.symbols[binding[1]][SYM_QUALNAME], f.facts.module), "scope")
            found = self.follow_binding(binding, summary, 0)
            return Found(found, "import") if found is not None else Found(None, "unresolved")
        if name in BUILTIN_NAMES:
            return Found(External(f"builtins.{name}"), "builtin")
        for level, star in python_facts(f.facts).star_imports:
            target = self.import_target(level, star, summary)
            star_summary = self.p.module(target)
            if star_summary is None or not self.star_exports(star_summary, name, 0):
                continue
            found = self.module_attr(target, name, 1)
            if found is not None:
                return Found(found, "star-import")
        return Found(None, "unresolved")

    # -- a whole file ------------------------------------------------------

    # The pipeline hands this resolver `facts.refs` and `facts.symbols` as rows (facts_from_rows).
    fact_rows = True

    def resolve_file(self, facts: FileFacts) -> Resolution:
        f = _File(facts)
        self._file = f
        try:
            return self._resolve_file(f)
        finally:
            self._file = None

    def _resolve_file(self, f: _File) -> Resolution:
        facts = f.facts
        f.fixture_params = self.bind_fixtures(f)
        out = Resolution()
        refs = out.refs
        symbols = f.symbols
        for ref in f.refs:
            owner, kind = ref[REF_OWNER], ref[REF_KIND]
            enclosing = symbols[owner][SYM_QUALNAME] if owner >= 0 else f.enclosing[ref[REF_SCOPE]]
            if kind == "import":
                level, module, attr = ref[REF_MODULE]
                target_module = self.import_target(level, module, f.here)
                if attr is None:
                    referent = self.module_referent(target_module)
                else:
                    referent = self.module_attr(target_module, attr) or self.outside(target_module, attr)
                self.emit(refs, ref, enclosing, referent, "import", None)
                continue
            if kind == "keyword":
                self.resolve_keyword(f, ref, enclosing, refs)
                continue
            if kind == "implicit":
                self.resolve_implicit(f, ref, enclosing, refs)
                continue
            if kind == "flow" or ref[REF_FLOW]:
                self.resolve_flow(f, ref, enclosing, refs)
                continue
            # A decorator is called too (`@marker`, `@addmeth()`): an instance
            # runs its class's __call__.
            if ref[REF_RECEIVER] is not None:
                guessed = len(refs)
                member = self.resolve_attribute(f, ref, enclosing, refs)
                if kind in ("call", "decorator") and member is not None:
                    self.implicit_call(f, ref, enclosing, member, refs)
                elif kind == "call" and member is None and MATCHED_CALLABLES:
                    self.matched_callables(f, ref, enclosing, refs, guessed)
                if kind in _DESCRIPTOR_USES and member is not None:
                    self.descriptor_get(f, ref, enclosing, member, refs)
                continue
            referent, how = self.lookup(f, ref[REF_SCOPE], ref[REF_NAME])
            self.emit(refs, ref, enclosing, referent, how, None, member=False)
            if kind in ("call", "decorator") and referent is not None and referent[0] == "sym":
                self.implicit_call(f, ref, enclosing, referent, refs)
        self.resolve_fixtures(f, refs)
        out.tests = self.unittest_tests(f)
        return out

    def resolve_flow(self, f: _File, ref, enclosing: str, refs: list) -> None:
        """A value flowing into a name (kind "flow") or an attribute named by
        a string (`getattr`): resolved as the plain use would be, then marked
        with the flow rule as its `how`. Guesses of a flow are dropped: the
        plain use at the same place already carries them."""
        found: list = []
        if ref[REF_FLOW] == "usefixtures":  # `@pytest.mark.usefixtures("name")`: extract.USEFIXTURES
            self.resolve_usefixtures(f, ref, refs)
            return
        if ref[REF_FLOW] == "getattr-any":  # `getattr(x, name)(...)`: dispatch.GETATTR_ANY
            value = self.eval(ref[REF_RECEIVER], f, ref[REF_SCOPE], 0)
            if not value or value[0] not in ("class", "instance"):
                # an unknown receiver: any `__getattr__` may answer (impact_introspect reads this row)
                refs.append((ref[REF_SPAN], "*", ref[REF_KIND], enclosing, None, 0.0, "getattr-any"))
            elif value[0] == "instance":
                for target in matching_members(self, value[1], "__getattr__"):
                    refs.append((ref[REF_SPAN], "__getattr__", ref[REF_KIND], enclosing, target,
                                 CONFIDENCE["getattr-any"], "getattr-any"))
            return
        if ref[REF_FLOW] == "getattr-match":  # `getattr(self, f"_compare_{op}")`: dispatch.py
            value = self.eval(ref[REF_RECEIVER], f, ref[REF_SCOPE], 0)
            if not value or value[0] not in ("class", "instance"):
                return
            glob, hole = split_hole(ref[REF_NAME])
            targets = matching_members(self, value[1], glob)
            if GETATTR_SUBCLASSES and hole is None:
                # `getattr(self, f"visit_{type(node).__name__}")` in a base: `self` may be any
                # subclass, whose members the glob also names (impact_visitors reads this row).
                refs.append((ref[REF_SPAN], glob, ref[REF_KIND], enclosing, None, 0.0, "getattr-match"))
            owners = self.set_name_owners(f, value[1], glob, targets) if hole is not None else None
            for target in targets:
                for encl in owners.get(target, ()) if owners is not None else (enclosing,):
                    refs.append((ref[REF_SPAN], glob, ref[REF_KIND], encl, target, CONFIDENCE["getattr-match"], "getattr-match"))
            return
        if ref[REF_RECEIVER] is not None:
            member = self.resolve_attribute(f, ref, enclosing, found)
            if ref[REF_KIND] == "call" and member is not None:
                self.implicit_call(f, ref, enclosing, member, found)
        else:
            referent, how = self.lookup(f, ref[REF_SCOPE], ref[REF_NAME])
            self.emit(found, ref, enclosing, referent, how, None)
        for span, name, kind, encl, target, confidence, how in found:
            if how in ("name-match", "unresolved") and ref[REF_KIND] == "flow":
                continue
            if how not in ("name-match", "unresolved", "external", "local", "dunder", "value"):
                confidence = confidence * CONFIDENCE.get(ref[REF_FLOW], 1.0)
                how = ref[REF_FLOW]
            refs.append((span, name, kind, encl, target, confidence, how))

    def set_name_owners(self, f: _File, qualname: str, glob: str, targets: list[str]) -> dict[str, list[str]] | None:
        """`getattr(self, f"_process_{self.name}")` in a class defining
        `__set_name__` (a descriptor told the attribute name it is bound to):
        `_process_X` runs only for reads of an owner's class attribute X
        holding an instance of that class. {target: [those attributes]}, or
        None when the class has no __set_name__ or no owner is found (then
        the method doing the getattr reaches every match, as before)."""
        if self.class_member(qualname, "__set_name__", 0) is None:
            return None
        matcher = re.compile(glob_matcher(glob).pattern.replace(".*", "(.*)", 1))
        owners: dict[str, list[str]] = {}
        for target in targets:
            match = matcher.fullmatch(target.rpartition(".")[2])
            if match is None or not match.group(1):
                continue
            for info in self.p.named(match.group(1)):
                if not info.is_member or info.kind not in ("variable", "constant"):
                    continue
                value = self.value_of(Sym(info.qualname, info.module), f, 0)
                if value is not None and value[0] == "instance" and target in matching_members(self, value[1], glob):
                    owners.setdefault(target, []).append(info.qualname)
        return owners or None

    def emit(self, refs: list, ref, enclosing: str, referent, how: str, confidence, member: bool = False) -> None:
        if referent is None:
            key = (ref[REF_NAME], member)
            targets = self._matches.get(key)
            if targets is None:
                # The same names go unresolved in every file (`get`, `append`):
                # filtered once each, not once a use (issue 17).
                # (Nothing outside a doctest's examples sees what they define: doctests.py.)
                targets = self._matches[key] = tuple(
                    info.qualname for info in self.p.named(ref[REF_NAME])
                    if info.is_member == member and info.kind != "module" and _DOCTEST_PART not in info.qualname)
            if member and OWN_HIERARCHY_GUESS and len(targets) > 1 and enclosing.rpartition(".")[2] != ref[REF_NAME]:
                # (not in a method of the same name: `def invoke(self, ctx): ctx.invoke(...)` delegates to a peer)
                targets = self.own_guess(enclosing, ref[REF_NAME], targets)
            if 0 < len(targets) <= _NAME_MATCH_LIMIT:
                share = NAME_MATCH_CONFIDENCE / len(targets)
                for qualname in targets:
                    refs.append((ref[REF_SPAN], ref[REF_NAME], ref[REF_KIND], enclosing, qualname, share, "name-match"))
                return
            refs.append((ref[REF_SPAN], ref[REF_NAME], ref[REF_KIND], enclosing, None, 0.0, "unresolved"))
            return
        tag = referent[0]
        if tag == "local":
            refs.append((ref[REF_SPAN], ref[REF_NAME], ref[REF_KIND], enclosing, None, 1.0, "local"))
            return
        target = referent[1]
        if tag == "external" and how not in ("builtin",):
            how = "external"
        if confidence is None:
            confidence = CONFIDENCE.get(how, 0.5)
        refs.append((ref[REF_SPAN], ref[REF_NAME], ref[REF_KIND], enclosing, target, confidence, how))

    def own_guess(self, enclosing: str, name: str, targets: tuple) -> tuple:
        """Of the members a name-matched `x.name` may be, the one the caller's
        own class has (defined or inherited), when it is one of them: code
        of a class hierarchy mostly calls its own members on its peers
        (pyparsing's `e._parse(...)` in `And.parseImpl` is ParserElement's
        `_parse`, not an example's `BigQueryViewParser._parse`)."""
        scope = enclosing
        while scope:
            info = self.class_info(scope)
            if info is not None:
                own = self.class_member(scope, name, 0)
                return (own[1],) if own is not None and own[0] == "sym" and own[1] in targets else targets
            scope = scope.rpartition(".")[0]
        return targets

    def resolve_attribute(self, f: _File, ref, enclosing: str, refs: list) -> None:
        receiver = ref[REF_RECEIVER]
        how = "annotation"
        if receiver[0] == "super":
            how = "super"
        elif receiver[0] == "name":
            referent, rhow = self.lookup(f, ref[REF_SCOPE], receiver[1])
            info = self.info(referent, f) if referent else None
            if referent is not None and referent[0] in ("module", "external"):
                how = "module"
            elif info is not None and ("self" in info.flags or "cls" in info.flags):
                how = "self"
            elif info is not None and info.kind in ("class",):
                how = "scope" if rhow == "scope" else "import"
            elif info is not None and info.type_expr is not None and info.type_expr[0] == "call":
                how = "annotation" if info.kind == "parameter" else "constructor"
            elif info is not None and info.type_expr is not None and info.type_expr[0] == "callers":
                how = "caller"
        elif receiver[0] == "call":
            how = "constructor"
        value = self.eval(receiver, f, ref[REF_SCOPE], 0)
        if value is not None and value[0] == "raised" and ref[REF_NAME] in _SHOWS_RAISED:
            # `exc_info.exconly()`, `.getrepr()`, `.match(...)` format the exception: its __str__ runs.
            shown = self.class_member(value[1], "__str__", 0)
            if shown is not None and shown[0] == "sym":
                refs.append((ref[REF_SPAN], "__str__", "call", enclosing, shown[1], CONFIDENCE["dunder"], "dunder"))
        member = self.attr_of(value, ref[REF_NAME], 0)
        if member is None and isinstance(value, (BuiltClass, BuiltInstance)):
            # A member the base lacks, on what a factory's `type(...)` built: its functions taking self.
            built = self.built_methods(value.factory, ref[REF_NAME])
            for target in built:
                refs.append((ref[REF_SPAN], ref[REF_NAME], ref[REF_KIND], enclosing, target,
                             CONFIDENCE["type-built"] / (1 if len(built) == 1 else 2), "type-built"))
            if built:
                return None
        if member is not None and value is not None and value[0] in ("class", "instance") and member[0] == "sym":
            if not member[1].startswith(value[1] + "."):
                how = "mro" if how != "super" else how
        if member is not None and member[0] == "external" and value is not None and value[0] in ("class", "instance", "super"):
            # An attribute we could not find on a workspace class whose bases
            # leave the workspace: it probably lives on the outside base.
            how = "external"
        if member is not None and member[0] == "getattr":
            how = "dunder"  # the attribute is looked up by the class's __getattr__
        if ref[REF_KIND] == "write" and value is not None and value[0] == "instance" and ATTRIBUTE_WRITES:
            # `obj.x = v` runs the class's own __setattr__, never __getattr__.
            setter = self.class_member(value[1], "__setattr__", 0)
            if setter is not None and setter[0] == "sym":
                refs.append((ref[REF_SPAN], "__setattr__", "call", enclosing, setter[1], CONFIDENCE["dunder"], "dunder"))
            if member is not None and member[0] == "getattr":
                # (a name set on this instance alone: no definition to guess by name)
                refs.append((ref[REF_SPAN], ref[REF_NAME], ref[REF_KIND], enclosing, None, 0.0, "unresolved"))
                return None
        self.emit(refs, ref, enclosing, member, how, None, member=True)
        return member

    def resolve_implicit(self, f: _File, ref, enclosing: str, refs: list) -> None:
        """`with cm:` -> cm.__enter__/__exit__, and `f(x)(y)` -> the __call__ of
        what `f(x)` gives (a class: its construction), only when found in the
        workspace (never matched by name: every context manager has them)."""
        if ref[REF_NAME] == "__call__" and ref[REF_RECEIVER][0] == "call":
            # What is called must be callable: an overloaded factory's
            # callable return (`group.command()(f)`), not its other overloads.
            callee = self.eval(ref[REF_RECEIVER][1], f, ref[REF_SCOPE], 0)
            value = self.call_result(callee, 0, want_callable=True)
        else:
            value = self.eval(ref[REF_RECEIVER], f, ref[REF_SCOPE], 0)
        if value is None or value[0] not in ("instance", "class"):
            return
        if value[0] == "class" and ref[REF_NAME] not in _CLASS_OPERAND:
            return  # `len(C)`, `C + x` run C's metaclass's methods, not C's
        if ref[REF_NAME] == "__call__" and value[0] == "class":
            # Calling what evaluates to a class (`type(self)(...)`) constructs it.
            refs.append((ref[REF_SPAN], ref[REF_NAME], "call", enclosing, value[1], CONFIDENCE["value"], "value"))
            return
        member = self.class_member(value[1], ref[REF_NAME], 0)
        if member is None and ref[REF_NAME] == "__bool__" and LEN_TRUTH:
            # A class without __bool__ is true by its __len__ (dateutil's `_resultbase`: `if not res:`).
            member = self.class_member(value[1], "__len__", 0)
        if member is not None and member[0] == "sym":
            refs.append((ref[REF_SPAN], member[1].rpartition(".")[2], "call", enclosing, member[1],
                         CONFIDENCE["dunder"], "dunder"))

    def matched_callables(self, f: _File, ref, enclosing: str, refs: list, first: int) -> None:
        """`col.formatter(key, value)` on a receiver of no known type, name-
        matched to attributes: one declared as an instance of a workspace
        class with `__call__` (`formatter: ColumnFormatter`, a Protocol) runs
        that `__call__`, at the guess's share of confidence (structlog's
        ConsoleRenderer; impact_structural links the Protocol to what
        implements it)."""
        guesses = {r[4]: r[5] for r in refs[first:] if r[6] == "name-match"}
        if not guesses:
            return
        for info in self.p.named(ref[REF_NAME]):
            share = guesses.get(info.qualname)
            if share is None or not info.is_member or info.kind not in ("variable", "constant"):
                continue
            value = self.value_of(Sym(info.qualname, info.module), f, 0)
            if value is None or value[0] != "instance":
                continue
            member = self.class_member(value[1], "__call__", 0)
            if member is not None and member[0] == "sym":
                refs.append((ref[REF_SPAN], "__call__", "call", enclosing, member[1],
                             share * CONFIDENCE["dunder"], "dunder"))

    def descriptor_get(self, f: _File, ref, enclosing: str, member: tuple, refs: list) -> None:
        """`obj.name` where the class attribute `name` holds an instance of a
        class defining `__get__` (a descriptor: `@instanceproperty def func`,
        a method decorated with a class instance such as `@curry`) runs that
        `__get__`. Instance attributes (`self.x = ...`) are not descriptors."""
        if member[0] != "sym":
            return
        info = self.info(member, f)
        if info is None or not info.is_member or info.kind not in _DESCRIPTOR_HOLDERS:
            return
        if info.kind in ("function", "method") and not info.decorators:
            return
        value = self.value_of(member, f, 0)
        if value is None or value[0] != "instance":
            return
        get = self.class_member(value[1], "__get__", 0)
        if get is not None and get[0] == "sym":
            refs.append((ref[REF_SPAN], "__get__", "call", enclosing, get[1], CONFIDENCE["dunder"], "dunder"))

    def implicit_call(self, f: _File, ref, enclosing: str, referent: tuple, refs: list) -> None:
        """Calling a value runs more than the name says: an instance runs its
        class's __call__; a variable, parameter or attribute holding a class
        constructs that class."""
        value = self.member_value(referent, f, 0) if ref[REF_RECEIVER] is not None else self.value_of(referent, f, 0)
        if value is None:
            return
        if value[0] == "class" and referent[0] == "sym" and referent[1] == value[1]:
            # `@curry class C` binds C to a curry instance: calling C runs its __call__.
            info = self.info(referent, f)
            if info is not None and info.decorators:
                decorated = self._apply_decorators(info, value, 0)
                value = decorated if decorated[0] == "instance" else value
        kind = "decorator" if ref[REF_KIND] == "decorator" else "call"  # a decorator runs where the definition is
        if value[0] == "instance":
            member = self.class_member(value[1], "__call__", 0)
            if member is not None and member[0] == "sym":
                refs.append((ref[REF_SPAN], "__call__", kind, enclosing, member[1], CONFIDENCE["dunder"], "dunder"))
        elif value[0] == "class" and referent[1] != value[1]:
            refs.append((ref[REF_SPAN], ref[REF_NAME], kind, enclosing, value[1], CONFIDENCE["value"], "value"))
        elif value[0] == "partial":
            # A name holding `partial(C, ...)` (a fixture's value): calling it calls C.
            wrapped = value[1]
            while wrapped[0] == "partial":
                wrapped = wrapped[1]
            if wrapped[0] in ("class", "function"):
                refs.append((ref[REF_SPAN], ref[REF_NAME], kind, enclosing, wrapped[1], CONFIDENCE["partial"],
                             "partial"))
        elif value[0] == "function" and referent[0] == "sym" and referent[1] != value[1]:
            # A name bound to a function (`short = long_name = impl`): the call
            # runs impl, so call hierarchy, ripple and breaking checks see it.
            info = self.info(referent, f)
            if info is not None and info.kind in ("variable", "constant", "attribute"):
                # (`@name def g`: a decoration, which runs where the def statement does)
                refs.append((ref[REF_SPAN], ref[REF_NAME], kind if DECORATING_ALIAS else "call", enclosing, value[1],
                             CONFIDENCE["alias"], "alias"))

    def resolve_keyword(self, f: _File, ref, enclosing: str, refs: list) -> None:
        callee = self.eval(ref[REF_CALL], f, ref[REF_SCOPE], 0)
        if callee is None:
            return
        function = None
        if callee[0] == "function":
            function = callee[1]
        elif callee[0] == "class":
            init = self.class_member(callee[1], "__init__", 0)
            if init is not None and init[0] == "sym":
                function = init[1]
        if function is None:
            return
        info = self.sym_by_qualname(function) or f.info.get(function)
        if info is None or not any(p[0] == ref[REF_NAME] for p in info.params):
            return
        name = ref[REF_NAME]
        refs.append((ref[REF_SPAN], name, "keyword", enclosing, f"{function}.{name}", CONFIDENCE["keyword"], "keyword"))

    def fixture_arguments(self, expr, info: SymInfo):
        """A fixture's return expression with each name its module does not
        bind, but a fixture of its class or module has, standing for that
        fixture's value (`return signer_factory()` in `TestSigner.signer`)."""
        if not isinstance(expr, tuple):
            return expr
        if expr and expr[0] == "name":
            summary = self.p.module(info.module)
            if summary is not None and expr[1] not in summary.names:
                owner = info.qualname.rpartition(".")[0]
                for qualname in (f"{owner}.{expr[1]}", f"{info.module}.{expr[1]}"):
                    found = self.sym_by_qualname(qualname, info.module)
                    if found is not None and "fixture" in found.flags and qualname != info.qualname:
                        return ("fixture", qualname)
            return expr
        return (expr[0], *(self.fixture_arguments(item, info) for item in expr[1:]))

    def yielded(self, fixture: str, module: str, value: tuple | None) -> tuple | None:
        """A generator fixture annotated `-> Iterator[T]` (Generator[T, ...],
        AsyncIterator[T]...) gives its tests the T it yields, not an iterator."""
        if value is None or value[0] != "iterable":
            return value
        info = self.sym_by_qualname(fixture, module)
        returns = info.returns if info is not None else None
        if not returns or returns[0] != "sub":
            return value
        base = returns[1]
        head = base[-1] if base and base[0] == "attr" else (base[1] if base and base[0] == "name" else None)
        return value[1] if head in _YIELDING else value

    def bind_fixtures(self, f: _File) -> dict[str, str]:
        """Parameters of tests and fixtures name the fixtures they use."""
        symbols = f.symbols
        out: dict[str, str] = {}
        for sym in symbols:
            if sym[SYM_KIND] != "parameter" or sym[SYM_PARENT] < 0:
                continue
            owner = symbols[sym[SYM_PARENT]]
            flags = sym[SYM_FLAGS]
            if not (owner[SYM_IS_TEST] or "fixture" in owner[SYM_FLAGS]) or "self" in flags or "cls" in flags:
                continue
            if f"given:{sym[SYM_NAME]}" in owner[SYM_FLAGS]:
                continue  # hypothesis fills it (extract._given_names)
            target = self.find_fixture(f, owner, sym[SYM_NAME])
            if target is not None:
                out[sym[SYM_QUALNAME]] = target
        return out

    def resolve_usefixtures(self, f: _File, ref, refs: list) -> None:
        """A fixture named in `@pytest.mark.usefixtures(...)`: used by the
        decorated test, by each test method of the decorated class, or by
        every test of the module (`pytestmark = ...`, no owner)."""
        owner = ref[REF_OWNER]
        if owner < 0:
            tests = [sym for sym in f.symbols if sym[SYM_IS_TEST] and sym[SYM_KIND] in ("function", "method")]
        elif f.symbols[owner][SYM_KIND] == "class":
            tests = [sym for sym in f.symbols if sym[SYM_PARENT] == owner and sym[SYM_IS_TEST]]
        else:
            tests = [f.symbols[owner]] if f.symbols[owner][SYM_IS_TEST] else []
        for test in tests:
            target = self.find_fixture(f, test, ref[REF_NAME])
            if target is not None:
                refs.append((ref[REF_SPAN], ref[REF_NAME], "fixture", test[SYM_QUALNAME], target,
                             CONFIDENCE["fixture"], "fixture"))

    def resolve_fixtures(self, f: _File, refs: list) -> None:
        for sym in f.symbols:
            target = f.fixture_params.get(sym[SYM_QUALNAME]) if sym[SYM_KIND] == "parameter" else None
            if target is not None:
                owner = f.symbols[sym[SYM_PARENT]][SYM_QUALNAME]
                refs.append((sym[SYM_NAME_SPAN], sym[SYM_NAME], "fixture", owner, target, CONFIDENCE["fixture"],
                             "fixture"))

    def find_fixture(self, f: _File, owner: tuple, name: str) -> str | None:
        """`owner`: the test or fixture, as its row (SYM_* positions)."""
        facts = f.facts
        # Methods of a test class see the class's own fixtures first.
        parent = f.symbols[owner[SYM_PARENT]] if owner[SYM_PARENT] >= 0 else None
        if parent is not None and parent[SYM_KIND] == "class":
            qual = f"{parent[SYM_QUALNAME]}.{name}"
            info = f.info.get(qual)
            if info is not None and "fixture" in info.flags:
                return qual
            held = f.info.get(parent[SYM_QUALNAME])  # (a class's members hold its `name=` aliases too)
            named = _named_fixture(f, held.members.get(name) if held is not None else None, owner)
            if named is not None:
                return named
        qual = f"{facts.module}.{name}"
        info = f.info.get(qual)
        if info is not None and "fixture" in info.flags and qual != owner[SYM_QUALNAME]:
            return qual
        binding = facts.scopes[0].names.get(name) if facts.scopes else None
        named = _named_fixture(f, f.symbols[binding[1]][SYM_QUALNAME] if binding is not None and binding[0] == "def"
                               else None, owner)  # `@pytest.fixture(name="cr")` (extract.FIXTURE_NAMES)
        if named is not None:
            return named
        if binding is not None and binding[0] == "import":
            found = self.follow_binding(binding, f.here, 0)
            found_info = self.info(found, f) if found else None
            if found_info is not None and "fixture" in found_info.flags:
                return found_info.qualname
        directory = facts.path.rsplit("/", 1)[0] if "/" in facts.path else ""
        while True:
            conftest = f"{directory}/conftest.py" if directory else "conftest.py"
            if conftest != facts.path:
                summary = self.p.module_at(conftest)
                if summary is not None:
                    binding = summary.names.get(name)
                    if binding is not None:
                        found = self.follow_binding(binding, summary, 0)
                        found_info = self.info(found, None) if found else None
                        if found_info is not None and "fixture" in found_info.flags:
                            return found_info.qualname
            if not directory:
                return None
            directory = directory.rsplit("/", 1)[0] if "/" in directory else ""

    def unittest_tests(self, f: _File) -> set[str]:
        """Classes whose hierarchy reaches unittest.TestCase, and their test methods."""
        out: set[str] = set()
        for sym in f.symbols:
            if sym[SYM_KIND] != "class" or sym[SYM_IS_TEST] or not sym[SYM_BASES]:
                continue
            qualname = sym[SYM_QUALNAME]
            if self.reaches_testcase(qualname, 0, set()):
                out.add(qualname)
                for name, qual in f.info[qualname].members.items():
                    if name.startswith("test"):
                        out.add(qual)
        return out

    def reaches_testcase(self, qualname: str, depth: int, seen: set) -> bool:
        if depth > _MAX_DEPTH or qualname in seen:
            return False
        seen.add(qualname)
        info = self.class_info(qualname)
        if info is None:
            return False
        for base in self.bases_of(info, depth):
            if base[0] == "external" and base[1].endswith(_TESTCASE):
                return True
            if base[0] == "class" and (base[1].endswith(_TESTCASE[1]) or self.reaches_testcase(base[1], depth + 1, seen)):
                return True
        return False


@functools.lru_cache(maxsize=65536)
def _self_free(expr) -> bool:
    """Whether `expr` never names `self` (most returns: left as they are)."""
    if expr == _SELF:
        return False
    return not any(isinstance(item, tuple) and not _self_free(item) for item in expr[1:])


def _with_own(expr, own: tuple):
    if expr == _SELF:
        return own
    if not isinstance(expr, tuple):
        return expr
    return (expr[0], *(_with_own(item, own) for item in expr[1:]))


def _named_fixture(f, qualname: str | None, owner: tuple) -> str | None:
    """`qualname` where a same-file binding names a fixture under another
    name than its function's (`@pytest.fixture(name="cr") def _cr()`)."""
    info = f.info.get(qualname) if qualname is not None else None
    if info is None or "fixture" not in info.flags or qualname == owner[SYM_QUALNAME]:
        return None
    return qualname
