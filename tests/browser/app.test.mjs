// The companion app in a real Chromium at a phone's size (issue 19): each test signs in as the
// person the story is about and does what they would do, through the screens; the API is used
// only to set the scene and to check what the server now holds. axe-core runs on every screen.
// Run by run.sh, which starts the server: `node --test app.test.mjs`.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startReceiver } from "./push_receiver.mjs";
import {
  BASE,
  PASSWORD,
  accessible,
  api,
  book,
  deliverPush,
  eventually,
  launch,
  organisation,
  phone,
  pushTo,
  reflows,
  screenshot,
  signIn,
  tapNotification,
} from "./support.mjs";

/** @type {import("playwright-core").Browser} */
let browser;
/** @type {Awaited<ReturnType<typeof organisation>>} */
let org;
/** @type {Awaited<ReturnType<typeof startReceiver>>} */
let receiver;
let vapidKey = "";

before(async () => {
  browser = await launch();
  org = await organisation();
  vapidKey = (await api("GET", "/api/v1/push/vapid-public-key")).json.public_key;
  receiver = await startReceiver(() => vapidKey);
});

after(async () => {
  await browser?.close();
  await receiver?.close();
});

/** The first weekday `days` or more from today, as the app's date field takes it. */
function dayAhead(days) {
  const day = new Date(Date.now() + days * 86400_000);
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

/**
 * A phone signed in as `email`, whose pushes go to the tests' receiver.
 * @param {string} email
 */
async function signedInPhone(email) {
  const context = await phone(browser);
  const subscription = receiver.subscribe();
  await pushTo(context, subscription);
  const page = await context.newPage();
  await signIn(page, email);
  await page.getByRole("heading", { level: 1, name: /Hello/ }).waitFor();
  return { context, page, endpoint: subscription.endpoint };
}

/**
 * Turns reminders on for this phone from the Reminders screen, as a person would.
 * @param {import("playwright-core").Page} page
 * @param {string} label
 */
async function remindersOn(page, label) {
  await open(page, "Reminders", "Reminders");
  await page.getByLabel("Name for this device (optional)").fill(label);
  await page.getByRole("button", { name: "Turn on reminders" }).click();
  await page.getByText("Reminders are on for this device.").first().waitFor();
}

/**
 * No quiet hours for this person (REM-3), so the sweep's pushes arrive whatever time the
 * tests run.
 * @param {string} token
 */
async function noQuietHours(token) {
  const { etag } = await api("GET", "/api/v1/me/reminder-preferences", { token });
  await api("PUT", "/api/v1/me/reminder-preferences", {
    token,
    headers: { "if-match": etag },
    body: { quiet_from: "00:00", quiet_until: "00:00" },
  });
}

/**
 * Goes to a screen through the main navigation, as a person would, and waits for its heading.
 * @param {import("playwright-core").Page} page
 * @param {string} item
 * @param {string | RegExp} heading
 */
async function open(page, item, heading) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: item }).click();
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

/**
 * The next push the server sends to `endpoint` whose payload matches, decrypted.
 * @param {string} endpoint
 * @param {(payload: { title: string, body: string, link: string, tag: string }) => boolean} matches
 */
async function pushFor(endpoint, matches, ms = 90_000) {
  const path = new URL(endpoint).pathname;
  const message = await receiver.next((m) => m.path === path && matches(JSON.parse(m.text)), ms);
  return message.text;
}

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
  assert.equal(await page.locator("#change-password-username").inputValue(), org.fresh.email);
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
  await page.getByRole("heading", { level: 2, name: "0 open actions" }).waitFor();
  const sessions = page.getByRole("region", { name: /sessions/i }).first();
  await sessions.getByText(/Room 2/).first().waitFor();
  await accessible(page, "home");
  await screenshot(page, "home");
  assert.ok(session);
  await context.close();
});

test("FREQ-4: a supervisor sees their supervisees worst first and opens one's status", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, org.manager.email);
  const team = page.getByRole("region", { name: "Your supervisees, most urgent first" });
  await team.getByRole("link", { name: org.worker.name }).click();
  await page.getByRole("heading", { level: 1, name: "Supervision status" }).waitFor();
  await page.getByRole("heading", { level: 2, name: org.worker.name }).waitFor();
  await page.locator("#view").getByText(/due by/i).first().waitFor();
  await accessible(page, "a supervisee's status");
  await context.close();
});

test("ACC-1, APP-3: a reload keeps you signed in with no token a script can read; signing out ends it", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, org.worker.email);
  await page.getByRole("heading", { level: 1, name: /Hello/ }).waitFor();
  const stored = await page.evaluate(() => ({
    cookie: document.cookie,
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage),
  }));
  assert.deepEqual(stored, { cookie: "", local: [], session: [] });
  const [cookie] = await context.cookies();
  assert.equal(cookie.name, "supervision_refresh");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, "Strict");
  assert.equal(cookie.path, "/api/v1/auth");
  await page.reload();
  await page.getByRole("heading", { level: 1, name: /Hello/ }).waitFor();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
  assert.deepEqual(await context.cookies(), []);
  await page.reload();
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
  await context.close();
});

test("ACC-1: signing out with no network still ends the sign-in: a reload does not sign the last person back in", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, org.worker.email);
  await page.getByRole("heading", { level: 1, name: /Hello/ }).waitFor();
  await context.setOffline(true);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
  // The HttpOnly cookie is still there: only the server can clear it.
  assert.equal((await context.cookies()).length, 1);
  await context.setOffline(false);
  await page.reload();
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
  // The start finished the sign-out on the server, which cleared the cookie.
  await eventually(async () => (await context.cookies()).length === 0, 10_000);
  await signIn(page, org.worker.email);
  await page.getByRole("heading", { level: 1, name: /Hello/ }).waitFor();
  await page.reload();
  await page.getByRole("heading", { level: 1, name: /Hello/ }).waitFor();
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

test("APP-2: offline, a screen shows what was last loaded and says how old it is", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, org.worker.email);
  await page.getByRole("heading", { level: 1, name: /Hello/ }).waitFor();
  await open(page, "Sessions", "Your sessions");
  await context.setOffline(true);
  await open(page, "Home", /Hello/);
  await page.getByText(/You are offline — shown as of \d\d:\d\d, may be out of date/).first().waitFor();
  await page.getByRole("region", { name: "Your supervision" }).getByText(/due by/i).first().waitFor();
  await accessible(page, "home, offline");
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

test("REM-1, REM-3, REM-6: reminders turned on from the app reach the phone and open their screen", async () => {
  const { context, page, endpoint } = await signedInPhone(org.manager.email);
  await remindersOn(page, "Work phone");
  await page.getByText("Work phone").first().waitFor();
  const devices = (await api("GET", "/api/v1/me/devices", { token: org.managerToken })).json;
  assert.ok(devices.some((d) => d.label === "Work phone"), "the server holds this device");
  // No quiet hours, set from the settings form.
  await page.getByLabel("Quiet hours start").fill("00:00");
  await page.getByLabel("Quiet hours end").fill("00:00");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText("Your reminder settings are saved.").first().waitFor();
  await accessible(page, "reminders");
  await screenshot(page, "reminders");

  await page.getByRole("button", { name: "Send a test to Work phone" }).click();
  const payload = await pushFor(endpoint, (p) => p.tag === "test", 15_000);
  const shown = await deliverPush(page, payload);
  assert.equal(shown.title, "Test notification");
  await open(page, "Home", /Hello/);
  await tapNotification(context, "test");
  await page.waitForURL(`${BASE}${JSON.parse(payload).link}`);
  await page.getByRole("heading", { level: 1, name: "Reminders" }).waitFor();
  await context.close();
});

test("SES-3: a supervisee proposes a move; the supervisor confirms it from the push", async () => {
  const session = await book(org, 7);
  const manager = await signedInPhone(org.manager.email);
  await remindersOn(manager.page, "Manager's phone");
  await noQuietHours(org.managerToken);
  const worker = await signedInPhone(org.worker.email);
  await open(worker.page, "Sessions", "Your sessions");
  await accessible(worker.page, "sessions");
  await screenshot(worker.page, "sessions");
  await worker.page.locator(`a[href="/sessions/${session}"]:visible`).first().click();
  await worker.page.getByRole("heading", { level: 1, name: "Session" }).waitFor();
  await worker.page.getByLabel("New date").fill(dayAhead(9));
  await worker.page.getByLabel("New start time").fill("10:00");
  await worker.page.getByLabel("Reason", { exact: true }).selectOption({ label: "Annual leave" });
  await worker.page.getByRole("button", { name: "Propose the move" }).click();
  await worker.page.getByText(/waiting for a decision/).first().waitFor();
  await accessible(worker.page, "session with a proposal");
  await screenshot(worker.page, "session-proposed");

  // The supervisor's phone gets the server's push; a tap opens the session, where they decide.
  const payload = await pushFor(manager.endpoint, (p) => p.link === `/sessions/${session}`);
  await deliverPush(manager.page, payload);
  await tapNotification(manager.context, JSON.parse(payload).tag);
  await manager.page.waitForURL(`${BASE}/sessions/${session}`);
  await manager.page.getByRole("button", { name: "Confirm the move" }).click();
  await manager.page.getByText("The move is confirmed.").first().waitFor();
  const moved = (await api("GET", `/api/v1/sessions/${session}`, { token: org.managerToken })).json;
  assert.equal(moved.starts_at.slice(0, 10), dayAhead(9));
  assert.equal(moved.pending_change ?? null, null);
  await manager.context.close();
  await worker.context.close();
});

test("SES-3: a move past the due date waits for the manager above, who decides from the inbox with a justification", async () => {
  const session = await book(org, 14);
  const worker = await signedInPhone(org.worker.email);
  await worker.page.goto(`${BASE}/sessions/${session}`);
  await worker.page.getByRole("heading", { level: 1, name: "Session" }).waitFor();
  await worker.page.getByLabel("New date").fill(dayAhead(60));
  await worker.page.getByLabel("New start time").fill("10:00");
  await worker.page.getByLabel("Reason", { exact: true }).selectOption({ label: "Sickness" });
  await worker.page.getByRole("button", { name: "Propose the move" }).click();
  await worker.page.getByText(/waiting for a decision/).first().waitFor();

  const headToken = (await api("POST", "/api/v1/auth/login", { body: { email: org.head.email, password: PASSWORD } })).json
    .access_token;
  await eventually(async () => {
    const inbox = (await api("GET", "/api/v1/me/notifications?limit=50", { token: headToken })).json;
    return inbox.items.find((n) => n.link === `/sessions/${session}`);
  }, 90_000);
  const head = await signedInPhone(org.head.email);
  await open(head.page, "Inbox", "Inbox");
  await accessible(head.page, "inbox");
  await screenshot(head.page, "inbox");
  await head.page.locator(`a[href="/sessions/${session}"]:visible`).first().click();
  await head.page.waitForURL(`${BASE}/sessions/${session}`);
  // Confirming needs a reason the move may go past the due date.
  await head.page.getByRole("button", { name: "Confirm the move" }).click();
  await head.page.getByRole("alert").getByRole("link", { name: "Enter why the move may go past the due date" }).waitFor();
  await accessible(head.page, "a breach decision with an error");
  await head.page.getByLabel("Justification").fill("Sickness absence; the first date she is back at work");
  await head.page.getByRole("button", { name: "Confirm the move" }).click();
  await head.page.getByText("The move is confirmed.").first().waitFor();
  await screenshot(head.page, "breach-decided");
  const history = (await api("GET", `/api/v1/sessions/${session}/history`, { token: headToken })).json;
  const decided = history.find((c) => c.justification);
  assert.ok(decided, "the justification is in the session's history");
  assert.equal(decided.state, "confirmed");
  await head.context.close();
  await worker.context.close();
});
