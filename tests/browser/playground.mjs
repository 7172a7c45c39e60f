// The playground in a real browser (issue 11): starts `csp-policy serve --playground` on
// a free loopback port, opens the page in Debian's chromium through playwright-core, and
// checks what an author sees: the embedded policy loads and decides the sample request;
// a mistake typed into a file shows `check`'s diagnostic, located, and stops deciding;
// clicking the diagnostic selects the offending text; fixing it decides again; editing
// the request changes the decision live; the page fetches nothing but its own server.
// Usage: node playground.mjs [path/to/csp-policy] (default ../../target/debug/csp-policy).
// Writes a screenshot to playground.png beside this file. Exits non-zero on any failure.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const exe = process.argv[2] ?? path.join(here, "../../target/debug/csp-policy");
const browserPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, ["serve", "--playground", "--listen", "127.0.0.1:0", "--now", "2026-11-25T12:00:00Z"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    const timer = setTimeout(() => reject(new Error("the server did not start: " + err)), 30000);
    child.stderr.on("data", (chunk) => {
      err += chunk;
      const m = err.match(/listening on (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); resolve({ child, base: m[1] }); }
    });
    child.on("exit", (code) => reject(new Error("the server exited " + code + ": " + err)));
  });
}

const { child, base } = await startServer();
const browser = await chromium.launch({ executablePath: browserPath, args: ["--no-sandbox"] });
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const foreign = [];
  page.on("request", (r) => { if (!r.url().startsWith(base)) foreign.push(r.url()); });
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));

  await page.goto(base + "/");
  // The embedded policy and the sample request: decided.
  await page.waitForFunction(() => document.getElementById("verdict").textContent !== "—");
  const tabs = await page.locator("#tabs button[data-file]").count();
  assert.ok(tabs >= 8, "the embedded policy's files are tabs: " + tabs);
  const first = (await page.locator("#verdict").textContent()).trim();
  assert.ok(first === "allow" || first === "deny", "a first decision: " + first);
  assert.equal(await page.locator("#diagnostics li").count(), 0, "the embedded policy checks clean");

  // A mistake: a fact reading a field that does not exist, in a new file.
  await page.click("#add-file");
  const editor = page.locator("#policy-editor");
  await editor.fill("# 새 파일\nfact late for cancel = order.purchase_at\n");
  await page.waitForSelector('#diagnostics li[data-code="unknown-field"]');
  assert.equal((await page.locator("#verdict").textContent()).trim(), "not decided");
  const item = page.locator('#diagnostics li[data-code="unknown-field"]');
  assert.match(await item.textContent(), /new-9\.policy:2:24/);
  assert.match(await item.textContent(), /did you mean `order\.purchased_at`/);
  // Clicking it selects the offending text in the editor.
  await item.click();
  const selected = await editor.evaluate((t) => t.value.slice(t.selectionStart, t.selectionEnd));
  assert.equal(selected, "order.purchase_at");
  await page.screenshot({ path: path.join(here, "playground.png") });

  // Fixed: decided again.
  await editor.fill("# 새 파일\nfact late for cancel = order.purchased_at\n");
  await page.waitForFunction(() => document.querySelectorAll("#diagnostics li").length === 0);
  await page.waitForFunction(() => ["allow", "deny"].includes(document.getElementById("verdict").textContent));

  // The request, edited: a customer buying software is denied, with the rule named.
  await page.fill("#request-editor", JSON.stringify({
    action: "purchase", at: "2026-11-25T12:00:00Z",
    actor: { kind: "customer", roles: ["customer_admin"] },
    customer: { market: "KR" }, product: { category: "server_subscription" },
  }));
  await page.waitForFunction(() => document.getElementById("verdict").textContent === "deny");
  const reasons = await page.locator("#reasons").textContent();
  assert.match(reasons, /customers-cannot-purchase/);
  const text = await page.locator("#decision-text").textContent();
  assert.match(text, /DENY purchase/);

  assert.deepEqual(foreign, [], "the page fetches nothing but its own server");
  assert.deepEqual(consoleErrors, [], "no error in the page");
  console.log("playground: every check passed; screenshot in tests/browser/playground.png");
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
  child.kill("SIGTERM");
}
process.exit(failed ? 1 : 0);
