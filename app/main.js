// @ts-check
// The app's shell (issue 19): shows sign-in, the one-time-password change or home (straight
// away when the refresh cookie still signs this browser in; api.js keeps the tokens),
// announces changes in the live region and registers the service worker that keeps the shell
// working offline.

import { ApiError, changePassword, get, resume, signIn, signOut, whenSignedOut } from "./api.js";
import { showHome } from "./home.js";

/** @typedef {import("./types").PersonView} PersonView */

const SCREENS = ["sign-in", "change-password", "home"];

/** @param {string} id */
function byId(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found;
}

/** @param {string} id */
function input(id) {
  return /** @type {HTMLInputElement} */ (byId(id));
}

/**
 * Says something to screen-reader users (and shows it) through the polite live region.
 * @param {string} message
 */
function announce(message) {
  byId("announce").textContent = message;
}

/**
 * Shows one screen, moves focus to its heading (not on first load: the skip link comes
 * first) and names it in the title.
 * @param {string} id
 * @param {boolean} [focus]
 */
function show(id, focus = true) {
  for (const screen of SCREENS) byId(screen).hidden = screen !== id;
  const heading = byId(id).querySelector("h1");
  document.title = heading ? `${heading.textContent} – Supervision` : "Supervision";
  if (heading && focus) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

/**
 * Sets or clears one field's error, linking it with aria-describedby (after any hint).
 * @param {HTMLInputElement} field
 * @param {string | undefined} message
 */
function fieldError(field, message) {
  const error = byId(`${field.id}-error`);
  const hint = document.getElementById(`${field.id}-hint`);
  error.textContent = message ? `Error: ${message}` : "";
  error.hidden = !message;
  field.toggleAttribute("aria-invalid", Boolean(message));
  const described = [hint?.id, message ? error.id : undefined].filter(Boolean).join(" ");
  if (described) field.setAttribute("aria-describedby", described);
  else field.removeAttribute("aria-describedby");
}

/**
 * Shows a form's error summary (a list of links to the fields at fault) and focuses it, or
 * hides it when there is nothing to say.
 * @param {string} id
 * @param {string} title
 * @param {{ field?: HTMLInputElement, message: string }[]} problems
 */
function summary(id, title, problems) {
  const box = byId(id);
  box.hidden = problems.length === 0;
  if (box.hidden) return;
  const list = document.createElement("ul");
  for (const { field, message } of problems) {
    const item = document.createElement("li");
    if (field) {
      const link = document.createElement("a");
      link.href = `#${field.id}`;
      link.textContent = message;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        field.focus();
      });
      item.append(link);
    } else {
      item.textContent = message;
    }
    list.append(item);
  }
  const heading = document.createElement("h2");
  heading.textContent = title;
  box.replaceChildren(heading, list);
  box.focus();
}

/**
 * Words for a failed request that is not about one field.
 * @param {unknown} error
 */
function failure(error) {
  if (error instanceof ApiError) {
    if (error.status === 0) return "The server cannot be reached. Check your connection and try again.";
    if (error.status === 429) return "Too many attempts. Wait a few minutes and try again.";
    if (error.status >= 500) return "Something went wrong on the server. Try again later.";
    return error.message;
  }
  return "Something went wrong. Try again.";
}

/** @param {PersonView} me */
async function home(me) {
  byId("who").textContent = me.display_name;
  byId("account").hidden = false;
  show("home");
  announce("Loading your supervision.");
  const failed = await showHome(me);
  announce(failed ? "Some parts could not be loaded." : "Your supervision is up to date.");
}

/** After sign-in or a password change: the one-time-password form, or home. */
async function enter() {
  const me = await get("/api/v1/me");
  if (me.must_change_password) {
    show("change-password");
    return;
  }
  await home(me);
}

function signInScreen(focus = true) {
  byId("account").hidden = true;
  input("password").value = "";
  show("sign-in", focus);
}

async function submitSignIn(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const email = input("email");
  const password = input("password");
  const problems = [];
  if (!email.value.trim()) problems.push({ field: email, message: "Enter your e-mail address" });
  if (!password.value) problems.push({ field: password, message: "Enter your password" });
  fieldError(email, problems.find((p) => p.field === email)?.message);
  fieldError(password, problems.find((p) => p.field === password)?.message);
  summary("sign-in-problem", "There is a problem", problems);
  if (problems.length) return;
  announce("Signing in.");
  try {
    await signIn({ email: email.value.trim(), password: password.value });
    password.value = "";
    summary("sign-in-problem", "", []);
    announce("Signed in.");
    await enter();
  } catch (error) {
    announce("");
    const message =
      error instanceof ApiError && error.status === 401
        ? "The e-mail address or password is not right"
        : failure(error);
    summary("sign-in-problem", "Sign-in failed", [{ message }]);
  }
}

async function submitPasswordChange(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const current = input("current-password");
  const next = input("new-password");
  const again = input("confirm-password");
  /** @type {{ field: HTMLInputElement, message: string }[]} */
  const problems = [];
  if (!current.value) problems.push({ field: current, message: "Enter the one-time password you signed in with" });
  if (next.value.length < 12 || next.value.length > 128)
    problems.push({ field: next, message: "Enter a new password of 12 to 128 characters" });
  else if (again.value !== next.value) problems.push({ field: again, message: "Enter the same new password twice" });
  for (const field of [current, next, again]) fieldError(field, problems.find((p) => p.field === field)?.message);
  summary("change-password-problem", "There is a problem", problems);
  if (problems.length) return;
  try {
    await changePassword({ current_password: current.value, new_password: next.value });
    for (const field of [current, next, again]) field.value = "";
    summary("change-password-problem", "", []);
    announce("Your password is changed.");
    await enter();
  } catch (error) {
    const fields = error instanceof ApiError ? error : null;
    /** @type {{ field?: HTMLInputElement, message: string }[]} */
    const found = [];
    for (const [field, name] of /** @type {const} */ ([[current, "current_password"], [next, "new_password"]])) {
      const message = fields?.fieldMessage(name);
      fieldError(field, message);
      if (message) found.push({ field, message });
    }
    if (fields?.status === 401 && found.length === 0) {
      found.push({ field: current, message: "The one-time password is not right" });
      fieldError(current, "The one-time password is not right");
    }
    summary("change-password-problem", "There is a problem", found.length ? found : [{ message: failure(error) }]);
  }
}

function start() {
  whenSignedOut(() => {
    announce("You have been signed out. Sign in again to go on.");
    signInScreen();
  });
  byId("sign-in-form").addEventListener("submit", submitSignIn);
  byId("change-password-form").addEventListener("submit", submitPasswordChange);
  byId("sign-out").addEventListener("click", async () => {
    await signOut();
    announce("You are signed out.");
    signInScreen();
  });
  window.addEventListener("offline", () => announce("You are offline. What you see may be out of date."));
  window.addEventListener("online", () => announce("You are back online."));
  // A reload keeps you signed in: the refresh cookie, which no script here can read, buys a
  // new access token.
  resume()
    .then((signedIn) => (signedIn ? enter() : signInScreen(false)))
    .catch(() => signInScreen(false));
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // Without the worker the app still works, only not offline.
    });
  }
}

start();
