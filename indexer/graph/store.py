"""The graph store: one SQLite database per workspace, WAL mode.

One writer (the indexer), many readers. A file's facts replace the old ones in
the same transaction as its `files` row, so a crash never leaves half a
file. A file whose references still need (re-)resolving is marked `dirty`
in that same transaction; the next run resolves every dirty file, which is
what makes a killed index reopen consistent and then complete.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import pickle
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import zstandard

from indexer.graph import build_mark

log = logging.getLogger(__name__)

# Bump when the schema or the meaning of stored facts changes: a mismatch
# drops the database and rebuilds from scratch.
SCHEMA_VERSION = 31  # 31: new Python references (an unannotated parameter holds what the file's own calls of its function agree to pass, by position or keyword, how "caller", extract.CALLER_TYPES; `pytest.raises(E, f, *args)` returns the ExceptionInfo, whose `.match()` runs E.__str__, expressions.RAISES_INFO); 30: new Python references (`getattr(x, name)(...)` with a wholly computed name on a receiver of unknown type is kept as an unresolved "getattr-any" row, on an instance whose class has `__getattr__` it links that, dispatch.GETATTR_ANY; `@pytest.mark.usefixtures("f")` on a test, a test class or a module's `pytestmark` is a fixture reference of each test it covers, extract.USEFIXTURES; `a, b = f(...)` binds the items of the tuple f returns, extract.TUPLE_RETURNS; a method's return evaluated outside it knows its self, resolve.SELF_RETURNS; a factory returning `type(name, (Base,), ns)` builds a class whose methods are its functions taking self, their self a Base, and a member Base lacks on an instance of it calls them, how "type-built", extract.TYPE_METHODS); 29: new Python references (what `with pytest.raises(E) as info` / `assertRaises(E) as cm` bind holds an E in `.value` / `.exception`, `match=` and `exconly()` run E.__str__, expressions.RAISES_INFO; an import of a name its function declares global binds the module's name, extract.GLOBAL_IMPORTS; `list(x)`, `sorted(x)`, `for v in x`... run x.__iter__ and x.__next__, extract.ITERATING_BUILTINS; a computed getattr's glob is kept as a getattr-match row with no target, resolve.GETATTR_SUBCLASSES; a call of a name-matched attribute declared as a callable workspace instance runs its __call__, resolve.MATCHED_CALLABLES; a bare import never shadows a standard-library module, resolve.STDLIB_FIRST; a return annotation or an annotated value naming a library protocol (`Optional[MutableMapping[...]]`, `Iterable`, `Any`) yields to the workspace value, extract.ABSTRACT_RETURNS, expressions.ABSTRACT_ANNOTATIONS; a truth test of a class without __bool__ runs its __len__, resolve.LEN_TRUTH; a comprehension of calls holds what they make, and names unpacked from one its elements, expressions.COMPREHENSION_VALUES); 28: new Python references (`@pytest.fixture(name="cr")` binds the fixture as cr, extract.FIXTURE_NAMES, but a parameter hypothesis's @given fills asks no fixture; `map(C, xs)` and `starmap(C, xs)` call C, extract.MAP_CALLS; `x: Any = v`, `x: Callable[...] = v` are typed by v, expressions.LOOSE_ANNOTATIONS; `type(name, (Base,), ns)` is Base, expressions.TYPE_BUILT; an item of a dict literal of names is its first value, expressions.DICT_VALUES; `a or b` is either, expressions.OR_VALUES; `-> type[P]` returns what the body returns, extract.CLASS_RETURNS; evaluations 16 deep, was 12; a name `object` lacks is no member of `class C(object)`, resolve.OBJECT_BASE); 27: a subscripted base (`class C(Base[T])`) is an inherit reference to Base (python-refs.scm); 26: new Python references (a name holding `partial(C, ...)`, a fixture's value included, calls C when called, expressions.PARTIAL_VALUES; a fixture returning `request.param` gives one of its `params=`, extract.FIXTURE_PARAMS; an absolute import no workspace module answers is tried from the test package's pytest basedir, resolve.PYTEST_BASEDIR; the callable `partial(C, ...)` wraps is used as a call, extract.PARTIAL_CALLS; a fixture's return sees its arguments as the fixtures they name, resolve.FIXTURE_ARGS); 25: new Python references (`except T as e` binds e to a T, expressions.EXCEPT_TYPES; `C.x = Built()` in a method of C widens the class attribute x, extract.CLASS_REASSIGNED; a callback passed to a Callable-annotated parameter gets its parameter types, extract.CALLBACK_PARAMS, off by default; `return cast(C, inner)` returns the closure, extract.CAST_CLOSURES; `Callable[[A, B], R]` keeps its argument list); 24: new Python references (a lambda bound to a name in a class or module body, also wrapped by classmethod/staticmethod/property, owns its uses, extract.BOUND_LAMBDAS; a truth test `if x`, `not x`, `x and y` uses x's __bool__, extract.TRUTH_PROTOCOLS); 23: new Python references (a computed getattr on self whose one hole is `self.A` is named `_process_{A}`; in a class defining `__set_name__` it links each matching member to the owner class attributes whose names fill the hole, dispatch.SET_NAME_HOLES); 22: new Python symbols and references (doctest examples, the `>>>` lines in a module's strings, are the body of `<module>.__doctest__`; `doctest.testmod(m)`/`DocTestSuite(m)` calls `m.__doctest__`); and stored facts as columns, spans as steps, without the symbol fields no resolver reads (languages/base.py `stored_facts`: a version before could not read them); 21: new Python references (operators, `for` and the protocol builtins run an operand's dunder methods: `a + b`, `-a`, `a += b`, `a < b`, `a == b`, `len(a)`, `str(a)`, `isinstance(a, T)` on a workspace instance; a method's leading `*args` is no `self`; `object.__setattr__(self, "x", v)` defines C.x; `obj.x = v` on an instance uses its class's __setattr__, not __getattr__; `async for` uses its iterable's __aiter__/__anext__, `async with` its __aenter__/__aexit__ in place of __enter__/__exit__; a parameter's default and annotation and the return annotation are looked up in the scope around the function; a computed getattr name links the receiver class's matching members, how="getattr-match"; `a + b`, `-a`, `a < b` have the value their dunder returns, `a[k]` its __getitem__'s); 20: new Python references (a method or property returning self gives an instance of its class; the bad-input change also leaves out statements nested 4,000+ levels deep with many names); 19: new Python references (an import in a try that catches ImportError rebinds the name; an attribute of an unevaluable receiver is no bare name; X.__new__ leaving the workspace makes an instance; `in`, subscripts and `del x[k]` on a known instance use its __contains__/__getitem__/__setitem__/__delitem__; a property returning self.x holds what x holds); 18: guard_facts, what impact's value guards read of each Python file; 17: new Python references (a descriptor's __get__, f(x)(y), type(self)(...), Type[X]); names' text index and the by-file indexes are named indexes a cold build may build last; 16: the same tables as 15, whose first build (never released) had views without the derived end columns; 15: a reference's ec, a symbol's nel and nec NULL where the name ends them; 14: facts stored as plain rows; TypeScript type parameters, literals, bounds, merges; Go local types
DB_NAME = "graph.sqlite3"

# The reference "how" values whose uses a changed summary can re-resolve
# (every language's weak hows today). They are the first rows of `names`,
# so the partial index `refs_weak_name` can name their ids as constants.
WEAK_HOWS = ("name-match", "unresolved", "external", "mro", "annotation", "constructor", "return-type")
# As a range, not `IN (1, ..., 7)`: SQLite tests an IN list per row through
# a lookup, which made building the partial index 0.8 s of the stdlib's
# cold build instead of 0.16 s (issue 17). Queries repeat it word for word
# (a partial index serves only a WHERE that contains its own).
_WEAK_RANGE = f"how BETWEEN 1 AND {len(WEAK_HOWS)}"

# Every qualified name, reference name, kind and rule is stored once in
# `names` and referred to by its integer id: `ref_rows` and `symbol_rows`
# hold ids, and the views `refs` and `symbols` give back the text columns
# every reader asks for (SQLite flattens them into the query, so a lookup
# by text goes names -> id -> the integer index). "None" is id 0, whose
# text is NULL: inner joins only, because SQLite does not drive a LEFT
# JOIN from its right side for `IN (...)`, and scanned every reference. Text columns repeated
# per reference were most of the database (schema 12: 444 MB on the
# standard library, schema 13: under 200 MB).
_SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(
    id INTEGER PRIMARY KEY,
    path TEXT UNIQUE NOT NULL,
    language TEXT NOT NULL,
    module TEXT,
    is_package INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT,
    size INTEGER,
    mtime_ns INTEGER,
    lines INTEGER,
    error TEXT,
    dirty INTEGER NOT NULL DEFAULT 1,
    facts BLOB,
    summary BLOB,
    indexed_at REAL
);
CREATE INDEX files_module ON files(module);
CREATE INDEX files_dirty ON files(dirty) WHERE dirty = 1;
CREATE TABLE names(id INTEGER PRIMARY KEY, text TEXT);  -- unique text: names_text
INSERT INTO names(id, text) VALUES (0, NULL), {", ".join(f"({i}, '{h}')" for i, h in enumerate(WEAK_HOWS, 1))};
CREATE TABLE symbol_rows(
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL,
    name INTEGER NOT NULL,
    qualname INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    sl INTEGER, sc INTEGER, el INTEGER, ec INTEGER,
    nsl INTEGER, nsc INTEGER, nel INTEGER, nec INTEGER,  -- NULL: the name's span is the name (as refs' el, ec)
    signature TEXT,
    docstring TEXT,
    parent INTEGER NOT NULL,  -- 0: none
    is_test INTEGER NOT NULL DEFAULT 0,
    is_member INTEGER NOT NULL DEFAULT 0,
    flags TEXT,
    decorators TEXT,
    params TEXT,
    body_hash TEXT,
    body_line INTEGER
);
CREATE VIEW symbols AS SELECT s.id AS id, s.file_id AS file_id, n.text AS name, q.text AS qualname,
    k.text AS kind, s.sl AS sl, s.sc AS sc, s.el AS el, s.ec AS ec, s.nsl AS nsl, s.nsc AS nsc,
    coalesce(s.nel, s.nsl) AS nel, coalesce(s.nec, s.nsc + length(n.text)) AS nec, s.signature AS signature, s.docstring AS docstring, p.text AS parent,
    s.is_test AS is_test, s.is_member AS is_member, s.flags AS flags, s.decorators AS decorators,
    s.params AS params, s.body_hash AS body_hash, s.body_line AS body_line
    FROM symbol_rows s JOIN names n ON n.id = s.name JOIN names q ON q.id = s.qualname
    JOIN names k ON k.id = s.kind JOIN names p ON p.id = s.parent;
CREATE TABLE ref_rows(
    file_id INTEGER NOT NULL,
    sl INTEGER, sc INTEGER, el INTEGER, ec INTEGER,  -- el NULL: the reference ends on its first line;
    -- ec NULL: it ends where its name does (sc + length(name)), true of 99.6% of them
    name INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    enclosing INTEGER NOT NULL,  -- 0: none
    target INTEGER NOT NULL,  -- 0: unresolved
    confidence REAL NOT NULL,
    how INTEGER NOT NULL
);
CREATE VIEW refs AS SELECT r.rowid AS rowid, r.file_id AS file_id, r.sl AS sl, r.sc AS sc, coalesce(r.el, r.sl) AS el,
    coalesce(r.ec, r.sc + length(n.text)) AS ec, n.text AS name, k.text AS kind, e.text AS enclosing, t.text AS target,
    r.confidence AS confidence, h.text AS how
    FROM ref_rows r JOIN names n ON n.id = r.name JOIN names k ON k.id = r.kind
    JOIN names e ON e.id = r.enclosing JOIN names t ON t.id = r.target JOIN names h ON h.id = r.how;
CREATE TABLE imports(file_id INTEGER NOT NULL, module TEXT NOT NULL);
-- Impact's value guards (languages/python/guard_facts.py): a file's calls
-- with keywords, packed; the keywords it passes to callees it cannot name;
-- its functions' lines that run under a condition, packed.
CREATE TABLE guard_facts(file_id INTEGER PRIMARY KEY, calls BLOB, dynamic TEXT, conditions BLOB);
CREATE TABLE learned_tests(
    test_id TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    seconds REAL,
    message TEXT,
    learned_at REAL
);
CREATE TABLE learned_edges(
    test_id TEXT NOT NULL,
    qualname TEXT NOT NULL,
    path TEXT NOT NULL,
    body_hash TEXT,
    PRIMARY KEY(test_id, qualname)
) WITHOUT ROWID;
CREATE INDEX learned_edges_qualname ON learned_edges(qualname);
"""


# Lookup indexes a cold build drops and recreates once at the end: building
# them in one sort is several times faster than maintaining them per row.
# Uses by name are looked up only for the weak rules (what a changed summary
# may re-resolve): a partial index over those rows is a fifth the size.
# The indexes every write goes through (names by text, a file's rows).
# A cold build nobody reads while it runs (`codemeld index`) drops them too
# and builds them once at the end: maintained row by row in the order files
# finish, they cost the stdlib's build about 2 s of writer CPU more, and
# a REINDEX besides to pack them. A build that serves first answers keeps
# them (position and name lookups in the open files stay indexed).
_WRITE_INDEXES = {
    "names_text": "names(text)",  # UNIQUE: the interning of names relies on it
    "refs_file": "ref_rows(file_id, sl)",
    "symbols_file": "symbol_rows(file_id, nsl)",
    "imports_module": "imports(module)",
    "imports_file": "imports(file_id)",
}
_UNIQUE_INDEXES = frozenset({"names_text"})

_LOOKUP_INDEXES = {
    "symbols_qualname": "symbol_rows(qualname)",
    "symbols_name": "symbol_rows(name)",
    "refs_target": "ref_rows(target, file_id)",  # file_id: hover counts a name's files from the index alone
    "refs_weak_name": f"ref_rows(name) WHERE {_WEAK_RANGE}",
    "refs_enclosing": "ref_rows(enclosing)",
}


# meta row: "files symbols references" as counted; deleted by every write that changes them.
_SIZES_KEY = "sizes"


def _count_sizes(conn) -> tuple[int, int, int]:
    """Rows of the base tables (no name joins to count)."""
    return tuple(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                 for table in ("files", "symbol_rows", "ref_rows"))


def _name_end(name, nsl, nsc, nel, nec) -> tuple:
    """(nel, nec) as stored: NULL where the views derive them (one line,
    ending where the name does), true of 99% of symbols."""
    if nel != nsl:
        return nel, nec
    return None, (None if name and nec == nsc + len(name) else nec)


_LEARNED_TESTS = "test_id, outcome, seconds, message, learned_at"
_LEARNED_EDGES = "test_id, qualname, path, body_hash"


def _learned_rows(conn: sqlite3.Connection) -> tuple[list, list] | None:
    """An older index's learned map, or None where it has none it can read."""
    try:
        return (conn.execute(f"SELECT {_LEARNED_TESTS} FROM learned_tests").fetchall(),
                conn.execute(f"SELECT {_LEARNED_EDGES} FROM learned_edges").fetchall())
    except sqlite3.DatabaseError:
        return None


# Values a bulk insert binds in one statement (`_insert_rows`): the
# variable limit of SQLite before 3.32 (32,766 since).
_VALUES_PER_INSERT = 999


def _insert_rows(conn: sqlite3.Connection, head: str, width: int, rows) -> None:
    """`head` (`INSERT INTO t(c1, ...) VALUES`) for every row of `rows`
    (`width` values each), in that order, as many rows a statement as
    `_VALUES_PER_INSERT` allows: a statement stepped once per row cost
    SQLite and the sqlite3 module a fifth more CPU (issue 17)."""
    per = _VALUES_PER_INSERT // width
    flat = list(itertools.chain.from_iterable(rows))
    count = len(flat) // width
    many = count - count % per
    one = "(" + ",".join("?" * width) + ")"
    if many:
        step = width * per
        conn.executemany(head + ",".join([one] * per),
                         [flat[i:i + step] for i in range(0, many * width, step)])
    if count > many:
        conn.executemany(head + one, [flat[i:i + width] for i in range(many * width, count * width, width)])


class StoreError(RuntimeError):
    """The index cannot be opened or read (corrupt, locked, unwritable)."""


# zstd level 3 packs a file's facts 9% smaller than zlib level 1, in less time.
_COMPRESS = zstandard.ZstdCompressor(level=3)
_DECOMPRESS = zstandard.ZstdDecompressor()


def pack(obj) -> bytes:
    return _COMPRESS.compress(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def unpack(blob: bytes | None):
    return pickle.loads(_DECOMPRESS.decompress(blob)) if blob else None


class _NameIds:
    """text -> id in `names`, for the writer. The table only grows, so a
    cached id stays valid until another connection commits (a reset or a
    restored snapshot may renumber): `PRAGMA data_version` tells, and a
    rolled-back transaction forgets. Bounded: an update interns few names.

    During a cold build the writer owns the table (`own`): every name is
    in the dict, which hands out new ids itself and inserts them with plain
    `executemany` rows. Interning through SQLite (`INSERT ... RETURNING`,
    then a `SELECT` for the names the bounded dict had dropped) was a fifth
    of the cold writer's CPU on the stdlib (347k names); the dict costs
    about 40 MB there, for the length of the build only."""

    LIMIT = 60_000

    def __init__(self):
        self.ids: dict[str, int] = {}
        self.version = None
        self.owned = False
        self.next_id = 0

    def own(self, on: bool) -> None:
        self.owned = on
        self.forget()

    def forget(self) -> None:
        """Drop the cache (the next transaction reloads what it needs)."""
        self.ids = {}
        self.version = None

    def check(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self.version:
            self.ids = {}
            self.version = version
            if self.owned:
                self.ids = dict(conn.execute("SELECT text, id FROM names WHERE id > 0"))
                self.next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM names").fetchone()[0]

    def lookup(self, conn: sqlite3.Connection, texts: set) -> dict[str, int]:
        """The ids of `texts` (None stays out), interning new ones."""
        ids = self.ids
        missing = texts.difference(ids)  # (a dict, not its keys view: the keys view makes it O(len(ids)))
        missing.discard(None)
        if not missing:
            return ids
        if self.owned:
            first = self.next_id
            new = sorted(missing)  # sorted: the same corpus gets the same ids
            conn.executemany("INSERT INTO names(id, text) VALUES(?, ?)", zip(range(first, first + len(new)), new))
            ids.update(zip(new, range(first, first + len(new))))
            self.next_id = first + len(new)
            return ids
        if len(ids) + len(missing) > self.LIMIT:
            ids.clear()
            missing = set(texts)
            missing.discard(None)
        missing = sorted(missing)  # (a set's order follows the hash seed: the same tree gets the same ids)
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            # New names come back from the insert itself (most, on a cold
            # build); only the ones already there need a second look.
            ids.update(conn.execute(
                f"INSERT OR IGNORE INTO names(text) VALUES {','.join(['(?)'] * len(chunk))} RETURNING text, id", chunk))
            known = [t for t in chunk if t not in ids]
            if known:
                ids.update(conn.execute(
                    f"SELECT text, id FROM names WHERE text IN ({','.join('?' * len(known))})", known))
        return ids


class Store:
    """Owns the database file. Writes go through `writer`; each thread gets
    its own read connection (SQLite connections are not shared)."""

    def __init__(self, index_dir: Path, readonly: bool = False):
        self.index_dir = Path(index_dir)
        self.path = self.index_dir / DB_NAME
        self.readonly = readonly
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._sizes_forgotten = False  # this write transaction already deleted the kept sizes
        self._names = _NameIds()
        self._sizes_lock = threading.Lock()
        self._sizes_conn: sqlite3.Connection | None = None  # see table_sizes
        self._sizes: tuple[int, tuple[int, int, int]] | None = None
        # While the write indexes are dropped (drop_lookup_indexes): file id ->
        # the id range of its symbols, and the files whose refs were written
        # since. What they say is found by key range, not by a table scan.
        self._unindexed: dict[int, tuple[int, int]] | None = None
        self._refs_written: set[int] = set()
        if readonly:
            if not self.path.exists():
                raise StoreError(f"no index at {self.index_dir} (run `codemeld index` first)")
            self._check_schema()
            return
        self.index_dir.mkdir(parents=True, exist_ok=True)
        cut = build_mark.cut_by_restart(self.index_dir)
        if cut is not None:
            log.warning("index %s: %s; rebuilding it from scratch", self.path, cut)
            self._recreate_file()
        elif (self.index_dir / build_mark.MARK_NAME).exists():
            # A cold build of this boot was killed (a writable store opens
            # under the writer lock: no build runs now). The OS kept its
            # writes and the next run completes it, unless the file was
            # damaged meanwhile (copied, truncated): check it once, then
            # sync what it wrote and drop the mark.
            damage = self._damage()
            if damage is not None:
                self._set_aside(damage)
            else:
                self.close()
                build_mark.clear(self.index_dir, [self.path, Path(str(self.path) + "-wal")])
        try:
            self._check_schema()
        except (StoreError, sqlite3.DatabaseError) as exc:
            self._set_aside(str(exc))
            self._check_schema()

    def reset(self, damage: str | None = None) -> None:
        """Drop the database and start empty (schema change), or, given the
        `damage` found, move it aside first (`graph.sqlite3.damaged`)."""
        self._names = _NameIds()
        if damage is not None:
            self._set_aside(damage)
        else:
            self._recreate_file()
        self._check_schema()

    def _damage(self) -> str | None:
        """What `PRAGMA quick_check` finds wrong with the file (None: nothing)."""
        try:
            rows = [row[0] for row in self.conn.execute("PRAGMA quick_check")]
        except (StoreError, sqlite3.DatabaseError) as exc:
            return str(exc)
        return None if rows == ["ok"] else "; ".join(rows[:3])

    def _set_aside(self, damage: str) -> None:
        """Move a damaged database out of the way (the last one is kept, for
        a look) and start a new one; warn on stderr through the log."""
        self.close()
        aside = self.path.with_name(DB_NAME + ".damaged")
        log.warning("index database %s is damaged (%s): moved it to %s and rebuilding the index from scratch",
                    self.path, damage, aside)
        for suffix in ("", "-wal"):
            source = Path(str(self.path) + suffix)
            try:
                if source.is_file():
                    source.replace(Path(str(aside) + suffix))
                else:
                    Path(str(aside) + suffix).unlink(missing_ok=True)
            except OSError:
                pass  # (unwritable folder: _recreate_file deletes, or fails loudly)
        self._recreate_file()

    # -- connections -------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            if self.readonly:
                conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False,
                                       isolation_level=None)
            else:
                # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE).
                conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 5000")
            if not self.readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            # 16 MiB a connection: every thread and worker holds one, the OS
            # caches the file anyway, and 64 MiB cost the cold build 50 MB
            # of peak RSS in each process (issue 17).
            conn.execute("PRAGMA cache_size = -16384")
            return conn
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open index {self.path}: {exc}") from exc

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def snapshot(self):
        """A read transaction on this thread's connection: every query
        inside sees one committed state of the index (WAL), even while
        another process writes."""
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        with self._sizes_lock:
            if self._sizes_conn is not None:
                self._sizes_conn.close()
            self._sizes_conn, self._sizes = None, None

    def table_sizes(self) -> tuple[int, int, int]:
        """(files, symbols, references) rows, counted again only after some
        connection committed: a status poll no longer scans millions of
        references each time (0.1-0.2 s on the 2M corpus). The counts use a
        connection of their own that never writes, so its `data_version`
        moves with every commit of every other connection, in any process."""
        with self._sizes_lock:
            if self._sizes_conn is None:
                self._sizes_conn = self._connect()
                # Counting scans whole indexes: a small cache, or it would keep 16 MiB of their pages.
                self._sizes_conn.execute("PRAGMA cache_size = -256")
            conn = self._sizes_conn
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            if self._sizes is None or self._sizes[0] != version:
                # The counts a writer kept (`remember_sizes`), while no write has changed them since:
                # a warm start's first status poll then reads one row instead of counting millions.
                kept = conn.execute("SELECT value FROM meta WHERE key=?", (_SIZES_KEY,)).fetchone()
                if kept is not None:
                    self._sizes = (version, tuple(int(n) for n in kept[0].split()))
                else:
                    self._sizes = (version, _count_sizes(conn))
            return self._sizes[1]

    def remember_sizes(self) -> None:
        """Keep the table sizes in meta until a write changes them (every
        write of files, symbols or references deletes the row), for the next
        process's first status. Counts only when the row is missing."""
        if self.get_meta(_SIZES_KEY) is not None:
            return
        with self.transaction() as conn:  # IMMEDIATE: no other writer commits between counting and keeping
            self.set_meta(conn, _SIZES_KEY, " ".join(str(n) for n in _count_sizes(conn)))

    def _check_schema(self) -> None:
        try:
            conn = self.conn
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            has_tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
            if version == SCHEMA_VERSION and has_tables:
                conn.execute("SELECT count(*) FROM files").fetchone()
                if not self.readonly:
                    self.ensure_lookup_indexes()  # a bulk build may have died without them
                return
        except sqlite3.DatabaseError as exc:
            if self.readonly:
                raise StoreError(f"index at {self.path} is corrupt: {exc}") from exc
            self._set_aside(str(exc))
            conn = self.conn
            version, has_tables = -1, 0
        if self.readonly:
            raise StoreError(f"index at {self.path} has schema {version}, expected {SCHEMA_VERSION}; run `codemeld index`")
        learned = None
        if has_tables:
            log.warning("index %s was built with schema %s; this version reads schema %s: rebuilding it from scratch",
                        self.path, version, SCHEMA_VERSION)
            learned = _learned_rows(conn)
            self._recreate_file()
            conn = self.conn
        conn.executescript("BEGIN;" + _SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
        if learned:  # a test run's record: the sources cannot give it back, so it outlives the rebuild
            conn.execute("BEGIN")  # (autocommit connection: one transaction for all rows)
            conn.executemany(f"INSERT INTO learned_tests({_LEARNED_TESTS}) VALUES(?,?,?,?,?)", learned[0])
            conn.executemany(f"INSERT INTO learned_edges({_LEARNED_EDGES}) VALUES(?,?,?,?)", learned[1])
            conn.execute("COMMIT")
            log.warning("kept %d learned tests across the rebuild", len(learned[0]))
        self.ensure_lookup_indexes()

    @contextlib.contextmanager
    def bulk_writes(self, on: bool = True):
        """A cold build's writer: no fsync at commits and WAL checkpoints, on
        this connection only, and the names table owned by this writer
        (`_NameIds.own`). Power-safe through the build mark (build_mark.py):
        marked and synced before, the database and WAL synced and the mark
        dropped after. (A 64 MiB page cache here cost 80 MB of peak RSS and
        saved no CPU.)"""
        if not on or self.readonly:
            yield
            return
        conn = self.conn
        build_mark.mark(self.index_dir)
        conn.execute("PRAGMA synchronous = OFF")
        self._names.own(True)
        try:
            yield
        finally:
            self._names.own(False)
            try:
                self.conn.execute("PRAGMA synchronous = NORMAL")  # (a reset inside may have replaced conn)
                build_mark.clear(self.index_dir, [self.path, Path(str(self.path) + "-wal")])
            except (OSError, sqlite3.Error, StoreError) as exc:
                # Never hide the build's own error; the mark stays, so a
                # restart before the OS writes it all out rebuilds.
                log.warning("could not sync index %s after its cold build: %s", self.path, exc)

    def forget_names(self) -> None:
        """Let go of the writer's name cache (before forking workers: they
        would carry it; the next write transaction reads it back)."""
        self._names.forget()

    def compact_write_indexes(self) -> None:
        """Rebuild the write indexes a cold build kept and maintained row by
        row in one sort each: packed full, they take a quarter less space,
        and the pages they free go to the lookup indexes built next. (Those
        it dropped are built packed by `ensure_lookup_indexes`.)"""
        present = {name for (name,) in self.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        for name in _WRITE_INDEXES:
            if name in present:
                self.conn.execute(f"REINDEX {name}")

    def ensure_lookup_indexes(self) -> None:
        """Create the indexes that are missing, and again those whose
        definition changed since the database was built (no schema bump)."""
        self._unindexed = None
        present = dict(self.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
        for indexes in (_WRITE_INDEXES, _LOOKUP_INDEXES):
            for name, target in indexes.items():
                sql = f"CREATE {'UNIQUE ' if name in _UNIQUE_INDEXES else ''}INDEX {name} ON {target}"
                if name in present and present[name] != sql:
                    self.conn.execute(f"DROP INDEX IF EXISTS {name}")
                    present.pop(name)
                if name not in present:  # (IF NOT EXISTS: another process may be at it too)
                    self.conn.execute(sql.replace(" INDEX ", " INDEX IF NOT EXISTS ", 1))

    def drop_lookup_indexes(self, write_indexes: bool = False) -> None:
        """Before a cold build; `write_indexes`: those every write maintains
        too (only while no one reads the index: names and rows by file)."""
        if write_indexes and not self._names.owned:
            raise RuntimeError("names_text may go only while this writer owns the names (bulk_writes)")
        for name in (*_LOOKUP_INDEXES, *(_WRITE_INDEXES if write_indexes else ())):
            self.conn.execute(f"DROP INDEX IF EXISTS {name}")
        if write_indexes:
            self._unindexed, self._refs_written = {}, set()

    def _recreate_file(self) -> None:
        self.close()
        (self.index_dir / build_mark.MARK_NAME).unlink(missing_ok=True)  # no build of the new file runs yet
        for suffix in ("", "-wal", "-shm"):
            path = Path(str(self.path) + suffix)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)  # something made a folder where the database belongs
            else:
                path.unlink(missing_ok=True)

    # -- snapshots (shared index) ------------------------------------------

    def backup_to(self, dest: Path) -> None:
        """A consistent copy of the database through SQLite's online backup
        (safe while the writer and readers run)."""
        target = sqlite3.connect(dest)
        try:
            self.conn.backup(target)
        finally:
            target.close()

    def restore_from(self, path: Path) -> None:
        """Replace the whole database with the one at `path` through SQLite's
        backup API, in place: connections other threads hold stay valid and
        see the new contents once it is done (a pulled snapshot, live)."""
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            with self._write_lock:
                source.backup(self.conn)
                self._names = _NameIds()
        finally:
            source.close()

    def pending_files(self) -> int:
        return self.conn.execute("SELECT count(*) FROM files WHERE dirty = 1").fetchone()[0]


    # -- meta --------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (key, value))

    # -- writing -----------------------------------------------------------

    def transaction(self):
        """A write transaction; callers hold it for one batch of files."""
        return _Transaction(self)

    def file_states(self) -> dict[str, tuple[int, str, int, int]]:
        """path -> (id, sha256, size, mtime_ns) of every indexed file."""
        rows = self.conn.execute("SELECT path, id, sha256, size, mtime_ns FROM files")
        return {path: (fid, sha, size, mtime) for path, fid, sha, size, mtime in rows}

    def file_state(self, path: str) -> tuple[int, str, int, int] | None:
        """(id, sha256, size, mtime_ns) of one indexed file (an edit needs no other)."""
        try:
            row = self.conn.execute("SELECT id, sha256, size, mtime_ns FROM files WHERE path=?", (path,)).fetchone()
        except UnicodeEncodeError:  # a file name that is not UTF-8 is never indexed (discovery skips it)
            return None
        return tuple(row) if row else None

    def file_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM files").fetchone()[0]

    def write_file(self, conn, parsed, language: str) -> int:
        """Replace a file's facts (symbols, imports); its refs wait for resolution."""
        self._forget_sizes(conn)
        row = conn.execute("SELECT id FROM files WHERE path=?", (parsed.path,)).fetchone()
        values = (language, parsed.module, int(parsed.is_package), parsed.sha, parsed.size,
                  parsed.mtime_ns, parsed.lines, parsed.error, parsed.facts_blob,
                  parsed.summary_blob, time.time())
        dirty = int(parsed.facts_blob is not None)  # nothing to resolve in a file that failed
        if row is None:
            cur = conn.execute(
                "INSERT INTO files(language, module, is_package, sha256, size, mtime_ns, lines, error,"
                " facts, summary, indexed_at, dirty, path) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (*values, dirty, parsed.path))
            file_id = cur.lastrowid
        else:
            file_id = row[0]
            conn.execute(
                "UPDATE files SET language=?, module=?, is_package=?, sha256=?, size=?, mtime_ns=?, lines=?,"
                " error=?, facts=?, summary=?, indexed_at=?, dirty=? WHERE id=?", (*values, dirty, file_id))
            conn.execute("DELETE FROM symbol_rows WHERE file_id=?", (file_id,))
            conn.execute("DELETE FROM ref_rows WHERE file_id=?", (file_id,))
            conn.execute("DELETE FROM imports WHERE file_id=?", (file_id,))
            conn.execute("DELETE FROM guard_facts WHERE file_id=?", (file_id,))
        guards = getattr(parsed, "guard_facts", None)  # (packed calls, spaced keywords, packed conditions)
        if guards is not None and any(guards):
            conn.execute("INSERT INTO guard_facts(file_id, calls, dynamic, conditions) VALUES(?, ?, ?, ?)",
                         (file_id, *guards))
        rows = parsed.symbol_rows
        ids = self._names.lookup(conn, {t for r in rows for t in (r[0], r[1], r[2], r[13])})
        if self._unindexed is not None:
            # The ids the insert below hands out (max + 1 on, in one statement).
            first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM symbol_rows").fetchone()[0]
            self._unindexed[file_id] = (first, first + len(rows) - 1)
        _insert_rows(
            conn,
            "INSERT INTO symbol_rows(file_id, name, qualname, kind, sl, sc, el, ec, nsl, nsc, nel, nec,"
            " signature, docstring, parent, is_test, is_member, flags, decorators, params, body_hash, body_line)"
            " VALUES", 22,
            [(file_id, ids[r[0]], ids[r[1]], ids[r[2]], *r[3:9], *_name_end(r[0], *r[7:11]), *r[11:13],
              ids.get(r[13], 0), *r[14:]) for r in rows])
        conn.executemany("INSERT INTO imports(file_id, module) VALUES(?, ?)",
                         [(file_id, m) for m in sorted(parsed.import_modules)])  # (a set: rows in a fixed order)
        return file_id

    def _forget_sizes(self, conn) -> None:
        """A write that changes the table sizes: the kept ones (remember_sizes) go, once a transaction."""
        if not self._sizes_forgotten:
            conn.execute("DELETE FROM meta WHERE key=?", (_SIZES_KEY,))
            self._sizes_forgotten = True

    def touch_file(self, conn, file_id: int, mtime_ns: int) -> None:
        conn.execute("UPDATE files SET mtime_ns=? WHERE id=?", (mtime_ns, file_id))

    def delete_file(self, conn, file_id: int) -> None:
        self._forget_sizes(conn)
        for table in ("symbol_rows", "ref_rows", "imports", "guard_facts"):
            conn.execute(f"DELETE FROM {table} WHERE file_id=?", (file_id,))
        conn.execute("DELETE FROM files WHERE id=?", (file_id,))

    def write_refs(self, conn, file_id: int, rows, tests: set[str]) -> None:
        """Replace a file's references: `rows` are (span, name, kind,
        enclosing, target, confidence, how) tuples, or `RefColumns` made of
        them where they were resolved (a cold build's workers)."""
        self._forget_sizes(conn)
        unindexed = self._unindexed
        if unindexed is None or file_id in self._refs_written or file_id not in unindexed:
            conn.execute("DELETE FROM ref_rows WHERE file_id=?", (file_id,))
        else:
            self._refs_written.add(file_id)  # (none yet: a cold build's file, first resolved)
        cols = rows if type(rows) is RefColumns else RefColumns.of(rows)
        texts: set = set(tests)
        if cols.count:
            sl, sc, el, ec, names, kinds, enclosings, targets, confidences, hows = cols.columns
            texts.update(names, kinds, enclosings, targets, hows)
        ids = self._names.lookup(conn, texts)
        if cols.count:
            # Column by column through C-level map and zip: no Python frame
            # per reference (a million on the standard library).
            get, zero = ids.__getitem__, itertools.repeat(0)
            _insert_rows(
                conn, "INSERT INTO ref_rows(file_id, sl, sc, el, ec, name, kind, enclosing, target, confidence, how)"
                " VALUES", 11,
                zip(itertools.repeat(file_id), sl, sc, el, ec, map(get, names), map(get, kinds),
                    map(ids.get, enclosings, zero), map(ids.get, targets, zero), confidences, map(get, hows)))
        if tests and unindexed is not None and file_id in unindexed:
            first, last = unindexed[file_id]
            conn.executemany("UPDATE symbol_rows SET is_test=1 WHERE id BETWEEN ? AND ? AND qualname=?",
                             [(first, last, ids[q]) for q in tests])
        elif tests:
            conn.executemany("UPDATE symbol_rows SET is_test=1 WHERE file_id=? AND qualname=?",
                             [(file_id, ids[q]) for q in tests])
        conn.execute("UPDATE files SET dirty=0 WHERE id=?", (file_id,))

    def mark_dirty(self, conn, file_ids) -> None:
        conn.executemany("UPDATE files SET dirty=1 WHERE id=?", [(i,) for i in file_ids])

    def mark_clean(self, conn, file_ids) -> None:
        """Files whose stored references stand as they are (nothing they use moved)."""
        conn.executemany("UPDATE files SET dirty=0 WHERE id=?", [(i,) for i in file_ids])

    # -- reading for the indexer -------------------------------------------

    def has_file(self, path: str) -> bool:
        """Whether `path` (POSIX, relative to the root) is in the index."""
        return self.conn.execute("SELECT 1 FROM files WHERE path=?", (path,)).fetchone() is not None

    def dirty_files(self) -> list[tuple[int, str]]:
        return list(self.conn.execute("SELECT id, path FROM files WHERE dirty=1 AND facts IS NOT NULL"))

    def load_facts(self, file_id: int):
        """A file's stored facts as packed (the indexer's rows; `facts_from_rows` rebuilds them)."""
        row = self.conn.execute("SELECT facts FROM files WHERE id=?", (file_id,)).fetchone()
        return unpack(row[0]) if row else None

    def load_summary(self, module: str | None = None, path: str | None = None):
        if path is not None:
            row = self.conn.execute("SELECT summary FROM files WHERE path=?", (path,)).fetchone()
        else:
            # A .py file wins over its .pyi stub.
            row = self.conn.execute(
                "SELECT summary FROM files WHERE module=? AND summary IS NOT NULL"
                " ORDER BY path LIKE '%.pyi' LIMIT 1", (module,)).fetchone()
        return unpack(row[0]) if row and row[0] else None

    def all_summaries(self, language: str = "python") -> list:
        return [unpack(blob) for (blob,) in self.conn.execute(
            "SELECT summary FROM files WHERE summary IS NOT NULL AND language=?", (language,))]

    def module_names(self, language: str = "python") -> list[str]:
        return [m for (m,) in self.conn.execute(
            "SELECT module FROM files WHERE module IS NOT NULL AND language=?", (language,))]

    def languages(self) -> list[str]:
        """The languages of the indexed files."""
        return [lang for (lang,) in self.conn.execute("SELECT DISTINCT language FROM files")]

    def named_symbols(self, name: str, language: str = "python") -> list[tuple]:
        """(qualname, kind, module, is_member) of the module-level and class-level
        definitions called `name`, as the cold build's summaries list them: one
        row per qualname (its first definition), a module's .py over its .pyi."""
        rows = self.conn.execute(
            "SELECT s.qualname, s.kind, f.module, s.is_member, f.path LIKE '%.pyi' FROM symbols s"
            " JOIN files f ON f.id = s.file_id"
            " WHERE s.name=? AND f.language=? AND s.kind NOT IN ('parameter', 'module')"
            " AND (s.is_member=1 OR s.parent = f.module)"
            " AND NOT (f.path LIKE '%.pyi' AND EXISTS (SELECT 1 FROM files g WHERE g.module = f.module"
            " AND g.path NOT LIKE '%.pyi' AND g.summary IS NOT NULL))"
            " ORDER BY f.path LIKE '%.pyi', f.id, s.id", (name, language))
        out: dict[str, tuple] = {}
        for qualname, kind, module, is_member, _stub in rows:
            out.setdefault(qualname, (qualname, kind, module, is_member))
        return list(out.values())

    def importers(self, modules) -> set[int]:
        out: set[int] = set()
        for module in modules:
            out.update(i for (i,) in self.conn.execute("SELECT file_id FROM imports WHERE module=?", (module,)))
        return out

    def files_using(self, file_ids, names) -> set[int]:
        """Those of `file_ids` with a use (any reference) named one of `names`."""
        names = list(names)
        ids = [i for (i,) in self.conn.execute(
            f"SELECT id FROM names WHERE text IN ({','.join('?' * len(names))})", names)]
        if not ids:
            return set()
        query = f"SELECT 1 FROM ref_rows WHERE file_id=? AND name IN ({','.join('?' * len(ids))}) LIMIT 1"
        return {f for f in file_ids if self.conn.execute(query, (f, *ids)).fetchone() is not None}

    def modules_of(self, file_ids) -> set[str]:
        out: set[str] = set()
        for file_id in file_ids:
            row = self.conn.execute("SELECT module FROM files WHERE id=?", (file_id,)).fetchone()
            if row and row[0]:
                out.add(row[0])
        return out

    def files_referencing(self, targets=(), names=(), weak_hows=()) -> set[int]:
        out: set[int] = set()
        conn = self.conn
        for target in targets:
            out.update(i for (i,) in conn.execute(
                "SELECT DISTINCT file_id FROM ref_rows WHERE target=(SELECT id FROM names WHERE text=?)", (target,)))
        marks = ",".join("?" * len(weak_hows))
        # The literal condition lets SQLite use the partial index refs_weak_name.
        partial = f" AND {_WEAK_RANGE}" if set(weak_hows) <= set(WEAK_HOWS) else ""
        for name in names:
            out.update(i for (i,) in conn.execute(
                f"SELECT DISTINCT file_id FROM ref_rows WHERE name=(SELECT id FROM names WHERE text=?){partial}"
                f" AND how IN (SELECT id FROM names WHERE text IN ({marks}))", (name, *weak_hows)))
        return out


    # -- learned test impact (`codemeld tests learn`) ---------------------------
    # Which tests executed which functions, with the function's body_hash at
    # the time: an edge whose function changed since is stale, never dropped
    # until that test runs again.

    def body_hashes(self, path: str) -> dict[str, str]:
        """qualname -> body_hash of the functions and methods of one file."""
        rows = self.conn.execute(
            "SELECT s.qualname, s.body_hash FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE f.path = ? AND s.kind IN ('function', 'method')", (path,))
        return {q: h for q, h in rows}

    def replace_learned(self, tests: dict[str, tuple[str, float | None, str | None]],
                        edges: dict[str, list[tuple[str, str, str | None]]], forget: tuple[str, ...] = ()) -> None:
        """Record one run: per test (outcome, seconds, message) and the
        (qualname, path, body_hash) it executed; its earlier edges go. Tests in
        `forget` (no longer collected) are removed."""
        now = time.time()
        with self.transaction() as conn:
            for test_id in forget:
                conn.execute("DELETE FROM learned_tests WHERE test_id = ?", (test_id,))
                conn.execute("DELETE FROM learned_edges WHERE test_id = ?", (test_id,))
            for test_id, (outcome, seconds, message) in tests.items():
                conn.execute("INSERT OR REPLACE INTO learned_tests(test_id, outcome, seconds, message, learned_at)"
                             " VALUES(?,?,?,?,?)", (test_id, outcome, seconds, message, now))
                if test_id in edges:
                    conn.execute("DELETE FROM learned_edges WHERE test_id = ?", (test_id,))
                    conn.executemany("INSERT OR REPLACE INTO learned_edges(test_id, qualname, path, body_hash)"
                                     " VALUES(?,?,?,?)", [(test_id, *e) for e in edges[test_id]])

    def learned_tests(self) -> dict[str, tuple[str, float | None, str | None]]:
        rows = self.conn.execute("SELECT test_id, outcome, seconds, message FROM learned_tests")
        return {t: (o, s, m) for t, o, s, m in rows}

    def learned_edge_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM learned_edges").fetchone()[0]

    def stale_learned_tests(self) -> dict[str, list[str]]:
        """test id -> qualnames it executed whose body changed or vanished."""
        rows = self.conn.execute(
            "SELECT e.test_id, e.qualname FROM learned_edges e WHERE NOT EXISTS (SELECT 1 FROM names n"
            " JOIN symbol_rows s ON s.qualname = n.id WHERE n.text = e.qualname AND s.body_hash = e.body_hash)")
        out: dict[str, list[str]] = {}
        for test_id, qualname in rows:
            out.setdefault(test_id, []).append(qualname)
        return out

    def learned_orphans(self, paths) -> list[tuple[str, str]]:
        """(test id, qualname) of learned edges into functions of these files
        that no longer exist (deleted or renamed code the tests executed)."""
        paths = list(paths)
        if not paths:
            return []
        rows = self.conn.execute(
            f"SELECT e.test_id, e.qualname FROM learned_edges e WHERE e.path IN ({','.join('?' * len(paths))})"
            " AND NOT EXISTS (SELECT 1 FROM names n JOIN symbol_rows s ON s.qualname = n.id"
            " WHERE n.text = e.qualname)", paths)
        return [(t, q) for t, q in rows]

    def learned_reaching(self, qualname: str) -> list[tuple[str, str, bool]]:
        """(test id, qualname executed, stale) for tests that executed the
        symbol or anything nested in it (methods of a class, inner functions)."""
        rows = self.conn.execute(
            "SELECT e.test_id, e.qualname, NOT EXISTS (SELECT 1 FROM names n JOIN symbol_rows s"
            " ON s.qualname = n.id WHERE n.text = e.qualname AND s.body_hash = e.body_hash) FROM learned_edges e"
            " WHERE e.qualname = ? OR (e.qualname >= ? AND e.qualname < ?)",
            (qualname, qualname + ".", qualname + "/"))
        return [(t, q, bool(stale)) for t, q, stale in rows]


class RefColumns:
    """A file's references as the columns of `ref_rows`, names still text:
    sl, sc, el, ec (el NULL where the reference ends on its first line, ec
    NULL where it ends with its name), name, kind, enclosing, target,
    confidence, how. Built where references are resolved (a cold build's
    workers): columns pickle without a tuple per row, and the writer stores
    them without a Python step per row (issue 17)."""

    __slots__ = ("count", "columns")

    def __init__(self, count: int, columns: tuple):
        self.count, self.columns = count, columns

    def __len__(self) -> int:
        return self.count

    def __reduce__(self):
        return RefColumns, (self.count, self.columns)

    @classmethod
    def of(cls, rows) -> RefColumns:
        """From (span, name, kind, enclosing, target, confidence, how) rows."""
        if not rows:
            return cls(0, ())
        spans, names, kinds, enclosings, targets, confidences, hows = zip(*rows)
        sl, sc, el, ec = zip(*spans)
        ec = tuple([None if l == s and n and e == c + len(n) else e
                    for s, c, l, e, n in zip(sl, sc, el, ec, names)])
        el = tuple([None if l == s else l for s, l in zip(sl, el)])
        return cls(len(rows), (sl, sc, el, ec, names, kinds, enclosings, targets, confidences, hows))


class _Transaction:
    def __init__(self, store: Store):
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        self.store._write_lock.acquire()
        conn = self.store.conn
        conn.execute("BEGIN IMMEDIATE")
        self.store._sizes_forgotten = False
        self.store._names.check(conn)
        return conn

    def __exit__(self, exc_type, exc, tb) -> None:
        conn = self.store.conn
        try:
            if exc_type is None:
                conn.execute("COMMIT")
            else:
                self.store._names.forget()  # names interned in this transaction are gone
                conn.execute("ROLLBACK")
        finally:
            self.store._write_lock.release()


def symbol_row(sym, is_member: bool, parent_qualname: str | None) -> tuple:
    return (
        sym.name, sym.qualname, sym.kind, *sym.span, *sym.name_span, sym.signature,
        sym.docstring, parent_qualname, int(sym.is_test), int(is_member),
        ",".join(sym.flags), json.dumps(list(sym.decorators)) if sym.decorators else None,
        json.dumps(sym.params) if sym.params else None, sym.body_hash, sym.body_line,
    )


def database_schema(path: Path) -> int:
    """The schema version of a database file (a downloaded snapshot)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM files").fetchone()
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def install_database(index_dir: Path, new_file: Path) -> None:
    """Make `new_file` the index's database (no Store may be open on it)."""
    target = Path(index_dir) / DB_NAME
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    new_file.replace(target)
