// Which command starts the server: the codemeld.serverPath setting, else
// `codemeld` on PATH (`codemeld serve`), else an error that says how to
// install it. File-system access is injected so tests need no real files.
import * as path from "node:path";

export const INSTALL_COMMAND = "pipx install codemeld";

export interface ServerCommand {
  command: string;
  args: string[];
  source: "setting" | "path";
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
}

export const DEFAULT_ARGS = ["serve"];

export function notFoundMessage(): string {
  return (
    "codemeld: the codemeld language server was not found on PATH. " +
    `Install it with \`${INSTALL_COMMAND}\` (or \`pip install codemeld\` into your project's environment), ` +
    "or set `codemeld.serverPath` to the codemeld executable."
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

export function findServer(input: FindInput): FindResult {
  const args = input.serverArgs && input.serverArgs.length ? [...input.serverArgs] : [...DEFAULT_ARGS];
  if (input.serverPath && input.serverPath.trim()) {
    const command = expandPath(input.serverPath, input.workspaceFolder, input.homeDir);
    if (!input.isExecutable(command)) {
      return { ok: false, message: `codemeld: codemeld.serverPath is "${input.serverPath}", but ${command} is not an executable file.` };
    }
    return { ok: true, server: { command, args, source: "setting" } };
  }
  const found = searchPath("codemeld", input);
  if (found) return { ok: true, server: { command: found, args, source: "path" } };
  return { ok: false, message: notFoundMessage() };
}
