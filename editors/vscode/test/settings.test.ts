import assert from "node:assert/strict";
import { test } from "node:test";
import { initializationOptions } from "../src/settings";

test("defaults send nothing the server would not assume anyway", () => {
  assert.deepEqual(initializationOptions({ indexDir: null, exclude: [], features: {}, llm: { baseUrl: "", model: "", apiKey: "" } }), {});
});

test("settings map onto server/host/options.py names", () => {
  const opts = initializationOptions({
    indexDir: " /tmp/idx ",
    exclude: ["build/", ""],
    maxFileSize: 2000,
    jobs: 2,
    debounceMs: 100,
    watch: false,
    minConfidence: 0.5,
    features: { hover: false, codeLens: true, bogus: false, references: "no" },
  });
  assert.deepEqual(opts, {
    indexDir: "/tmp/idx",
    exclude: ["build/"],
    maxFileSize: 2000,
    jobs: 2,
    debounceMs: 100,
    watch: false,
    minConfidence: 0.5,
    features: { hover: false, codeLens: true },
  });
});

test("bad values are dropped so the server's defaults apply", () => {
  assert.deepEqual(initializationOptions({ maxFileSize: -1, jobs: 1.5, minConfidence: 2 }), {});
});

test("the LLM endpoint is nested under llm, and only sent when a base URL is set", () => {
  assert.deepEqual(initializationOptions({ llm: { baseUrl: "http://localhost:11434/v1", model: "qwen", apiKey: "" } }), {
    llm: { baseUrl: "http://localhost:11434/v1", model: "qwen" },
  });
  assert.deepEqual(initializationOptions({ llm: { baseUrl: " ", model: "qwen", apiKey: "k" } }), {});
});
