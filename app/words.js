// @ts-check
// Dates, times and statuses in plain British English (issue 19): "Tuesday 13 January",
// "7 working days", "Overdue". Every status is said in words; colour only repeats it.

/** @typedef {import("./types").Status} Status */
/** @typedef {import("./types").StatusView} StatusView */
/** @typedef {import("./types").SessionKind} SessionKind */

/**
 * Today's date (`YYYY-MM-DD`) in a time zone.
 * @param {string} timeZone IANA name
 * @param {Date} [now]
 */
export function today(timeZone, now = new Date()) {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}

/**
 * "Tuesday 13 January", with the year when it is not `thisYear`.
 * @param {string} date `YYYY-MM-DD`
 * @param {string} [thisYear] `YYYY`
 */
export function longDate(date, thisYear) {
  const showYear = thisYear !== undefined && !date.startsWith(thisYear);
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: "UTC",
    weekday: "long",
    day: "numeric",
    month: "long",
    year: showYear ? "numeric" : undefined,
  }).format(new Date(`${date}T00:00:00Z`));
}

/**
 * "Tuesday 13 January, 10:00 to 11:30" in the person's time zone.
 * @param {string} starts RFC 3339
 * @param {string} ends RFC 3339
 * @param {string} timeZone
 */
export function timeSpan(starts, ends, timeZone) {
  const date = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
  }).format(new Date(starts));
  const time = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit" });
  return `${date}, ${time.format(new Date(starts))} to ${time.format(new Date(ends))}`;
}

/**
 * "1 working day", "7 working days".
 * @param {number} n
 */
export function workingDays(n) {
  return `${n} working ${n === 1 ? "day" : "days"}`;
}

/** @type {Record<Status, string>} */
export const STATUS_LABEL = {
  overdue: "Overdue",
  at_risk: "Due soon",
  no_baseline: "No supervision yet",
  on_track: "On track",
  ended: "Ended",
};

/** @type {Record<SessionKind, string>} */
export const SESSION_KIND = {
  one_to_one: "One-to-one supervision",
  group: "Group supervision",
  pdr: "Performance and development review",
  observation_debrief: "Observation debrief",
  ad_hoc: "Ad hoc supervision",
  asye_review: "ASYE review",
};

/**
 * The headline sentence for a supervision status: "Next supervision due by Tuesday 13
 * January – 7 working days." `left` is the working days from today to `due_by` (negative
 * once it has passed), or null when it could not be counted.
 * @param {StatusView} status
 * @param {number | null} left
 * @param {string} thisYear
 */
export function statusSentence(status, left, thisYear) {
  const due = longDate(status.due_by, thisYear);
  const count = left === null ? "" : ` – ${workingDays(Math.abs(left))}`;
  switch (status.status) {
    case "ended":
      return "Your supervision requirement has ended: no more sessions are due.";
    case "overdue":
      return left === null || left >= 0
        ? `Supervision is overdue: it was due by ${due}.`
        : `Supervision is overdue: it was due by ${due}, ${workingDays(-left)} ago.`;
    case "no_baseline":
      return `No supervision has been held yet. The first is due by ${due}${count}.`;
    default:
      return left === 0
        ? `Next supervision due today, ${due}.`
        : `Next supervision due by ${due}${count}.`;
  }
}

/** @type {Record<import("./types").Schemas["SessionStatus"], string>} */
export const SESSION_STATUS = {
  scheduled: "Booked",
  reschedule_pending: "Move waiting for a decision",
  held: "Held",
  missed: "Missed",
  cancelled: "Cancelled",
};

/** @type {Record<import("./types").RecordStatus, string>} */
export const RECORD_STATUS = {
  draft: "Draft",
  awaiting_supervisee: "Waiting for the supervisee to sign",
  amendments_requested: "Amendments asked for",
  signed: "Signed by both",
};

/** @type {Record<import("./types").ChangeReason, string>} */
export const CHANGE_REASON = {
  sickness: "Sickness",
  annual_leave: "Annual leave",
  urgent_work: "Urgent work",
  personal: "Personal reasons",
  other: "Other",
};

/**
 * The UTC offset of a time zone at an instant, in milliseconds.
 * @param {number} instant
 * @param {string} timeZone
 */
function offset(instant, timeZone) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  /** @param {string} type */
  const n = (type) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - instant;
}

/**
 * A wall-clock date and time in a time zone as an RFC 3339 instant: "2027-01-13", "10:00",
 * "Europe/London" -> "2027-01-13T10:00:00.000Z".
 * @param {string} date `YYYY-MM-DD`
 * @param {string} time `HH:MM`
 * @param {string} timeZone
 */
export function zonedInstant(date, time, timeZone) {
  const wall = Date.parse(`${date}T${time}:00Z`);
  // Twice: the first guess may sit on the other side of a clock change.
  const first = wall - offset(wall, timeZone);
  return new Date(wall - offset(first, timeZone)).toISOString();
}

/**
 * An instant's wall-clock date and time in a time zone, for date and time fields.
 * @param {string} instant RFC 3339
 * @param {string} timeZone
 */
export function zonedParts(instant, timeZone) {
  const local = new Date(Date.parse(instant) + offset(Date.parse(instant), timeZone)).toISOString();
  return { date: local.slice(0, 10), time: local.slice(11, 16) };
}

/**
 * "14:05" in the device's time.
 * @param {Date} at
 */
export function clock(at) {
  return at.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

/**
 * "Tuesday 13 January, 10:00" in a time zone, with the year when it is not this year's.
 * @param {string} instant RFC 3339
 * @param {string} timeZone
 */
export function dateAndTime(instant, timeZone) {
  const parts = zonedParts(instant, timeZone);
  return `${longDate(parts.date, today(timeZone).slice(0, 4))}, ${parts.time}`;
}

/**
 * The text with its first letter in capitals, to start a sentence or a fact.
 * @param {string} text
 */
export function capital(text) {
  return text.replace(/^./, (c) => c.toUpperCase());
}
