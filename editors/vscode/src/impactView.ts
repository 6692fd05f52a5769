// The "codemeld: Impact" tree view; its ▶ button runs the affected tests
// through the Testing API (affectedTests.ts).
import * as vscode from "vscode";
import { AffectedTests } from "./affectedTests";
import { buildImpactTree, ImpactNode } from "./impactTree";
import type { ImpactReport } from "./protocol";
import { toRange } from "./vscodeLocations";

export const VIEW_ID = "codemeldImpact";

export class ImpactView implements vscode.TreeDataProvider<ImpactNode>, vscode.Disposable {
  private nodes: ImpactNode[] = [];
  // Each report gets item ids no other report uses, and the view is told to
  // refresh only once VS Code has loaded it: a refresh (debounced in the
  // extension host) landing while VS Code still expands the nodes it just
  // fetched made it log "No tree item with id '1/dependents' found".
  private generation = 0;
  private loaded = false;
  private readonly changed = new vscode.EventEmitter<ImpactNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<ImpactNode>;

  constructor(private readonly tests: AffectedTests) {
    this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
  }

  async show(report: ImpactReport, rootUri: string | undefined): Promise<void> {
    this.generation += 1;
    this.nodes = buildImpactTree(report, rootUri);
    this.tests.setReport(report, rootUri);
    this.view.description = report.target.qualname;
    if (this.loaded) this.changed.fire(undefined); // else focusing it below loads this report
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
    if (!node && this.nodes.length) this.loaded = true;
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
