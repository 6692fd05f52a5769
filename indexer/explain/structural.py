"""The default explainer: markdown rendered from a context pack, no network.

Every sentence is grounded in the pack (docstrings, signatures, call lines,
test ids, impact counts); where the code says nothing, the text says what it
inferred and from what ("inferred from its name"). Links are file URIs with
`#L<line>` anchors, which VS Code, Neovim previewers and browsers follow.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from indexer import languages
from indexer.explain.pack import Card, ContextPack, first_sentence
from indexer.graph.vocab import SymbolKind
from indexer.graph import python_ast

STRUCTURAL_NOTE = "_Structural explanation from the code index (no model)._"
_MAX_LISTED = 5
# Verbs a function name commonly starts with; the purpose inferred from a
# name only reads as a sentence when the first word is a verb.
_VERBS = frozenset("""
    add apply build calculate call check clean clear close collect compare compile compute configure convert copy
    create decode delete dispatch dump emit encode ensure escape evaluate execute expand extract fetch filter find
    flush format generate get handle init initialize insert install iter join list load lookup make map match merge
    normalize open parse patch pop post prepare print process publish push put quote read receive record refresh
    register reload remove render replace report reset resolve restore run save scan select send serialize set setup
    show sort split start stop store strip submit sync to transform translate unquote update upload validate visit
    wait walk wrap write yield
""".split())
_PREDICATES = ("is", "has", "can", "should", "needs", "supports", "was", "will")


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    annotation: str = ""
    default: str = ""
    star: str = ""  # "", "*" or "**"

    def markdown(self) -> str:
        text = f"`{self.star}{self.name}`"
        if self.annotation:
            text += f": `{self.annotation}`"
        if self.default:
            text += f" (default `{self.default}`)"
        return text


def parse_signature(signature: str) -> tuple[list[Param], str] | None:
    """Parameters and return annotation of a `def` signature; None when it does
    not parse (a class, or a signature the index shortened)."""
    text = signature.strip()
    if not text.startswith(("def ", "async def ")):
        return None
    try:
        tree = python_ast.parse(text + ": pass")
    except SyntaxError:
        return None
    fn = tree.body[0]
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    a = fn.args
    out: list[Param] = []
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for arg, default in zip(positional, defaults):
        out.append(_param(arg, default))
    if a.vararg:
        out.append(_param(a.vararg, None, "*"))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults):
        out.append(_param(arg, default))
    if a.kwarg:
        out.append(_param(a.kwarg, None, "**"))
    returns = ast.unparse(fn.returns) if fn.returns is not None else ""
    return out, returns


def _param(arg: ast.arg, default, star: str = "") -> Param:
    return Param(arg.arg, ast.unparse(arg.annotation) if arg.annotation is not None else "",
                 ast.unparse(default) if default is not None else "", star)


def _words(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip("_"))
    return [w.lower() for w in spaced.split("_") if w]


def _third_person(verb: str) -> str:
    if verb.endswith(("s", "sh", "ch", "x", "z")):
        return verb + "es"
    if verb.endswith("y") and len(verb) > 1 and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def inferred_purpose(card: Card) -> str:
    """A purpose sentence from the name alone, for code without a docstring.
    Only phrased as a claim when the name reads as one (verb_object, is_x)."""
    name = card.qualname.rsplit(".", 1)[-1]
    words = _words(name)
    if not words:
        return ""
    if card.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD, SymbolKind.PROPERTY):
        if name in ("__init__", "__new__"):
            owner = card.qualname.rsplit(".", 2)[-2] if card.qualname.count(".") >= 1 else ""
            return f"Initialises a new `{owner}`."
        if words[0] in _PREDICATES and len(words) > 1:
            return f"Tells whether {' '.join(words[1:])} ({words[0]} ...)."
        if words[0] in _VERBS:
            rest = " ".join(words[1:])
            return f"{_third_person(words[0]).capitalize()}{' ' + rest if rest else ''}."
    if card.kind == SymbolKind.CLASS:
        return f"Class for {' '.join(words)}."
    return ""


def _link(root: Path, path: str, line: int, label: str) -> str:
    uri = (root / path).as_uri()
    return f"[{label}]({uri}#L{line + 1})"


def _short_name(qualname: str) -> str:
    parts = qualname.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else qualname


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _as_clause(purpose: str) -> str:
    """'Deserialize s to ...' -> 'to deserialize s to ...' when the sentence
    starts with an imperative verb (the docstring convention); else ''."""
    purpose = purpose.strip().rstrip(".")
    if not purpose:
        return ""
    first = purpose.split(" ", 1)[0]
    if not first.isalpha() or first.lower() in ("the", "a", "an", "this", "it", "if", "return:") or (
            first.endswith("s") and first[:-1].lower() in _VERBS):
        return ""
    return "to " + first.lower() + purpose[len(first):]


def purpose_of(pack: ContextPack) -> tuple[str, bool]:
    """(purpose sentence, whether it was inferred rather than documented)."""
    documented = first_sentence(pack.target.docstring)
    if documented:
        return documented, False
    guess = inferred_purpose(pack.target)
    if pack.callers:
        best = pack.callers[0]
        usage = f"used by `{_short_name(best.qualname)}`"
        if best.text:
            usage += f" as `{best.text}`"
        guess = f"{guess} It is {usage}." if guess else f"Undocumented; {usage}."
    return guess, True


def render_markdown(pack: ContextPack) -> str:
    root = pack.root
    t = pack.target
    lines: list[str] = []
    name = _link(root, t.path, t.line, f"`{_short_name(t.qualname)}`")
    if pack.owner is not None:
        owner = pack.owner.qualname.rsplit(".", 1)[-1]
        what = f"method of `{owner}`" if t.kind == SymbolKind.METHOD else f"{t.kind} in class `{owner}`"
    elif t.kind != SymbolKind.MODULE and "." in t.qualname:
        what = f"{t.kind} in `{t.qualname.rsplit('.', 1)[0]}`"
    else:
        what = t.kind
    lines.append(f"**{name}** — {what} ({t.path}:{t.line + 1})")
    lines.append("")

    purpose, inferred = purpose_of(pack)
    if purpose:
        lines.append(purpose + (" _(inferred from its name and callers)_" if inferred else ""))
        lines.append("")
    if t.signature:
        lines.append(f"```{languages.fence(t.path)}\n{t.signature}\n```")
    io = _inputs_outputs(t)
    if io:
        lines.extend(io)
        lines.append("")
    context = []
    if pack.module is not None and pack.module.summary:
        context.append(f"Module `{pack.module.qualname}`: {pack.module.summary}")
    if pack.owner is not None and pack.owner.summary:
        context.append(f"Class `{pack.owner.qualname.rsplit('.', 1)[-1]}`: {pack.owner.summary}")
    lines.extend(f"- {line}" for line in context)
    if lines[-1] != "":
        lines.append("")

    if pack.callers:
        lines.append(f"**Called by** {_plural(pack.caller_count, 'caller')} in {_plural(pack.caller_files, 'file')}:")
        for caller in pack.callers[:_MAX_LISTED]:
            label = f"`{_short_name(caller.qualname)}`"
            entry = f"- {_link(root, caller.path, caller.line, label)} ({caller.path}:{caller.line + 1})"
            clause = _as_clause(caller.purpose)
            if clause:
                entry += f" {clause}"
            if caller.text:
                entry += f": `{caller.text}`"
            if caller.confidence < 0.5:
                entry += " _(matched by name only)_"
            lines.append(entry)
        rest = pack.caller_count - min(len(pack.callers), _MAX_LISTED)
        if rest > 0:
            lines.append(f"- ... and {rest} more")
        lines.append("")
    elif t.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD, SymbolKind.CLASS) and not pack.subclasses:
        lines.append("**Called by:** no calls found in the workspace (it may be an entry point, used"
                     " dynamically, or dead code).")
        lines.append("")

    if pack.callees:
        calls = ", ".join(_link(root, c.card.path, c.card.line, f"`{_short_name(c.card.qualname)}`")
                          for c in pack.callees[:8])
        more = len(pack.callees) - 8
        lines.append(f"**Calls:** {calls}{f' and {more} more' if more > 0 else ''}")
        lines.append("")

    if pack.subclasses:
        lines.append("**Subclassed by:** " + ", ".join(
            _link(root, c.path, c.line, f"`{_short_name(c.qualname)}`") for c in pack.subclasses))
        lines.append("")

    if pack.members:
        lines.append("**Members:** " + ", ".join(
            _link(root, m.path, m.line, f"`{m.qualname.rsplit('.', 1)[-1]}`") for m in pack.members))
        lines.append("")

    if pack.test_refs:
        total = pack.impact.tests if pack.impact is not None else len(pack.test_refs)
        shown = pack.test_refs[:_MAX_LISTED]
        lines.append(f"**Tested by** {_plural(total, 'test')}:")
        for test in shown:
            lines.append(f"- {_link(root, test.path, test.line, f'`{test.id}`')}"
                         + (" (directly)" if test.depth == 1 else f" (through {test.depth - 1} intermediate"
                            f" call{'s' if test.depth > 2 else ''})"))
        if total > len(shown):
            lines.append(f"- ... and {total - len(shown)} more (`codemeld impact --tests`)")
        lines.append("")
    elif pack.impact is not None:
        lines.append("**Tested by:** no test reaches it in the index.")
        lines.append("")

    if pack.similar:
        lines.append("**Similar code:** " + ", ".join(
            _link(root, s.path, s.line, f"`{_short_name(s.qualname)}`") + f" ({s.score:.2f})" for s in pack.similar))
        lines.append("")

    if pack.impact is not None:
        lines.append(f"**Changing it affects** {pack.impact.sentence()}.")
        lines.append("")
    if pack.withheld:
        lines.append(f"_Text from {_plural(len(pack.withheld), 'private file')} (ignored or secret-looking) was"
                     " left out._")
    lines.append(STRUCTURAL_NOTE)
    return "\n".join(lines).strip() + "\n"


def _inputs_outputs(card: Card) -> list[str]:
    parsed = parse_signature(card.signature)
    if parsed is None:
        return []
    params, returns = parsed
    if card.kind in (SymbolKind.METHOD, SymbolKind.PROPERTY) and params and params[0].name in ("self", "cls") and not params[0].star:
        params = params[1:]
    out = []
    if params:
        out.append("**Inputs:** " + ", ".join(p.markdown() for p in params))
    else:
        out.append("**Inputs:** none")
    if returns:
        out.append(f"**Returns:** `{returns}`")
    elif card.qualname.rsplit(".", 1)[-1] == "__init__":
        pass
    else:
        out.append("**Returns:** not annotated")
    return [line + "  " for line in out[:-1]] + out[-1:]  # markdown hard breaks between the two


def short_text(card: Card, callers: int, files: int, tests: int, top_caller: str | None,
               purpose: str = "", direct_tests: bool = False, subclasses: int = 0) -> str:
    """One line for a hover, above the signature: purpose, then who uses it."""
    purpose = purpose or first_sentence(card.docstring) or inferred_purpose(card)
    usage = []
    if callers:
        usage.append(f"{_plural(callers, 'caller')} in {_plural(files, 'file')}"
                     + (f" (e.g. `{_short_name(top_caller)}`)" if top_caller else ""))
    if subclasses:
        usage.append("1 subclass" if subclasses == 1 else f"{subclasses} subclasses")
    if not callers and not subclasses and card.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD, SymbolKind.CLASS):
        usage.append("no callers found")
    if tests:
        usage.append(_plural(tests, "direct test" if direct_tests else "test"))
    tail = " · ".join(usage)
    if purpose and tail:
        return f"{purpose} — {tail}"
    return purpose or tail


def short_from_pack(pack: ContextPack) -> str:
    top = pack.callers[0].qualname if pack.callers else None
    tests = pack.impact.tests if pack.impact is not None else len(pack.test_refs)
    purpose, _ = purpose_of(pack)
    return short_text(pack.target, pack.caller_count, pack.caller_files, tests, top,
                      purpose if first_sentence(pack.target.docstring) else "", subclasses=len(pack.subclasses))
