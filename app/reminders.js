// @ts-check
// Reminders (issue 19, REM-1 to REM-3, REM-7): turn on pushes for this device, the devices
// that get them (test, remove), the settings (quiet hours, lead times, kinds) and the private
// calendar-feed link. keepSubscription runs at every start so the server keeps this device's
// current subscription: a subscription not refreshed for 60 days is dropped, and the push
// service may replace it at any time.

import { ApiError, get, post, put, remove } from "./api.js";
import {
  announce,
  button,
  el,
  failure,
  field,
  fieldError,
  loading,
  refused,
  summary,
  summaryBox,
} from "./ui.js";
import { longDate } from "./words.js";

/** @typedef {import("./types").Screen} Screen */
/** @typedef {import("./types").DeviceView} DeviceView */
/** @typedef {import("./types").ReminderKind} ReminderKind */

/** This device's name, kept so a re-registration does not reset it (not a secret). */
const LABEL_KEY = "supervision.device-label";

/** @type {Record<ReminderKind, string>} */
const KIND = {
  session_coming_up: "A session is coming up",
  nothing_booked: "Nothing is booked before the due date",
  limit_breached: "Supervision is overdue",
  reschedule_awaiting: "A moved session needs my decision",
  record_not_written: "A record is not written yet",
  record_awaiting_signature: "A record waits for my signature",
  action_due: "An action is due",
  observations_short: "Observations are short",
  reflection_prompt: "A prompt to reflect",
  pdr_milestone: "A performance review milestone",
  agreement_unsigned: "An agreement waits for signing",
  record_accessed: "Someone read my record",
  case_discussion_due: "A case discussion is due",
  cp_review_discussion_due: "A child protection review discussion is due",
};

/** The lead times the server accepts (minutes), in words. */
const LEADS = /** @type {const} */ ([
  [15, "15 minutes"],
  [30, "30 minutes"],
  [60, "1 hour"],
  [120, "2 hours"],
  [1440, "1 day"],
  [2880, "2 days"],
]);

function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/**
 * The server's VAPID key as the bytes `subscribe` wants.
 * @returns {Promise<Uint8Array>}
 */
async function serverKey() {
  const { public_key } = await get("/api/v1/push/vapid-public-key");
  const base64 = public_key.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/**
 * Tells the server about a subscription (the same endpoint again only refreshes it).
 * @param {PushSubscription} subscription
 */
async function register(subscription) {
  const json = subscription.toJSON();
  const label = localStorage.getItem(LABEL_KEY);
  return post("/api/v1/me/devices", {
    body: {
      endpoint: json.endpoint ?? subscription.endpoint,
      expirationTime: json.expirationTime ?? null,
      keys: { p256dh: json.keys?.p256dh ?? "", auth: json.keys?.auth ?? "" },
      label: label || null,
    },
  });
}

/** Subscribes this device with the server's key. */
async function subscribe() {
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: await serverKey() });
}

/**
 * At each start, and when the worker says the push service replaced the subscription: if
 * this device has one, make sure the server has it, renewing one that has run out.
 */
export async function keepSubscription() {
  if (!pushSupported() || Notification.permission !== "granted") return;
  try {
    const registration = await navigator.serviceWorker.getRegistration("/");
    let subscription = await registration?.pushManager.getSubscription();
    if (!subscription) return;
    if (subscription.expirationTime !== null && subscription.expirationTime < Date.now() + 86_400_000) {
      await subscription.unsubscribe();
      subscription = await subscribe();
    }
    await register(subscription);
  } catch {
    // Offline or refused: the next start tries again.
  }
}

/**
 * "Reminders on this device": turn them on, or say they are on.
 * @param {() => Promise<void>} refresh re-draws the device list
 */
async function thisDevice(refresh) {
  const part = el("section", { className: "card" }, [el("h2", { text: "Reminders on this device" })]);
  if (!pushSupported()) {
    part.append(el("p", { text: "This browser cannot show reminders. Add the app to your home screen, or use another browser, to get them." }));
    return part;
  }
  const registration = await navigator.serviceWorker.getRegistration("/");
  const subscription = await registration?.pushManager.getSubscription();
  if (subscription && Notification.permission === "granted") {
    // Unsubscribing ends the endpoint at the push service, so the server drops this device at
    // its next push, and no later start registers it again.
    const off = button("Turn off reminders on this device", { className: "button secondary" });
    off.addEventListener("click", async () => {
      await subscription.unsubscribe();
      const next = await thisDevice(refresh);
      part.replaceWith(next);
      next.querySelector("input")?.focus();
      announce("Reminders are off for this device.");
    });
    part.append(el("p", { text: "Reminders are on for this device." }), off);
    return part;
  }
  if (Notification.permission === "denied") {
    part.append(el("p", { text: "Notifications are blocked for this app. Allow them in your browser's site settings, then come back here." }));
    return part;
  }
  const label = el("input");
  label.id = "device-label";
  label.maxLength = 100;
  label.autocomplete = "off";
  label.value = localStorage.getItem(LABEL_KEY) ?? "";
  const problem = summaryBox();
  const turnOn = button("Turn on reminders", { submit: true });
  const form = el("form", {}, [
    field(label, "Name for this device (optional)", "So you can tell your devices apart, such as Work phone."),
    turnOn,
  ]);
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    turnOn.disabled = true;
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        summary(problem, "Reminders are not on", [{ message: "Notifications were not allowed. Allow them in your browser's site settings and try again." }]);
        return;
      }
      if (label.value.trim()) localStorage.setItem(LABEL_KEY, label.value.trim());
      else localStorage.removeItem(LABEL_KEY);
      await register(await subscribe());
      part.replaceWith(await thisDevice(refresh));
      await refresh();
      announce("Reminders are on for this device.");
    } catch (error) {
      const message =
        error instanceof ApiError ? failure(error, true) : "This browser could not subscribe to reminders. Try again later.";
      if (error instanceof ApiError && error.fieldMessage("label")) refused(problem, error, { label });
      else summary(problem, "Reminders are not on", [{ message }]);
    } finally {
      turnOn.disabled = false;
    }
  });
  part.append(
    el("p", { text: "Get a reminder on this device before sessions and when something needs you." }),
    problem,
    form,
  );
  return part;
}

/**
 * @param {string | null | undefined} at
 * @param {string} none
 */
function day(at, none) {
  return at ? longDate(at.slice(0, 10)) : none;
}

/**
 * "Your devices": each with a test push and remove.
 * @param {HTMLElement} box
 */
async function showDevices(box) {
  const devices = await get("/api/v1/me/devices");
  if (devices.length === 0) {
    box.replaceChildren(el("p", { text: "No device gets reminders yet." }));
    return;
  }
  /** @param {DeviceView} device */
  const row = (device) => {
    const test = button("Send a test", { className: "button secondary small", hidden: `to ${device.label}` });
    const drop = button("Remove", { className: "button warning small", hidden: device.label });
    const li = el("li", { className: "item" }, [
      el("p", { className: "item-title", text: device.label }),
      el("p", { text: `Added ${day(device.created_at, "")}. Last reminder delivered: ${day(device.last_success_at, "none yet")}.` }),
      el("div", { className: "button-group" }, [test, drop]),
    ]);
    if (device.last_failure_at) li.append(el("p", { className: "note", text: `Last failed: ${day(device.last_failure_at, "")}.` }));
    test.addEventListener("click", async () => {
      try {
        const { outcome } = await post("/api/v1/me/devices/{id}/test", { params: { id: device.id } });
        announce(
          outcome === "delivered"
            ? `A test was sent to ${device.label}. It should appear in a moment.`
            : `The test could not be delivered to ${device.label}. If it keeps failing, remove it and turn reminders on again there.`,
        );
      } catch (error) {
        announce(failure(error, true));
      }
    });
    drop.addEventListener("click", async () => {
      try {
        await remove("/api/v1/me/devices/{id}", { params: { id: device.id } });
        await showDevices(box);
        box.querySelector("button")?.focus();
        announce(`${device.label} no longer gets reminders.`);
      } catch (error) {
        announce(failure(error, true));
      }
    });
    return li;
  };
  box.replaceChildren(el("ul", { className: "list" }, devices.map(row)));
}

/**
 * A checkbox with its label.
 * @param {string} id
 * @param {string} text
 * @param {boolean} checked
 */
function checkbox(id, text, checked) {
  const box = el("input");
  box.type = "checkbox";
  box.id = id;
  box.checked = checked;
  const label = el("label", { text });
  label.htmlFor = id;
  return { box, row: el("div", { className: "checkbox" }, [box, label]) };
}

/**
 * A group of checkboxes under a legend.
 * @param {string} legend
 * @param {HTMLElement[]} rows
 */
function group(legend, rows) {
  return el("fieldset", { className: "fieldset" }, [el("legend", { text: legend }), ...rows]);
}

/** "Reminder settings": quiet hours, lead times, the nothing-booked warnings, kinds. */
async function settings() {
  let view = await get("/api/v1/me/reminder-preferences");
  const p = view.preferences;
  const from = el("input", { className: "input-short" });
  from.id = "quiet-from";
  from.type = "time";
  from.value = p.quiet_from ?? "20:00";
  const until = el("input", { className: "input-short" });
  until.id = "quiet-until";
  until.type = "time";
  until.value = p.quiet_until ?? "08:00";
  const leads = LEADS.map(([minutes, words]) => ({
    minutes,
    ...checkbox(`lead-${minutes}`, words, (p.session_leads_minutes ?? []).includes(minutes)),
  }));
  const booked = el("input");
  booked.id = "nothing-booked";
  booked.inputMode = "numeric";
  booked.value = (p.nothing_booked_working_days ?? []).join(", ");
  const kinds = /** @type {[ReminderKind, string][]} */ (Object.entries(KIND)).map(([kind, words]) => ({
    kind,
    ...checkbox(`kind-${kind}`, words, !(p.disabled ?? []).includes(kind)),
  }));
  const problem = summaryBox();
  const form = el("form", {}, [
    field(from, "Quiet hours start", "No reminders arrive in quiet hours; they wait until the end. The same time twice means no quiet hours."),
    field(until, "Quiet hours end"),
    group("Remind me before a session", leads.map((l) => l.row)),
    field(booked, "Warn me that nothing is booked, this many working days before the due date", "Numbers separated by commas, such as 10, 5, 2."),
    group("Remind me when", kinds.map((k) => k.row)),
    button("Save settings", { submit: true }),
  ]);
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const days = booked.value.split(",").map((d) => d.trim()).filter(Boolean);
    const bad = days.some((d) => !/^\d{1,3}$/.test(d));
    /** @type {{ field: import("./ui").Control, message: string }[]} */
    const problems = [];
    if (!from.value) problems.push({ field: from, message: "Enter when quiet hours start" });
    if (!until.value) problems.push({ field: until, message: "Enter when quiet hours end" });
    if (bad) problems.push({ field: booked, message: "Enter whole numbers of working days, separated by commas" });
    for (const control of [from, until, booked]) fieldError(control, problems.find((x) => x.field === control)?.message);
    summary(problem, "There is a problem", problems);
    if (problems.length) return;
    try {
      view = await put("/api/v1/me/reminder-preferences", {
        body: {
          quiet_from: from.value,
          quiet_until: until.value,
          session_leads_minutes: leads.filter((l) => l.box.checked).map((l) => l.minutes),
          nothing_booked_working_days: days.map(Number),
          disabled: kinds.filter((k) => !k.box.checked).map((k) => k.kind),
        },
        version: view.version,
      });
      announce("Your reminder settings are saved.");
    } catch (error) {
      refused(problem, error, {
        quiet_from: from,
        quiet_until: until,
        nothing_booked_working_days: booked,
        session_leads_minutes: leads[0].box,
        disabled: kinds[0].box,
      });
    }
  });
  return el("section", { className: "card" }, [el("h2", { text: "Reminder settings" }), problem, form]);
}

/** "Calendar feed": make, show once with a copy button, make anew or turn off. */
async function feed() {
  const part = el("section", { className: "card" }, [el("h2", { text: "Calendar feed" })]);
  const body = el("div");
  part.append(body);
  /** @param {import("./types").Schemas["FeedView"]} state */
  const draw = (state) => {
    const make = button(state.active ? "Make a new link" : "Make a calendar link", { className: "button secondary" });
    make.addEventListener("click", async () => {
      try {
        draw(await post("/api/v1/me/calendar-feed"));
        /** @type {HTMLInputElement | null} */ (body.querySelector("#feed-link"))?.focus();
        announce("Your calendar link is made. Copy it now: it is shown only once.");
      } catch (error) {
        announce(failure(error, true));
      }
    });
    const parts = [];
    if (state.path) {
      const address = el("input");
      address.id = "feed-link";
      address.readOnly = true;
      address.value = new URL(state.path, location.origin).href;
      const copy = button("Copy the link");
      copy.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(address.value);
          announce("The calendar link is copied.");
        } catch {
          address.select();
          announce("Copying is not allowed here: the link is selected, copy it yourself.");
        }
      });
      parts.push(
        field(address, "Your calendar link", "Add it to Outlook as a calendar from the internet. Keep it private: anyone with it sees your session times. It is shown only this once."),
        copy,
      );
    } else if (state.active) {
      parts.push(
        el("p", { text: `Your calendar feed is on, made ${day(state.created_at, "earlier")}. Its link was shown once, when it was made. A new link stops the old one working.` }),
      );
    } else {
      parts.push(el("p", { text: "See your sessions in Outlook or another calendar through a private link." }));
    }
    const group = el("div", { className: "button-group" }, [make]);
    if (state.active) {
      const off = button("Turn off the calendar feed", { className: "button warning" });
      off.addEventListener("click", async () => {
        try {
          await remove("/api/v1/me/calendar-feed");
          draw({ active: false });
          make.focus();
          announce("Your calendar feed is off: its link no longer works.");
        } catch (error) {
          announce(failure(error, true));
        }
      });
      group.append(off);
    }
    body.replaceChildren(...parts, group);
  };
  draw(await get("/api/v1/me/calendar-feed"));
  return part;
}

/**
 * The reminders screen.
 * @param {Screen} screen
 */
export async function showReminders({ body }) {
  body.replaceChildren(loading());
  const list = el("div", {}, [loading()]);
  const refresh = () => showDevices(list);
  const [device, , prefs, calendar] = await Promise.all([thisDevice(refresh), refresh(), settings(), feed()]);
  body.replaceChildren(
    device,
    el("section", { className: "card" }, [el("h2", { text: "Your devices" }), list]),
    prefs,
    calendar,
  );
}
