// @ts-check
/// <reference lib="webworker" />
// The service worker (issue 19): keeps the app's shell in a cache so the app opens offline and
// a repeat visit starts from the cache. Each shell request answers from the cache at once and
// refreshes the copy from the network behind it (stale-while-revalidate), so a new version is
// in use from the next start. Other navigations (the app's own addresses, such as
// /sessions/{id}) go to the network and fall back to the cached shell offline. The API, the
// docs and everything else go to the network untouched: signed-in data is never cached here.
// It also shows reminders pushed by the server and opens the app at a tapped one's link.

const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

const CACHE = "supervision-shell-v3";
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
  "/reflections.js",
  "/outbox.js",
  "/records.js",
  "/observations.js",
  "/asye.js",
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

/**
 * A push message's payload as src/domain/push.rs writes it; null when it is not one.
 * @param {PushMessageData | null} data
 * @returns {{ title: string, body: string, link: string, tag: string } | null}
 */
function payload(data) {
  try {
    const json = data?.json();
    return typeof json?.title === "string" && typeof json?.link === "string" ? json : null;
  } catch {
    return null;
  }
}

sw.addEventListener("push", (event) => {
  const message = payload(event.data);
  const title = message?.title ?? "Supervision";
  event.waitUntil(
    sw.registration.showNotification(title, {
      body: message?.body ?? "Something needs your attention.",
      tag: message?.tag,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      lang: "en-GB",
      data: { link: message?.link ?? "/inbox" },
    }),
  );
});

/**
 * Only paths on this origin are followed, so a payload cannot send the app elsewhere.
 * @param {unknown} link
 */
function inApp(link) {
  return typeof link === "string" && link.startsWith("/") && !link.startsWith("//") ? link : "/inbox";
}

sw.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const link = inApp(event.notification.data?.link);
  event.waitUntil(
    (async () => {
      const windows = await sw.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((w) => {
        const url = new URL(w.url);
        return url.origin === sw.location.origin && !/^\/(api|docs)\//.test(url.pathname);
      });
      if (open) {
        // The page navigates itself: a reload would lose its signed-in session (in memory).
        open.postMessage({ type: "open", link });
        await open.focus();
        return;
      }
      await sw.clients.openWindow(link);
    })(),
  );
});

/**
 * The push service replaced or ended this device's subscription: subscribe again with the
 * same server key, then tell open pages, which register it with the server (the worker holds
 * no token). With no page open, the next start does it (main.js, keepSubscription).
 * @typedef {ExtendableEvent & { oldSubscription?: PushSubscription | null }} SubscriptionChange
 */
sw.addEventListener("pushsubscriptionchange", (event) => {
  const change = /** @type {SubscriptionChange} */ (event);
  change.waitUntil(
    (async () => {
      const key = change.oldSubscription?.options.applicationServerKey;
      if (key) {
        await sw.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      }
      for (const client of await sw.clients.matchAll({ type: "window" })) {
        client.postMessage({ type: "subscription-changed" });
      }
    })().catch(() => undefined),
  );
});
