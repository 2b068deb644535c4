// @ts-check
// Writes that wait on this device until the server has them (issue 20). Every save of a
// reflective log entry goes through here, online or not: it is put in IndexedDB first (so it
// survives closing the page), then sent, oldest first. A network failure leaves it waiting
// and retries later with growing gaps; a POST carries an Idempotency-Key kept with the write,
// so a resend after a lost answer is a no-op on the server (API-4), and a PUT resent with the
// same content succeeds with its old version. A refusal (a field the server will not take,
// no permission) or a clash with a change from elsewhere (412) is never dropped: the write
// stays, with the server's words or version, until the person edits, resends or discards it.
// Each write names the person who made it and only goes out while they are signed in, so a
// shared phone never sends one person's entry as another's. No token is stored here.

import { ApiError, post, put } from "./api.js";

/** @typedef {import("./types").EntryBody} EntryBody */
/** @typedef {import("./types").EntryView} EntryView */

/**
 * One write. `seq` orders them (IndexedDB's key generator); `key` is the Idempotency-Key of a
 * create; `entry` and `version` say which entry a save changes and the ETag it was based on.
 * @typedef {{
 *   seq?: number,
 *   person: string,
 *   kind: "create" | "save",
 *   key: string,
 *   entry?: string,
 *   version?: number,
 *   body: EntryBody,
 *   state: "waiting" | "rejected" | "conflict",
 *   attempts: number,
 *   next: number,
 *   problem?: { status: number, message: string, errors: { field: string, message: string }[] },
 *   current?: EntryView,
 *   queued: string,
 * }} Write
 */

const DB = "supervision-outbox";
const STORE = "writes";

/** @type {Promise<IDBDatabase> | null} */
let opened = null;

function database() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opened;
}

/**
 * Runs one request in a transaction and resolves when the transaction has committed.
 * @template T
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T>} act
 * @returns {Promise<T>}
 */
async function run(mode, act) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = act(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/**
 * This person's writes, oldest first.
 * @param {string} person
 * @returns {Promise<Write[]>}
 */
export async function writes(person) {
  const all = /** @type {Write[]} */ (await run("readonly", (store) => store.getAll()));
  return all.filter((w) => w.person === person);
}

/**
 * One write of this person's, or undefined.
 * @param {string} person
 * @param {number} seq
 */
export async function write(person, seq) {
  const found = /** @type {Write | undefined} */ (await run("readonly", (store) => store.get(seq)));
  return found?.person === person ? found : undefined;
}

/** @param {Write} w */
async function store(w) {
  return /** @type {number} */ (await run("readwrite", (s) => s.put(w)));
}

/**
 * Forgets a write: the person chose to, or the server has it.
 * @param {number} seq
 */
export async function discard(seq) {
  await run("readwrite", (s) => s.delete(seq));
  changed();
}

/**
 * Keeps a new entry or a change to one. A write not yet answered by the server takes the new
 * content in place (one write per entry); a refused one gets a new key, as the server never
 * took it. Returns the write's seq.
 * @param {{ person: string, body: EntryBody, entry?: string, version?: number, seq?: number }} change
 */
export async function keep({ person, body, entry, version, seq }) {
  const mine = await writes(person);
  const before =
    seq !== undefined ? mine.find((w) => w.seq === seq) : entry ? mine.find((w) => w.entry === entry) : undefined;
  /** @type {Write} */
  const next = before
    ? {
        ...before,
        body,
        // A create sent while the network was up may have reached the server: same key, so it
        // is not made twice (the server refuses a changed body under it, shown as a refusal).
        key: before.state === "rejected" ? crypto.randomUUID() : before.key,
        version: version ?? before.version,
        state: "waiting",
        next: 0,
        problem: undefined,
        current: undefined,
      }
    : {
        person,
        kind: entry ? "save" : "create",
        key: crypto.randomUUID(),
        entry,
        version,
        body,
        state: "waiting",
        attempts: 0,
        next: 0,
        queued: new Date().toISOString(),
      };
  const kept = await store(next);
  changed();
  return kept;
}

/**
 * After a clash: send mine again over the version the server has now.
 * @param {Write} w
 */
export async function keepMine(w) {
  if (!w.current || w.seq === undefined) return;
  await store({ ...w, version: w.current.version, state: "waiting", next: 0, current: undefined, problem: undefined });
  changed();
}

/** @type {Set<() => void>} */
const listeners = new Set();

/**
 * Called whenever the queue changes, so what shows it can update.
 * @param {() => void} callback
 * @returns {() => void} stops the calls
 */
export function whenChanged(callback) {
  listeners.add(callback);
  return () => listeners.delete(callback);
}

function changed() {
  for (const callback of listeners) callback();
}

/**
 * The gap before the next try after `attempts` failures: 2 s, 4 s, 8 s … at most 5 minutes.
 * @param {number} attempts
 */
export function backoff(attempts) {
  return Math.min(2000 * 2 ** Math.max(0, attempts - 1), 300_000);
}

/**
 * Sends one write; what became of it.
 * @param {Write} w
 * @returns {Promise<{ sent: EntryView } | { wait: true } | { stop: true } | { kept: Write }>}
 */
async function send(w) {
  try {
    const sent =
      w.kind === "create"
        ? await post("/api/v1/me/reflections", { body: w.body, key: w.key })
        : await put("/api/v1/reflections/{id}", { params: { id: /** @type {string} */ (w.entry) }, body: w.body, version: w.version });
    return { sent };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // Signed out: it waits for its author to sign in again.
    if (error.status === 401) return { stop: true };
    // No answer, too many requests or a server fault: try again later.
    if (error.status === 0 || error.status === 429 || error.status >= 500) return { wait: true };
    if (error.status === 412 && error.problem?.current) {
      return { kept: { ...w, state: "conflict", current: /** @type {EntryView} */ (/** @type {unknown} */ (error.problem.current)) } };
    }
    const problem = {
      status: error.status,
      message: error.message,
      errors: (error.problem?.errors ?? []).map((e) => ({ field: e.field, message: e.message })),
    };
    return { kept: { ...w, state: "rejected", problem } };
  }
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
/** @type {Promise<unknown>} */
let passes = Promise.resolve();

/**
 * Sends this person's waiting writes, oldest first, stopping at the first that cannot go yet
 * (so they arrive in the order they were made). Resolves, after a pass that began after the
 * call, with the entries the server now has, by seq. Passes run one at a time, and tabs take
 * turns (Web Locks), so a write is never sent twice at once.
 * @param {string} person
 * @returns {Promise<Map<number, EntryView>>}
 */
export function flush(person) {
  const turn = () => sendAll(person);
  const pass = passes.then(() => (navigator.locks ? navigator.locks.request("supervision-outbox", turn) : turn()));
  passes = pass.catch(() => undefined);
  return pass;
}

/**
 * @param {string} person
 * @returns {Promise<Map<number, EntryView>>}
 */
async function sendAll(person) {
  clearTimeout(timer);
  /** @type {Map<number, EntryView>} */
  const sent = new Map();
  for (const w of await writes(person)) {
    if (w.state !== "waiting" || w.seq === undefined) continue;
    if (!navigator.onLine || w.next > Date.now()) break;
    const outcome = await send(w);
    if ("sent" in outcome) {
      sent.set(w.seq, outcome.sent);
      await run("readwrite", (s) => s.delete(/** @type {number} */ (w.seq)));
    } else if ("kept" in outcome) {
      await store(outcome.kept);
    } else if ("wait" in outcome) {
      const attempts = w.attempts + 1;
      await store({ ...w, attempts, next: Date.now() + backoff(attempts) });
      break;
    } else {
      break;
    }
  }
  const waiting = (await writes(person)).filter((w) => w.state === "waiting");
  if (waiting.length && navigator.onLine) {
    const soonest = Math.min(...waiting.map((w) => w.next));
    timer = setTimeout(() => void flush(person), Math.max(0, soonest - Date.now()) + 50);
  }
  changed();
  return sent;
}

/**
 * Starts sending for the signed-in person: now, when the connection returns and when a retry
 * is due. Returns a function that stops it (at sign-out).
 * @param {string} person
 */
export function startSending(person) {
  const online = () => {
    // Back online: what waited for the network goes at once, not after its backoff.
    void writes(person)
      .then((all) => Promise.all(all.filter((w) => w.state === "waiting").map((w) => store({ ...w, next: 0 }))))
      .then(() => flush(person));
  };
  window.addEventListener("online", online);
  void flush(person);
  return () => {
    window.removeEventListener("online", online);
    clearTimeout(timer);
  };
}

/**
 * Sends one write now (the person asked to), whatever its backoff.
 * @param {Write} w
 */
export async function sendNow(w) {
  await store({ ...w, next: 0 });
  return flush(w.person);
}
