// The reflective log, offline writes and CPD in a real Chromium at a phone's size (issue 20):
// writing with the network cut and the page closed, a resend after a lost answer, a clash
// between two devices, sharing and comments, a refused queued write, and the CPD countdown
// across 30 November / 1 December on a second server whose clock libfaketime fixes.
// Run by run.sh, which starts the server: `node --test reflections.test.mjs`.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { devices } from "playwright-core";
import {
  BASE,
  PASSWORD,
  accessible,
  api,
  eventually,
  launch,
  organisation,
  phone,
  screenshot,
  signIn,
  token,
} from "./support.mjs";

/** @type {import("playwright-core").Browser} */
let browser;
/** @type {Awaited<ReturnType<typeof organisation>>} */
let org;

before(async () => {
  browser = await launch();
  org = await organisation("ref");
});

after(async () => {
  await browser?.close();
});

/**
 * A phone signed in as `email`, at home.
 * @param {string} email
 * @param {import("playwright-core").BrowserContextOptions} [options]
 */
async function signedIn(email, options) {
  const context = options
    ? await browser.newContext({ ...devices["Pixel 7"], locale: "en-GB", timezoneId: "Europe/London", ...options })
    : await phone(browser);
  const page = await context.newPage();
  await signIn(page, email);
  await page.getByRole("heading", { level: 1, name: /Hello/ }).waitFor();
  return { context, page };
}

/** @param {import("playwright-core").Page} page @param {string | RegExp} name */
async function heading(page, name) {
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

/** The worker's entries on the server, newest first. */
async function serverEntries() {
  return (await api("GET", "/api/v1/me/reflections?limit=200", { token: await token(org.worker.email) })).json;
}

/**
 * An entry made through the API, as another device would; returns it with its ETag.
 * @param {string} title
 */
async function entryOnServer(title) {
  return api("POST", "/api/v1/me/reflections", {
    token: await token(org.worker.email),
    status: 201,
    body: {
      entry_date: new Date().toISOString().slice(0, 10),
      title,
      model: "driscoll",
      sections: { what: "A review meeting where the family disagreed with the plan." },
      status: "draft",
      tags: ["pcf-5"],
    },
  });
}

test("REF-1, API-4: an entry written offline waits on the device, survives closing the page and reaches the server once", async () => {
  const before = (await serverEntries()).total;
  const { context, page } = await signedIn(org.worker.email);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.locator("#home").getByRole("link", { name: "Your reflective log" }).click();
  await heading(page, "Your reflective log");
  await accessible(page, "reflective log");
  await page.getByRole("link", { name: "Write a new reflection" }).click();
  await heading(page, "New reflection");
  // The models are the API's.
  const models = (await api("GET", "/api/v1/reflection-models", { token: org.workerToken })).json;
  const offered = await page.getByLabel("Reflective model").locator("option").allTextContents();
  assert.deepEqual(offered, models.map((m) => m.name));
  await page.getByLabel("Reflective model").selectOption({ label: "Gibbs' reflective cycle" });
  await page.getByLabel("Description", { exact: true }).waitFor();
  await accessible(page, "reflection editor");
  await screenshot(page, "reflection-editor");

  await context.setOffline(true);
  await page.getByLabel("Title").fill("A hard home visit");
  await page.getByLabel("Description", { exact: true }).fill("Visit to a family under a child protection plan.");
  await page.getByLabel("Feelings", { exact: true }).fill("Anxious at first, then steadier.");
  await page.getByLabel("Case reference").fill("CH-204518");
  await page.getByLabel("Tags").fill("pcf-5, risk");
  await page.getByRole("button", { name: "Save" }).click();
  await heading(page, "Your reflective log");
  await page.locator("#view").getByText("1 entry waiting to send").waitFor();
  await page.locator("#view").getByText("A hard home visit").first().waitFor();
  await accessible(page, "reflective log, waiting to send");
  await screenshot(page, "reflections-waiting");
  assert.equal((await serverEntries()).total, before, "nothing reached the server offline");

  // Closed, then opened again, still offline: the entry is on the device, not yet sent.
  await page.close();
  const again = await context.newPage();
  await again.goto(`${BASE}/me/reflections`);
  await heading(again, "Sign in");
  await context.setOffline(false);
  await heading(again, "Your reflective log");
  const sent = await eventually(async () => {
    const list = await serverEntries();
    return list.total === before + 1 ? list : null;
  }, 20_000);
  assert.equal(sent.items[0].title, "A hard home visit");
  assert.deepEqual(sent.items[0].tags, ["pcf-5", "risk"]);
  assert.equal(sent.items[0].sections.feelings, "Anxious at first, then steadier.");
  await again.locator("#view").getByRole("heading", { name: /waiting to send/ }).waitFor({ state: "hidden" });
  // And only once: a few seconds on, still one.
  await again.waitForTimeout(3000);
  assert.equal((await serverEntries()).total, before + 1);
  await again.reload();
  await again.locator("#view").getByRole("link", { name: "A hard home visit" }).waitFor();
  await accessible(again, "reflective log with an entry");
  await screenshot(again, "reflections-log");
  await context.close();
});

test("REF-1, API-4: a resend after the server's answer was lost does not make the entry twice", async () => {
  const before = (await serverEntries()).total;
  // No service worker in the way, so the test can stand between the page and the server.
  const { context, page } = await signedIn(org.worker.email, { serviceWorkers: "block" });
  /** @type {{ key: string | undefined, replayed: string | undefined }[]} */
  const posts = [];
  await page.route("**/api/v1/me/reflections", async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    // The request reaches the server; the first answer never reaches the page.
    const response = await route.fetch();
    posts.push({ key: route.request().headers()["idempotency-key"], replayed: response.headers()["idempotent-replayed"] });
    if (posts.length === 1) return route.abort("connectionreset");
    return route.fulfill({ response });
  });
  await page.goto(`${BASE}/me/reflections/new`);
  await heading(page, "New reflection");
  await page.getByLabel("Reflective model").selectOption({ label: "Free text" });
  await page.getByLabel("Title").fill("Lost answer");
  await page.getByRole("button", { name: "Save" }).click();
  await heading(page, "Your reflective log");
  // The outbox tries again (after 2 s) with the same key; the server answers from its record.
  await eventually(async () => posts.length >= 2, 20_000);
  await page.locator("#view").getByRole("heading", { name: /waiting to send/ }).waitFor({ state: "hidden" });
  assert.equal(posts.length, 2);
  assert.ok(posts[0].key);
  assert.equal(posts[1].key, posts[0].key, "the resend carries the same Idempotency-Key");
  assert.equal(posts[1].replayed, "true", "the server replayed its first answer");
  const list = await serverEntries();
  assert.equal(list.total, before + 1);
  assert.equal(list.items.filter((e) => e.title === "Lost answer").length, 1);
  await context.close();
});

test("REF-1: on a shared phone, one person's queued entry waits for them and is never sent as another's", async () => {
  const title = "Written on the team phone";
  const { context, page } = await signedIn(org.worker.email);
  await page.goto(`${BASE}/me/reflections/new`);
  await heading(page, "New reflection");
  await context.setOffline(true);
  await page.getByLabel("Reflective model").selectOption({ label: "Free text" });
  await page.getByLabel("Title").fill(title);
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator("#view").getByText("1 entry waiting to send").waitFor();
  await page.getByRole("button", { name: "Sign out" }).click();
  await heading(page, "Sign in");
  await context.setOffline(false);

  // The next person signs in on the same screen (no reload, which the cookie left by an
  // offline sign-out would answer).
  await page.getByLabel("E-mail address").fill(org.manager.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The app stays at the address it was on: the log, now the manager's.
  await heading(page, "Your reflective log");
  await page.locator("#who").getByText(org.manager.name).waitFor();
  await page.locator("#view").getByRole("heading", { name: "Your entries" }).waitFor();
  assert.equal(await page.locator("#view").getByText(title).count(), 0, "not shown to another person");
  await page.waitForTimeout(3000);
  const managers = (await api("GET", "/api/v1/me/reflections?limit=200", { token: org.managerToken })).json;
  assert.equal(managers.items.filter((e) => e.title === title).length, 0, "not sent as another person");
  assert.equal((await serverEntries()).items.filter((e) => e.title === title).length, 0);

  await page.getByRole("button", { name: "Sign out" }).click();
  await heading(page, "Sign in");
  await page.getByLabel("E-mail address").fill(org.worker.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#who").getByText(org.worker.name).waitFor();
  await eventually(async () => (await serverEntries()).items.some((e) => e.title === title), 20_000);
  await context.close();
});

test("REF-1: a save that clashes with another device's shows both versions and the writer chooses", async () => {
  const made = await entryOnServer("Family meeting");
  const id = made.json.id;
  const a = await signedIn(org.worker.email);
  const b = await signedIn(org.worker.email);
  for (const { page } of [a, b]) {
    await page.goto(`${BASE}/reflections/${id}/edit`);
    await heading(page, "Edit reflection");
  }
  await b.page.getByLabel("Title").fill("Family meeting (from the laptop)");
  await b.page.getByRole("button", { name: "Save" }).click();
  await heading(b.page, "Reflection");

  await a.page.getByLabel("What?", { exact: true }).fill("A review meeting; I changed the plan's wording with the family.");
  await a.page.getByRole("button", { name: "Save" }).click();
  const clash = a.page.getByRole("region", { name: "This entry was changed elsewhere" });
  await clash.waitFor();
  await clash.getByText("Family meeting (from the laptop)").waitFor();
  await clash.getByText("I changed the plan's wording").waitFor();
  await accessible(a.page, "reflection conflict");
  await screenshot(a.page, "reflection-conflict");
  await clash.getByRole("button", { name: "Keep mine" }).click();
  await heading(a.page, "Reflection");
  let now = (await api("GET", `/api/v1/reflections/${id}`, { token: org.workerToken })).json;
  assert.equal(now.sections.what, "A review meeting; I changed the plan's wording with the family.");
  assert.equal(now.title, "Family meeting", "mine, as chosen");
  assert.equal(now.version, 3);

  // The other way: the writer takes theirs and their own change is dropped, by choice.
  await b.page.goto(`${BASE}/reflections/${id}/edit`);
  await heading(b.page, "Edit reflection");
  await a.page.goto(`${BASE}/reflections/${id}/edit`);
  await heading(a.page, "Edit reflection");
  await b.page.getByLabel("Title").fill("Family meeting, second look");
  await b.page.getByRole("button", { name: "Save" }).click();
  await heading(b.page, "Reflection");
  await a.page.getByLabel("Title").fill("Family meeting, my edit");
  await a.page.getByRole("button", { name: "Save" }).click();
  await a.page.getByRole("region", { name: "This entry was changed elsewhere" }).getByRole("button", { name: "Take theirs" }).click();
  await heading(a.page, "Reflection");
  await a.page.locator("#view").getByRole("heading", { level: 2, name: "Family meeting, second look" }).waitFor();
  now = (await api("GET", `/api/v1/reflections/${id}`, { token: org.workerToken })).json;
  assert.equal(now.title, "Family meeting, second look");
  await a.context.close();
  await b.context.close();
});

test("REF-2: the author shares an entry, the supervisor reads and comments, the author sees it and unshares", async () => {
  const made = await entryOnServer("Working with resistance");
  const id = made.json.id;
  const worker = await signedIn(org.worker.email);
  await worker.page.goto(`${BASE}/reflections/${id}`);
  await heading(worker.page, "Reflection");
  await worker.page.getByText("Private: only you can read it.").waitFor();
  await worker.page.getByLabel("Share with").selectOption({ label: org.manager.name });
  await worker.page.getByRole("button", { name: "Share", exact: true }).click();
  await worker.page.getByText(`Shared with ${org.manager.name}.`).first().waitFor();
  await accessible(worker.page, "a shared reflection");

  const manager = await signedIn(org.manager.email);
  await manager.page.goto(`${BASE}/me/shared-reflections`);
  await heading(manager.page, "Reflections shared with you");
  await accessible(manager.page, "reflections shared with a supervisor");
  await manager.page.locator("#view").getByRole("link", { name: "Working with resistance" }).click();
  await heading(manager.page, "Reflection");
  await manager.page.getByText(`${org.worker.name}`).first().waitFor();
  await manager.page.getByLabel("Add a comment").fill("Good analysis; bring this to supervision.");
  await manager.page.getByRole("button", { name: "Add comment" }).click();
  await manager.page.getByText("Your comment is added.").first().waitFor();
  await accessible(manager.page, "a reflection a supervisor comments on");

  await worker.page.reload();
  await heading(worker.page, "Reflection");
  const comments = worker.page.getByRole("region", { name: "Comments" });
  await comments.getByText("Good analysis; bring this to supervision.").waitFor();
  await comments.getByText(new RegExp(`^${org.manager.name},`)).waitFor();
  await worker.page.getByRole("button", { name: `Stop sharing with ${org.manager.name}` }).click();
  await worker.page.getByText(`${org.manager.name} can no longer read this entry.`).first().waitFor();
  await worker.page.getByText("Private: only you can read it.").waitFor();

  await manager.page.reload();
  await heading(manager.page, "Reflection");
  await manager.page.locator("#view").getByText(/not found|no such/i).first().waitFor();
  await api("GET", `/api/v1/reflections/${id}`, { token: org.managerToken, status: 404 });
  await worker.context.close();
  await manager.context.close();
});

test("REF-1: a queued write the server refuses stays on the device with the server's words until corrected", async () => {
  const before = (await serverEntries()).total;
  const { context, page } = await signedIn(org.worker.email);
  await page.locator("#home").getByRole("link", { name: "Your reflective log" }).click();
  await heading(page, "Your reflective log");
  await page.getByRole("link", { name: "Write a new reflection" }).click();
  await heading(page, "New reflection");
  await context.setOffline(true);
  await page.getByLabel("Reflective model").selectOption({ label: "Free text" });
  await page.getByLabel("Title").fill("Supervision with a name in it");
  // The organisation's case reference format is the server's to check: offline, it is kept.
  await page.getByLabel("Case reference").fill("Jane Smith");
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator("#view").getByText("1 entry waiting to send").waitFor();
  await context.setOffline(false);
  const refused = page.locator("#view").getByText(/The server said: .*case_reference/);
  await refused.waitFor({ timeout: 20_000 });
  await page.locator("#view").getByText("Not accepted").first().waitFor();
  // Still there after the page is reloaded.
  await page.reload();
  await heading(page, "Your reflective log");
  await refused.waitFor();
  await page.locator("#view").getByRole("link", { name: "Supervision with a name in it" }).click();
  await heading(page, "Kept on this device");
  const summary = page.getByRole("alert").filter({ hasText: "There is a problem" });
  await summary.getByRole("link", { name: /Case reference: must be a case reference/ }).waitFor();
  await accessible(page, "a refused entry kept on the device");
  await page.getByLabel("Case reference").fill("CH-204519");
  await page.getByRole("button", { name: "Save" }).click();
  await heading(page, "Reflection");
  const list = await serverEntries();
  assert.equal(list.total, before + 1);
  assert.equal(list.items[0].case_reference, "CH-204519");
  await context.close();
});

/** A free port on loopback. */
async function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * The server again, on its own data folder, with its wall clock fixed by libfaketime at what
 * `clockFile` says (read on every call, so the test moves it). Never a clock a user can set.
 * @param {string} clockFile
 */
async function fakeTimeServer(clockFile) {
  const binary = process.env.SUPERVISION_BINARY;
  assert.ok(binary, "run.sh names the binary");
  const data = await mkdtemp(join(tmpdir(), "supervision-faketime-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = join(data, "server.log");
  const out = openSync(log, "w");
  const child = spawn(binary, ["serve"], {
    env: {
      ...process.env,
      SUPERVISION_DATA_DIR: data,
      SUPERVISION_BIND: `127.0.0.1:${port}`,
      SUPERVISION_LOG_FORMAT: "json",
      TZ: "UTC",
      LD_PRELOAD: "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
      FAKETIME_TIMESTAMP_FILE: clockFile,
      FAKETIME_NO_CACHE: "1",
      FAKETIME_DONT_FAKE_MONOTONIC: "1",
    },
    stdio: ["ignore", out, out],
  });
  await eventually(async () => {
    try {
      return (await fetch(`${base}/healthz`)).ok;
    } catch {
      return false;
    }
  }, 30_000);
  return {
    base,
    log,
    stop: async () => {
      child.kill();
      await new Promise((r) => child.once("exit", r));
      await rm(data, { recursive: true, force: true });
    },
  };
}

test("REF-3: the CPD count says the last day on 30 November and starts afresh on 1 December", async () => {
  const folder = await mkdtemp(join(tmpdir(), "supervision-clock-"));
  const clockFile = join(folder, "clock");
  await writeFile(clockFile, "2026-11-30 10:00:00\n");
  const server = await fakeTimeServer(clockFile);
  const base = server.base;
  const context = await phone(browser);
  try {
    // A registered social worker with two CPD records this year, one with a peer reflection.
    const found = /e-mail:\s+(\S+)\s+one-time password:\s+(\S+)/.exec(await readFile(server.log, "utf8"));
    assert.ok(found);
    const [, adminEmail, oneTime] = found;
    /** @param {string} email @param {string} password */
    const login = async (email, password) =>
      (await api("POST", "/api/v1/auth/login", { base, body: { email, password } })).json.access_token;
    await api("POST", "/api/v1/me/password", {
      base,
      token: await login(adminEmail, oneTime),
      body: { current_password: oneTime, new_password: PASSWORD },
    });
    const admin = await login(adminEmail, PASSWORD);
    const team = (await api("POST", "/api/v1/teams", { base, token: admin, status: 201, body: { name: "Adults north" } })).json;
    const email = "nia.brown@council.example";
    const made = (
      await api("POST", "/api/v1/people", {
        base,
        token: admin,
        status: 201,
        body: { email, display_name: "Nia Brown", staff_category: "social_worker", team_id: team.id },
      })
    ).json;
    await api("POST", "/api/v1/me/password", {
      base,
      token: await login(email, made.one_time_password),
      body: { current_password: made.one_time_password, new_password: PASSWORD },
    });
    const nia = await login(email, PASSWORD);
    const cpd = {
      activity: "course",
      description: "Two-day course on direct work with adolescents.",
      learning: "Use their words.",
      impact: "Better assessments.",
    };
    for (const [date, title, peer] of [
      ["2026-01-15", "Reading on trauma-informed practice", null],
      ["2026-11-20", "Course on exploitation", { peer_name: "Sam Patel", peer_role: "supervisor", discussion: "How it changes my visits." }],
    ]) {
      await api("POST", "/api/v1/me/reflections", {
        base,
        token: nia,
        status: 201,
        body: { entry_date: date, title, model: "cpd_questions", sections: {}, status: "draft", cpd: { ...cpd, peer_reflection: peer } },
      });
    }

    await context.clock.setFixedTime(new Date("2026-11-30T10:00:00Z"));
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel("E-mail address").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await heading(page, /Hello/);
    await page.locator("#home").getByText("CPD: 2 records this year, 1 with peer reflection — today is the last day.").waitFor();
    await page.locator("#home").getByRole("link", { name: "Your CPD" }).click();
    await heading(page, "Your CPD");
    await page.locator("#view").getByText("2 records this year, 1 with peer reflection — today is the last day.").waitFor();
    await page.locator("#view").getByText("Important: today, 30 November, is the last day of this registration year.").waitFor();
    await page.locator("#view").getByText(/The registration year runs from \w+,? 1 December 2025 to \w+,? 30 November 2026\./).waitFor();
    await accessible(page, "CPD");
    await screenshot(page, "cpd");

    // The year's records, exported as the API makes them.
    const [json] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download as JSON of this year's CPD records" }).click(),
    ]);
    const exported = JSON.parse(await readFile(/** @type {string} */ (await json.path()), "utf8"));
    assert.deepEqual(exported.map((e) => e.title), ["Reading on trauma-informed practice", "Course on exploitation"]);
    const [html] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download a printable page of this year's CPD records" }).click(),
    ]);
    assert.match(html.suggestedFilename(), /^cpd-2025-12-01-to-2026-11-30\.html$/);
    const printable = await readFile(/** @type {string} */ (await html.path()), "utf8");
    assert.match(printable, /Course on exploitation/);
    assert.match(printable, /^<!doctype html>/i);

    // The next morning: a new registration year, nothing in it yet.
    await writeFile(clockFile, "2026-12-01 10:00:00\n");
    await context.clock.setFixedTime(new Date("2026-12-01T10:00:00Z"));
    const status = (await api("GET", "/api/v1/me/cpd-status", { base, token: await login(email, PASSWORD) })).json;
    assert.deepEqual(status.status.year, { starts_on: "2026-12-01", ends_on: "2027-11-30" });
    await page.reload();
    await heading(page, "Your CPD");
    await page.locator("#view").getByText("0 records this year, 0 with peer reflection — 365 days left.").waitFor();
    await page.locator("#view").getByText(/The registration year runs from \w+,? 1 December 2026 to \w+,? 30 November 2027\./).waitFor();
    await page.locator("#view").getByText("None yet. Mark a log entry as CPD to add one.").waitFor();
  } finally {
    await context.close();
    await server.stop();
    await rm(folder, { recursive: true, force: true });
  }
});
