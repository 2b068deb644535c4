// @ts-check
// The API client (issue 19): same origin, JSON in and out, typed from the OpenAPI document
// through types.d.ts. Tokens live in this module's memory only, never in localStorage or
// sessionStorage: closing the tab signs out.

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

/** @type {{ access: string, refresh: string } | null} */
let tokens = null;

/**
 * Called when the session ends without the person asking (tokens expired or revoked).
 * @type {() => void}
 */
let onSignedOut = () => {};

/** @param {() => void} callback */
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

export function signedIn() {
  return tokens !== null;
}

/** @param {TokenResponse} answer */
function keep(answer) {
  tokens = { access: answer.access_token, refresh: answer.refresh_token };
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
  if (authorised && tokens) headers.authorization = `Bearer ${tokens.access}`;
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

/** Exchanges the refresh token once; false when the session cannot go on. */
async function refresh() {
  if (!tokens) return false;
  try {
    keep(
      /** @type {TokenResponse} */ (
        await request("POST", "/api/v1/auth/refresh", { refresh_token: tokens.refresh }, false)
      ),
    );
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 0) throw error;
    tokens = null;
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
    tokens = null;
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
 * Signs in; the tokens stay in memory.
 * @param {import("./types").LoginRequest} credentials
 */
export async function signIn(credentials) {
  return keep(
    /** @type {TokenResponse} */ (await request("POST", "/api/v1/auth/login", credentials, false)),
  );
}

/**
 * Replaces a one-time password; the answer carries fresh tokens.
 * @param {import("./types").ChangePassword} change
 */
export async function changePassword(change) {
  return keep(/** @type {TokenResponse} */ (await authorised("POST", "/api/v1/me/password", change)));
}

/** Revokes the refresh token on the server (best effort) and forgets both tokens. */
export async function signOut() {
  const held = tokens;
  tokens = null;
  if (held) {
    try {
      await request("POST", "/api/v1/auth/logout", { refresh_token: held.refresh }, false);
    } catch {
      // Offline: the refresh token is forgotten here and expires on the server.
    }
  }
}
