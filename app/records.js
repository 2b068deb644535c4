// @ts-check
// Records of supervision (issue 20, REC-1, REC-4, REC-5): the supervisor writes the record on
// its template's pro-forma and sends it; the supervisee reads it on the phone, signs it or asks
// for amendments with a comment; after both have signed only addenda follow, countersigned by
// the other party. Both see every step and every version. A save made against an older version
// (If-Match) is refused by the server: the text typed stays in the form and the newer version
// is shown beside it, so nothing typed is lost.

import { ApiError, get, getAt, post, put } from "./api.js";
import { superviseeNames } from "./sessions.js";
import { announce, button, card, el, failure, field, fieldError, link, loading, refused, required, summary, summaryBox, textArea, typed } from "./ui.js";
import { RECORD_STATUS, capital, dateAndTime, longDate, today } from "./words.js";

/** @typedef {import("./types").Screen} Screen */
/** @typedef {import("./types").PersonView} PersonView */
/** @typedef {import("./types").RecordView} RecordView */
/** @typedef {import("./types").RecordSummary} RecordSummary */
/** @typedef {import("./types").RecordStatus} RecordStatus */
/** @typedef {import("./types").RecordContent} RecordContent */
/** @typedef {import("./types").TemplateView} TemplateView */
/** @typedef {import("./types").VersionView} VersionView */

/** @type {Record<string, string>} */
const EVENT = {
  created: "Opened",
  edited: "Saved",
  sent: "Sent for signature",
  amendments_requested: "Amendments asked for",
  signed: "Signed",
  disagreement: "Disagreement recorded",
  addendum_added: "Addendum added",
  addendum_countersigned: "Addendum countersigned",
};

/** @type {Record<string, string>} */
const OWNER = { supervisor: "the supervisor", supervisee: "the supervisee", other: "someone else" };

/**
 * A record's status in words, in a tag whose colour only repeats them.
 * @param {RecordStatus} status
 * @param {boolean} [mine] the record waits for my signature, so it says so
 */
export function recordTag(status, mine = false) {
  const tone = status === "signed" ? "on-track" : status === "amendments_requested" ? "at-risk" : "no-baseline";
  const words = mine && status === "awaiting_supervisee" ? "Waiting for your signature" : RECORD_STATUS[status];
  return el("strong", { className: `tag tag-${tone}`, text: words });
}

/**
 * "Record of Tuesday 1 December", and whether it is late, for lists.
 * @param {RecordSummary} record
 * @param {PersonView} me
 */
export function recordItem(record, me) {
  const year = today(me.time_zone).slice(0, 4);
  const late = record.late ? ` Late: ${record.working_days_late === 1 ? "1 working day" : `${record.working_days_late} working days`} past ${longDate(record.due_by, year)}.` : "";
  return el("li", { className: "item" }, [
    el("p", { className: "item-title" }, [link(`/records/${record.id}`, `Record of the session on ${longDate(record.held_on, year)}`)]),
    el("p", {}, [recordTag(record.status, record.supervisee_id === me.id)]),
    el("p", { className: "note", text: `Due by ${longDate(record.due_by, year)}.${late}` }),
  ]);
}

/**
 * Records waiting for me, for home: mine to sign as supervisee, mine to write or amend as
 * supervisor.
 */
export async function recordsWaiting() {
  const [toSign, drafts, amend] = await Promise.all([
    get("/api/v1/me/records", { role: "supervisee", status: "awaiting_supervisee", limit: 20 }),
    get("/api/v1/me/records", { role: "supervisor", status: "draft", limit: 20 }),
    get("/api/v1/me/records", { role: "supervisor", status: "amendments_requested", limit: 20 }),
  ]);
  return [...toSign.items, ...amend.items, ...drafts.items];
}

/**
 * The names of a record's two people, as far as I may read them.
 * @param {RecordSummary} record
 * @param {PersonView} me
 */
async function partyNames(record, me) {
  const names = await superviseeNames();
  // A supervisee may not read their supervisor's details: "your supervisor" says it for them.
  const others = record.supervisee_id === me.id ? [] : [record.supervisor_id, record.supervisee_id];
  for (const id of others) {
    if (names.has(id)) continue;
    const person = await getAt("/api/v1/people/{id}", { id }).catch(() => null);
    if (person) names.set(id, person.display_name);
  }
  return names;
}

/**
 * Who someone is, from where I stand.
 * @param {string | null | undefined} id
 * @param {RecordSummary} record
 * @param {PersonView} me
 * @param {Map<string, string>} names
 */
function who(id, record, me, names) {
  if (id === me.id) return "you";
  if (id && names.has(id)) return /** @type {string} */ (names.get(id));
  if (id === record.supervisor_id) return record.supervisee_id === me.id ? "your supervisor" : "the supervisor";
  if (id === record.supervisee_id) return "the supervisee";
  return "someone else";
}

/**
 * "Tuesday 1 December, 10:00" in my time zone.
 * @param {string} instant
 * @param {PersonView} me
 */
function when(instant, me) {
  return dateAndTime(instant, me.time_zone);
}

/**
 * Text as paragraphs, one per line typed.
 * @param {string} text
 */
function paragraphs(text) {
  return text.split(/\n+/).filter((line) => line.trim()).map((line) => el("p", { text: line }));
}

/**
 * What a record says, section by section on its template, with its actions and case
 * discussions. Read-only.
 * @param {RecordContent} content
 * @param {TemplateView} template
 * @param {string} year
 */
export function contentView(content, template, year) {
  const parts = el("div", { className: "record-content" });
  const sections = content.sections ?? {};
  for (const section of template.sections) {
    const text = sections[section.key]?.trim();
    parts.append(
      el("h3", { text: section.title }),
      ...(text ? paragraphs(text) : [el("p", { className: "note", text: "Nothing written." })]),
    );
  }
  const actions = content.actions ?? [];
  if (actions.length) {
    parts.append(
      el("h3", { text: "Actions agreed" }),
      el(
        "ul",
        {},
        actions.map((a) =>
          el("li", { text: `${a.description} – ${a.owner === "other" && a.owner_name ? a.owner_name : OWNER[a.owner]}, by ${longDate(a.due_on, year)}` }),
        ),
      ),
    );
  }
  for (const c of content.case_discussions ?? []) {
    parts.append(el("h3", { text: `Case ${c.case_reference}` }));
    if (c.status_codes?.length) parts.append(el("p", { text: `Status: ${c.status_codes.join(", ")}` }));
    if (c.what_changed) parts.append(el("p", { text: `What changed: ${c.what_changed}` }));
    if (c.reflection) parts.append(el("p", { text: `Reflection: ${c.reflection}` }));
    if (c.management_decision) parts.append(el("p", { text: `Management decision: ${c.management_decision}` }));
    for (const a of c.actions ?? []) parts.append(el("p", { text: `Action: ${a.action}, by ${longDate(a.by, year)}` }));
  }
  return parts;
}

/**
 * Shows the record again after a change, with focus on its heading: the button pressed may
 * be gone.
 * @param {Screen} screen
 * @param {string} said
 */
async function reshow(screen, said) {
  await showRecord(screen);
  document.getElementById("view-title")?.focus();
  announce(said);
}

/**
 * The pro-forma for the supervisor: one text box per template section. "Save" keeps a new
 * version; "Save and send" also sends it for signature (sending is the supervisor's
 * signature). A save refused because someone saved since keeps what was typed and shows the
 * newer version beside it; saving again then replaces it.
 * @param {RecordView} view
 * @param {Screen} screen
 */
function editorPart(view, screen) {
  const year = today(screen.me.time_zone).slice(0, 4);
  let version = view.record.version;
  const problem = summaryBox();
  const newer = card("The newer version", []);
  newer.hidden = true;
  /** @type {Map<string, HTMLTextAreaElement>} */
  const boxes = new Map();
  const form = el("form", { className: "record-editor" });
  form.noValidate = true;
  for (const section of view.template.sections) {
    const box = textArea(`section-${section.key}`, 5, 10000, view.content.sections?.[section.key] ?? "");
    boxes.set(section.key, box);
    form.append(field(box, section.title, section.guidance || undefined));
  }
  const actions = actionsPart(view.content.actions ?? []);
  form.append(actions.element);
  const save = button("Save draft", { className: "button secondary" });
  const send = button(view.record.status === "draft" ? "Save and send for signature" : "Save and send again", { submit: true });
  form.append(el("div", { className: "button-group" }, [send, save]));

  /** The form's content: the sections typed, the actions and case discussions as they were. */
  const content = () => {
    /** @type {Record<string, string>} */
    const sections = {};
    for (const [key, box] of boxes) {
      // The API keeps each section as one trimmed text; empty sections are left out.
      const text = typed(box);
      if (text) sections[key] = text;
    }
    return { sections, actions: actions.items(), case_discussions: view.content.case_discussions ?? [] };
  };

  /** @param {boolean} andSend */
  const submit = async (andSend) => {
    for (const box of boxes.values()) fieldError(box, undefined);
    const problems = actions.check();
    const first = /** @type {HTMLTextAreaElement} */ (boxes.values().next().value);
    if (andSend && first && Object.keys(content().sections).length === 0 && !view.content.case_discussions?.length) {
      fieldError(first, "Write the record before sending it");
      problems.unshift({ field: first, message: "Write the record before sending it" });
    }
    summary(problem, "There is a problem", problems);
    if (problems.length) return;
    let saved;
    try {
      saved = await put("/api/v1/records/{id}", { params: { id: view.record.id }, body: { content: content() }, version });
      version = saved.record.version;
      if (andSend) await post("/api/v1/records/{id}/send", { params: { id: view.record.id }, version });
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        await showNewer(newer, view, screen, year).then((v) => (version = v ?? version));
        summary(problem, "This record changed since you opened it", [
          {
            message:
              "Your text is still in the form below and is not saved. The newer version is shown under it: compare, then save again to replace it with yours.",
          },
        ]);
        return;
      }
      /** @type {Record<string, import("./ui").Control>} */
      const fields = {};
      for (const [key, box] of boxes) fields[`content.sections.${key}`] = box;
      Object.assign(fields, actions.fields());
      refused(problem, error, fields);
      return;
    }
    await reshow(screen, andSend ? "The record is sent to the supervisee for signature." : "The record is saved.");
  };
  save.addEventListener("click", () => void submit(false));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit(true);
  });
  const intro =
    view.record.status === "awaiting_supervisee"
      ? "It is with the supervisee for signature. Saving a change takes it back to draft: send it again after."
      : "Write each section of the pro-forma. Name children and adults only by case reference.";
  return card("Write the record", [
    el("p", { className: "hint", text: intro }),
    problem,
    form,
    newer,
  ]);
}

/**
 * The actions agreed (REC-2): what, who, by when, one group of fields each, added and removed
 * here. Open actions carry into the supervisee's next record by themselves.
 * @param {RecordContent["actions"] & {}} initial
 */
function actionsPart(initial) {
  const list = el("div");
  const add = button("Add an action", { className: "button secondary" });
  const element = el("fieldset", { className: "fieldset" }, [
    el("legend", { text: "Actions agreed" }),
    el("p", { className: "hint", text: "What, who and by when. Open actions carry into the next record." }),
    list,
    add,
  ]);
  /** @typedef {{ box: HTMLFieldSetElement, legend: HTMLElement, remove: HTMLButtonElement, what: HTMLInputElement, who: HTMLSelectElement, name: HTMLInputElement, due: HTMLInputElement, person: string | null }} Row */
  /** @type {Row[]} */
  const rows = [];
  let made = 0;
  const renumber = () =>
    rows.forEach((row, i) => {
      row.legend.textContent = `Action ${i + 1}`;
      /** @type {HTMLElement} */ (row.remove.lastChild).textContent = ` action ${i + 1}`;
    });
  /** @param {NonNullable<RecordContent["actions"]>[number] | null} action */
  const addRow = (action) => {
    made += 1;
    const what = el("input");
    what.id = `action-${made}-description`;
    what.maxLength = 1000;
    what.value = action?.description ?? "";
    const who = el(
      "select",
      {},
      Object.entries({ supervisee: "The supervisee", supervisor: "The supervisor", other: "Someone else" }).map(([value, words]) => {
        const option = el("option", { text: words });
        option.value = value;
        return option;
      }),
    );
    who.id = `action-${made}-owner`;
    who.value = action?.owner ?? "supervisee";
    const name = el("input");
    name.id = `action-${made}-owner-name`;
    name.maxLength = 200;
    name.value = action?.owner_name ?? "";
    const due = el("input", { className: "input-short" });
    due.id = `action-${made}-due`;
    due.type = "date";
    due.value = action?.due_on ?? "";
    const legend = el("legend");
    const remove = button("Remove", { className: "button secondary small", hidden: "action" });
    const box = el("fieldset", { className: "fieldset action" }, [
      legend,
      field(what, "What"),
      field(who, "Who"),
      field(name, "Their name", "Only for an action someone else owns."),
      field(due, "By when"),
      remove,
    ]);
    /** @type {Row} */
    const row = { box, legend, remove, what, who, name, due, person: action?.owner_person_id ?? null };
    remove.addEventListener("click", () => {
      rows.splice(rows.indexOf(row), 1);
      box.remove();
      renumber();
      add.focus();
    });
    rows.push(row);
    list.append(box);
    renumber();
    return row;
  };
  initial.forEach(addRow);
  add.addEventListener("click", () => addRow(null).what.focus());
  return {
    element,
    /** The actions as the API takes them. */
    items: () =>
      rows.map((r) => {
        const other = r.who.value === "other";
        return {
          description: r.what.value.trim(),
          owner: /** @type {"supervisor" | "supervisee" | "other"} */ (r.who.value),
          owner_name: other ? r.name.value.trim() || null : null,
          owner_person_id: other ? r.person : null,
          due_on: r.due.value,
        };
      }),
    /** Each row's problems, set on its fields. */
    check: () => {
      /** @type {{ field: import("./ui").Control, message: string }[]} */
      const problems = [];
      rows.forEach((r, i) => {
        const checks = /** @type {[import("./ui").Control, string | undefined][]} */ ([
          [r.what, r.what.value.trim() ? undefined : `Say what action ${i + 1} is`],
          [r.who, undefined],
          [r.name, r.who.value === "other" && !r.name.value.trim() ? `Name who owns action ${i + 1}` : undefined],
          [r.due, r.due.value ? undefined : `Enter when action ${i + 1} is due`],
        ]);
        for (const [control, message] of checks) {
          fieldError(control, message);
          if (message) problems.push({ field: control, message });
        }
      });
      return problems;
    },
    /** The rows' fields by the API's names for them, for the server's refusals. */
    fields: () => {
      /** @type {Record<string, import("./ui").Control>} */
      const named = {};
      rows.forEach((r, i) => {
        named[`content.actions[${i}].description`] = r.what;
        named[`content.actions[${i}].owner_name`] = r.name;
        named[`content.actions[${i}].due_on`] = r.due;
      });
      return named;
    },
  };
}

/**
 * Fills `box` with the record as it stands now on the server; returns its version.
 * @param {HTMLElement} box
 * @param {RecordView} view
 * @param {Screen} screen
 * @param {string} year
 */
async function showNewer(box, view, screen, year) {
  try {
    const latest = await getAt("/api/v1/records/{id}", { id: view.record.id });
    const names = await partyNames(latest.record, screen.me);
    const last = latest.timeline.at(-1);
    const by = last ? ` by ${who(last.actor_id, latest.record, screen.me, names)} on ${when(last.occurred_at, screen.me)}` : "";
    box.replaceChildren(
      /** @type {HTMLElement} */ (box.firstChild),
      el("p", { text: `Version ${latest.content_version}, saved${by}. Status: ${RECORD_STATUS[latest.record.status]}.` }),
      contentView(latest.content, latest.template, year),
    );
    box.hidden = false;
    return latest.record.status === "signed" ? undefined : latest.record.version;
  } catch {
    return undefined;
  }
}

/**
 * The supervisee's decision on a record sent for signature: sign it, or ask for amendments
 * with a comment (needed).
 * @param {RecordView} view
 * @param {Screen} screen
 */
function signPart(view, screen) {
  const problem = summaryBox();
  const comment = textArea("amendment-comment", 4, 2000);
  const sign = button("Sign the record");
  const amend = button("Ask for amendments", { className: "button secondary" });
  sign.addEventListener("click", async () => {
    fieldError(comment, undefined);
    try {
      await post("/api/v1/records/{id}/sign", { params: { id: view.record.id }, version: view.record.version });
    } catch (error) {
      summary(problem, "The record was not signed", [{ message: failure(error, true) }]);
      return;
    }
    await reshow(screen, "You have signed the record. It is locked now.");
  });
  amend.addEventListener("click", async () => {
    const words = required(comment, problem, "Say what should change");
    if (!words) return;
    try {
      await post("/api/v1/records/{id}/amendments", {
        params: { id: view.record.id },
        body: { comment: words },
        version: view.record.version,
      });
    } catch (error) {
      refused(problem, error, { comment });
      return;
    }
    await reshow(screen, "Your request for amendments is sent to your supervisor.");
  });
  const form = el("form", {}, [
    el("div", { className: "button-group" }, [sign]),
    field(comment, "What should change", "Needed to ask for amendments. Your supervisor amends the record and sends it again."),
    el("div", { className: "button-group" }, [amend]),
  ]);
  form.noValidate = true;
  form.addEventListener("submit", (event) => event.preventDefault());
  return card(
    "Sign the record or ask for amendments",
    [
      el("p", { text: "Signing says you agree this is a true record of the session. Once both have signed, changes are made only as addenda." }),
      problem,
      form,
    ],
    "decision",
  );
}

/**
 * Addenda of a signed record, each countersigned by the party who did not write it, and the
 * form to add one.
 * @param {RecordView} view
 * @param {Screen} screen
 * @param {Map<string, string>} names
 */
function addendaPart(view, screen, names) {
  const { me } = screen;
  const party = view.standing === "supervisor" || view.standing === "supervisee";
  const problem = summaryBox();
  const items = view.addenda.map((a) => {
    const lines = [
      el("p", { className: "item-title", text: `Added by ${who(a.author_id, view.record, me, names)} on ${when(a.created_at, me)}` }),
      ...paragraphs(a.text),
    ];
    if (a.countersigned_at) {
      lines.push(el("p", { className: "note", text: `Countersigned by ${who(a.countersigned_by, view.record, me, names)} on ${when(a.countersigned_at, me)}.` }));
    } else if (party && a.author_id !== me.id) {
      const countersign = button("Countersign", { hidden: "this addendum" });
      countersign.addEventListener("click", async () => {
        try {
          await post("/api/v1/records/{id}/addenda/{addendum_id}/countersign", {
            params: { id: view.record.id, addendum_id: a.id },
            version: view.record.version,
          });
        } catch (error) {
          summary(problem, "The addendum was not countersigned", [{ message: failure(error, true) }]);
          return;
        }
        await reshow(screen, "You have countersigned the addendum.");
      });
      lines.push(el("p", { className: "note", text: "Waiting for your countersignature." }), el("div", { className: "button-group" }, [countersign]));
    } else {
      lines.push(el("p", { className: "note", text: "Not countersigned yet." }));
    }
    return el("li", { className: "item" }, lines);
  });
  const part = card("Addenda", [
    problem,
    items.length ? el("ul", { className: "list" }, items) : el("p", { text: "No addenda." }),
  ]);
  if (!party) return part;
  const text = textArea("addendum-text", 4, 10000);
  const form = el("form", {}, [
    field(text, "New addendum", "The record itself stays as signed. The other party countersigns the addendum."),
    button("Add the addendum", { submit: true }),
  ]);
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const words = required(text, problem, "Write the addendum");
    if (!words) return;
    try {
      await post("/api/v1/records/{id}/addenda", { params: { id: view.record.id }, body: { text: words }, version: view.record.version });
    } catch (error) {
      refused(problem, error, { text });
      return;
    }
    await reshow(screen, "The addendum is added. The other party is asked to countersign it.");
  });
  part.append(form);
  return part;
}

/**
 * A disagreement about the record (REC-4, 000 §8), either party at any stage: what is
 * disputed and whether to settle it between the two or escalate it to the supervisor's
 * manager. The record itself does not change. Folded away until opened.
 * @param {RecordView} view
 * @param {Screen} screen
 */
function disagreementPart(view, screen) {
  const problem = summaryBox();
  const comment = textArea("disagreement-comment", 4, 2000);
  /** @param {"resolve" | "escalate"} value @param {string} words */
  const choice = (value, words) => {
    const radio = el("input");
    radio.type = "radio";
    radio.name = "disagreement-proposal";
    radio.id = `disagreement-${value}`;
    radio.value = value;
    const label = el("label", { text: words });
    label.htmlFor = radio.id;
    return { radio, box: el("div", { className: "checkbox" }, [radio, label]) };
  };
  const resolve = choice("resolve", "Resolve it between us");
  const escalate = choice("escalate", "Escalate it to the supervisor's manager");
  const error = el("p", { className: "field-error" });
  error.id = "disagreement-proposal-error";
  error.hidden = true;
  const options = el("fieldset", { className: "fieldset" }, [el("legend", { text: "What do you propose?" }), error, resolve.box, escalate.box]);
  const form = el("form", {}, [
    problem,
    field(comment, "What you disagree with", "And how you would settle it. The record stays as it is; the disagreement is kept with it."),
    options,
    button("Record the disagreement", { submit: true }),
  ]);
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const words = typed(comment);
    const proposal = resolve.radio.checked ? "resolve" : escalate.radio.checked ? "escalate" : null;
    /** @type {{ field: import("./ui").Control, message: string }[]} */
    const problems = [];
    if (!words) problems.push({ field: comment, message: "Say what you disagree with" });
    if (!proposal) problems.push({ field: resolve.radio, message: "Choose whether to resolve it or escalate it" });
    fieldError(comment, problems.find((p) => p.field === comment)?.message);
    error.textContent = proposal ? "" : "Error: Choose whether to resolve it or escalate it";
    error.hidden = Boolean(proposal);
    summary(problem, "There is a problem", problems);
    if (problems.length || !proposal) return;
    try {
      await post("/api/v1/records/{id}/disagreements", { params: { id: view.record.id }, body: { comment: words, proposal } });
    } catch (failed) {
      refused(problem, failed, { comment });
      return;
    }
    await reshow(screen, proposal === "escalate" ? "The disagreement is recorded and the supervisor's manager is told." : "The disagreement is recorded.");
  });
  return el("details", { className: "card" }, [el("summary", { text: "Disagree with this record" }), form]);
}

/**
 * The record's history: every step, who took it and when, and every version kept.
 * @param {RecordView} view
 * @param {VersionView[]} versions
 * @param {PersonView} me
 * @param {Map<string, string>} names
 */
function historyPart(view, versions, me, names) {
  const steps = [...view.timeline].reverse().map((e) => {
    const lines = [
      el("p", {
        className: "item-title",
        text: `${EVENT[e.action] ?? e.action} by ${who(e.actor_id, view.record, me, names)} on ${when(e.occurred_at, me)}`,
      }),
    ];
    if (e.version_number) lines.push(el("p", { className: "note", text: `Version ${e.version_number}` }));
    if (e.proposal) lines.push(el("p", { text: `Proposed: ${e.proposal === "escalate" ? "escalate it" : "resolve it between you"}` }));
    if (e.comment) lines.push(el("p", { text: `Comment: ${e.comment}` }));
    return el("li", { className: "item" }, lines);
  });
  const kept = [...versions].reverse().map((v) =>
    el("li", { className: "item" }, [
      el("p", { className: "item-title" }, [link(`/records/${view.record.id}/versions/${v.number}`, `Version ${v.number}`)]),
      el("p", { text: `By ${who(v.author_id, view.record, me, names)} on ${when(v.created_at, me)}${v.signed ? ". The version both signed." : "."}` }),
    ]),
  );
  return card("History", [
    el("ol", { className: "list" }, steps),
    el("h3", { text: "Versions kept" }),
    el("ol", { className: "list" }, kept),
  ]);
}

/**
 * One record: its facts, what I may do with it now, what it says, addenda and history. Where a
 * notification about a record lands.
 * @param {Screen} screen
 */
export async function showRecord(screen) {
  const { me, params, body } = screen;
  if (!body.hasChildNodes()) body.append(loading());
  const [view, versions] = await Promise.all([
    getAt("/api/v1/records/{id}", { id: params.id }),
    getAt("/api/v1/records/{id}/versions", { id: params.id }),
  ]);
  const names = await partyNames(view.record, me);
  const { record } = view;
  const year = today(me.time_zone).slice(0, 4);
  const facts = el("dl", { className: "facts" });
  /** @param {string} term @param {string} value */
  const fact = (term, value) => facts.append(el("dt", { text: term }), el("dd", { text: capital(value) }));
  fact("Session", longDate(record.held_on, year));
  fact("Supervisor", who(record.supervisor_id, record, me, names));
  fact("Supervisee", who(record.supervisee_id, record, me, names));
  fact("Due by", `${longDate(record.due_by, year)}${record.late ? " – late" : ""}`);
  if (record.signed_at) fact("Signed", when(record.signed_at, me));
  fact("Pro-forma", view.template.name);
  /** @type {HTMLElement[]} */
  const parts = [el("p", { className: "status-line" }, [recordTag(record.status, view.standing === "supervisee")]), facts];
  const asked = [...view.timeline].reverse().find((e) => e.action === "amendments_requested");
  const writing = view.standing === "supervisor" && record.status !== "signed";
  if (writing && record.status === "amendments_requested" && asked?.comment) {
    parts.push(
      card(
        "Amendments asked for",
        [
          el("p", { text: capital(`${who(asked.actor_id, record, me, names)} asked on ${when(asked.occurred_at, me)}:`) }),
          ...paragraphs(asked.comment),
        ],
        "decision",
      ),
    );
  }
  if (view.standing === "supervisee" && record.status === "awaiting_supervisee") parts.push(signPart(view, screen));
  if (writing) parts.push(editorPart(view, screen));
  else {
    parts.push(
      card("The record", [
        el("p", { className: "note", text: `Version ${view.content_version}` }),
        contentView(view.content, view.template, year),
      ]),
    );
  }
  if (record.status === "signed") parts.push(addendaPart(view, screen, names));
  if (view.standing === "supervisor" || view.standing === "supervisee") parts.push(disagreementPart(view, screen));
  parts.push(historyPart(view, versions, me, names));
  body.replaceChildren(...parts);
}

/**
 * One kept version of a record, read-only, as the history links it.
 * @param {Screen} screen
 */
export async function showRecordVersion({ me, params, body }) {
  body.replaceChildren(loading());
  const number = Number(params.number);
  const [view, version] = await Promise.all([
    getAt("/api/v1/records/{id}", { id: params.id }),
    getAt("/api/v1/records/{id}/versions/{number}", { id: params.id, number }),
  ]);
  const names = await partyNames(view.record, me);
  const year = today(me.time_zone).slice(0, 4);
  // A version may be on an earlier template version than the record now is.
  const template =
    version.template_id === view.template.id
      ? view.template
      : await getAt("/api/v1/record-templates/{id}", { id: version.template_id }).catch(() => view.template);
  body.replaceChildren(
    el("p", { className: "lead", text: `Version ${version.number} of the record of the session on ${longDate(view.record.held_on, year)}` }),
    el("p", { text: `By ${who(version.author_id, view.record, me, names)} on ${when(version.created_at, me)}.${version.signed ? " This is the version both signed." : ""}` }),
    el("p", { className: "note", text: `Fingerprint: ${version.content_hash}` }),
    card("What it said", [contentView(version.content ?? {}, template, year)]),
    el("p", {}, [link(`/records/${view.record.id}`, "Back to the record")]),
  );
}
