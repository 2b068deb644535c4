// What the browser tests stand on (issue 19): the server under test (started by run.sh, its
// address in SUPERVISION_BASE), an organisation made through the API as an administrator
// would make it, Debian's Chromium driven by playwright-core at a phone's size, and axe-core.

import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import assert from "node:assert/strict";
import { chromium, devices } from "playwright-core";

export const BASE = process.env.SUPERVISION_BASE ?? "http://127.0.0.1:8080";
export const PASSWORD = "a browser test passphrase";
const SCREENSHOTS = process.env.SCREENSHOTS_DIR;

/**
 * One API call as a client would make it; throws on an unexpected status. `base` is another
 * server's address, for a test that starts its own.
 * @param {string} method
 * @param {string} path
 * @param {{ token?: string, body?: unknown, status?: number, headers?: Record<string, string>, base?: string }} [options]
 */
export async function api(method, path, { token, body, status = 200, headers = {}, base = BASE } = {}) {
  const response = await fetch(base + path, {
    method,
    headers: {
      accept: "application/json",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== status) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return { json: text ? JSON.parse(text) : null, etag: response.headers.get("etag") ?? "" };
}

/** Signs in through the API; returns the access token. */
export async function token(email, password = PASSWORD) {
  return (await api("POST", "/api/v1/auth/login", { body: { email, password } })).json.access_token;
}

/**
 * The organisation the tests act in, made through the API by the administrator whose
 * one-time password the server printed: a head of service above a team manager, who
 * supervises a social worker under a signed monthly agreement with a session booked in
 * `daysAhead` days. `fresh` is a person who has not yet changed their one-time password.
 * Each test file makes its own with a `tag` (its people's e-mail addresses and team name carry
 * it); the first call replaces the administrator's one-time password, later ones sign in.
 * @param {string} [tag]
 */
export async function organisation(tag = "") {
  const log = await readFile(process.env.SUPERVISION_SERVER_LOG ?? "", "utf8");
  const found = /e-mail:\s+(\S+)\s+one-time password:\s+(\S+)/.exec(log);
  assert.ok(found, "the server printed the first administrator's one-time password");
  const [, adminEmail, oneTime] = found;
  const first = await token(adminEmail, oneTime).catch(() => null);
  if (first) {
    await api("POST", "/api/v1/me/password", {
      token: first,
      body: { current_password: oneTime, new_password: PASSWORD },
    });
  }
  const admin = await token(adminEmail);
  const teamName = tag ? `Children in need east (${tag})` : "Children in need east";
  const team = (await api("POST", "/api/v1/teams", { token: admin, body: { name: teamName }, status: 201 })).json;
  /** @param {string} name @param {string} category @param {boolean} [change] */
  const person = async (name, category, change = true) => {
    const email = `${name.toLowerCase().replace(/\s+/g, ".")}${tag ? `.${tag}` : ""}@council.example`;
    const created = (
      await api("POST", "/api/v1/people", {
        token: admin,
        status: 201,
        body: { email, display_name: name, staff_category: category, team_id: team.id },
      })
    ).json;
    if (change) {
      const once = await token(email, created.one_time_password);
      await api("POST", "/api/v1/me/password", {
        token: once,
        body: { current_password: created.one_time_password, new_password: PASSWORD },
      });
    }
    return { id: created.person.id, email, name, oneTime: created.one_time_password };
  };
  const head = await person("Grace Obi", "operational_manager");
  const manager = await person("Sam Patel", "operational_manager");
  const worker = await person("Ruth Evans", "social_worker");
  const fresh = await person("Tom Reid", "social_worker", false);
  const manage = (supervisee, above) =>
    api("POST", `/api/v1/people/${supervisee.id}/line-management`, {
      token: admin,
      status: 201,
      body: { manager_id: above.id, starts_on: "2020-01-01" },
    });
  await manage(manager, head);
  await manage(worker, manager);
  const managerToken = await token(manager.email);
  const workerToken = await token(worker.email);
  const today = new Date().toISOString().slice(0, 10);
  const made = await api("POST", "/api/v1/agreements", {
    token: managerToken,
    status: 201,
    body: {
      supervisee_id: worker.id,
      kind: "line_management",
      frequency: { every_months: 1 },
      session_minutes: 90,
      usual_weekday: "thursday",
      usual_time: "10:00",
      place: "Room 2",
      agenda: "Cases, wellbeing, learning",
      starts_on: today,
    },
  });
  const agreement = made.json.id;
  const signed = await api("POST", `/api/v1/agreements/${agreement}/sign`, {
    token: workerToken,
    body: {},
    headers: { "if-match": made.etag },
  });
  await api("POST", `/api/v1/agreements/${agreement}/sign`, {
    token: managerToken,
    body: {},
    headers: { "if-match": signed.etag },
  });
  return { admin, team, head, manager, worker, fresh, agreement, managerToken, workerToken };
}

/**
 * Books a session `days` calendar days ahead at 10:00 UTC; returns its id.
 * @param {{ agreement: string, managerToken: string }} org
 * @param {number} days
 */
export async function book(org, days) {
  const at = new Date(Date.now() + days * 86400_000);
  at.setUTCHours(10, 0, 0, 0);
  const booked = await api("POST", `/api/v1/agreements/${org.agreement}/sessions`, {
    token: org.managerToken,
    status: 201,
    body: { starts_at: at.toISOString() },
  });
  return booked.json.id;
}

/** Chromium, headless, from Debian's package (Playwright's own download is not reachable). */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox"],
  });
}

/**
 * A fresh browser profile the size of a phone (Pixel 7: 412 × 915, touch), with
 * notifications allowed for the app.
 * @param {import("playwright-core").Browser} browser
 */
export async function phone(browser) {
  const context = await browser.newContext({ ...devices["Pixel 7"], locale: "en-GB", timezoneId: "Europe/London" });
  await context.grantPermissions(["notifications"], { origin: BASE });
  return context;
}

/**
 * Signs in through the app's form and waits for home.
 * @param {import("playwright-core").Page} page
 * @param {string} email
 */
export async function signIn(page, email, password = PASSWORD) {
  await page.goto(BASE + "/");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

const axeSource = readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core (WCAG 2.0–2.2 A and AA rules) on what the page shows now and fails on any
 * serious or critical violation, naming the rule and the elements.
 * @param {import("playwright-core").Page} page
 * @param {string} screen
 */
export async function accessible(page, screen) {
  // Through the DevTools protocol, which the app's CSP (no inline script) does not govern.
  await page.evaluate(await axeSource);
  const results = await page.evaluate(() =>
    // @ts-ignore axe is the global axe-core defines
    window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
      resultTypes: ["violations"],
    }),
  );
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `axe-core on ${screen}`,
  );
  await reflows(page, screen);
  return results.violations.length;
}

/**
 * WCAG 1.4.10 (reflow): at 320 CSS px wide, what 1280 px at 400 % zoom gives, nothing needs
 * scrolling sideways. The viewport is put back afterwards.
 * @param {import("playwright-core").Page} page
 * @param {string} screen
 */
export async function reflows(page, screen) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  const overflow = await page.evaluate(() => {
    const root = document.documentElement;
    const wide = [...document.querySelectorAll("body *")]
      .filter((element) => element.getBoundingClientRect().right > root.clientWidth + 1)
      .map((element) => element.id || element.tagName.toLowerCase());
    return { scroll: root.scrollWidth - root.clientWidth, wide: wide.slice(0, 5) };
  });
  if (size) await page.setViewportSize(size);
  assert.deepEqual(overflow, { scroll: 0, wide: [] }, `${screen} at 320 px wide`);
}

/**
 * Saves a screenshot for the README when SCREENSHOTS_DIR is set.
 * @param {import("playwright-core").Page} page
 * @param {string} name
 */
export async function screenshot(page, name) {
  if (!SCREENSHOTS) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  // What the phone's screen shows, at CSS pixels, so the README's pictures stay small.
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), scale: "css" });
}

/**
 * Makes this profile's PushManager subscribe to the tests' push receiver instead of a browser
 * vendor's push service (unreachable here): `subscribe` resolves to a subscription with the
 * receiver's endpoint and keys, `getSubscription` returns it once made (across reloads), and
 * `unsubscribe` forgets it. Everything after that — the app's registration, the server's
 * encryption and VAPID signature, the service worker's notification — is real.
 * @param {import("playwright-core").BrowserContext} context
 * @param {{ endpoint: string, expirationTime: null, keys: { p256dh: string, auth: string } }} subscription
 */
export async function pushTo(context, subscription) {
  await context.addInitScript((json) => {
    const KEY = "browser-test.push-subscribed";
    const made = () => ({
      endpoint: json.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true },
      toJSON: () => json,
      getKey: (/** @type {string} */ name) =>
        Uint8Array.from(atob(json.keys[name].replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)).buffer,
      unsubscribe: async () => {
        localStorage.removeItem(KEY);
        return true;
      },
    });
    PushManager.prototype.subscribe = async function () {
      localStorage.setItem(KEY, "1");
      return /** @type {any} */ (made());
    };
    PushManager.prototype.getSubscription = async function () {
      return localStorage.getItem(KEY) ? /** @type {any} */ (made()) : null;
    };
  }, subscription);
}

/**
 * Hands a push message to the page's service worker as the push service would, through the
 * DevTools protocol (ServiceWorker.deliverPushMessage), and waits for the notification it shows.
 * @param {import("playwright-core").Page} page
 * @param {string} data the decrypted payload the server sent
 */
export async function deliverPush(page, data) {
  const cdp = await page.context().newCDPSession(page);
  /** @type {string[]} */
  const registrations = [];
  cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => {
    for (const r of event.registrations) if (!r.isDeleted && r.scopeURL === `${BASE}/`) registrations.push(r.registrationId);
  });
  await cdp.send("ServiceWorker.enable");
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  for (let i = 0; i < 50 && registrations.length === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
  assert.ok(registrations.length, "the app's service worker is registered");
  const tag = JSON.parse(data).tag;
  // Chromium stops a worker idle for 30 s, and a push handed to a stopping worker can be lost
  // (seen in CI once, after the test waited a minute for the reminder sweep). A push service
  // retries too; the tag makes a repeat replace, not add, the notification.
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await cdp.send("ServiceWorker.startWorker", { scopeURL: `${BASE}/` });
      await cdp.send("ServiceWorker.deliverPushMessage", { origin: BASE, registrationId: registrations[0], data });
      for (let i = 0; i < 50; i += 1) {
        const shown = await page.evaluate(
          (t) =>
            navigator.serviceWorker.ready
              .then((r) => r.getNotifications({ tag: t }))
              .then((list) => list.map((n) => ({ title: n.title, body: n.body, data: n.data }))),
          tag,
        );
        if (shown.length) return shown[0];
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await cdp.detach();
  }
  throw new Error(`the service worker showed no notification for ${data}`);
}

/**
 * Taps the shown notification with `tag`: a `notificationclick` in the service worker, as the
 * system dispatches it (the DevTools protocol has no way to click a system notification).
 * @param {import("playwright-core").BrowserContext} context
 * @param {string} tag
 */
export async function tapNotification(context, tag) {
  const worker = context.serviceWorkers().find((w) => w.url() === `${BASE}/sw.js`);
  assert.ok(worker, "the app's service worker runs");
  await worker.evaluate(async (t) => {
    const sw = /** @type {any} */ (self);
    const [notification] = await sw.registration.getNotifications({ tag: t });
    sw.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
  }, tag);
}

/**
 * Waits until `check` (an API read) gives something truthy, up to `ms`: for what the
 * server's reminder sweep does once a minute.
 * @template T
 * @param {() => Promise<T>} check
 * @param {number} ms
 * @returns {Promise<NonNullable<T>>}
 */
export async function eventually(check, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await check();
    if (found) return /** @type {NonNullable<T>} */ (found);
    if (Date.now() > deadline) throw new Error("timed out waiting for the server");
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * The administrator's token (issue 20). Every *.test.mjs file runs against the same server, so
 * the one-time password the server printed may already have been replaced (by organisation()
 * in an earlier file); then the tests' own password signs in.
 */
export async function administrator() {
  const log = await readFile(process.env.SUPERVISION_SERVER_LOG ?? "", "utf8");
  const found = /e-mail:\s+(\S+)\s+one-time password:\s+(\S+)/.exec(log);
  assert.ok(found, "the server printed the first administrator's one-time password");
  const [, email, oneTime] = found;
  const signedIn = await fetch(`${BASE}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (signedIn.ok) return (await signedIn.json()).access_token;
  const first = await token(email, oneTime);
  await api("POST", "/api/v1/me/password", { token: first, body: { current_password: oneTime, new_password: PASSWORD } });
  return token(email);
}

/**
 * A person made by the administrator in a team, with their own password already chosen
 * (issue 20). `extra` adds fields of the person (such as `asye_start`).
 * @param {string} admin the administrator's token
 * @param {string} teamId
 * @param {string} name
 * @param {string} category staff category
 * @param {Record<string, unknown>} [extra]
 */
export async function newPerson(admin, teamId, name, category, extra = {}) {
  const email = `${name.toLowerCase().replace(/\s+/g, ".")}@council.example`;
  const created = (
    await api("POST", "/api/v1/people", {
      token: admin,
      status: 201,
      body: { email, display_name: name, staff_category: category, team_id: teamId, ...extra },
    })
  ).json;
  const once = await token(email, created.one_time_password);
  await api("POST", "/api/v1/me/password", {
    token: once,
    body: { current_password: created.one_time_password, new_password: PASSWORD },
  });
  return { id: created.person.id, email, name, token: await token(email) };
}

/**
 * A monthly supervision agreement from today, signed by both (issue 20); returns its id.
 * @param {{ id: string, token: string }} supervisor
 * @param {{ id: string, token: string }} supervisee
 */
export async function signedAgreement(supervisor, supervisee) {
  const made = await api("POST", "/api/v1/agreements", {
    token: supervisor.token,
    status: 201,
    body: {
      supervisee_id: supervisee.id,
      kind: "line_management",
      frequency: { every_months: 1 },
      session_minutes: 60,
      usual_weekday: "tuesday",
      usual_time: "14:00",
      place: "Room 4",
      agenda: "Cases, wellbeing, learning",
      starts_on: new Date().toISOString().slice(0, 10),
    },
  });
  const signed = await api("POST", `/api/v1/agreements/${made.json.id}/sign`, {
    token: supervisee.token,
    body: {},
    headers: { "if-match": made.etag },
  });
  await api("POST", `/api/v1/agreements/${made.json.id}/sign`, {
    token: supervisor.token,
    body: {},
    headers: { "if-match": signed.etag },
  });
  return made.json.id;
}

/**
 * A session under `agreement` that has just been held (booked a moment ahead, then marked
 * held once it has started), so its record is open for the supervisor (issue 20, REC-1).
 * Returns the session's and the record's ids.
 * @param {string} agreement
 * @param {string} supervisorToken
 */
export async function heldSession(agreement, supervisorToken) {
  const starts = Date.now() + 1500;
  const booked = await api("POST", `/api/v1/agreements/${agreement}/sessions`, {
    token: supervisorToken,
    status: 201,
    body: { starts_at: new Date(starts).toISOString() },
  });
  await new Promise((r) => setTimeout(r, Math.max(0, starts - Date.now()) + 300));
  await api("POST", `/api/v1/sessions/${booked.json.id}/held`, {
    token: supervisorToken,
    headers: { "if-match": booked.etag },
  });
  const record = await api("GET", `/api/v1/sessions/${booked.json.id}/record`, { token: supervisorToken });
  return { session: booked.json.id, record: record.json.record.id };
}
