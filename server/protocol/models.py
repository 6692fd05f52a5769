"""The `codemeld/*` result shapes (DESIGN.md "Contracts"). Names are the
JSON names (camelCase where the contract says so), so a model dumps as the
wire shape with no alias table. Positions are LSP's: 0-based lines, UTF-16
columns. Dump with `wire(model)` (unset optional fields stay absent)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


# An optional field is absent from the wire when unset (`wire()` drops it);
# these may also be sent as null, and say so in the generated TypeScript.
NULLABLE = {"x-nullable": True}


class Wire(BaseModel):
    def wire(self) -> dict:
        return self.model_dump(mode="json", exclude_unset=True)


class Position(Wire):
    line: int
    character: int


class Range(Wire):
    start: Position
    end: Position


class SymbolInfo(Wire):
    name: str
    qualname: str
    kind: str
    uri: str | None = Field(None, description="Absent when the server did not know the folder's URI; then path is "
                                              "relative to the root.")
    path: str
    range: Range = Field(description="The whole definition.")
    selectionRange: Range | None = Field(None, description="Its name: where an editor puts the selection.")
    language: str | None = Field(None, description="The file's language (python, typescript, typescriptreact, "
                                                   "javascript, javascriptreact, go...).")


class Dependent(Wire):
    symbol: SymbolInfo
    depth: int
    kind: str
    confidence: float
    via: list[str]
    source: str | None = Field(None, description="static, learned or both")
    how: str | None = Field(None, description="The rule that found the last link: import, self, alias...")


class AffectedTest(Wire):
    id: str = Field(description="pytest node id")
    symbol: SymbolInfo | None
    depth: int
    confidence: float
    via: list[str]
    source: str | None = Field(None, description="static, learned or both")
    stale: bool | None = Field(None, description="Learned before the last change of the code it ran.")


class Breaking(Wire):
    path: str
    range: Range
    message: str
    target: str | None = Field(None, description="The changed definition.")


class ImpactSummary(Wire):
    dependents: int
    tests: int
    files: int
    maxDepth: int
    truncated: bool


class ImpactReport(Wire):
    """`codemeld/impact` and `codemeld impact --json`."""

    target: SymbolInfo
    dependents: list[Dependent]
    tests: list[AffectedTest]
    files: list[str]
    breaking: list[Breaking]
    summary: ImpactSummary


class ChangedSymbol(Wire):
    symbol: SymbolInfo
    lines: list[int]


class SelectionSummary(Wire):
    changedSymbols: int
    tests: int
    learned: int


class AffectedTests(Wire):
    """`codemeld/affectedTests` and `codemeld tests affected --json`."""

    changed: list[ChangedSymbol]
    files: list[str]
    unownedLines: dict[str, list[int]]
    tests: list[AffectedTest]
    summary: SelectionSummary
    pytestArgs: list[str] | None = Field(None, description="The test ids as pytest arguments (LSP only).")


class Explanation(Wire):
    """`codemeld/explain` and `codemeld explain --json`."""

    qualname: str | None = None
    markdown: str
    short: str | None = None
    source: str | None = Field(None, description='"llm", "structural", "cache"...')
    model: str | None = Field(None, json_schema_extra=NULLABLE)
    note: str | None = Field(None, description="Why a configured model was not used (endpoint down...).",
                             json_schema_extra=NULLABLE)
    pack: dict | None = Field(None, description="What the context pack held (CLI only).")


class SearchResult(Wire):
    """One hit of `codemeld/search`."""

    symbol: SymbolInfo
    score: float
    snippet: str | None = None
    source: Literal["semantic", "text"] | None = Field(
        None, description="semantic (embeddings + full text), or text: names, qualified names and docstrings "
                          "only, while the semantic index is still being built.")


class FolderStatus(Wire):
    name: str | None = None
    root: str | None = None
    state: str
    files: int
    symbols: int
    references: int
    pending: int
    indexDir: str | None
    cancelled: bool | None = None
    embeddings: str | None = None
    # While a cold index runs: open documents already answer (partially) from a first wave.
    partial: bool | None = None
    firstAnswers: list[str] | None = None


class IndexStatus(Wire):
    """`codemeld/status`: totals over all folders, and each folder's own."""

    state: Literal["indexing", "ready"]
    files: int
    symbols: int
    references: int
    pending: int
    indexDir: str | None
    embeddings: str | None = None
    partial: bool | None = None  # some folder answers from part of its files (see FolderStatus)
    folders: list[FolderStatus] | None = None


# Every result model, in the order protocol.ts lists them.
RESULTS: list[type[Wire]] = [Position, Range, SymbolInfo, Dependent, AffectedTest, Breaking, ImpactSummary,
                             ImpactReport, ChangedSymbol, SelectionSummary, AffectedTests, Explanation,
                             SearchResult, FolderStatus, IndexStatus]

# LSP extension requests and server commands (DESIGN.md "Contracts").
METHODS = {"impact": "codemeld/impact", "explain": "codemeld/explain", "search": "codemeld/search",
           "status": "codemeld/status", "affectedTests": "codemeld/affectedTests"}
COMMANDS = {"impact": "codemeld.impact", "explain": "codemeld.explain", "search": "codemeld.search",
            "reindex": "codemeld.reindex"}


class Location(Wire):
    """A place to open: what a tree item or a quick pick item jumps to."""

    uri: str
    range: Range


RESULTS.append(Location)
