// Records, observations and the ASYE year in the companion app, in a real Chromium (issue 20):
// the supervisor writes on a laptop, the supervisee and the ASYE worker use a phone. The API
// only sets the scene (a held session, an observation, a pause) and checks what the server
// holds after each step. axe-core and the 320 px reflow check run on every new screen.
// Run by run.sh with the other browser tests, against the same server: this file makes its own
// people in a team of their own.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  BASE,
  accessible,
  administrator,
  api,
  heldSession,
  launch,
  newPerson,
  phone,
  screenshot,
  signIn,
  signedAgreement,
} from "./support.mjs";

/** @type {import("playwright-core").Browser} */
let browser;
/** @type {Awaited<ReturnType<typeof scene>>} */
let org;

/** A date `days` from today (negative: before), as the API takes it. */
function day(days) {
  return new Date(Date.now() + days * 86400_000).toISOString().slice(0, 10);
}

/**
 * A team of its own: a supervisor under a head of service, a social worker and an ASYE worker
 * four months into the year, both supervised by her under signed agreements.
 */
async function scene() {
  const admin = await administrator();
  const team = (await api("POST", "/api/v1/teams", { token: admin, body: { name: "Children in need west" }, status: 201 })).json;
  const head = await newPerson(admin, team.id, "Ken Adams", "operational_manager");
  const supervisor = await newPerson(admin, team.id, "Priya Shah", "operational_manager");
  const worker = await newPerson(admin, team.id, "Leah Morgan", "social_worker");
  const asye = await newPerson(admin, team.id, "Omar Ali", "asye", { asye_start: day(-120) });
  for (const [person, manager] of [[supervisor, head], [worker, supervisor], [asye, supervisor]]) {
    await api("POST", `/api/v1/people/${person.id}/line-management`, {
      token: admin,
      status: 201,
      body: { manager_id: manager.id, starts_on: "2020-01-01" },
    });
  }
  const agreement = await signedAgreement(supervisor, worker);
  await signedAgreement(supervisor, asye);
  return { supervisor, worker, asye, agreement };
}

before(async () => {
  browser = await launch();
  org = await scene();
});

after(async () => {
  await browser?.close();
});

/** A laptop-size browser profile, as a supervisor writes records on. */
function laptop() {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB", timezoneId: "Europe/London" });
}

/**
 * A page signed in as `email` at home, on a phone or a laptop.
 * @param {string} email
 * @param {"phone" | "laptop"} size
 */
async function signedIn(email, size) {
  const context = size === "phone" ? await phone(browser) : await laptop();
  const page = await context.newPage();
  await signIn(page, email);
  await page.getByRole("heading", { level: 1, name: /Hello/ }).waitFor();
  return { context, page };
}

/**
 * The record as the server holds it, with its ETag.
 * @param {string} id
 * @param {string} token
 */
function record(id, token) {
  return api("GET", `/api/v1/records/${id}`, { token });
}

test("REC-1, REC-4, REC-5: the supervisor writes the record on the pro-forma and sends it; the supervisee asks for amendments, then signs; both see the history", async () => {
  const { record: id, session } = await heldSession(org.agreement, org.supervisor.token);
  const { json: opened } = await record(id, org.supervisor.token);
  const [first, second] = opened.template.sections.filter((s) => s.key !== "review_of_actions");

  // The supervisor, on a laptop, finds the record waiting on home and writes it.
  const desk = await signedIn(org.supervisor.email, "laptop");
  const sp = desk.page;
  await sp.getByRole("region", { name: "Records waiting for you" }).locator(`a[href="/records/${id}"]`).click();
  await sp.getByRole("heading", { level: 2, name: "Write the record" }).waitFor();
  await sp.locator("#view").getByText("Draft", { exact: true }).waitFor();
  // Sending an empty record is stopped, with the error linked to the first section.
  await sp.getByRole("button", { name: "Save and send for signature" }).click();
  await sp.getByRole("alert").getByRole("link", { name: "Write the record before sending it" }).waitFor();
  await accessible(sp, "the pro-forma with an error");
  await sp.reload();
  await sp.getByRole("heading", { level: 2, name: "Write the record" }).waitFor();
  await sp.getByLabel(first.title).fill("Caseload of 16; two new child protection cases.\nAgreed: no new allocations this month.");
  await sp.getByLabel(second.title).fill("Goals for the quarter reviewed; court skills training in February.");
  await sp.getByRole("heading", { level: 2, name: "Write the record" }).scrollIntoViewIfNeeded();
  await screenshot(sp, "record-editor");
  // REC-2: an action, what, who and by when; one left half-written is stopped.
  await sp.getByRole("button", { name: "Add an action" }).click();
  await sp.getByRole("button", { name: "Save draft" }).click();
  await sp.getByRole("alert").getByRole("link", { name: "Say what action 1 is" }).click();
  await sp.getByLabel("What", { exact: true }).fill("Book the court skills training");
  await sp.getByLabel("By when").fill(day(30));
  await accessible(sp, "the pro-forma");

  // Someone else saves meanwhile: the supervisor's save is refused, shown, and not lost.
  const { etag } = await record(id, org.supervisor.token);
  await api("PUT", `/api/v1/records/${id}`, {
    token: org.supervisor.token,
    headers: { "if-match": etag },
    body: { content: { sections: { [first.key]: "Saved from another tab." } } },
  });
  await sp.getByRole("button", { name: "Save draft" }).click();
  await sp.getByRole("alert").getByText("This record changed since you opened it").waitFor();
  await sp.getByRole("heading", { level: 2, name: "The newer version" }).waitFor();
  await sp.locator("#view").getByText("Saved from another tab.").waitFor();
  assert.match(await sp.getByLabel(first.title).inputValue(), /Caseload of 16/);
  await accessible(sp, "the pro-forma after a stale save");
  // Saving again replaces the newer version with what was typed, and sends it.
  await sp.getByRole("button", { name: "Save and send for signature" }).click();
  await sp.locator("#view").getByText("Waiting for the supervisee to sign", { exact: true }).waitFor();
  const sent = (await record(id, org.supervisor.token)).json;
  assert.equal(sent.record.status, "awaiting_supervisee");
  assert.match(sent.content.sections[first.key], /^Caseload of 16/);
  assert.deepEqual(
    sent.content.actions.map((a) => [a.description, a.owner, a.due_on]),
    [["Book the court skills training", "supervisee", day(30)]],
  );

  // The supervisee, on a phone, is told on home, reads it and asks for amendments.
  const mobile = await signedIn(org.worker.email, "phone");
  const wp = mobile.page;
  await wp.getByRole("region", { name: "Records waiting for you" }).locator(`a[href="/records/${id}"]`).click();
  await wp.getByRole("heading", { level: 2, name: "Sign the record or ask for amendments" }).waitFor();
  await wp.locator("#view").getByText("Caseload of 16; two new child protection cases.").waitFor();
  await wp.getByRole("region", { name: "The record" }).getByText(/^Book the court skills training – the supervisee, by /).waitFor();
  await accessible(wp, "the record, as the supervisee reads it");
  await screenshot(wp, "record-supervisee");
  await wp.getByRole("button", { name: "Ask for amendments" }).click();
  await wp.getByRole("alert").getByRole("link", { name: "Say what should change" }).waitFor();
  await accessible(wp, "asking for amendments with no comment");
  await wp.getByLabel("What should change").fill("The training is in March, not February.");
  await wp.getByRole("button", { name: "Ask for amendments" }).click();
  await wp.locator("#view").getByText("Amendments asked for", { exact: true }).first().waitFor();
  assert.equal((await record(id, org.worker.token)).json.record.status, "amendments_requested");

  // The supervisor sees the comment, amends and sends again.
  await sp.reload();
  const asked = sp.getByRole("region", { name: "Amendments asked for" });
  await asked.getByText("The training is in March, not February.").waitFor();
  await sp.getByLabel(second.title).fill("Goals for the quarter reviewed; court skills training in March.");
  await sp.getByRole("button", { name: "Save and send again" }).click();
  await sp.locator("#view").getByText("Waiting for the supervisee to sign", { exact: true }).waitFor();

  // The supervisee opens it at the notification's address and signs.
  await wp.goto(`${BASE}/records/${id}`);
  await wp.locator("#view").getByText("court skills training in March").waitFor();
  await wp.getByRole("button", { name: "Sign the record" }).click();
  await wp.locator("#view").getByText("Signed by both", { exact: true }).waitFor();
  const signed = (await record(id, org.worker.token)).json;
  assert.equal(signed.record.status, "signed");
  assert.match(signed.content.sections[second.key], /March/);
  assert.equal(signed.actions.length, 1, "the signed record's action is tracked");

  // Both see who did what when, and every version.
  const history = wp.getByRole("region", { name: "History" });
  await history.getByText(/^Amendments asked for by you on /).waitFor();
  await history.getByText(/^Signed by you on /).waitFor();
  assert.equal(await history.getByText(/^Sent for signature by /).count(), 2);
  await wp.getByRole("heading", { level: 2, name: "History" }).scrollIntoViewIfNeeded();
  await accessible(wp, "the signed record and its history");
  await screenshot(wp, "record-history");
  await history.getByRole("link", { name: `Version ${signed.record.signed_version}` }).click();
  await wp.getByRole("heading", { level: 1, name: "Supervision record: an earlier version" }).waitFor();
  await wp.getByText(/This is the version both signed\./).waitFor();
  await wp.locator("#view").getByText("court skills training in March").waitFor();
  await accessible(wp, "a kept version");
  await sp.reload();
  const theirs = sp.getByRole("region", { name: "History" });
  await theirs.getByText(/^Signed by Leah Morgan on /).waitFor();
  await theirs.getByText(/^Amendments asked for by Leah Morgan on /).waitFor();
  // The held session links to its record.
  await sp.goto(`${BASE}/sessions/${session}`);
  await sp.locator("#view").getByText("– Signed by both").waitFor();
  await sp.locator("#view").getByRole("link", { name: "The record of this session" }).click();
  await sp.getByRole("heading", { level: 2, name: "History" }).waitFor();
  assert.equal(new URL(sp.url()).pathname, `/records/${id}`);
  await desk.context.close();
  await mobile.context.close();
});

test("REC-4: the supervisor adds an addendum to a signed record; the supervisee countersigns it (offline, the app says it was not sent) and records a disagreement", async () => {
  const { record: id } = await heldSession(org.agreement, org.supervisor.token);
  let { etag } = await record(id, org.supervisor.token);
  ({ etag } = await api("PUT", `/api/v1/records/${id}`, {
    token: org.supervisor.token,
    headers: { "if-match": etag },
    body: { content: { sections: { issues_discussed: "Caseload of 15." } } },
  }));
  ({ etag } = await api("POST", `/api/v1/records/${id}/send`, { token: org.supervisor.token, headers: { "if-match": etag } }));
  await api("POST", `/api/v1/records/${id}/sign`, { token: org.worker.token, headers: { "if-match": etag } });

  const desk = await signedIn(org.supervisor.email, "laptop");
  await desk.page.goto(`${BASE}/records/${id}`);
  await desk.page.getByRole("heading", { level: 2, name: "Addenda" }).waitFor();
  await desk.page.getByRole("button", { name: "Add the addendum" }).click();
  await desk.page.getByRole("alert").getByRole("link", { name: "Write the addendum" }).waitFor();
  await desk.page.getByLabel("New addendum").fill("The training moved to April; the action stands.");
  await desk.page.getByRole("button", { name: "Add the addendum" }).click();
  await desk.page.getByText("Not countersigned yet.").waitFor();
  await accessible(desk.page, "a signed record with an addendum");
  assert.equal((await record(id, org.supervisor.token)).json.addenda.length, 1);

  const mobile = await signedIn(org.worker.email, "phone");
  const wp = mobile.page;
  await wp.goto(`${BASE}/records/${id}`);
  const addenda = wp.getByRole("region", { name: "Addenda" });
  await addenda.getByText("The training moved to April; the action stands.").waitFor();
  await addenda.getByText("Waiting for your countersignature.").waitFor();
  await accessible(wp, "an addendum to countersign");
  await mobile.context.setOffline(true);
  await addenda.getByRole("button", { name: "Countersign this addendum" }).click();
  await wp.getByRole("alert").getByText(/You are offline: this change was not sent/).waitFor();
  await mobile.context.setOffline(false);
  await addenda.getByRole("button", { name: "Countersign this addendum" }).click();
  await addenda.getByText(/^Countersigned by you on /).waitFor();
  const after = (await record(id, org.worker.token)).json;
  assert.ok(after.addenda[0].countersigned_at);
  assert.equal(after.addenda[0].countersigned_by, org.worker.id);

  // A disagreement, kept with the record with what is proposed (REC-4, 000 §8).
  await wp.getByText("Disagree with this record").click();
  await wp.getByRole("button", { name: "Record the disagreement" }).click();
  const problems = wp.getByRole("alert");
  await problems.getByRole("link", { name: "Say what you disagree with" }).waitFor();
  await problems.getByRole("link", { name: "Choose whether to resolve it or escalate it" }).waitFor();
  await accessible(wp, "a disagreement with errors");
  await wp.getByLabel("What you disagree with").fill("The caseload figure should be 17, not 15.");
  await wp.getByLabel("Escalate it to the supervisor's manager").check();
  await wp.getByRole("button", { name: "Record the disagreement" }).click();
  const history = wp.getByRole("region", { name: "History" });
  await history.getByText(/^Disagreement recorded by you on /).waitFor();
  await history.getByText("Proposed: escalate it").waitFor();
  const disputed = (await record(id, org.worker.token)).json.timeline.filter((e) => e.action === "disagreement");
  assert.deepEqual(disputed.map((e) => [e.proposal, e.comment]), [["escalate", "The caseload figure should be 17, not 15."]]);
  await desk.context.close();
  await mobile.context.close();
});

test("OBS-1, OBS-2: the observed worker reads the feedback and adds a reflection; home counts the practice year; the supervisor sees the status and records the next", async () => {
  const observed = (
    await api("POST", `/api/v1/people/${org.worker.id}/observations`, {
      token: org.supervisor.token,
      status: 201,
      body: {
        observed_on: day(0),
        setting: "home_visit",
        feedback: "Clear explanation of the plan to the family; good use of the child's words.",
        learning: "Check understanding before closing the visit.",
      },
    })
  ).json;
  const status = (await api("GET", "/api/v1/me/observation-status", { token: org.worker.token })).json;
  assert.equal(status.done, 1);

  const mobile = await signedIn(org.worker.email, "phone");
  const wp = mobile.page;
  const count = wp.getByRole("region", { name: "Observations of your practice" });
  await count.getByText(`${status.done} of ${status.required} done this practice year`, { exact: false }).waitFor();
  if (status.remaining > 0) await count.getByText(/still needed/).waitFor();
  await count.getByRole("link", { name: "Your observations" }).click();
  await wp.getByRole("heading", { level: 1, name: "Observations of practice" }).waitFor();
  await accessible(wp, "my observations");
  await wp.locator("#view").getByRole("link", { name: /^Home visit, / }).click();
  await wp.getByRole("heading", { level: 1, name: "Observation of practice" }).waitFor();
  await wp.getByRole("region", { name: "Feedback" }).getByText(/Clear explanation of the plan/).waitFor();
  await wp.getByText("You have not added a reflection yet.").waitFor();
  await wp.getByRole("button", { name: "Save your reflection" }).click();
  await wp.getByRole("alert").getByRole("link", { name: "Write your reflection" }).waitFor();
  await accessible(wp, "an observation, reflection missing");
  await wp.getByLabel("Your reflection").fill("I rushed the ending; next time I will summarise the plan with the family.");
  await wp.getByRole("button", { name: "Save your reflection" }).click();
  await wp.getByLabel("Change your reflection").waitFor();
  await wp.getByRole("region", { name: "Reflection" }).getByText(/^I rushed the ending/).waitFor();
  await accessible(wp, "an observation with its reflection");
  await screenshot(wp, "observation");
  const saved = (await api("GET", `/api/v1/observations/${observed.id}`, { token: org.worker.token })).json;
  assert.match(saved.supervisee_reflection ?? "", /^I rushed the ending/);

  // The supervisor, from a supervisee's status, sees their observations.
  const desk = await signedIn(org.supervisor.email, "laptop");
  await desk.page.getByRole("region", { name: "Your supervisees, most urgent first" }).getByRole("link", { name: org.worker.name }).click();
  await desk.page.getByRole("link", { name: "Observations of practice" }).click();
  await desk.page.getByRole("heading", { level: 2, name: org.worker.name }).waitFor();
  await desk.page.getByText(`${status.done} of ${status.required} done this practice year`, { exact: false }).waitFor();
  await desk.page.getByText("Reflection added.").waitFor();
  await accessible(desk.page, "a supervisee's observations");
  // The supervisor records the next one there (OBS-1).
  const form = desk.page.getByRole("region", { name: "Record an observation" });
  await form.getByRole("button", { name: "Record the observation" }).click();
  await desk.page.getByRole("alert").getByRole("link", { name: "Choose a setting" }).waitFor();
  await desk.page.getByRole("alert").getByRole("link", { name: "Write the feedback" }).waitFor();
  await accessible(desk.page, "recording an observation, with errors");
  await form.getByLabel("Setting").selectOption("direct_work_with_child");
  await form.getByLabel("Feedback", { exact: true }).fill("Patient direct work; the child's wishes written in their own words.");
  await form.getByRole("button", { name: "Record the observation" }).click();
  await desk.page.getByRole("heading", { level: 1, name: "Observation of practice" }).waitFor();
  await desk.page.getByRole("region", { name: "Feedback" }).getByText(/^Patient direct work/).waitFor();
  const now = (await api("GET", `/api/v1/people/${org.worker.id}/observation-status`, { token: org.supervisor.token })).json;
  assert.equal(now.done, status.done + 1);
  await desk.context.close();
  await mobile.context.close();
});

test("ASYE-1: the ASYE worker and their supervisor see the year's timeline; the worker logs protected time", async () => {
  await api("POST", `/api/v1/people/${org.asye.id}/asye/pauses`, {
    token: org.supervisor.token,
    body: { starts_on: day(-60), ends_on: day(-46), reason: "Sick leave" },
  });
  await api("POST", `/api/v1/people/${org.asye.id}/asye/evidence`, {
    token: org.asye.token,
    body: { kind: "service_user_feedback", title: "Feedback from a parent after the CIN review", received_on: day(-10) },
  });
  const before = (await api("GET", `/api/v1/people/${org.asye.id}/asye`, { token: org.asye.token })).json;

  const mobile = await signedIn(org.asye.email, "phone");
  const wp = mobile.page;
  const summary = wp.getByRole("region", { name: "Your ASYE year" });
  await summary.getByText(/^Next: 3-month review was due by .*, not held yet\.$/).waitFor();
  await summary.getByRole("link", { name: "Your ASYE year" }).click();
  await wp.getByRole("heading", { level: 1, name: "ASYE year" }).waitFor();
  const reviews = wp.getByRole("region", { name: "Reviews" });
  for (const name of ["3-month review", "6-month review", "9-month review (optional)", "12-month review"])
    await reviews.getByText(name, { exact: true }).waitFor();
  await reviews.getByText("Past its due date and no review session was held.").waitFor();
  await wp.getByRole("region", { name: "Pauses" }).getByText("Sick leave").waitFor();
  const evidence = wp.getByRole("region", { name: "Evidence still missing" });
  await evidence.getByText("Feedback from people who use services: 1 of 3").waitFor();
  await evidence.getByText(/Feedback from a parent after the CIN review/).waitFor();
  await accessible(wp, "the ASYE year");
  await screenshot(wp, "asye-timeline");

  const time = wp.getByRole("region", { name: "Protected development time" });
  await time.getByRole("button", { name: "Log the time" }).click();
  await wp.getByRole("alert").getByRole("link", { name: "Enter a whole number of minutes from 15 to 480" }).waitFor();
  await accessible(wp, "logging protected time with errors");
  await wp.getByLabel("Minutes").fill("210");
  await wp.getByLabel("What you did").fill("Read the PLO guidance and wrote a reflection");
  await time.getByRole("button", { name: "Log the time" }).click();
  await wp.getByRole("region", { name: "Protected development time" }).getByText(/^3 hours 30 minutes logged of /).waitFor();
  const after = (await api("GET", `/api/v1/people/${org.asye.id}/asye`, { token: org.asye.token })).json;
  assert.equal(after.protected_time.logged_minutes, before.protected_time.logged_minutes + 210);

  // The supervisor sees the same year from the worker's status, without the worker's form.
  const desk = await signedIn(org.supervisor.email, "laptop");
  await desk.page.getByRole("region", { name: "Your supervisees, most urgent first" }).getByRole("link", { name: org.asye.name }).click();
  await desk.page.getByRole("link", { name: "ASYE year" }).click();
  await desk.page.getByRole("heading", { level: 2, name: org.asye.name }).waitFor();
  await desk.page.getByRole("region", { name: "Reviews" }).getByText("12-month review", { exact: true }).waitFor();
  await desk.page.getByText(/^3 hours 30 minutes logged of /).waitFor();
  assert.equal(await desk.page.getByRole("button", { name: "Log the time" }).count(), 0);
  await accessible(desk.page, "a supervisee's ASYE year");
  await desk.context.close();
  await mobile.context.close();
});
