import assert from "node:assert/strict";
import { test } from "node:test";
import { expandPath, findServer, INSTALL_COMMAND, searchPath } from "../src/findServer";

const exists = (...files: string[]) => (f: string) => files.includes(f);

test("the serverPath setting wins, with `serve` as the default argument", () => {
  const r = findServer({
    serverPath: "/opt/cm/bin/codemeld",
    env: { PATH: "/usr/bin" },
    platform: "linux",
    isExecutable: exists("/opt/cm/bin/codemeld", "/usr/bin/codemeld"),
  });
  assert.deepEqual(r, { ok: true, server: { command: "/opt/cm/bin/codemeld", args: ["serve"], source: "setting" } });
});

test("serverArgs replace `serve` (a Python interpreter running `-m server`)", () => {
  const r = findServer({
    serverPath: "${workspaceFolder}/.venv/bin/python",
    serverArgs: ["-m", "server"],
    env: {},
    platform: "linux",
    workspaceFolder: "/ws",
    isExecutable: exists("/ws/.venv/bin/python"),
  });
  assert.ok(r.ok);
  assert.deepEqual(r.server, { command: "/ws/.venv/bin/python", args: ["-m", "server"], source: "setting" });
});

test("a serverPath that is not executable is an error naming the path, not a silent PATH fallback", () => {
  const r = findServer({ serverPath: "~/nope", env: { PATH: "/usr/bin" }, platform: "linux", homeDir: "/home/u", isExecutable: exists("/usr/bin/codemeld") });
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.message : "", /\/home\/u\/nope is not an executable file/);
});

test("else codemeld on PATH, first match wins", () => {
  const r = findServer({ env: { PATH: "/a:/b:/c" }, platform: "linux", isExecutable: exists("/b/codemeld", "/c/codemeld") });
  assert.ok(r.ok);
  assert.deepEqual(r.server, { command: "/b/codemeld", args: ["serve"], source: "path" });
});

test("on Windows PATH uses ; and PATHEXT", () => {
  const found = searchPath("codemeld", {
    env: { Path: "C:\\py\\Scripts;C:\\tools", PATHEXT: ".COM;.EXE" },
    platform: "win32",
    isExecutable: exists("C:\\tools\\codemeld.exe"),
  });
  assert.equal(found, "C:\\tools\\codemeld.exe");
});

test("nothing found: a message with the install command and the setting", () => {
  const r = findServer({ env: { PATH: "/usr/bin" }, platform: "linux", isExecutable: () => false });
  assert.equal(r.ok, false);
  const message = !r.ok ? r.message : "";
  assert.ok(message.includes(INSTALL_COMMAND));
  assert.ok(message.includes("codemeld.serverPath"));
});

test("expandPath", () => {
  assert.equal(expandPath("bin/codemeld", "/ws", undefined), "/ws/bin/codemeld");
  assert.equal(expandPath("~/x", undefined, "/home/u"), "/home/u/x");
  assert.equal(expandPath(" /abs/codemeld ", "/ws", "/home/u"), "/abs/codemeld");
});

test("a trusted workspace's .venv/bin/codemeld comes before PATH; an untrusted one is ignored", () => {
  const input = { env: { PATH: "/usr/bin" }, platform: "linux", workspaceFolder: "/ws", isExecutable: exists("/ws/.venv/bin/codemeld", "/usr/bin/codemeld") };
  const trusted = findServer({ ...input, trusted: true });
  assert.ok(trusted.ok);
  assert.deepEqual(trusted.server, { command: "/ws/.venv/bin/codemeld", args: ["serve"], source: "venv" });
  const untrusted = findServer({ ...input, trusted: false });
  assert.ok(untrusted.ok);
  assert.equal(untrusted.server.command, "/usr/bin/codemeld");
});

test("in a remote window the message says the setting goes in the Remote settings", () => {
  const r = findServer({ env: { PATH: "/usr/bin" }, platform: "linux", isExecutable: () => false, remoteName: "ssh-remote" });
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.message : "", /on the ssh-remote machine.*Remote \[ssh-remote\] settings/);
});
