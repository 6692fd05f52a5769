import assert from "node:assert/strict";
import { test } from "node:test";
import type { SearchResult } from "../src/protocol";
import { LatestOnly, shouldSearch, snippetLine, toSearchItems } from "../src/searchItems";
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
