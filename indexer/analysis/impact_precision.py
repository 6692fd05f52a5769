"""Precision rules of the impact walk, each measured by `evals/impact.py`
against per-test coverage on real projects (figures in the note of issue 12).

1. Builtin-shaped name matches. A call `d.update(x)` on a receiver of
   unknown type is guessed to be every workspace method called `update`.
   When the name is also a method of a builtin container, string or stream
   (dict.update, list.append, set.add, str.format, io.write...), the
   receiver is far more often the builtin: on click, one such guess
   (`ctx.params.update` -> `ProgressBar.update`) made every command test
   look affected by the progress bar. The walk does not follow those guesses
   out of library code (a test's own guess still counts).

2. The receiver must exist. An instance method runs only on an instance of
   its class (or of a subclass that inherits it); a test that never reaches
   the class (constructs it, gets it from a fixture or a factory that does,
   names it) cannot execute the method, however many dispatch paths lead
   from the test's calls into the method. The affected tests of an
   instance method are those the method's walk finds that the class's own
   walk finds too. Constructors, static and class methods, methods of
   classes whose walk was cut short, and classes instantiated at module or
   class level (`_default_decoder = JSONDecoder()`: any code may reach that
   instance without naming the class) keep every test.

   Refined (impact.py `_receiver_tests`): an instance of a subclass that
   overrides the method without calling `super()` never runs it (click's
   `ParamType.convert` is overridden by every type the tests build, so the
   module-level `INT = IntParamType()` no longer lifts the rule), and the
   class is reached only through what makes an instance: calls, subclasses,
   annotations (factories, `__getattr__ -> C`), fixtures, not an import or
   a read of its name. A class instantiated in a class body keeps the rule
   (only module-level instances lift it): the class's walk reaches the
   class holding the instance and its users.

4. A name-matched read of a function or method (`obj.validator`, no call)
   in library code is not followed: reading a name does not run it
   (`name_matched_read`). Except a property named as a wrapper's identity
   attributes (functools.WRAPPER_ASSIGNMENTS, DUNDER_PROPERTY_READS): only
   a proxy defines `__name__`/`__module__`/`__doc__` as properties, and the
   read runs them (wrapt's wrappers read `wrapped.__module__` of a proxy:
   +20 true / +20 false pairs, the false ones the setters' shared qualname;
   every dunder property instead: `__dict__` alone +191 false, none true).

5. A private method of another top-level package. `e._parse(...)` in
   pyparsing's `And.parseImpl` (`e` of unknown type) was guessed to be
   `examples.bigquery_view_parser.BigQueryViewParser._parse` too, besides
   `ParserElement._parse`: every test that parses looked able to hold what
   the example's parser builds. A private name is its own package's
   protocol: a library's guess of it is not followed into a class of
   another top-level package (an example, a test helper, another
   library); a test's own guess still is (`foreign_private_guess`,
   FOREIGN_PRIVATE_RULE). Default selection, depth 8, off against all on:
   pyparsing 0.839 / 0.353 -> 0.815 / 0.435 (-54,137 predicted pairs,
   -2,624 true); the other fifteen projects identical.
"""

from __future__ import annotations

import functools
import io

from indexer.graph.model import Symbol
from indexer.graph.vocab import RefKind, SymbolKind

_BUILTIN_TYPES = (dict, list, set, frozenset, tuple, str, bytes, bytearray, int, float,
                  io.StringIO, io.BytesIO, io.TextIOWrapper, io.BufferedWriter, io.BufferedReader)
# Public method names of builtin values (dunders are resolved by type, not guessed by name).
BUILTIN_METHOD_NAMES = frozenset(name for t in _BUILTIN_TYPES for name in dir(t) if not name.startswith("_"))


# A test's own guesses are kept (rules 1 and 4), and so are those of code in
# test files that is not itself a test: a mixin's `test*` methods that test
# classes inherit (cachetools' CacheTestMixin: `cache = self.Cache(...)`,
# then `cache.pop(k)`) and their helper methods. The receiver rule still
# asks the test to hold an instance of the guessed method's class.
TEST_CODE_GUESSES = True
_TEST_DIRS = frozenset({"tests", "test", "testing"})


def in_test_code(user: Symbol | None) -> bool:
    if user is None:
        return False
    if user.is_test:
        return True
    if not TEST_CODE_GUESSES or user.kind != SymbolKind.METHOD:
        return False  # module-level helpers and fixtures (click's) serve many tests
    *dirs, name = user.path.split("/")
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py" \
        or any(d in _TEST_DIRS for d in dirs)


def builtin_shaped_guess(how: str, callee: Symbol | None, user: Symbol | None) -> bool:
    """A name-matched use of a member whose name a builtin value also has, in
    code that is not a test. A test's own guess is kept: it names one test,
    not every test behind a library function (the stdlib's json tests call
    `decoder.decode(...)` on a decoder whose type is not inferred)."""
    return how == "name-match" and callee is not None and callee.kind in (SymbolKind.METHOD, SymbolKind.PROPERTY) \
        and callee.name in BUILTIN_METHOD_NAMES and not in_test_code(user)


def name_matched_read(kind: str, how: str, callee: Symbol | None, user: Symbol | None) -> bool:
    """A read of a function or method's name (`obj.validator`, not a call),
    name-matched on a receiver of unknown type, in code that is not a test.
    Reading a function's name does not run it, and the receiver is a guess:
    on attrs, `_CountingAttr.validator` read in `_ClassBuilder.__init__` made
    every class-building test look affected by the method. Calls, value flow
    (`cb = f`, registries) and a test's own reads are followed as before."""
    return how == "name-match" and kind in (RefKind.READ, RefKind.ATTRIBUTE) and callee is not None \
        and callee.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD) and not in_test_code(user) \
        and not (DUNDER_PROPERTY_READS and _dunder_property(callee))


# A read of a property named as a wrapper's identity attributes
# (functools.WRAPPER_ASSIGNMENTS: `x.__name__`, `x.__module__`, `x.__doc__`)
# runs it: only a proxy defines one (wrapt's ObjectProxy forwards them to
# what it wraps), and such a read is what it exists to answer. Not other
# dunders: `x.__dict__` is read all over library code (wrapt: +191 false
# pairs for none). A switch, for its test.
DUNDER_PROPERTY_READS = True


def _dunder_property(callee: Symbol) -> bool:
    return "property" in callee.flags and callee.name in functools.WRAPPER_ASSIGNMENTS


FOREIGN_PRIVATE_RULE = True  # switch, for its test


def foreign_private_guess(how: str, callee: Symbol | None, user: Symbol | None) -> bool:
    """A name-matched use of a private member (`_parse`, not a dunder) of a
    class in another top-level package than the user's, in code that is
    not a test (rule 5)."""
    if not FOREIGN_PRIVATE_RULE or how != "name-match" or callee is None or user is None \
            or callee.kind not in (SymbolKind.METHOD, SymbolKind.PROPERTY):
        return False
    name = callee.name
    if not name.startswith("_") or (name.startswith("__") and name.endswith("__")):
        return False
    return callee.qualname.partition(".")[0] != user.qualname.partition(".")[0] and not in_test_code(user)


def unfollowed_guess(kind: str, how: str, callee: Symbol | None, user: Symbol | None) -> bool:
    """The name-matched uses the walk does not follow (rules 1, 4 and 5)."""
    return builtin_shaped_guess(how, callee, user) or name_matched_read(kind, how, callee, user) \
        or foreign_private_guess(how, callee, user)


_NO_RECEIVER = ("staticmethod", "classmethod")
_CONSTRUCTORS = ("__init__", "__new__", "__post_init__", "__init_subclass__", "__class_getitem__")


def receiver_class(target: Symbol, lookup) -> Symbol | None:
    """The class whose instance a method needs, or None when it needs none
    (a function, a constructor, a static or class method). `lookup(qualname)`
    finds a symbol."""
    if target.kind != SymbolKind.METHOD or not target.parent or target.name in _CONSTRUCTORS:
        return None
    if any(flag in target.flags for flag in _NO_RECEIVER):
        return None
    owner = lookup(target.parent)
    return owner if owner is not None and owner.kind == SymbolKind.CLASS else None


def global_instance(graph, classes: list[str]) -> bool:
    """Whether one of the classes (a class and its subclasses) is called in a
    module body: an instance any code may reach without naming the class (the
    walk never passes through a module, so the class's own walk cannot see
    that instance's users). An instance made in a class body (a schema's
    `name = fields.String()`) is no such case: the class's walk reaches the
    class holding it, and what uses that class, so the rule holds (on
    marshmallow, precision 0.32 -> 0.41 at recall 0.806 -> 0.803)."""
    for _target, enclosing, kind, _conf, _how in graph.incoming(classes, "call"):
        owner = graph.symbol(enclosing)
        if owner is not None and owner.kind == SymbolKind.MODULE:
            return True
    return False
