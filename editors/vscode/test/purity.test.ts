// The logic modules must load without VS Code, or these unit tests could not
// run under plain Node. Guard that no one adds a vscode import to them.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

const SRC = path.resolve(__dirname, "..", "..", "src");
const PURE = ["protocol.ts", "locations.ts", "impactTree.ts", "searchItems.ts", "statusText.ts", "findServer.ts", "settings.ts", "shell.ts", "explainHtml.ts", "restartPolicy.ts"];

for (const file of PURE) {
  test(`${file} does not import vscode`, () => {
    const text = fs.readFileSync(path.join(SRC, file), "utf8");
    assert.doesNotMatch(text, /from\s+["'](vscode|vscode-languageclient[^"']*)["']|require\(["']vscode/);
  });
}
