// Explanations open as a read-only virtual markdown document shown in VS
// Code's own markdown preview beside the code: native rendering, no HTML of
// ours to sanitise, and no markdown library in the bundle.
import * as vscode from "vscode";
import type { Explanation } from "./protocol";

export const SCHEME = "codemeld-explain";

export class ExplainDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? "";
  }

  async show(qualname: string, explanation: Explanation): Promise<void> {
    // One document per symbol: explaining it again refreshes the same preview.
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${qualname}.md` });
    // The server's markdown already names its source (structural or which
    // model); a note says why a configured model was not used.
    const note = explanation.note ? `\n\n> ${explanation.note}\n` : "";
    this.texts.set(uri.toString(), explanation.markdown + note);
    this.changed.fire(uri);
    try {
      await vscode.commands.executeCommand("markdown.showPreviewToSide", uri);
    } catch {
      // The built-in markdown extension is disabled: show the source instead.
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
