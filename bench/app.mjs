// The companion app's first and repeat visits (issue 19), in Debian's Chromium at a phone's
// size: bytes over the wire (compressed, as the Network domain counts them) and time to first
// contentful paint and to the sign-in form, on a cold load (new profile, empty caches) and a
// warm one (same profile, service worker installed). The yardstick, in the same run and the
// same browser: a one-file page of plain text from a bare Node server on loopback, the least a
// first render can cost here.
// Usage: node bench/app.mjs <server base URL> [runs]   (bench/run_app.sh starts the server)

import { createServer } from "node:http";
import { createRequire } from "node:module";
import { launch } from "../tests/browser/support.mjs";

const require = createRequire(new URL("../tests/browser/package.json", import.meta.url));
const { devices } = require("playwright-core");

const base = process.argv[2] ?? "http://127.0.0.1:8080";
const runs = Number(process.argv[3] ?? 5);

/**
 * Loads `url` in `page`, counting the bytes received; resolves when `ready` is visible.
 * @param {import("playwright-core").Page} page
 * @param {string} url
 * @param {string} ready a selector
 */
async function load(page, url, ready) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  let requests = 0;
  cdp.on("Network.loadingFinished", (event) => {
    bytes += event.encodedDataLength;
    requests += 1;
  });
  const started = Date.now();
  await page.goto(url);
  await page.locator(ready).waitFor({ state: "visible" });
  const shown = Date.now() - started;
  const paint = await page.evaluate(
    () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
  );
  await cdp.detach();
  return { bytes, requests, paint, shown };
}

const median = (/** @type {number[]} */ values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const yardstick = createServer((_, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end('<!doctype html><html lang="en"><title>x</title><h1 id="ready">Sign in</h1></html>');
  });
  await new Promise((resolve) => yardstick.listen(0, "127.0.0.1", () => resolve(undefined)));
  const yardstickUrl = `http://127.0.0.1:${/** @type {import("node:net").AddressInfo} */ (yardstick.address()).port}/`;
  const browser = await launch();
  /** @type {Record<string, { bytes: number, requests: number, paint: number, shown: number }[]>} */
  const results = { "yardstick (one small page)": [], "app, cold": [], "app, warm": [] };
  for (let run = 0; run < runs; run += 1) {
    const bare = await browser.newContext({ ...devices["Pixel 7"] });
    results["yardstick (one small page)"].push(await load(await bare.newPage(), yardstickUrl, "#ready"));
    await bare.close();
    const context = await browser.newContext({ ...devices["Pixel 7"] });
    const page = await context.newPage();
    results["app, cold"].push(await load(page, base + "/", "#sign-in-form"));
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.close();
    results["app, warm"].push(await load(await context.newPage(), base + "/", "#sign-in-form"));
    await context.close();
  }
  await browser.close();
  yardstick.close();
  console.log(`| load (median of ${runs}) | requests | transferred | first contentful paint | sign-in form shown |`);
  console.log("|---|---|---|---|---|");
  for (const [name, list] of Object.entries(results)) {
    const kb = (median(list.map((r) => r.bytes)) / 1024).toFixed(1);
    console.log(
      `| ${name} | ${median(list.map((r) => r.requests))} | ${kb} KB | ${median(list.map((r) => r.paint)).toFixed(0)} ms | ${median(list.map((r) => r.shown))} ms |`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
