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
  return answer;
}

/**
 * One request. JSON bodies go out as JSON; problem+json answers become an ApiError.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {boolean} [authorised]
 * @returns {Promise<unknown>}
 */
async function request(method, path, body, authorised = true) {
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json" };
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
 */
async function authorised(method, path, body) {
  try {
    return await request(method, path, body);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    if (await refresh()) return request(method, path, body);
    access = null;
    onSignedOut();
    throw error;
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
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) search.set(key, String(value));
  }
  const text = search.toString();
  const url = text ? `${path}?${text}` : path;
  return /** @type {GetJson<P>} */ (await authorised("GET", url));
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

/** Revokes the sign-in on the server, which clears the cookie (best effort), and forgets the access token. */
export async function signOut() {
  access = null;
  try {
    await request("POST", "/api/v1/auth/logout", {}, false);
  } catch {
    // Offline: the cookie stays until the next sign-out or sign-in, or until it expires.
  }
}
