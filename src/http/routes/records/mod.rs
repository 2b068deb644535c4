//! Records of supervision: writing on a template (REC-1), actions (REC-2), case discussions
//! (REC-3), two-party sign-off and addenda (REC-4), lateness (REC-5), and who may read them
//! (ACC-2, ACC-3, ACC-5). The rules are in `domain::records`; this module parses, authorises,
//! calls and maps; the sign-off steps are in `signoff`.

mod signoff;

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::people::may_see;
use super::templates::TemplateView;
use crate::domain::dates::Day;
use crate::domain::people::organisation_today;
use crate::domain::records::{
    self, content_hash, lateness, AccessReason, Content, RecordStatus, Relation, SignedVersion,
    Standing,
};
use crate::domain::sessions::Party;
use crate::domain::validation::{bounded_text, Invalid};
use crate::http::extract::{etag, page, Caller, Json, Query};
use crate::http::problem::{settle, ApiError, ApiResult, Problem};
use crate::http::views::{utc, Paged};
use crate::http::AppState;
use crate::store::line_management as links;
use crate::store::notifications::{self, NewNotification};
use crate::store::organisation::CalendarSet;
use crate::store::records::{
    self as store, Access, Addendum, Event, Record, TrackedAction, Version,
};
use crate::store::sessions;
use crate::store::{audit, people, DbConnection, StoreError, StoreResult};

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

impl RecordSummary {
    fn new(record: &Record, calendars: &CalendarSet) -> RecordSummary {
        let late = lateness(
            calendars.organisation(),
            record.due_by,
            record.first_sent_on,
            organisation_today(),
        );
        RecordSummary {
            id: record.id.clone(),
            session_id: record.session_id.clone(),
            supervisor_id: record.supervisor_id.clone(),
            supervisee_id: record.supervisee_id.clone(),
            held_on: record.held_on,
            due_by: record.due_by,
            status: record.status,
            late: late.late,
            working_days_late: late.working_days_late,
            first_sent_on: record.first_sent_on,
            signed_at: record.signed_at.map(utc),
            signed_version: record.signed_version,
            signed_hash: record.signed_hash.clone(),
            version: record.version,
        }
    }
}

/// An action tracked across records (REC-2).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4fb0",
    "record_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4fa0",
    "description": "Book the Signs of Safety refresher", "owner": "supervisee",
    "owner_person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "owner_name": null,
    "due_on": "2026-12-18", "status": "open", "overdue": false, "done_at": null, "done_by": null
}))]
pub struct ActionView {
    pub id: String,
    pub record_id: String,
    pub description: String,
    pub owner: records::ActionOwner,
    /// The person who owns it, when they use the service.
    pub owner_person_id: Option<String>,
    pub owner_name: Option<String>,
    pub due_on: NaiveDate,
    /// `open` or `done`.
    pub status: String,
    pub overdue: bool,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
}

impl From<TrackedAction> for ActionView {
    fn from(a: TrackedAction) -> ActionView {
        ActionView {
            overdue: a.status == store::ACTION_OPEN && a.due_on < organisation_today(),
            id: a.id,
            record_id: a.record_id,
            description: a.description,
            owner: a.owner_kind,
            owner_person_id: a.owner_person_id,
            owner_name: a.owner_name,
            due_on: a.due_on,
            status: a.status,
            done_at: a.done_at.map(utc),
            done_by: a.done_by,
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

impl TryFrom<Access> for AccessView {
    type Error = StoreError;

    fn try_from(a: Access) -> StoreResult<AccessView> {
        Ok(AccessView {
            reason: a.reason.parse().map_err(|_| StoreError::NotFound)?,
            id: a.id,
            person_id: a.person_id,
            detail: a.detail,
            accessed_at: utc(a.accessed_at),
        })
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

pub(super) fn record_view(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    record: &Record,
    standing: Standing,
) -> StoreResult<RecordView> {
    let current = store::version(conn, &record.id, record.current_version)?;
    let template = store::template(conn, &current.template_id)?;
    let carried = store::open_actions_of_supervisee(conn, &record.supervisee_id, &record.id)?
        .into_iter()
        .map(ActionView::from)
        .collect();
    let third_party_reads = if standing.is_party() {
        store::accesses(conn, &record.id)?
            .into_iter()
            .map(AccessView::try_from)
            .collect::<StoreResult<_>>()?
    } else {
        Vec::new()
    };
    Ok(RecordView {
        record: RecordSummary::new(record, calendars),
        standing,
        template: template.into(),
        content_version: current.number,
        content: current.content,
        content_hash: current.content_hash,
        carried_actions: carried,
        actions: store::actions_of_record(conn, &record.id)?
            .into_iter()
            .map(ActionView::from)
            .collect(),
        addenda: store::addenda(conn, &record.id)?
            .into_iter()
            .map(AddendumView::from)
            .collect(),
        timeline: store::events(conn, &record.id)?
            .into_iter()
            .map(EventView::from)
            .collect(),
        third_party_reads,
    })
}

pub(super) fn respond(status: actix_web::http::StatusCode, view: RecordView) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("ETag", etag(view.record.version)))
        .json(view)
}

// ---- Who may do what ----

/// The caller's standing to a record today (ACC-2, ACC-3).
fn standing_of(
    conn: &mut DbConnection,
    caller: &Caller,
    record: &Record,
) -> StoreResult<Option<Standing>> {
    if record.supervisee_id == caller.person_id {
        return Ok(Some(Standing::Supervisee));
    }
    let today = organisation_today();
    let line_manager = links::manager_on(conn, &record.supervisee_id, today)?;
    let oversight = caller.is_admin
        || caller.is_auditor
        || links::is_above(conn, &caller.person_id, &record.supervisor_id, today)?
        || links::is_above(conn, &caller.person_id, &record.supervisee_id, today)?;
    Ok(records::standing(Relation {
        is_supervisor: record.supervisor_id == caller.person_id,
        is_supervisee: false,
        supervisor_still_supervises: crate::app::visibility::supervises_on(
            conn,
            &record.supervisor_id,
            &record.supervisee_id,
            today,
        )?,
        // ACC-3: the person's line manager from the date of the change.
        caller_supervises_supervisee: line_manager.as_deref() == Some(caller.person_id.as_str()),
        oversight,
    }))
}

/// The record and the caller's standing; a stranger gets 404 whether or not it exists
/// (ACC-5).
pub(super) fn find_for(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> StoreResult<(Record, Standing)> {
    let record = store::find(conn, id)?;
    match standing_of(conn, caller, &record)? {
        Some(standing) => Ok((record, standing)),
        None => Err(StoreError::NotFound),
    }
}

/// The record for someone who reads it without a reason: its parties, its writer and the
/// supervisee's line manager. A read by the line manager who did not write it is logged
/// (ACC-4); a third party is told to make an access request.
fn find_readable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> StoreResult<Result<(Record, Standing), ApiError>> {
    let (record, standing) = find_for(conn, caller, id)?;
    if !standing.reads_directly() {
        return Ok(Err(ApiError::ReasonRequired));
    }
    if !standing.is_party() {
        audit::record(
            conn,
            &caller.for_audit(),
            "record.read",
            "record",
            Some(&record.id),
            json!({"standing": standing}),
        )?;
    }
    Ok(Ok((record, standing)))
}

/// The party acting, or why the caller may not act on the record.
pub(super) fn acting_party(standing: Standing) -> Result<Party, ApiError> {
    standing.party().ok_or(ApiError::Forbidden(
        "you may read this record but not change it",
    ))
}

pub(super) fn refusal(refusal: records::Refusal) -> ApiError {
    match refusal {
        records::Refusal::NotYourStep => ApiError::Forbidden("the other party takes this step"),
        other => ApiError::Conflict(other.message()),
    }
}

pub(super) fn hash_of(
    record: &Record,
    template_id: &str,
    number: i32,
    content: &Content,
) -> String {
    content_hash(&SignedVersion {
        record_id: &record.id,
        session_id: &record.session_id,
        supervisor_id: &record.supervisor_id,
        supervisee_id: &record.supervisee_id,
        held_on: record.held_on,
        template_id,
        version: number,
        content,
    })
}

pub(super) fn notify_about(
    conn: &mut DbConnection,
    person_id: &str,
    record: &Record,
    kind: &str,
    title: &str,
    body: &str,
) -> StoreResult<()> {
    notifications::notify(
        conn,
        NewNotification {
            person_id,
            kind,
            title,
            body,
            link: &format!("/records/{}", record.id),
            subject_type: "record",
            subject_id: &record.id,
        },
    )
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
    let id = id.into_inner();
    let calendars = state.calendars.clone();
    let view = state
        .db
        .write(move |conn| {
            let session = sessions::find(conn, &id)?;
            if session.supervisor_id != caller.person_id {
                let party = session.supervisee_id.as_deref() == Some(caller.person_id.as_str());
                return Ok(Err(
                    if party || may_see(conn, &caller, &session.supervisor_id)? {
                        ApiError::Forbidden("the supervisor opens the record")
                    } else {
                        ApiError::NotFound
                    },
                ));
            }
            let template = match body.0.template_id {
                Some(template_id) => Some(store::template(conn, &template_id)?),
                None => None,
            };
            let calendars = calendars.load(conn)?;
            let (record, created) = match crate::app::records::open_for_session(
                conn,
                &calendars,
                &session,
                template,
                &caller.person_id,
            ) {
                Ok(opened) => opened,
                Err(crate::app::AppError::Store(store)) => return Err(store),
                Err(refused) => return Ok(Err(refused.into())),
            };
            if created {
                audit::record(
                    conn,
                    &caller.for_audit(),
                    "record.opened",
                    "record",
                    Some(&record.id),
                    json!({"session_id": session.id, "template_id": record.template_id}),
                )?;
            }
            let view = record_view(conn, &calendars, &record, Standing::Supervisor)?;
            Ok(Ok((view, created)))
        })
        .await;
    let (view, created) = settle(view)?;
    let status = if created {
        actix_web::http::StatusCode::CREATED
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(respond(status, view))
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
    let id = id.into_inner();
    let calendars = state.calendars.clone();
    let view = state
        .db
        .write(move |conn| {
            let record = store::for_session(conn, &id)?.ok_or(StoreError::NotFound)?;
            read_view(conn, &calendars, &caller, &record.id)
        })
        .await;
    Ok(respond(actix_web::http::StatusCode::OK, settle(view)?))
}

fn read_view(
    conn: &mut DbConnection,
    calendars: &crate::store::organisation::Calendars,
    caller: &Caller,
    id: &str,
) -> StoreResult<ApiResult<RecordView>> {
    let (record, standing) = match find_readable(conn, caller, id)? {
        Ok(found) => found,
        Err(refused) => return Ok(Err(refused)),
    };
    let calendars = calendars.load(conn)?;
    Ok(Ok(record_view(conn, &calendars, &record, standing)?))
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
    let id = id.into_inner();
    let calendars = state.calendars.clone();
    // A write: reads by anyone but the parties are logged in the same transaction.
    let view = state
        .db
        .write(move |conn| read_view(conn, &calendars, &caller, &id))
        .await;
    Ok(respond(actix_web::http::StatusCode::OK, settle(view)?))
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
    let id = id.into_inner();
    let list = state
        .db
        .write(move |conn| {
            let (record, _) = match find_readable(conn, &caller, &id)? {
                Ok(found) => found,
                Err(refused) => return Ok(Err(refused)),
            };
            let versions = store::versions(conn, &record.id)?
                .into_iter()
                .map(|v| version_view(&record, v, false))
                .collect::<Vec<_>>();
            Ok(Ok(versions))
        })
        .await;
    Ok(HttpResponse::Ok().json(settle(list)?))
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
    let found = state
        .db
        .write(move |conn| {
            let (record, _) = match find_readable(conn, &caller, &id)? {
                Ok(found) => found,
                Err(refused) => return Ok(Err(refused)),
            };
            let version = store::version(conn, &record.id, number)?;
            Ok(Ok(version_view(&record, version, true)))
        })
        .await;
    Ok(HttpResponse::Ok().json(settle(found)?))
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
    let id = id.into_inner();
    let page = state
        .db
        .write(move |conn| {
            let (record, _) = match find_readable(conn, &caller, &id)? {
                Ok(found) => found,
                Err(refused) => return Ok(Err(refused)),
            };
            let Some(signed_number) = record.signed_version else {
                return Ok(Err(ApiError::Conflict(
                    "only a record signed by both can be printed".into(),
                )));
            };
            let signed = store::version(conn, &record.id, signed_number)?;
            let template = store::template(conn, &signed.template_id)?;
            let supervisor = people::find(conn, &record.supervisor_id)?.display_name;
            let supervisee = people::find(conn, &record.supervisee_id)?.display_name;
            let events = store::events(conn, &record.id)?;
            let addenda = store::addenda(conn, &record.id)?;
            Ok(Ok(crate::http::print::record_page(
                &crate::http::print::Printable {
                    record: &record,
                    supervisor: &supervisor,
                    supervisee: &supervisee,
                    template: &template,
                    signed: &signed,
                    events: &events,
                    addenda: &addenda,
                },
            )))
        })
        .await;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(settle(page)?))
}

// ---- Third-party access (ACC-2) ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "audit", "detail": "Quarterly case-file audit, sample 4 of 12."}))]
pub struct AccessRequest {
    pub reason: AccessReason,
    /// Why, in words (10 to 1,000 characters).
    #[schema(min_length = 10, max_length = 1000)]
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
    let detail = bounded_text("detail", &detail, 10, 1_000)?;
    let id = id.into_inner();
    let calendars = state.calendars.clone();
    let granted = state
        .db
        .write(move |conn| {
            let (record, standing) = find_for(conn, &caller, &id)?;
            if standing.reads_directly() {
                return Ok(Err(ApiError::Conflict(
                    "you read this record without a reason; GET it instead".into(),
                )));
            }
            let access = store::record_access(
                conn,
                &record.id,
                &caller.person_id,
                reason.as_str(),
                &detail,
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "record.read",
                "record",
                Some(&record.id),
                json!({"standing": standing, "reason": reason}),
            )?;
            notify_about(
                conn,
                &record.supervisee_id,
                &record,
                "record_accessed",
                "Your supervision record was read",
                &format!(
                    "The record of your session on {} was read for this reason: {}.",
                    record.held_on,
                    reason.as_str()
                ),
            )?;
            let calendars = calendars.load(conn)?;
            Ok(Ok(AccessGranted {
                access: AccessView::try_from(access)?,
                record: record_view(conn, &calendars, &record, standing)?,
            }))
        })
        .await;
    Ok(HttpResponse::Ok().json(settle(granted)?))
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
    fn filter(&self) -> Result<store::Filter, Invalid> {
        let (from, to) = (self.from.map(Day::date), self.to.map(Day::date));
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(Invalid::field("to", "must not be before from"));
            }
        }
        Ok(store::Filter {
            statuses: self.status.into_iter().collect(),
            from,
            to,
            late_on: (self.late == Some(true)).then(organisation_today),
            ..store::Filter::default()
        })
    }
}

async fn list(
    state: web::Data<AppState>,
    filter: store::Filter,
    page: crate::store::Page,
    allowed: impl FnOnce(&mut DbConnection) -> StoreResult<bool> + Send + 'static,
) -> ApiResult<HttpResponse> {
    let calendars = state.calendars.clone();
    let listed = state
        .db
        .read(move |conn| {
            if !allowed(conn)? {
                return Err(StoreError::NotFound);
            }
            let calendars = calendars.load(conn)?;
            let (items, total) = store::list(conn, &filter, page)?;
            let items = items
                .iter()
                .map(|r| RecordSummary::new(r, &calendars))
                .collect();
            Ok(Paged::new(items, total, page))
        })
        .await?;
    Ok(HttpResponse::Ok().json(listed))
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
    let page = page(query.0.limit, query.0.offset)?;
    let mut filter = query.0.filter()?;
    match query.0.role {
        None => filter.party = Some(caller.person_id),
        Some(RecordRole::Supervisor) => filter.supervisor_id = Some(caller.person_id),
        Some(RecordRole::Supervisee) => filter.supervisee_id = Some(caller.person_id),
    }
    list(state, filter, page, |_| Ok(true)).await
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
    let page = page(query.0.limit, query.0.offset)?;
    let mut filter = query.0.filter()?;
    let person = id.into_inner();
    filter.supervisee_id = Some(person.clone());
    list(state, filter, page, move |conn| {
        may_see(conn, &caller, &person)
    })
    .await
}
