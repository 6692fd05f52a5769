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

from indexer.graph.echo import quoted
from indexer.graph.model import IndexStats, Position, Range, Reference, Symbol, symbol_of
from indexer.graph.store import _WEAK_RANGE, WEAK_HOWS, Store, unpack
from indexer.graph.text import char_column, utf16_column
from indexer.graph.vocab import SymbolKind

SYMBOL_COLUMNS = (
    "s.id, s.name, s.qualname, s.kind, f.path, s.sl, s.sc, s.el, s.ec, s.nsl, s.nsc, s.nel, s.nec,"
    " s.signature, s.docstring, s.parent, s.is_test, s.flags, s.decorators, s.body_line"
)
# A symbol as a hierarchy item shows it (qualname, name, kind, flags, path,
# range, name range): `Graph.symbol_briefs`, `module_briefs`.
BRIEF_COLUMNS = "s.qualname, s.name, s.kind, s.flags, f.path, s.sl, s.sc, s.el, s.ec, s.nsl, s.nsc, s.nel, s.nec"
REF_COLUMNS = "f.path, r.sl, r.sc, r.el, r.ec, r.name, r.kind, r.enclosing, r.target, r.confidence, r.how"
_RESOLVED_HOWS = ("unresolved",)


class TargetError(ValueError):
    """A TARGET that names nothing in the index."""


def symbol_from_row(row) -> Symbol:
    (sid, name, qualname, kind, path, sl, sc, el, ec, nsl, nsc, nel, nec,
     signature, docstring, parent, is_test, flags, decorators, body_line) = row
    return symbol_of(  # Symbol's fields in order, without its __init__ (see model.symbol_of)
        sid, name, qualname, kind, path, Range.of(sl, sc, el, ec), Range.of(nsl, nsc, nel, nec),
        signature or "", docstring or "", parent, bool(is_test),
        tuple(filter(None, flags.split(","))) if flags else (),
        tuple(json.loads(decorators)) if decorators else (), body_line)


def _span(r: Range) -> tuple[int, int, int, int]:
    return r.start.line, r.start.character, r.end.line, r.end.character


def _in_files(file_ids: list[int] | None) -> str:
    """The condition keeping only `file_ids`' rows (none: every file)."""
    return "" if file_ids is None else f" AND r.file_id IN ({','.join('?' * len(file_ids))})"


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

    def shared_module_names(self) -> dict[str, str]:
        """Module qualname -> its path, for the modules whose qualname another
        symbol shares (a package's `retry` function and its `retry.py`)."""
        rows = self.conn.execute(
            "SELECT DISTINCT s.qualname, f.path FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE s.kind = 'module' AND EXISTS (SELECT 1 FROM symbols o WHERE o.qualname = s.qualname"
            " AND o.kind != 'module')")
        return {qualname: path for qualname, path in rows}

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

    def symbols_overlapping(self, path: str, first: int, last: int, kinds) -> list[Symbol]:
        """The symbols of `kinds` in one file whose range overlaps lines
        `first`..`last` (0-based), in `symbols_in_file`'s order: what holds
        a changed line, without building every symbol of a large file."""
        kinds = tuple(kinds)
        rows = self.conn.execute(
            f"SELECT {SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
            f" WHERE f.path = ? AND s.sl <= ? AND s.el >= ? AND s.kind IN ({','.join('?' * len(kinds))})"
            " ORDER BY s.sl, s.sc, s.id", (path, last, first, *kinds))
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
        at the same place for the impact walk and are left out, as are Go's
        structural "implements" edges (no use in the text); `guesses=False`
        also leaves out name-matched uses (the Find All References policy)."""
        return [reference_from_row(r) for r in self.use_rows(qualname, include_declaration, min_confidence, guesses)]

    def use_rows(self, qualname: str, include_declaration: bool = False,
                 min_confidence: float = 0.0, guesses: bool = True) -> list[tuple]:
        """`references` as `REF_COLUMNS` tuples (`reference_from_row` makes
        one a Reference): a page of a 40,000-use answer builds 100 objects."""
        rows = self.conn.execute(
            f"SELECT {REF_COLUMNS} FROM refs r JOIN files f ON f.id = r.file_id"
            " WHERE r.target = ? AND r.confidence >= ? AND r.kind != 'flow' AND r.how != 'structural'"
            + ("" if guesses else " AND r.how != 'name-match'") + " ORDER BY f.path, r.sl, r.sc",
            (qualname, min_confidence)).fetchall()
        if include_declaration:
            decls = [(s.path, *_span(s.selection_range), s.name, "definition", s.parent, s.qualname, 1.0, "definition")
                     for s in self.symbols(qualname) if s.kind != SymbolKind.MODULE]
            rows = sorted(decls + rows, key=lambda r: (r[0], r[1], r[2]))
        return rows

    def reference_spans(self, qualname: str, min_confidence: float = 0.0, guesses: bool = True,
                        file_ids: list[int] | None = None):
        """(path, sl, sc, el, ec) of the uses `references` returns, as plain
        tuples in the same order: for answers of tens of thousands of uses,
        building a Reference per row costs more than the query. `file_ids`:
        only those files' (a page of `target_files`).

        Over the bare rows, not the `refs` view: the view joins five names
        per row (the kind, rule, target and enclosing texts only to compare
        them), where the kind and rule ids are looked up once here (`IS NOT`:
        a name no file uses has no id, and then no row is left out) and only
        the name's length is read per row: 12-20% less CPU for the 51,735
        uses of `assertEqual` on the 2-million-line corpus (issue 17)."""
        weak = "" if guesses else " AND r.how IS NOT (SELECT id FROM names WHERE text = 'name-match')"
        return self.conn.execute(
            "SELECT f.path, r.sl, r.sc, coalesce(r.el, r.sl), coalesce(r.ec, r.sc + length(n.text))"
            " FROM ref_rows r JOIN files f ON f.id = r.file_id JOIN names n ON n.id = r.name"
            " WHERE r.target = (SELECT id FROM names WHERE text = ?) AND r.confidence >= ?"
            " AND r.kind IS NOT (SELECT id FROM names WHERE text = 'flow')"
            " AND r.how IS NOT (SELECT id FROM names WHERE text = 'structural')"
            + weak + _in_files(file_ids) + " ORDER BY f.path, r.sl, r.sc",
            (qualname, min_confidence, *(file_ids or ())))

    def target_files(self, qualname: str) -> list[tuple[int, int]]:
        """(file id, references of any kind) of each file that refers to
        `qualname`, in path order, from the target index alone. A huge answer
        reads its rows a few files at a time in this order (the same order
        as one query sorting them all), so its first page is out before the
        last row is sorted."""
        return self.conn.execute(
            "SELECT r.file_id, count(*) FROM ref_rows r JOIN files f ON f.id = r.file_id"
            " WHERE r.target = (SELECT id FROM names WHERE text = ?) GROUP BY r.file_id ORDER BY f.path",
            (qualname,)).fetchall()

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
            raise TargetError(f"{quoted(target)} is ambiguous: {listed}{' ...' if len(matches) > 5 else ''}")
        raise TargetError(f"unknown target {quoted(target)}: no symbol with that qualified name")

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

    # -- typed questions the engine's modules ask (no SQL outside the store
    # and this module) ---------------------------------------------------

    def module_of(self, path: str) -> tuple[str, bool] | None:
        """(module, is_package) of an indexed file, None when not indexed."""
        row = self.conn.execute("SELECT module, is_package FROM files WHERE path = ?", (path,)).fetchone()
        return (row[0], bool(row[1])) if row is not None else None

    def file_shas(self) -> dict[str, str]:
        """path -> sha256 of every indexed file."""
        return dict(self.conn.execute("SELECT path, sha256 FROM files"))

    def files_using_module(self, module: str) -> list[str]:
        """Files with a resolved use of the module or of a name in it, sorted."""
        rows = self.conn.execute(
            "SELECT DISTINCT f.path FROM refs r JOIN files f ON f.id = r.file_id"
            " WHERE r.target = ? OR r.target LIKE ?", (module, module + ".%"))
        return sorted(p for (p,) in rows)

    def count_symbols_in(self, paths: list[str], kinds) -> int:
        """How many symbols of `kinds` the files at `paths` define."""
        kinds = tuple(kinds)
        marks = ",".join("?" * len(kinds))
        total = 0
        for start in range(0, len(paths), 400):
            group = paths[start:start + 400]
            total += self.conn.execute(
                f"SELECT count(*) FROM symbols s JOIN files f ON f.id = s.file_id WHERE s.kind IN ({marks})"
                f" AND f.path IN ({','.join('?' * len(group))})", (*kinds, *group)).fetchone()[0]
        return total

    def subclass_count(self, qualname: str) -> int:
        """Distinct classes that inherit from `qualname` directly."""
        return self.conn.execute(
            "SELECT count(DISTINCT enclosing) FROM refs WHERE target = ? AND kind = 'inherit'",
            (qualname,)).fetchone()[0]

    def callers_summary(self, qualname: str, kinds) -> list[tuple[str, int, float, int]]:
        """(enclosing qualname, file id, best confidence, is a test) per
        distinct caller of `qualname` through references of `kinds`."""
        kinds = tuple(kinds)
        marks = ",".join("?" * len(kinds))
        # Base tables, not the views: SQLite cannot flatten a view that is a
        # join on the right of a LEFT JOIN (it would build the whole view).
        return self.conn.execute(
            "SELECT e.text, r.file_id, MAX(r.confidence), MAX(s.is_test) FROM ref_rows r"
            " LEFT JOIN names e ON e.id = r.enclosing LEFT JOIN symbol_rows s ON s.qualname = r.enclosing"
            " WHERE r.target = (SELECT id FROM names WHERE text = ?)"
            f" AND r.kind IN (SELECT id FROM names WHERE text IN ({marks})) GROUP BY e.text",
            (qualname, *kinds)).fetchall()

    def definitions_in_file(self, path: str, kinds) -> list[tuple]:
        """(qualname, name, kind, parent, params JSON, signature, flags) of the
        symbols of `kinds` a file defines, in definition order."""
        kinds = tuple(kinds)
        return self.conn.execute(
            "SELECT s.qualname, s.name, s.kind, s.parent, s.params, s.signature, s.flags FROM symbols s"
            f" JOIN files f ON f.id = s.file_id WHERE f.path = ? AND s.kind IN ({','.join('?' * len(kinds))})"
            " ORDER BY s.id", (path, *kinds)).fetchall()

    def base_targets(self, class_qualname: str) -> list[str]:
        """What the bases of a class resolved to (distinct)."""
        return [t for (t,) in self.conn.execute(
            "SELECT DISTINCT target FROM refs WHERE enclosing = ? AND kind = 'inherit' AND target IS NOT NULL",
            (class_qualname,))]

    def inherited_member_uses(self, base: str, class_qualname: str, hows) -> list[tuple]:
        """(path, sl, sc, el, ec, target) of uses, inside a class and its
        members, of members of `base` resolved by one of `hows`."""
        hows = tuple(hows)
        return self.conn.execute(
            "SELECT f.path, r.sl, r.sc, r.el, r.ec, r.target FROM refs r JOIN files f ON f.id = r.file_id"
            f" WHERE r.target LIKE ? AND r.how IN ({','.join('?' * len(hows))})"
            " AND (r.enclosing = ? OR r.enclosing LIKE ?)",
            (base + ".%", *hows, class_qualname, class_qualname + ".%")).fetchall()

    def body_hash(self, symbol_id: int) -> str:
        """The stored `body_hash` of one symbol row ("" when unknown)."""
        row = self.conn.execute("SELECT body_hash FROM symbols WHERE id = ?", (symbol_id,)).fetchone()
        return (row[0] or "") if row else ""

    def direct_subclasses(self, qualname: str) -> list[str]:
        """Qualnames of the classes whose bases resolved to `qualname`, sorted."""
        return [q for (q,) in self.conn.execute(
            "SELECT DISTINCT enclosing FROM refs WHERE target = ? AND kind = 'inherit' AND enclosing IS NOT NULL"
            " ORDER BY enclosing", (qualname,))]

    def incoming(self, targets: list[str], kind: str | None = None) -> list[tuple[str, str, str, float, str]]:
        """(target, enclosing, kind, best confidence, its how) per distinct
        user of each target (of one reference kind when given)."""
        return self.conn.execute(
            # SQLite takes the bare column `how` from the row holding the MAX.
            f"SELECT target, enclosing, kind, MAX(confidence), how FROM refs WHERE target IN"
            f" ({','.join('?' * len(targets))}) AND enclosing IS NOT NULL" + (" AND kind = ?" if kind else "")
            + " GROUP BY target, enclosing, kind", list(targets) + ([kind] if kind else [])).fetchall()

    def files_calling(self, names) -> list[str]:
        """Paths of the files that call a name among `names` (any target):
        impact_execd's `exec(CODE, ns.__dict__)` sites, by the callee's name."""
        names = list(names)
        return [path for (path,) in self.conn.execute(
            "SELECT DISTINCT f.path FROM ref_rows r JOIN files f ON f.id = r.file_id"
            f" WHERE r.name IN (SELECT id FROM names WHERE text IN ({','.join('?' * len(names))}))"
            " AND r.kind = (SELECT id FROM names WHERE text = 'call') ORDER BY f.path", names)]

    def named_uses_in_file(self, path: str, name: str, kind: str) -> list[tuple[str, str, str]]:
        """(enclosing, target, how) of the uses of kind `kind` named `name` in one file."""
        return self.conn.execute(
            "SELECT r.enclosing, r.target, r.how FROM refs r JOIN files f ON f.id = r.file_id"
            " WHERE f.path = ? AND r.name = ? AND r.kind = ?", (path, name, kind)).fetchall()

    def unresolved_names(self, enclosings: list[str]) -> list[tuple[str, str]]:
        """(name, enclosing) of the unresolved or name-matched uses written
        in `enclosings` (`self.X` where no class in the hierarchy defines
        X), by the users' index."""
        if not enclosings:
            return []
        return self.conn.execute(
            "SELECT DISTINCT n.text, e.text FROM ref_rows r JOIN names e ON e.id = r.enclosing"
            " JOIN names n ON n.id = r.name"
            f" WHERE r.enclosing IN (SELECT id FROM names WHERE text IN ({','.join('?' * len(enclosings))}))"
            " AND r.how IN (SELECT id FROM names WHERE text IN ('name-match', 'unresolved'))",
            enclosings).fetchall()

    def unresolved_of_how(self, how: str) -> list[tuple[str, str]]:
        """(enclosing, name) of the references a rule `how` kept without a
        target (a computed getattr's glob: impact_visitors). A scan of the
        references: asked once per index version."""
        return self.conn.execute(
            "SELECT e.text, n.text FROM ref_rows r JOIN names e ON e.id = r.enclosing JOIN names n ON n.id = r.name"
            " WHERE r.target = 0 AND r.how = (SELECT id FROM names WHERE text = ?)", (how,)).fetchall()

    def unresolved_calls(self, name: str) -> list[tuple[str, str, int, int]]:
        """(enclosing, path, line, column) of the unresolved calls named
        `name` (`mod.attr.Name(...)` on a receiver the index cannot follow)."""
        return self.conn.execute(
            "SELECT e.text, f.path, r.sl, r.sc FROM ref_rows r JOIN files f ON f.id = r.file_id"
            " JOIN names e ON e.id = r.enclosing"
            # The literal range lets SQLite use the partial index refs_weak_name.
            f" WHERE r.name = (SELECT id FROM names WHERE text = ?) AND {_WEAK_RANGE}"
            f" AND how = {WEAK_HOWS.index('unresolved') + 1}"
            " AND r.kind = (SELECT id FROM names WHERE text = 'call') AND r.enclosing != 0"
            " ORDER BY f.path, r.sl, r.sc", (name,)).fetchall()

    def metaclass_users(self, metaclass: str) -> list[str]:
        """Classes whose header names `metaclass` outside their bases
        (`class Schema(Base, metaclass=SchemaMeta)`): created by it."""
        return [q for (q,) in self.conn.execute(
            "SELECT DISTINCT s.qualname FROM refs r JOIN symbols s ON s.qualname = r.enclosing"
            " AND s.file_id = r.file_id WHERE r.target = ? AND r.kind = 'read' AND s.kind = 'class'"
            " AND r.sl >= s.nsl AND r.sl < coalesce(s.body_line, s.nsl + 1)", (metaclass,))]

    def subclass_names(self, qualname: str) -> list[str]:
        """Classes whose bases resolved to `qualname` (index order)."""
        return [q for (q,) in self.conn.execute(
            "SELECT DISTINCT enclosing FROM refs WHERE target = ? AND kind = 'inherit' AND enclosing IS NOT NULL",
            (qualname,))]

    def hierarchy_step(self, level: list[str], down: bool) -> list[str]:
        """The direct subclasses (down) or bases (up) of every class in `level`."""
        ends = ("target", "enclosing") if down else ("enclosing", "target")
        return [q for (q,) in self.conn.execute(
            f"SELECT DISTINCT {ends[1]} FROM refs WHERE kind = 'inherit' AND {ends[1]} IS NOT NULL"
            f" AND {ends[0]} IN ({','.join('?' * len(level))})", level)]

    def hierarchy_pairs(self, level: list[str], down: bool) -> list[tuple[str, str]]:
        """(class, direct subclass) (down) or (class, direct base) (up) of
        every class in `level`: `hierarchy_step` with each row's class, in
        its scan order (by class, then as `hierarchy_step` meets them)."""
        ends = ("target", "enclosing") if down else ("enclosing", "target")
        return self.conn.execute(
            f"SELECT DISTINCT {ends[0]}, {ends[1]} FROM refs WHERE kind = 'inherit' AND {ends[1]} IS NOT NULL"
            f" AND {ends[0]} IN ({','.join('?' * len(level))})", level).fetchall()

    def parents_defining(self, name: str, kinds) -> set[str]:
        """Parents (classes, modules) that define a symbol `name` of `kinds`."""
        kinds = tuple(kinds)
        return {p for (p,) in self.conn.execute(
            f"SELECT DISTINCT parent FROM symbols WHERE name = ? AND kind IN ({','.join('?' * len(kinds))})",
            (name, *kinds))}

    def definers_of(self, names, kinds) -> list[tuple[str, str, str | None]]:
        """(name, kind, parent) of the symbols called one of `names` of one
        of `kinds`: `parents_defining` for many names, one query per 500
        (straight from the rows: the view's qualname join is not needed)."""
        names, kinds = list(dict.fromkeys(names)), tuple(kinds)
        out = []
        for start in range(0, len(names), 500):
            chunk = names[start:start + 500]
            out.extend(self.conn.execute(
                "SELECT DISTINCT n.text, k.text, p.text FROM symbol_rows s JOIN names n ON n.id = s.name"
                " JOIN names k ON k.id = s.kind JOIN names p ON p.id = s.parent"
                f" WHERE n.text IN ({','.join('?' * len(chunk))}) AND k.text IN ({','.join('?' * len(kinds))})",
                (*chunk, *kinds)))
        return out

    def reference_count(self, qualname: str) -> int:
        return self.conn.execute("SELECT count(*) FROM refs WHERE target = ?", (qualname,)).fetchone()[0]

    def direct_use_counts(self, qualname: str) -> tuple[int, int, int]:
        """(distinct users, files, distinct test users) of `qualname`."""
        return self.conn.execute(
            "SELECT count(DISTINCT nullif(r.enclosing, 0)), count(DISTINCT r.file_id),"
            " count(DISTINCT CASE WHEN s.is_test = 1 THEN r.enclosing END)"
            " FROM ref_rows r LEFT JOIN symbol_rows s ON s.qualname = r.enclosing AND s.file_id = r.file_id"
            " WHERE r.target = (SELECT id FROM names WHERE text = ?)", (qualname,)).fetchone()

    # -- what navigation asks (navigation.py decides, these only read) -----

    def use_count(self, qualname: str, min_confidence: float = 0.0) -> tuple[int, int]:
        """(references, distinct files) to `qualname` at `min_confidence` or more.
        Hover asks it on every name: over the bare rows (the `refs` view joins
        five names per row) and, at the default confidence, from the
        refs_target index alone (38k uses: 36 ms -> 2 ms, issue 17)."""
        if min_confidence <= 0:
            return self.conn.execute(
                "SELECT count(*), count(DISTINCT file_id) FROM ref_rows"
                " WHERE target = (SELECT id FROM names WHERE text = ?)", (qualname,)).fetchone()
        return self.conn.execute(
            "SELECT count(*), count(DISTINCT file_id) FROM ref_rows"
            " WHERE target = (SELECT id FROM names WHERE text = ?) AND confidence >= ?",
            (qualname, min_confidence)).fetchone()

    def name_spans_in_file(self, path: str, qualnames: list[str]) -> list[tuple[int, int, int, int]]:
        """Name spans of the definitions of `qualnames` in one file (modules aside)."""
        return self.conn.execute(
            "SELECT s.nsl, s.nsc, s.nel, s.nec FROM symbols s JOIN files f ON f.id = s.file_id"
            f" WHERE f.path = ? AND s.qualname IN ({','.join('?' * len(qualnames))}) AND s.kind != 'module'",
            (path, *qualnames)).fetchall()

    def use_spans_in_file(self, path: str, qualnames: list[str]) -> list[tuple[int, int, int, int, str]]:
        """(span..., kind) of the references to `qualnames` in one file."""
        return self.conn.execute(
            "SELECT r.sl, r.sc, r.el, r.ec, r.kind FROM refs r JOIN files f ON f.id = r.file_id"
            f" WHERE f.path = ? AND r.target IN ({','.join('?' * len(qualnames))})", (path, *qualnames)).fetchall()

    def uses_in(self, qualname: str, enclosing: str, kinds) -> list[Reference]:
        """`references(qualname)` of `kinds` written inside `enclosing`, by
        path and position: one user's uses among tens of thousands (reading
        all 40,000 uses of `assertEqual` to keep one function's was most of
        a first impact answer)."""
        kinds = tuple(kinds)
        rows = self.conn.execute(
            f"SELECT {REF_COLUMNS} FROM refs r JOIN files f ON f.id = r.file_id"
            # By the user's index (a function holds few uses): `+target` keeps
            # SQLite off the target's, which would scan all 40,000.
            " WHERE r.rowid IN (SELECT rowid FROM ref_rows WHERE enclosing = (SELECT id FROM names WHERE text = ?)"
            " AND +target = (SELECT id FROM names WHERE text = ?))"
            f" AND r.kind IN ({','.join('?' * len(kinds))}) AND r.kind != 'flow' AND r.how != 'structural'"
            " ORDER BY f.path, r.sl, r.sc", (enclosing, qualname, *kinds))
        return [reference_from_row(row) for row in rows]

    def references_of_kinds(self, qualname: str, kinds, min_confidence: float = 0.0) -> list[Reference]:
        """References to `qualname` of `kinds`, by path and position."""
        kinds = tuple(kinds)
        rows = self.conn.execute(
            f"SELECT {REF_COLUMNS} FROM refs r JOIN files f ON f.id = r.file_id"
            f" WHERE r.target = ? AND r.kind IN ({','.join('?' * len(kinds))}) AND r.confidence >= ?"
            " ORDER BY f.path, r.sl, r.sc", (qualname, *kinds, min_confidence))
        return [reference_from_row(row) for row in rows]

    def call_sites(self, qualname: str, kinds, min_confidence: float = 0.0, file_ids: list[int] | None = None):
        """(path, enclosing, sl, sc, el, ec) of the uses `references_of_kinds`
        returns, as plain tuples in the same order (a call hierarchy of tens
        of thousands of call sites builds no Reference per row). `file_ids`:
        only those files' (a page of `target_files`)."""
        kinds = tuple(kinds)
        return self.conn.execute(
            "SELECT f.path, r.enclosing, r.sl, r.sc, r.el, r.ec FROM refs r JOIN files f ON f.id = r.file_id"
            f" WHERE r.target = ? AND r.kind IN ({','.join('?' * len(kinds))}) AND r.confidence >= ?"
            + _in_files(file_ids) + " ORDER BY f.path, r.sl, r.sc", (qualname, *kinds, min_confidence, *(file_ids or ())))

    def symbol_briefs(self, qualnames) -> dict[str, list[tuple]]:
        """qualname -> the `BRIEF_COLUMNS` rows of its symbols in `symbols()`
        order, fetched in batches: what a hierarchy item needs, no Symbol."""
        names = list(dict.fromkeys(qualnames))
        out: dict[str, list[tuple]] = {}
        for start in range(0, len(names), 500):
            chunk = names[start:start + 500]
            for row in self.conn.execute(
                    f"SELECT {BRIEF_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
                    f" WHERE s.qualname IN ({','.join('?' * len(chunk))}) ORDER BY s.id", chunk):
                out.setdefault(row[0], []).append(row)
        return out

    def module_briefs(self, paths) -> dict[str, tuple]:
        """path -> the `BRIEF_COLUMNS` row of the file's first module symbol
        (in `symbols_in_file` order), for files with one."""
        paths = list(dict.fromkeys(paths))
        out: dict[str, tuple] = {}
        for start in range(0, len(paths), 500):
            chunk = paths[start:start + 500]
            for row in self.conn.execute(
                    f"SELECT {BRIEF_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
                    f" WHERE f.path IN ({','.join('?' * len(chunk))}) AND s.kind = 'module'"
                    " ORDER BY f.path, s.sl, s.sc, s.id", chunk):
                out.setdefault(row[4], row)
        return out

    def innermost_class_at(self, path: str, line: int, character: int) -> Symbol | None:
        """Innermost class whose span holds the position."""
        row = self.conn.execute(
            f"SELECT {SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE f.path = ? AND s.kind = 'class' AND (s.sl < ? OR (s.sl = ? AND s.sc <= ?))"
            " AND (s.el > ? OR (s.el = ? AND s.ec >= ?)) ORDER BY s.sl DESC, s.sc DESC LIMIT 1",
            (path, line, line, character, line, line, character)).fetchone()
        return symbol_from_row(row) if row else None

    def inherit_refs_between(self, path: str, first_line: int, last_line: int) -> list[Reference]:
        """Base-class references in a file between two lines, in order."""
        rows = self.conn.execute(
            f"SELECT {REF_COLUMNS} FROM refs r JOIN files f ON f.id = r.file_id"
            " WHERE f.path = ? AND r.kind = 'inherit' AND r.sl BETWEEN ? AND ? ORDER BY r.sl, r.sc",
            (path, first_line, last_line))
        return [reference_from_row(row) for row in rows]

    def inherit_refs_to(self, qualname: str) -> list[Reference]:
        """Every base-class reference to `qualname`, by path and line."""
        rows = self.conn.execute(
            f"SELECT {REF_COLUMNS} FROM refs r JOIN files f ON f.id = r.file_id"
            " WHERE r.target = ? AND r.kind = 'inherit' ORDER BY f.path, r.sl", (qualname,))
        return [reference_from_row(row) for row in rows]

    def confident_reference_counts(self, qualnames: list[str], min_confidence: float) -> dict[str, int]:
        """target -> references at `min_confidence` or more (500 targets a query)."""
        counts: dict[str, int] = {}
        for start in range(0, len(qualnames), 500):  # SQLite caps the number of parameters
            chunk = qualnames[start:start + 500]
            counts.update(self.conn.execute(
                f"SELECT target, count(*) FROM refs WHERE target IN ({','.join('?' * len(chunk))})"
                " AND confidence >= ? GROUP BY target", (*chunk, min_confidence)).fetchall())
        return counts

    def symbols_version(self) -> int | None:
        """The newest symbol row id: moves whenever any file is re-indexed."""
        return self.conn.execute("SELECT max(id) FROM symbol_rows").fetchone()[0]

    def distinct_names(self, where: str) -> list[str]:
        """Distinct symbol names (`where`: a fixed SQL condition over s, f)."""
        return [n for (n,) in self.conn.execute(
            f"SELECT DISTINCT s.name FROM symbols s JOIN files f ON f.id = s.file_id WHERE {where}")]

    def symbols_named_where(self, names: list[str], where: str, limit: int = 20000) -> list[Symbol]:
        """Symbols called one of `names` (`where`: a fixed SQL condition over s, f)."""
        rows = self.conn.execute(
            f"SELECT {SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
            f" WHERE s.name IN ({','.join('?' * len(names))}) AND {where} LIMIT {int(limit)}", names)
        return [symbol_from_row(row) for row in rows]

    def table_sizes(self) -> tuple[int, int, int]:
        """(files, symbols, references) rows (cached until a commit: `Store.table_sizes`)."""
        return self.store.table_sizes()

    def reference_counts(self, qualnames) -> dict[str, int]:
        """target -> how many references name it, for the given targets."""
        names = list(qualnames)
        if not names:
            return {}
        marks = ",".join("?" * len(names))
        return dict(self.conn.execute(
            f"SELECT target, count(*) FROM refs WHERE target IN ({marks}) GROUP BY target", names).fetchall())

    def indexed_paths(self) -> list[str]:
        return [p for (p,) in self.conn.execute("SELECT path FROM files ORDER BY path")]

    # -- impact's value guards (languages/python/guard_facts.py) ---------------

    def guard_calls(self, paths) -> dict[str, list[tuple]]:
        """path -> its calls with keywords: (first line, last line, callee's
        last name, keywords), 1-based lines."""
        paths = list(paths)
        out: dict[str, list[tuple]] = {}
        for start in range(0, len(paths), 500):
            chunk = paths[start:start + 500]
            rows = self.conn.execute(
                "SELECT f.path, g.calls FROM guard_facts g JOIN files f ON f.id = g.file_id"
                f" WHERE f.path IN ({','.join('?' * len(chunk))})", chunk)
            out.update((path, unpack(blob) or []) for path, blob in rows)
        return out

    def params_of(self, qualname: str) -> list:
        """A function's parameters as stored, [name, kind, annotation, default
        text] each; of every definition of that name (`if`/`else` defs)."""
        rows = self.conn.execute("SELECT params FROM symbols WHERE qualname = ?", (qualname,))
        return [param for (params,) in rows if params for param in json.loads(params)]

    def guard_conditions(self, path: str) -> dict[tuple[int, str], list[tuple]]:
        """(line of a function's name, name) -> the regions of its lines that
        run under a condition: (first line, last line, atoms)."""
        row = self.conn.execute(
            "SELECT g.conditions FROM guard_facts g JOIN files f ON f.id = g.file_id WHERE f.path = ?",
            (path,)).fetchone()
        return (unpack(row[0]) or {}) if row is not None else {}

    def guard_dynamic_keywords(self) -> list[tuple[str, str]]:
        """(path, space-separated keywords) of the files that pass keywords
        to callees they do not name."""
        return list(self.conn.execute(
            "SELECT f.path, g.dynamic FROM guard_facts g JOIN files f ON f.id = g.file_id WHERE g.dynamic IS NOT NULL"))

    def version(self) -> tuple:
        """Moves whenever the index changes (symbols get new ids on re-index,
        and every update stamps last_update): a cache key for derived data."""
        return (self.symbols_version(), self.store.get_meta("last_update"))

    # -- status ---------------------------------------------------------------

    def symbols_with_words(self, words: list[str], kinds: tuple[str, ...], cap: int = 5000) -> list[Symbol]:
        """Symbols of `kinds` whose qualified name or docstring contains one
        of `words` (ASCII case-insensitive substrings): the candidates of
        full-text search while no vector store exists yet."""
        words = [w for w in words if w.isalnum()][:12]
        if not words or not kinds:
            return []
        match = " OR ".join("s.qualname LIKE ? OR s.docstring LIKE ?" for _ in words)
        rows = self.conn.execute(
            f"SELECT {SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
            f" WHERE s.kind IN ({','.join('?' * len(kinds))}) AND ({match}) LIMIT ?",
            (*kinds, *(f"%{w}%" for w in words for _ in (0, 1)), cap))
        return [symbol_from_row(row) for row in rows]

    def stats(self) -> IndexStats:
        conn = self.conn
        files = conn.execute("SELECT count(*) FROM files").fetchone()[0]
        # A file left out on purpose (generated, minified: "skipped: ...") is no error.
        errors = conn.execute("SELECT count(*) FROM files WHERE error IS NOT NULL AND error NOT LIKE 'skipped:%'").fetchone()[0]
        # Counted on the base tables: the views would join every row to its names.
        symbols = conn.execute("SELECT count(*) FROM symbol_rows").fetchone()[0]
        refs = conn.execute("SELECT count(*) FROM ref_rows").fetchone()[0]
        unresolved = conn.execute(
            "SELECT count(*) FROM ref_rows WHERE how = (SELECT id FROM names WHERE text = 'unresolved')").fetchone()[0]
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
