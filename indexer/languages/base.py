"""The facts one file yields, and the interface a language module implements.

Facts are plain tuples/dicts/dataclasses so they pickle cheaply between the
parser processes and the writer, and can be stored as one blob per file for
re-resolution without re-parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

class Compact:
    """Pickles as `cls(*fields)`: unpickling then runs in C instead of the
    generic slots-state path, which made loading a file's facts ~30x slower."""

    __slots__ = ()

    def __reduce__(self):
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))


# An expression the resolver can evaluate, as nested tuples:
#   ("name", "x") | ("attr", Expr, "y") | ("call", Expr)
#   | ("sub", Expr, first_arg_or_None, last_arg_or_None) | ("iter", Expr)
#   | ("str", "Foo") | ("super",)
Expr = tuple

# (start_line, start_col, end_line, end_col): 0-based lines, UTF-16 columns.
Span = tuple[int, int, int, int]


@dataclass(slots=True)
class SymbolFact(Compact):
    name: str
    qualname: str
    kind: str
    span: Span
    name_span: Span
    parent: int  # index into FileFacts.symbols, -1 for the module itself
    signature: str = ""
    docstring: str = ""
    flags: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    decorator_exprs: tuple = ()  # Expr of each decorator, outermost first
    params: tuple = ()  # ((name, kind, annotation, default), ...) for functions
    returns: Expr | None = None  # return annotation, for functions
    type_expr: Expr | None = None  # what a variable/parameter holds, if known
    bases: tuple = ()  # base class expressions, for classes
    body_hash: str = ""
    body_line: int | None = None  # first line of a function/class body (coverage of its code)
    is_test: bool = False


@dataclass(slots=True)
class ScopeFact(Compact):
    kind: str  # module, class, function, lambda, comprehension
    symbol: int  # index into FileFacts.symbols or -1 for anonymous scopes
    parent: int  # index into FileFacts.scopes, -1 for the module scope
    # name -> binding. Bindings: ("def", symbol_index) | ("local",) for names
    # bound without a symbol | ("import", module, attr_or_None, level)
    # | ("global",) | ("nonlocal",)
    names: dict = field(default_factory=dict)


@dataclass(slots=True)
class RefFact(Compact):
    span: Span
    name: str
    kind: str  # call, read, write, attribute, import, inherit, decorator, annotation, keyword
    scope: int  # index into FileFacts.scopes
    receiver: Expr | None = None  # for attribute uses: the object expression
    # for import uses: the module (absolute or relative) this name refers into
    module: tuple | None = None  # (level, dotted_module, attr_or_None)
    call: Expr | None = None  # for keyword arguments: the callee expression
    # The symbol the use belongs to when that is not its scope's owner: a
    # class's bases and a function's decorators belong to the class/function.
    owner: int = -1
    # Value flow: how the used value ends up held by `owner` (kind "flow"):
    # alias (`a = b = X`), partial (`partial(X, ...)`), wrapped (`staticmethod(X)`),
    # registry (`{"a": X}`), stored (`self.cb = X`); "getattr" marks a
    # `getattr(obj, "name")` use of the attribute `name`.
    flow: str = ""


@dataclass(slots=True)
class ImportFact(Compact):
    level: int
    module: str  # dotted, may be "" for `from . import x`
    names: tuple[str, ...]  # imported names ("*" for star); empty for `import m`
    line: int


@dataclass(slots=True)
class FileFacts(Compact):
    path: str
    module: str
    language: str
    is_package: bool
    symbols: list[SymbolFact]
    scopes: list[ScopeFact]
    refs: list[RefFact]
    imports: list[ImportFact]
    star_imports: list[tuple[int, str]]  # (level, module) at module scope
    all_names: list[str] | None
    errors: list[str]  # syntax errors: "line:col: message"
    line_count: int = 0


class LanguageSupport(Protocol):
    name: str

    def module_name(self, rel_path: str, source_roots: list[str]) -> tuple[str, bool]:
        """Dotted module name of a file and whether it is a package."""

    def extract(self, source: bytes, rel_path: str, module: str, is_package: bool) -> FileFacts:
        """Every fact of one file. Never raises on bad syntax."""
