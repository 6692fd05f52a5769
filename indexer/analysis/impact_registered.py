"""Callables registered through a function and looked up later (issue 12,
pathspec): a module hands its class to a registration function, which
stores its parameter in a module-level dict; whoever reads an item of that
dict runs what was registered.

    # util.py
    _registered_patterns = {}

    def register_pattern(name, pattern_factory):
        _registered_patterns[name] = pattern_factory

    def lookup_pattern(name):
        return _registered_patterns[name]

    # patterns/gitwildmatch.py
    util.register_pattern('gitwildmatch', GitWildMatchPattern)

    # pathspec.py
    pattern_factory = util.lookup_pattern(pattern_factory)
    patterns = [pattern_factory(line) for line in lines if line]

No use links `lookup_pattern` to `GitWildMatchPattern`: the class is read
once, at module level, as an argument. Without this rule none of the tests
that build a `PathSpec.from_lines('gitwildmatch', ...)` reached the
pattern's `__init__`.

The rule: a read of X on the same line as a call of a workspace function R
whose body stores one of its parameters into an item of a module-level
name D (`D[key] = param`) makes every other function that reads an item of
D (`D[k]`, `D.get(k)`) a user of X, as a call (how "registry"). Read from
the references and the reading lines' text, memoised per index version.
"""

from __future__ import annotations

import re

from indexer.analysis.impact_flags import FLAG
from indexer.analysis.impact_guards import _lines
from indexer.graph.vocab import How, RefKind, SymbolKind

RULE = True  # switch, for its test
# ... and a callable a module stores into its own registry directly, with no
# registration function (`checker_lookup_functions.append(builtin_checker_lookup)`,
# read by `for lookup_func in checker_lookup_functions:`, typeguard; a switch).
DIRECT = True
# The registration's literal key (`register_pattern('gitwildmatch', ...)`)
# taints the registry link softly, as a flag does (impact_flags): its tests
# are ruled out but those that name the key. Off, pathspec's tests of
# `from_lines('gitignore', ...)` kept every `gitwildmatch` pattern. A switch.
KEYED = True
_KEY = re.compile(r"""['"]([A-Za-z_][\w.-]*)['"]""")
_STORE = re.compile(r"^\s*([A-Za-z_]\w*)\s*\[[^\]]*\]\s*=\s*([A-Za-z_]\w*)\s*(#.*)?$")
_FUNCTIONS = (SymbolKind.FUNCTION, SymbolKind.METHOD)
_NAMES = (SymbolKind.VARIABLE, SymbolKind.CONSTANT)


def registry_users(walk, node: str) -> list[tuple[str, str, float, str]]:
    """Synthetic call uses (enclosing, kind, confidence, how) of `node` by
    the readers of the registries it is registered into."""
    if not RULE:
        return []
    key = ("registry users", node)
    if key not in walk.memo:
        out: dict[str, tuple] = {}
        keys: dict[str, set] = {}
        sym = walk.symbol(node)
        if sym is not None and (sym.kind in _FUNCTIONS or sym.kind == SymbolKind.CLASS):
            for ref in walk.graph.references_of_kinds(node, (RefKind.READ,)):
                if not ref.enclosing:
                    continue
                line = ref.range.start.line
                for registry in _stored_directly(walk, ref, node) if DIRECT else ():
                    # `checker_lookup_functions.append(builtin_checker_lookup)`
                    for user in _readers(walk, registry, ""):
                        out.setdefault(user, (user, RefKind.CALL, How.REGISTRY.confidence, How.REGISTRY))
                        keys.setdefault(user, set()).add(None)
                for use in walk.uses_in(ref.enclosing):
                    if use.kind != RefKind.CALL or use.range.start.line != line or not use.target:
                        continue
                    for registry in _registries(walk, use.target):
                        literal = _literal_key(walk, ref.path, line)
                        for user in _readers(walk, registry, use.target):
                            out.setdefault(user, (user, RefKind.CALL, How.REGISTRY.confidence, How.REGISTRY))
                            keys.setdefault(user, set()).add(literal)
        walk.memo[key] = list(out.values())
        walk.memo[("registry keys", node)] = {
            user: frozenset([FLAG + next(iter(found))]) for user, found in keys.items()
            if len(found) == 1 and None not in found}
    return walk.memo[key]


def registry_key(walk, callee: str, user: str, how: str) -> frozenset[str]:
    """The flag token a registry link of `registry_users` carries: the one
    literal key `callee` (or the class whose constructor it is) is registered
    under (empty: none, or not such a link)."""
    if not (RULE and KEYED) or how not in (How.REGISTRY, How.CONSTRUCTOR):
        return frozenset()
    if how == How.CONSTRUCTOR:  # `__init__` entered through its class's registry link
        callee = callee.rpartition(".")[0]
    return walk.memo.get(("registry keys", callee), {}).get(user, frozenset())


def _literal_key(walk, path: str, line: int) -> str | None:
    """The one string literal on the registering line, if one."""
    lines = _lines(walk.graph.root / path)
    found = _KEY.findall(lines[line]) if line < len(lines) else []
    return found[0] if len(found) == 1 and found[0].isidentifier() else None


def _registries(walk, function: str) -> frozenset[str]:
    """The module-level names `function` stores one of its parameters into
    (`D[name] = param`), memoised."""
    key = ("registries of", function)
    if key not in walk.memo:
        found: set[str] = set()
        sym = walk.symbol(function)
        if sym is not None and sym.kind in _FUNCTIONS:
            lines = _lines(walk.graph.root / sym.path)
            uses = walk.uses_in(function)
            for number in range(sym.range.start.line, min(sym.range.end.line + 1, len(lines))):
                match = _STORE.match(lines[number])
                if match is None:
                    continue
                param = walk.symbol(f"{function}.{match.group(2)}")
                if param is None or param.kind != SymbolKind.PARAMETER:
                    continue
                for use in uses:
                    if use.range.start.line == number and use.name == match.group(1) and use.target \
                            and _module_level(walk, use.target):
                        found.add(use.target)
        walk.memo[key] = frozenset(found)
    return walk.memo[key]


def _stored_directly(walk, ref, node: str) -> list[str]:
    """The module-level names the reading line stores `node` into itself:
    `D.append(X)`, `D.insert(0, X)`, `D.add(X)`, `D[key] = X`."""
    lines = _lines(walk.graph.root / ref.path)
    line = ref.range.start.line
    text = lines[line] if line < len(lines) else ""
    name = re.escape(node.rsplit(".", 1)[-1])
    match = re.match(rf"^\s*([A-Za-z_]\w*)\s*(?:\.(?:append|appendleft|insert|add)\((?:[^,()]*,\s*)?{name}\s*\)"
                     rf"|\[[^\]]*\]\s*=\s*{name}\b)", text)
    if match is None:
        return []
    return [use.target for use in walk.uses_in(ref.enclosing)
            if use.range.start.line == line and use.name == match.group(1) and use.target
            and _module_level(walk, use.target)]


def _module_level(walk, qualname: str) -> bool:
    sym = walk.symbol(qualname)
    parent = walk.symbol(sym.parent) if sym is not None and sym.parent else None
    return sym is not None and sym.kind in _NAMES and parent is not None and parent.kind == SymbolKind.MODULE


def _readers(walk, registry: str, storer: str) -> list[str]:
    """The functions, other than the storer, that read an item of the
    registry (`D[k]`, `D.get(k)` on the reading line), memoised."""
    key = ("registry readers", registry, storer)
    if key not in walk.memo:
        name = re.escape(registry.rsplit(".", 1)[-1])
        item = re.compile(rf"\b{name}\s*(\[|\.get\()")
        loop = re.compile(rf"^\s*for\b.*\bin\s+{name}\s*:") if DIRECT else None  # `for f in D:`
        out: dict[str, None] = {}
        for ref in walk.graph.references_of_kinds(registry, (RefKind.READ,)):
            user = walk.symbol(ref.enclosing) if ref.enclosing else None
            if user is None or user.kind not in _FUNCTIONS or user.qualname == storer:
                continue
            lines = _lines(walk.graph.root / ref.path)
            line = ref.range.start.line
            if line < len(lines) and (item.search(lines[line], ref.range.start.character)
                                      or (loop is not None and loop.search(lines[line]))):
                out.setdefault(user.qualname)
        walk.memo[key] = list(out)
    return walk.memo[key]
