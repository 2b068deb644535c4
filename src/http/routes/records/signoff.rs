//! Sign-off of a record (REC-4): the supervisor writes and sends, the supervisee signs or
//! asks for amendments, either records a disagreement; after the lock, addenda. Every step
//! runs the state machine of `domain::records` under If-Match.

use actix_web::{post, put, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    acting_party, find_for, hash_of, notify_about, record_view, refusal, respond, RecordView,
};
use crate::domain::people::organisation_today;
use crate::domain::records::{
    self, check_complete, check_content, content_hash, may_add_addendum, may_countersign, next,
    CaseReferencePattern, Content, DisagreementProposal, RecordStatus, SignedAddendum, Step,
    MAX_ADDENDUM_CHARS,
};
use crate::domain::sessions::Party;
use crate::domain::validation::Invalid;
use crate::http::extract::{Caller, IfMatch, Json};
use crate::http::problem::{settle, ApiError, ApiResult, Problem};
use crate::http::AppState;
use crate::store::line_management as links;
use crate::store::organisation::CalendarSet;
use crate::store::records::{self as store, Change, Record};
use crate::store::{audit, new_id, DbConnection, StoreError, StoreResult};

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

/// Runs one sign-off step under If-Match and answers with the record as it now is.
async fn step<F>(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    expected: IfMatch,
    work: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(
            &mut DbConnection,
            &CalendarSet,
            &Caller,
            &Record,
            Party,
        ) -> StoreResult<ApiResult<Record>>
        + Send
        + 'static,
{
    let calendars = state.calendars.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let (record, standing) = find_for(conn, &caller, &id)?;
            if !standing.reads_directly() {
                return Ok(Err(ApiError::ReasonRequired));
            }
            let party = match acting_party(standing) {
                Ok(party) => party,
                Err(refused) => return Ok(Err(refused)),
            };
            if record.version != expected.expect(record.version) {
                let calendars = calendars.load(conn)?;
                let current = record_view(conn, &calendars, &record, standing)?;
                return Ok(Err(ApiError::PreconditionFailed {
                    current: serde_json::to_value(current).ok(),
                }));
            }
            let calendars = calendars.load(conn)?;
            let record = match work(conn, &calendars, &caller, &record, party)? {
                Ok(record) => record,
                Err(refused) => return Ok(Err(refused)),
            };
            Ok(Ok(record_view(conn, &calendars, &record, standing)?))
        })
        .await;
    Ok(respond(actix_web::http::StatusCode::OK, settle(outcome)?))
}

/// The state after this step, or the refusal as an API error.
fn advance(record: &Record, party: Party, step: Step) -> ApiResult<RecordStatus> {
    next(record.status, party, step).map_err(refusal)
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
    step(
        state,
        caller,
        id.into_inner(),
        version,
        move |conn, calendars, caller, record, party| {
            let status = match advance(record, party, Step::Edit) {
                Ok(status) => status,
                Err(refused) => return Ok(Err(refused)),
            };
            let template =
                store::template(conn, template_id.as_deref().unwrap_or(&record.template_id))?;
            let pattern: CaseReferencePattern = calendars
                .settings
                .case_reference_pattern
                .parse()
                .map_err(|e: String| StoreError::Conflict(e))?;
            let content = match check_content(content, &template.sections, &pattern) {
                Ok(content) => content,
                Err(invalid) => return Ok(Err(prefix("content", invalid).into())),
            };
            let number = record.current_version + 1;
            let hash = hash_of(record, &template.id, number, &content);
            let updated = store::update(
                conn,
                record,
                record.version,
                Change {
                    status: Some(status),
                    new_version: Some((&template.id, &content, hash)),
                    ..Change::default()
                },
                &caller.person_id,
            )?;
            store::add_event(
                conn,
                &record.id,
                "edited",
                Some(number),
                &caller.person_id,
                None,
                None,
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "record.edited",
                "record",
                Some(&record.id),
                json!({"version_number": number}),
            )?;
            Ok(Ok(updated))
        },
    )
    .await
}

/// Field paths relative to the body: `content.sections.x`.
fn prefix(root: &str, invalid: Invalid) -> Invalid {
    let mut out = Invalid::default();
    for error in invalid.0 {
        out.push(format!("{root}.{}", error.field), error.message);
    }
    out
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
    step(
        state,
        caller,
        id.into_inner(),
        version,
        |conn, _, caller, record, party| {
            let status = match advance(record, party, Step::Send) {
                Ok(status) => status,
                Err(refused) => return Ok(Err(refused)),
            };
            let current = store::version(conn, &record.id, record.current_version)?;
            if let Err(invalid) = check_complete(&current.content) {
                return Ok(Err(prefix("content", invalid).into()));
            }
            let updated = store::update(
                conn,
                record,
                record.version,
                Change {
                    status: Some(status),
                    sent_on: Some(organisation_today()),
                    ..Change::default()
                },
                &caller.person_id,
            )?;
            store::add_event(
                conn,
                &record.id,
                "sent",
                Some(record.current_version),
                &caller.person_id,
                None,
                None,
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "record.sent",
                "record",
                Some(&record.id),
                json!({"version_number": record.current_version}),
            )?;
            notify_about(
                conn,
                &record.supervisee_id,
                record,
                "record_awaiting_signature",
                "A supervision record is ready to sign",
                &format!(
                    "Your supervisor sent the record of your session on {}.",
                    record.held_on
                ),
            )?;
            Ok(Ok(updated))
        },
    )
    .await
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
    step(
        state,
        caller,
        id.into_inner(),
        version,
        |conn, _, caller, record, party| {
            let status = match advance(record, party, Step::Sign) {
                Ok(status) => status,
                Err(refused) => return Ok(Err(refused)),
            };
            let signed = store::version(conn, &record.id, record.current_version)?;
            let updated = store::update(
                conn,
                record,
                record.version,
                Change {
                    status: Some(status),
                    signed: Some((signed.number, signed.content_hash.clone())),
                    ..Change::default()
                },
                &caller.person_id,
            )?;
            store::track_actions(conn, &updated, &signed.content.actions)?;
            store::add_event(
                conn,
                &record.id,
                "signed",
                Some(signed.number),
                &caller.person_id,
                None,
                None,
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "record.signed",
                "record",
                Some(&record.id),
                json!({"version_number": signed.number, "content_hash": signed.content_hash}),
            )?;
            notify_about(
                conn,
                &record.supervisor_id,
                record,
                "record_signed",
                "A supervision record is signed",
                &format!(
                    "The record of the session on {} is signed by both of you.",
                    record.held_on
                ),
            )?;
            Ok(Ok(updated))
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "The second action was mine, not yours."}))]
pub struct AmendmentRequest {
    /// What should change (1 to 2,000 characters).
    #[schema(min_length = 1, max_length = 2000)]
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
    let comment = records::long_text("comment", &body.0.comment, 2_000)?;
    if comment.is_empty() {
        return Err(Invalid::field("comment", "say what should change").into());
    }
    step(
        state,
        caller,
        id.into_inner(),
        version,
        move |conn, _, caller, record, party| {
            let status = match advance(record, party, Step::RequestAmendments) {
                Ok(status) => status,
                Err(refused) => return Ok(Err(refused)),
            };
            let updated = store::update(
                conn,
                record,
                record.version,
                Change {
                    status: Some(status),
                    ..Change::default()
                },
                &caller.person_id,
            )?;
            store::add_event(
                conn,
                &record.id,
                "amendments_requested",
                Some(record.current_version),
                &caller.person_id,
                Some(&comment),
                None,
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "record.amendments_requested",
                "record",
                Some(&record.id),
                json!({"version_number": record.current_version}),
            )?;
            notify_about(
                conn,
                &record.supervisor_id,
                record,
                "record_amendments_requested",
                "Amendments asked for",
                &format!(
                    "Your supervisee asked for changes to the record of {}.",
                    record.held_on
                ),
            )?;
            Ok(Ok(updated))
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "comment": "I do not agree that the visit was late; the diary shows otherwise.",
    "proposal": "escalate"
}))]
pub struct Disagreement {
    /// What is disputed and how to settle it (1 to 2,000 characters).
    #[schema(min_length = 1, max_length = 2000)]
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
    let comment = records::long_text("comment", &comment, 2_000)?;
    if comment.is_empty() {
        return Err(Invalid::field("comment", "say what is disputed").into());
    }
    let id = id.into_inner();
    let calendars = state.calendars.clone();
    let view = state
        .db
        .write(move |conn| {
            let (record, standing) = find_for(conn, &caller, &id)?;
            if !standing.reads_directly() {
                return Ok(Err(ApiError::ReasonRequired));
            }
            if let Err(refused) = acting_party(standing) {
                return Ok(Err(refused));
            }
            store::add_event(
                conn,
                &record.id,
                "disagreement",
                Some(record.current_version),
                &caller.person_id,
                Some(&comment),
                Some(proposal.as_str()),
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "record.disagreement",
                "record",
                Some(&record.id),
                json!({"proposal": proposal}),
            )?;
            if proposal == DisagreementProposal::Escalate {
                if let Some(manager) =
                    links::manager_on(conn, &record.supervisor_id, organisation_today())?
                {
                    notify_about(
                        conn,
                        &manager,
                        &record,
                        "record_disagreement_escalated",
                        "A supervision disagreement was escalated",
                        &format!(
                            "A disagreement about the record of {} was escalated to you.",
                            record.held_on
                        ),
                    )?;
                }
            }
            let calendars = calendars.load(conn)?;
            Ok(Ok(record_view(conn, &calendars, &record, standing)?))
        })
        .await;
    Ok(respond(actix_web::http::StatusCode::OK, settle(view)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "The training date moved to 14 January; the action stands."}))]
pub struct NewAddendum {
    /// 1 to 10,000 characters.
    #[schema(min_length = 1, max_length = 10000)]
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
    let text = records::long_text("text", &body.0.text, MAX_ADDENDUM_CHARS)?;
    if text.is_empty() {
        return Err(Invalid::field("text", "must not be empty").into());
    }
    step(
        state,
        caller,
        id.into_inner(),
        version,
        move |conn, _, caller, record, party| {
            if let Err(refused) = may_add_addendum(record.status) {
                return Ok(Err(refusal(refused)));
            }
            let addendum_id = new_id();
            let hash = content_hash(&SignedAddendum {
                record_id: &record.id,
                addendum_id: &addendum_id,
                author_id: &caller.person_id,
                text: &text,
            });
            store::add_addendum(
                conn,
                &addendum_id,
                &record.id,
                &caller.person_id,
                &text,
                &hash,
            )?;
            let updated = store::update(
                conn,
                record,
                record.version,
                Change::default(),
                &caller.person_id,
            )?;
            store::add_event(
                conn,
                &record.id,
                "addendum_added",
                None,
                &caller.person_id,
                None,
                None,
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "record.addendum_added",
                "record",
                Some(&record.id),
                json!({"addendum_id": addendum_id, "content_hash": hash}),
            )?;
            let other = match party {
                Party::Supervisor => &record.supervisee_id,
                Party::Supervisee => &record.supervisor_id,
            };
            notify_about(
                conn,
                other,
                record,
                "record_addendum",
                "An addendum to countersign",
                &format!("An addendum was added to the record of {}.", record.held_on),
            )?;
            Ok(Ok(updated))
        },
    )
    .await
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
    let (id, addendum_id) = path.into_inner();
    step(
        state,
        caller,
        id,
        version,
        move |conn, _, caller, record, party| {
            let addendum = store::addendum(conn, &record.id, &addendum_id)?;
            let author = if addendum.author_id == record.supervisor_id {
                Party::Supervisor
            } else {
                Party::Supervisee
            };
            if let Err(refused) =
                may_countersign(author, party, addendum.countersigned_at.is_some())
            {
                return Ok(Err(match refused {
                    records::Refusal::Locked => {
                        ApiError::Conflict("the addendum is already countersigned".into())
                    }
                    other => refusal(other),
                }));
            }
            store::countersign(conn, &record.id, &addendum_id, &caller.person_id)?;
            let updated = store::update(
                conn,
                record,
                record.version,
                Change::default(),
                &caller.person_id,
            )?;
            store::add_event(
                conn,
                &record.id,
                "addendum_countersigned",
                None,
                &caller.person_id,
                None,
                None,
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "record.addendum_countersigned",
                "record",
                Some(&record.id),
                json!({"addendum_id": addendum_id}),
            )?;
            Ok(Ok(updated))
        },
    )
    .await
}
