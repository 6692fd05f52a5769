// Symbol -> Location. The server sends `uri` when it knows the folder; a
// bare `path` is relative to the workspace root, so join it onto the root URI.
import type { Location, Range, SymbolInfo } from "./protocol";

export function joinUri(rootUri: string, relativePath: string): string {
  const base = rootUri.endsWith("/") ? rootUri : rootUri + "/";
  const encoded = relativePath
    .split("/")
    .filter((part) => part.length > 0)
    .map(encodeURIComponent)
    .join("/");
  return base + encoded;
}

export function symbolUri(symbol: Pick<SymbolInfo, "uri" | "path">, rootUri: string | undefined): string | undefined {
  if (symbol.uri) return symbol.uri;
  if (/^[a-z][a-z0-9+.-]*:/i.test(symbol.path)) return symbol.path; // already a URI
  return rootUri ? joinUri(rootUri, symbol.path) : undefined;
}

/** Where to open an item: its name (selectionRange) when the server sent one, never the whole body. */
export function locationOf(
  item: { uri?: string; path: string; range: Range; selectionRange?: Range },
  rootUri: string | undefined,
): Location | undefined {
  const uri = symbolUri(item, rootUri);
  return uri ? { uri, range: item.selectionRange ?? item.range } : undefined;
}

/** "shop/cart.py:12" — 1-based line, as people read it. */
export function shortPlace(path: string, range: Range): string {
  return `${path}:${range.start.line + 1}`;
}
