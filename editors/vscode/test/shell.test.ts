import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_INLINE_CHARS, outcomeSummary, parseOutcomes, pytestInvocation, splitCommand } from "../src/shell";

test("the pytest command may be several words, quoted paths stay whole; blank means pytest", () => {
  assert.deepEqual(splitCommand("python -m pytest"), ["python", "-m", "pytest"]);
  assert.deepEqual(splitCommand(`"/opt/my env/bin/python" -m pytest`), ["/opt/my env/bin/python", "-m", "pytest"]);
  assert.deepEqual(splitCommand("  "), ["pytest"]);
});

test("node ids are arguments, never shell text: brackets and spaces need no quoting", () => {
  const inv = pytestInvocation("python -m pytest", ["t.py::test_x[a b]", "t.py::test_y"], "/tmp/ids");
  assert.equal(inv.command, "python");
  assert.deepEqual(inv.args, ["-m", "pytest", "-rA", "--color=no", "t.py::test_x[a b]", "t.py::test_y"]);
  assert.equal(inv.argFile, undefined);
});

test("hundreds of ids go through an argument file", () => {
  const ids = Array.from({ length: 800 }, (_, i) => `tests/test_module_${i}.py::TestSomething::test_case_${i}`);
  assert.ok(ids.join(" ").length > MAX_INLINE_CHARS);
  const inv = pytestInvocation("pytest", ids, "/tmp/ids.txt");
  assert.equal(inv.command, "pytest");
  assert.deepEqual(inv.args, ["-rA", "--color=no", "@/tmp/ids.txt"]);
  assert.equal(inv.argFile?.split("\n").filter(Boolean).length, 800);
});

test("outcomes come from the -rA summary, the worse of two lines wins", () => {
  const out = parseOutcomes(
    [
      "tests/test_cart.py ..F",
      "=========================== short test summary info ============================",
      "PASSED tests/test_cart.py::test_total",
      "PASSED tests/test_cart.py::test_x[a-1]",
      "FAILED tests/test_cart.py::test_discount - AssertionError: assert 1 == 2",
      "ERROR tests/test_cart.py::test_discount - RuntimeError",
      "XFAIL tests/test_cart.py::test_later - not yet",
    ].join("\n"),
  );
  assert.equal(out.get("tests/test_cart.py::test_total"), "passed");
  assert.equal(out.get("tests/test_cart.py::test_x[a-1]"), "passed");
  assert.equal(out.get("tests/test_cart.py::test_discount"), "failed");
  assert.equal(out.get("tests/test_cart.py::test_later"), "skipped");
  assert.equal(outcomeSummary([...out.values()]), "2 passed, 1 failed, 1 skipped");
});
