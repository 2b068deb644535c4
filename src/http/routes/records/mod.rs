//! Records of supervision: writing on a template (REC-1), actions (REC-2), case discussions
//! (REC-3), two-party sign-off and addenda (REC-4), lateness (REC-5), and who may read them
//! (ACC-2, ACC-3, ACC-5). The rules are in `domain::records`; this module parses, authorises,
//! calls and maps; the sign-off steps are in `signoff`.

mod signoff;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::records::{
    self, Granted, Listing, Printout, RecordDetail, RecordState, ThirdPartyRead,
};
use crate::domain::dates::Day;
use crate::domain::records::{AccessReason, Content, RecordStatus, Standing};
use crate::domain::sessions::Party;
use crate::domain::validation::Invalid;
use crate::http::extract::{etag, page, Caller, Json, Query};
use crate::http::print::{record_page, Printable};
use crate::http::problem::{ApiResult, Problem};
use crate::http::views::records::{ActionView, TemplateView};
use crate::http::views::{utc, Paged};
use crate::http::AppState;
use crate::store::records::{Addendum, Event, Record, Version};

pub fn configure(config: &mut ServiceConfig) {
    signoff::configure(config);
    config
        .service(open_record)
        .service(session_record)
        .service(my_records)
        .service(person_records)
        .service(get_record)
        .service(list_versions)
        .service(get_version)
        .service(print_record)
        .service(request_access);
}

// ---- Views ----

/// A record as it appears in lists: no content, just where it stands (REC-5).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4fa0",
    "session_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f90",
    "supervisor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "supervisee_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "held_on": "2026-11-24", "due_by": "2026-11-25", "status": "awaiting_supervisee",
    "late": false, "working_days_late": 0, "first_sent_on": "2026-11-25",
    "signed_at": null, "signed_version": null, "signed_hash": null, "version": 4
}))]
pub struct RecordSummary {
    pub id: String,
    pub session_id: String,
    pub supervisor_id: String,
    pub supervisee_id: String,
    /// The session's date, in the supervisee's time zone.
    pub held_on: NaiveDate,
    /// REC-5: the end of the first working day after the session.
    pub due_by: NaiveDate,
    pub status: RecordStatus,
    /// Sent after `due_by`, or not sent and past it.
    pub late: bool,
    pub working_days_late: i32,
    /// When the supervisor first sent it for signature.
    pub first_sent_on: Option<NaiveDate>,
    /// When both had signed; the record is locked from then.
    pub signed_at: Option<DateTime<Utc>>,
    pub signed_version: Option<i32>,
    /// SHA-256 of the signed version (see `GET /records/{id}/versions/{n}`).
    pub signed_hash: Option<String>,
    /// Also the ETag; send it as If-Match to change the record.
    pub version: i32,
}

impl From<RecordState> for RecordSummary {
    fn from(RecordState { record, late }: RecordState) -> RecordSummary {
        RecordSummary {
            id: record.id,
            session_id: record.session_id,
            supervisor_id: record.supervisor_id,
            supervisee_id: record.supervisee_id,
            held_on: record.held_on,
            due_by: record.due_by,
            status: record.status,
            late: late.late,
            working_days_late: late.working_days_late,
            first_sent_on: record.first_sent_on,
            signed_at: record.signed_at.map(utc),
            signed_version: record.signed_version,
            signed_hash: record.signed_hash,
            version: record.version,
        }
    }
}

/// An addendum to a signed record (REC-4).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4fc0", "author_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "text": "The training date moved to January.", "content_hash": "sha256:5f1c…",
    "created_at": "2026-12-02T09:00:00Z",
    "countersigned_by": null, "countersigned_at": null
}))]
pub struct AddendumView {
    pub id: String,
    /// Signs it by writing it.
    pub author_id: String,
    pub text: String,
    pub content_hash: String,
    pub created_at: DateTime<Utc>,
    /// The other party, once they have countersigned.
    pub countersigned_by: Option<String>,
    pub countersigned_at: Option<DateTime<Utc>>,
}

impl From<Addendum> for AddendumView {
    fn from(a: Addendum) -> AddendumView {
        AddendumView {
            id: a.id,
            author_id: a.author_id,
            text: a.text,
            content_hash: a.content_hash,
            created_at: utc(a.created_at),
            countersigned_by: a.countersigned_by,
            countersigned_at: a.countersigned_at.map(utc),
        }
    }
}

/// One step in the record's sign-off (REC-4).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "action": "amendments_requested", "version_number": 2,
    "actor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "occurred_at": "2026-11-26T08:40:00Z",
    "comment": "The second action was mine, not yours.", "proposal": null
}))]
pub struct EventView {
    /// created, edited, sent, amendments_requested, signed, disagreement, addendum_added or
    /// addendum_countersigned.
    pub action: String,
    pub version_number: Option<i32>,
    pub actor_id: String,
    pub occurred_at: DateTime<Utc>,
    pub comment: Option<String>,
    /// For a disagreement: `resolve` or `escalate`.
    pub proposal: Option<String>,
}

impl From<Event> for EventView {
    fn from(e: Event) -> EventView {
        EventView {
            action: e.action,
            version_number: e.version_number,
            actor_id: e.actor_id,
            occurred_at: utc(e.occurred_at),
            comment: e.comment,
            proposal: e.proposal,
        }
    }
}

/// A read by someone other than the two parties (ACC-2), shown to the parties.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4fd0", "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f20",
    "reason": "audit", "detail": "Quarterly case-file audit, sample 4 of 12.",
    "accessed_at": "2026-12-04T11:00:00Z"
}))]
pub struct AccessView {
    pub id: String,
    pub person_id: String,
    pub reason: AccessReason,
    pub detail: String,
    pub accessed_at: DateTime<Utc>,
}

impl From<ThirdPartyRead> for AccessView {
    fn from(ThirdPartyRead { access, reason }: ThirdPartyRead) -> AccessView {
        AccessView {
            id: access.id,
            person_id: access.person_id,
            reason,
            detail: access.detail,
            accessed_at: utc(access.accessed_at),
        }
    }
}

/// A record in full: where it stands, its template, the current content and the sign-off.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "record": {
        "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4fa0",
        "session_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f90",
        "supervisor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
        "supervisee_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
        "held_on": "2026-11-24", "due_by": "2026-11-25", "status": "draft",
        "late": false, "working_days_late": 0, "first_sent_on": null,
        "signed_at": null, "signed_version": null, "signed_hash": null, "version": 2
    },
    "standing": "supervisor",
    "template": {
        "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4e10", "key": "default", "version": 1,
        "name": "Supervision record (pro-forma)",
        "sections": [{"key": "issues_discussed", "title": "Issues discussed and agreed goals", "guidance": "", "functions": ["management", "support"]}],
        "created_at": "2026-11-25T09:00:00Z"
    },
    "content_version": 2,
    "content": {"sections": {"issues_discussed": "Caseload of 18."}, "actions": [], "case_discussions": []},
    "content_hash": "sha256:9b0e…",
    "carried_actions": [], "actions": [], "addenda": [], "timeline": [], "third_party_reads": []
}))]
pub struct RecordView {
    pub record: RecordSummary,
    /// How you stand to the record, which says what you may do with it.
    pub standing: Standing,
    pub template: TemplateView,
    /// The number of the content version shown.
    pub content_version: i32,
    pub content: Content,
    pub content_hash: String,
    /// Open actions from the supervisee's other signed records, soonest due first, at most
    /// 100 (REC-2).
    pub carried_actions: Vec<ActionView>,
    /// This record's actions as tracked since it was signed.
    pub actions: Vec<ActionView>,
    pub addenda: Vec<AddendumView>,
    pub timeline: Vec<EventView>,
    /// Reads by a manager above, an auditor or an administrator, with their reasons (ACC-2).
    pub third_party_reads: Vec<AccessView>,
}

/// The views of a list of rows.
fn views<T, V: From<T>>(rows: Vec<T>) -> Vec<V> {
    rows.into_iter().map(V::from).collect()
}

impl From<RecordDetail> for RecordView {
    fn from(d: RecordDetail) -> RecordView {
        RecordView {
            record: d.state.into(),
            standing: d.standing,
            template: d.template.into(),
            content_version: d.current.number,
            content: d.current.content,
            content_hash: d.current.content_hash,
            carried_actions: views(d.carried_actions),
            actions: views(d.actions),
            addenda: views(d.addenda),
            timeline: views(d.timeline),
            third_party_reads: views(d.third_party_reads),
        }
    }
}

/// The record with its version as the ETag.
fn respond(status: StatusCode, detail: RecordDetail) -> HttpResponse {
    let view = RecordView::from(detail);
    HttpResponse::build(status)
        .insert_header(("ETag", etag(view.record.version)))
        .json(view)
}

// ---- Opening a record ----

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"template_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4e10"}))]
pub struct OpenRecord {
    /// A template version (see `/record-templates`); the newest default template otherwise.
    pub template_id: Option<String>,
}

/// Open the record of a held session (its supervisor). Marking a 1:1 session held opens one
/// on the default template already; this picks another template, or opens the record of a
/// session held before records existed. Returns the record if it is already open.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    request_body = OpenRecord,
    params(("id" = String, Path, description = "Session id")),
    responses(
        (status = 201, body = RecordView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 200, description = "The session's record was already open", body = RecordView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the session's supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session or template", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The session is not held, or is a group session", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sessions/{id}/record")]
async fn open_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<OpenRecord>,
) -> ApiResult<HttpResponse> {
    let calendars = state.calendars.clone();
    let template_id = body.0.template_id;
    let (detail, created) = state
        .db
        .transact(move |conn| records::open(conn, &caller, &calendars, &id, template_id.as_deref()))
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(respond(status, detail))
}

/// The record of a session, for those who may read it.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Session id")),
    responses(
        (status = 200, body = RecordView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A third party: make an access request with a reason", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, no record yet, or not yours to see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sessions/{id}/record")]
async fn session_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let calendars = state.calendars.clone();
    // A write: reads by anyone but the parties are logged in the same transaction.
    let detail = state
        .db
        .transact(move |conn| records::of_session(conn, &caller, &calendars, &id))
        .await?;
    Ok(respond(StatusCode::OK, detail))
}

/// A record in full. Its parties, its writer after a change of manager, and the supervisee's
/// new line manager read it (ACC-2, ACC-3); a manager above, an auditor or an administrator
/// gets 403 `access-reason-required` and uses `POST /records/{id}/access`.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, body = RecordView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A third party: make an access request with a reason", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record, or not yours to see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/records/{id}")]
async fn get_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let calendars = state.calendars.clone();
    // A write: reads by anyone but the parties are logged in the same transaction.
    let detail = state
        .db
        .transact(move |conn| records::get(conn, &caller, &calendars, &id))
        .await?;
    Ok(respond(StatusCode::OK, detail))
}

// ---- Versions and print ----

/// One version of a record's content (REC-4: every version is kept).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "number": 3, "template_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4e10",
    "author_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40", "created_at": "2026-11-26T10:00:00Z",
    "content_hash": "sha256:9b0e…", "signed": true,
    "content": {"sections": {"issues_discussed": "Caseload of 18."}, "actions": [], "case_discussions": []}
}))]
pub struct VersionView {
    pub number: i32,
    pub template_id: String,
    /// Who wrote this version, and when.
    pub author_id: String,
    pub created_at: DateTime<Utc>,
    /// SHA-256 over the record's identity, parties, template and this content.
    pub content_hash: String,
    /// The version both people signed.
    pub signed: bool,
    /// Left out of the list; present when one version is fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<Content>,
}

fn version_view(record: &Record, version: Version, with_content: bool) -> VersionView {
    VersionView {
        signed: record.signed_version == Some(version.number),
        number: version.number,
        template_id: version.template_id,
        author_id: version.author_id,
        created_at: utc(version.created_at),
        content_hash: version.content_hash,
        content: with_content.then_some(version.content),
    }
}

/// Every version of the record, oldest first, with who wrote it and when (no content).
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, body = Vec<VersionView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A third party: make an access request with a reason", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/records/{id}/versions")]
async fn list_versions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (record, versions) = state
        .db
        .transact(move |conn| records::versions(conn, &caller, &id))
        .await?;
    let views: Vec<VersionView> = versions
        .into_iter()
        .map(|v| version_view(&record, v, false))
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

/// One version of the record with its content and hash.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Record id"),
        ("number" = i32, Path, description = "Version number, from 1"),
    ),
    responses(
        (status = 200, body = VersionView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A third party: make an access request with a reason", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record or version", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/records/{id}/versions/{number}")]
async fn get_version(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (id, number) = path.into_inner();
    let (record, version) = state
        .db
        .transact(move |conn| records::version(conn, &caller, &id, number))
        .await?;
    Ok(HttpResponse::Ok().json(version_view(&record, version, true)))
}

/// A signed record as a printable HTML page, with the hash of the signed version and of each
/// addendum, so a printed copy can be shown to match what was signed.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, description = "The record, styled for print", content_type = "text/html", body = String),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A third party: make an access request with a reason", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not signed by both yet", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/records/{id}/print")]
async fn print_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    // The read stays logged when the record is not signed yet (the inner refusal).
    let printout = state
        .db
        .transact(move |conn| records::printout(conn, &caller, &id))
        .await??;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(page_of(&printout)))
}

fn page_of(p: &Printout) -> String {
    record_page(&Printable {
        record: &p.record,
        supervisor: &p.supervisor,
        supervisee: &p.supervisee,
        template: &p.template,
        signed: &p.signed,
        events: &p.events,
        addenda: &p.addenda,
    })
}

// ---- Third-party access (ACC-2) ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "audit", "detail": "Quarterly case-file audit, sample 4 of 12."}))]
pub struct AccessRequest {
    pub reason: AccessReason,
    /// Why, in words (10 to 1,000 characters).
    #[schema(format = "one-line", min_length = 10, max_length = 1000)]
    pub detail: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "access": {"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4fd0", "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f20", "reason": "audit", "detail": "Quarterly case-file audit, sample 4 of 12.", "accessed_at": "2026-12-04T11:00:00Z"},
    "record": {
        "record": {"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4fa0", "session_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f90", "supervisor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40", "supervisee_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "held_on": "2026-11-24", "due_by": "2026-11-25", "status": "signed", "late": false, "working_days_late": 0, "first_sent_on": "2026-11-25", "signed_at": "2026-11-26T09:00:00Z", "signed_version": 2, "signed_hash": "sha256:9b0e…", "version": 5},
        "standing": "third_party",
        "template": {"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4e10", "key": "default", "version": 1, "name": "Supervision record (pro-forma)", "sections": [], "created_at": "2026-11-25T09:00:00Z"},
        "content_version": 2, "content": {"sections": {}, "actions": [], "case_discussions": []},
        "content_hash": "sha256:9b0e…", "carried_actions": [], "actions": [], "addenda": [], "timeline": [], "third_party_reads": []
    }
}))]
pub struct AccessGranted {
    pub access: AccessView,
    pub record: RecordView,
}

/// Read a record as a manager above, an auditor or an administrator, stating a reason
/// (ACC-2). The read is written to the audit log and to the record's list of reads, and the
/// supervisee is notified. Each read is a new request.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    request_body = AccessRequest,
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, body = AccessGranted),
        (status = 400, description = "Malformed body or unknown reason", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record, or no grounds to ask", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You read this record without a reason", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Detail missing or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/records/{id}/access")]
async fn request_access(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<AccessRequest>,
) -> ApiResult<HttpResponse> {
    let AccessRequest { reason, detail } = body.0;
    let request = records::AccessRequest { reason, detail };
    let calendars = state.calendars.clone();
    let Granted { read, record } = state
        .db
        .transact(move |conn| records::request_access(conn, &caller, &calendars, &id, request))
        .await?;
    Ok(HttpResponse::Ok().json(AccessGranted {
        access: read.into(),
        record: record.into(),
    }))
}

// ---- Lists ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordRole {
    Supervisor,
    Supervisee,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecordsQuery {
    /// Only records where you are this party (`/me/records` only).
    pub role: Option<RecordRole>,
    pub status: Option<RecordStatus>,
    /// `true`: only records sent after their due date, or unsent and past it (REC-5).
    pub late: Option<bool>,
    /// Held on or after this date.
    pub from: Option<Day>,
    /// Held before this date.
    pub to: Option<Day>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

impl RecordsQuery {
    fn listing(&self) -> ApiResult<Listing> {
        Ok(Listing {
            status: self.status,
            late: self.late == Some(true),
            from: self.from.map(Day::date),
            to: self.to.map(Day::date),
            page: page(self.limit, self.offset)?,
        })
    }
}

fn paged(found: (Vec<RecordState>, i64), page: crate::store::Page) -> HttpResponse {
    let (items, total) = found;
    HttpResponse::Ok().json(Paged::new(views::<_, RecordSummary>(items), total, page))
}

/// Records you are a party to, newest session first, with status and lateness (REC-5).
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(RecordsQuery),
    responses(
        (status = 200, body = Paged<RecordSummary>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad paging or date range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/records")]
async fn my_records(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<RecordsQuery>,
) -> ApiResult<HttpResponse> {
    let listing = query.0.listing()?;
    let role = query.0.role.map(|role| match role {
        RecordRole::Supervisor => Party::Supervisor,
        RecordRole::Supervisee => Party::Supervisee,
    });
    let calendars = state.calendars.clone();
    let page = listing.page;
    let found = state
        .db
        .query(move |conn| records::mine(conn, &caller, &calendars, role, &listing))
        .await?;
    Ok(paged(found, page))
}

/// A person's records as supervisee, newest first: status and lateness only, never content.
/// For the person, their managers, auditors and administrators.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id"), RecordsQuery),
    responses(
        (status = 200, body = Paged<RecordSummary>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad paging or date range, or `role` given", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/records")]
async fn person_records(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: Query<RecordsQuery>,
) -> ApiResult<HttpResponse> {
    if query.0.role.is_some() {
        return Err(Invalid::field("role", "only for /me/records").into());
    }
    let listing = query.0.listing()?;
    let calendars = state.calendars.clone();
    let page = listing.page;
    let found = state
        .db
        .query(move |conn| records::of_person(conn, &caller, &calendars, &id, &listing))
        .await?;
    Ok(paged(found, page))
}
