// Builds the LanguageClient: a command line (from findServer) and the
// settings, passed as initializationOptions. No lifecycle here; extension.ts
// decides when to start and stop.
import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  Executable,
  LanguageClient,
  LanguageClientOptions,
  Middleware,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import { findServer, FindResult } from "./findServer";
import { RestartPolicy } from "./restartPolicy";
import { initializationOptions, Settings } from "./settings";

export const CLIENT_ID = "codemeld"; // also the prefix of the `codemeld.trace.server` setting

/** The languages the server indexes (VS Code language ids): Python,
 * TypeScript and JavaScript with their React variants, and Go. */
export const LANGUAGES = ["python", "typescript", "typescriptreact", "javascript", "javascriptreact", "go"];

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function locateServer(config: vscode.WorkspaceConfiguration): FindResult {
  return findServer({
    serverPath: config.get<string>("serverPath", ""),
    serverArgs: config.get<string[]>("serverArgs", []),
    env: process.env,
    platform: process.platform,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    homeDir: os.homedir(),
    isExecutable,
    trusted: vscode.workspace.isTrusted,
    remoteName: vscode.env.remoteName,
  });
}

export function readSettings(config: vscode.WorkspaceConfiguration): Settings {
  return {
    indexDir: config.get<string | null>("indexDir", null),
    exclude: config.get<string[]>("exclude", []),
    maxFileSize: config.get<number>("maxFileSize"),
    jobs: config.get<number>("jobs"),
    debounceMs: config.get<number>("debounceMs"),
    watch: config.get<boolean>("watch"),
    minConfidence: config.get<number>("minConfidence"),
    features: config.get<Record<string, unknown>>("features", {}),
    llm: {
      baseUrl: config.get<string>("llm.baseUrl", ""),
      model: config.get<string>("llm.model", ""),
      apiKey: config.get<string>("llm.apiKey", ""),
    },
  };
}

/**
 * How the server is spawned. With `transport: stdio` vscode-languageclient
 * appends `--stdio` to the arguments, as for every language server:
 * `codemeld serve --stdio` (the server accepts it; stdio is also its default).
 */
export function serverExecutable(command: string, args: string[]): Executable {
  return { command, args, transport: TransportKind.stdio, options: { env: { ...process.env, PYTHONUNBUFFERED: "1" } } };
}

/**
 * A LanguageClient whose stop() is quiet when there is nothing to stop.
 * vscode-languageclient 9 calls stop() itself when initialize fails, while
 * the client is still "starting"; that stop rejects with "Client is not
 * running and can't be stopped", unhandled, into the extension host log.
 */
export class CodemeldClient extends LanguageClient {
  /**
   * Until the server is running, errors go to the output channel only:
   * extension.ts reports a failed start once, with what to do about it
   * (the library would add "couldn't create connection" and "initialization
   * failed" toasts of its own for the same failure).
   */
  override error(message: string, data?: unknown, showNotification: boolean | "force" = "force"): void {
    super.error(message, data, this.state === State.Running ? showNotification : false);
  }

  override stop(timeout?: number): Promise<void> {
    return super.stop(timeout).catch((err: unknown) => {
      if (this.state !== State.Running && /not running/i.test(String(err))) return;
      throw err;
    });
  }
}

export function createClient(
  command: string,
  args: string[],
  settings: Settings,
  output: vscode.OutputChannel,
  middleware: Middleware,
  policy: RestartPolicy,
): LanguageClient {
  const run = serverExecutable(command, args);
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]),
    initializationOptions: initializationOptions(settings),
    outputChannel: output,
    // A failed start is reported once by extension.ts, with buttons; the
    // output channel is one click away and never forced open.
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    // Without a handler the library shows the raw error ("Pending response
    // rejected since connection got disposed") as a toast of its own.
    initializationFailedHandler: () => false,
    errorHandler: {
      error: () => ({ action: ErrorAction.Continue, handled: true }),
      closed: () => {
        const decision = policy.closed(Date.now());
        output.appendLine(`codemeld server exited: ${decision.reason}`);
        return decision.restart
          ? { action: CloseAction.Restart, handled: true }
          : { action: CloseAction.DoNotRestart, message: decision.reason, handled: !decision.notify };
      },
    },
    middleware,
    // The server watches the disk itself (watchdog) too; these events are the
    // cheap path for changes made in VS Code's own explorer.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.py") },
  };
  return new CodemeldClient(CLIENT_ID, "codemeld", serverOptions, clientOptions);
}
