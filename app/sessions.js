// @ts-check
// Sessions (issue 19, SES-3): upcoming and past sessions, one session with its history, and
// the decisions on a move right on the session's screen, where a notification's link lands:
// the supervisee proposes, the supervisor confirms or turns down, and a move past the due date
// goes to a manager above the supervisor, who decides with a written justification.

import { get, getAt, post } from "./api.js";
import {
  announce,
  button,
  el,
  field,
  fieldError,
  link,
  loading,
  refused,
  summary,
  summaryBox,
  textArea,
} from "./ui.js";
import {
  CHANGE_REASON,
  RECORD_STATUS,
  SESSION_KIND,
  SESSION_STATUS,
  STATUS_LABEL,
  dateAndTime,
  longDate,
  statusSentence,
  timeSpan,
  today,
  zonedInstant,
  zonedParts,
} from "./words.js";

/** @typedef {import("./types").Screen} Screen */
/** @typedef {import("./types").PersonView} PersonView */
/** @typedef {import("./types").SessionView} SessionView */
/** @typedef {import("./types").ChangeView} ChangeView */
/** @typedef {import("./types").ChangeReason} ChangeReason */
/** @typedef {import("./types").StatusView} StatusView */

/** Supervisees' names by id, for saying who a session is with; empty when none or unreadable. */
export async function superviseeNames() {
  try {
    const list = await get("/api/v1/me/supervisees", { limit: 200 });
    return new Map(list.items.map((s) => [s.person_id, s.display_name]));
  } catch {
    return new Map();
  }
}

/**
 * Who a person is, from where I stand.
 * @param {string | null | undefined} id
 * @param {SessionView} session
 * @param {PersonView} me
 * @param {Map<string, string>} names
 */
function who(id, session, me, names) {
  if (id === me.id) return "you";
  if (id && names.has(id)) return /** @type {string} */ (names.get(id));
  if (id === session.supervisor_id) return "the supervisor";
  if (id === session.supervisee_id) return "the supervisee";
  return "a manager";
}

/**
 * A status in words, in a tag whose colour only repeats the words.
 * @param {StatusView["status"]} status
 */
export function statusTag(status) {
  return el("strong", { className: `tag tag-${status.replace("_", "-")}`, text: STATUS_LABEL[status] });
}

/**
 * One session in a list: its time as a link to its screen, what and with whom, and whether a
 * move waits.
 * @param {SessionView} session
 * @param {PersonView} me
 * @param {Map<string, string>} names
 */
export function sessionItem(session, me, names) {
  const other =
    session.supervisor_id === me.id
      ? session.supervisee_id
        ? `with ${who(session.supervisee_id, session, me, names)}`
        : "you lead"
      : session.supervisee_id === me.id
        ? "with your supervisor"
        : `of ${who(session.supervisee_id, session, me, names)} with ${who(session.supervisor_id, session, me, names)}`;
  const details = [`${SESSION_KIND[session.kind]}, ${other}`, session.place].filter(Boolean).join(" · ");
  const children = [
    el("p", { className: "item-title" }, [
      link(`/sessions/${session.id}`, timeSpan(session.starts_at, session.ends_at, me.time_zone)),
    ]),
    el("p", { text: details }),
  ];
  if (session.status !== "scheduled") {
    children.push(el("p", { className: "note", text: SESSION_STATUS[session.status] }));
  }
  return el("li", { className: "item" }, children);
}

/**
 * @param {SessionView[]} sessions
 * @param {PersonView} me
 * @param {Map<string, string>} names
 * @param {string} empty
 */
function sessionList(sessions, me, names, empty) {
  if (sessions.length === 0) return el("p", { text: empty });
  return el("ul", { className: "list" }, sessions.map((s) => sessionItem(s, me, names)));
}

/**
 * The sessions screen: what is coming up, then the last year's held, missed and cancelled
 * sessions, latest first.
 * @param {Screen} screen
 */
export async function showSessions({ me, body }) {
  body.replaceChildren(loading());
  // To the next full hour, so the same reads repeat within the hour (and offline, answer
  // from what was last loaded).
  const to = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
  const past = {
    from: new Date(to - 366 * 86_400_000).toISOString(),
    to: new Date(to).toISOString(),
    limit: 50,
  };
  const [names, upcoming, held, missed, cancelled] = await Promise.all([
    superviseeNames(),
    get("/api/v1/me/sessions", { limit: 50 }),
    get("/api/v1/me/sessions", { ...past, status: "held" }),
    get("/api/v1/me/sessions", { ...past, status: "missed" }),
    get("/api/v1/me/sessions", { ...past, status: "cancelled" }),
  ]);
  const before = [...held.items, ...missed.items, ...cancelled.items]
    .sort((a, b) => b.starts_at.localeCompare(a.starts_at))
    .slice(0, 50);
  body.replaceChildren(
    el("section", { className: "card" }, [
      el("h2", { text: "Coming up" }),
      sessionList(upcoming.items, me, names, "You have no sessions booked."),
    ]),
    el("section", { className: "card" }, [
      el("h2", { text: "Past sessions" }),
      sessionList(before, me, names, "No sessions in the last year."),
    ]),
  );
  announce(`${upcoming.items.length} coming up, ${before.length} in the last year.`);
}

/**
 * What I may do about a pending move: confirm it (as the supervisor, or past the due date as
 * a manager above), turn it down (either party), or withdraw my own. The server decides in
 * the end; this only chooses which buttons to show.
 * @param {SessionView} session
 * @param {ChangeView} pending
 * @param {PersonView} me
 */
function choices(session, pending, me) {
  const party = session.supervisor_id === me.id || session.supervisee_id === me.id;
  const proposer = pending.actor_id === me.id;
  const confirm = pending.needs_manager ? !party : session.supervisor_id === me.id && !proposer;
  const reject = proposer || session.supervisor_id === me.id || confirm;
  return { confirm, reject, proposer };
}

/**
 * "Tuesday 13 January, 10:00" for a move's times.
 * @param {string | null | undefined} instant
 * @param {PersonView} me
 */
function when(instant, me) {
  return instant ? dateAndTime(instant, me.time_zone) : "an unknown time";
}

/**
 * The decision on a pending move, on the session's screen.
 * @param {SessionView} session
 * @param {ChangeView} pending
 * @param {Screen} screen
 * @param {Map<string, string>} names
 */
function decisionPart(session, pending, screen, names) {
  const { me } = screen;
  const can = choices(session, pending, me);
  const part = el("section", { className: "card decision" }, [
    el("h2", { text: "A move is waiting for a decision" }),
    el("p", {
      text: `${who(pending.actor_id, session, me, names)} proposed moving it from ${when(pending.from_starts_at, me)} to ${when(pending.to_starts_at, me)}.`.replace(/^./, (c) => c.toUpperCase()),
    }),
    el("p", { text: `Reason: ${reason(pending)}` }),
  ]);
  if (pending.needs_manager) {
    part.append(
      el("p", {
        className: "warning",
        text: `Important: the new time is after the due date${pending.due_by ? ` (${longDate(pending.due_by)})` : ""}. A manager above the supervisor decides, and a confirmed move is reported as a breach.`,
      }),
    );
  }
  if (!can.confirm && !can.reject) {
    part.append(el("p", { text: "Someone else decides this move." }));
    return part;
  }
  const problem = summaryBox();
  const text = textArea("decision-text", 3, 2000);
  const needsJustification = can.confirm && pending.needs_manager;
  const form = el("form", {}, [
    field(
      text,
      needsJustification ? "Justification" : "Comment (optional)",
      needsJustification
        ? "Why the session may move past its due date. Needed to confirm; sent with a refusal as its reason."
        : "Sent with a refusal, to say why.",
    ),
  ]);
  form.noValidate = true;
  const buttons = el("div", { className: "button-group" });
  /**
   * @param {boolean} confirm
   */
  const decide = async (confirm) => {
    // The API takes one line: line breaks typed here become spaces.
    const words = text.value.replace(/\s+/g, " ").trim() || null;
    if (confirm && needsJustification && !words) {
      fieldError(text, "Enter why the move may go past the due date");
      summary(problem, "There is a problem", [{ field: text, message: "Enter why the move may go past the due date" }]);
      return;
    }
    fieldError(text, undefined);
    try {
      if (confirm) {
        await post("/api/v1/sessions/{id}/proposal/confirm", {
          params: { id: session.id },
          body: { justification: words },
          version: session.version,
        });
      } else {
        await post("/api/v1/sessions/{id}/proposal/reject", {
          params: { id: session.id },
          body: { comment: words },
          version: session.version,
        });
      }
    } catch (error) {
      refused(problem, error, { [confirm ? "justification" : "comment"]: text });
      return;
    }
    await reshow(screen);
    announce(confirm ? "The move is confirmed." : can.proposer ? "Your proposal is withdrawn." : "The move is turned down.");
  };
  if (can.confirm) {
    const yes = button("Confirm the move");
    yes.addEventListener("click", () => void decide(true));
    buttons.append(yes);
  }
  if (can.reject) {
    const no = button(can.proposer ? "Withdraw the proposal" : "Turn down the move", { className: "button secondary" });
    no.addEventListener("click", () => void decide(false));
    buttons.append(no);
  }
  form.append(buttons);
  form.addEventListener("submit", (event) => event.preventDefault());
  part.append(problem, form);
  return part;
}

/** @param {ChangeView} change */
function reason(change) {
  if (!change.reason) return "none given";
  const words = CHANGE_REASON[/** @type {ChangeReason} */ (change.reason)] ?? change.reason;
  return change.reason_text ? `${words} – ${change.reason_text}` : words;
}

/**
 * The form to move a session: the supervisee proposes, the supervisor moves.
 * @param {SessionView} session
 * @param {Screen} screen
 */
function movePart(session, screen) {
  const { me } = screen;
  const supervisor = session.supervisor_id === me.id;
  const current = zonedParts(session.starts_at, me.time_zone);
  const date = el("input", { className: "input-short" });
  date.id = "move-date";
  date.type = "date";
  date.value = current.date;
  const time = el("input", { className: "input-short" });
  time.id = "move-time";
  time.type = "time";
  time.value = current.time;
  const why = el("select", {}, [
    el("option", { text: "Choose a reason" }),
    ...Object.entries(CHANGE_REASON).map(([value, words]) => {
      const option = el("option", { text: words });
      option.value = value;
      return option;
    }),
  ]);
  /** @type {HTMLOptionElement} */ (why.firstChild).value = "";
  why.id = "move-reason";
  const whyText = el("input");
  whyText.id = "move-reason-text";
  whyText.maxLength = 1000;
  const problem = summaryBox();
  const form = el("form", {}, [
    field(date, "New date"),
    field(time, "New start time", "In your time zone. The session keeps its length."),
    field(why, "Reason"),
    field(whyText, "Reason in your words", "Needed when the reason is Other."),
    el("p", {
      className: "hint",
      text: supervisor
        ? "A move within the due date takes effect at once. A later one goes to your manager to decide."
        : "Your supervisor confirms the move. A new time after the due date goes to a manager above your supervisor.",
    }),
    button(supervisor ? "Move the session" : "Propose the move", { submit: true }),
  ]);
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    /** @type {{ field: import("./ui").Control, message: string }[]} */
    const problems = [];
    if (!date.value) problems.push({ field: date, message: "Enter the new date" });
    if (!time.value) problems.push({ field: time, message: "Enter the new start time" });
    if (!why.value) problems.push({ field: why, message: "Choose a reason" });
    else if (why.value === "other" && !whyText.value.trim())
      problems.push({ field: whyText, message: "Say why in your own words" });
    for (const control of [date, time, why, whyText])
      fieldError(control, problems.find((p) => p.field === control)?.message);
    summary(problem, "There is a problem", problems);
    if (problems.length) return;
    try {
      await post("/api/v1/sessions/{id}/reschedule", {
        params: { id: session.id },
        body: {
          starts_at: zonedInstant(date.value, time.value, me.time_zone),
          reason: /** @type {ChangeReason} */ (why.value),
          reason_text: whyText.value.trim() || null,
        },
        version: session.version,
      });
    } catch (error) {
      refused(problem, error, { starts_at: date, reason: why, reason_text: whyText });
      return;
    }
    await reshow(screen);
    announce(supervisor ? "The session is moved, or waits for your manager if past the due date." : "Your proposal is sent to your supervisor.");
  });
  return el("section", { className: "card" }, [
    el("h2", { text: supervisor ? "Move this session" : "Propose a new time" }),
    problem,
    form,
  ]);
}

/** @type {Record<string, string>} */
const ACTION = {
  booked: "Booked",
  moved: "Moved",
  proposed: "Move proposed",
  cancelled: "Cancelled",
  held: "Held",
  missed: "Missed",
};

/** @type {Record<string, string>} */
const STATE = { pending: "waiting for a decision", confirmed: "confirmed", rejected: "turned down" };

/**
 * One entry of the history, in words.
 * @param {ChangeView} change
 * @param {SessionView} session
 * @param {PersonView} me
 * @param {Map<string, string>} names
 */
function historyItem(change, session, me, names) {
  const lines = [
    `${ACTION[change.action] ?? change.action} by ${who(change.actor_id, session, me, names)} on ${when(change.acted_at, me)}.`,
  ];
  if (change.action === "moved" || change.action === "proposed")
    lines.push(`From ${when(change.from_starts_at, me)} to ${when(change.to_starts_at, me)}.`);
  if (change.reason) lines.push(`Reason: ${reason(change)}.`);
  if (STATE[change.state]) {
    const by = change.decided_by ? ` by ${who(change.decided_by, session, me, names)}` : "";
    lines.push(`Decision: ${STATE[change.state]}${change.state === "pending" ? "" : by}.`);
  }
  if (change.breach) lines.push("Past the due date: reported as a breach.");
  if (change.justification) lines.push(`Justification: ${change.justification}`);
  if (change.comment) lines.push(`Comment: ${change.comment}`);
  return el("li", { className: "item" }, lines.map((text) => el("p", { text })));
}

/**
 * Shows the session again after a change, with focus on its heading: the button pressed is
 * gone.
 * @param {Screen} screen
 */
async function reshow(screen) {
  await showSession(screen);
  document.getElementById("view-title")?.focus();
}

/**
 * Adds the names of the session's people I do not know yet, where I may read them.
 * @param {SessionView} session
 * @param {PersonView} me
 * @param {Map<string, string>} names
 */
export async function addNames(session, me, names) {
  const unknown = [session.supervisor_id, session.supervisee_id].filter(
    /** @returns {id is string} */ (id) => Boolean(id && id !== me.id && !names.has(id)),
  );
  for (const person of await Promise.all(unknown.map((id) => getAt("/api/v1/people/{id}", { id }).catch(() => null)))) {
    if (person) names.set(person.id, person.display_name);
  }
}

/**
 * One session: what and when, a pending move's decision, the move form and the history.
 * @param {Screen} screen
 */
export async function showSession(screen) {
  const { me, params, body } = screen;
  if (!body.hasChildNodes()) body.append(loading());
  const [session, history, names] = await Promise.all([
    getAt("/api/v1/sessions/{id}", { id: params.id }),
    getAt("/api/v1/sessions/{id}/history", { id: params.id }),
    superviseeNames(),
  ]);
  await addNames(session, me, names);
  const facts = el("dl", { className: "facts" });
  /** @param {string} term @param {string} value */
  const fact = (term, value) => facts.append(el("dt", { text: term }), el("dd", { text: value }));
  fact("When", timeSpan(session.starts_at, session.ends_at, me.time_zone));
  fact("What", SESSION_KIND[session.kind]);
  fact("Supervisor", who(session.supervisor_id, session, me, names));
  if (session.supervisee_id) fact("Supervisee", who(session.supervisee_id, session, me, names));
  if (session.place) fact("Where", session.place);
  fact("Status", SESSION_STATUS[session.status]);
  /** @type {HTMLElement[]} */
  const parts = [facts];
  const party = session.supervisor_id === me.id || session.supervisee_id === me.id;
  if (session.pending_change) parts.push(decisionPart(session, session.pending_change, screen, names));
  else if (party && session.status === "scheduled" && Date.parse(session.starts_at) > Date.now())
    parts.push(movePart(session, screen));
  if (session.status === "held" && session.supervisee_id && party) {
    // The record opens when the session is marked held (REC-1); none yet says so.
    const record = await getAt("/api/v1/sessions/{id}/record", { id: session.id }).catch(() => null);
    parts.push(
      el("p", {}, record ? [link(`/records/${record.record.id}`, "The record of this session"), ` – ${RECORD_STATUS[record.record.status]}`] : ["No record yet."]),
    );
  }
  parts.push(
    el("section", { className: "card" }, [
      el("h2", { text: "History" }),
      el("ol", { className: "list" }, [...history].reverse().map((c) => historyItem(c, session, me, names))),
    ]),
    el("p", {}, [link("/sessions", "All your sessions")]),
  );
  body.replaceChildren(...parts);
}

/**
 * Someone's supervision status, where a reminder about them links.
 * @param {Screen} screen
 */
export async function showPersonStatus({ me, params, body }) {
  body.replaceChildren(loading());
  const status = await getAt("/api/v1/people/{id}/supervision-status", { id: params.id });
  const year = today(me.time_zone).slice(0, 4);
  const facts = el("dl", { className: "facts" });
  /** @param {string} term @param {string} value */
  const fact = (term, value) => facts.append(el("dt", { text: term }), el("dd", { text: value }));
  fact("Last held", status.last_held ? longDate(status.last_held, year) : "Not yet");
  fact("Next booked", status.next_booked ? longDate(status.next_booked, year) : "Nothing booked");
  const person = await getAt("/api/v1/people/{id}", { id: params.id }).catch(() => null);
  const more = [link(`/people/${params.id}/observation-status`, "Observations of practice")];
  if (person?.asye_start) more.push(link(`/people/${params.id}/asye`, "ASYE year"));
  body.replaceChildren(
    el("h2", { text: status.display_name }),
    el("p", { className: "status-line" }, [statusTag(status.status)]),
    el("p", { className: "lead", text: statusSentence(status, null, year).replace(/^Your supervision/, "The supervision") }),
    facts,
    el("ul", {}, more.map((a) => el("li", {}, [a]))),
  );
}

/**
 * Moves waiting for my decision, for home, oldest first: my supervisees' proposals within the
 * due date and, as a supervisor's line manager, moves past it (the server decides whose).
 */
export async function awaitingMe() {
  return get("/api/v1/me/pending-decisions");
}
