//! Sign-off of a record (REC-4): the supervisor writes and sends, the supervisee signs or
//! asks for amendments, either records a disagreement; after the lock, addenda. Every step
//! runs the state machine of `domain::records` under If-Match.

use actix_web::http::StatusCode;
use actix_web::{post, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{respond, RecordView};
use crate::app::records::signoff::{self, Disagreement as Disputing, Edit, Stepped};
use crate::domain::people::organisation_today;
use crate::domain::records::{Content, DisagreementProposal};
use crate::http::extract::{Caller, IfMatch, Json};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(edit_record)
        .service(send_record)
        .service(sign_record)
        .service(request_amendments)
        .service(record_disagreement)
        .service(add_addendum)
        .service(countersign_addendum);
}

/// The record after the step, or 412 with the record as it is now.
fn stepped(outcome: Stepped) -> ApiResult<HttpResponse> {
    match outcome {
        Stepped::Done(detail) => Ok(respond(StatusCode::OK, detail)),
        Stepped::Stale(detail) => Err(ApiError::PreconditionFailed {
            current: serde_json::to_value(RecordView::from(detail)).ok(),
        }),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "template_id": null,
    "content": {
        "sections": {"issues_discussed": "Caseload of 18; two new CP cases.", "next_meeting": "8 January, 10:00, Room 2"},
        "actions": [{"description": "Book the Signs of Safety refresher", "owner": "supervisee", "owner_name": null, "owner_person_id": null, "due_on": "2026-12-18"}],
        "case_discussions": [{"case_reference": "CH-204518", "status_codes": ["CP"], "what_changed": "Strategy meeting held.", "reflection": "", "management_decision": "Pre-proceedings.", "actions": [{"action": "Convene core group", "by": "2026-12-10"}]}]
    }
}))]
pub struct EditRecord {
    /// Move the record to another template version (before it is signed).
    pub template_id: Option<String>,
    /// The whole content: each save is a new version, kept for good.
    pub content: Content,
}

/// Write or amend the record (the supervisor, until it is signed). Each save is a new
/// version; editing a record sent for signature takes it back to draft, so the supervisee
/// only ever signs what they were sent. Case discussions name cases only by a reference in
/// the organisation's format (REC-3): never write a child's or adult's name in any field.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    request_body = EditRecord,
    params(
        ("id" = String, Path, description = "Record id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = RecordView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the supervisor, or read-only access", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record or template", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The record is signed and locked", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read; `current` holds the record now", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule (section unknown or too long, too many actions, a case reference not in the organisation's format)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/records/{id}")]
async fn edit_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<EditRecord>,
) -> ApiResult<HttpResponse> {
    let EditRecord {
        template_id,
        content,
    } = body.0;
    let edit = Edit {
        template_id,
        content,
    };
    let calendars = state.calendars.clone();
    let outcome = state
        .db
        .transact(move |conn| signoff::edit(conn, &caller, &calendars, &id, version, edit))
        .await?;
    stepped(outcome)
}

/// Send the record to the supervisee for signature (the supervisor; sending is their
/// signature). The first send settles whether the record was late (REC-5). The supervisee is
/// notified.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Record id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = RecordView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the supervisor, or read-only access", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already sent, or signed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read; `current` holds the record now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The record is empty", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/records/{id}/send")]
async fn send_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
) -> ApiResult<HttpResponse> {
    let calendars = state.calendars.clone();
    let outcome = state
        .db
        .transact(move |conn| {
            signoff::send(
                conn,
                &caller,
                &calendars,
                organisation_today(),
                &id,
                version,
            )
        })
        .await?;
    stepped(outcome)
}

/// Sign the record as sent (the supervisee). Signed by both, it is locked: its hash is
/// stored, its actions are tracked, and only addenda follow.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Record id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = RecordView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the supervisee", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not awaiting your signature", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read (for example, amended): `current` holds the record now", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/records/{id}/sign")]
async fn sign_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
) -> ApiResult<HttpResponse> {
    let calendars = state.calendars.clone();
    let outcome = state
        .db
        .transact(move |conn| signoff::sign(conn, &caller, &calendars, &id, version))
        .await?;
    stepped(outcome)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "The second action was mine, not yours."}))]
pub struct AmendmentRequest {
    /// What should change (1 to 2,000 characters).
    #[schema(format = "multi-line", min_length = 1, max_length = 2000)]
    pub comment: String,
}

/// Ask for amendments (the supervisee), saying what should change. The supervisor amends and
/// sends again; the supervisor is notified.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    request_body = AmendmentRequest,
    params(
        ("id" = String, Path, description = "Record id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = RecordView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the supervisee", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not awaiting your signature", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Comment missing or too long", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/records/{id}/amendments")]
async fn request_amendments(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<AmendmentRequest>,
) -> ApiResult<HttpResponse> {
    let calendars = state.calendars.clone();
    let outcome = state
        .db
        .transact(move |conn| {
            let comment = &body.0.comment;
            signoff::request_amendments(conn, &caller, &calendars, &id, version, comment)
        })
        .await?;
    stepped(outcome)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "comment": "I do not agree that the visit was late; the diary shows otherwise.",
    "proposal": "escalate"
}))]
pub struct Disagreement {
    /// What is disputed and how to settle it (1 to 2,000 characters).
    #[schema(format = "multi-line", min_length = 1, max_length = 2000)]
    pub comment: String,
    pub proposal: DisagreementProposal,
}

/// Record a disagreement about the record (either party, at any stage), with whether it is
/// to be resolved between the two or escalated (REC-4, 000 §8). An escalation notifies the
/// supervisor's line manager. The record's content does not change.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    request_body = Disagreement,
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, body = RecordView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a party to the record", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Comment missing or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/records/{id}/disagreements")]
async fn record_disagreement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<Disagreement>,
) -> ApiResult<HttpResponse> {
    let Disagreement { comment, proposal } = body.0;
    let disputing = Disputing { comment, proposal };
    let calendars = state.calendars.clone();
    let detail = state
        .db
        .transact(move |conn| signoff::disagree(conn, &caller, &calendars, &id, disputing))
        .await?;
    Ok(respond(StatusCode::OK, detail))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "The training date moved to 14 January; the action stands."}))]
pub struct NewAddendum {
    /// 1 to 10,000 characters.
    #[schema(format = "multi-line", min_length = 1, max_length = 10000)]
    pub text: String,
}

/// Add an addendum to a signed record (either party; writing it is the author's
/// signature). The other party is notified and countersigns.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    request_body = NewAddendum,
    params(
        ("id" = String, Path, description = "Record id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = RecordView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a party, or read-only access", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The record is not signed yet: edit it instead", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Text missing or too long", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/records/{id}/addenda")]
async fn add_addendum(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<NewAddendum>,
) -> ApiResult<HttpResponse> {
    let calendars = state.calendars.clone();
    let outcome = state
        .db
        .transact(move |conn| {
            let text = &body.0.text;
            signoff::add_addendum(conn, &caller, &calendars, &id, version, text)
        })
        .await?;
    stepped(outcome)
}

/// Countersign an addendum (the party who did not write it), once. The addendum is marked
/// countersigned and the record gets a new version. Needs `If-Match`.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Record id"),
        ("addendum_id" = String, Path, description = "Addendum id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = RecordView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You wrote it, or read-only access", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record or addendum", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already countersigned", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/records/{id}/addenda/{addendum_id}/countersign")]
async fn countersign_addendum(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    version: IfMatch,
) -> ApiResult<HttpResponse> {
    let (id, addendum) = path.into_inner();
    let calendars = state.calendars.clone();
    let outcome = state
        .db
        .transact(move |conn| {
            signoff::countersign(conn, &caller, &calendars, &id, version, &addendum)
        })
        .await?;
    stepped(outcome)
}
