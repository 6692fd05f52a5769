"""Which uses of a class hand a test an instance of it (impact's receiver
rule, see impact_precision): a call, a subclass, a fixture, and an
annotation where it types what a function *returns* (a factory,
`__getattr__ -> C`) or a class attribute. A parameter annotation
(`def invoke(self, cli: BaseCommand)`) makes no instance: the caller passes
one it got elsewhere, and that is where the walk must find it. On click,
`CliRunner.invoke(cli: BaseCommand)` made every test that invokes a command
look like it held a bare `BaseCommand`, so the abstract `BaseCommand.parse_args`
(overridden by every command class) kept every such test.

The class walk still follows such an edge, with the guard token `PASSED`
that no test gives (impact_guards.requirements): a test reached only that
way is listed, ruled out, never dropped."""

from __future__ import annotations

import re

from indexer.graph.query import Graph
from indexer.graph.vocab import RefKind, SymbolKind

ENABLED = True  # the switch tests turn off to show what the rule changes
PASSED = "$passed"  # the guard of an edge that hands over an instance made elsewhere

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def return_annotation(signature: str) -> str | None:
    """The text after the top-level `->` of a def header, or None."""
    depth = 0
    for i, ch in enumerate(signature):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "-" and depth == 0 and signature.startswith("->", i):
            return signature[i + 2:]
    return None


# A function typed to return a collection of C (`-> List[C]`, `Iterator[C]`)
# hands out instances it holds, made elsewhere (click: `get_params(ctx) ->
# List[Parameter]` returns the command's own, so every command test looked
# like it held a bare `Parameter`, whose `add_to_parser` every subclass overrides).
CONTAINER_RULE = True
_COLLECTION = re.compile(r"\b(?:List|list|Sequence|Iterable|Iterator|Generator|Collection|Set|set|FrozenSet|"
                         r"frozenset|Tuple|tuple|Dict|dict|Mapping|MutableMapping|MutableSequence)\s*\[")


def _outside_collections(text: str) -> str:
    """The annotation with the arguments of its collection subscripts blanked."""
    out, i = [], 0
    for match in _COLLECTION.finditer(text):
        if match.start() < i:
            continue
        out.append(text[i:match.end()])
        depth, j = 1, match.end()
        while j < len(text) and depth:
            depth += {"[": 1, "]": -1}.get(text[j], 0)
            j += 1
        out.append("]")
        i = j
    out.append(text[i:])
    return "".join(out)


class ParameterAnnotations:
    """Memoised per walk: (class, user) pairs whose only annotation uses
    type a parameter of the user, a function."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.names: dict[str, dict[str, set[str]]] = {}  # class -> user -> names used in annotations

    def only_parameters(self, cls: str, user) -> bool:
        if not ENABLED or user is None or user.kind not in (SymbolKind.FUNCTION, SymbolKind.METHOD):
            return False  # a class attribute's annotation (`x: C`) or a module's: kept
        if cls not in self.names:
            by_user: dict[str, set[str]] = {}
            for ref in self.graph.references_of_kinds(cls, (RefKind.ANNOTATION,)):
                by_user.setdefault(ref.enclosing, set()).add(ref.name.rpartition(".")[2])
            self.names[cls] = by_user
        names = self.names[cls].get(user.qualname)
        if not names:
            return False
        returned = return_annotation(user.signature or "")
        if returned is None:
            return True
        if CONTAINER_RULE:
            returned = _outside_collections(returned)
        return not names & set(_WORD.findall(returned))
