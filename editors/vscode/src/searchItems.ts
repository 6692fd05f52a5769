// codemeld/search results -> QuickPick items, and the bookkeeping that keeps
// a slow answer to an old query from replacing a newer one.
import { kindIcon } from "./impactTree";
import { locationOf, shortPlace } from "./locations";
import type { Location, SearchResult } from "./protocol";

export interface SearchItem {
  label: string;
  description: string;
  detail?: string;
  location?: Location;
}

/** First non-blank line of a snippet, trimmed to fit one QuickPick row. */
export function snippetLine(snippet: string | undefined, max = 100): string | undefined {
  const line = (snippet ?? "").split(/\r?\n/).find((l) => l.trim().length > 0)?.trim();
  if (!line) return undefined;
  return line.length > max ? line.slice(0, max - 1) + "…" : line;
}

export function toSearchItems(results: SearchResult[], rootUri: string | undefined): SearchItem[] {
  return results.map((r) => ({
    label: `$(${kindIcon(r.symbol.kind)}) ${r.symbol.name}`,
    description: `${r.symbol.qualname} · ${shortPlace(r.symbol.path, r.symbol.selectionRange ?? r.symbol.range)}${r.source === "text" ? " · text match" : ""}`,
    detail: snippetLine(r.snippet),
    location: locationOf(r.symbol, rootUri),
  }));
}

/**
 * The QuickPick's title: says when answers are full-text only because the
 * semantic index is still being built (the server marks such hits
 * `source: "text"`), or why there is no semantic index at all.
 */
export function searchTitle(results: SearchResult[] | undefined, embeddings: string | undefined): string | undefined {
  if (embeddings === "off" || embeddings === "unavailable") return `Text matches only: the semantic index is ${embeddings}`;
  const textOnly = results?.some((r) => r.source === "text");
  const building = embeddings !== undefined && !["ready", "off", "unavailable"].includes(embeddings);
  if (textOnly || (building && !results?.length)) {
    const state = building ? ` (${embeddings})` : "";
    return `Text matches (names, docstrings): the semantic index is still being built${state}; search again when it is ready`;
  }
  return undefined;
}

/** Queries shorter than this are not sent: one letter matches everything. */
export const MIN_QUERY_LENGTH = 2;

export function shouldSearch(query: string): boolean {
  return query.trim().length >= MIN_QUERY_LENGTH;
}

/**
 * Hands out a ticket per query; only the newest ticket's answer is shown.
 * Requests are also cancelled, but a response may already be in flight.
 */
export class LatestOnly {
  private latest = 0;
  next(): number {
    return ++this.latest;
  }
  isCurrent(ticket: number): boolean {
    return ticket === this.latest;
  }
}
