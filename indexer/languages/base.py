"""The facts one file yields, and the interface a language module implements.

Facts are plain tuples/dicts/dataclasses so they pickle cheaply between the
parser processes and the writer, and can be stored as one blob per file for
re-resolution without re-parsing.
"""

from __future__ import annotations

import operator
from itertools import accumulate, repeat
from operator import add, sub
from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol

class Compact:
    """Pickles as `cls(*fields)`: unpickling then runs in C instead of the
    generic slots-state path, which made loading a file's facts ~30x slower."""

    __slots__ = ()

    def __reduce__(self):
        cls = type(self)
        fields = _FIELDS_OF.get(cls)
        if fields is None:
            fields = _FIELDS_OF[cls] = _fields_getter(cls.__slots__)
        return (cls, fields(self))


# class -> its fields as a tuple, in C (a generator over the slots was a
# Python step per field of ~90,000 summary objects on the standard library)
_FIELDS_OF: dict[type, Any] = {}


def _fields_getter(names: tuple[str, ...]):
    if len(names) == 1:
        name = names[0]
        return lambda obj: (getattr(obj, name),)
    return operator.attrgetter(*names)


# An expression the resolver can evaluate, as nested tuples:
#   ("name", "x") | ("attr", Expr, "y") | ("call", Expr)
#   | ("sub", Expr, first_arg_or_None, last_arg_or_None) | ("iter", Expr)
#   | ("str", "Foo") | ("super",) | ("opaque",): an object it cannot evaluate
Expr = tuple
OPAQUE: Expr = ("opaque",)

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
    errors: list[str]  # syntax errors: "line:col: message"
    line_count: int = 0
    # What only one language needs (Python: star imports and `__all__`), as
    # that language's own small picklable type; None when it has nothing.
    extra: Any = None


# A file's facts are stored (and sent between processes) as plain tuples and
# lists, not as the objects: pickling ~1,000 objects a file through
# `Compact.__reduce__` (a Python call each) was the costliest part of
# writing them, and rows rebuilt with one `cls(*row)` each also load faster
# (issue 17: packing 2x, loading 1.5x faster).
_ROW_OF = {cls: operator.attrgetter(*cls.__slots__) for cls in (SymbolFact, ScopeFact, RefFact, ImportFact)}


def facts_rows(facts: FileFacts) -> tuple:
    """`facts` as nested tuples and lists, every field as extracted."""
    sym, scope, ref, imp = (_ROW_OF[cls] for cls in (SymbolFact, ScopeFact, RefFact, ImportFact))
    return (facts.path, facts.module, facts.language, facts.is_package, [sym(s) for s in facts.symbols],
            [scope(s) for s in facts.scopes], [ref(r) for r in facts.refs], [imp(i) for i in facts.imports],
            facts.errors, facts.line_count, facts.extra)


def stored_facts(facts: FileFacts) -> tuple:
    """What `pack` stores of `facts` for resolution to read again: the rows
    of `facts_rows` with the uses and symbols in the compact form of
    `_compact_symbols` and `_compact_refs` (a twelfth item, `_COMPACT`,
    says so), less the symbol fields no resolver reads (`UNSTORED`)."""
    rows = facts_rows(facts)
    return (*rows[:4], _compact_symbols(rows[4]), rows[5], _compact_refs(rows[6]), *rows[7:], _COMPACT)


# The stored facts were a third of the standard library's index on disk
# (issue 17: 25.8 of 200 MB), and their spans what zstd packs worst: absolute
# line numbers change from one use to the next. So a file's uses and symbols
# are stored as columns (one list a field, which also packs better), with a
# use's start line as the step from the use before, end lines and end
# columns from their starts, a symbol's name span from its span, and a
# qualname that is its parent's qualname, a dot and its name, as 0 (no
# qualname is an int): 8 MB less on the standard library, the same rows back
# (`facts_from_rows`). Columns go both ways through `zip` and `map` in C:
# about 0.5 s of CPU more over the standard library's cold build, in the
# workers, where rebuilding tuple by tuple cost twice that.
_COMPACT = 1

# Symbol fields resolution never reads (no resolver of any language, nor the
# summaries, which are made before the facts are stored): the symbol rows
# keep them, the stored facts give back their defaults. 3 MB of the
# standard library's facts (issue 17).
UNSTORED = ("signature", "docstring", "decorators", "body_hash", "body_line")
_UNSTORED_AT = tuple(SymbolFact.__slots__.index(name) for name in UNSTORED)
_UNSTORED_DEFAULT = {SymbolFact.__slots__.index(name): SymbolFact.__dataclass_fields__[name].default
                     for name in UNSTORED}


def _compact_symbols(rows: list[tuple]) -> tuple:
    if not rows:
        return ()
    name, qualname, kind, span, name_span, parent, *rest = zip(*rows)
    short = list(qualname)
    for i, p in enumerate(parent):
        if 0 <= p < i and qualname[i] == f"{qualname[p]}.{name[i]}":
            short[i] = 0
    sl, sc, el, ec = zip(*span)
    nsl, nsc, nel, nec = zip(*name_span)
    rest = [None if at in _UNSTORED_AT else column for at, column in enumerate(rest, 6)]
    return (name, short, kind, sl, sc, list(map(sub, el, sl)), ec, list(map(sub, nsl, sl)), nsc,
            list(map(sub, nel, nsl)), list(map(sub, nec, nsc)), parent, *rest)


def _full_symbols(columns: tuple) -> list[tuple]:
    if not columns:
        return []
    name, qualname, kind, sl, sc, dl, ec, dnsl, nsc, dnl, dnc, parent, *rest = columns
    qualname = list(qualname)
    for i, q in enumerate(qualname):
        if type(q) is int:  # (parents come first: theirs is whole by now)
            qualname[i] = f"{qualname[parent[i]]}.{name[i]}"
    nsl = list(map(add, sl, dnsl))
    rest = [repeat(_UNSTORED_DEFAULT[at]) if column is None else column for at, column in enumerate(rest, 6)]
    return list(zip(name, qualname, kind, zip(sl, sc, map(add, sl, dl), ec),
                    zip(nsl, nsc, map(add, nsl, dnl), map(add, nsc, dnc)), parent, *rest))


def _compact_refs(rows: list[tuple]) -> tuple:
    if not rows:
        return ()
    span, *rest = zip(*rows)
    sl, sc, el, ec = zip(*span)
    return (list(map(sub, sl, (0, *sl[:-1]))), sc, list(map(sub, el, sl)), list(map(sub, ec, sc)), *rest)


def _full_refs(columns: tuple) -> list[tuple]:
    if not columns:
        return []
    steps, sc, dl, dc, *rest = columns
    sl = list(accumulate(steps))
    return list(zip(zip(sl, sc, map(add, sl, dl), map(add, sc, dc)), *rest))


# Where each field sits in the rows of uses and symbols (`facts_rows`): a
# resolver that reads rows (`fact_rows`) indexes them with these.
(REF_SPAN, REF_NAME, REF_KIND, REF_SCOPE, REF_RECEIVER, REF_MODULE, REF_CALL, REF_OWNER,
 REF_FLOW) = range(len(RefFact.__slots__))
(SYM_NAME, SYM_QUALNAME, SYM_KIND, SYM_SPAN, SYM_NAME_SPAN, SYM_PARENT, SYM_SIGNATURE, SYM_DOCSTRING, SYM_FLAGS,
 SYM_DECORATORS, SYM_DECORATOR_EXPRS, SYM_PARAMS, SYM_RETURNS, SYM_TYPE_EXPR, SYM_BASES, SYM_BODY_HASH, SYM_BODY_LINE,
 SYM_IS_TEST) = range(len(SymbolFact.__slots__))
assert RefFact.__slots__[REF_FLOW] == "flow" and SymbolFact.__slots__[SYM_IS_TEST] == "is_test"
ref_row, sym_row = _ROW_OF[RefFact], _ROW_OF[SymbolFact]  # a RefFact, a SymbolFact as its row


def facts_from_rows(rows, fact_rows: bool = False) -> FileFacts | None:
    """Back from `facts_rows`; a FileFacts stored whole by an earlier version passes through.
    `fact_rows`: leave `refs` and `symbols` as the stored rows (plain
    tuples, fields at the REF_* and SYM_* positions), for a resolver that
    reads them so (its `fact_rows` attribute): rebuilding ~600 RefFacts and
    ~150 SymbolFacts a file cost a tenth of resolving it (issue 17)."""
    if not isinstance(rows, tuple):
        return rows
    path, module, language, is_package, symbols, scopes, refs, imports, errors, line_count, extra = rows[:11]
    if len(rows) > 11:  # (an index of before the compact form keeps its rows as they were)
        symbols, refs = _full_symbols(symbols), _full_refs(refs)
    if not fact_rows:
        symbols, refs = [SymbolFact(*r) for r in symbols], [RefFact(*r) for r in refs]
    return FileFacts(path, module, language, is_package, symbols, [ScopeFact(*r) for r in scopes], refs,
                     [ImportFact(*r) for r in imports], errors, line_count, extra)


def facts_to_resolve(rows, resolvers) -> tuple[FileFacts | None, Any]:
    """(facts, resolver) for stored rows: `resolvers(language)` gives the
    resolver (None when its plugin is gone), and the facts come as it reads them."""
    if rows is None:
        return None, None
    language = rows[2] if isinstance(rows, tuple) else rows.language
    resolver = resolvers(language)
    if resolver is None:
        return None, None
    return facts_from_rows(rows, getattr(resolver, "fact_rows", False)), resolver


# -- qualified names: a language scheme, hidden at the border ----------------
# Python, the first language, keeps bare dotted names (`pkg.mod.func`), so
# every stored name, CLI target and test id of today stays valid. Every other
# language's names carry its scheme, `json:config.app.key`, the way SCIP
# symbols start with a scheme: two languages can never collide on a name
# (a Python name holds no ':'), and `language_of` reads the scheme back.
DEFAULT_SCHEME = "python"


def qualify(language: str, name: str) -> str:
    """The graph's name for `name` (dotted, language-local) in `language`."""
    return name if language == DEFAULT_SCHEME or not name else f"{language}:{name}"


def language_of(qualname: str) -> str:
    head, sep, _rest = qualname.partition(":")
    return head if sep and "." not in head else DEFAULT_SCHEME


def local_name(qualname: str) -> str:
    """`qualname` without its scheme (what the language itself writes)."""
    head, sep, rest = qualname.partition(":")
    return rest if sep and "." not in head else qualname


class Resolution(Protocol):
    # (span, name, kind, enclosing, target, confidence, how) per reference
    refs: list[tuple]
    tests: set[str]  # qualnames resolution found to be tests


class FileResolver(Protocol):
    def resolve_file(self, facts: FileFacts) -> Resolution: ...


class LanguageSupport(Protocol):
    """Everything the indexer knows about one language. The indexer meets a
    language only through this (found in the registry, `languages/__init__`)."""

    name: str  # also the scheme of its qualified names (see `qualify`)
    extensions: tuple[str, ...]  # ".py", lowercase, with the dot
    # "how" values whose edges may change meaning when an unrelated file
    # changes (name matches, inferred types): their files re-resolve then.
    weak_hows: tuple[str, ...]
    # The edit facet: a module (or object) with rename, ripple, breaking and
    # moves for this language's syntax; None when the language has none.
    edits: Any

    def source_roots(self, rel_paths: list[str]) -> list[str]:
        """Folders that act as import roots, longest first."""

    def module_name(self, rel_path: str, source_roots: list[str]) -> tuple[str, bool]:
        """Qualified module name of a file and whether it is a package."""

    def normalize_source(self, source: bytes) -> bytes:
        """What the parser and every span see (newlines, BOM)."""

    def extract(self, source: bytes, rel_path: str, module: str, is_package: bool) -> FileFacts:
        """Every fact of one file. Never raises on bad syntax."""

    def summarize(self, facts: FileFacts) -> Any:
        """What other files may see of this one (picklable; has .module, .path)."""

    def dependencies(self, facts: FileFacts) -> set[str]:
        """Modules this file depends on by name (what re-resolves it)."""

    def summary_changes(self, old: Any, new: Any) -> tuple[set[str], set[str]]:
        """(removed qualnames, names whose meaning may have changed)."""

    def is_member(self, parent_kind: str, kind: str) -> bool:
        """Whether a symbol of `kind` in one of `parent_kind` is a member."""

    # Optional hooks (looked up with getattr; absent means the default):
    #   workspace_options(root) -> hashable | falsy: what extraction reads of the
    #     workspace's configuration; passed to `extract` as a fifth argument
    #     when truthy; a change re-extracts every file (pipeline/index.py).
    #   symbol_parent(facts, symbol) -> (parent qualname, parent kind) | None:
    #     a member whose parent is defined in another file (Go methods);
    #     default: the parent by index in the same file.
    #   test_id(symbol, lookup) -> str: the id the language's test runner
    #     takes for a test symbol; default: pytest's node id.

    def resolver(self, store: Any, summaries: Iterable[Any] | None) -> FileResolver:
        """A resolver over the whole index (`summaries` given on a cold build,
        else reading the store on demand)."""


def graph_edit_facet(language: str, **own):
    """The edit facet of a language that brings only some pieces of its own
    (`rename=`, `signature=`...): breaking-change checks and the rename plan
    are the graph's (they read the edited buffer with its language's own
    plugin; they live in Python's facet, reached through the registry), and
    what the language has no rule for yet (call-site ripple, LLM-assisted
    propagation, import moves) proposes nothing."""
    from types import SimpleNamespace

    from indexer import languages

    python = languages.support("python").edits
    nothing = lambda *args, **kwargs: []  # noqa: E731

    def no_signature_edits(graph, symbol, new_parameters):
        raise ValueError(f"changing a signature is not supported for {language} yet")

    facet = dict(rename=python.rename, breaking=python.breaking, moves=None,
                 ripple=SimpleNamespace(update_call_sites=nothing, add_defaults=nothing),
                 propagate=SimpleNamespace(changed_definitions=nothing, propagate=nothing),
                 signature=SimpleNamespace(signature_edits=no_signature_edits))
    facet.update(own)
    return SimpleNamespace(**facet)
