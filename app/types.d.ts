// Types the app's JSDoc imports (issue 19), all taken from tests/client/api.d.ts, which
// openapi-typescript generates from openapi/openapi.json (tests/client/run.sh): when the API
// changes shape, `tsc -p app/tsconfig.json` fails. Development only: never served.
import type { components, paths } from "../tests/client/api";

export type { paths };

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
export type ActionView = Schemas["ActionView"];
export type ChangeView = Schemas["ChangeView"];
export type ChangeReason = Schemas["ChangeReason"];
// The reflective log (issue 20).
export type ReflectionModel = Schemas["Model"];
export type EntryBody = Schemas["EntryBody"];
export type EntryView = Schemas["EntryView"];
export type CpdRecord = Schemas["CpdRecord"];
export type CpdActivity = Schemas["CpdActivity"];
export type PeerRole = Schemas["PeerRole"];
export type CpdView = Schemas["CpdView"];
export type DeviceView = Schemas["DeviceView"];
export type NewDevice = Schemas["NewDevice"];
export type Preferences = Schemas["Preferences"];
export type ReminderKind = Schemas["ReminderKind"];

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


/** What main.js gives a screen: who is signed in, the address's parameters, the element to
 * fill (detached once the person moves on, so a late answer changes nothing) and navigation. */
export interface Screen {
  me: PersonView;
  params: Record<string, string>;
  body: HTMLElement;
  go: (path: string) => void;
}

export type Method = "get" | "post" | "put" | "delete";

/** The operation at path `P` for method `M`. */
type Op<P extends keyof paths, M extends Method> = Exclude<paths[P][M], undefined>;

/** Paths that take method `M`, with or without path parameters. */
export type PathWith<M extends Method> = {
  [P in keyof paths]: [Op<P, M>] extends [never] ? never : P;
}[keyof paths];

/** The JSON body of a 200 or 201 answer; null for an answer without one (204). */
export type Answer<P extends keyof paths, M extends Method> = Op<P, M> extends {
  responses: infer R;
}
  ? R extends { 200: { content: { "application/json": infer T } } }
    ? T
    : R extends { 201: { content: { "application/json": infer T } } }
      ? T
      : null
  : never;

/** The path parameters (`{id}`) of `P`. */
export type PathParams<P extends keyof paths, M extends Method> = Op<P, M> extends {
  parameters: { path: infer Q };
}
  ? Q
  : Record<string, never>;

/** The query parameters of `P`. */
export type QueryOf<P extends keyof paths, M extends Method> = Op<P, M> extends {
  parameters: { query?: infer Q };
}
  ? Q
  : never;

/** The JSON request body `P` takes, or undefined when it takes none. */
export type BodyOf<P extends keyof paths, M extends Method> = Op<P, M> extends {
  requestBody: { content: { "application/json": infer B } };
}
  ? B
  : Op<P, M> extends { requestBody?: { content: { "application/json": infer B } } }
    ? B | undefined
    : undefined;

// Records, observations and the ASYE year (issue 20).
export type RecordView = Schemas["RecordView"];
export type RecordSummary = Schemas["RecordSummary"];
export type RecordStatus = Schemas["RecordStatus"];
export type RecordContent = Schemas["Content"];
export type RecordEvent = Schemas["EventView"];
export type AddendumView = Schemas["AddendumView"];
export type VersionView = Schemas["VersionView"];
export type TemplateView = Schemas["TemplateView"];
export type ObservationView = Schemas["ObservationView"];
export type ObservationStatus = Schemas["ObservationStatus"];
export type ObservationSetting = Schemas["ObservationSetting"];
export type AsyeView = Schemas["AsyeView"];
export type EvidenceKind = Schemas["EvidenceKind"];
