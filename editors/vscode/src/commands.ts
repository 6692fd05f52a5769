// The extension's commands. Each asks the running client one codemeld
// request and hands the answer to a view; none holds state of its own.
import * as vscode from "vscode";
import { ExecuteCommandRequest, LanguageClient } from "vscode-languageclient/node";
import { ExplainView } from "./explainView";
import { ImpactView } from "./impactView";
import { Explanation, ImpactReport, IndexStatus, Methods, ServerCommands } from "./protocol";
import { semanticSearch } from "./searchPick";
import { statusReport } from "./statusText";
import { rootUriFor } from "./vscodeLocations";

export const Commands = {
  explain: "codemeld.explainSymbol",
  impact: "codemeld.showImpact",
  runTests: "codemeld.runAffectedTests",
  search: "codemeld.semanticSearch",
  reindex: "codemeld.reindexWorkspace",
  restart: "codemeld.restartServer",
  status: "codemeld.showStatus",
} as const;

export interface CommandContext {
  client(): LanguageClient | undefined;
  restart(): Promise<void>;
  refreshStatus(): Promise<IndexStatus | undefined>;
  impactView: ImpactView;
  explainView: ExplainView;
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration("codemeld");
}

function runningClient(ctx: CommandContext): LanguageClient | undefined {
  const client = ctx.client();
  if (!client || !client.isRunning()) {
    void vscode.window.showWarningMessage("codemeld: the server is not running (see the codemeld output channel).");
    return undefined;
  }
  return client;
}

/** textDocument + position of the cursor, in protocol form. */
function cursorParams(client: LanguageClient) {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage("codemeld: put the cursor on a symbol in a Python file first.");
    return undefined;
  }
  return {
    editor,
    params: client.code2ProtocolConverter.asTextDocumentPositionParams(editor.document, editor.selection.active),
  };
}

function reportError(what: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  void vscode.window.showErrorMessage(`codemeld ${what} failed: ${message}`);
}

async function explain(ctx: CommandContext): Promise<void> {
  const client = runningClient(ctx);
  const at = client && cursorParams(client);
  if (!client || !at) return;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: "codemeld: explaining…" },
      () => client.sendRequest<Explanation | null>(Methods.explain, at.params),
    );
    if (!result) {
      void vscode.window.showInformationMessage("codemeld: no symbol to explain at the cursor.");
      return;
    }
    const wordRange = at.editor.document.getWordRangeAtPosition(at.editor.selection.active);
    const name = result.qualname || (wordRange && at.editor.document.getText(wordRange)) || "symbol";
    await ctx.explainView.show(name, result, at.editor.viewColumn);
  } catch (err) {
    reportError("explain", err);
  }
}

async function impact(ctx: CommandContext): Promise<void> {
  const client = runningClient(ctx);
  const at = client && cursorParams(client);
  if (!client || !at) return;
  const params: Record<string, unknown> = { ...at.params };
  const depth = config().get<number | null>("impact.depth", null);
  const limit = config().get<number | null>("impact.limit", null);
  if (typeof depth === "number") params.depth = depth;
  if (typeof limit === "number") params.limit = limit;
  try {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: "codemeld: computing impact…" },
      () => client.sendRequest<ImpactReport | null>(Methods.impact, params),
    );
    if (!report) {
      void vscode.window.showInformationMessage("codemeld: no symbol at the cursor.");
      return;
    }
    await ctx.impactView.show(report, rootUriFor(at.editor.document));
  } catch (err) {
    reportError("impact", err);
  }
}

async function search(ctx: CommandContext): Promise<void> {
  const client = runningClient(ctx);
  if (client) await semanticSearch(client, config().get<number>("search.limit", 20));
}

async function reindex(ctx: CommandContext): Promise<void> {
  const client = runningClient(ctx);
  if (!client) return;
  try {
    // Sent as a plain workspace/executeCommand so it works whether or not the
    // server advertised the command at initialize.
    await client.sendRequest(ExecuteCommandRequest.type, { command: ServerCommands.reindex, arguments: [] });
    void ctx.refreshStatus();
  } catch (err) {
    reportError("reindex", err);
  }
}

async function showStatus(ctx: CommandContext): Promise<void> {
  if (!runningClient(ctx)) return;
  const status = await ctx.refreshStatus();
  if (!status) {
    void vscode.window.showWarningMessage("codemeld: the server did not answer codemeld/status.");
    return;
  }
  // "OK" comes first, so it is the default button: Enter never starts a
  // full reindex by accident.
  const choice = await vscode.window.showInformationMessage(
    `codemeld index: ${status.state}`,
    { modal: true, detail: statusReport(status) },
    "OK",
    "Reindex Workspace…",
  );
  if (choice === "Reindex Workspace…") await reindex(ctx);
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Commands.explain, () => explain(ctx)),
    vscode.commands.registerCommand(Commands.impact, () => impact(ctx)),
    vscode.commands.registerCommand(Commands.runTests, () => ctx.impactView.runAffectedTests()),
    vscode.commands.registerCommand(Commands.search, () => search(ctx)),
    vscode.commands.registerCommand(Commands.reindex, () => reindex(ctx)),
    vscode.commands.registerCommand(Commands.restart, () => ctx.restart()),
    vscode.commands.registerCommand(Commands.status, () => showStatus(ctx)),
  ];
}
