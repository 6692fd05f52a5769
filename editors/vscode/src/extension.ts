// Lifecycle only: start the client, restart it on request or when a
// server-side setting changes, stop it on deactivate. What the server is and
// how to reach it lives in server.ts; commands and views in their modules.
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { Commands, registerCommands } from "./commands";
import { AffectedTests } from "./affectedTests";
import { ExplainView } from "./explainView";
import { ImpactView } from "./impactView";
import { INSTALL_COMMAND } from "./findServer";
import { RestartPolicy } from "./restartPolicy";
import { createClient, locateServer, readSettings } from "./server";
import { SERVER_KEYS } from "./settings";
import { StatusBar } from "./statusBar";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let statusBar: StatusBar;
let pending: Promise<void> = Promise.resolve(); // start/stop never overlap

/**
 * Settings -> the editor that shows codemeld.serverPath where it takes
 * effect. The setting is machine-overridable: in a remote window (ssh, WSL,
 * containers, code-server) VS Code reads it from the Remote settings, and the
 * User tab would show "No Settings Found".
 */
export function openServerPathSetting(): Thenable<unknown> {
  const args = { query: "codemeld.serverPath" };
  return vscode.env.remoteName
    ? vscode.commands.executeCommand("workbench.action.openRemoteSettings", args)
    : vscode.commands.executeCommand("workbench.action.openSettings", args);
}

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration("codemeld");
  const found = locateServer(config);
  if (!found.ok) {
    statusBar.setClient(undefined, "notFound");
    output.appendLine(found.message);
    // Not awaited: activation must not wait for the user to read the message.
    void vscode.window.showErrorMessage(found.message, "Open Settings", "Copy Install Command").then((choice) => {
      if (choice === "Open Settings") {
        void openServerPathSetting();
      } else if (choice === "Copy Install Command") {
        void vscode.env.clipboard.writeText(INSTALL_COMMAND);
      }
    });
    return;
  }
  const { command, args } = found.server;
  output.appendLine(`starting ${command} ${args.join(" ")} --stdio (found by ${found.server.source})`);
  const policy = new RestartPolicy();
  const next = createClient(command, args, readSettings(config), output, {
    // Progress still shows as VS Code's native notification (next); the
    // status bar listens in on the same stream.
    handleWorkDoneProgress: (token, params, nextHandler) => {
      statusBar.onProgress(token, params);
      nextHandler(token, params);
    },
  }, policy);
  statusBar.setClient(undefined, "starting");
  try {
    await next.start();
    // start() can resolve although the server exited during initialize (the
    // close handler chose not to restart it): only a running client counts.
    if (!next.isRunning()) throw new Error("the server exited during startup (see the codemeld output channel)");
    policy.started();
    client = next;
    statusBar.setClient(client, "running");
  } catch (err) {
    statusBar.setClient(undefined, "failed");
    const message = err instanceof Error ? err.message : String(err);
    output.appendLine(`codemeld server failed to start: ${message}`);
    // Disposed, so nothing retries or tries to stop it later; disposing a
    // client that never ran throws "not running", which is expected here.
    await next.dispose().catch(() => undefined);
    void vscode.window
      .showErrorMessage(`codemeld: the server (${command}) failed to start: ${message}`, "Show Output", "Open Settings")
      .then((choice) => {
        if (choice === "Show Output") output.show(true);
        else if (choice === "Open Settings") void openServerPathSetting();
      });
  }
}

async function stop(): Promise<void> {
  const old = client;
  client = undefined;
  statusBar.setClient(undefined, "stopped");
  if (old) {
    try {
      await old.dispose();
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
  const affectedTests = new AffectedTests(() =>
    vscode.workspace.getConfiguration("codemeld").get<string>("pytestCommand", "pytest"),
  );
  const impactView = new ImpactView(affectedTests);
  const explainView = new ExplainView();
  context.subscriptions.push(
    output,
    statusBar,
    affectedTests,
    impactView,
    explainView,
    ...registerCommands({
      client: () => client,
      restart,
      refreshStatus: () => statusBar.refresh(),
      impactView,
      explainView,
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
