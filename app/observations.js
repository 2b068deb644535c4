// @ts-check
// Observations of practice (issue 20, OBS-1, OBS-2): the practice year's count in words ("1 of
// 2 done; still needed: an observation of direct work with a child"), a person's observations,
// and one observation's feedback, where the observed worker adds their reflection.

import { getAt, post } from "./api.js";
import { superviseeNames } from "./sessions.js";
import { announce, button, card, el, field, fieldError, link, loading, refused, required, summary, summaryBox, textArea, typed } from "./ui.js";
import { capital, longDate, today } from "./words.js";

/** @typedef {import("./types").Screen} Screen */
/** @typedef {import("./types").PersonView} PersonView */
/** @typedef {import("./types").ObservationView} ObservationView */
/** @typedef {import("./types").ObservationStatus} ObservationStatus */
/** @typedef {import("./types").ObservationSetting} ObservationSetting */

/** @type {Record<ObservationSetting, string>} */
export const SETTING = {
  home_visit: "Home visit",
  conference_or_meeting: "Conference or meeting",
  court: "Court",
  direct_work_with_child: "Direct work with a child",
  direct_work_with_adult: "Direct work with an adult",
  other: "Other setting",
};

/**
 * The practice year's count in one sentence: "1 of 2 done this practice year; still needed:
 * an observation of direct work with a child."
 * @param {ObservationStatus} status
 */
export function observationSentence(status) {
  const count = `${status.done} of ${status.required} done this practice year`;
  if (status.remaining === 0) return `${count}: nothing more is needed before ${longDate(status.year.ends_on)}.`;
  const settings = status.settings_missing.map((s) => SETTING[s].toLowerCase());
  const needed = settings.length
    ? `an observation of ${settings.join(" and one of ")}${status.remaining > settings.length ? `, and ${status.remaining - settings.length} more` : ""}`
    : status.remaining === 1
      ? "1 more observation"
      : `${status.remaining} more observations`;
  return `${count}; still needed: ${needed}, by ${longDate(status.year.ends_on)}.`;
}

/**
 * Whose page this is, in words: "your" or their name.
 * @param {string} id
 * @param {PersonView} me
 */
async function nameOf(id, me) {
  if (id === me.id) return null;
  const names = await superviseeNames();
  if (names.has(id)) return /** @type {string} */ (names.get(id));
  const person = await getAt("/api/v1/people/{id}", { id }).catch(() => null);
  return person?.display_name ?? "This person";
}

/**
 * A person's observation status and their observations this practice year, newest first.
 * Where a reminder about a supervisee's observations links; home links here for my own.
 * @param {Screen} screen
 */
export async function showObservationStatus(screen) {
  const { me, params, body } = screen;
  body.replaceChildren(loading());
  const [status, name] = await Promise.all([
    getAt("/api/v1/people/{id}/observation-status", { id: params.id }),
    nameOf(params.id, me),
  ]);
  const list = await getAt("/api/v1/people/{id}/observations", {
    id: params.id,
  }, { from: status.year.starts_on, to: status.year.ends_on });
  const year = today(me.time_zone).slice(0, 4);
  /** @param {ObservationView} o */
  const item = (o) =>
    el("li", { className: "item" }, [
      el("p", { className: "item-title" }, [link(`/observations/${o.id}`, `${SETTING[o.setting]}, ${longDate(o.observed_on, year)}`)]),
      el("p", { className: "note", text: o.supervisee_reflection ? "Reflection added." : "No reflection yet." }),
    ]);
  body.replaceChildren(
    ...(name ? [el("h2", { text: name })] : []),
    el("p", { className: "lead", text: observationSentence(status) }),
    card("This practice year's observations", [
      list.length ? el("ul", { className: "list" }, list.map(item)) : el("p", { text: "None yet this practice year." }),
    ]),
    // Someone else's page: whoever supervises them or is above them records one (the server
    // refuses anyone else, and says so).
    ...(name ? [card("Record an observation", [recordForm(params.id, screen)])] : []),
  );
}

/**
 * The form an observer records an observation with (OBS-1); the new observation opens after.
 * @param {string} personId
 * @param {Screen} screen
 */
function recordForm(personId, screen) {
  const problem = summaryBox();
  const date = el("input", { className: "input-short" });
  date.id = "observation-date";
  date.type = "date";
  date.value = today(screen.me.time_zone);
  const setting = el("select", {}, [
    el("option", { text: "Choose a setting" }),
    ...Object.entries(SETTING).map(([value, words]) => {
      const option = el("option", { text: words });
      option.value = value;
      return option;
    }),
  ]);
  /** @type {HTMLOptionElement} */ (setting.firstChild).value = "";
  setting.id = "observation-setting";
  const feedback = textArea("observation-feedback", 6, 5000);
  const learning = textArea("observation-learning", 4, 5000);
  const form = el("form", {}, [
    problem,
    field(date, "Date observed"),
    field(setting, "Setting"),
    field(feedback, "Feedback", "What you saw. Name children and adults only by case reference."),
    field(learning, "Learning (optional)"),
    button("Record the observation", { submit: true }),
  ]);
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    /** @type {{ field: import("./ui").Control, message: string }[]} */
    const problems = [];
    if (!date.value) problems.push({ field: date, message: "Enter the date observed" });
    if (!setting.value) problems.push({ field: setting, message: "Choose a setting" });
    if (!feedback.value.trim()) problems.push({ field: feedback, message: "Write the feedback" });
    for (const control of [date, setting, feedback, learning]) fieldError(control, problems.find((p) => p.field === control)?.message);
    summary(problem, "There is a problem", problems);
    if (problems.length) return;
    let made;
    try {
      made = await post("/api/v1/people/{id}/observations", {
        params: { id: personId },
        body: {
          observed_on: date.value,
          setting: /** @type {ObservationSetting} */ (setting.value),
          feedback: typed(feedback),
          learning: typed(learning),
        },
      });
    } catch (error) {
      refused(problem, error, { observed_on: date, setting, feedback, learning });
      return;
    }
    announce("The observation is recorded.");
    screen.go(`/observations/${made.id}`);
  });
  return form;
}

/**
 * One observation: when, where, who observed, the feedback and learning, and the observed
 * worker's reflection, which they add or change here.
 * @param {Screen} screen
 */
export async function showObservation(screen) {
  const { me, params, body } = screen;
  if (!body.hasChildNodes()) body.append(loading());
  const o = await getAt("/api/v1/observations/{id}", { id: params.id });
  const year = today(me.time_zone).slice(0, 4);
  const names = await superviseeNames();
  names.set(me.id, "you");
  // The observed worker may not read the observer's details; "the observer" says it then.
  const others = o.supervisee_id === me.id ? [] : [o.observer_id, o.supervisee_id];
  for (const id of others) {
    if (names.has(id)) continue;
    const person = await getAt("/api/v1/people/{id}", { id }).catch(() => null);
    if (person) names.set(id, person.display_name);
  }
  const facts = el("dl", { className: "facts" });
  /** @param {string} term @param {string} value */
  const fact = (term, value) => facts.append(el("dt", { text: term }), el("dd", { text: capital(value) }));
  fact("Observed", names.get(o.supervisee_id) ?? "the supervisee");
  fact("Date", longDate(o.observed_on, year));
  fact("Setting", SETTING[o.setting]);
  fact("Observer", names.get(o.observer_id) ?? "the observer");
  /** @param {string} text */
  const lines = (text) => text.split(/\n+/).filter((l) => l.trim()).map((l) => el("p", { text: l }));
  const parts = [
    facts,
    card("Feedback", lines(o.feedback)),
    card("Learning", o.learning ? lines(o.learning) : [el("p", { className: "note", text: "None written." })]),
  ];
  const reflection = card("Reflection", []);
  if (o.supervisee_reflection) reflection.append(...lines(o.supervisee_reflection));
  else reflection.append(el("p", { className: "note", text: o.supervisee_id === me.id ? "You have not added a reflection yet." : "No reflection added yet." }));
  if (o.supervisee_id === me.id) reflection.append(reflectionForm(o, screen));
  parts.push(reflection, el("p", {}, [link(`/people/${o.supervisee_id}/observation-status`, "All observations this practice year")]));
  body.replaceChildren(...parts);
}

/**
 * The observed worker's reflection: added, or changed later.
 * @param {ObservationView} o
 * @param {Screen} screen
 */
function reflectionForm(o, screen) {
  const problem = summaryBox();
  const text = textArea("reflection-text", 6, 5000, o.supervisee_reflection ?? "");
  const form = el("form", {}, [
    problem,
    field(text, o.supervisee_reflection ? "Change your reflection" : "Your reflection", "What you take from the feedback, and what you will do next. Name children and adults only by case reference."),
    button("Save your reflection", { submit: true }),
  ]);
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const words = required(text, problem, "Write your reflection");
    if (!words) return;
    try {
      await post("/api/v1/observations/{id}/reflection", { params: { id: o.id }, body: { reflection: words }, version: o.version });
    } catch (error) {
      refused(problem, error, { reflection: text });
      return;
    }
    await showObservation(screen);
    document.getElementById("view-title")?.focus();
    announce("Your reflection is saved.");
  });
  return form;
}
