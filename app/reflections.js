// @ts-check
// The reflective log (issue 20; REF-1, REF-2, REF-3): entries written section by section
// under a model the API names, linked to a session, an observation or a case reference and
// tagged; saved through the outbox, so an entry written with no network is kept on the device,
// shown as waiting to send and sent once when the connection returns. A save that clashes
// with a change made elsewhere shows both versions and the writer chooses. The author shares
// an entry with a supervisor and unshares it; both comment. CPD records carry the regulator's
// fields, the count for the registration year shows with the days left, and the year's
// records export as JSON or a printable page.

import { ApiError, download, get, getAt, post, remove } from "./api.js";
import { discard, flush, keep, keepMine, sendNow, whenChanged, write, writes } from "./outbox.js";
import { superviseeNames } from "./sessions.js";
import {
  announce,
  button,
  card,
  el,
  failure,
  field,
  fieldError,
  link,
  loading,
  refused,
  summary,
  summaryBox,
  textArea,
} from "./ui.js";
import { clock, longDate, timeSpan, today } from "./words.js";

/** @typedef {import("./types").Screen} Screen */
/** @typedef {import("./types").PersonView} PersonView */
/** @typedef {import("./types").ReflectionModel} ReflectionModel */
/** @typedef {import("./types").EntryBody} EntryBody */
/** @typedef {import("./types").EntryView} EntryView */
/** @typedef {import("./types").CpdActivity} CpdActivity */
/** @typedef {import("./types").PeerRole} PeerRole */
/** @typedef {import("./types").CpdView} CpdView */
/** @typedef {import("./outbox.js").Write} Write */
/** @typedef {import("./ui").Control} Control */

/** @type {Record<CpdActivity, string>} */
const ACTIVITY = {
  course: "Course or training",
  reading: "Reading",
  supervision: "Supervision",
  research: "Research",
  shadowing: "Shadowing",
  conference: "Conference",
  online_learning: "Online learning",
  other: "Other",
};

/** @type {Record<PeerRole, string>} */
const PEER_ROLE = {
  registered_social_worker: "A registered social worker",
  supervisor: "My supervisor",
  other_professional: "Another professional who knows my practice",
};

/** @param {number} n @param {string} one @param {string} many */
function count(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * "2 records this year, 1 with peer reflection — 87 days left" (REF-3).
 * @param {CpdView["status"]} status
 */
export function cpdSentence(status) {
  const left = status.days_left === 1 ? "today is the last day" : `${count(status.days_left, "day", "days")} left`;
  return `${count(status.records, "record", "records")} this year, ${status.with_peer_reflection} with peer reflection — ${left}`;
}

/** The CPD line for home: the count and days left, and the way to the log. */
export async function cpdLine() {
  const line = el("p", { className: "cpd-line" });
  try {
    const cpd = await get("/api/v1/me/cpd-status");
    if (cpd.registered) line.append(`CPD: ${cpdSentence(cpd.status)}. `, link("/me/cpd", "Your CPD"), " · ");
  } catch {
    // The rest of home stands without it.
  }
  line.append(link("/me/reflections", "Your reflective log"));
  return line;
}

/** The models, by id. */
async function models() {
  const list = await get("/api/v1/reflection-models");
  return new Map(list.map((m) => [m.id, m]));
}

/**
 * A queued write's state in words, in a tag the colour only repeats.
 * @param {Write} w
 */
function writeState(w) {
  if (w.state === "rejected") return el("strong", { className: "tag tag-refused", text: "Not accepted" });
  if (w.state === "conflict") return el("strong", { className: "tag tag-refused", text: "Changed elsewhere" });
  return el("strong", { className: "tag tag-waiting", text: "Waiting to send" });
}

/**
 * What waits on this device, with what the person can do about each write.
 * @param {PersonView} me
 * @param {HTMLElement} box
 */
async function showWaiting(me, box) {
  const mine = await writes(me.id);
  box.hidden = mine.length === 0;
  /** @param {Write} w */
  const item = (w) => {
    const title = w.body.title || "Untitled entry";
    const seq = /** @type {number} */ (w.seq);
    const lines = [
      el("p", { className: "item-title" }, [link(`/me/reflections/waiting/${seq}`, title), " ", writeState(w)]),
      el("p", { text: w.kind === "create" ? "A new entry, kept on this device." : "Changes to an entry, kept on this device." }),
    ];
    if (w.state === "waiting" && w.attempts > 0 && w.next > Date.now())
      lines.push(el("p", { className: "note", text: `Tried ${count(w.attempts, "time", "times")}; next try at ${clock(new Date(w.next))}.` }));
    else if (w.state === "waiting") lines.push(el("p", { className: "note", text: "It is sent when you are online." }));
    if (w.state === "rejected") lines.push(el("p", { text: `The server said: ${w.problem?.message ?? "no reason given"}` }));
    if (w.state === "conflict") lines.push(el("p", { text: "Someone saved another version first. Open it to choose which to keep." }));
    const buttons = el("div", { className: "button-group" });
    if (w.state === "waiting") {
      const now = button("Send now", { className: "button secondary small", hidden: title });
      now.addEventListener("click", () => void sendNow(w));
      buttons.append(now);
    }
    const drop = button("Discard", { className: "button warning small", hidden: title });
    drop.addEventListener("click", async () => {
      await discard(seq);
      announce(`${title} is discarded from this device.`);
    });
    buttons.append(drop);
    return el("li", { className: "item" }, [...lines, buttons]);
  };
  const heading = el("h2", { text: mine.length === 1 ? "1 entry waiting to send" : `${mine.length} entries waiting to send` });
  heading.id = "waiting-title";
  box.setAttribute("aria-labelledby", heading.id);
  box.replaceChildren(heading, el("ul", { className: "list" }, mine.map(item)));
}

/**
 * Keeps a part up to date with the outbox while it is on screen.
 * @param {HTMLElement} part
 * @param {() => Promise<void>} redraw
 */
function follow(part, redraw) {
  const stop = whenChanged(() => {
    if (!part.isConnected) stop();
    else void redraw();
  });
}

/**
 * One entry in a list.
 * @param {EntryView} entry
 * @param {Map<string, ReflectionModel>} known
 * @param {string} year
 * @param {string} [by] whose it is, for a supervisor's list
 */
function entryItem(entry, known, year, by) {
  const what = [longDate(entry.entry_date, year), known.get(entry.model)?.name ?? entry.model, by ? `by ${by}` : ""]
    .filter(Boolean)
    .join(" · ");
  const marks = [entry.status === "complete" ? "Finished" : "Draft", entry.cpd ? "CPD record" : ""].filter(Boolean);
  return el("li", { className: "item" }, [
    el("p", { className: "item-title" }, [link(`/reflections/${entry.id}`, entry.title)]),
    el("p", { text: what }),
    el("p", { className: "note", text: marks.join(" · ") }),
  ]);
}

/**
 * The log: what waits on this device, the CPD count, and the entries, newest first.
 * @param {Screen} screen
 */
export async function showLog({ me, body }) {
  body.replaceChildren(loading());
  // What waits on this device shows even when the server cannot be reached.
  const [known, page] = await Promise.all([
    models().catch(() => /** @type {Map<string, ReflectionModel>} */ (new Map())),
    get("/api/v1/me/reflections", { limit: 50 }).catch((error) => /** @type {unknown} */ (error)),
  ]);
  const waiting = el("section", { className: "card" });
  waiting.setAttribute("aria-live", "polite");
  await showWaiting(me, waiting);
  follow(waiting, () => showWaiting(me, waiting));
  const year = today(me.time_zone).slice(0, 4);
  const entries = page instanceof Error ? null : /** @type {import("./types").GetJson<"/api/v1/me/reflections">} */ (page);
  const start = link("/me/reflections/new", "Write a new reflection");
  start.className = "button";
  body.replaceChildren(
    el("p", {}, [start]),
    waiting,
    card("Your entries", [
      entries
        ? entries.items.length
          ? el("ul", { className: "list" }, entries.items.map((e) => entryItem(e, known, year)))
          : el("p", { text: "You have no entries yet." })
        : el("p", { className: "note", text: failure(page) }),
    ]),
    card("More", [
      el("ul", {}, [
        el("li", {}, [link("/me/cpd", "Your CPD this registration year, and exports")]),
        el("li", {}, [link("/me/shared-reflections", "Reflections your supervisees shared with you")]),
      ]),
    ]),
  );
  if (entries) announce(`${count(entries.total, "entry", "entries")} in your log.`);
}

/**
 * An input with its id.
 * @param {string} id
 * @param {string} [value]
 * @param {string} [type]
 */
function textInput(id, value = "", type = "text") {
  const box = el("input");
  box.id = id;
  box.type = type;
  box.value = value;
  return box;
}

/**
 * A select of `[value, words]` pairs.
 * @param {string} id
 * @param {[string, string][]} options
 * @param {string} [value]
 */
function choice(id, options, value = "") {
  const select = el(
    "select",
    {},
    options.map(([v, words]) => {
      const option = el("option", { text: words });
      option.value = v;
      return option;
    }),
  );
  select.id = id;
  select.value = value;
  return select;
}

/**
 * A checkbox with its label after it.
 * @param {string} id
 * @param {string} label
 * @param {boolean} checked
 */
function checkbox(id, label, checked) {
  const box = textInput(id, "", "checkbox");
  box.checked = checked;
  const words = el("label", { text: label });
  words.htmlFor = id;
  return { box, row: el("div", { className: "checkbox" }, [box, words]) };
}

/**
 * An entry's content in words: for the clash, both versions side by side.
 * @param {EntryBody} entry
 * @param {Map<string, ReflectionModel>} known
 */
function contentOf(entry, known) {
  const facts = el("dl", { className: "facts" });
  /** @param {string} term @param {string} value */
  const fact = (term, value) => facts.append(el("dt", { text: term }), el("dd", { className: "prose", text: value }));
  fact("Title", entry.title);
  fact("Date", longDate(entry.entry_date));
  const model = known.get(entry.model);
  for (const section of model?.sections ?? []) {
    const text = entry.sections?.[section.key];
    if (text) fact(section.title, text);
  }
  if (entry.tags?.length) fact("Tags", entry.tags.join(", "));
  if (entry.case_reference) fact("Case reference", entry.case_reference);
  if (entry.cpd) fact("CPD", `${ACTIVITY[entry.cpd.activity]}: ${entry.cpd.description}`);
  return facts;
}

/** @param {EntryView} entry @returns {EntryBody} */
function bodyOf(entry) {
  return {
    entry_date: entry.entry_date,
    title: entry.title,
    model: entry.model,
    sections: entry.sections,
    status: entry.status,
    tags: entry.tags,
    session_id: entry.session_id ?? null,
    observation_id: entry.observation_id ?? null,
    case_reference: entry.case_reference ?? null,
    cpd: entry.cpd ?? null,
  };
}

/**
 * What a save came to, said and shown: on the server (its screen), waiting on this device
 * (the log), refused (the form, with the server's words) or clashing (the choice).
 * @param {Screen} screen
 * @param {number} seq
 * @param {Map<number, EntryView>} sent
 */
async function outcome(screen, seq, sent) {
  const done = sent.get(seq);
  if (done) {
    screen.go(`/reflections/${done.id}`);
    announce("Your entry is saved.");
    return;
  }
  const w = await write(screen.me.id, seq);
  if (!w) {
    // Another pass (another tab) sent it meanwhile.
    screen.go("/me/reflections");
    announce("Your entry is saved.");
    return;
  }
  if (w.state === "waiting") {
    screen.go("/me/reflections");
    announce("Saved on this device. It is waiting to send and goes when you are online.");
    return;
  }
  screen.go(`/me/reflections/waiting/${seq}`);
}

/**
 * The editor, for a new entry, an entry of the server's or a write waiting on this device.
 * @param {Screen} screen
 * @param {{ body?: EntryBody, entry?: string, version?: number, write?: Write }} start
 */
async function editor(screen, start) {
  const { me, body: view } = screen;
  if (!view.hasChildNodes()) view.append(loading());
  const year = today(me.time_zone).slice(0, 4);
  const [known, sessions, observations] = await Promise.all([
    models(),
    get("/api/v1/me/sessions", {
      from: new Date(Date.now() - 366 * 86_400_000).toISOString(),
      to: new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000).toISOString(),
      status: "held",
      limit: 50,
    }).catch(() => ({ items: [] })),
    getAt("/api/v1/people/{id}/observations", { id: me.id }).catch(() => []),
  ]);
  const initial = start.write?.body ?? start.body;
  const problem = summaryBox();

  const model = choice(
    "ref-model",
    [...known.values()].map((m) => [m.id, m.name]),
    initial?.model ?? [...known.keys()][0],
  );
  const title = textInput("ref-title", initial?.title ?? "");
  title.maxLength = 200;
  const date = textInput("ref-date", initial?.entry_date ?? today(me.time_zone), "date");
  date.className = "input-short";
  const sections = el("div");
  /** @type {Map<string, HTMLTextAreaElement>} */
  let areas = new Map();
  const texts = { ...(initial?.sections ?? {}) };
  const drawSections = () => {
    for (const [key, area] of areas) texts[key] = area.value;
    areas = new Map();
    const chosen = known.get(model.value);
    sections.replaceChildren(
      ...(chosen?.sections ?? []).map((s) => {
        const area = textArea(`ref-section-${s.key}`, 4, s.max_chars, texts[s.key] ?? "");
        areas.set(s.key, area);
        return field(area, s.required ? s.title : `${s.title} (optional)`, s.prompt);
      }),
    );
  };
  drawSections();
  model.addEventListener("change", drawSections);

  const session = choice(
    "ref-session",
    [["", "None"], ...sessions.items.map((s) => /** @type {[string, string]} */ ([s.id, timeSpan(s.starts_at, s.ends_at, me.time_zone)]))],
    initial?.session_id ?? "",
  );
  const observation = choice(
    "ref-observation",
    [["", "None"], ...observations.map((o) => /** @type {[string, string]} */ ([o.id, `${longDate(o.observed_on, year)}: ${o.setting}`]))],
    initial?.observation_id ?? "",
  );
  const caseReference = textInput("ref-case", initial?.case_reference ?? "");
  const tags = textInput("ref-tags", (initial?.tags ?? []).join(", "));
  const complete = checkbox("ref-complete", "This entry is finished", initial?.status === "complete");

  const cpd = initial?.cpd;
  const isCpd = checkbox("ref-cpd", "Record this as CPD for Social Work England", Boolean(cpd));
  const activity = choice("cpd-activity", Object.entries(ACTIVITY), cpd?.activity ?? "course");
  const description = textArea("cpd-description", 4, 5000, cpd?.description);
  const learning = textArea("cpd-learning", 4, 5000, cpd?.learning);
  const impact = textArea("cpd-impact", 4, 5000, cpd?.impact);
  const peer = cpd?.peer_reflection;
  const hasPeer = checkbox("cpd-peer", "I reflected on it with a peer", Boolean(peer));
  const peerName = textInput("cpd-peer-name", peer?.peer_name ?? "");
  const peerRole = choice("cpd-peer-role", Object.entries(PEER_ROLE), peer?.peer_role ?? "supervisor");
  const discussion = textArea("cpd-peer-discussion", 4, 5000, peer?.discussion);
  const peerPart = el("div", {}, [
    field(peerName, "Who the peer is"),
    field(peerRole, "The peer is"),
    field(discussion, "What you discussed"),
  ]);
  const cpdPart = el("div", {}, [
    field(activity, "Type of activity"),
    field(description, "Description of the activity"),
    field(learning, "What you learnt"),
    field(impact, "The impact on your practice"),
    hasPeer.row,
    peerPart,
  ]);
  const toggle = () => {
    cpdPart.hidden = !isCpd.box.checked;
    peerPart.hidden = !hasPeer.box.checked;
  };
  toggle();
  isCpd.box.addEventListener("change", toggle);
  hasPeer.box.addEventListener("change", toggle);

  const form = el("form", {}, [
    field(model, "Reflective model", "Its sections appear below. Text already written under a section of the same name stays."),
    field(title, "Title"),
    field(date, "Date"),
    el("fieldset", { className: "fieldset" }, [el("legend", { text: "Your reflection" }), sections]),
    el("fieldset", { className: "fieldset" }, [
      el("legend", { text: "Links and tags (optional)" }),
      field(session, "A session it comes from"),
      field(observation, "An observation of your practice"),
      field(caseReference, "Case reference", "The case's reference number, never a name."),
      field(tags, "Tags", "Separate tags with commas, for example: pcf-5, risk."),
    ]),
    el("fieldset", { className: "fieldset" }, [el("legend", { text: "CPD (REF-3)" }), isCpd.row, cpdPart]),
    el("fieldset", { className: "fieldset" }, [
      el("legend", { text: "Finished or draft" }),
      complete.row,
      el("p", { className: "hint", text: "A finished entry needs every section not marked optional. A draft may leave sections empty." }),
    ]),
    el("div", { className: "button-group" }, [button("Save", { submit: true })]),
  ]);
  form.noValidate = true;

  /** @returns {Record<string, Control>} */
  const fields = () => ({
    title,
    entry_date: date,
    model,
    tags,
    session_id: session,
    observation_id: observation,
    case_reference: caseReference,
    "cpd.activity": activity,
    "cpd.description": description,
    "cpd.learning": learning,
    "cpd.impact": impact,
    "cpd.peer_reflection.peer_name": peerName,
    "cpd.peer_reflection.peer_role": peerRole,
    "cpd.peer_reflection.discussion": discussion,
    ...Object.fromEntries([...areas].map(([key, area]) => [`sections.${key}`, area])),
  });

  /** @returns {EntryBody} */
  const bodyNow = () => ({
    entry_date: date.value,
    title: title.value.trim(),
    model: model.value,
    sections: Object.fromEntries([...areas].map(([k, a]) => [k, a.value.trim()]).filter(([, v]) => v)),
    status: complete.box.checked ? "complete" : "draft",
    tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean),
    session_id: session.value || null,
    observation_id: observation.value || null,
    case_reference: caseReference.value.trim() || null,
    cpd: isCpd.box.checked
      ? {
          activity: /** @type {CpdActivity} */ (activity.value),
          description: description.value.trim(),
          learning: learning.value.trim(),
          impact: impact.value.trim(),
          peer_reflection: hasPeer.box.checked
            ? { peer_name: peerName.value.trim(), peer_role: /** @type {PeerRole} */ (peerRole.value), discussion: discussion.value.trim() }
            : null,
        }
      : null,
  });

  // What the person can check here, before anything is kept.
  const check = () => {
    /** @type {{ field: Control, message: string }[]} */
    const problems = [];
    if (!title.value.trim()) problems.push({ field: title, message: "Enter a title" });
    if (!date.value) problems.push({ field: date, message: "Enter the date" });
    if (isCpd.box.checked) {
      if (!description.value.trim()) problems.push({ field: description, message: "Describe the activity" });
      if (!learning.value.trim()) problems.push({ field: learning, message: "Say what you learnt" });
      if (!impact.value.trim()) problems.push({ field: impact, message: "Say what the impact on your practice is" });
      if (hasPeer.box.checked && !peerName.value.trim()) problems.push({ field: peerName, message: "Say who the peer is" });
      if (hasPeer.box.checked && !discussion.value.trim()) problems.push({ field: discussion, message: "Say what you discussed" });
    }
    for (const control of new Set(Object.values(fields()))) fieldError(control, problems.find((p) => p.field === control)?.message);
    summary(problem, "There is a problem", problems);
    return problems.length === 0;
  };

  const w = start.write;
  const parts = [];
  if (w?.state === "rejected" && w.problem) {
    parts.push(
      el("p", { className: "warning", text: "The server did not accept this entry. It is kept on this device: correct it and save, or discard it." }),
    );
  }
  if (w?.state === "conflict" && w.current) parts.push(conflictPart(screen, w, known, bodyNow));
  if (w?.state === "waiting") {
    parts.push(el("p", { className: "warning", text: "This entry is kept on this device and waiting to send." }));
  }
  if (w) {
    const drop = button("Discard it from this device", { className: "button warning" });
    drop.addEventListener("click", async () => {
      await discard(/** @type {number} */ (w.seq));
      screen.go(w.entry ? `/reflections/${w.entry}` : "/me/reflections");
      announce("Discarded from this device.");
    });
    form.append(el("div", { className: "button-group" }, [drop]));
  }
  view.replaceChildren(...parts, problem, form);
  if (w?.state === "rejected" && w.problem) {
    const error = new ApiError(w.problem.status, {
      type: "",
      title: w.problem.message,
      status: w.problem.status,
      detail: w.problem.message,
      // One message per tag ("tags[2]") goes to the one Tags field.
      errors: w.problem.errors.map((e) => ({ ...e, field: e.field.replace(/^tags\[\d+\]$/, "tags") })),
    });
    refused(problem, error, fields());
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!check()) return;
    const version = w?.state === "conflict" ? w.current?.version : (w?.version ?? start.version);
    const seq = await keep({ person: me.id, body: bodyNow(), entry: w?.entry ?? start.entry, version, seq: w?.seq });
    await outcome(screen, seq, await flush(me.id));
  });
}

/**
 * The choice after a clash (412): the version on the server now and mine; keep mine (sent
 * again over theirs) or take theirs (mine is dropped). Nothing is lost until the writer chooses.
 * @param {Screen} screen
 * @param {Write} w
 * @param {Map<string, ReflectionModel>} known
 * @param {() => EntryBody} mineNow what the form holds now
 */
function conflictPart(screen, w, known, mineNow) {
  const current = /** @type {EntryView} */ (w.current);
  const mine = button("Keep mine");
  mine.addEventListener("click", async () => {
    await keepMine({ ...w, body: mineNow() });
    const seq = /** @type {number} */ (w.seq);
    await outcome(screen, seq, await flush(screen.me.id));
  });
  const theirs = button("Take theirs", { className: "button secondary" });
  theirs.addEventListener("click", async () => {
    await discard(/** @type {number} */ (w.seq));
    screen.go(`/reflections/${current.id}`);
    announce("You took the version saved elsewhere; yours is discarded.");
  });
  return card("This entry was changed elsewhere", [
    el("p", {
      text: `It was saved on another device or tab (${clock(new Date(current.updated_at))}) after you opened it, so your save was not made. Choose which version to keep: nothing is lost until you do. You can also change the form below and save, which keeps yours.`,
    }),
    el("h3", { text: "The version saved now" }),
    contentOf(bodyOf(current), known),
    el("h3", { text: "Your version" }),
    contentOf(w.body, known),
    el("div", { className: "button-group" }, [mine, theirs]),
  ], "decision");
}

/** @param {Screen} screen */
export async function showNew(screen) {
  await editor(screen, {});
}

/**
 * An entry's editor; a change to it still waiting on this device opens instead.
 * @param {Screen} screen
 */
export async function showEdit(screen) {
  const queued = (await writes(screen.me.id)).find((w) => w.entry === screen.params.id);
  if (queued) {
    await editor(screen, { write: queued });
    return;
  }
  const entry = await getAt("/api/v1/reflections/{id}", { id: screen.params.id });
  await editor(screen, { body: bodyOf(entry), entry: entry.id, version: entry.version });
}

/**
 * A write waiting on this device: its editor, with the server's refusal or the clash.
 * @param {Screen} screen
 */
export async function showQueued(screen) {
  const w = await write(screen.me.id, Number(screen.params.seq));
  if (!w) {
    screen.body.replaceChildren(
      el("p", { text: "Nothing waits under this address on this device: it was sent or discarded." }),
      el("p", {}, [link("/me/reflections", "Your reflective log")]),
    );
    return;
  }
  await editor(screen, { write: w });
}

/**
 * The people who supervise me now, by id: line manager and agreement supervisors.
 * @param {PersonView} me
 */
async function mySupervisors(me) {
  const [managers, agreements] = await Promise.all([
    getAt("/api/v1/people/{id}/managers", { id: me.id }).catch(() => []),
    getAt("/api/v1/people/{id}/agreements", { id: me.id }).catch(() => []),
  ]);
  const names = new Map(managers.filter((m) => m.level === 1).map((m) => [m.id, m.display_name]));
  const others = agreements
    .filter((a) => a.supervisee_id === me.id && a.status === "active" && !names.has(a.supervisor_id))
    .map((a) => a.supervisor_id);
  for (const person of await Promise.all(others.map((id) => getAt("/api/v1/people/{id}", { id }).catch(() => null)))) {
    if (person) names.set(person.id, person.display_name);
  }
  return names;
}

/**
 * Sharing, for the author: who reads it now, stop sharing with one, share with another.
 * @param {EntryView} entry
 * @param {Map<string, string>} supervisors
 * @param {() => Promise<void>} reshow
 */
function sharePart(entry, supervisors, reshow) {
  const problem = summaryBox();
  /** @param {string} id */
  const name = (id) => supervisors.get(id) ?? "a former supervisor";
  const shared = entry.shared_with.map((id) => {
    const stop = button("Stop sharing", { className: "button secondary small", hidden: `with ${name(id)}` });
    stop.addEventListener("click", async () => {
      try {
        await remove("/api/v1/reflections/{id}/shares/{supervisor_id}", { params: { id: entry.id, supervisor_id: id } });
      } catch (error) {
        summary(problem, "There is a problem", [{ message: failure(error, true) }]);
        return;
      }
      await reshow();
      announce(`${name(id)} can no longer read this entry.`);
    });
    return el("li", { className: "item" }, [el("p", { text: name(id) }), stop]);
  });
  const part = card("Sharing", [
    problem,
    shared.length
      ? el("div", {}, [el("p", { text: "Shared with:" }), el("ul", { className: "list" }, shared)])
      : el("p", { text: "Private: only you can read it." }),
  ]);
  const candidates = [...supervisors].filter(([id]) => !entry.shared_with.includes(id));
  if (candidates.length) {
    const who = choice("share-with", candidates);
    const form = el("form", {}, [
      field(who, "Share with", "They can read it and comment until you stop sharing."),
      button("Share", { submit: true }),
    ]);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await post("/api/v1/reflections/{id}/shares", { params: { id: entry.id }, body: { supervisor_id: who.value } });
      } catch (error) {
        refused(problem, error, { supervisor_id: who });
        return;
      }
      await reshow();
      announce(`Shared with ${name(who.value)}.`);
    });
    part.append(form);
  }
  return part;
}

/**
 * Comments: the supervisor's and the author's replies, and the form to add one.
 * @param {EntryView} entry
 * @param {PersonView} me
 * @param {Map<string, string>} names
 * @param {() => Promise<void>} reshow
 */
function commentPart(entry, me, names, reshow) {
  const year = today(me.time_zone).slice(0, 4);
  /** @param {string} id */
  const who = (id) => (id === me.id ? "You" : (names.get(id) ?? (id === entry.author_id ? "The author" : "A supervisor")));
  const list = entry.comments.map((c) =>
    el("li", { className: "item" }, [
      el("p", { className: "item-title", text: `${who(c.author_id)}, ${longDate(c.created_at.slice(0, 10), year)}` }),
      el("p", { className: "prose", text: c.text }),
    ]),
  );
  const problem = summaryBox();
  const text = textArea("comment-text", 4, 2000);
  const form = el("form", {}, [field(text, "Add a comment"), button("Add comment", { submit: true })]);
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) {
      fieldError(text, "Write your comment");
      summary(problem, "There is a problem", [{ field: text, message: "Write your comment" }]);
      return;
    }
    try {
      await post("/api/v1/reflections/{id}/comments", { params: { id: entry.id }, body: { text: text.value.trim() } });
    } catch (error) {
      refused(problem, error, { text });
      return;
    }
    await reshow();
    announce("Your comment is added.");
  });
  return card("Comments", [
    list.length ? el("ul", { className: "list" }, list) : el("p", { text: "No comments yet." }),
    problem,
    form,
  ]);
}

/**
 * One entry: its sections, links, CPD fields; for the author, editing and sharing; for both,
 * the comments.
 * @param {Screen} screen
 */
export async function showEntry(screen) {
  const { me, params, body } = screen;
  if (!body.hasChildNodes()) body.append(loading());
  const [entry, known] = await Promise.all([getAt("/api/v1/reflections/{id}", { id: params.id }), models()]);
  const mine = entry.author_id === me.id;
  const names = mine ? await mySupervisors(me) : await superviseeNames();
  const year = today(me.time_zone).slice(0, 4);
  const model = known.get(entry.model);
  const facts = el("dl", { className: "facts" });
  /** @param {string} term @param {string | Node} value */
  const fact = (term, value) => facts.append(el("dt", { text: term }), el("dd", {}, [value]));
  if (!mine) fact("Written by", names.get(entry.author_id) ?? "your supervisee");
  fact("Date", longDate(entry.entry_date, year));
  fact("Model", model?.name ?? entry.model);
  fact("Status", entry.status === "complete" ? "Finished" : "Draft");
  if (entry.tags.length) fact("Tags", entry.tags.join(", "));
  if (entry.session_id) fact("Session", mine ? link(`/sessions/${entry.session_id}`, "The session it comes from") : "Linked to a session");
  if (entry.observation_id) fact("Observation", "Linked to an observation of practice");
  if (entry.case_reference) fact("Case reference", entry.case_reference);
  const sections = (model?.sections ?? [])
    .filter((s) => entry.sections[s.key])
    .flatMap((s) => [el("h3", { text: s.title }), el("p", { className: "prose", text: entry.sections[s.key] })]);
  /** @type {HTMLElement[]} */
  const parts = [
    el("h2", { text: entry.title }),
    facts,
    card("Reflection", sections.length ? sections : [el("p", { text: "Nothing written yet." })]),
  ];
  if (entry.cpd) {
    const cpd = el("dl", { className: "facts" });
    /** @param {string} term @param {string} value */
    const row = (term, value) => cpd.append(el("dt", { text: term }), el("dd", { className: "prose", text: value }));
    row("Activity", ACTIVITY[entry.cpd.activity]);
    row("Description", entry.cpd.description);
    row("What was learnt", entry.cpd.learning);
    row("Impact on practice", entry.cpd.impact);
    const peer = entry.cpd.peer_reflection;
    row("Peer reflection", peer ? `With ${peer.peer_name} (${PEER_ROLE[peer.peer_role].toLowerCase()}): ${peer.discussion}` : "None");
    parts.push(card("CPD record", [cpd]));
  }
  const reshow = async () => {
    await showEntry(screen);
  };
  if (mine) {
    const edit = link(`/reflections/${entry.id}/edit`, "Edit this entry");
    edit.className = "button secondary";
    parts.splice(2, 0, el("p", {}, [edit]));
    parts.push(sharePart(entry, names, reshow));
  }
  parts.push(commentPart(entry, me, names, reshow));
  parts.push(el("p", {}, [link(mine ? "/me/reflections" : "/me/shared-reflections", mine ? "Your reflective log" : "Reflections shared with you")]));
  body.replaceChildren(...parts);
}

/**
 * A supervisor's list: entries supervisees shared with them (REF-2).
 * @param {Screen} screen
 */
export async function showShared({ me, body }) {
  body.replaceChildren(loading());
  const [known, page, names] = await Promise.all([
    models(),
    get("/api/v1/me/shared-reflections", { limit: 50 }),
    superviseeNames(),
  ]);
  const year = today(me.time_zone).slice(0, 4);
  body.replaceChildren(
    page.items.length
      ? el("ul", { className: "list" }, page.items.map((e) => entryItem(e, known, year, names.get(e.author_id) ?? "a supervisee")))
      : el("p", { text: "No one has shared an entry with you." }),
  );
  announce(`${count(page.total, "entry", "entries")} shared with you.`);
}

/**
 * Saves a file the API made, under a name.
 * @param {Blob} blob
 * @param {string} name
 */
function save(blob, name) {
  const href = URL.createObjectURL(blob);
  const a = el("a");
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/**
 * CPD (REF-3): the count for this registration year against Social Work England's two, one
 * with a peer reflection, the days left, this year's records, and the exports.
 * @param {Screen} screen
 */
export async function showCpd({ me, body }) {
  body.replaceChildren(loading());
  const cpd = await get("/api/v1/me/cpd-status");
  const { year } = cpd.status;
  const [known, records] = await Promise.all([
    models(),
    get("/api/v1/me/reflections", { cpd: true, from: year.starts_on, to: year.ends_on, limit: 200 }),
  ]);
  const thisYear = today(me.time_zone).slice(0, 4);
  const standing = card("This registration year", []);
  if (cpd.registered) {
    standing.append(
      el("p", { className: "lead", text: `${cpdSentence(cpd.status)}.` }),
      el("p", {
        text: cpd.status.met
          ? "You have recorded what Social Work England asks for this year."
          : `Social Work England asks for at least ${cpd.status.required} records, at least ${cpd.status.peer_reflections_required} with a peer reflection.`,
      }),
    );
    if (cpd.status.days_left === 1) standing.append(el("p", { className: "warning", text: "Important: today, 30 November, is the last day of this registration year." }));
  } else {
    standing.append(el("p", { text: "Students are not registered with Social Work England and need no CPD records. You can still keep some." }));
  }
  // No date starts with "-", so both show their year.
  standing.append(el("p", { text: `The registration year runs from ${longDate(year.starts_on, "-")} to ${longDate(year.ends_on, "-")}.` }));
  const problem = summaryBox();
  const exports = el("div", { className: "button-group" });
  for (const [format, words] of /** @type {const} */ ([["json", "Download as JSON"], ["html", "Download a printable page"]])) {
    const go = button(words, { className: "button secondary", hidden: "of this year's CPD records" });
    go.addEventListener("click", async () => {
      try {
        const file = await download("/api/v1/me/reflections/export", { format, cpd: true, from: year.starts_on, to: year.ends_on });
        save(file, `cpd-${year.starts_on}-to-${year.ends_on}.${format}`);
        summary(problem, "", []);
        announce("Your CPD records are downloaded.");
      } catch (error) {
        summary(problem, "There is a problem", [{ message: failure(error) }]);
      }
    });
    exports.append(go);
  }
  body.replaceChildren(
    standing,
    card("Your CPD records this year", [
      records.items.length
        ? el("ul", { className: "list" }, records.items.map((e) => entryItem(e, known, thisYear)))
        : el("p", { text: "None yet. Mark a log entry as CPD to add one." }),
    ]),
    card("Export for your registration", [
      el("p", { text: "This year's CPD records with their comments, as data or as a page to print or save as PDF." }),
      problem,
      exports,
    ]),
    el("p", {}, [link("/me/reflections", "Your reflective log")]),
  );
}
