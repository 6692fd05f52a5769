// The "codemeld: Impact" tree view; its ▶ button runs the affected tests
// through the Testing API (affectedTests.ts).
import * as vscode from "vscode";
import { AffectedTests } from "./affectedTests";
import { buildImpactTree, ImpactNode } from "./impactTree";
import type { ImpactReport } from "./protocol";
import { toRange } from "./vscodeLocations";

export const VIEW_ID = "codemeldImpact";

export class ImpactView implements vscode.TreeDataProvider<ImpactNode>, vscode.Disposable {
  private rootUri?: string;
  private nodes: ImpactNode[] = [];
  // Each report gets fresh tree item ids: VS Code keeps ids across refreshes,
  // and a reused id of a node that moved makes it log "No tree item with id".
  private generation = 0;
  private readonly changed = new vscode.EventEmitter<ImpactNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<ImpactNode>;

  constructor(private readonly tests: AffectedTests) {
    this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
  }

  async show(report: ImpactReport, rootUri: string | undefined): Promise<void> {
    this.rootUri = rootUri;
    this.generation += 1;
    this.nodes = buildImpactTree(report, rootUri);
    this.tests.setReport(report, rootUri);
    this.view.message = undefined;
    this.view.description = report.target.qualname;
    this.changed.fire(undefined);
    // Enables the "Run affected tests" button in the view title.
    await vscode.commands.executeCommand("setContext", "codemeld.hasAffectedTests", this.tests.count > 0);
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  }

  getTreeItem(node: ImpactNode): vscode.TreeItem {
    const state = node.children.length
      ? node.expanded
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed
      : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, state);
    item.id = `${this.generation}/${node.id}`;
    item.description = node.description;
    item.tooltip = node.tooltip;
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
    if (node.location) {
      const uri = vscode.Uri.parse(node.location.uri);
      // location.range is the symbol's name (selectionRange): one keystroke never replaces a whole body.
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

  runAffectedTests(): Promise<void> {
    return this.tests.runAll();
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }
}
