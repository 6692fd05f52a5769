// The affected tests of the last impact report in VS Code's Testing API: a
// TestController lists them (Testing view, gutter), and running them spawns
// pytest with the node ids as arguments (an @file when there are hundreds),
// never keystrokes in a terminal. Outcomes come back from pytest's summary.
import * as cp from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { groupTests } from "./impactTree";
import type { ImpactReport } from "./protocol";
import { outcomeSummary, Outcome, parseOutcomes, pytestInvocation } from "./shell";
import { toRange } from "./vscodeLocations";

export const CONTROLLER_ID = "codemeld.affectedTests";

export class AffectedTests implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController(CONTROLLER_ID, "codemeld: affected tests");
  private readonly profile: vscode.TestRunProfile;
  private cwd?: vscode.Uri;
  private ids: string[] = [];

  constructor(private readonly pytestCommand: () => string) {
    this.profile = this.controller.createRunProfile(
      "Run affected tests (pytest)",
      vscode.TestRunProfileKind.Run,
      (request, token) => this.run(request, token),
      true,
    );
  }

  /** Replace the listed tests with those of `report`. */
  setReport(report: ImpactReport, rootUri: string | undefined): void {
    this.cwd = rootUri ? vscode.Uri.parse(rootUri) : vscode.workspace.workspaceFolders?.[0]?.uri;
    const files: vscode.TestItem[] = [];
    this.ids = [];
    for (const group of groupTests(report.tests, rootUri)) {
      const file = this.controller.createTestItem(`file:${group.path}`, group.path, group.uri ? vscode.Uri.parse(group.uri) : undefined);
      for (const t of group.tests) {
        const item = this.controller.createTestItem(t.id, t.label, t.location ? vscode.Uri.parse(t.location.uri) : undefined);
        if (t.location) item.range = toRange(t.location.range);
        item.description = t.description;
        file.children.add(item);
        this.ids.push(t.id);
      }
      files.push(file);
    }
    this.controller.items.replace(files);
  }

  get count(): number {
    return this.ids.length;
  }

  /** Run every listed test (the Impact view's ▶ button). */
  async runAll(): Promise<void> {
    if (!this.ids.length) {
      void vscode.window.showInformationMessage("codemeld: no affected tests in the last impact report.");
      return;
    }
    const source = new vscode.CancellationTokenSource();
    try {
      await this.run(new vscode.TestRunRequest(undefined, undefined, this.profile), source.token);
    } finally {
      source.dispose();
    }
  }

  private leaves(request: vscode.TestRunRequest): vscode.TestItem[] {
    const out: vscode.TestItem[] = [];
    const excluded = new Set((request.exclude ?? []).map((t) => t.id));
    const visit = (item: vscode.TestItem) => {
      if (excluded.has(item.id)) return;
      if (item.children.size === 0) out.push(item);
      else item.children.forEach(visit);
    };
    if (request.include) request.include.forEach(visit);
    else this.controller.items.forEach(visit);
    return out;
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const tests = this.leaves(request);
    if (!tests.length) return;
    const run = this.controller.createTestRun(request, "codemeld: affected tests");
    tests.forEach((t) => run.started(t));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "codemeld-tests-"));
    const inv = pytestInvocation(this.pytestCommand(), tests.map((t) => t.id), path.join(dir, "node-ids.txt"));
    if (inv.argFile !== undefined) fs.writeFileSync(path.join(dir, "node-ids.txt"), inv.argFile);
    run.appendOutput(`$ ${inv.command} ${inv.args.join(" ")}\r\n`);
    let output = "";
    const started = Date.now();
    const code = await new Promise<number | string>((resolve) => {
      const child = cp.spawn(inv.command, inv.args, { cwd: this.cwd?.fsPath, env: { ...process.env, PYTHONUNBUFFERED: "1" } });
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        output += text;
        run.appendOutput(text.replace(/\r?\n/g, "\r\n"));
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("error", (err) => resolve(err.message));
      child.on("close", (status) => resolve(status ?? -1));
      token.onCancellationRequested(() => child.kill());
    });
    fs.rmSync(dir, { recursive: true, force: true });
    const outcomes = parseOutcomes(output);
    const seen: Outcome[] = [];
    const duration = Date.now() - started;
    for (const t of tests) {
      const outcome = outcomes.get(t.id);
      if (outcome === "passed") run.passed(t, duration / tests.length);
      else if (outcome === "failed") run.failed(t, new vscode.TestMessage(`${t.id} failed: see the test output`));
      else if (outcome === "errored") run.errored(t, new vscode.TestMessage(`${t.id}: error (see the test output)`));
      else run.skipped(t);
      seen.push(outcome ?? "skipped");
    }
    run.end();
    const summary = typeof code === "string" ? `pytest could not start: ${code}` : outcomeSummary(seen);
    const message = `codemeld: ${tests.length} affected test${tests.length === 1 ? "" : "s"}: ${summary}`;
    const failed = typeof code === "string" || seen.some((o) => o === "failed" || o === "errored");
    const show = failed ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(message, "Show Output").then((choice) => {
      if (choice === "Show Output") void vscode.commands.executeCommand("testing.showMostRecentOutput");
    });
  }

  dispose(): void {
    this.controller.dispose();
  }
}
