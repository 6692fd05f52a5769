// Semantic search: a QuickPick that asks codemeld/search as the user types.
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { IndexStatus, Methods, SearchResult } from "./protocol";
import { LatestOnly, SearchItem, searchTitle, shouldSearch, toSearchItems } from "./searchItems";
import { openLocation, rootUriFor } from "./vscodeLocations";

const DEBOUNCE_MS = 150; // one request per pause in typing, not per keystroke

type PickItem = vscode.QuickPickItem & { item: SearchItem };

export async function semanticSearch(client: LanguageClient, limit: number): Promise<void> {
  const pick = vscode.window.createQuickPick<PickItem>();
  pick.placeholder = "codemeld: describe what you are looking for";
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  const tickets = new LatestOnly();
  let timer: NodeJS.Timeout | undefined;
  let inflight: vscode.CancellationTokenSource | undefined;
  const rootUri = rootUriFor(vscode.window.activeTextEditor?.document);
  let embeddings: string | undefined;
  const refreshState = async () => {
    try {
      embeddings = (await client.sendRequest<IndexStatus>(Methods.status, {})).embeddings;
    } catch {
      embeddings = undefined;
    }
  };
  void refreshState().then(() => (pick.title = searchTitle(undefined, embeddings)));

  const search = async (query: string) => {
    inflight?.cancel();
    if (!shouldSearch(query)) {
      pick.items = [];
      pick.busy = false;
      return;
    }
    const ticket = tickets.next();
    inflight = new vscode.CancellationTokenSource();
    pick.busy = true;
    try {
      const results = await client.sendRequest<SearchResult[]>(Methods.search, { query, limit }, inflight.token);
      if (!tickets.isCurrent(ticket)) return;
      if (results?.some((r) => r.source === "text") || embeddings !== "ready") await refreshState();
      pick.title = searchTitle(results ?? [], embeddings);
      pick.items = toSearchItems(results ?? [], rootUri).map((item) => ({
        label: item.label,
        description: item.description,
        detail: item.detail,
        // The server already ranked these; VS Code must not filter them away by label.
        alwaysShow: true,
        item,
      }));
    } catch (err) {
      if (tickets.isCurrent(ticket)) pick.items = [];
      if (!(err instanceof Error && /cancel/i.test(err.message))) {
        void vscode.window.showErrorMessage(`codemeld search failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    } finally {
      if (tickets.isCurrent(ticket)) pick.busy = false;
    }
  };

  pick.onDidChangeValue((value) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void search(value), DEBOUNCE_MS);
  });
  pick.onDidAccept(async () => {
    const chosen = pick.selectedItems[0]?.item.location;
    pick.hide();
    if (chosen) await openLocation(chosen, false);
  });
  pick.onDidHide(() => {
    if (timer) clearTimeout(timer);
    inflight?.cancel();
    pick.dispose();
  });
  pick.show();
}
