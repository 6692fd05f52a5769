// Explanations open in a webview panel of the extension's own, beside the
// code. Why not VS Code's markdown preview: it refuses the `file:` links the
// explanation is made of (callers, tests, definitions). Here each link posts
// a message and the extension opens the file at that line.
import * as crypto from "node:crypto";
import * as vscode from "vscode";
import { explainPage } from "./explainHtml";
import type { Explanation } from "./protocol";

export const VIEW_TYPE = "codemeld.explain";

interface Message {
  open?: string;
  line?: number;
  external?: string;
}

export class ExplainView implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private codeColumn: vscode.ViewColumn = vscode.ViewColumn.One;

  async show(qualname: string, explanation: Explanation, from?: vscode.ViewColumn): Promise<void> {
    this.codeColumn = from ?? vscode.ViewColumn.One;
    // The server's markdown already names its source (structural or which
    // model); a note says why a configured model was not used.
    const note = explanation.note ? `\n\n> ${explanation.note}\n` : "";
    const title = `Explain: ${qualname.split(".").pop() || qualname}`;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        VIEW_TYPE,
        title,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, enableFindWidget: true, localResourceRoots: [] },
      );
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((msg: Message) => void this.onMessage(msg));
    } else {
      this.panel.reveal(undefined, true);
    }
    this.panel.title = title;
    const nonce = crypto.randomBytes(16).toString("base64");
    this.panel.webview.html = explainPage(qualname, explanation.markdown + note, this.panel.webview.cspSource, nonce);
  }

  private async onMessage(msg: Message): Promise<void> {
    if (typeof msg.open === "string") {
      const line = Math.max(0, (msg.line ?? 1) - 1);
      const at = new vscode.Range(line, 0, line, 0);
      await vscode.window.showTextDocument(vscode.Uri.parse(msg.open), { selection: at, viewColumn: this.codeColumn });
    } else if (typeof msg.external === "string" && /^https?:/.test(msg.external)) {
      await vscode.env.openExternal(vscode.Uri.parse(msg.external));
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
