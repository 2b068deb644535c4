// @ts-check
// The home screen (issue 19): my supervision status in plain words, my next sessions, my
// unread notifications, the moves waiting for my decision and, for a supervisor, my
// supervisees worst first. Everything is built with DOM calls and textContent, never
// innerHTML, so no server text is ever parsed as markup.

import { get, getAt } from "./api.js";
import { duration, evidenceMissing, nextReview } from "./asye.js";
import { observationSentence } from "./observations.js";
import { recordItem, recordsWaiting } from "./records.js";
import { cpdLine } from "./reflections.js";
import { addNames, awaitingMe, sessionItem, statusTag } from "./sessions.js";
import { el, link } from "./ui.js";
import { longDate, statusSentence, today } from "./words.js";

/** @typedef {import("./types").PersonView} PersonView */
/** @typedef {import("./types").StatusView} StatusView */
/** @typedef {import("./types").SessionView} SessionView */
/** @typedef {import("./types").NotificationView} NotificationView */
/** @typedef {import("./types").ActionView} ActionView */

/**
 * @param {HTMLElement} box
 * @param {PersonView} me
 */
async function showStatus(box, me) {
  const status = await get("/api/v1/me/supervision-status");
  const now = today(me.time_zone);
  const year = now.slice(0, 4);
  const left = status.status === "ended" ? null : status.working_days_left;
  const facts = el("dl", { className: "facts" });
  /** @param {string} term @param {string} value */
  const fact = (term, value) => facts.append(el("dt", { text: term }), el("dd", { text: value }));
  fact("Last held", status.last_held ? longDate(status.last_held, year) : "Not yet");
  fact("Next booked", status.next_booked ? longDate(status.next_booked, year) : "Nothing booked");
  box.replaceChildren(
    el("p", { className: "status-line" }, [statusTag(status.status)]),
    el("p", { className: "lead", text: statusSentence(status, left, year) }),
    facts,
    await cpdLine(),
  );
}

/**
 * @param {HTMLElement} box
 * @param {PersonView} me
 * @param {Map<string, string>} names
 */
async function showSessions(box, me, names) {
  const page = await get("/api/v1/me/sessions", { limit: 5 });
  if (page.items.length === 0) {
    box.replaceChildren(el("p", { text: "You have no sessions booked." }));
    return;
  }
  box.replaceChildren(
    el("ul", { className: "list" }, page.items.map((s) => sessionItem(s, me, names))),
    el("p", {}, [link("/sessions", "All your sessions")]),
  );
}

/**
 * @param {HTMLElement} box
 * @param {HTMLElement} heading
 * @param {PersonView} me
 */
async function showNotifications(box, heading, me) {
  const inbox = await get("/api/v1/me/notifications", { unread: true, limit: 5 });
  heading.textContent = inbox.unread === 1 ? "1 unread notification" : `${inbox.unread} unread notifications`;
  const all = el("p", {}, [link("/inbox", "Open your inbox")]);
  if (inbox.items.length === 0) {
    box.replaceChildren(el("p", { text: "Nothing new." }), all);
    return;
  }
  const year = today(me.time_zone).slice(0, 4);
  /** @param {NotificationView} n */
  const item = (n) =>
    el("li", { className: "item" }, [
      el("p", { className: "item-title" }, [link(n.link, n.title)]),
      el("p", { text: n.body }),
      el("p", { className: "note", text: longDate(n.created_at.slice(0, 10), year) }),
    ]);
  box.replaceChildren(el("ul", { className: "list" }, inbox.items.map(item)), all);
}

/**
 * Moves waiting for my decision, each a link to the session where the buttons are.
 * @param {HTMLElement} section
 * @param {HTMLElement} box
 * @param {PersonView} me
 */
async function showDecisions(section, box, me) {
  const waiting = await awaitingMe();
  /** @type {Map<string, string>} */
  const names = new Map();
  for (const session of waiting) await addNames(session, me, names);
  section.hidden = waiting.length === 0;
  box.replaceChildren(el("ul", { className: "list" }, waiting.map((s) => sessionItem(s, me, names))));
}

/**
 * The supervisees, worst first as the API orders them; returns their names by id.
 * @param {HTMLElement} section
 * @param {HTMLElement} box
 * @param {PersonView} me
 */
async function showSupervisees(section, box, me) {
  const list = await get("/api/v1/me/supervisees", { limit: 50 });
  const names = new Map(list.items.map((s) => [s.person_id, s.display_name]));
  section.hidden = list.total === 0;
  if (list.total === 0) return names;
  const year = today(me.time_zone).slice(0, 4);
  const { overdue, at_risk, no_baseline } = list.counts;
  const summary = `${overdue} overdue, ${at_risk} due soon, ${no_baseline} with no supervision yet, of ${list.total}.`;
  /** @param {StatusView} s */
  const row = (s) =>
    el("li", { className: "item" }, [
      el("p", { className: "item-title" }, [
        link(`/people/${s.person_id}/supervision-status`, s.display_name),
        " ",
        statusTag(s.status),
      ]),
      el("p", {
        text:
          s.status === "ended"
            ? "Requirement ended."
            : `Due by ${longDate(s.due_by, year)}. ${s.next_booked ? `Booked ${longDate(s.next_booked, year)}.` : "Nothing booked."}`,
      }),
    ]);
  box.replaceChildren(el("p", { text: summary }), el("ul", { className: "list" }, list.items.map(row)));
  return names;
}

/**
 * "Your actions": the open actions agreed in records (REC-2) that are mine, soonest due first,
 * an overdue one said so in words.
 * @param {HTMLElement} box
 * @param {HTMLElement} heading
 * @param {PersonView} me
 */
async function showActions(box, heading, me) {
  const open = await get("/api/v1/me/actions", { status: "open", limit: 5 });
  heading.textContent = open.total === 1 ? "1 open action" : `${open.total} open actions`;
  if (open.items.length === 0) {
    box.replaceChildren(el("p", { text: "No open actions." }));
    return;
  }
  const year = today(me.time_zone).slice(0, 4);
  /** @param {ActionView} a */
  const item = (a) =>
    el("li", { className: "item" }, [
      el("p", { className: "item-title", text: a.description }),
      el("p", {
        className: "note",
        text: `${a.overdue ? "Overdue: was due" : "Due"} ${longDate(a.due_on, year)}`,
      }),
    ]);
  const more = open.total > open.items.length ? [el("p", { text: `And ${open.total - open.items.length} more.` })] : [];
  box.replaceChildren(el("ul", { className: "list" }, open.items.map(item)), ...more);
}

/**
 * Records waiting for me (REC-4): to sign as supervisee, to write or amend as supervisor.
 * @param {HTMLElement} section
 * @param {HTMLElement} box
 * @param {PersonView} me
 */
async function showRecordsDue(section, box, me) {
  const waiting = await recordsWaiting();
  section.hidden = waiting.length === 0;
  box.replaceChildren(el("ul", { className: "list" }, waiting.map((r) => recordItem(r, me))));
}

/**
 * The practice year's observations (OBS-2), when any are asked of me.
 * @param {HTMLElement} section
 * @param {HTMLElement} box
 * @param {PersonView} me
 */
async function showObservations(section, box, me) {
  const status = await get("/api/v1/me/observation-status");
  section.hidden = status.required === 0 && status.done === 0;
  box.replaceChildren(
    el("p", { text: observationSentence(status) }),
    el("p", {}, [link(`/people/${me.id}/observation-status`, "Your observations")]),
  );
}

/**
 * Where my ASYE year stands (ASYE-1): the next review, the evidence missing, protected time.
 * @param {HTMLElement} section
 * @param {HTMLElement} box
 * @param {PersonView} me
 */
async function showAsyeSummary(section, box, me) {
  section.hidden = !me.asye_start;
  if (!me.asye_start) return;
  const asye = await getAt("/api/v1/people/{id}/asye", { id: me.id });
  const review = nextReview(asye, today(me.time_zone));
  const missing = evidenceMissing(asye).length;
  const time = asye.protected_time;
  box.replaceChildren(
    el("p", { text: review ? `Next: ${review}.` : "All reviews are held." }),
    el("p", { text: missing ? `Evidence: ${missing} ${missing === 1 ? "item" : "items"} still missing.` : "Evidence: all in." }),
    el("p", { text: `Protected time: ${duration(time.logged_minutes)} of ${duration(time.expected_minutes)} due so far.` }),
    el("p", {}, [link(`/people/${me.id}/asye`, "Your ASYE year")]),
  );
}

/**
 * Fills the home screen. Each part loads on its own, so one failing does not blank the rest;
 * the promise settles when all have.
 * @param {PersonView} me
 * @returns {Promise<number>} how many parts failed
 */
export async function showHome(me) {
  /** @param {string} id */
  const part = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  /**
   * @param {HTMLElement} box
   * @param {() => Promise<unknown>} load
   */
  const guarded = async (box, load) => {
    try {
      await load();
      return 0;
    } catch {
      box.replaceChildren(el("p", { className: "note", text: "This could not be loaded. Try again later." }));
      return 1;
    }
  };
  /** @type {Map<string, string>} */
  let names = new Map();
  const team = guarded(part("supervisees"), async () => {
    names = await showSupervisees(part("team"), part("supervisees"), me);
  });
  const results = await Promise.all([
    guarded(part("status"), () => showStatus(part("status"), me)),
    guarded(part("actions"), () => showActions(part("actions"), part("actions-title"), me)),
    guarded(part("notifications"), () => showNotifications(part("notifications"), part("notifications-title"), me)),
    guarded(part("decisions-list"), () => showDecisions(part("decisions"), part("decisions-list"), me)),
    guarded(part("records-due-list"), () => showRecordsDue(part("records-due"), part("records-due-list"), me)),
    guarded(part("observations"), () => showObservations(part("observations-part"), part("observations"), me)),
    guarded(part("asye"), () => showAsyeSummary(part("asye-part"), part("asye"), me)),
    team.then(async (failed) => failed + (await guarded(part("sessions"), () => showSessions(part("sessions"), me, names)))),
  ]);
  return results.reduce((a, b) => a + b, 0);
}
