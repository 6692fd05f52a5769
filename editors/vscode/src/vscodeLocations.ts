// Protocol locations -> vscode objects, and opening one in an editor.
import * as vscode from "vscode";
import type { Location, Range } from "./protocol";

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export async function openLocation(location: Location, preview = true): Promise<void> {
  const uri = vscode.Uri.parse(location.uri);
  await vscode.window.showTextDocument(uri, { selection: toRange(location.range), preview });
}

/** The workspace folder URI paths in answers are relative to. */
export function rootUriFor(document?: vscode.TextDocument): string | undefined {
  const folder = document ? vscode.workspace.getWorkspaceFolder(document.uri) : vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.toString();
}
