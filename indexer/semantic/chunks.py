"""What gets embedded: one or a few text chunks per module, class and function.

The text is built from the graph and the file, not taken raw: a header that
spells the kind and the qualified name as words ("method send of session in
requests sessions"), then the source. Identifiers split into words put code
and a description in the same vocabulary for both the model and BM25.

A class keeps only the signature lines of its methods, a module only the
name lines of its classes and functions: editing a method body then changes
that method's chunk and no other, so only it is re-embedded.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from indexer import languages
from indexer.graph.model import Symbol
from indexer.graph.vocab import SymbolKind

EMBEDDED_KINDS = ("module", "class", "function", "method", "property", "interface", "type", "enum")

# all-MiniLM-L6-v2 reads 256 word pieces and code runs at 2.5-4 characters a
# piece, so a ~600-character part is seen whole (900 lost its tail to
# truncation: -0.01 MRR@10 in eval_search).
PART_CHARS = 600
MAX_PARTS = {"module": 2, "class": 2}  # bodies of functions/methods get more
MAX_PARTS_DEFAULT = 4
MAX_LINE_CHARS = 240  # minified or generated lines are cut, not embedded whole

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def split_identifier(name: str) -> list[str]:
    """`get_HTTPAdapter2` -> ['get', 'http', 'adapter', '2']."""
    return [w.lower() for w in _WORD.findall(name)]


def words_of(text: str) -> str:
    """Every identifier of a text split into lower-case words (the FTS column)."""
    out = []
    for ident in _IDENT.findall(text):
        parts = split_identifier(ident)
        out.extend(parts)
    return " ".join(out)


@dataclass(frozen=True, slots=True)
class Chunk:
    path: str
    qualname: str
    name: str
    kind: str
    start_line: int  # 0-based, the symbol's range
    end_line: int
    part: int
    is_test: bool
    text: str  # what the model embeds

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)

    @property
    def chunk_id(self) -> str:
        return f"{self.path}:{self.start_line}:{self.qualname}:{self.part}"


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def header(sym: Symbol) -> str:
    """A phrase naming the symbol: "method send of session in requests sessions"."""
    kind = "function" if sym.kind == SymbolKind.FUNCTION else sym.kind
    words = " ".join(split_identifier(sym.name)) or sym.name
    if sym.kind == SymbolKind.MODULE:
        return f"module {words} ({sym.qualname})"
    parent = sym.parent or ""
    module_part, _, owner = parent.rpartition(".") if sym.kind in (SymbolKind.METHOD, SymbolKind.PROPERTY) else (parent, "", "")
    out = f"{kind} {words}"
    if owner:
        out += f" of {' '.join(split_identifier(owner))}"
    if module_part:
        out += f" in {' '.join(split_identifier(module_part))}"
    return f"{out} ({sym.qualname})"


def file_lines(source: bytes) -> list[str]:
    """Lines as the parser counts them: split on \\n only (str.splitlines also
    splits on form feeds and other separators, which would shift ranges)."""
    text = source.decode("utf-8", errors="replace")
    return [line.rstrip("\r") for line in text.split("\n")]


def _clean(line: str) -> str:
    line = _CONTROL.sub(" ", line)
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " ..."


def _collapsed_body(sym: Symbol, children: list[Symbol], lines: list[str]) -> list[str]:
    """The symbol's lines with each child function/class reduced to its name line."""
    start, end = sym.range.start.line, sym.range.end.line
    if sym.kind == SymbolKind.MODULE:
        start, end = 0, len(lines) - 1
    # first line of a child -> (its last line, the line that names it)
    hidden = {c.range.start.line: (c.range.end.line, c.selection_range.start.line) for c in children}
    out = []
    line = start
    while line <= end and line < len(lines):
        if line in hidden:
            last, name_line = hidden[line]
            if name_line < len(lines):
                out.append(_clean(lines[name_line]))
            line = max(last, line) + 1
            continue
        out.append(_clean(lines[line]))
        line += 1
    return out


def _dedent(lines: list[str]) -> list[str]:
    indents = [len(l) - len(l.lstrip()) for l in lines if l.strip()]
    cut = min(indents) if indents else 0
    return [l[cut:] if l[:cut].isspace() or not l[:cut] else l.lstrip() for l in lines]


def _parts(body: list[str], budget: int, limit: int) -> list[str]:
    """Split lines into at most `limit` parts of about `budget` characters."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in body:
        if not line.strip():
            continue  # blank lines carry nothing and cost tokens
        if current and size + len(line) + 1 > budget:
            parts.append("\n".join(current))
            if len(parts) == limit:
                return parts
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current or not parts:
        parts.append("\n".join(current))
    return parts


CARD_PART = -1  # the `part` of a symbol's card


def card_text(sym: Symbol) -> str:
    """A short "card": the header, signature and docstring summary. Short
    texts sit closer to short queries in MiniLM's space than a body does,
    and a symbol ranks by its best chunk, so the card adds recall
    (+0.04 MRR@10 on requests in evals/search.py)."""
    summary = sym.docstring.strip().split("\n\n", 1)[0].strip() if sym.docstring else ""
    return "\n".join(t for t in (header(sym), _clean(sym.signature), _clean(summary[:PART_CHARS])) if t)


def symbol_chunks(sym: Symbol, children: list[Symbol], lines: list[str]) -> list[Chunk]:
    if sym.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD, SymbolKind.PROPERTY):
        body = [_clean(l) for l in lines[sym.range.start.line:sym.range.end.line + 1]]
    else:
        body = _collapsed_body(sym, children, lines)
    head = header(sym)
    limit = MAX_PARTS.get(sym.kind, MAX_PARTS_DEFAULT)
    parts = _parts(_dedent(body), PART_CHARS, limit)
    out = [
        Chunk(sym.path, sym.qualname, sym.name, sym.kind, sym.range.start.line, sym.range.end.line,
              number, sym.is_test, f"{head}\n{part}".rstrip())
        for number, part in enumerate(parts)
    ]
    if sym.kind != SymbolKind.MODULE:
        out.append(Chunk(sym.path, sym.qualname, sym.name, sym.kind, sym.range.start.line, sym.range.end.line,
                         CARD_PART, sym.is_test, card_text(sym)))
    return out


def file_chunks(symbols: list[Symbol], source: bytes) -> list[Chunk]:
    """Chunks of every embedded symbol of one file (symbols as the graph has them)."""
    lines = file_lines(source)
    config_files = languages.filenames()  # tsconfig.json & co: settings, not code to search
    wanted = [s for s in symbols if s.kind in EMBEDDED_KINDS and s.path.rpartition("/")[2] not in config_files]
    by_parent: dict[str | None, list[Symbol]] = {}
    for sym in wanted:
        if sym.kind != SymbolKind.MODULE:
            by_parent.setdefault(sym.parent, []).append(sym)
    out: list[Chunk] = []
    for sym in wanted:
        children = by_parent.get(sym.qualname, []) if sym.kind in (SymbolKind.MODULE, SymbolKind.CLASS) else []
        out.extend(symbol_chunks(sym, children, lines))
    return out
