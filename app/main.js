// @ts-check
// The app's shell (issue 19): shows sign-in, the one-time-password change or the screen the
// address names (client-side routes with the History API; straight away when the refresh
// cookie still signs this browser in), keeps the access token in memory (api.js), announces
// changes in the live region and registers the service worker that keeps the shell working
// offline and shows reminders.

import { ApiError, changePassword, get, resume, signIn, signOut, whenSignedOut, whenStale } from "./api.js";
import { showHome } from "./home.js";
import { startSending } from "./outbox.js";
import { showCpd, showEdit, showEntry, showLog, showNew, showQueued, showShared } from "./reflections.js";
import { showInbox } from "./inbox.js";
import { keepSubscription, showReminders } from "./reminders.js";
import { showAsye } from "./asye.js";
import { showObservation, showObservationStatus } from "./observations.js";
import { showRecord, showRecordVersion } from "./records.js";
import { showPersonStatus, showSession, showSessions } from "./sessions.js";
import { announce, byId, el, failure, fieldError, input, link, summary } from "./ui.js";
import { clock } from "./words.js";

/** @typedef {import("./types").PersonView} PersonView */
/** @typedef {import("./types").Screen} Screen */

const SCREENS = ["sign-in", "change-password", "home", "view"];

/**
 * A screen of a later part of the app: notifications link to it already, so its address
 * opens the app and says so rather than failing.
 * @param {Screen} screen
 */
async function notYet(screen) {
  screen.body.replaceChildren(
    el("p", { text: "This opens in a later version of the app." }),
    el("p", {}, [link("/", "Go to your home page")]),
  );
}

/**
 * The app's addresses: the same patterns src/http/app_files.rs answers with index.html (a
 * test checks both lists agree), each with its screen's heading. Links in notifications and
 * pushes (src/domain/reminder_plan.rs) are all here.
 * @type {[string, string, (screen: Screen) => Promise<void>][]}
 */
const ROUTES = [
  ["/sessions", "Your sessions", showSessions],
  ["/sessions/{id}", "Session", showSession],
  ["/inbox", "Inbox", showInbox],
  ["/reminders", "Reminders", showReminders],
  ["/people/{id}/supervision-status", "Supervision status", showPersonStatus],
  ["/records/{id}", "Supervision record", showRecord],
  ["/records/{id}/versions/{number}", "Supervision record: an earlier version", showRecordVersion],
  ["/agreements/{id}", "Supervision agreement", notYet],
  ["/people/{id}/observation-status", "Observations of practice", showObservationStatus],
  ["/observations/{id}", "Observation of practice", showObservation],
  ["/people/{id}/asye", "ASYE year", showAsye],
  ["/people/{id}/pdr", "Performance and development review", notYet],
  ["/me/pdr", "Performance and development review", notYet],
  ["/me/actions", "Your actions", notYet],
  ["/me/reflections", "Your reflective log", showLog],
  ["/me/reflections/new", "New reflection", showNew],
  ["/me/reflections/waiting/{seq}", "Kept on this device", showQueued],
  ["/me/shared-reflections", "Reflections shared with you", showShared],
  ["/me/cpd", "Your CPD", showCpd],
  ["/reflections/{id}", "Reflection", showEntry],
  ["/reflections/{id}/edit", "Edit reflection", showEdit],
  ["/cases/{id}", "Case discussion", notYet],
];

/** Addresses that are another screen's: home. */
const HOME = ["/", "/me/supervision-status"];

/**
 * The route an address names, with its parameters.
 * @param {string} path
 */
function match(path) {
  for (const [pattern, title, screen] of ROUTES) {
    const names = [...pattern.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const regex = new RegExp(`^${pattern.replace(/\{\w+\}/g, "([^/]+)")}$`);
    const found = regex.exec(path);
    if (found) {
      /** @type {Record<string, string>} */
      const params = {};
      names.forEach((name, i) => (params[name] = decodeURIComponent(found[i + 1])));
      return { title, screen, params };
    }
  }
  return null;
}

/** The signed-in person, once known. @type {PersonView | null} */
let me = null;

/** Stops sending the signed-in person's outbox (at sign-out). */
let stopSending = () => {};

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

/** Marks the navigation link of the current screen. */
function markNavigation() {
  for (const a of byId("nav").querySelectorAll("a")) {
    const here = a.pathname === "/" ? location.pathname === "/" : location.pathname.startsWith(a.pathname);
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

/**
 * Goes to an address in the app without reloading the page.
 * @param {string} path
 */
function go(path) {
  if (path !== location.pathname + location.search) history.pushState(null, "", path);
  void route();
}

/** Shows the screen the address names, for the signed-in person. */
async function route(focus = true) {
  if (!me) return;
  byId("stale").hidden = true;
  markNavigation();
  if (HOME.includes(location.pathname)) {
    await home(me, focus);
    return;
  }
  const found = match(location.pathname);
  const heading = byId("view-title");
  const body = el("div");
  byId("view-body").replaceWith(body);
  body.id = "view-body";
  heading.textContent = found ? found.title : "Page not found";
  show("view", focus);
  if (!found) {
    body.append(
      el("p", { text: "There is no page at this address. If you typed it, check it is right." }),
      el("p", {}, [link("/", "Go to your home page")]),
    );
    return;
  }
  try {
    await found.screen({ me, params: found.params, body, go });
  } catch (error) {
    // A screen replaced since (the person moved on) leaves the new one alone.
    if (body.isConnected) body.replaceChildren(el("p", { className: "note", text: failure(error) }));
  }
}

/**
 * @param {PersonView} person
 * @param {boolean} focus
 */
async function home(person, focus) {
  byId("home-title").textContent = `Hello, ${person.display_name}`;
  show("home", focus);
  announce("Loading your supervision.");
  const failed = await showHome(person);
  announce(failed ? "Some parts could not be loaded." : "Your supervision is up to date.");
}

/** After sign-in or a password change: the one-time-password form, or home. */
async function enter() {
  const person = await get("/api/v1/me");
  if (person.must_change_password) {
    // Names the account, so a password manager saves the new password against it.
    input("change-password-username").value = person.email;
    show("change-password");
    return;
  }
  me = person;
  byId("who").textContent = person.display_name;
  byId("account").hidden = false;
  byId("nav").hidden = false;
  void keepSubscription();
  stopSending = startSending(person.id);
  await route();
}

function signInScreen(focus = true) {
  me = null;
  stopSending();
  byId("account").hidden = true;
  byId("nav").hidden = true;
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
  whenStale((at) => {
    const notice = byId("stale");
    notice.textContent = `You are offline — shown as of ${clock(at)}, may be out of date.`;
    notice.hidden = false;
  });
  // Links within the app change the screen without reloading (the token is in memory).
  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("a") : null;
    if (!target || !me || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || target.target) return;
    if (target.origin !== location.origin || !(HOME.includes(target.pathname) || match(target.pathname))) return;
    if (target.getAttribute("href")?.startsWith("#")) return;
    event.preventDefault();
    go(target.pathname + target.search);
  });
  window.addEventListener("popstate", () => void route());
  window.addEventListener("offline", () => announce("You are offline. What you see may be out of date."));
  window.addEventListener("online", () => announce("You are back online."));
  // A reload keeps you signed in: the refresh cookie, which no script here can read, buys a
  // new access token.
  // Opened offline, the refresh cookie could not be asked: ask again when the network is
  // back (unless someone signed out or in since), so what waits in the outbox goes.
  let askAgain = false;
  resume()
    .then((signedIn) => {
      askAgain = !signedIn && !navigator.onLine;
      return signedIn ? enter() : signInScreen(false);
    })
    .catch(() => signInScreen(false));
  window.addEventListener("online", () => {
    if (askAgain && !me) void resume().then((signedIn) => (signedIn && !me ? enter() : undefined));
    askAgain = false;
  });
  byId("sign-in-form").addEventListener("submit", () => (askAgain = false));
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // Without the worker the app still works, only not offline.
    });
    // The worker opens a tapped notification's link here, and says when the push service
    // replaced this device's subscription (it cannot tell the server itself: no token).
    navigator.serviceWorker.addEventListener("message", (event) => {
      const message = event.data ?? {};
      if (message.type === "open" && typeof message.link === "string") go(message.link);
      if (message.type === "subscription-changed" && me) void keepSubscription();
    });
  }
}

start();
