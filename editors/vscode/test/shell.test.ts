import assert from "node:assert/strict";
import { test } from "node:test";
import { pytestCommandLine, shellQuote } from "../src/shell";

test("plain node ids are not quoted", () => {
  assert.equal(pytestCommandLine("pytest", ["tests/test_cart.py::test_total"]), "pytest tests/test_cart.py::test_total");
});

test("parametrized ids and spaces are quoted against globbing and splitting", () => {
  assert.equal(shellQuote("t.py::test_x[a b]"), "'t.py::test_x[a b]'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});

test("the base command may be several words; blank means pytest", () => {
  assert.equal(pytestCommandLine("python -m pytest", ["a.py::t"]), "python -m pytest a.py::t");
  assert.equal(pytestCommandLine("  ", ["a.py::t"]), "pytest a.py::t");
});
