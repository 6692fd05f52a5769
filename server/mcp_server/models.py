"""Typed results of the MCP tools: their JSON Schema is each tool's
outputSchema, their JSON the structured content. Lines are 1-based (as an
agent reads and edits files); columns are 1-based UTF-16 code units (equal to
characters in ASCII lines)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Page(BaseModel):
    total: int = Field(description="Items in the whole answer.")
    offset: int = Field(description="Index of the first item of this page.")
    returned: int
    next_cursor: str | None = Field(None, description="Pass as `cursor` (same other arguments) for the next page.")


class SymbolInfo(BaseModel):
    qualname: str
    name: str
    kind: str
    language: str = Field("", description="python, typescript, typescriptreact, javascript, javascriptreact, go...")
    path: str
    line: int
    end_line: int
    signature: str = ""
    doc: str = Field("", description="First paragraph of the docstring, capped.")
    is_test: bool = False


class SymbolMatch(SymbolInfo):
    match: str = Field(description="exact, suffix, location or fuzzy")
    references: int = Field(description="Uses across the workspace.")


class SymbolResult(BaseModel):
    query: str
    matches: list[SymbolMatch]
    page: Page


class LocatedSymbolOut(BaseModel):
    qualname: str
    kind: str
    path: str
    line: int
    score: float
    why: list[str]
    tests: list[str] = Field(default_factory=list, description="Tests that exercise it.")


class LocatedFileOut(BaseModel):
    path: str
    score: float
    why: list[str]
    symbols: list[LocatedSymbolOut]


class LocateResult(BaseModel):
    files: list[LocatedFileOut] = Field(description="Files to read or change, best first.")
    symbols: list[LocatedSymbolOut] = Field(description="Definitions to read or change, best first.")
    traceback_frames: int = Field(description="Frames read from a pasted traceback.")
    embeddings: bool = Field(description="Whether the semantic index contributed.")
    seconds: float


class MapEntryOut(BaseModel):
    kind: str
    name: str
    path: str
    line: int
    depth: int
    centrality: float
    purpose: str
    omitted: int = Field(description="Children that did not fit the budget (zoom in with `path`).")


class MapResult(BaseModel):
    scope: str
    text: str = Field(description="The map, one entry per line, indented by level.")
    tokens: int = Field(description="Estimated tokens of `text` (4 characters each).")
    budget_tokens: int
    total_entries: int
    entries: list[MapEntryOut]


class ReferenceOut(BaseModel):
    path: str
    language: str = ""
    line: int
    column: int
    kind: str
    confidence: float
    how: str = Field(description="Which rule resolved it (import, scope, self, mro, name-match...).")
    enclosing: str | None = None
    text: str = Field("", description="The source line, stripped.")


class ReferencesResult(BaseModel):
    target: SymbolInfo
    references: list[ReferenceOut]
    files: int
    page: Page


class DefinitionOut(SymbolInfo):
    confidence: float
    how: str


class DefinitionResult(BaseModel):
    query: str
    definitions: list[DefinitionOut]
    outside_workspace: list[str] = Field(default_factory=list,
                                         description="Targets defined outside the workspace (stdlib, packages).")


class CallOut(BaseModel):
    symbol: SymbolInfo
    lines: list[int] = Field(description="Lines of the call sites, in `path`.")
    path: str
    confidence: float
    how: str


class CallsResult(BaseModel):
    target: SymbolInfo
    calls: list[CallOut]
    page: Page


class DependentOut(BaseModel):
    symbol: SymbolInfo
    depth: int
    kind: str
    confidence: float
    via: list[str]


class TestOut(BaseModel):
    id: str
    depth: int
    confidence: float


class ImpactResult(BaseModel):
    target: SymbolInfo
    dependents: list[DependentOut]
    tests: list[TestOut]
    files: list[str]
    truncated: bool
    page: Page


class ExplainResult(BaseModel):
    qualname: str
    text: str
    tokens: int
    dropped: list[str] = Field(default_factory=list, description="Parts left out to fit the budget.")


class SearchHitOut(BaseModel):
    symbol: SymbolInfo
    score: float
    snippet: str


class SearchResult(BaseModel):
    query: str
    engine: str = Field(description="semantic (embeddings + full text) or lexical (BM25 over code)")
    hits: list[SearchHitOut]
    page: Page


class EditOut(BaseModel):
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    new_text: str
    certain: bool
    reason: str


class PreviewResult(BaseModel):
    edit_id: str = Field(description="Pass to `apply_edit` to write these edits. Nothing is written before.")
    title: str
    target: str
    diff: str = Field(description="Unified diff of every edit (uncertain ones included).")
    diff_truncated: bool
    files: list[str]
    edits: int
    uncertain: list[EditOut] = Field(description="Edits that need a look: applied only with include_uncertain.")


class ApplyResult(BaseModel):
    edit_id: str
    files_changed: list[str]
    edits_applied: int
    uncertain_skipped: int
    reindexed: bool


class ProgressOut(BaseModel):
    done: int
    total: int
    message: str


class StatusResult(BaseModel):
    root: str
    index_dir: str
    state: str = Field(description="indexing or ready")
    files: int
    symbols: int
    references: int
    pending: int
    embeddings: str
    progress: ProgressOut | None = None
