// A push service for the browser tests (issue 19, REM-1, REM-6): the server sends its Web
// Push messages here instead of to a browser vendor's service, which a test machine cannot
// reach. Each message is checked as a push service and a browser would check it: the VAPID
// token (RFC 8292) must be an ES256 JWT for this origin, signed by the key it names, and the
// body must decrypt (RFC 8188 aes128gcm with RFC 8291 keys) with the subscription's private
// key and auth secret. What it decrypts is what the test then hands the service worker through
// the DevTools protocol, so the notification a test sees is the one the server really made.

import { createECDH, createDecipheriv, createPublicKey, hkdfSync, randomBytes, verify } from "node:crypto";
import { createServer } from "node:http";

/** @param {Buffer} bytes */
const b64url = (bytes) => bytes.toString("base64url");

/** A browser-side subscription: a P-256 key pair and an auth secret, as PushManager makes. */
export function newSubscriptionKeys() {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { ecdh, auth: randomBytes(16) };
}

/**
 * Decrypts one aes128gcm push body for the subscription that owns `keys`.
 * @param {Buffer} body
 * @param {{ ecdh: import("node:crypto").ECDH, auth: Buffer }} keys
 */
export function decrypt(body, keys) {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  const senderKey = body.subarray(21, 21 + idLength);
  const records = body.subarray(21 + idLength);
  if (idLength !== 65) throw new Error(`key id of ${idLength} bytes, not an uncompressed P-256 key`);
  if (records.length > recordSize) throw new Error("a push must be one record");
  const shared = keys.ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), keys.ecdh.getPublicKey(), senderKey]);
  const ikm = Buffer.from(hkdfSync("sha256", shared, keys.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 2, then any zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (padded[end] !== 2) throw new Error("the last record's padding delimiter is missing");
  return padded.subarray(0, end).toString("utf8");
}

/**
 * Checks a `vapid t=..., k=...` Authorization header for a push to `origin`.
 * @param {string | undefined} header
 * @param {string} origin
 * @param {string} serverKey the server's VAPID public key, base64url, as the app subscribed with
 */
export function checkVapid(header, origin, serverKey) {
  const found = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? "");
  if (!found) throw new Error(`Authorization is not VAPID: ${header}`);
  const [, token, key] = found;
  if (key !== serverKey) throw new Error("signed with a key other than the one the app subscribed with");
  const [head, claims, signature] = token.split(".");
  const point = Buffer.from(key, "base64url");
  const publicKey = createPublicKey({
    key: { kty: "EC", crv: "P-256", x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33, 65)) },
    format: "jwk",
  });
  const signed = verify(
    "sha256",
    Buffer.from(`${head}.${claims}`),
    { key: publicKey, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
  if (!signed) throw new Error("the VAPID signature does not verify");
  const header_ = JSON.parse(Buffer.from(head, "base64url").toString());
  const body = JSON.parse(Buffer.from(claims, "base64url").toString());
  if (header_.alg !== "ES256") throw new Error(`VAPID alg ${header_.alg}`);
  if (body.aud !== origin) throw new Error(`VAPID aud ${body.aud}, not ${origin}`);
  const now = Date.now() / 1000;
  if (!(body.exp > now && body.exp <= now + 24 * 3600)) throw new Error(`VAPID exp ${body.exp} out of range`);
  if (!/^(mailto:|https:)/.test(body.sub ?? "")) throw new Error(`VAPID sub ${body.sub}`);
}

/**
 * Starts the receiver on a free loopback port. `subscribe()` makes a subscription whose pushes
 * land here; `next(predicate)` waits for a decrypted message.
 * @param {() => string} serverKey the server's VAPID public key (known after start)
 */
export async function startReceiver(serverKey) {
  /** @type {Map<string, ReturnType<typeof newSubscriptionKeys>>} */
  const subscriptions = new Map();
  /** @type {{ path: string, text: string }[]} */
  const received = [];
  /** @type {string[]} */
  const failures = [];
  /** @type {(() => void)[]} */
  let waiting = [];
  const server = createServer((request, response) => {
    const chunks = /** @type {Buffer[]} */ ([]);
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const keys = subscriptions.get(request.url ?? "");
      try {
        if (!keys) throw new Error(`no subscription at ${request.url}`);
        if (request.method !== "POST") throw new Error(`${request.method}, not POST`);
        if (request.headers["content-encoding"] !== "aes128gcm") throw new Error("not aes128gcm");
        if (!request.headers.ttl) throw new Error("no TTL header");
        checkVapid(request.headers.authorization, origin, serverKey());
        received.push({ path: request.url ?? "", text: decrypt(Buffer.concat(chunks), keys) });
        response.writeHead(201).end();
      } catch (error) {
        failures.push(String(error));
        response.writeHead(400).end();
      }
      for (const wake of waiting) wake();
      waiting = [];
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  const origin = `http://127.0.0.1:${address.port}`;
  let count = 0;
  return {
    failures,
    /** A new subscription: what PushSubscription.toJSON() gives the page. */
    subscribe() {
      count += 1;
      const path = `/push/${count}`;
      const keys = newSubscriptionKeys();
      subscriptions.set(path, keys);
      return {
        endpoint: origin + path,
        expirationTime: null,
        keys: { p256dh: b64url(keys.ecdh.getPublicKey()), auth: b64url(keys.auth) },
      };
    },
    /**
     * The first decrypted message that `matches`, within `ms`.
     * @param {(message: { path: string, text: string }) => boolean} matches
     * @param {number} ms
     */
    async next(matches, ms) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = received.find(matches);
        if (found) {
          received.splice(received.indexOf(found), 1);
          return found;
        }
        if (failures.length) throw new Error(`push receiver refused: ${failures.join("; ")}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error("no matching push arrived in time");
        await new Promise((resolve) => {
          waiting.push(() => resolve(undefined));
          setTimeout(resolve, Math.min(left, 1000));
        });
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}
