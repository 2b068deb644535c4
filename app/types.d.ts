// Types the app's JSDoc imports (issue 19), all taken from tests/client/api.d.ts, which
// openapi-typescript generates from openapi/openapi.json (tests/client/run.sh): when the API
// changes shape, `tsc -p app/tsconfig.json` fails. Development only: never served.
import type { components, paths } from "../tests/client/api";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
export type TokenResponse = Schemas["TokenResponse"];
export type LoginRequest = Schemas["LoginRequest"];
export type ChangePassword = Schemas["ChangePassword"];
export type PersonView = Schemas["PersonView"];
export type StatusView = Schemas["StatusView"];
export type Status = Schemas["Status"];
export type StatusList = Schemas["StatusList"];
export type SessionPage = Schemas["Paged_SessionView"];
export type SessionView = SessionPage["items"][number];
export type SessionKind = Schemas["SessionKind"];
export type Inbox = Schemas["Inbox"];
export type NotificationView = Schemas["NotificationView"];
export type WorkingDays = Schemas["WorkingDays"];

/** The JSON body of a 200 answer. */
type Ok<Op> = Op extends { responses: { 200: { content: { "application/json": infer T } } } }
  ? T
  : never;

/** Paths whose GET answers 200 with JSON and takes no path parameter. */
export type GetPath = {
  [P in keyof paths]: paths[P] extends { get: infer Op }
    ? [Ok<Op>] extends [never]
      ? never
      : P extends `${string}{${string}`
        ? never
        : P
    : never;
}[keyof paths];

/** What GET `P` answers with. */
export type GetJson<P extends GetPath> = paths[P] extends { get: infer Op } ? Ok<Op> : never;

/** The query parameters GET `P` takes. */
export type GetQuery<P extends GetPath> = paths[P] extends {
  get: { parameters: { query?: infer Q } };
}
  ? Q
  : never;
