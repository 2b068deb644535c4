// @ts-check
/// <reference lib="webworker" />
// The service worker (issue 19): keeps the app's shell in a cache so the app opens offline and
// a repeat visit starts from the cache. Each shell request answers from the cache at once and
// refreshes the copy from the network behind it (stale-while-revalidate), so a new version is
// in use from the next start. Other navigations (the app's own addresses, such as
// /sessions/{id}) go to the network and fall back to the cached shell offline. The API, the
// docs and everything else go to the network untouched: signed-in data is never cached here.

const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

const CACHE = "supervision-shell-v2";
const SHELL = [
  "/",
  "/styles.css",
  "/main.js",
  "/api.js",
  "/words.js",
  "/home.js",
  "/ui.js",
  "/sessions.js",
  "/inbox.js",
  "/reminders.js",
  "/manifest.webmanifest",
  "/icons/icon.svg",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
];

sw.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: "no-cache" }))))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => sw.clients.claim()),
  );
});

/**
 * The shell path a request is for, or null when the worker leaves it alone.
 * @param {Request} request
 */
function shellPath(request) {
  if (request.method !== "GET") return null;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return null;
  if (request.mode === "navigate" && url.pathname === "/") return "/";
  return SHELL.includes(url.pathname) ? url.pathname : null;
}

sw.addEventListener("fetch", (event) => {
  const path = shellPath(event.request);
  const url = new URL(event.request.url);
  if (!path && event.request.mode === "navigate" && url.origin === sw.location.origin) {
    // The server answers the app's addresses with the shell; offline, the cached shell does.
    event.respondWith(
      fetch(event.request).catch(async () => (await caches.match("/")) ?? Response.error()),
    );
    return;
  }
  if (!path) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const cached = await cache.match(path);
      const fresh = fetch(path, { cache: "no-cache" }).then((response) => {
        if (response.ok) cache.put(path, response.clone());
        return response;
      });
      if (cached) {
        event.waitUntil(fresh.catch(() => undefined));
        return cached;
      }
      return fresh;
    }),
  );
});
