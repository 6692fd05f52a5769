// The codemeld LSP extension contract (DESIGN.md, "Contracts"), as plain types.
// No vscode imports: the pure modules and their Node unit tests share these.

export const Methods = {
  impact: "codemeld/impact",
  explain: "codemeld/explain",
  search: "codemeld/search",
  status: "codemeld/status",
} as const;

// Server-side commands (workspace/executeCommand). The extension's own
// VS Code command ids must differ from these: vscode-languageclient registers
// every command the server advertises as a VS Code command of the same id,
// and a second registration of one id throws.
export const ServerCommands = {
  impact: "codemeld.impact",
  explain: "codemeld.explain",
  search: "codemeld.search",
  reindex: "codemeld.reindex",
} as const;

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface SymbolInfo {
  name: string;
  qualname: string;
  kind: string;
  uri?: string; // absent when the server did not know the folder's URI; then path is relative to the root
  path: string;
  range: Range; // the whole definition
  selectionRange?: Range; // its name: where an editor puts the selection
}

export interface Dependent {
  symbol: SymbolInfo;
  depth: number;
  kind: string;
  confidence: number;
  via: string[];
}

export interface AffectedTest {
  id: string;
  symbol: SymbolInfo;
  depth: number;
  confidence: number;
  via: string[];
}

export interface Breaking {
  path: string;
  range: Range;
  message: string;
}

export interface ImpactReport {
  target: SymbolInfo;
  dependents: Dependent[];
  tests: AffectedTest[];
  files: string[];
  breaking: Breaking[];
  summary: { dependents: number; tests: number; files: number; maxDepth: number; truncated: boolean };
}

export interface Explanation {
  qualname?: string;
  markdown: string;
  short?: string;
  source?: string; // "llm" | "structural" | "cache"...
  model?: string | null;
  note?: string | null; // why a configured model was not used (endpoint down...)
}

export interface SearchResult {
  symbol: SymbolInfo;
  score: number;
  snippet?: string;
  // "semantic" (embeddings + full text), or "text": names, qualified names and
  // docstrings only, while the semantic index is still being built.
  source?: "semantic" | "text";
}

export interface IndexStatus {
  state: "indexing" | "ready";
  files: number;
  symbols: number;
  references: number;
  pending: number;
  indexDir: string | null;
  // The semantic index: "off" | "waiting" | "loading model" | "embedding" | "ready" | "unavailable".
  embeddings?: string;
}

/** A place to open: what a tree item or a quick pick item jumps to. */
export interface Location {
  uri: string;
  range: Range;
}
