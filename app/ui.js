// @ts-check
// Helpers every screen shares (issue 19): elements built with DOM calls and textContent (never
// innerHTML, so no server text is parsed as markup), the live region, form fields with their
// error messages, error summaries linked to the fields, and failures in words.

import { ApiError } from "./api.js";

/** @typedef {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} Control */

/** @param {string} id */
export function byId(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing`);
  return found;
}

/** @param {string} id */
export function input(id) {
  return /** @type {HTMLInputElement} */ (byId(id));
}

/**
 * An element with text or children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{ className?: string, text?: string }} [options]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  node.append(...children);
  return node;
}

/**
 * A link within the app (main.js routes it without reloading the page).
 * @param {string} href
 * @param {string} text
 */
export function link(href, text) {
  const a = el("a", { text });
  a.href = href;
  return a;
}

/**
 * A button. `hidden` words follow the visible ones for screen readers only, so that "Remove"
 * in a list is "Remove Work phone" to them, and its name still starts with what is seen.
 * @param {string} text
 * @param {{ className?: string, hidden?: string, submit?: boolean }} [options]
 */
export function button(text, options = {}) {
  const b = el("button", { className: options.className ?? "button" }, [text]);
  b.type = options.submit ? "submit" : "button";
  if (options.hidden) b.append(el("span", { className: "visually-hidden", text: ` ${options.hidden}` }));
  return b;
}

/**
 * Says something to screen-reader users (and shows it) through the polite live region.
 * @param {string} message
 */
export function announce(message) {
  byId("announce").textContent = message;
}

/**
 * A form field: label, optional hint, error message (hidden until set) and the control.
 * @param {Control} control with an id
 * @param {string} label
 * @param {string} [hint]
 */
export function field(control, label, hint) {
  const box = el("div", { className: "field" });
  const name = el("label", { text: label });
  name.htmlFor = control.id;
  box.append(name);
  if (hint) {
    box.append(el("p", { className: "hint", text: hint }));
    /** @type {HTMLElement} */ (box.lastChild).id = `${control.id}-hint`;
    control.setAttribute("aria-describedby", `${control.id}-hint`);
  }
  const error = el("p", { className: "field-error" });
  error.id = `${control.id}-error`;
  error.hidden = true;
  box.append(error, control);
  return box;
}

/**
 * A text box for a longer answer, with its id (for its label and error), height and limit.
 * @param {string} id
 * @param {number} rows
 * @param {number} maxLength
 * @param {string} [value]
 */
export function textArea(id, rows, maxLength, value = "") {
  const box = el("textarea", { className: "textarea" });
  box.id = id;
  box.rows = rows;
  box.maxLength = maxLength;
  box.value = value;
  return box;
}

/**
 * What was typed in a text box as the API keeps it: plain line endings, ends trimmed.
 * @param {HTMLTextAreaElement} box
 */
export function typed(box) {
  return box.value.replace(/\r\n?/g, "\n").trim();
}

/**
 * What was typed in a text box that must not be empty; when it is, says `missing` at the box
 * and in the form's summary, and gives null.
 * @param {HTMLTextAreaElement} box
 * @param {HTMLElement} problem the form's error summary
 * @param {string} missing
 */
export function required(box, problem, missing) {
  const words = typed(box);
  fieldError(box, words ? undefined : missing);
  if (!words) summary(problem, "There is a problem", [{ field: box, message: missing }]);
  return words || null;
}

/**
 * Sets or clears one field's error, linking it with aria-describedby (after any hint).
 * @param {Control} control
 * @param {string | undefined} message
 */
export function fieldError(control, message) {
  const error = byId(`${control.id}-error`);
  const hint = document.getElementById(`${control.id}-hint`);
  error.textContent = message ? `Error: ${message}` : "";
  error.hidden = !message;
  control.toggleAttribute("aria-invalid", Boolean(message));
  const described = [hint?.id, message ? error.id : undefined].filter(Boolean).join(" ");
  if (described) control.setAttribute("aria-describedby", described);
  else control.removeAttribute("aria-describedby");
}

/** A box for an error summary: focusable, announced, hidden until needed. */
export function summaryBox() {
  const box = el("div", { className: "error-summary" });
  box.setAttribute("role", "alert");
  box.tabIndex = -1;
  box.hidden = true;
  return box;
}

/**
 * Shows a form's error summary (a list of links to the fields at fault) and focuses it, or
 * hides it when there is nothing to say.
 * @param {string | HTMLElement} target the box or its id
 * @param {string} title
 * @param {{ field?: Control, message: string }[]} problems
 */
export function summary(target, title, problems) {
  const box = typeof target === "string" ? byId(target) : target;
  box.hidden = problems.length === 0;
  if (box.hidden) return;
  const list = document.createElement("ul");
  for (const { field: control, message } of problems) {
    const item = document.createElement("li");
    if (control) {
      const a = link(`#${control.id}`, message);
      a.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        control.focus();
      });
      item.append(a);
    } else {
      item.textContent = message;
    }
    list.append(item);
  }
  box.replaceChildren(el("h2", { text: title }), list);
  box.focus();
}

/**
 * Words for a failed request that is not about one field. `change` says it was a change,
 * which offline was not sent.
 * @param {unknown} error
 * @param {boolean} [change]
 */
export function failure(error, change = false) {
  if (error instanceof ApiError) {
    if (error.status === 0)
      return change
        ? "You are offline: this change was not sent. Try again when you are back online."
        : "The server cannot be reached. Check your connection and try again.";
    if (error.status === 412) return "This changed since you opened it. Open it again to see the change, then try again.";
    if (error.status === 429) return "Too many attempts. Wait a few minutes and try again.";
    if (error.status >= 500) return "Something went wrong on the server. Try again later.";
    return error.message;
  }
  return "Something went wrong. Try again.";
}

/**
 * Shows a server refusal of a form: each field the server named gets its message, the rest go
 * to the summary on their own.
 * @param {HTMLElement} box the summary box
 * @param {unknown} error
 * @param {Record<string, Control>} fields the form's controls by API field name
 */
export function refused(box, error, fields) {
  /** @type {{ field?: Control, message: string }[]} */
  const problems = [];
  for (const [name, control] of Object.entries(fields)) {
    const message = error instanceof ApiError ? error.fieldMessage(name) : undefined;
    fieldError(control, message);
    if (message) problems.push({ field: control, message: `${labelOf(control)}: ${message}` });
  }
  summary(box, "There is a problem", problems.length ? problems : [{ message: failure(error, true) }]);
}

/** @param {Control} control */
function labelOf(control) {
  return control.labels?.[0]?.textContent ?? control.id;
}

/** A short note while a part loads. */
export function loading() {
  return el("p", { className: "note", text: "Loading…" });
}

let cards = 0;

/**
 * A part of a screen under its own heading: a region named by that heading, so that it can be
 * found by name (landmarks, and the browser tests).
 * @param {string} title
 * @param {(Node | string)[]} children
 * @param {string} [className] more classes than "card"
 */
export function card(title, children, className) {
  const heading = el("h2", { text: title });
  heading.id = `card-${++cards}`;
  const section = el("section", { className: className ? `card ${className}` : "card" }, [heading, ...children]);
  section.setAttribute("aria-labelledby", heading.id);
  return section;
}
