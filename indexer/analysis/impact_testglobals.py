"""Module-level instances made in a test module (impact_precision rule 2, refined).

The receiver rule (a method runs only in tests that can hold an instance of
its class) is lifted when a module body makes an instance: any code may
reach a module-level object without naming its class. That holds for a
library module, which every test may import. A test module's body is
different: its objects reach the tests of that file, and of the files that
import it, nobody else.

    # tests/test_info.py
    HELLO = Group("hello")          # module level, in a test file

    # tests/test_other.py
    def test_plain(runner): ...     # never holds a Group

Before, `HELLO` lifted the rule for `Group.invoke` in every test of the
suite (click: one `click.Group(...)` in test_info_dict made every command
test look affected by `MultiCommand.invoke`). Now the rule holds, and the
tests of the files that make (or import) such an instance are added to
the holders.
"""

from __future__ import annotations

from indexer.graph.vocab import RefKind, SymbolKind

RULE = True  # switch, for its test


def module_makers(graph, classes: list[str], followed: frozenset[str] = frozenset(),
                  script=lambda module: False, scripts: frozenset[str] = frozenset()) -> frozenset[str] | None:
    """The files whose tests may hold a module-level instance of one of
    `classes`: test files whose body calls one, and the files importing
    those; None when a library module's body makes one (any test may hold it),
    unless that module is in `followed` (its every instance is bound to a
    name the receiver walk follows: impact_bound) or is a `script` (only
    tests import it: counted as a test file). `scripts`: more modules whose
    tests hold one (script modules passing a bound instance on)."""
    modules: set[str] = set()
    for _target, enclosing, _kind, _conf, _how in graph.incoming(classes, RefKind.CALL):
        owner = graph.symbol(enclosing)
        if owner is None or owner.kind != SymbolKind.MODULE:
            continue
        if not RULE or not in_tests(owner.path):
            if RULE and enclosing in followed:
                continue
            if RULE and script(enclosing):
                modules.add(owner.qualname)  # (a script only tests import: impact_bound.SCRIPT_RULE)
                continue
            return None
        modules.add(owner.qualname)
    modules.update(scripts if RULE else ())
    if not modules:
        return frozenset()
    files = {graph.symbol(m).path for m in modules}
    # (`from module import NAME` imports the module's name, not the module)
    names = sorted(modules | {s.qualname for path in files for s in graph.symbols_in_file(path) if s.parent in modules})
    for _target, enclosing, _kind, _conf, _how in graph.incoming(names, RefKind.IMPORT):
        user = graph.symbol(enclosing)
        if user is not None:
            files.add(user.path)
    return frozenset(files)


def in_tests(path: str) -> bool:
    """A test module; a conftest's objects reach every test beneath it (fixtures): not one."""
    parts = path.split("/")
    if parts[-1] == "conftest.py":
        return False
    return any(p in ("tests", "test", "testing") for p in parts[:-1]) or parts[-1].startswith("test_")
