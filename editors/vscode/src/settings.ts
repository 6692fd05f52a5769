// VS Code settings (the `codemeld.*` section) -> the server's
// initializationOptions. Names follow server/host/options.py; the LLM endpoint
// goes nested under "llm" ({baseUrl, model, apiKey}), as
// indexer/explain/llm.py reads it. Values left unset are not sent, so the
// server's own defaults apply and it never warns about a blank setting.

export interface Settings {
  indexDir?: string | null;
  exclude?: string[];
  maxFileSize?: number;
  jobs?: number;
  debounceMs?: number;
  watch?: boolean;
  minConfidence?: number;
  features?: Record<string, unknown>;
  llm?: { baseUrl?: string; model?: string; apiKey?: string };
}

/** Feature switches the server knows (server/host/options.py `Features`). */
export const FEATURES = [
  "definition",
  "references",
  "hover",
  "documentSymbol",
  "workspaceSymbol",
  "callHierarchy",
  "typeHierarchy",
  "codeLens",
  "documentHighlight",
  "rename",
  "codeAction",
  "willRenameFiles",
] as const;

/** Settings read by the server: changing one restarts it. Others are client-side only. */
export const SERVER_KEYS = [
  "serverPath",
  "serverArgs",
  "indexDir",
  "exclude",
  "maxFileSize",
  "jobs",
  "debounceMs",
  "watch",
  "minConfidence",
  "features",
  "llm",
] as const;

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

function nonEmpty(v: unknown): v is string {
  return typeof v === "string" && v.trim().length > 0;
}

export function initializationOptions(s: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (nonEmpty(s.indexDir)) out.indexDir = s.indexDir.trim();
  if (Array.isArray(s.exclude) && s.exclude.length) out.exclude = s.exclude.filter(nonEmpty);
  if (isCount(s.maxFileSize)) out.maxFileSize = s.maxFileSize;
  if (isCount(s.jobs)) out.jobs = s.jobs;
  if (isCount(s.debounceMs)) out.debounceMs = s.debounceMs;
  if (typeof s.watch === "boolean") out.watch = s.watch;
  if (typeof s.minConfidence === "number" && s.minConfidence >= 0 && s.minConfidence <= 1) {
    out.minConfidence = s.minConfidence;
  }
  const features: Record<string, boolean> = {};
  for (const name of FEATURES) {
    const v = s.features?.[name];
    if (typeof v === "boolean") features[name] = v;
  }
  if (Object.keys(features).length) out.features = features;
  // No base URL means no LLM: then nothing is sent, and no code leaves the machine.
  if (s.llm && nonEmpty(s.llm.baseUrl)) {
    const llm: Record<string, string> = { baseUrl: s.llm.baseUrl.trim() };
    if (nonEmpty(s.llm.model)) llm.model = s.llm.model.trim();
    if (nonEmpty(s.llm.apiKey)) llm.apiKey = s.llm.apiKey;
    out.llm = llm;
  }
  return out;
}
