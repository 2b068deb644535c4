// @ts-check
// The ASYE year (issue 20, ASYE-1), for the worker and whoever supervises them: where the
// programme stands, the reviews at 3, 6, 9 (optional) and 12 months with their sessions and
// records, pauses, the evidence still missing, and protected development time against the
// 10 % due so far, which the worker logs here.

import { getAt, post } from "./api.js";
import { superviseeNames } from "./sessions.js";
import { announce, button, card, el, field, fieldError, link, loading, refused, summary, summaryBox } from "./ui.js";
import { RECORD_STATUS, SESSION_STATUS, longDate, today, zonedParts } from "./words.js";

/** @typedef {import("./types").Screen} Screen */
/** @typedef {import("./types").AsyeView} AsyeView */
/** @typedef {import("./ui").Control} Control */

/** The checklist's items in the framework's words (ASYE-1). */
const EVIDENCE = /** @type {const} */ ([
  ["direct_observations", "Direct observations"],
  ["service_user_feedback", "Feedback from people who use services"],
  ["professional_feedback", "Feedback from other professionals"],
  ["critical_reflection_6", "Critical reflection at 6 months"],
  ["critical_reflection_12", "Critical reflection at 12 months"],
]);

/** @type {Record<import("./types").EvidenceKind, string>} */
const EVIDENCE_KIND = {
  service_user_feedback: "Feedback from a person who uses services",
  professional_feedback: "Feedback from another professional",
  critical_reflection_6: "Critical reflection at 6 months",
  critical_reflection_12: "Critical reflection at 12 months",
};

/**
 * "7 hours 30 minutes".
 * @param {number} minutes
 */
export function duration(minutes) {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const hours = h ? `${h} ${h === 1 ? "hour" : "hours"}` : "";
  const mins = m || !h ? `${m} ${m === 1 ? "minute" : "minutes"}` : "";
  return [hours, mins].filter(Boolean).join(" ");
}

/**
 * The evidence the framework still asks for, in words; empty when all is in.
 * @param {AsyeView} asye
 */
export function evidenceMissing(asye) {
  return EVIDENCE.filter(([key]) => !asye.checklist[key].complete).map(([key, words]) => {
    const item = asye.checklist[key];
    return `${words}: ${item.done} of ${item.required}`;
  });
}

/**
 * The next review not yet held, for home: "3-month review due by Tuesday 1 December", or
 * "… was due by …, not held yet" once its date has passed.
 * @param {AsyeView} asye
 * @param {string} now today
 */
export function nextReview(asye, now) {
  const next = asye.reviews.find((r) => r.session?.status !== "held");
  if (!next) return null;
  const name = `${next.month}-month review${next.optional ? " (optional)" : ""}`;
  const due = longDate(next.due_on, now.slice(0, 4));
  return next.due_on < now ? `${name} was due by ${due}, not held yet` : `${name} due by ${due}`;
}

/**
 * One review point, with its session and record.
 * @param {AsyeView["reviews"][number]} review
 * @param {string} now today
 * @param {string} year
 * @param {string} timeZone
 */
function reviewItem(review, now, year, timeZone) {
  const lines = [
    el("p", { className: "item-title", text: `${review.month}-month review${review.optional ? " (optional)" : ""}` }),
    el("p", { text: `Due by ${longDate(review.due_on, year)}.` }),
  ];
  const session = review.session;
  if (session) {
    const at = zonedParts(session.starts_at, timeZone);
    lines.push(el("p", {}, [link(`/sessions/${session.id}`, `Session on ${longDate(at.date, year)}, ${at.time}`), `: ${SESSION_STATUS[session.status]}.`]));
    if (session.record_id) {
      const status = session.record_status ? RECORD_STATUS[session.record_status] : "open";
      lines.push(el("p", {}, [link(`/records/${session.record_id}`, "Its record"), `: ${status}.`]));
    }
  } else if (review.due_on < now && !review.optional) {
    lines.push(el("p", { className: "warning", text: "Past its due date and no review session was held." }));
  } else {
    lines.push(el("p", { className: "note", text: "No session booked yet." }));
  }
  return el("li", { className: "item" }, lines);
}

/**
 * The form the worker logs protected development time with.
 * @param {AsyeView} asye
 * @param {Screen} screen
 */
function logTimeForm(asye, screen) {
  const problem = summaryBox();
  const date = el("input", { className: "input-short" });
  date.id = "time-date";
  date.type = "date";
  date.value = today(screen.me.time_zone);
  const minutes = el("input", { className: "input-short" });
  minutes.id = "time-minutes";
  minutes.type = "number";
  minutes.inputMode = "numeric";
  minutes.min = "15";
  minutes.max = "480";
  minutes.step = "15";
  const activity = el("input");
  activity.id = "time-activity";
  activity.maxLength = 500;
  const form = el("form", {}, [
    problem,
    field(date, "Date"),
    field(minutes, "Minutes", "15 to 480 minutes in one day. Half a day is 210."),
    field(activity, "What you did"),
    button("Log the time", { submit: true }),
  ]);
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    /** @type {{ field: Control, message: string }[]} */
    const problems = [];
    const count = Number(minutes.value);
    if (!date.value) problems.push({ field: date, message: "Enter the date" });
    if (!Number.isInteger(count) || count < 15 || count > 480) problems.push({ field: minutes, message: "Enter a whole number of minutes from 15 to 480" });
    if (!activity.value.trim()) problems.push({ field: activity, message: "Say what you did" });
    for (const control of [date, minutes, activity]) fieldError(control, problems.find((p) => p.field === control)?.message);
    summary(problem, "There is a problem", problems);
    if (problems.length) return;
    try {
      await post("/api/v1/people/{id}/asye/protected-time", {
        params: { id: asye.person_id },
        body: { taken_on: date.value, minutes: count, activity: activity.value.trim() },
      });
    } catch (error) {
      refused(problem, error, { taken_on: date, minutes, activity });
      return;
    }
    await showAsye(screen);
    document.getElementById("view-title")?.focus();
    announce(`${duration(count)} of protected time logged.`);
  });
  return form;
}

/**
 * A person's ASYE year. Where home links for my own, and a supervisee's status page for theirs.
 * @param {Screen} screen
 */
export async function showAsye(screen) {
  const { me, params, body } = screen;
  if (!body.hasChildNodes()) body.append(loading());
  const asye = await getAt("/api/v1/people/{id}/asye", { id: params.id });
  const mine = asye.person_id === me.id;
  const name = mine ? null : ((await superviseeNames()).get(asye.person_id) ?? (await getAt("/api/v1/people/{id}", { id: asye.person_id }).catch(() => null))?.display_name ?? "This person");
  const now = today(me.time_zone);
  const year = now.slice(0, 4);
  const t = asye.timeline;
  const facts = el("dl", { className: "facts" });
  /** @param {string} term @param {string} value */
  const fact = (term, value) => facts.append(el("dt", { text: term }), el("dd", { text: value }));
  fact("Started", longDate(t.starts_on, year));
  fact("Expected end", longDate(t.expected_end, year));
  fact("Programme", `${t.programme_months} months`);
  fact("Days in", `${t.days_in_programme}, not counting pauses`);
  fact("Paused", t.paused_now ? `Now (${t.paused_days} days so far)` : t.paused_days ? `${t.paused_days} days in all` : "Never");
  const missing = evidenceMissing(asye);
  const review = nextReview(asye, now);
  const lead = [t.paused_now ? "The programme is paused." : null, review ? `Next: ${review}.` : "All reviews are held."].filter(Boolean).join(" ");
  const p = asye.protected_time;
  const parts = [
    ...(name ? [el("h2", { text: name })] : []),
    el("p", { className: "lead", text: lead }),
    facts,
    card("Reviews", [el("ol", { className: "list" }, asye.reviews.map((r) => reviewItem(r, now, year, me.time_zone)))]),
    card("Pauses", [
      asye.pauses.length
        ? el(
            "ul",
            { className: "list" },
            asye.pauses.map((pause) =>
              el("li", { className: "item" }, [
                el("p", { className: "item-title", text: pause.reason }),
                el("p", { text: `From ${longDate(pause.starts_on, year)}${pause.ends_on ? ` until ${longDate(pause.ends_on, year)}` : ", still paused"}.` }),
              ]),
            ),
          )
        : el("p", { text: "No pauses: the year runs from its start." }),
    ]),
    card(missing.length ? "Evidence still missing" : "Evidence: all in", [
      missing.length
        ? el("ul", {}, missing.map((text) => el("li", { text })))
        : el("p", { text: "Every item the framework asks for is in." }),
      ...(asye.evidence.length
        ? [
            el("h3", { text: "Evidence received" }),
            el(
              "ul",
              { className: "list" },
              asye.evidence.map((e) => el("li", { className: "item", text: `${EVIDENCE_KIND[e.kind]}: ${e.title}, ${longDate(e.received_on, year)}` })),
            ),
          ]
        : []),
      el("p", {}, [link(`/people/${asye.person_id}/observation-status`, "Observations of practice")]),
    ]),
    card("Protected development time", [
      el("p", {
        text: `${duration(p.logged_minutes)} logged of ${duration(p.expected_minutes)} due so far (10 % of ${duration(asye.weekly_minutes)} a week).`,
      }),
      el("p", { className: p.shortfall_minutes > 0 ? "warning" : "", text: p.shortfall_minutes > 0 ? `${duration(p.shortfall_minutes)} short.` : "On track: none short." }),
      ...(mine ? [el("h3", { text: "Log protected time" }), logTimeForm(asye, screen)] : []),
    ]),
  ];
  screen.body.replaceChildren(...parts);
}
