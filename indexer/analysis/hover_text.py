"""The hover's markdown: signature, docstring, and one line of counts.

Each fact appears once: the docstring is shown as markdown (reST/Google/
NumPy roles and sections converted by `docstring-to-markdown`, the library
python-lsp-server and jedi-language-server use); a long signature keeps
one parameter per line, as it would be formatted in source; the counts are
the same definitions the code lens and Show impact use ("references" are
uses of the name, "direct dependents" the functions, classes and modules
whose code uses it).
"""

from __future__ import annotations

import logging

from indexer import languages
from indexer.graph.model import Symbol

log = logging.getLogger(__name__)

SIGNATURE_WIDTH = 72  # longer signatures get one parameter per line
_OPEN, _CLOSE = "([{", ")]}"


def _scan(text: str):
    """(index, character, bracket depth) of every character outside string
    literals (backslash escapes honoured); a bracket counts from itself on,
    so a closing one reports the depth it returns to. One scanner for both
    questions a signature asks: where its parameters split, where they end."""
    depth, quote, escaped = 0, "", False
    for i, c in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == quote:
                quote = ""
            continue
        if c in "'\"":
            quote = c
            continue
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
        yield i, c, depth


def _split_top_level(text: str) -> list[str]:
    """`a, b: dict[str, int] = {}, c='x,y'` -> the three parameters."""
    parts, start = [], 0
    for i, c, depth in _scan(text):
        if c == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def format_signature(signature: str, width: int = SIGNATURE_WIDTH) -> str:
    """A one-line `def f(a, b) -> T` (as the index stores it) laid out for
    reading: unchanged when short, else one parameter per line."""
    head, paren, rest = signature.partition("(")
    if not paren or len(signature) <= width:
        return signature.replace("( ", "(").replace(", )", ")")
    # `rest` starts inside the parameter list: it ends where depth drops below 0.
    end = next((i for i, c, depth in _scan(rest) if c in _CLOSE and depth < 0), -1)
    if end < 0:
        return signature
    params = _split_top_level(rest[:end])
    if not params:
        return signature
    body = "".join(f"    {p},\n" for p in params)
    return f"{head}(\n{body}){rest[end + 1:]}"


def docstring_markdown(docstring: str) -> str:
    """reST (`:func:`, `:param x:`, `.. versionchanged::`), Google and NumPy
    docstrings as markdown; plain text unchanged."""
    text = (docstring or "").strip()
    if not text:
        return ""
    try:
        import docstring_to_markdown

        return docstring_to_markdown.convert(text).strip()
    except Exception as exc:  # UnknownFormatError, or a docstring the converter trips over
        log.debug("docstring kept as text: %s", exc)
        return text


def render_hover(sym: Symbol, references: int, files: int, direct: str, explanation: str = "") -> str:
    """The whole hover. `direct` is the direct-dependents line
    ("N direct dependents in M files · K direct tests"); `explanation` a
    one-liner shown above the docstring (a model's answer, or a purpose
    inferred from the name when there is no docstring)."""
    language = languages.language_of(sym.qualname)  # Go's and TypeScript's signatures stay as written
    header = (format_signature(sym.signature) if language == "python" else sym.signature) if sym.signature \
        else f"{sym.kind} {sym.name}"
    parts = [f"```{languages.fence(sym.path)}\n{header}\n```"]
    if explanation:
        parts.append(explanation)
    doc = docstring_markdown(sym.docstring)
    if doc:
        parts.append(doc)
    counts = f"{references} reference{'s' * (references != 1)} in {files} file{'s' * (files != 1)}"
    if direct:
        counts += f" · {direct}"
    parts.append("---")
    parts.append(f"{sym.kind} `{sym.qualname}` · {languages.dialect_of(sym.path) or 'python'}"
                 f" · `{sym.path}:{sym.selection_range.start.line + 1}`  \n{counts}")
    return "\n\n".join(parts)
