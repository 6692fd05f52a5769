"""Answers over the graph store, in editor terms (paths, 0-based lines,
UTF-16 columns). Read-only: safe to call from any thread while the indexer
writes, each thread reading through its own connection (WAL snapshot).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from indexer.model import IndexStats, Position, Range, Reference, Symbol
from indexer.store import Store
from indexer.text import char_column, utf16_column

SYMBOL_COLUMNS = (
    "s.id, s.name, s.qualname, s.kind, f.path, s.sl, s.sc, s.el, s.ec, s.nsl, s.nsc, s.nel, s.nec,"
    " s.signature, s.docstring, s.parent, s.is_test, s.flags, s.decorators, s.body_line"
)
REF_COLUMNS = "f.path, r.sl, r.sc, r.el, r.ec, r.name, r.kind, r.enclosing, r.target, r.confidence, r.how"
_RESOLVED_HOWS = ("unresolved",)


class TargetError(ValueError):
    """A TARGET that names nothing in the index."""


def symbol_from_row(row) -> Symbol:
    (sid, name, qualname, kind, path, sl, sc, el, ec, nsl, nsc, nel, nec,
     signature, docstring, parent, is_test, flags, decorators, body_line) = row
    return Symbol(
        id=sid, name=name, qualname=qualname, kind=kind, path=path,
        range=Range.of(sl, sc, el, ec), selection_range=Range.of(nsl, nsc, nel, nec),
        signature=signature or "", docstring=docstring or "", parent=parent,
        is_test=bool(is_test), flags=tuple(f for f in (flags or "").split(",") if f),
        decorators=tuple(json.loads(decorators)) if decorators else (),
        body_line=body_line,
    )


def reference_from_row(row) -> Reference:
    path, sl, sc, el, ec, name, kind, enclosing, target, confidence, how = row
    return Reference(path, Range.of(sl, sc, el, ec), name, kind, enclosing, target, confidence, how)



class Graph:
    def __init__(self, store: Store, root: Path):
        self.store = store
        self.root = Path(root)

    @property
    def conn(self):
        return self.store.conn

    # -- symbols -----------------------------------------------------------

    def symbols(self, qualname: str) -> list[Symbol]:
        rows = self.conn.execute(
            f"SELECT {SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE s.qualname = ? ORDER BY s.id", (qualname,))
        return [symbol_from_row(r) for r in rows]

    def symbol(self, qualname: str) -> Symbol | None:
        found = self.symbols(qualname)
        return found[0] if found else None

    def symbols_named(self, qualnames) -> dict[str, Symbol]:
        """First symbol of each qualname, fetched in batches."""
        names = list(dict.fromkeys(qualnames))
        out: dict[str, Symbol] = {}
        for start in range(0, len(names), 500):
            chunk = names[start:start + 500]
            rows = self.conn.execute(
                f"SELECT {SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
                f" WHERE s.qualname IN ({','.join('?' * len(chunk))}) ORDER BY s.id", chunk)
            for row in rows:
                sym = symbol_from_row(row)
                out.setdefault(sym.qualname, sym)
        return out

    def members(self, qualname: str) -> list[Symbol]:
        """Symbols defined directly in a class (or module): a range scan of the
        qualname index (`C.` <= q < `C/`), then the parent check."""
        rows = self.conn.execute(
            f"SELECT {SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE s.qualname > ? AND s.qualname < ? AND s.parent = ? ORDER BY s.id",
            (qualname + ".", qualname + "/", qualname))
        return [symbol_from_row(r) for r in rows]

    def symbols_in_file(self, path: str) -> list[Symbol]:
        rows = self.conn.execute(
            f"SELECT {SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE f.path = ? ORDER BY s.sl, s.sc, s.id", (path,))
        return [symbol_from_row(r) for r in rows]

    def test_symbols(self) -> list[Symbol]:
        """Test functions and methods (what pytest collects)."""
        rows = self.conn.execute(
            f"SELECT {SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE s.is_test = 1 AND s.kind IN ('function', 'method') ORDER BY f.path, s.sl")
        return [symbol_from_row(r) for r in rows]

    def definition_at(self, path: str, line: int, character: int) -> Symbol | None:
        """The symbol whose name is at this position."""
        rows = self.conn.execute(
            f"SELECT {SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE f.path = ? AND s.nsl = ? AND s.nsc <= ? AND s.nec >= ? AND s.kind != 'module'",
            (path, line, character, character))
        found = [symbol_from_row(r) for r in rows]
        return found[0] if found else None

    def reference_at(self, path: str, line: int, character: int) -> list[Reference]:
        """The use at this position; several rows when it matched by name."""
        rows = self.conn.execute(
            f"SELECT {REF_COLUMNS} FROM refs r JOIN files f ON f.id = r.file_id"
            " WHERE f.path = ? AND r.sl = ? AND r.sc <= ? AND r.ec >= ?"
            " ORDER BY r.confidence DESC", (path, line, character, character))
        return [reference_from_row(r) for r in rows]

    def targets_at(self, path: str, line: int, character: int) -> list[str]:
        """Qualnames of what the name at this position defines or refers to."""
        definition = self.definition_at(path, line, character)
        if definition is not None:
            return [definition.qualname]
        return [r.target for r in self.reference_at(path, line, character) if r.target]

    def definitions_at(self, path: str, line: int, character: int) -> list[Symbol]:
        out: list[Symbol] = []
        for qualname in self.targets_at(path, line, character):
            out.extend(s for s in self.symbols(qualname) if s not in out)
        return out

    def enclosing_symbol(self, path: str, line: int) -> Symbol | None:
        """Innermost class/function whose span holds `line`."""
        rows = self.conn.execute(
            f"SELECT {SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE f.path = ? AND s.sl <= ? AND s.el >= ? AND s.kind IN ('class','function','method')"
            " ORDER BY s.sl DESC LIMIT 1", (path, line, line))
        found = [symbol_from_row(r) for r in rows]
        return found[0] if found else None

    # -- references ----------------------------------------------------------

    def references(self, qualname: str, include_declaration: bool = False,
                   min_confidence: float = 0.0, guesses: bool = True) -> list[Reference]:
        """Uses of a qualname. Value-flow rows (kind "flow") repeat a plain use
        at the same place for the impact walk and are left out; `guesses=False`
        also leaves out name-matched uses (the Find All References policy)."""
        rows = self.conn.execute(
            f"SELECT {REF_COLUMNS} FROM refs r JOIN files f ON f.id = r.file_id"
            " WHERE r.target = ? AND r.confidence >= ? AND r.kind != 'flow'"
            + ("" if guesses else " AND r.how != 'name-match'") + " ORDER BY f.path, r.sl, r.sc",
            (qualname, min_confidence))
        out = [reference_from_row(r) for r in rows]
        if include_declaration:
            decls = [
                Reference(s.path, s.selection_range, s.name, "definition", s.parent, s.qualname, 1.0, "definition")
                for s in self.symbols(qualname) if s.kind != "module"
            ]
            out = sorted(decls + out, key=lambda r: (r.path, r.range.start.line, r.range.start.character))
        return out

    def reference_spans(self, qualname: str, min_confidence: float = 0.0, guesses: bool = True):
        """(path, sl, sc, el, ec) of the uses `references` returns, as plain
        tuples in the same order: for answers of tens of thousands of uses,
        building a Reference per row costs more than the query."""
        return self.conn.execute(
            "SELECT f.path, r.sl, r.sc, r.el, r.ec FROM refs r JOIN files f ON f.id = r.file_id"
            " WHERE r.target = ? AND r.confidence >= ? AND r.kind != 'flow'"
            + ("" if guesses else " AND r.how != 'name-match'") + " ORDER BY f.path, r.sl, r.sc",
            (qualname, min_confidence))

    def references_from(self, qualname: str) -> list[Reference]:
        """Uses inside a symbol (for outgoing calls)."""
        rows = self.conn.execute(
            f"SELECT {REF_COLUMNS} FROM refs r JOIN files f ON f.id = r.file_id"
            " WHERE r.enclosing = ? ORDER BY f.path, r.sl, r.sc", (qualname,))
        return [reference_from_row(r) for r in rows]

    # -- target strings (CLI) --------------------------------------------------

    def resolve_target(self, target: str) -> list[str]:
        """`path:line[:col]` (1-based, columns in characters) or a qualified
        name (exact, else a unique dotted suffix) -> qualnames."""
        match = re.fullmatch(r"(.+?):(\d+)(?::(\d+))?", target)
        if match and (match.group(1).endswith((".py", ".pyi")) or os.sep in match.group(1) or "/" in match.group(1)):
            return self._target_at_location(match.group(1), int(match.group(2)), int(match.group(3) or 0))
        if self.symbols(target):
            return [target]
        rows = self.conn.execute(
            "SELECT DISTINCT qualname FROM symbols WHERE name = ? AND kind != 'parameter'",
            (target.rsplit(".", 1)[-1],)).fetchall()
        matches = [q for (q,) in rows if q == target or q.endswith("." + target)]
        if len(matches) == 1:
            return matches
        if len(matches) > 1:
            listed = ", ".join(sorted(matches)[:5])
            raise TargetError(f"{target!r} is ambiguous: {listed}{' ...' if len(matches) > 5 else ''}")
        raise TargetError(f"unknown target {target!r}: no symbol with that qualified name")

    def _target_at_location(self, path_text: str, line1: int, col1: int) -> list[str]:
        path = self.relative_path(path_text)
        if path is None:
            raise TargetError(f"{path_text} is outside the workspace {self.root}")
        if not self.conn.execute("SELECT 1 FROM files WHERE path = ?", (path,)).fetchone():
            raise TargetError(f"{path} is not in the index")
        line = line1 - 1
        character = 0
        if col1 > 0:
            try:
                text = (self.root / path).read_text(encoding="utf-8", errors="replace").split("\n")[line]
            except (OSError, IndexError):
                text = ""
            character = utf16_column(text, col1 - 1)
            found = self.targets_at(path, line, character)
            if found:
                return found
        # A line without a column (or a column off the name): the definition on it.
        rows = self.conn.execute(
            "SELECT s.qualname FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE f.path = ? AND s.nsl = ? AND s.kind != 'module' ORDER BY s.nsc", (path, line)).fetchall()
        if rows:
            return [rows[0][0]]
        raise TargetError(f"nothing defined or referenced at {path}:{line1}" + (f":{col1}" if col1 else ""))

    def relative_path(self, path_text: str) -> str | None:
        """A path as the index names it (relative to the root), or None when
        outside. Relative paths are tried from the current directory, then
        from the root; symlinks inside the workspace keep their own name."""
        path = Path(path_text)
        candidates = [path] if path.is_absolute() else [Path.cwd() / path, self.root / path]
        for candidate in candidates:
            for form in (Path(os.path.normpath(candidate)), candidate.resolve()):
                if form.is_relative_to(self.root) and (form.exists() or self._indexed(form)):
                    return form.relative_to(self.root).as_posix()
        absolute = Path(os.path.normpath(candidates[-1]))
        return absolute.relative_to(self.root).as_posix() if absolute.is_relative_to(self.root) else None

    def _indexed(self, path: Path) -> bool:
        return self.has_file(path.relative_to(self.root).as_posix())

    def has_file(self, path: str) -> bool:
        return self.store.has_file(path)

    # -- whole-graph reads (SCIP export, snapshots) ----------------------------

    def indexed_files(self) -> list[tuple[int, str, str | None, bool]]:
        """(id, path, module, is_package) of every indexed file, in the order
        `all_symbols` and `reference_rows` group them (file id: no sort)."""
        rows = self.conn.execute("SELECT id, path, module, is_package FROM files ORDER BY id")
        return [(fid, path, module, bool(is_package)) for fid, path, module, is_package in rows]

    def all_symbols(self, first_file: int = 0, last_file: int = 1 << 62):
        """Every symbol of the files with ids in [first_file, last_file],
        grouped by file (`indexed_files` order), then by position."""
        rows = self.conn.execute(
            f"SELECT {SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE s.file_id BETWEEN ? AND ? ORDER BY s.file_id, s.nsl, s.nsc, s.id", (first_file, last_file))
        return (symbol_from_row(r) for r in rows)

    def reference_rows(self, first_file: int = 0, last_file: int = 1 << 62):
        """Every reference of the files with ids in [first_file, last_file] as
        plain tuples (path, sl, sc, el, ec, name, kind, enclosing, target,
        confidence, how) -- the fields of `Reference`, without building one
        per row (an export reads millions) -- grouped by file, then by
        position; name-matched uses yield one row per candidate."""
        return self.conn.execute(
            f"SELECT {REF_COLUMNS} FROM refs r JOIN files f ON f.id = r.file_id"
            " WHERE r.file_id BETWEEN ? AND ? ORDER BY r.file_id, r.sl, r.sc, r.confidence DESC",
            (first_file, last_file))

    def symbol_kinds(self) -> list[tuple[str, str, str | None]]:
        """(qualname, kind, parent qualname) of every symbol, cheaply."""
        return self.conn.execute("SELECT qualname, kind, parent FROM symbols ORDER BY id").fetchall()

    def class_bases(self) -> dict[str, list[str]]:
        """class qualname -> the qualnames its bases resolved to (in or out of
        the workspace), in source order."""
        out: dict[str, list[str]] = {}
        rows = self.conn.execute(
            "SELECT enclosing, target FROM refs WHERE kind = 'inherit' AND target IS NOT NULL"
            " AND enclosing IS NOT NULL AND confidence >= 0.5 ORDER BY file_id, sl, sc")
        for cls, base in rows:
            bases = out.setdefault(cls, [])
            if base not in bases:
                bases.append(base)
        return out

    # -- agent lookups ------------------------------------------------------------

    def qualnames_named(self, name: str, limit: int = 500) -> list[str]:
        """Qualified names of the (non-parameter) symbols called `name`, shortest first."""
        rows = self.conn.execute(
            "SELECT DISTINCT qualname FROM symbols WHERE name = ? AND kind != 'parameter'"
            " ORDER BY length(qualname), qualname LIMIT ?", (name, limit))
        return [q for (q,) in rows]

    def definitions_of_kinds(self, kinds) -> list[tuple[str, str, str, int, int]]:
        """(path, qualname, kind, first line, last line) of every symbol of these kinds."""
        marks = ",".join("?" * len(kinds))
        rows = self.conn.execute(
            f"SELECT f.path, s.qualname, s.kind, s.sl, s.el FROM symbols s JOIN files f ON f.id = s.file_id"
            f" WHERE s.kind IN ({marks}) ORDER BY f.path, s.sl", tuple(kinds))
        return rows.fetchall()

    def edges_touching(self, qualnames, min_confidence: float = 0.5) -> list[tuple[str, str, str, float]]:
        """(enclosing, target, kind, confidence) of the resolved uses into or
        out of these symbols: one hop of the graph both ways, in one pass."""
        names = list(dict.fromkeys(qualnames))
        out: list[tuple[str, str, str, float]] = []
        for start in range(0, len(names), 400):
            chunk = names[start:start + 400]
            marks = ",".join("?" * len(chunk))
            for column in ("target", "enclosing"):
                rows = self.conn.execute(
                    f"SELECT enclosing, target, kind, max(confidence) FROM refs WHERE {column} IN ({marks})"
                    " AND confidence >= ? AND enclosing IS NOT NULL AND target IS NOT NULL"
                    " GROUP BY enclosing, target, kind", (*chunk, min_confidence))
                out.extend(rows.fetchall())
        return out

    def symbols_of_kinds(self, kinds) -> list[Symbol]:
        """Every symbol of these kinds, in file order."""
        marks = ",".join("?" * len(kinds))
        rows = self.conn.execute(
            f"SELECT {SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
            f" WHERE s.kind IN ({marks}) ORDER BY f.path, s.sl, s.sc", tuple(kinds))
        return [symbol_from_row(r) for r in rows]

    def use_counts(self, min_confidence: float = 0.5) -> list[tuple[str, str, int]]:
        """(enclosing, target, number of uses) over every resolved reference:
        the weighted edges of the symbol graph."""
        rows = self.conn.execute(
            "SELECT enclosing, target, count(*) FROM refs WHERE target IS NOT NULL AND enclosing IS NOT NULL"
            " AND confidence >= ? GROUP BY enclosing, target", (min_confidence,))
        return rows.fetchall()

    def file_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM files").fetchone()[0]

    def most_referenced(self, kinds, limit: int = 10) -> list[tuple[str, int]]:
        """(qualname, uses) of the symbols of these kinds with the most references."""
        marks = ",".join("?" * len(kinds))
        rows = self.conn.execute(
            f"SELECT r.target, count(*) AS n FROM refs r WHERE r.target IN"
            f" (SELECT qualname FROM symbols WHERE kind IN ({marks})) GROUP BY r.target ORDER BY n DESC LIMIT ?",
            (*kinds, limit))
        return rows.fetchall()

    def indexed_paths(self) -> list[str]:
        return [p for (p,) in self.conn.execute("SELECT path FROM files ORDER BY path")]

    def version(self) -> tuple:
        """Moves whenever the index changes (symbols get new ids on re-index,
        and every update stamps last_update): a cache key for derived data."""
        return (self.conn.execute("SELECT max(id) FROM symbols").fetchone()[0], self.store.get_meta("last_update"))

    # -- status ---------------------------------------------------------------

    def stats(self) -> IndexStats:
        conn = self.conn
        files = conn.execute("SELECT count(*) FROM files").fetchone()[0]
        errors = conn.execute("SELECT count(*) FROM files WHERE error IS NOT NULL").fetchone()[0]
        symbols = conn.execute("SELECT count(*) FROM symbols").fetchone()[0]
        refs = conn.execute("SELECT count(*) FROM refs").fetchone()[0]
        unresolved = conn.execute("SELECT count(*) FROM refs WHERE how = 'unresolved'").fetchone()[0]
        languages = dict(conn.execute("SELECT language, count(*) FROM files GROUP BY language").fetchall())
        last = self.store.get_meta("last_update")
        size = sum(p.stat().st_size for p in self.store.index_dir.glob("graph.sqlite3*") if p.exists())
        return IndexStats(
            root=str(self.root), index_dir=str(self.store.index_dir), files=files, symbols=symbols,
            references=refs, resolved=refs - unresolved, errors=errors, size_bytes=size,
            last_update=float(last) if last else None, languages=languages,
        )

    def pending(self) -> int:
        return self.conn.execute("SELECT count(*) FROM files WHERE dirty = 1").fetchone()[0]


def age(seconds_since_epoch: float | None) -> str:
    if seconds_since_epoch is None:
        return "never"
    delta = max(0.0, time.time() - seconds_since_epoch)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if delta >= size:
            return f"{delta / size:.0f} {unit} ago"
    return f"{delta:.0f} s ago"


__all__ = ["Graph", "TargetError", "Position", "utf16_column", "char_column", "age"]
