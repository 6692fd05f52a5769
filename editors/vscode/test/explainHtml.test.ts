import assert from "node:assert/strict";
import { test } from "node:test";
import { codeLink, explainPage, renderMarkdown } from "../src/explainHtml";

test("file links with #L anchors become clickable code links", () => {
  assert.deepEqual(codeLink("file:///ws/shop/cart.py#L12"), { uri: "file:///ws/shop/cart.py", line: 12 });
  assert.deepEqual(codeLink("file:///ws/a%20b.py"), { uri: "file:///ws/a%20b.py", line: 0 });
  assert.equal(codeLink("https://example.com"), undefined);
  const html = renderMarkdown("Called by [checkout](file:///ws/shop/checkout.py#L7).");
  assert.match(html, /<a href="#" data-open="file:\/\/\/ws\/shop\/checkout.py" data-line="7" title="\/ws\/shop\/checkout.py:7">checkout<\/a>/);
});

test("raw HTML in the markdown is escaped, and only the page's own script may run", () => {
  const page = explainPage("m.f", "# f\n\n<script>alert(1)</script> <img src=x onerror=alert(1)>", "vscode-resource:", "abc123");
  assert.doesNotMatch(page, /<script>alert/);
  assert.doesNotMatch(page, /<img/);
  assert.match(page, /script-src 'nonce-abc123'/);
  assert.match(page, /<script nonce="abc123">/);
});
