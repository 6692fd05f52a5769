// Lifecycle only: start the client, restart it on request or when a
// server-side setting changes, stop it on deactivate. What the server is and
// how to reach it lives in server.ts; commands and views in their modules.
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { Commands, registerCommands } from "./commands";
import { ExplainDocuments } from "./explainView";
import { ImpactView } from "./impactView";
import { INSTALL_COMMAND } from "./findServer";
import { createClient, locateServer, readSettings } from "./server";
import { SERVER_KEYS } from "./settings";
import { StatusBar } from "./statusBar";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let statusBar: StatusBar;
let pending: Promise<void> = Promise.resolve(); // start/stop never overlap

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration("codemeld");
  const found = locateServer(config);
  if (!found.ok) {
    statusBar.setClient(undefined, "notFound");
    output.appendLine(found.message);
    // Not awaited: activation must not wait for the user to read the message.
    void vscode.window.showErrorMessage(found.message, "Open Settings", "Copy Install Command").then((choice) => {
      if (choice === "Open Settings") {
        void vscode.commands.executeCommand("workbench.action.openSettings", "codemeld.serverPath");
      } else if (choice === "Copy Install Command") {
        void vscode.env.clipboard.writeText(INSTALL_COMMAND);
      }
    });
    return;
  }
  const { command, args } = found.server;
  output.appendLine(`starting ${command} ${args.join(" ")}`);
  const next = createClient(command, args, readSettings(config), output, {
    // Progress still shows as VS Code's native notification (next); the
    // status bar listens in on the same stream.
    handleWorkDoneProgress: (token, params, nextHandler) => {
      statusBar.onProgress(token, params);
      nextHandler(token, params);
    },
  });
  statusBar.setClient(undefined, "starting");
  try {
    await next.start();
    client = next;
    statusBar.setClient(client, "running");
  } catch (err) {
    statusBar.setClient(undefined, "failed");
    output.appendLine(`codemeld server failed to start: ${err instanceof Error ? err.message : String(err)}`);
    output.show(true);
  }
}

async function stop(): Promise<void> {
  const old = client;
  client = undefined;
  statusBar.setClient(undefined, "stopped");
  if (old) {
    try {
      await old.stop();
    } catch {
      // already dead: nothing to stop
    }
  }
}

function restart(): Promise<void> {
  pending = pending.then(stop).then(start);
  return pending;
}

export function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("codemeld");
  statusBar = new StatusBar(Commands.status);
  const impactView = new ImpactView();
  const explainDocs = new ExplainDocuments();
  context.subscriptions.push(
    output,
    statusBar,
    impactView,
    explainDocs,
    ...registerCommands({
      client: () => client,
      restart,
      refreshStatus: () => statusBar.refresh(),
      impactView,
      explainDocs,
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (SERVER_KEYS.some((key) => e.affectsConfiguration(`codemeld.${key}`))) void restart();
    }),
  );
  pending = pending.then(start);
  return pending;
}

export function deactivate(): Promise<void> {
  return (pending = pending.then(stop));
}
