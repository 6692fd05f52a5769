"""Explanations by position: what editors ask (a path, a 0-based line, a
UTF-16 column) turned into the qualname the explain service takes.

The symbol at a position is the one hover and go-to-definition mean: the
definition under the cursor, or what the name under the cursor refers to.
"""

from __future__ import annotations

from indexer.explain.service import Explanation, explain, hover_summary
from indexer.graph.model import Symbol
from indexer.graph.query import Graph


def symbol_at(graph: Graph, path: str, line: int, character: int, enclosing: bool = False) -> Symbol | None:
    """The workspace symbol the name at this position means; with
    `enclosing`, the innermost class/function around it when the position
    is on no name (explaining "this function" from inside its body)."""
    found = graph.definitions_at(path, line, character)
    if found:
        return found[0]
    return graph.enclosing_symbol(path, line) if enclosing else None


def explain_at(graph: Graph, path: str, line: int, character: int, **kwargs) -> Explanation | None:
    """`explain(graph, qualname, **kwargs)` for the symbol at a position;
    None when there is nothing to explain there. Blocking (may ask a model)."""
    sym = symbol_at(graph, path, line, character, enclosing=True)
    if sym is None:
        return None
    try:
        return explain(graph, sym.qualname, **kwargs)
    except KeyError:  # the symbol vanished between the two queries (a concurrent edit)
        return None


def hover_line(graph: Graph, path: str, line: int, character: int, model: str | None = None,
               brief: bool = False) -> str:
    """The one-line explanation hover shows above the signature for the
    symbol at a position ("" when there is none). Never touches the network:
    a cached model answer still valid for the symbol (naming its model; pass
    the configured `model` so its answers are found), else the structural
    summary from the graph."""
    sym = symbol_at(graph, path, line, character)
    if sym is None:
        return ""
    return hover_summary(graph, sym.qualname, model=model, brief=brief)
