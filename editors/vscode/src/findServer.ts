// Which command starts the server: the codemeld.serverPath setting, else
// the workspace's own virtual environment (`.venv/bin/codemeld`, trusted
// workspaces only: it is code from the workspace), else `codemeld` on PATH,
// else an error that says how to install it and where the setting goes.
// File-system access is injected so tests need no real files.
import * as path from "node:path";

export const INSTALL_COMMAND = "pipx install codemeld";

export interface ServerCommand {
  command: string;
  args: string[];
  source: "setting" | "venv" | "path";
}

export type FindResult = { ok: true; server: ServerCommand } | { ok: false; message: string };

export interface FindInput {
  serverPath?: string; // the setting; "" means unset
  serverArgs?: string[]; // the setting; empty means ["serve"]
  env: Record<string, string | undefined>;
  platform: string; // process.platform
  workspaceFolder?: string; // for relative serverPath and ${workspaceFolder}
  homeDir?: string;
  isExecutable: (file: string) => boolean;
  trusted?: boolean; // workspace trust: only then may the workspace's .venv provide the server
  remoteName?: string; // vscode.env.remoteName: the window runs on another machine (ssh, wsl, code-server...)
}

export const DEFAULT_ARGS = ["serve"];

/**
 * Where `codemeld.serverPath` must be written to take effect. The setting is
 * machine-overridable (each machine has its own path), so in a remote window
 * the local User settings do not apply: VS Code reads the Remote settings.
 */
export function settingsPlace(remoteName: string | undefined): string {
  return remoteName
    ? `the Remote [${remoteName}] settings (User settings do not apply in a remote window) or the workspace settings`
    : "your User or workspace settings";
}

export function notFoundMessage(remoteName?: string): string {
  const where = remoteName ? ` on the ${remoteName} machine` : "";
  return (
    `codemeld: the codemeld language server was not found${where} (not on PATH, no .venv/bin/codemeld in the workspace). ` +
    `Install it with \`${INSTALL_COMMAND}\` (or \`pip install codemeld\` into your project's environment), ` +
    `or set \`codemeld.serverPath\` to the codemeld executable in ${settingsPlace(remoteName)}.`
  );
}

/** `~` and `${workspaceFolder}` expanded; a relative path resolved against the workspace. */
export function expandPath(raw: string, workspaceFolder: string | undefined, homeDir: string | undefined): string {
  let p = raw.trim();
  if (workspaceFolder) p = p.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  if (homeDir && (p === "~" || p.startsWith("~/"))) p = path.join(homeDir, p.slice(1));
  if (!path.isAbsolute(p) && workspaceFolder) p = path.resolve(workspaceFolder, p);
  return p;
}

/** Candidate executable names on this platform: codemeld, or codemeld.exe/.cmd... on Windows. */
function executableNames(name: string, platform: string, env: FindInput["env"]): string[] {
  if (platform !== "win32") return [name];
  const exts = (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";").filter(Boolean);
  return [name, ...exts.map((e) => name + e.toLowerCase())];
}

export function searchPath(name: string, input: Pick<FindInput, "env" | "platform" | "isExecutable">): string | undefined {
  const sep = input.platform === "win32" ? ";" : ":";
  const dirs = (input.env.PATH ?? input.env.Path ?? "").split(sep).filter(Boolean);
  const join = input.platform === "win32" ? path.win32.join : path.posix.join;
  for (const dir of dirs) {
    for (const exe of executableNames(name, input.platform, input.env)) {
      const candidate = join(dir, exe);
      if (input.isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The workspace's virtual environment: `.venv/bin/codemeld` (`.venv\\Scripts\\codemeld.exe` on Windows). */
export function venvServer(input: Pick<FindInput, "workspaceFolder" | "platform" | "env" | "isExecutable">): string | undefined {
  if (!input.workspaceFolder) return undefined;
  const win = input.platform === "win32";
  const join = win ? path.win32.join : path.posix.join;
  const dir = join(input.workspaceFolder, ".venv", win ? "Scripts" : "bin");
  return executableNames("codemeld", input.platform, input.env)
    .map((exe) => join(dir, exe))
    .find((candidate) => input.isExecutable(candidate));
}

export function findServer(input: FindInput): FindResult {
  const args = input.serverArgs && input.serverArgs.length ? [...input.serverArgs] : [...DEFAULT_ARGS];
  if (input.serverPath && input.serverPath.trim()) {
    const command = expandPath(input.serverPath, input.workspaceFolder, input.homeDir);
    if (!input.isExecutable(command)) {
      const where = input.remoteName ? ` on the ${input.remoteName} machine` : "";
      return {
        ok: false,
        message: `codemeld: codemeld.serverPath is "${input.serverPath}", but ${command} is not an executable file${where}.`,
      };
    }
    return { ok: true, server: { command, args, source: "setting" } };
  }
  const venv = input.trusted ? venvServer(input) : undefined;
  if (venv) return { ok: true, server: { command: venv, args, source: "venv" } };
  const found = searchPath("codemeld", input);
  if (found) return { ok: true, server: { command: found, args, source: "path" } };
  return { ok: false, message: notFoundMessage(input.remoteName) };
}
