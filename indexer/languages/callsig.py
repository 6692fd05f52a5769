"""Signature changes in languages whose calls pass arguments by position
(TypeScript/JavaScript, Go): the breaking-change checks, call-site ripple,
defaults and `change_signature` that Python's edit facet has, over a small
per-language `CallSyntax` (its parser reads parameter lists and calls).

Parameters are `(name, kind, annotation, default)` as Python's are, with
kind "pos" (default None: required) or "varargs" (`...rest`). A call site is
checked by counting its arguments against the new list, so a message says
what fails there ("is missing required argument 'currency'"); removals and
renames come from the graph's own check (Python's facet, by the registry).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from indexer import languages
from indexer.edits.textedit import TextEdit
from indexer.graph.model import Range
from indexer.graph.query import Graph
from indexer.graph.vocab import How, RefKind, SymbolKind

_CALLABLE = (SymbolKind.FUNCTION, SymbolKind.METHOD)
# Uses that reached a definition through its export (an import, a namespace
# import's member): what a lost `export` breaks.
_THROUGH_EXPORT = (How.IMPORT, How.STAR_IMPORT, How.MODULE)


@dataclass(frozen=True, slots=True)
class Call:
    arguments: tuple[str, ...]  # each argument's text
    spread: bool  # `...xs` / `xs...` / one multi-value call: the count is unknown
    span: tuple[int, int, int, int]  # the argument list, parentheses included (UTF-16)
    text: str  # the argument list's text


class CallSyntax(Protocol):
    language: str

    def params(self, signature: str, kind: str, path: str) -> tuple | None:
        """The parameters a stored signature declares (None: unreadable)."""

    def call_at(self, source: bytes, path: str, line: int, character: int, new: bool) -> Call | None:
        """The call whose callee name (or `new` class name) is at this position."""

    def calls_named(self, source: bytes, path: str, name: str) -> list[tuple[int, int]]:
        """(line, UTF-16 column) of each call by plain `name` in a buffer."""

    def exported(self, facts) -> set[str] | None:
        """Names a buffer (its facts) exports (None: the language marks no exports)."""

    def placeholder(self, param: tuple) -> str:
        """The argument a new required parameter gets at a call site."""

    def skipped(self) -> str | None:
        """The argument that skips an optional parameter (None: there are none)."""

    def parameter_list(self, source: bytes, path: str, line: int, name: str):
        """(byte start, byte end, (sl, sc, el, ec)) of the parameter list of
        the function or method `name` declared on `line`, or None."""

    def valid_parameters(self, params: str, path: str) -> bool:
        """Whether `params` ("(a: number)") parses as a parameter list."""

    def optional_edits(self, source: bytes, path: str, line: int, name: str,
                       names: list[str]) -> list[tuple[tuple[int, int, int, int], str]]:
        """(span, text) inserts that make the parameters `names` optional."""


def _python_breaking():
    return languages.support("python").edits.breaking


def _ripple_type():
    return languages.support("python").edits.ripple.Ripple


# -- definitions before and after ---------------------------------------------------


def _before(graph: Graph, path: str, baseline) -> dict:
    return _python_breaking().definitions_before(graph, path, baseline)


def _uses(graph: Graph, qualname: str, baseline) -> list:
    return baseline.uses(graph, qualname) if baseline is not None else graph.references(qualname)


_FACTS: dict = {}
_FACTS_LOCK = threading.Lock()  # query threads check buffers concurrently


def _facts(graph: Graph, path: str, source: bytes):
    """The buffer's facts by its own plugin; the last few kept (one check
    reads them several times, and typing repeats a check per pause)."""
    support = languages.support_for_path(path)
    source = support.normalize_source(source)
    row = graph.module_of(path)
    key = (str(graph.root), path, tuple(row) if row else None, source)
    with _FACTS_LOCK:
        found = _FACTS.get(key)
    if found is None:
        found = support.extract(source, path, row[0] if row else "", bool(row[1]) if row else False)
        with _FACTS_LOCK:
            if len(_FACTS) >= 8:
                _FACTS.pop(next(iter(_FACTS)))
            _FACTS[key] = found
    return found


def _new_definitions(graph: Graph, path: str, source: bytes) -> dict:
    """The buffer's functions, methods and classes as the graph's check
    compares them (the first declaration of a name)."""
    facts = _facts(graph, path, source)
    Definition = _python_breaking().Definition
    out: dict = {}
    for sym in facts.symbols:
        if sym.kind in (*_CALLABLE, SymbolKind.CLASS):
            parent = facts.symbols[sym.parent].qualname if sym.parent >= 0 else None
            out.setdefault(sym.qualname, Definition(sym.qualname, sym.name, sym.kind, parent, sym.params,
                                                    sym.signature, sym.flags))
    return out


def _overloads(graph: Graph, path: str, source: bytes) -> set[str]:
    """Functions and methods declared more than once in the buffer or the
    index (overloads): a call binds to one of several signatures, so counting
    its arguments against one of them says nothing."""
    facts = _facts(graph, path, source)
    seen: set[str] = set()
    out: set[str] = set()
    for sym in facts.symbols:
        if sym.kind in _CALLABLE:
            (out if sym.qualname in seen else seen).add(sym.qualname)
    return out | {q for q in seen if len(graph.symbols(q)) > 1}


def _is_constructor(definition) -> bool:
    return definition.kind == SymbolKind.METHOD and definition.name in ("constructor",)


class _Files:
    """File bytes: open buffers first, then the disk; read once."""

    def __init__(self, root: Path, overlays: dict[str, bytes]):
        self.root, self.overlays, self.cache = root, overlays, {}

    def get(self, path: str) -> bytes | None:
        if path not in self.cache:
            data = self.overlays.get(path)
            if data is None:
                try:
                    data = (self.root / path).read_bytes()
                except OSError:
                    data = None
            support = languages.support_for_path(path)
            self.cache[path] = support.normalize_source(data) if data is not None and support else data
        return self.cache[path]


# -- binding a call by position --------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def check_call(params: tuple, call: Call) -> list[str]:
    """Why a call no longer fits `params` (empty: it does)."""
    if call.spread:
        return []
    positional = [p for p in params if p[1] == "pos"]
    given = len(call.arguments)
    problems = []
    if given > len(positional) and not any(p[1] == "varargs" for p in params):
        problems.append(f"takes {_plural(len(positional), 'argument')} but {given}"
                        f" {'are' if given != 1 else 'is'} given")
    missing = [p[0] for p in positional[given:] if p[3] is None]
    if missing:
        quoted = ", ".join(f"'{m}'" for m in missing)
        problems.append(f"is missing required argument{'s' * (len(missing) > 1)} {quoted}")
    return problems


def reordered(old: tuple, new: tuple, call: Call) -> str | None:
    old_pos = [p[0] for p in old if p[1] == "pos"]
    new_pos = [p[0] for p in new if p[1] == "pos"]
    for index in range(min(len(call.arguments), len(old_pos), len(new_pos))):
        if old_pos[index] != new_pos[index] and old_pos[index] in new_pos:
            return (f"argument {index + 1} now binds to '{new_pos[index]}'"
                    f" (was '{old_pos[index]}'): parameters were reordered")
    return None


def _param_map(old: tuple, new: tuple) -> dict[str, str | None]:
    """Old parameter name -> new name (None: removed); a parameter that
    disappeared where a new one appeared at the same position was renamed."""
    new_names = [p[0] for p in new]
    old_names = {p[0] for p in old}
    out: dict[str, str | None] = {}
    for index, param in enumerate(old):
        if param[0] in new_names:
            out[param[0]] = param[0]
        elif index < len(new) and new[index][0] not in old_names and new[index][1] == param[1]:
            out[param[0]] = new[index][0]
        else:
            out[param[0]] = None
    return out


def rebuild_call(syntax: CallSyntax, call: Call, old: tuple, new: tuple) -> str | None:
    """The argument list `call` needs under `new`, from what each argument
    meant under `old` (None when it cannot be rebuilt: a spread)."""
    if call.spread:
        return None
    old_pos = [p for p in old if p[1] == "pos"]
    values: dict[str, str] = {}
    mapping = _param_map(old, new)
    for index, argument in enumerate(call.arguments[:len(old_pos)]):
        target = mapping.get(old_pos[index][0])
        if target is not None:
            values[target] = argument
    extra = list(call.arguments[len(old_pos):])  # went into the old rest parameter
    parts: list[str] = []
    skipped: list[str] = []  # optional parameters passed over, filled only if a later one is passed
    for param in new:
        name, kind, _annotation, default = param
        if kind == "varargs":
            if extra:
                parts += skipped + extra
                skipped = []
            continue
        if name in values:
            parts += skipped + [values[name]]
            skipped = []
        elif default is None:
            parts += skipped + [syntax.placeholder(param)]
            skipped = []
        else:
            filler = syntax.skipped()
            if filler is None:
                return None
            skipped.append(filler)
    return "(" + ", ".join(parts) + ")"


# -- breaking changes -----------------------------------------------------------------------


def breaking_changes(syntax: CallSyntax, graph: Graph, path: str, source: bytes,
                     overlays: dict[str, bytes] | None = None, limit: int = 500, baseline=None) -> list:
    """Use sites the unsaved `source` of `path` breaks: removed and renamed
    definitions (the graph's check), calls whose arguments no longer fit a
    changed parameter list, and imports of a name no longer exported."""
    breaking = _python_breaking()
    out = list(breaking.breaking_changes(graph, path, source, overlays, limit=limit, baseline=baseline))
    Breaking = _breaking_type()
    old = _before(graph, path, baseline)
    new = _new_definitions(graph, path, source)
    files = _Files(graph.root, dict(overlays or {}))
    facts = _facts(graph, path, source)
    exported = syntax.exported(facts)
    overloads = _overloads(graph, path, source)
    for qualname, before in old.items():
        after = new.get(qualname)
        if after is None or len(out) >= limit:
            continue
        short = before.name
        if before.kind in _CALLABLE and qualname not in overloads:
            old_params = syntax.params(before.signature, before.kind, path)
            new_params = syntax.params(after.signature, after.kind, path)
            if old_params is not None and new_params is not None and old_params != new_params:
                for ref, call in _call_sites(syntax, graph, files, path, before, baseline):
                    problems = check_call(new_params, call) or [p for p in [reordered(old_params, new_params, call)] if p]
                    if problems:
                        name = before.parent.rsplit(".", 1)[-1] if _is_constructor(before) else short
                        out.append(Breaking(ref.path, ref.range, f"{name}() " + "; ".join(problems)
                                            + f" after the change to {after.signature}", qualname))
        if exported is not None and before.parent == facts.module and before.name not in exported:
            captured = baseline.references.get(qualname, ()) if baseline is not None else ()
            seen = set()
            for ref in list(captured) + graph.references(qualname):
                key = (ref.path, ref.range.start.line, ref.range.start.character)
                if ref.path == path or ref.how not in _THROUGH_EXPORT or key in seen:
                    continue
                seen.add(key)
                out.append(Breaking(ref.path, ref.range, f"'{short}' is no longer exported from {path}", qualname))
    return out[:limit]


def _breaking_type():
    from indexer.analysis.impact import Breaking  # the shape every facet's checks answer in
    return Breaking


def _call_sites(syntax: CallSyntax, graph: Graph, files: _Files, path: str, before, baseline):
    """(reference, Call) of each call of `before` outside `path`: a
    constructor's are the `new` expressions of its class."""
    target = before.parent if _is_constructor(before) else before.qualname
    for ref in _uses(graph, target, baseline):
        if ref.path == path or (ref.kind != RefKind.CALL and not _is_constructor(before)):
            continue
        source = files.get(ref.path)
        if source is None:
            continue
        call = syntax.call_at(source, ref.path, ref.range.start.line, ref.range.start.character,
                              new=_is_constructor(before))
        if call is not None:
            yield ref, call


# -- ripple: rewrite the call sites, or make the new parameters optional --------------------


def update_call_sites(syntax: CallSyntax, graph: Graph, path: str, source: bytes,
                      overlays: dict[str, bytes] | None = None, baseline=None) -> list:
    """One Ripple per changed definition: each call the change breaks,
    rewritten; a call that fits already is left alone (so twice is once)."""
    Ripple = _ripple_type()
    old = _before(graph, path, baseline)
    new = _new_definitions(graph, path, source)
    files = _Files(graph.root, {**(overlays or {}), path: source})
    overloads = _overloads(graph, path, source)
    out = []
    for qualname, before in old.items():
        after = new.get(qualname)
        if after is None or before.kind not in _CALLABLE or qualname in overloads:
            continue
        old_params = syntax.params(before.signature, before.kind, path)
        new_params = syntax.params(after.signature, after.kind, path)
        if old_params is None or new_params is None or old_params == new_params:
            continue
        sites = list(_call_sites(syntax, graph, files, path, before, baseline))
        if before.kind == SymbolKind.FUNCTION and before.parent not in old:
            # the edited buffer's own calls: the index's positions there are stale
            for line, column in syntax.calls_named(source, path, before.name):
                call = syntax.call_at(files.get(path), path, line, column, new=False)
                if call is not None:
                    sites.append((_Here(path, 1.0), call))
        edits = []
        for ref, call in sites:
            if not check_call(new_params, call) and not reordered(old_params, new_params, call):
                continue
            text = rebuild_call(syntax, call, old_params, new_params)
            if text is None or text == call.text:
                continue
            edits.append(TextEdit(ref.path, Range.of(*call.span), text, ref.confidence >= 0.5, f"call of {qualname}"))
        if edits:
            short = before.parent.rsplit(".", 1)[-1] if _is_constructor(before) else before.name
            out.append(Ripple(qualname, f"Update {_plural(len(edits), 'call site')} of {short}()", tuple(edits)))
    return out


@dataclass(frozen=True, slots=True)
class _Here:
    path: str
    confidence: float


def add_defaults(syntax: CallSyntax, graph: Graph, path: str, source: bytes, baseline=None) -> list:
    """The alternative: make each new required parameter optional in the
    buffer, so existing callers keep working."""
    Ripple = _ripple_type()
    old = _before(graph, path, baseline)
    source = languages.support_for_path(path).normalize_source(source)
    facts = _facts(graph, path, source)
    overloads = _overloads(graph, path, source)
    out = []
    for sym in facts.symbols:
        before = old.get(sym.qualname)
        if before is None or before.kind not in _CALLABLE or sym.kind != before.kind or sym.qualname in overloads:
            continue
        old_params = syntax.params(before.signature, before.kind, path)
        new_params = syntax.params(sym.signature, sym.kind, path)
        if old_params is None or new_params is None or old_params == new_params:
            continue
        known = {p[0] for p in old_params}
        added = [p[0] for p in new_params if p[0] not in known and p[1] == "pos" and p[3] is None]
        if not added:
            continue
        inserts = syntax.optional_edits(source, path, sym.name_span[0], sym.name, added)
        edits = tuple(TextEdit(path, Range.of(*span), text, True, "an optional new parameter")
                      for span, text in inserts)
        if edits:
            out.append(Ripple(sym.qualname, f"Make the new parameter{'s' * (len(added) > 1)} optional"
                              f" to keep callers of {sym.name}() working", edits))
    return out


def signature_edits(syntax: CallSyntax, graph: Graph, symbol, new_parameters: str) -> tuple[str, list[TextEdit]]:
    """(the parameter list, the edits: the definition and every call site).
    ValueError with the reason when the change cannot be made."""
    if symbol.kind not in _CALLABLE:
        raise ValueError(f"{symbol.qualname} is a {symbol.kind}; only functions and methods have signatures")
    params = new_parameters.strip()
    if not params.startswith("("):
        params = f"({params})"
    if not syntax.valid_parameters(params, symbol.path):
        raise ValueError(f"{new_parameters!r} is not a valid {syntax.language} parameter list")
    support = languages.support_for_path(symbol.path)
    try:
        source = support.normalize_source((graph.root / symbol.path).read_bytes())
    except OSError as exc:
        raise ValueError(f"cannot read {symbol.path}: {exc.strerror or exc}") from exc
    found = syntax.parameter_list(source, symbol.path, symbol.selection_range.start.line, symbol.name)
    if found is None:
        raise ValueError(f"{symbol.qualname} is not where the index says ({symbol.path}:"
                         f"{symbol.selection_range.start.line + 1}); the file changed since it was indexed")
    start, end, span = found
    definition = TextEdit(symbol.path, Range.of(*span), params, True, "the new signature")
    edits = [definition]
    new_source = source[:start] + params.encode() + source[end:]
    for change in update_call_sites(syntax, graph, symbol.path, new_source):
        if change.target == symbol.qualname:
            edits.extend(e for e in change.edits if e.path != symbol.path or e.range.start.line != span[0])
    return params, edits


def edit_facet(syntax: CallSyntax, **own):
    """A language's edit facet with these checks and edits over `syntax`
    (the rest as `languages.base.graph_edit_facet` gives it)."""
    from functools import partial
    from types import SimpleNamespace

    from indexer.languages.base import graph_edit_facet

    breaking = SimpleNamespace(Baseline=_python_breaking().Baseline,
                               breaking_changes=partial(breaking_changes, syntax))
    ripple = SimpleNamespace(update_call_sites=partial(update_call_sites, syntax),
                             add_defaults=partial(add_defaults, syntax))
    signature = SimpleNamespace(signature_edits=partial(signature_edits, syntax))
    return graph_edit_facet(syntax.language, breaking=breaking, ripple=ripple, signature=signature, **own)


def named_calls(root, source: bytes, name: str, text) -> list[tuple[int, int]]:
    """(line, column) of every `name(...)` call below `root`: Go and TypeScript
    trees share the `call_expression` node with a `function` field."""
    from indexer.graph.text import Columns

    columns, out = Columns(source), []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "call_expression":
            function = node.child_by_field_name("function")
            if function is not None and function.type == "identifier" and text(function) == name:
                out.append(columns.span(function)[:2])
        stack.extend(node.named_children)
    return out
