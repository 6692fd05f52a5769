// Drives a real VS Code (code-server in Debian's chromium, through
// playwright-core) with the codemeld extension installed, and checks what is
// on screen. Started by tests/editors/test_vscode_e2e.py, which installs the
// .vsix, starts code-server and passes:
//   E2E_URL        the workbench URL (folder already in the query string)
//   E2E_SHOTS      folder for one screenshot per step (kept after a failure)
//   E2E_CHROMIUM   the browser executable (/usr/bin/chromium)
//   E2E_PLAYWRIGHT path of the playwright-core package
// Prints one line per step ("step NAME ok 1.2s") and exits non-zero at the
// first failed step, after a screenshot of the failure.
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.E2E_PLAYWRIGHT);
const SHOTS = process.env.E2E_SHOTS;
fs.mkdirSync(SHOTS, { recursive: true });

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let page;
let shot = 0;
const started = Date.now();

async function screenshot(name) {
  shot += 1;
  const file = path.join(SHOTS, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file }).catch(() => undefined);
  return file;
}

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
  } catch (err) {
    const file = await screenshot(`FAILED-${name}`);
    console.log(`step ${name} FAILED after ${((Date.now() - t0) / 1000).toFixed(1)}s: ${err && err.stack ? err.stack : err}`);
    console.log(`screenshot: ${file}`);
    console.log(`notifications: ${JSON.stringify(await notifications().catch(() => []))}`);
    throw err;
  }
  await screenshot(name);
  console.log(`step ${name} ok ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

/** Polls `probe` until it returns a truthy value; the last value or error is in the message. */
async function until(what, probe, timeoutMs = 30_000, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (err) {
      if (err && err.fatal) throw err;
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last: ${JSON.stringify(last)}`);
    await page.waitForTimeout(intervalMs);
  }
}

async function notifications() {
  return page.locator(".notifications-toasts .notification-toast, .notifications-center .notification-list-item").allInnerTexts();
}

async function runCommand(title) {
  await page.keyboard.press("Escape");
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(`>${title}`);
  const first = page.locator(".quick-input-list .monaco-list-row").first();
  await until(`"${title}" first in the command palette`, async () => (await first.innerText()).split("\n")[0].trim() === title);
  await input.press("Enter");
}

async function statusBarText() {
  const items = await page.locator("footer .statusbar-item").allInnerTexts();
  return items.map((t) => t.trim()).filter(Boolean);
}

/** Opens a workspace file and puts the cursor on line:column (1-based). */
async function openAt(file, line, column) {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(file);
  // Enter opens the focused (first) row: wait until the list shows this file first.
  const first = page.locator(".quick-input-list .monaco-list-row").first();
  await until(`${file} first in Quick Open`, async () => {
    const t = await first.innerText();
    return t.includes(path.basename(file)) && t.includes(path.dirname(file));
  });
  await input.press("Enter");
  await until(`${file} in the editor`, async () => (await activeTab()) === path.basename(file));
  await goTo(line, column);
}

async function goTo(line, column) {
  await page.keyboard.press("Control+G");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(`:${line}:${column}`);
  const first = page.locator(".quick-input-list .monaco-list-row").first();
  await until(`the go-to-line entry for ${line}:${column}`, async () => (await first.innerText()).includes(`line ${line} and character ${column}`));
  await input.press("Enter");
  await until(`cursor at ${line}:${column}`, async () => (await cursorText()).startsWith(`Ln ${line}, Col ${column}`));
}

async function activeTab() {
  return (await page.locator(".tabs-container .tab.active .label-name").first().innerText()).trim();
}

async function cursorText() {
  const texts = await statusBarText();
  return texts.find((t) => /^Ln \d+, Col \d+/.test(t)) ?? "";
}

async function editorLine(n) {
  // The view lines are virtualised: read the line's text through its top offset.
  return page.evaluate((n) => {
    const editor = document.querySelector(".editor-instance .monaco-editor .view-lines");
    if (!editor) return "";
    const lines = [...editor.querySelectorAll(".view-line")];
    const number = [...document.querySelectorAll(".editor-instance .line-numbers")].find((e) => e.textContent.trim() === String(n));
    if (!number) return "";
    const top = number.parentElement.style.top;
    const line = lines.find((l) => l.style.top === top);
    return line ? line.textContent.replace(/\u00a0/g, " ") : "";
  }, n);
}

async function searchOnce(query) {
  await runCommand("codemeld: Semantic search");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(query);
  const rows = page.locator(".quick-input-list .monaco-list-row");
  await until(`search results for "${query}"`, async () => (await rows.count()) > 0 && !(await page.locator(".quick-input-widget .progress-bit").isVisible().catch(() => false)), 20_000);
  await until("the title after the answer", async () => true);
  const title = (await page.locator(".quick-input-widget .quick-input-title").innerText().catch(() => "")).trim();
  const texts = await rows.allInnerTexts();
  return { title, texts };
}

async function main() {
  const browser = await chromium.launch({ executablePath: process.env.E2E_CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  try {
    await step("workbench", async () => {
      await page.goto(process.env.E2E_URL);
      await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
      await page.locator("footer .statusbar-item").first().waitFor({ timeout: 60_000 });
    });

    await step("activation-and-status-ready", async () => {
      // A Python file activates the extension; the status bar item goes from
      // starting (spinner) to ready: "$(check) codemeld <symbols>".
      await openAt("shop/utils.py", 6, 5);
      await until(
        "the codemeld status bar item to show the ready index ($(check) codemeld <symbols>)",
        async () => {
          const failed = (await notifications()).filter((n) => /codemeld/i.test(n) && /fail|crash|not found|couldn't/i.test(n));
          if (failed.length) throw Object.assign(new Error(`the server did not start: ${JSON.stringify(failed)}`), { fatal: true });
          const item = page.locator("footer .statusbar-item", { has: page.locator(".codicon-check") }).filter({ hasText: /codemeld \d/ });
          return (await item.count()) > 0;
        },
        90_000,
      );
      const failures = (await notifications()).filter((n) => /codemeld/i.test(n) && /fail|not found|error/i.test(n));
      if (failures.length) throw new Error(`error notifications: ${JSON.stringify(failures)}`);
    });

    // Samples the codemeld status bar items every 150 ms from here on, while
    // the other steps run: the embedding can finish in a few seconds on a fast
    // machine, between two polls of a step.
    const seen = new Set();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        try {
          (await statusBarText()).filter((t) => /codemeld/.test(t)).forEach((t) => seen.add(t));
        } catch {}
        await new Promise((r) => setTimeout(r, 150));
      }
    })();

    let during;
    await step("search-during-embedding", async () => {
      // Right after the graph is ready the embedding model is still loading
      // (seconds): the first answers come from names and docstrings, and say so.
      during = await searchOnce("format a price with currency");
      if (!during.texts.some((t) => t.includes("format_price"))) throw new Error(`no format_price in ${JSON.stringify(during.texts)}`);
      if (!/still being built/.test(during.title)) throw new Error(`title does not say the index is building: "${during.title}" (embedding finished first?)`);
      if (!during.texts[0].includes("text match")) throw new Error(`results not marked as text matches: ${during.texts[0]}`);
    });

    await step("code-lenses", async () => {
      await page.keyboard.press("Escape");
      // Reference and impact counts above each function; none on tests or dunders.
      const lenses = page.locator(".editor-instance .contentWidgets .codelens-decoration");
      const text = await until("code lenses on format_price", async () => {
        const t = (await lenses.allInnerTexts()).join(" | ");
        return /6 references/.test(t) && /dependents? in/.test(t) ? t : false;
      }, 30_000);
      // Dependents through any chain of uses: the same numbers as the Impact view's summary below.
      if (!/8 dependents in 4 files · 1 test/.test(text)) throw new Error(`impact lens: ${text}`);
      await openAt("tests/test_cart.py", 6, 5);
      await page.waitForTimeout(1500);
      const testLenses = (await lenses.allInnerTexts()).join(" | ");
      if (/references|dependents/.test(testLenses)) throw new Error(`lenses on test functions: ${testLenses}`);
      await openAt("shop/utils.py", 6, 5);
    });

    await step("hover", async () => {
      await goTo(6, 6);
      await runCommand("Show or Focus Hover");
      const hover = page.locator(".monaco-hover:not(.hidden) .monaco-hover-content").first();
      await hover.waitFor({ state: "visible" });
      const text = await until("hover with the codemeld counts", async () => {
        const t = await hover.innerText();
        return /references in/.test(t) ? t : false;
      });
      for (const expected of ["def format_price(value: float) -> str", "Format a price with its currency", "shop.utils.format_price", "6 references in 3 files", "direct dependents"]) {
        if (!text.includes(expected)) throw new Error(`hover lacks "${expected}": ${text}`);
      }
      if (text.split("Format a price with its currency").length !== 2) throw new Error(`docstring shown more than once: ${text}`);
    });

    await step("find-all-references", async () => {
      await goTo(6, 6);
      await runCommand("References: Find All References");
      const view = page.locator(".pane", { hasText: "results in" }).first();
      const summary = await until("the references view summary", async () => {
        const t = await page.locator(".monaco-workbench").innerText();
        const m = /(\d+) results? in (\d+) files?/.exec(t);
        return m ? m[0] : false;
      });
      // VS Code counts the declaration too: the hover's 6 references in 3 files (the __all__ entry is one), plus utils.py.
      if (summary !== "7 results in 4 files") throw new Error(`references: ${summary}`);
      const body = await view.innerText().catch(() => "");
      for (const file of ["checkout.py", "cart.py", "__init__.py"]) {
        if (!body.includes(file)) throw new Error(`references view lacks ${file}: ${body}`);
      }
    });

    await step("go-to-definition", async () => {
      await openAt("shop/checkout.py", 10, 22); // on `format_price` in `"paid " + format_price(amount)`
      await runCommand("Go to Definition");
      await until("utils.py active after Go to Definition", async () => (await activeTab()) === "utils.py");
      await until("the cursor on the definition's name", async () => (await cursorText()).startsWith("Ln 6, Col 5"));
    });

    await step("typescript-hover-and-references", async () => {
      // A TypeScript file of the same workspace, in the same index: the
      // extension is active for it and the hover carries codemeld's counts.
      await openAt("web/cart_view.ts", 21, 17); // on `describeLine` in its definition
      await runCommand("Show or Focus Hover");
      const hover = page.locator(".monaco-hover:not(.hidden) .monaco-hover-content").first();
      await hover.waitFor({ state: "visible" });
      const text = await until("a codemeld hover on the TypeScript function", async () => {
        const t = await hover.innerText();
        return /references? in/.test(t) ? t : false;
      });
      for (const expected of ["describeLine", "typescript:web.cart_view.describeLine", "1 reference in 1 file", "typescript"]) {
        if (!text.includes(expected)) throw new Error(`TypeScript hover lacks "${expected}": ${text}`);
      }
      await screenshot("typescript-hover"); // the step's own screenshot comes after the way back
      await page.keyboard.press("Escape");
      await openAt("shop/utils.py", 6, 5); // back where the next steps expect to be
    });

    await step("impact-view", async () => {
      await goTo(6, 6);
      await runCommand("codemeld: Show impact");
      // Room for the whole tree: fold the file explorer's folder section.
      const folders = page.locator(".pane-header.expanded").first();
      if (!/impact/i.test(await folders.innerText())) await folders.click();
      const view = page.locator(".pane", { has: page.locator(".pane-header", { hasText: "codemeld: Impact" }) });
      const text = await until("impact tree groups", async () => {
        const t = await view.innerText();
        return t.includes("Dependents") && t.includes("Tests") ? t : false;
      });
      for (const expected of ["shop.utils.format_price", "8 dependents, 4 files, 1 test", "Dependents", "shop/checkout.py", "Tests", "tests/test_cart.py::test_discount"]) {
        if (!text.includes(expected)) throw new Error(`impact view lacks "${expected}": ${text}`);
      }
      // A dependent opens on its name, not its whole body.
      await view.locator(".monaco-list-row", { hasText: "shop.checkout.quick_checkout" }).first().click();
      await until("checkout.py opened from the impact view", async () => (await activeTab()) === "checkout.py");
      // `quick_checkout` (14 characters) selected, the cursor at its end.
      await until("the name selected", async () => /^Ln 13, Col 19 \(14 selected\)/.test(await cursorText()));
    });

    await step("run-affected-tests", async () => {
      const header = page.locator(".pane-header", { hasText: "codemeld: Impact" });
      await header.hover();
      const run = header.locator('.action-label[aria-label="Run affected tests"]');
      await run.waitFor({ state: "visible" });
      await run.click();
      const done = await until(
        "the affected tests notification",
        async () => (await notifications()).find((n) => /affected tests?: /.test(n)),
        90_000,
      );
      if (!/: \d+ passed$/m.test(done.split("\n")[0]) && !/\d+ passed/.test(done)) throw new Error(`tests did not pass: ${done}`);
      if (/failed|errored|could not start/.test(done)) throw new Error(`tests did not pass: ${done}`);
    });

    await step("explain-with-links", async () => {
      await openAt("shop/utils.py", 6, 6);
      await runCommand("codemeld: Explain symbol");
      const frame = await until("the explain webview", async () => {
        for (const f of page.frames()) {
          const has = await f.locator("a[data-open]").count().catch(() => 0);
          if (has) return f;
        }
        return false;
      }, 30_000);
      const body = await frame.locator("body").innerText();
      if (!body.includes("format_price")) throw new Error(`explain page: ${body.slice(0, 500)}`);
      const link = frame.locator("a[data-open]", { hasText: "checkout" }).first();
      const target = await link.getAttribute("data-open");
      const line = Number(await link.getAttribute("data-line"));
      await link.click();
      const name = decodeURIComponent(target.split("/").pop());
      await until(`${name} opened from an explain link`, async () => (await activeTab()) === name);
      await until(`the cursor on line ${line}`, async () => (await cursorText()).startsWith(`Ln ${line},`));
    });

    await step("search-after-embedding", async () => {
      // Meanwhile the status bar shows the index ready, and the embedding moving.
      const after = await until(
        "semantic results once embedding is done",
        async () => {
          (await statusBarText()).filter((t) => /codemeld/.test(t)).forEach((t) => seen.add(t));
          const r = await searchOnce("format a price with currency");
          await page.keyboard.press("Escape");
          return !r.title && !r.texts.some((t) => t.includes("text match")) ? r : false;
        },
        240_000,
        3000,
      );
      if (!after.texts[0].includes("format_price")) throw new Error(`top semantic result: ${after.texts[0]}`);
      sampling = false;
      await sampler;
      console.log(`status bar while embedding: ${JSON.stringify([...seen])}`);
      const percents = new Set([...seen].map((t) => /^codemeld [\d.k]+ embedding (\d+)%$/.exec(t.replace(/\s+/g, " "))?.[1]).filter(Boolean));
      if (percents.size < 2) throw new Error(`the status bar did not show the embedding moving: ${JSON.stringify([...seen])}`);
      await searchOnce("format a price with currency"); // leave it open for the screenshot
      await page.keyboard.press("Enter");
      await until("the search result opened on its name", async () => (await activeTab()) === "utils.py" && /^Ln 6, Col 17 \(12 selected\)/.test(await cursorText()));
    });

    await step("failed-start-reported-once", async () => {
      // A server that cannot start: one notification with what to do, the
      // status bar says so, nothing retries. Its "Open Settings" opens the
      // Remote settings (code-server is a remote window), on serverPath.
      await page.keyboard.press("Escape");
      const settings = JSON.parse(fs.readFileSync(process.env.E2E_MACHINE_SETTINGS, "utf8"));
      fs.writeFileSync(process.env.E2E_MACHINE_SETTINGS, JSON.stringify({ ...settings, "codemeld.serverPath": "/bin/false" }));
      const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "failed to start" });
      await toast.waitFor({ state: "visible", timeout: 30_000 });
      await until("the status bar error icon", async () => (await page.locator("footer .statusbar-item .codicon-error").count()) > 0);
      await page.waitForTimeout(3000); // time for any retry or second toast to show up
      const codemeld = (await page.locator(".notifications-toasts .notification-toast").allInnerTexts()).filter((t) => /codemeld/i.test(t));
      if (codemeld.length !== 1) throw new Error(`expected one codemeld notification: ${JSON.stringify(codemeld)}`);
      await toast.getByRole("button", { name: "Open Settings" }).click();
      const editor = page.locator(".settings-editor");
      await editor.waitFor({ state: "visible" });
      await until("the Remote settings tab", async () => /remote/i.test(await editor.locator(".settings-tabs-widget .action-label.checked").innerText()));
      await until("codemeld.serverPath in the settings editor", async () => /Server Path/.test(await editor.locator(".settings-tree-container").innerText()));
    });
  } finally {
    console.log(`total ${((Date.now() - started) / 1000).toFixed(1)}s, screenshots in ${SHOTS}`);
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  () => process.exit(1),
);
