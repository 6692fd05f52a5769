"""What an edit breaks: compare a buffer's definitions with the indexed ones
and check every use site of what changed.

Signatures are checked the way Python binds a call: each call site's
positional count, keywords and splats against the new parameter list, so a
message says exactly what fails there ("missing argument 'timeout'",
"unexpected keyword 'retries'"), not just that something changed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import tree_sitter as ts

from indexer import languages
from indexer.analysis.impact import Breaking
from indexer.languages.python.extract import extract, normalize_source, parser
from indexer.graph.model import Range, Reference
from indexer.graph.query import Graph
from indexer.graph.text import utf8_of_utf16
from indexer.graph.vocab import How, RefKind, SymbolKind

_DEFINITION_KINDS = ("function", "method", "class")


@dataclass(frozen=True, slots=True)
class CallArgs:
    positional: int
    keywords: tuple[str, ...]
    star: bool  # *args at the call site: positional count unknown
    double_star: bool  # **kwargs at the call site: keywords unknown


@dataclass(frozen=True, slots=True)
class Definition:
    qualname: str
    name: str
    kind: str
    parent: str | None
    params: tuple  # ((name, kind, annotation, default), ...)
    signature: str
    flags: tuple[str, ...]


def _old_definitions(graph: Graph, path: str) -> dict[str, Definition]:
    rows = graph.definitions_in_file(path, (SymbolKind.FUNCTION, SymbolKind.METHOD, SymbolKind.CLASS))
    out: dict[str, Definition] = {}
    for qualname, name, kind, parent, params, signature, flags in rows:
        out.setdefault(qualname, Definition(
            qualname, name, kind, parent, tuple(tuple(p) for p in json.loads(params)) if params else (),
            signature or "", tuple(f for f in (flags or "").split(",") if f)))
    return out


@dataclass(frozen=True, slots=True)
class Baseline:
    """One file's indexed state before an editor buffer overlaid it: its
    definitions, and the uses of each as they were then.

    The server overlays unsaved buffers into the index, so once a buffer is
    indexed `_old_definitions` already sees the edit. Capture this before the
    first overlay (and again after a save) and pass it as `baseline=` to
    compare the buffer with the saved state instead.
    """

    path: str
    definitions: dict[str, Definition]
    references: dict[str, tuple[Reference, ...]]

    @classmethod
    def capture(cls, graph: Graph, path: str) -> "Baseline":
        definitions = _old_definitions(graph, path)
        return cls(path, definitions, {q: tuple(graph.references(q)) for q in definitions})

    def uses(self, graph: Graph, qualname: str) -> list[Reference]:
        """Live uses while the definition still exists in the index (their
        positions follow later edits); the captured ones once it is gone
        (a removed or renamed name's uses no longer resolve to it)."""
        if graph.symbol(qualname) is not None or qualname not in self.references:
            return graph.references(qualname)
        return list(self.references[qualname])


def definitions_before(graph: Graph, path: str, baseline: Baseline | None) -> dict[str, Definition]:
    """The saved file's definitions: the baseline's, else the index's (shared with languages/callsig)."""
    return baseline.definitions if baseline is not None else _old_definitions(graph, path)


def _uses(graph: Graph, qualname: str, baseline: Baseline | None) -> list[Reference]:
    return baseline.uses(graph, qualname) if baseline is not None else graph.references(qualname)


def _new_definitions(graph: Graph, path: str, source: bytes) -> dict[str, Definition]:
    row = graph.module_of(path)
    module, is_package = (row[0], bool(row[1])) if row else (path.rsplit(".", 1)[0].replace("/", "."), False)
    support = languages.support_for_path(path)
    if support is not None and support.name != "python":  # another language's definitions, by its own plugin
        facts = support.extract(support.normalize_source(source), path, module, is_package)
    else:
        facts = extract(normalize_source(source), path, module, is_package)
    out: dict[str, Definition] = {}
    for sym in facts.symbols:
        if sym.kind in _DEFINITION_KINDS:
            parent = facts.symbols[sym.parent].qualname if sym.parent >= 0 else None
            out.setdefault(sym.qualname, Definition(sym.qualname, sym.name, sym.kind, parent, sym.params,
                                                    sym.signature, sym.flags))
    return out


def _bound_params(defn: Definition, through_instance: bool) -> tuple:
    """Parameters a call site fills: self/cls are bound for methods."""
    params = defn.params
    if defn.kind == SymbolKind.METHOD and "staticmethod" not in defn.flags and params and through_instance:
        return params[1:]
    return params


def check_call(params: tuple, args: CallArgs) -> list[str]:
    """Why a call with `args` no longer binds to `params` (empty: it does)."""
    positional = [p for p in params if p[1] in ("posonly", "pos")]
    names = {p[0] for p in params if p[1] in ("pos", "kwonly")}
    has_varargs = any(p[1] == "varargs" for p in params)
    has_varkw = any(p[1] == "varkw" for p in params)
    problems = []
    if not args.star and args.positional > len(positional) and not has_varargs:
        problems.append(f"takes {len(positional)} positional argument{'s' * (len(positional) != 1)}"
                        f" but {args.positional} {'are' if args.positional != 1 else 'is'} given")
    filled = {p[0] for p in positional[: args.positional]}
    positional_only = {p[0] for p in positional if p[1] == "posonly"}
    for keyword in args.keywords:
        if keyword in filled:
            problems.append(f"gets multiple values for argument '{keyword}'")
        elif keyword in positional_only and not has_varkw:
            problems.append(f"passes positional-only argument '{keyword}' by keyword")
        elif keyword not in names and not has_varkw:
            problems.append(f"got an unexpected keyword argument '{keyword}'")
    if not args.star and not args.double_star:
        missing = [p[0] for p in params
                   if p[1] in ("posonly", "pos", "kwonly") and p[3] is None
                   and p[0] not in filled and p[0] not in args.keywords]
        if missing:
            quoted = ", ".join(f"'{m}'" for m in missing)
            problems.append(f"is missing required argument{'s' * (len(missing) > 1)} {quoted}")
    return problems


def _reordered(old: tuple, new: tuple, args: CallArgs) -> str | None:
    old_pos = [p[0] for p in old if p[1] in ("posonly", "pos")]
    new_pos = [p[0] for p in new if p[1] in ("posonly", "pos")]
    for index in range(min(args.positional, len(old_pos), len(new_pos))):
        if old_pos[index] != new_pos[index] and old_pos[index] in new_pos:
            return (f"positional argument {index + 1} now binds to '{new_pos[index]}'"
                    f" (was '{old_pos[index]}'): parameters were reordered")
    return None


class _Sources:
    """Parsed files (disk, or open buffers given by the caller), parsed once."""

    def __init__(self, root: Path, overlays: dict[str, bytes]):
        self.root = root
        self.overlays = overlays
        self.trees: dict[str, tuple[bytes, ts.Tree] | None] = {}

    def tree(self, path: str) -> tuple[bytes, ts.Tree] | None:
        if path not in self.trees:
            source = self.overlays.get(path)
            if source is None:
                try:
                    source = (self.root / path).read_bytes()
                except OSError:
                    self.trees[path] = None
                    return None
            source = normalize_source(source)
            self.trees[path] = (source, parser().parse(source))
        return self.trees[path]

    def arguments_at(self, path: str, line: int, utf16_col: int) -> tuple[ts.Node, bytes] | None:
        """The argument list of the call whose callee name is at this
        position (`f(...)` or `obj.f(...)`), with the file's bytes."""
        parsed = self.tree(path)
        if parsed is None:
            return None
        source, tree = parsed
        lines = source.split(b"\n")
        if line >= len(lines):
            return None
        text = lines[line].decode("utf-8", "replace")
        byte_col = utf8_of_utf16(text, utf16_col)
        node = tree.root_node.descendant_for_point_range((line, byte_col), (line, byte_col))
        if node is None or node.type != "identifier":
            return None
        callee = node.parent if node.parent is not None and node.parent.type == "attribute" else node
        call = callee.parent
        if call is None or call.type != "call" or call.child_by_field_name("function") != callee:
            return None
        arguments = call.child_by_field_name("arguments")
        if arguments is None or arguments.type != "argument_list":
            return None  # generator argument: f(x for x in y)
        return arguments, source

    def call_at(self, path: str, line: int, utf16_col: int) -> CallArgs | None:
        found = self.arguments_at(path, line, utf16_col)
        if found is None:
            return None
        positional, keywords, star, double_star = 0, [], False, False
        for arg in found[0].named_children:
            if arg.type == "keyword_argument":
                name = arg.child_by_field_name("name")
                keywords.append(name.text.decode() if name is not None else "")
            elif arg.type == "list_splat":
                star = True
            elif arg.type == "dictionary_splat":
                double_star = True
            elif arg.type != "comment":
                positional += 1
        return CallArgs(positional, tuple(keywords), star, double_star)


def _bases(signature: str) -> set[str]:
    match = re.search(r"\((.*)\)\s*$", signature)
    if not match:
        return set()
    return {b.strip() for b in match.group(1).split(",") if b.strip() and "=" not in b}


def breaking_changes(graph: Graph, path: str, source: bytes, overlays: dict[str, bytes] | None = None,
                     limit: int = 500, baseline: Baseline | None = None) -> list[Breaking]:
    """Use sites across the workspace that the unsaved `source` of `path` breaks
    (compared with `baseline`, or with the indexed state of `path`)."""
    old = definitions_before(graph, path, baseline)
    new = _new_definitions(graph, path, source)
    python = languages.language_for_path(path) in ("python", None)
    sources = _Sources(graph.root, dict(overlays or {}))
    out: list[Breaking] = []

    def uses(qualname: str, kinds=None):
        for ref in _uses(graph, qualname, baseline):
            if ref.path == path:
                continue  # the edited file's own positions are stale; its errors show in the buffer
            if kinds is None or ref.kind in kinds:
                yield ref

    added = [d for q, d in new.items() if q not in old]
    for qualname, before in old.items():
        if before.parent in old and before.parent not in new:
            continue  # reported through the removed parent
        after = new.get(qualname)
        short = qualname.rsplit(".", 1)[-1]
        if after is None:
            renamed = [d for d in added if d.parent == before.parent and d.kind == before.kind
                       and d.params == before.params]
            what = f"was renamed to '{renamed[0].name}'" if len(renamed) == 1 else "was removed"
            for ref in uses(qualname):
                out.append(Breaking(ref.path, ref.range, f"'{short}' {what} in {path}", qualname))
            continue
        if not python:
            continue  # call binding and bases are read with Python's syntax: other languages get removals and renames
        if before.kind == SymbolKind.CLASS:
            removed_bases = _bases(before.signature) - _bases(after.signature)
            if removed_bases:
                out.extend(_lost_members(graph, qualname, removed_bases, path))
            init_before, init_after = old.get(f"{qualname}.__init__"), new.get(f"{qualname}.__init__")
            if init_before and init_after and init_before.params != init_after.params:
                out.extend(_call_sites(graph, sources, qualname, init_before, init_after, short, path,
                                       through_instance=True, baseline=baseline))
            continue
        if before.params != after.params:
            out.extend(_call_sites(graph, sources, qualname, before, after, short, path,
                                   through_instance=before.kind == SymbolKind.METHOD, baseline=baseline))
        if len(out) >= limit:
            break
    return out[:limit]


def _call_sites(graph: Graph, sources: _Sources, qualname: str, before: Definition, after: Definition,
                short: str, path: str, through_instance: bool, baseline: Baseline | None = None) -> list[Breaking]:
    out = []
    old_params = _bound_params(before, through_instance)
    new_params = _bound_params(after, through_instance)
    for ref in _uses(graph, qualname, baseline):
        if ref.path == path or ref.kind != RefKind.CALL:
            continue
        args = sources.call_at(ref.path, ref.range.start.line, ref.range.start.character)
        if args is None:
            continue
        problems = check_call(new_params, args)
        if not problems:
            reordered = _reordered(old_params, new_params, args)
            problems = [reordered] if reordered else []
        if problems:
            message = f"{short}() " + "; ".join(problems) + f" after the change to {after.signature}"
            out.append(Breaking(ref.path, ref.range, message, qualname))
    return out


def _lost_members(graph: Graph, class_qualname: str, removed_bases: set[str], path: str) -> list[Breaking]:
    """Uses of members the class inherited from a base it no longer has
    (in its own file too: `self.m()` in its methods is the usual case)."""
    bases = graph.base_targets(class_qualname)
    lost = [b for b in bases if b.rsplit(".", 1)[-1] in {r.rsplit(".", 1)[-1] for r in removed_bases}]
    out = []
    for base in lost:
        rows = graph.inherited_member_uses(base, class_qualname, (How.SELF, How.MRO))
        for ref_path, sl, sc, el, ec, target in rows:
            member = target.rsplit(".", 1)[-1]
            out.append(Breaking(ref_path, Range.of(sl, sc, el, ec),
                                f"'{member}' came from base class {base.rsplit('.', 1)[-1]}, which"
                                f" {class_qualname.rsplit('.', 1)[-1]} no longer inherits", class_qualname))
    return out
