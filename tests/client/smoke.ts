// A client written against the types openapi-typescript generates from openapi/openapi.json
// (api.d.ts, made in CI, not committed): if the document changes shape, this stops compiling;
// run against a started server (`node smoke.js <base-url>`), it signs in, reads /me, lists
// sessions and reads the compliance report as CSV (API-2).
import type { paths } from "./api.js";

type Json<P extends keyof paths, M extends keyof paths[P], S extends number> =
  paths[P][M] extends { responses: { [K in S]: { content: { "application/json": infer T } } } }
    ? T
    : never;
type LoginBody = paths["/api/v1/auth/login"]["post"]["requestBody"] extends
  { content: { "application/json": infer T } } | undefined ? T : never;

const base = process.argv[2] ?? "http://127.0.0.1:8080";

async function call(path: string, init: RequestInit, status: number, type: string): Promise<Response> {
  const response = await fetch(base + path, init);
  const got = response.headers.get("content-type") ?? "";
  if (response.status !== status || !got.startsWith(type)) {
    throw new Error(`${init.method ?? "GET"} ${path}: ${response.status} ${got}: ${await response.text()}`);
  }
  return response;
}

async function main(): Promise<void> {
  const credentials: LoginBody = {
    email: "hannah.shaw@demo.council.example",
    password: "demo-supervision-2026",
  };
  const login = await call("/api/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(credentials),
  }, 200, "application/json");
  const tokens = (await login.json()) as Json<"/api/v1/auth/login", "post", 200>;
  const auth = { authorization: `Bearer ${tokens.access_token}` };

  const me = (await (await call("/api/v1/me", { headers: auth }, 200, "application/json"))
    .json()) as Json<"/api/v1/me", "get", 200>;
  if (me.email !== credentials.email) throw new Error(`/me is ${me.email}`);

  const sessions = (await (await call("/api/v1/me/sessions?limit=20", { headers: auth }, 200, "application/json"))
    .json()) as Json<"/api/v1/me/sessions", "get", 200>;
  console.log(`${me.display_name}: ${sessions.items.length} of ${sessions.total} upcoming sessions`);

  const csv = await (await call(`/api/v1/reports/compliance?supervisor_id=${me.id}&format=csv`,
    { headers: auth }, 200, "text/csv")).text();
  if (!csv.startsWith("person_id,")) throw new Error(`report CSV starts ${csv.slice(0, 40)}`);
  console.log(`compliance CSV: ${csv.split("\r\n").length - 1} lines`);

  await call("/readyz", { method: "HEAD" }, 200, "application/json");
  const wrong = await fetch(base + "/readyz", { method: "DELETE" });
  if (wrong.status !== 405 || wrong.headers.get("allow") !== "GET, HEAD") {
    throw new Error(`DELETE /readyz: ${wrong.status} allow=${wrong.headers.get("allow")}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
