// The companion app in a real Chromium at a phone's size (issue 19): each test signs in as the
// person the story is about and does what they would do, through the screens; the API is used
// only to set the scene and to check what the server now holds. axe-core runs on every screen.
// Run by run.sh, which starts the server: `node --test app.test.mjs`.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  BASE,
  PASSWORD,
  accessible,
  api,
  book,
  launch,
  organisation,
  phone,
  reflows,
  screenshot,
  signIn,
} from "./support.mjs";

/** @type {import("playwright-core").Browser} */
let browser;
/** @type {Awaited<ReturnType<typeof organisation>>} */
let org;

before(async () => {
  browser = await launch();
  org = await organisation();
});

after(async () => {
  await browser?.close();
});

test("the accessibility and reflow checks fail on a broken page (the checks themselves can fail)", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.setContent('<main><h1>x</h1><form><input id="q"><button></button></form></main>');
  await assert.rejects(accessible(page, "a broken page"), /button-name|label/);
  await page.setContent('<meta name="viewport" content="width=device-width"><main><h1>x</h1><p style="width: 500px">wide</p></main>');
  await assert.rejects(reflows(page, "a wide page"), /320 px wide/);
  await context.close();
});

test("ACC-1: a first sign-in changes the one-time password, then home", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(BASE + "/");
  await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor());
  await accessible(page, "sign-in");
  await screenshot(page, "sign-in");

  // An empty form: the error summary links to both fields.
  await page.getByRole("button", { name: "Sign in" }).click();
  const problem = page.getByRole("alert");
  await problem.getByRole("link", { name: "Enter your e-mail address" }).waitFor();
  await accessible(page, "sign-in with errors");

  await signIn(page, org.fresh.email, org.fresh.oneTime);
  await page.getByRole("heading", { level: 1, name: "Choose your own password" }).waitFor();
  await accessible(page, "change password");
  await page.getByLabel("One-time password").fill(org.fresh.oneTime);
  await page.getByLabel("New password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("New password again").fill(PASSWORD);
  await page.getByRole("button", { name: "Save password" }).click();
  await page.getByRole("heading", { level: 1, name: /Hello/ }).waitFor();
  // The new password is the one that works now.
  await api("POST", "/api/v1/auth/login", { body: { email: org.fresh.email, password: PASSWORD } });
  await context.close();
});

test("FREQ-1: home says when the next supervision is due, in words", async () => {
  const session = await book(org, 7);
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, org.worker.email);
  await page.getByRole("heading", { level: 1, name: /Hello/ }).waitFor();
  const status = page.getByRole("region", { name: "Your supervision" });
  await status.getByText(/due by/i).first().waitFor();
  const sessions = page.getByRole("region", { name: /sessions/i }).first();
  await sessions.getByText(/Room 2/).first().waitFor();
  await accessible(page, "home");
  await screenshot(page, "home");
  assert.ok(session);
  await context.close();
});

test("ACC-1: signing in works with the keyboard alone", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(BASE + "/");
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to main content");
  await page.keyboard.press("Enter");
  // From the main landmark, Tab walks into the form.
  for (let i = 0; i < 5 && !(await page.getByLabel("E-mail address").evaluate((e) => e === document.activeElement)); i += 1) {
    await page.keyboard.press("Tab");
  }
  await page.keyboard.type(org.worker.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: /Hello/ }).waitFor();
  await context.close();
});

test("the shell opens offline once the service worker has it", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(BASE + "/");
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await context.setOffline(true);
  await page.reload();
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
  await context.close();
});
