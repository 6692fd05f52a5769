import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_RESTARTS, RestartPolicy, WINDOW_MS } from "../src/restartPolicy";

test("a start that failed is never retried and not reported twice", () => {
  const policy = new RestartPolicy();
  const d = policy.closed(0);
  assert.equal(d.restart, false);
  assert.equal(d.notify, false);
});

test("a crash after a good start restarts, a crash loop stops with a message", () => {
  const policy = new RestartPolicy();
  policy.started();
  for (let i = 0; i < MAX_RESTARTS; i++) assert.equal(policy.closed(i * 1000).restart, true);
  const last = policy.closed(MAX_RESTARTS * 1000);
  assert.equal(last.restart, false);
  assert.equal(last.notify, true);
  assert.match(last.reason, /Restart server/);
});

test("crashes spread over more than the window keep restarting", () => {
  const policy = new RestartPolicy();
  policy.started();
  for (let i = 0; i < MAX_RESTARTS * 3; i++) assert.equal(policy.closed(i * WINDOW_MS).restart, true);
});
