import assert from "node:assert/strict";
import { test } from "node:test";
import type { IndexStatus } from "../src/protocol";
import { formatCount, statusReport, statusView } from "../src/statusText";

const ready: IndexStatus = { state: "ready", files: 7, symbols: 12345, references: 139, pending: 0, indexDir: "/c/shop" };

test("ready shows the symbol count; the tooltip has the details", () => {
  const v = statusView("running", ready);
  assert.equal(v.text, "$(check) codemeld 12k");
  assert.match(v.tooltip, /7 files, 12345 symbols, 139 references/);
  assert.match(v.tooltip, /index: \/c\/shop/);
});

test("progress beats the last status poll while indexing", () => {
  const v = statusView("running", { ...ready, state: "indexing" }, { title: "codemeld: indexing shop", message: "3/7 files", percentage: 30.4 });
  assert.equal(v.text, "$(sync~spin) codemeld 30%");
  assert.equal(v.tooltip, "codemeld: indexing shop: 3/7 files");
});

test("embedding after the graph: ready, with the embedding progress beside it", () => {
  const v = statusView("running", { ...ready, embeddings: "embedding" }, { title: "codemeld: embedding shop", message: "Embedding 40/100 symbols", percentage: 40 });
  assert.equal(v.text, "$(check) codemeld 12k $(sync~spin) embedding 40%");
  assert.match(v.tooltip, /Embedding 40\/100 symbols\nUntil the semantic index is ready/);
});

test("indexing without progress (client without work done progress)", () => {
  assert.equal(statusView("running", { ...ready, state: "indexing" }).text, "$(sync~spin) codemeld: indexing");
});

test("pending edits are mentioned", () => {
  assert.match(statusView("running", { ...ready, pending: 2 }).tooltip, /\(2 pending\)/);
});

test("client states without a server", () => {
  assert.equal(statusView("notFound").text, "$(error) codemeld: no server");
  assert.equal(statusView("failed").text, "$(error) codemeld");
  assert.equal(statusView("stopped").text, "$(circle-slash) codemeld");
  assert.equal(statusView("starting").text, "$(sync~spin) codemeld");
  assert.equal(statusView("running").text, "$(sync~spin) codemeld");
});

test("counts are compact", () => {
  assert.deepEqual([5, 1234, 45678, 2_500_000].map(formatCount), ["5", "1.2k", "46k", "2.5M"]);
});

test("statusReport lists every field", () => {
  assert.equal(statusReport(ready).split("\n").length, 7);
  assert.match(statusReport({ ...ready, embeddings: "embedding" }), /semantic index: embedding; until it is ready/);
  assert.match(statusReport({ ...ready, embeddings: "ready" }), /semantic index: ready/);
  assert.match(statusReport({ ...ready, indexDir: null }), /index: \(none\)/);
});
