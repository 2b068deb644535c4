// @ts-check
// The API client (issue 19): same origin, JSON in and out, typed from the OpenAPI document
// through types.d.ts. No token is ever in localStorage or sessionStorage: the access token
// lives in this module's memory only, and the refresh token in an HttpOnly, SameSite=Strict
// cookie scoped to /api/v1/auth that no script can read. A reload asks that cookie for a new
// access token, so it keeps you signed in; signing out clears it.

/** @typedef {import("./types").Problem} Problem */
/** @typedef {import("./types").TokenResponse} TokenResponse */
/** @typedef {import("./types").GetPath} GetPath */
/** @template {GetPath} P @typedef {import("./types").GetJson<P>} GetJson */
/** @template {GetPath} P @typedef {import("./types").GetQuery<P>} GetQuery */
/** @typedef {import("./types").Method} Method */
/** @template {Method} M @typedef {import("./types").PathWith<M>} PathWith */
/** @template {keyof import("./types").paths} P @template {Method} M @typedef {import("./types").Answer<P, M>} Answer */
/** @template {keyof import("./types").paths} P @template {Method} M @typedef {import("./types").PathParams<P, M>} PathParams */
/** @template {keyof import("./types").paths} P @template {Method} M @typedef {import("./types").QueryOf<P, M>} QueryOf */
/** @template {keyof import("./types").paths} P @template {Method} M @typedef {import("./types").BodyOf<P, M>} BodyOf */

/** A refusal or failure, with the server's problem document when it sent one. */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the network failed
   * @param {Problem | null} problem
   */
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? (status === 0 ? "The network failed" : `HTTP ${status}`));
    this.status = status;
    this.problem = problem;
  }

  /**
   * The message for one field of a validation failure, if the server named it.
   * @param {string} field
   */
  fieldMessage(field) {
    return this.problem?.errors?.find((e) => e.field === field)?.message;
  }
}

/** @type {string | null} */
let access = null;

/**
 * Called when the session ends without the person asking (tokens expired or revoked).
 * @type {() => void}
 */
let onSignedOut = () => {};

/** @param {() => void} callback */
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

/** @param {TokenResponse} answer */
function keep(answer) {
  access = answer.access_token;
  localStorage.removeItem(SIGN_OUT_PENDING);
  return answer;
}

/**
 * Set while a sign-out has not reached the server (it was made offline): the HttpOnly cookie
 * still holds the sign-in, and only the server can end it. Until it does, a start does not
 * use the cookie, so a shared phone does not sign the last person back in. Not a secret.
 */
const SIGN_OUT_PENDING = "supervision.sign-out-pending";

/** Ends the sign-in on the server, which clears the cookie; false when it could not be reached. */
async function endOnServer() {
  try {
    await request("POST", "/api/v1/auth/logout", {}, false);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status === 0) return false;
  }
  localStorage.removeItem(SIGN_OUT_PENDING);
  return true;
}

/**
 * One request. JSON bodies go out as JSON; problem+json answers become an ApiError.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {boolean} [authorised]
 * @param {Record<string, string>} [extra] more request headers (If-Match)
 * @returns {Promise<unknown>}
 */
async function request(method, path, body, authorised = true, extra = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json", ...extra };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (authorised && access) headers.authorization = `Bearer ${access}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (response.ok) {
    return response.status === 204 ? null : response.json();
  }
  const type = response.headers.get("content-type") ?? "";
  const problem = type.startsWith("application/problem+json")
    ? /** @type {Problem} */ (await response.json())
    : null;
  throw new ApiError(response.status, problem);
}

/** @type {Promise<boolean> | null} */
let refreshing = null;

/**
 * Exchanges the refresh cookie for a new access token (the server rotates the cookie); false
 * when the session cannot go on. Callers at the same moment share one exchange, and tabs take
 * turns (Web Locks): the same cookie presented twice looks like a stolen one, and the server
 * then ends the sign-in.
 */
function refresh() {
  if (!refreshing) {
    const turn = navigator.locks ? navigator.locks.request("supervision-refresh", exchange) : exchange();
    refreshing = turn.finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function exchange() {
  try {
    keep(/** @type {TokenResponse} */ (await request("POST", "/api/v1/auth/refresh", {}, false)));
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 0) throw error;
    access = null;
    return false;
  }
}

/** On start: whether the refresh cookie still signs this browser in (false offline too). */
export async function resume() {
  if (localStorage.getItem(SIGN_OUT_PENDING)) {
    await endOnServer();
    return false;
  }
  try {
    return await refresh();
  } catch {
    return false;
  }
}

/**
 * An authorised request that refreshes an expired access token once and retries.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {Record<string, string>} [extra]
 */
async function authorised(method, path, body, extra) {
  try {
    return await request(method, path, body, true, extra);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    if (await refresh()) return request(method, path, body, true, extra);
    access = null;
    lastRead.clear();
    onSignedOut();
    throw error;
  }
}

/**
 * What each read last answered, and when: shown again, marked as stale, when the network
 * fails (issue 19). Kept in memory only and forgotten at sign-out.
 * @type {Map<string, { value: unknown, at: Date }>}
 */
const lastRead = new Map();

/**
 * Called when a read answers from `lastRead` because the network failed.
 * @type {(at: Date) => void}
 */
let onStale = () => {};

/** @param {(at: Date) => void} callback */
export function whenStale(callback) {
  onStale = callback;
}

/**
 * A path with its `{name}` parameters filled in and its query appended.
 * @param {string} template
 * @param {unknown} [params] an object of path parameters
 * @param {unknown} [query] an object of query parameters
 */
function url(template, params = {}, query = {}) {
  const values = /** @type {Record<string, unknown>} */ (params);
  const path = template.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(String(values[name])));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(/** @type {object} */ (query))) {
    if (value !== undefined && value !== null) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * An authorised GET that falls back to its last answer when the network fails.
 * @param {string} target
 */
async function read(target) {
  try {
    const value = await authorised("GET", target);
    lastRead.set(target, { value, at: new Date() });
    return value;
  } catch (error) {
    const kept = error instanceof ApiError && error.status === 0 ? lastRead.get(target) : undefined;
    if (!kept) throw error;
    onStale(kept.at);
    return kept.value;
  }
}

/**
 * GET a documented path: the path must exist in the OpenAPI document and the answer has
 * its documented type.
 * @template {GetPath} P
 * @param {P} path
 * @param {GetQuery<P>} [query]
 * @returns {Promise<GetJson<P>>}
 */
export async function get(path, query) {
  return /** @type {GetJson<P>} */ (await read(url(path, {}, query ?? {})));
}

/**
 * GET a documented path with path parameters: `getAt("/api/v1/sessions/{id}", { id })`.
 * @template {PathWith<"get">} P
 * @param {P} template
 * @param {PathParams<P, "get">} params
 * @param {QueryOf<P, "get">} [query]
 * @returns {Promise<Answer<P, "get">>}
 */
export async function getAt(template, params, query) {
  return /** @type {Answer<P, "get">} */ (await read(url(template, params, query ?? {})));
}

/**
 * A change: the body goes out as JSON, `version` as `If-Match` for resources that need it,
 * `key` as `Idempotency-Key`, which makes a resent POST a no-op on the server (API-4).
 * @param {Method} method
 * @param {string} template
 * @param {{ params?: unknown, body?: unknown, version?: number, key?: string }} options
 */
function change(method, template, { params, body, version, key }) {
  /** @type {Record<string, string>} */
  const extra = version === undefined ? {} : { "if-match": `"${version}"` };
  if (key) extra["idempotency-key"] = key;
  return authorised(method.toUpperCase(), url(template, params), body, extra);
}

/**
 * POST to a documented path.
 * @template {PathWith<"post">} P
 * @param {P} template
 * @param {{ params?: PathParams<P, "post">, body?: BodyOf<P, "post">, version?: number, key?: string }} [options]
 * @returns {Promise<Answer<P, "post">>}
 */
export async function post(template, options = {}) {
  return /** @type {Answer<P, "post">} */ (await change("post", template, options));
}

/**
 * PUT to a documented path.
 * @template {PathWith<"put">} P
 * @param {P} template
 * @param {{ params?: PathParams<P, "put">, body?: BodyOf<P, "put">, version?: number }} [options]
 * @returns {Promise<Answer<P, "put">>}
 */
export async function put(template, options = {}) {
  return /** @type {Answer<P, "put">} */ (await change("put", template, options));
}

/**
 * DELETE a documented path.
 * @template {PathWith<"delete">} P
 * @param {P} template
 * @param {{ params?: PathParams<P, "delete">, version?: number }} [options]
 * @returns {Promise<Answer<P, "delete">>}
 */
export async function remove(template, options = {}) {
  return /** @type {Answer<P, "delete">} */ (await change("delete", template, options));
}

/**
 * A file the API makes for the signed-in person (an export), as a Blob to save: it needs the
 * access token, so a plain link cannot fetch it.
 * @template {GetPath} P
 * @param {P} path
 * @param {GetQuery<P>} query
 */
export async function download(path, query) {
  const target = url(path, {}, query);
  /** @param {boolean} retry @returns {Promise<Blob>} */
  const fetchIt = async (retry) => {
    let response;
    try {
      response = await fetch(target, {
        headers: access ? { authorization: `Bearer ${access}` } : {},
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch {
      throw new ApiError(0, null);
    }
    if (response.status === 401 && retry && (await refresh())) return fetchIt(false);
    if (!response.ok) throw new ApiError(response.status, null);
    return response.blob();
  };
  return fetchIt(true);
}

/**
 * Signs in: the access token stays in memory, the refresh token in the cookie.
 * @param {import("./types").LoginRequest} credentials
 */
export async function signIn(credentials) {
  const asked = { ...credentials, refresh_token_delivery: /** @type {const} */ ("cookie") };
  return keep(/** @type {TokenResponse} */ (await request("POST", "/api/v1/auth/login", asked, false)));
}

/**
 * Replaces a one-time password; the answer carries a fresh access token (and a fresh cookie).
 * @param {import("./types").ChangePassword} change
 */
export async function changePassword(change) {
  const asked = { ...change, refresh_token_delivery: /** @type {const} */ ("cookie") };
  return keep(/** @type {TokenResponse} */ (await authorised("POST", "/api/v1/me/password", asked)));
}

/** Forgets the access token and ends the sign-in on the server, now or, offline, at the next start. */
export async function signOut() {
  access = null;
  lastRead.clear();
  localStorage.setItem(SIGN_OUT_PENDING, "1");
  await endOnServer();
}
