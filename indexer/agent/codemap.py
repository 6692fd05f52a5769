"""A multi-level map of the codebase, fitted to a token budget.

Levels: packages (folders), modules (files), classes and functions,
methods. Each entry carries a one-line purpose (its docstring's first
sentence; else a hint from its name and kind). What makes the cut is
decided by centrality in the RESOLVED graph: PageRank over use edges
(who calls, reads, imports or subclasses whom), so the symbols everything
else leans on come first. A module's weight is its definitions' sum; a
package's, its modules'. Aider's repo map ranks tree-sitter tags by name
co-occurrence; this one follows edges the resolver proved.

Fitting: entries are taken best first (an entry brings its missing
ancestors along) while the rendered text stays within the budget; since
entries are one short line each, the result lands within a few tokens of
the budget whenever the codebase is larger than it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from indexer.explain.pack import approx_tokens
from indexer.graph.model import Symbol
from indexer.graph.query import Graph
from indexer.graph.vocab import SymbolKind

DAMPING = 0.85
ITERATIONS = 40
MIN_BUDGET = 100
MAX_BUDGET = 50_000
_KINDS = ("module", "class", "function", "method")
_PURPOSE_CHARS = 90
_SIGNATURE_CHARS = 80
_SHORTEST = 12  # characters of the shortest entry worth trying to fit
LEVELS = {"package": 1, "module": 2, "class": 3, "function": 3, "method": 4}


@dataclass(slots=True)
class Node:
    key: str  # folder path, file path, or qualname
    kind: str  # package | module | class | function | method
    label: str
    purpose: str
    path: str
    line: int  # 0-based (0 for packages and modules)
    parent: str | None
    score: float = 0.0
    children: list[str] = field(default_factory=list)
    is_test: bool = False


@dataclass(frozen=True, slots=True)
class MapEntry:
    kind: str
    name: str  # qualname, or the path for packages and modules
    path: str
    line: int  # 1-based
    depth: int  # indentation level in this map
    centrality: float
    purpose: str
    omitted: int  # children this entry has that did not fit


@dataclass(frozen=True, slots=True)
class CodeMap:
    text: str
    entries: tuple[MapEntry, ...]
    tokens: int
    budget: int
    total_entries: int  # entries the zoomed-in scope holds at the asked depth
    scope: str


class _Model:
    """Nodes and centralities for one index version (cached)."""

    def __init__(self, graph: Graph):
        self.version = graph.version()
        self.nodes: dict[str, Node] = {}
        symbols = graph.symbols_of_kinds(_KINDS)
        module_of_path: dict[str, Symbol] = {}
        for sym in symbols:
            if sym.kind == SymbolKind.MODULE:
                module_of_path.setdefault(sym.path, sym)
        for path in sorted({s.path for s in symbols} | set(graph.indexed_paths())):
            self._add_path(path, module_of_path.get(path))
        for sym in symbols:
            if sym.kind == SymbolKind.MODULE:
                continue
            parent = self._owner(sym, module_of_path)
            if parent is None:
                continue  # nested in a function: an implementation detail
            self.nodes[sym.qualname] = Node(sym.qualname, sym.kind, _label(sym), purpose(sym), sym.path,
                                            sym.selection_range.start.line, parent, is_test=sym.is_test)
            self.nodes[parent].children.append(sym.qualname)
        self._rank(graph, module_of_path)
        self.widths = {k: len(_line(n, 0, 0)) for k, n in self.nodes.items()}
        self._scopes: dict[tuple, tuple] = {}

    def scope(self, root_key: str, depth: int, include_tests: bool) -> tuple[set[str], list[str], dict[str, int]]:
        """What a map of this scope may show, best first, and each entry's
        eligible children; cached, as the model is, per index version."""
        key = (root_key, depth, include_tests)
        cached = self._scopes.get(key)
        if cached is not None:
            return cached
        root = self.nodes[root_key]
        # Levels: package 1, module 2, class/function 3, method 4; `depth` more
        # than the scope's own (a folder scope shows its sub-folders at depth 1).
        limit = (_level(root) - (1 if root.kind == "package" else 0)) + depth
        eligible: set[str] = set()
        stack = [root_key]
        while stack:
            current = stack.pop()
            node = self.nodes[current]
            if not include_tests and current != root_key and (node.is_test or _test_module(node)):
                continue
            eligible.add(current)
            stack.extend(c for c in node.children if _level(self.nodes[c]) <= limit)
        order = sorted((k for k in eligible if k != root_key), key=lambda k: -self.nodes[k].score)
        children = {k: n for k in eligible if (n := sum(1 for c in self.nodes[k].children if c in eligible))}
        if len(self._scopes) > 64:
            self._scopes.clear()
        self._scopes[key] = (eligible, order, children)
        return self._scopes[key]

    def _add_path(self, path: str, module: Symbol | None) -> None:
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        self._add_folder(folder)
        doc = purpose(module) if module is not None else ""
        self.nodes[path] = Node(path, "module", path, doc, path, 0, folder or ".")
        self.nodes[folder or "."].children.append(path)

    def _add_folder(self, folder: str) -> None:
        key = folder or "."
        if key in self.nodes:
            return
        parent = None
        if folder:
            up = folder.rsplit("/", 1)[0] if "/" in folder else ""
            self._add_folder(up)
            parent = up or "."
        self.nodes[key] = Node(key, "package", (folder + "/") if folder else "./", "", folder, 0, parent)
        if parent is not None:
            self.nodes[parent].children.append(key)

    def _owner(self, sym: Symbol, modules: dict[str, Symbol]) -> str | None:
        module = modules.get(sym.path)
        if module is not None and sym.parent == module.qualname:
            return sym.path
        if sym.parent in self.nodes and self.nodes[sym.parent].kind == SymbolKind.CLASS:
            return sym.parent
        return None

    def _rank(self, graph: Graph, modules: dict[str, Symbol]) -> None:
        """PageRank over definitions; an edge's end that is not a definition
        here (an attribute, a nested function) counts for its nearest owner."""
        module_path = {m.qualname: p for p, m in modules.items()}
        keys = [k for k, n in self.nodes.items() if n.kind in (SymbolKind.MODULE, SymbolKind.CLASS, SymbolKind.FUNCTION, SymbolKind.METHOD)]
        index = {k: i for i, k in enumerate(keys)}

        def node_of(qualname: str) -> int | None:
            if qualname in index:
                return index[qualname]
            if qualname in module_path:
                return index.get(module_path[qualname])
            while "." in qualname:
                qualname = qualname.rsplit(".", 1)[0]
                if qualname in index:
                    return index[qualname]
                if qualname in module_path:
                    return index.get(module_path[qualname])
            return None

        sources, targets, weights = [], [], []
        for enclosing, target, count in graph.use_counts():
            s, t = node_of(enclosing), node_of(target)
            if s is None or t is None or s == t:
                continue
            sources.append(s)
            targets.append(t)
            weights.append(float(count) ** 0.5)  # many uses from one place count, but less than many places
        n = len(keys)
        if n == 0:
            return
        src = np.array(sources, dtype=np.int64)
        dst = np.array(targets, dtype=np.int64)
        w = np.array(weights, dtype=np.float64)
        out_weight = np.bincount(src, weights=w, minlength=n) if len(src) else np.zeros(n)
        rank = np.full(n, 1.0 / n)
        dangling = out_weight == 0
        share = np.where(out_weight[src] > 0, w / np.maximum(out_weight[src], 1e-12), 0.0) if len(src) else w
        for _ in range(ITERATIONS):
            flow = np.bincount(dst, weights=rank[src] * share, minlength=n) if len(src) else np.zeros(n)
            rank = (1 - DAMPING) / n + DAMPING * (flow + rank[dangling].sum() / n)
        rank = rank / rank.max()
        for key, value in zip(keys, rank):
            node = self.nodes[key]
            node.score = float(value) * (0.3 if node.is_test else 1.0)
        # Containers weigh what they hold (modules also their own rank).
        for key in sorted(self.nodes, key=lambda k: -self._depth(k)):
            node = self.nodes[key]
            if node.kind in ("module", "package"):
                node.score += sum(self.nodes[c].score for c in node.children)

    def _depth(self, key: str) -> int:
        depth = 0
        node = self.nodes[key]
        while node.parent is not None:
            depth += 1
            node = self.nodes[node.parent]
        return depth


def purpose(sym: Symbol | None) -> str:
    """One line: the docstring's first sentence, else a hint from the name."""
    if sym is None:
        return ""
    doc = " ".join(sym.docstring.strip().split("\n\n", 1)[0].split())
    if doc:
        end = doc.find(". ")
        doc = doc[:end + 1] if 0 < end < _PURPOSE_CHARS else doc
        return doc if len(doc) <= _PURPOSE_CHARS else doc[:_PURPOSE_CHARS - 1].rstrip() + "…"
    if sym.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD) and sym.name.startswith("test"):
        return "test"
    if sym.name in ("__init__", "__post_init__"):
        return "constructor"
    return ""


def _label(sym: Symbol) -> str:
    signature = sym.signature or f"{sym.kind} {sym.name}"
    if sym.kind == SymbolKind.METHOD:
        signature = signature.replace("(self, ", "(").replace("(self)", "()").replace("(cls, ", "(")
    if len(signature) > _SIGNATURE_CHARS:
        signature = signature[:_SIGNATURE_CHARS - 1] + "…"
    return signature


_CACHE: dict[str, _Model] = {}
_LOCK = threading.Lock()


def _model(graph: Graph) -> _Model:
    key = str(graph.store.index_dir)
    version = graph.version()
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None and cached.version == version:
        return cached
    built = _Model(graph)
    with _LOCK:
        _CACHE[key] = built
    return built


def clamp_budget(budget: int) -> int:
    return max(MIN_BUDGET, min(int(budget), MAX_BUDGET))


def build_map(graph: Graph, path: str = "", depth: int = 4, budget_tokens: int = 2000,
              include_tests: bool = False) -> CodeMap:
    """The map under `path` (a folder, a file, or a class/module qualname;
    "" for everything), `depth` levels below it, within `budget_tokens`.
    Raises KeyError when the path names nothing indexed."""
    budget = clamp_budget(budget_tokens)
    depth = max(1, min(int(depth), 4))
    model = _model(graph)
    root_key = _scope(model, path)
    # Levels: package 1, module 2, class/function 3, method 4; `depth` more
    # than the scope's own (a folder scope shows its sub-folders at depth 1).
    eligible, order, eligible_children = model.scope(root_key, depth, include_tests)
    # Accounting in characters (tokens are estimated as chars / 4 on the
    # whole text). A new container pays for its "[+N]" marker as if none of
    # its children fit; markers only shrink as children are added, so a
    # second pass spends what that over-estimate left.
    budget_chars = budget * 4 - 3
    levels = {root_key: 0}

    def cost(key: str) -> int:
        count = eligible_children.get(key, 0)
        return model.widths[key] + 2 * levels[key] + 1 + (len(f" [+{count}]") if count else 0)

    chosen: set[str] = {root_key}
    added: list[list[str]] = []

    def fill(used: int) -> None:
        for key in order:
            if budget_chars - used < _SHORTEST:
                return
            if key in chosen or model.widths[key] > budget_chars - used:
                continue
            missing = []
            cursor = key
            while cursor not in chosen:
                missing.append(cursor)
                cursor = model.nodes[cursor].parent
            for m in reversed(missing):
                levels[m] = levels[model.nodes[m].parent] + 1
            extra = sum(cost(m) for m in missing)
            if used + extra > budget_chars:
                continue  # a cheaper entry further down may still fit
            chosen.update(missing)
            added.append(missing)
            used += extra

    fill(cost(root_key))
    for _ in range(3):
        used = len(_render(model, root_key, chosen, eligible)[0])
        if used >= budget_chars - 40:
            break
        fill(used)
    while added and len(_render(model, root_key, chosen, eligible)[0]) > budget_chars:
        chosen.difference_update(added.pop())
    text, entries = _render(model, root_key, chosen, eligible)
    return CodeMap(text, tuple(entries), approx_tokens(text), budget, len(eligible), root_key)


def _render(model: _Model, root_key: str, chosen: set[str], eligible: set[str]) -> tuple[str, list[MapEntry]]:
    entries: list[MapEntry] = []
    lines: list[str] = []

    def walk(key: str, level: int) -> None:
        node = model.nodes[key]
        kids = [c for c in node.children if c in chosen]
        omitted = sum(1 for c in node.children if c in eligible and c not in chosen)
        lines.append(_line(node, level, omitted))
        entries.append(MapEntry(node.kind, node.key, node.path, node.line + 1, level, round(node.score, 6),
                                node.purpose, omitted))
        for child in sorted(kids, key=lambda c: (-model.nodes[c].score, c)):
            walk(child, level + 1)

    walk(root_key, 0)
    return "\n".join(lines) + "\n", entries


def _level(node: Node) -> int:
    return LEVELS[node.kind]


def _test_module(node: Node) -> bool:
    name = node.path.rsplit("/", 1)[-1]
    parts = node.path.split("/")
    return (node.kind in ("module", "package") and
            (name.startswith("test_") or name == "conftest.py" or name.endswith("_test.py")
             or "tests" in parts or "test" in parts))


def _line(node: Node, level: int, omitted: int) -> str:
    text = "  " * level + node.label
    if node.purpose:
        text += " — " + node.purpose
    if omitted:
        text += f" [+{omitted}]"
    return text


def _scope(model: _Model, path: str) -> str:
    path = path.strip().strip("/")
    if not path or path == ".":
        return "."
    if path in model.nodes:
        return path
    for candidate in (path + ".py", path.replace(".", "/") + ".py", path.replace(".", "/") + "/__init__.py",
                      path.replace(".", "/")):
        if candidate in model.nodes:
            return candidate
    raise KeyError(path)
