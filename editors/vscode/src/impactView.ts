// The "codemeld: Impact" tree view and "Run affected tests".
import * as vscode from "vscode";
import { buildImpactTree, ImpactNode, testIds } from "./impactTree";
import type { ImpactReport } from "./protocol";
import { pytestCommandLine } from "./shell";
import { toRange } from "./vscodeLocations";

export const VIEW_ID = "codemeldImpact";
export const OPEN_COMMAND = "codemeld.openLocation"; // internal: tree items open through it

export class ImpactView implements vscode.TreeDataProvider<ImpactNode>, vscode.Disposable {
  private report?: ImpactReport;
  private rootUri?: string;
  private nodes: ImpactNode[] = [];
  private readonly changed = new vscode.EventEmitter<ImpactNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<ImpactNode>;

  constructor() {
    this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
  }

  async show(report: ImpactReport, rootUri: string | undefined): Promise<void> {
    this.report = report;
    this.rootUri = rootUri;
    this.nodes = buildImpactTree(report, rootUri);
    this.view.message = undefined;
    this.view.description = report.target.qualname;
    this.changed.fire(undefined);
    // Enables the "Run affected tests" button in the view title.
    await vscode.commands.executeCommand("setContext", "codemeld.hasAffectedTests", report.tests.length > 0);
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  }

  getTreeItem(node: ImpactNode): vscode.TreeItem {
    const state = node.children.length
      ? node.expanded
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed
      : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
    if (node.location) {
      const uri = vscode.Uri.parse(node.location.uri);
      item.command = {
        command: "vscode.open",
        title: "Open",
        arguments: [uri, { selection: toRange(node.location.range), preview: true }],
      };
    }
    return item;
  }

  getChildren(node?: ImpactNode): ImpactNode[] {
    return node ? node.children : this.nodes;
  }

  runAffectedTests(pytestCommand: string): void {
    const ids = testIds(this.report);
    if (!ids.length) {
      void vscode.window.showInformationMessage("codemeld: no affected tests in the last impact report.");
      return;
    }
    // pytest node ids are relative to the workspace root, so run from there.
    const cwd = this.rootUri ? vscode.Uri.parse(this.rootUri) : vscode.workspace.workspaceFolders?.[0]?.uri;
    const terminal = vscode.window.createTerminal({ name: "codemeld: affected tests", cwd });
    terminal.show();
    terminal.sendText(pytestCommandLine(pytestCommand, ids));
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }
}
