import assert from "node:assert/strict";
import { test } from "node:test";
import type { SearchResult } from "../src/protocol";
import { LatestOnly, shouldSearch, snippetLine, toSearchItems, searchTitle } from "../src/searchItems";
import { ROOT } from "./fixtures";

const result: SearchResult = {
  symbol: {
    name: "format_price",
    qualname: "shop.utils.format_price",
    kind: "function",
    path: "shop/utils.py",
    range: { start: { line: 5, character: 0 }, end: { line: 7, character: 36 } },
  },
  score: 0.83,
  snippet: "\n\ndef format_price(value: float) -> str:\n    ...",
};

test("results become items with an icon, a place and the snippet's first line", () => {
  assert.deepEqual(toSearchItems([result], ROOT), [
    {
      label: "$(symbol-function) format_price",
      description: "shop.utils.format_price · shop/utils.py:6",
      detail: "def format_price(value: float) -> str:",
      location: { uri: "file:///ws/shop/shop/utils.py", range: result.symbol.range },
    },
  ]);
});

test("server order is kept (it is the ranking)", () => {
  const other = { ...result, symbol: { ...result.symbol, name: "alpha", qualname: "a.alpha" }, score: 0.5 };
  assert.deepEqual(toSearchItems([result, other], ROOT).map((i) => i.label), ["$(symbol-function) format_price", "$(symbol-function) alpha"]);
});

test("snippets are trimmed to one row", () => {
  assert.equal(snippetLine(undefined), undefined);
  assert.equal(snippetLine("   \n"), undefined);
  assert.equal(snippetLine("x".repeat(150), 10), "xxxxxxxxx…");
});

test("one-letter queries are not sent", () => {
  assert.equal(shouldSearch("a"), false);
  assert.equal(shouldSearch(" ab "), true);
});

test("only the latest query's answer counts", () => {
  const tickets = new LatestOnly();
  const first = tickets.next();
  const second = tickets.next();
  assert.equal(tickets.isCurrent(first), false);
  assert.equal(tickets.isCurrent(second), true);
});

test("search title says when answers are text matches while embeddings build", () => {
  const hit = { symbol: { name: "f", qualname: "m.f", kind: "function", path: "m.py", range: { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } } }, score: 1 };
  assert.match(searchTitle([{ ...hit, source: "text" }], "embedding") ?? "", /still being built \(embedding\)/);
  assert.match(searchTitle([], "loading model") ?? "", /still being built/);
  assert.equal(searchTitle([{ ...hit, source: "semantic" }], "ready"), undefined);
  assert.match(searchTitle([{ ...hit, source: "text" }], "off") ?? "", /Text matches only: the semantic index is off/);
});

test("search items open on the name, not the body", () => {
  const range = { start: { line: 2, character: 0 }, end: { line: 9, character: 4 } };
  const selectionRange = { start: { line: 2, character: 4 }, end: { line: 2, character: 9 } };
  const [item] = toSearchItems([{ symbol: { name: "total", qualname: "m.total", kind: "function", path: "m.py", range, selectionRange }, score: 1, source: "text" }], "file:///ws");
  assert.deepEqual(item.location?.range, selectionRange);
  assert.match(item.description, /m\.py:3 · text match/);
});
