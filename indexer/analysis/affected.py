"""Affected tests of a change: a git diff (or an edited buffer) -> the
changed symbols (by line ranges) -> the tests that reach them, statically
(the impact walk) and from learned runs (`codemeld tests learn`).

A changed test function selects itself; a changed line outside any function
selects the innermost symbol around it (a class, a module-level variable);
lines at module level with no symbol (imports, bare statements) select
nothing but are reported, so the caller can say so.
"""

from __future__ import annotations

import difflib
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from indexer.analysis.impact import AffectedTest, impact, test_node_id
from indexer.graph.model import Symbol
from indexer.graph.query import Graph
from indexer.graph.vocab import SymbolKind

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
# A changed symbol's impact is walked this far for test selection; a bounded
# limit keeps a change to a hub answering in well under a second.
SELECT_LIMIT = 5000
# The default selection keeps every statically found test, whatever its
# confidence: a cut chosen on click (the largest keeping its recall >= 0.85)
# is 0 at the default depth, and on the other measured projects every cut
# cost more recall than the goal allows (evals/impact.py prints the rows).
# Tests a rule along their chain rules out are listed at confidence 0
# (impact.RULED_OUT_CONFIDENCE) and left out here.
DEFAULT_MIN_CONFIDENCE = 1e-9


class DiffError(RuntimeError):
    """git could not produce the diff (not a repository, unknown revision)."""


@dataclass(frozen=True, slots=True)
class ChangedSymbol:
    symbol: Symbol
    lines: tuple[int, ...]  # 0-based changed lines inside it


@dataclass
class Selection:
    changed: list[ChangedSymbol] = field(default_factory=list)
    unowned: dict[str, list[int]] = field(default_factory=dict)  # path -> changed module-level lines
    tests: dict[str, AffectedTest] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # changed workspace files

    def ids(self) -> list[str]:
        return sorted(self.tests)


def git_changes(root: Path, staged: bool = False, since: str | None = None) -> dict[str, list[int]]:
    """path (relative to root, POSIX) -> changed 0-based lines of the new
    version. Default: the working tree against HEAD (staged and unstaged);
    `staged`: the index against HEAD; `since`: the working tree against REV.
    A deleted range marks the line where it was."""
    args = ["git", "-C", str(root), "diff", "--unified=0", "--no-color", "--no-ext-diff", "--relative"]
    if staged:
        args.append("--cached")
    args.append(since or "HEAD")
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        raise DiffError(f"cannot run git: {exc}") from exc
    if done.returncode != 0:
        raise DiffError(done.stderr.strip() or f"git diff exited with {done.returncode}")
    changes = parse_diff(done.stdout)
    if not staged:
        # Untracked files are changes too (new tests, new modules).
        listed = subprocess.run(["git", "-C", str(root), "ls-files", "--others", "--exclude-standard"],
                                capture_output=True, text=True, timeout=120)
        for rel in listed.stdout.splitlines():
            path = root / rel
            if rel.endswith(".py") and path.is_file():
                count = len(path.read_bytes().splitlines()) or 1
                changes[rel] = list(range(count))
    return changes


def parse_diff(text: str) -> dict[str, list[int]]:
    out: dict[str, set[int]] = {}
    path = None
    for line in text.splitlines():
        if line.startswith("+++ "):
            name = line[4:].strip()
            path = None if name == "/dev/null" else name[2:] if name.startswith("b/") else name
            if path is not None:
                out.setdefault(path, set())
        elif line.startswith("@@") and path is not None:
            match = _HUNK.match(line)
            if not match:
                continue
            start, count = int(match.group(3)), int(match.group(4) if match.group(4) is not None else 1)
            if count == 0:  # lines deleted after line `start` (1-based): both neighbours
                if start > 0:
                    out[path].add(start - 1)
                out[path].add(start)
            else:
                out[path].update(range(start - 1, start - 1 + count))
    return {p: sorted(lines) for p, lines in out.items()}


def text_changes(old: str, new: str) -> list[int]:
    """Changed 0-based lines of `new` against `old` (an unsaved buffer
    against its saved state)."""
    lines: set[int] = set()
    matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        lines.update(range(j1, j2) if j2 > j1 else (j1,))
    return sorted(lines)


_OWNER_KINDS = ("function", "method", "class", "variable", "constant", "attribute")


def changed_symbols(graph: Graph, changes: dict[str, list[int]]) -> tuple[list[ChangedSymbol], dict[str, list[int]]]:
    """The innermost symbol holding each changed line, per file."""
    found: dict[str, tuple[Symbol, list[int]]] = {}
    unowned: dict[str, list[int]] = {}
    for path, lines in changes.items():
        # (only those around the changed lines: building every symbol of a
        # large file was a fifth of the stdlib selection benchmark's time)
        symbols = graph.symbols_overlapping(path, min(lines), max(lines), _OWNER_KINDS) if lines else []
        for line in lines:
            holders = [s for s in symbols if s.range.start.line <= line <= s.range.end.line]
            code = [s for s in holders if s.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD)]
            if code:
                # Inside a function its locals are no symbols of their own: the function changed.
                holders = code + [s for s in holders if s.kind == SymbolKind.CLASS and s.range.start.line >
                                  max(c.range.start.line for c in code)]
            if not holders:
                unowned.setdefault(path, []).append(line)
                continue
            inner = min(holders, key=lambda s: (s.range.end.line - s.range.start.line, -s.range.start.line))
            key = f"{inner.path}\0{inner.qualname}"
            found.setdefault(key, (inner, []))[1].append(line)
    return [ChangedSymbol(s, tuple(lines)) for s, lines in found.values()], unowned


def select(graph: Graph, changes: dict[str, list[int]], depth: int | None = None,
           min_confidence: float = DEFAULT_MIN_CONFIDENCE,
           learned: bool = True) -> Selection:
    """The tests affected by changed lines.

    With learned edges, a test that a recorded run already observed is
    selected only when that run saw it execute a changed symbol (even if the
    code has changed since: the edge is stale but still says which tests ran
    the old version); the static walk adds the tests no run has observed yet
    (new tests, tests outside the learned slice). Without learned edges the
    static walk alone decides."""
    selection = Selection(files=sorted(p for p in changes if p.endswith((".py", ".pyi"))))
    changed, unowned = changed_symbols(graph, {p: changes[p] for p in selection.files})
    selection.changed, selection.unowned = changed, unowned
    observed = {t for t, (outcome, _s, _m) in graph.store.learned_tests().items()
                if outcome in ("passed", "failed", "skipped")} if learned else set()
    for item in changed:
        sym = item.symbol
        if sym.is_test and sym.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD):
            test_id = test_node_id(sym, graph.symbol)
            selection.tests.setdefault(test_id, AffectedTest(test_id, sym, 0, 1.0, (sym.qualname,)))
        report = impact(graph, sym.qualname, depth=depth, limit=SELECT_LIMIT, learned=learned)
        # Code no recorded run executed (new, moved, or never covered): the
        # static walk decides for it alone.
        unseen = not any(t.source != "static" for t in report.tests)
        for test in report.tests:
            if test.source == "static" and (test.confidence < min_confidence or (test.id in observed and not unseen)):
                continue
            held = selection.tests.get(test.id)
            selection.tests[test.id] = test if held is None else _combined(test, held)
    if learned:
        # Tests that executed code the change removed (its functions are gone
        # from the index, their learned edges remain).
        for test_id, qualname in graph.store.learned_orphans(selection.files):
            if test_id not in selection.tests:
                selection.tests[test_id] = AffectedTest(test_id, None, 1, 1.0, (qualname,), "learned", True)
    return selection


def _better(a: AffectedTest, b: AffectedTest) -> bool:
    return (a.confidence, -a.depth) > (b.confidence, -b.depth)


def _combined(a: AffectedTest, b: AffectedTest) -> AffectedTest:
    """The surer of two findings of one test, with both sources."""
    best = a if _better(a, b) else b
    sources = {a.source, b.source}
    source = "both" if "both" in sources or sources == {"static", "learned"} else best.source
    return AffectedTest(best.id, best.symbol, best.depth, best.confidence, best.via, source, a.stale and b.stale)


def buffer_changes(root: Path, overlays: dict[str, bytes], git: bool = True) -> dict[str, list[int]]:
    """Changed lines of the current state as an editor holds it: uncommitted
    changes on disk (git, when the root is a repository) and, for each
    unsaved buffer, its lines that differ from the file on disk."""
    changes: dict[str, list[int]] = {}
    if git:
        try:
            changes = git_changes(root)
        except DiffError:
            changes = {}  # not a repository: the buffers alone
    for path, text in overlays.items():
        try:
            saved = (root / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            saved = ""
        lines = text_changes(saved, text.decode("utf-8", errors="replace"))
        if lines:
            # The index holds the buffer: its lines replace the disk's diff.
            changes[path] = lines
    return changes


def select_for_editor(graph: Graph, overlays: dict[str, bytes], git: bool = True) -> Selection:
    """The tests affected by the current change as the editor sees it."""
    return select(graph, buffer_changes(graph.root, overlays, git))
