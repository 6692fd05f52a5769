// The status bar item: client state, $/progress while indexing, and the
// index counts from codemeld/status (polled, fast while indexing).
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { IndexStatus, Methods } from "./protocol";
import { ClientState, Progress, statusView } from "./statusText";

const POLL_INDEXING_MS = 1000;
const POLL_READY_MS = 15000;

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  private state: ClientState = "stopped";
  private status?: IndexStatus;
  private progress = new Map<string, Progress>(); // token -> latest progress
  private timer?: NodeJS.Timeout;
  private client?: LanguageClient;

  constructor(showStatusCommand: string) {
    this.item.name = "codemeld";
    this.item.command = showStatusCommand;
    this.render();
    this.item.show();
  }

  setClient(client: LanguageClient | undefined, state: ClientState): void {
    this.client = client;
    this.state = state;
    this.status = undefined;
    this.progress.clear();
    this.schedule(0);
    this.render();
  }

  setState(state: ClientState): void {
    this.state = state;
    this.render();
  }

  /** Called from the client middleware for every $/progress notification. */
  onProgress(token: string | number, value: { kind: string; title?: string; message?: string; percentage?: number }): void {
    const key = String(token);
    if (value.kind === "end") {
      this.progress.delete(key);
      this.schedule(0); // the index just changed: fetch fresh counts now
    } else {
      const previous = this.progress.get(key) ?? {};
      this.progress.set(key, {
        title: value.title ?? previous.title,
        message: value.message ?? previous.message,
        percentage: value.percentage ?? previous.percentage,
      });
    }
    this.render();
  }

  async refresh(): Promise<IndexStatus | undefined> {
    const client = this.client;
    if (!client || !client.isRunning()) return undefined;
    try {
      // Always send params: pygls cannot parse a request without them and never answers.
      this.status = await client.sendRequest<IndexStatus>(Methods.status, {});
    } catch {
      this.status = undefined; // an older server without codemeld/status: show the client state only
    }
    this.render();
    return this.status;
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      await this.refresh();
      if (this.client && this.state === "running") {
        const indexing = this.status?.state !== "ready" || this.progress.size > 0;
        this.schedule(indexing ? POLL_INDEXING_MS : POLL_READY_MS);
      }
    }, delay);
  }

  private render(): void {
    const latest = [...this.progress.values()].pop();
    const view = statusView(this.state, this.status, latest);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.item.dispose();
  }
}
