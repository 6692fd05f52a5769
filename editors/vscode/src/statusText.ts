// Index state -> the status bar item's text and tooltip.
import type { IndexStatus } from "./protocol";

export interface Progress {
  title?: string;
  message?: string;
  percentage?: number;
}

export type ClientState = "starting" | "running" | "stopped" | "notFound" | "failed";

export interface StatusView {
  text: string;
  tooltip: string;
}

export function formatCount(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  if (n >= 1_000) return `${(n / 1000).toFixed(1)}k`;
  return String(n);
}

export function statusView(client: ClientState, status?: IndexStatus, progress?: Progress): StatusView {
  switch (client) {
    case "notFound":
      return { text: "$(error) codemeld: no server", tooltip: "codemeld server not found: set codemeld.serverPath or install codemeld" };
    case "failed":
      return { text: "$(error) codemeld", tooltip: "The codemeld server failed to start; see the codemeld output channel" };
    case "stopped":
      return { text: "$(circle-slash) codemeld", tooltip: "codemeld server stopped" };
    case "starting":
      return { text: "$(sync~spin) codemeld", tooltip: "Starting the codemeld server" };
  }
  // The graph is ready while the embeddings are still being built: every
  // graph feature works, so say ready, and what is still running beside it.
  if (progress && status?.state === "ready" && /embedding/i.test(progress.title ?? "")) {
    const pct = progress.percentage !== undefined ? ` ${Math.round(progress.percentage)}%` : "";
    const counts = `${status.files} files, ${status.symbols} symbols, ${status.references} references`;
    return {
      text: `$(check) codemeld ${formatCount(status.symbols)} $(sync~spin) embedding${pct}`,
      tooltip: `Index ready: ${counts}\n${[progress.title, progress.message].filter(Boolean).join(": ")}` +
        "\nUntil the semantic index is ready, Semantic search matches names and docstrings",
    };
  }
  // Progress arrives as $/progress while indexing; it is fresher than the last status poll.
  if (progress) {
    const pct = progress.percentage !== undefined ? ` ${Math.round(progress.percentage)}%` : "";
    const detail = [progress.title, progress.message].filter(Boolean).join(": ");
    return { text: `$(sync~spin) codemeld${pct}`, tooltip: detail || "codemeld: indexing" };
  }
  if (!status) return { text: "$(sync~spin) codemeld", tooltip: "codemeld: waiting for the index" };
  const counts = `${status.files} files, ${status.symbols} symbols, ${status.references} references`;
  const where = status.indexDir ? `\nindex: ${status.indexDir}` : "";
  if (status.state === "indexing") {
    return { text: `$(sync~spin) codemeld: indexing`, tooltip: `Indexing… ${counts}${where}` };
  }
  const pending = status.pending > 0 ? ` (${status.pending} pending)` : "";
  return {
    text: `$(check) codemeld ${formatCount(status.symbols)}`,
    tooltip: `Index ready: ${counts}${pending}\n${semanticLine(status.embeddings)}${where}\nClick for details`,
  };
}

/** One line on the semantic index (embeddings), for the tooltip and the status report. */
export function semanticLine(embeddings: string | undefined): string {
  switch (embeddings) {
    case undefined:
    case "off":
      return "semantic index: off (Semantic search matches names and docstrings only)";
    case "ready":
      return "semantic index: ready";
    case "unavailable":
      return "semantic index: unavailable (see the codemeld output channel); search matches names and docstrings only";
    default:
      return `semantic index: ${embeddings}; until it is ready, Semantic search matches names and docstrings`;
  }
}

/** A multi-line report for the "Show index status" command. */
export function statusReport(status: IndexStatus): string {
  return [
    `state: ${status.state}`,
    `files: ${status.files}`,
    `symbols: ${status.symbols}`,
    `references: ${status.references}`,
    `pending: ${status.pending}`,
    semanticLine(status.embeddings),
    `index: ${status.indexDir ?? "(none)"}`,
  ].join("\n");
}
