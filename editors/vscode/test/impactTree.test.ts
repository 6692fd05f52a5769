import assert from "node:assert/strict";
import { test } from "node:test";
import { allIds, buildImpactTree, groupTests, groupByFile, ImpactNode, summaryText, testIds, viaText } from "../src/impactTree";
import { formatPriceReport, ROOT } from "./fixtures";

function find(nodes: ImpactNode[], id: string): ImpactNode {
  const node = nodes.find((n) => n.id === id);
  assert.ok(node, `no node ${id} in ${nodes.map((n) => n.id).join(", ")}`);
  return node;
}

test("top level: target, dependents, tests; no breaking group when nothing breaks", () => {
  const nodes = buildImpactTree(formatPriceReport(), ROOT);
  assert.deepEqual(nodes.map((n) => n.id), ["target", "dependents", "tests"]);
  const target = find(nodes, "target");
  assert.equal(target.label, "shop.utils.format_price");
  assert.equal(target.description, "8 dependents, 4 files, 1 test");
  assert.equal(target.location?.uri, "file:///ws/shop/shop/utils.py");
});

test("dependents are grouped by file, files sorted, symbols in line order", () => {
  const deps = find(buildImpactTree(formatPriceReport(), ROOT), "dependents");
  assert.equal(deps.description, "8 in 4 files");
  assert.deepEqual(deps.children.map((f) => f.label), [
    "shop/__init__.py",
    "shop/cart.py",
    "shop/checkout.py",
    "tests/test_cart.py",
  ]);
  const checkout = deps.children[2];
  assert.deepEqual(checkout.children.map((c) => c.label), [
    "shop.checkout",
    "shop.checkout.checkout",
    "shop.checkout.quick_checkout",
  ]);
  const quick = checkout.children[2];
  assert.equal(quick.description, "call · depth 2 · 100%");
  assert.match(quick.tooltip ?? "", /via shop\.utils\.format_price → shop\.checkout\.checkout → shop\.checkout\.quick_checkout/);
  assert.equal(quick.icon, "symbol-function");
  assert.deepEqual(quick.location, {
    uri: "file:///ws/shop/shop/checkout.py",
    range: { start: { line: 12, character: 0 }, end: { line: 16, character: 25 } },
  });
});

test("tests are their own group, labelled by pytest node id, and open the test function", () => {
  const tests = find(buildImpactTree(formatPriceReport(), ROOT), "tests");
  assert.equal(tests.description, "1");
  assert.deepEqual(tests.children.map((t) => t.label), ["tests/test_cart.py::test_discount"]);
  assert.equal(tests.children[0].location?.uri, "file:///ws/shop/tests/test_cart.py");
});

test("node ids are unique so the view keeps expansion state", () => {
  const ids: string[] = [];
  const walk = (nodes: ImpactNode[]) => nodes.forEach((n) => (ids.push(n.id), walk(n.children)));
  walk(buildImpactTree(formatPriceReport(), ROOT));
  assert.equal(new Set(ids).size, ids.length);
});

test("without uris, paths are joined onto the workspace root (and encoded)", () => {
  const report = formatPriceReport();
  for (const d of report.dependents) delete d.symbol.uri;
  report.dependents[0].symbol.path = "shop/my module.py";
  const deps = find(buildImpactTree(report, ROOT), "dependents");
  const spaced = deps.children.find((f) => f.label === "shop/my module.py");
  assert.equal(spaced?.children[0].location?.uri, "file:///ws/shop/shop/my%20module.py");
});

test("breaking changes and truncation get their own nodes", () => {
  const report = formatPriceReport();
  report.breaking = [
    { path: "shop/cart.py", range: { start: { line: 19, character: 15 }, end: { line: 19, character: 40 } }, message: "format_price() takes 2 arguments" },
  ];
  report.summary.truncated = true;
  const nodes = buildImpactTree(report, ROOT);
  assert.deepEqual(nodes.map((n) => n.id), ["target", "dependents", "tests", "breaking", "truncated"]);
  const breaking = find(nodes, "breaking").children[0];
  assert.equal(breaking.label, "format_price() takes 2 arguments");
  assert.equal(breaking.description, "shop/cart.py:20");
  assert.equal(breaking.location?.uri, "file:///ws/shop/shop/cart.py");
  assert.match(summaryText(report), /1 breaking change \(truncated\)$/);
});

test("an empty report says so instead of showing empty groups", () => {
  const report = formatPriceReport();
  report.dependents = [];
  report.tests = [];
  report.summary = { dependents: 0, tests: 0, files: 0, maxDepth: 0, truncated: false };
  const nodes = buildImpactTree(report, ROOT);
  assert.equal(find(nodes, "dependents").children[0].label, "No dependents found");
  assert.equal(find(nodes, "tests").children[0].label, "No affected tests found");
  assert.equal(find(nodes, "target").description, "0 dependents, 0 files, 0 tests");
});

test("groupByFile, viaText and testIds", () => {
  const report = formatPriceReport();
  assert.deepEqual([...groupByFile(report.dependents).keys()].length, 4);
  assert.equal(viaText(["a", "b"]), "a → b");
  report.tests.push({ ...report.tests[0] }); // the same test reached twice
  assert.deepEqual(testIds(report), ["tests/test_cart.py::test_discount"]);
  assert.deepEqual(testIds(undefined), []);
});

test("node ids are unique within a report (the view prefixes them per report)", () => {
  const ids = allIds(buildImpactTree(formatPriceReport(), ROOT));
  assert.equal(new Set(ids).size, ids.length);
});

test("affected tests grouped by file for the Testing view", () => {
  const groups = groupTests(formatPriceReport().tests, ROOT);
  assert.deepEqual(groups.map((g) => g.path), ["tests/test_cart.py"]);
  assert.equal(groups[0].uri, "file:///ws/shop/tests/test_cart.py");
  assert.deepEqual(groups[0].tests.map((t) => [t.id, t.label]), [["tests/test_cart.py::test_discount", "test_discount"]]);
});
