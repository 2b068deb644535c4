//! Sessions: booking, moving with confirmation (SES-3), cancelling with a new date (SES-4),
//! held and missed, history, all with optimistic concurrency (SES-5).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::sessions::{self, Cancellation, Decision, Listing, Move, Outcome, SessionState};
use crate::domain::people::organisation_today;
use crate::domain::sessions::{ChangeReason, SessionStatus};
use crate::http::extract::{etag, page, Caller, IfMatch, Json, Query};
use crate::http::problem::{ApiResult, Problem};
use crate::http::views::sessions::{ChangeView, SessionView};
use crate::http::views::Paged;
use crate::http::AppState;
use crate::store::now;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(my_sessions)
        .service(my_pending_decisions)
        .service(person_sessions)
        .service(get_session)
        .service(session_history)
        .service(reschedule)
        .service(confirm_proposal)
        .service(reject_proposal)
        .service(cancel)
        .service(mark_held)
        .service(mark_missed);
}

fn view(state: SessionState) -> SessionView {
    SessionView::from_session(state.session, state.pending)
}

/// A session with its version as the ETag.
fn respond(state: SessionState) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("ETag", etag(state.session.version)))
        .json(view(state))
}

fn paged(
    items: Vec<SessionState>,
    total: i64,
    page: crate::store::Page,
) -> web::Json<Paged<SessionView>> {
    web::Json(Paged::new(
        items.into_iter().map(view).collect(),
        total,
        page,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionsQuery {
    /// Sessions starting at or after this instant (RFC 3339; default now).
    pub from: Option<DateTime<FixedOffset>>,
    /// Sessions starting before this instant (RFC 3339).
    pub to: Option<DateTime<FixedOffset>>,
    /// Only this status (default: scheduled and reschedule_pending).
    pub status: Option<SessionStatus>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

fn listing(query: &SessionsQuery) -> ApiResult<Listing> {
    Ok(Listing {
        from: query.from.map(|t| t.naive_utc()),
        to: query.to.map(|t| t.naive_utc()),
        status: query.status,
        page: page(query.limit, query.offset)?,
    })
}

/// Your upcoming sessions, as supervisor or supervisee, soonest first: the app's home
/// screen.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(SessionsQuery),
    responses(
        (status = 200, body = Paged<SessionView>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid range or paging", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/sessions")]
async fn my_sessions(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<SessionsQuery>,
) -> ApiResult<web::Json<Paged<SessionView>>> {
    let listing = listing(&query.0)?;
    let page = listing.page;
    let (items, total) = state
        .db
        .read_small(move |conn| {
            let me = caller.person_id.clone();
            sessions::list(conn, &caller, now(), &me, &listing)
        })
        .await?;
    Ok(paged(items, total, page))
}

/// Moves waiting for your decision, oldest proposal first: your supervisees' proposals, and,
/// as the line manager of a supervisor, moves past `due_by` in their supervision (SES-3). The
/// same moves remind you each working day (REM-2).
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<SessionView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/pending-decisions")]
async fn my_pending_decisions(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<web::Json<Vec<SessionView>>> {
    let waiting = state
        .db
        .read_small(move |conn| {
            sessions::awaiting_decision_of(conn, &caller.person_id, organisation_today())
        })
        .await?;
    Ok(web::Json(
        waiting
            .into_iter()
            .map(|(session, change)| SessionView::from_session(session, Some(change)))
            .collect(),
    ))
}

/// A person's sessions (the person, their managers, administrators and auditors).
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id"), SessionsQuery),
    responses(
        (status = 200, body = Paged<SessionView>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not one you may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid range or paging", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/sessions")]
async fn person_sessions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: Query<SessionsQuery>,
) -> ApiResult<web::Json<Paged<SessionView>>> {
    let listing = listing(&query.0)?;
    let page = listing.page;
    let (items, total) = state
        .db
        .query(move |conn| sessions::list(conn, &caller, now(), &id, &listing))
        .await?;
    Ok(paged(items, total, page))
}

/// One session, with any proposed move waiting for a decision.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Session id")),
    responses(
        (status = 200, body = SessionView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, or not one you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sessions/{id}")]
async fn get_session(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let found = state
        .db
        .query(move |conn| sessions::get(conn, &caller, &id))
        .await?;
    Ok(respond(found))
}

/// Every booking, move, proposal, decision and cancellation of a session, oldest first.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Session id")),
    responses(
        (status = 200, body = Vec<ChangeView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, or not one you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sessions/{id}/history")]
async fn session_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<Vec<ChangeView>>> {
    let changes = state
        .db
        .query(move |conn| sessions::history(conn, &caller, &id))
        .await?;
    Ok(web::Json(
        changes.into_iter().map(ChangeView::from).collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_at": "2026-12-10T10:00:00Z", "reason": "annual_leave"}))]
pub struct RescheduleBody {
    /// The new start; as near the original as possible (001).
    pub starts_at: DateTime<FixedOffset>,
    pub reason: ChangeReason,
    /// Required when the reason is `other`.
    #[schema(format = "one-line", max_length = 1000)]
    pub reason_text: Option<String>,
}

/// Move a session (SES-3). The supervisor's own move within the limit takes effect at once;
/// the supervisee's waits for the supervisor; a move beyond `due_by` waits for a manager
/// above the supervisor and counts as a breach if confirmed.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    request_body = RescheduleBody,
    params(
        ("id" = String, Path, description = "Session id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, description = "Moved, or proposed (see status and pending_change)", body = SessionView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a party to the session", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The session is not scheduled (held, cancelled, or a move is pending)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sessions/{id}/reschedule")]
async fn reschedule(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<RescheduleBody>,
) -> ApiResult<HttpResponse> {
    let change = Move {
        to: body.0.starts_at.naive_utc(),
        reason: body.0.reason,
        reason_text: body.0.reason_text,
    };
    let calendars = state.calendars.clone();
    let moved = state
        .db
        .transact(move |conn| {
            sessions::reschedule(conn, &caller, now(), &calendars, &id, version, change)
        })
        .await?;
    Ok(respond(moved))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"justification": "Court hearing all week; next session booked for the first day back."}))]
pub struct ConfirmBody {
    /// Required when the move lands after `due_by` (a breach).
    #[schema(format = "one-line", max_length = 2000)]
    pub justification: Option<String>,
}

/// Confirm a proposed move. Beyond `due_by` this is a manager above the supervisor, with a
/// written justification, and the move is recorded as a breach.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    request_body = ConfirmBody,
    params(
        ("id" = String, Path, description = "Session id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = SessionView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the person who decides this proposal", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No move is pending", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read: someone else decided first", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Justification missing for a breach", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sessions/{id}/proposal/confirm")]
async fn confirm_proposal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<ConfirmBody>,
) -> ApiResult<HttpResponse> {
    let decision = Decision::Confirm {
        justification: body.0.justification,
    };
    let decided = state
        .db
        .transact(move |conn| sessions::decide(conn, &caller, &id, version, decision))
        .await?;
    Ok(respond(decided))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "Please keep Thursday; I can do 14:00 instead."}))]
pub struct RejectBody {
    #[schema(format = "one-line", max_length = 2000)]
    pub comment: Option<String>,
}

/// Reject a proposed move: the session stays where it was. Only the party who did not
/// propose it, while the move is pending; an optional comment says why. Needs `If-Match`.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    request_body = RejectBody,
    params(
        ("id" = String, Path, description = "Session id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = SessionView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the person who decides this proposal", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No move is pending", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid comment", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sessions/{id}/proposal/reject")]
async fn reject_proposal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<RejectBody>,
) -> ApiResult<HttpResponse> {
    let decision = Decision::Reject {
        comment: body.0.comment,
    };
    let decided = state
        .db
        .transact(move |conn| sessions::decide(conn, &caller, &id, version, decision))
        .await?;
    Ok(respond(decided))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "sickness", "new_starts_at": "2026-12-08T10:00:00Z"}))]
pub struct CancelBody {
    pub reason: ChangeReason,
    #[schema(format = "one-line", max_length = 1000)]
    pub reason_text: Option<String>,
    /// The early alternative date (SES-4); required unless the relationship ended.
    pub new_starts_at: Option<DateTime<FixedOffset>>,
    /// The supervision relationship has ended, so no new date is set.
    #[serde(default)]
    pub relationship_ended: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"cancelled": {"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f90", "status": "cancelled"}, "replacement": null}))]
pub struct Cancelled {
    pub cancelled: SessionView,
    /// The session booked at the new date.
    pub replacement: Option<SessionView>,
}

/// Cancel a session with a reason and a new date (SES-4). A cancellation with a new date is
/// a move and follows SES-3 in full: the supervisor's own within `due_by` cancels and books
/// the new session at once; the supervisee's, or any beyond `due_by`, is recorded as a
/// proposed move (the session answers `reschedule_pending`, nothing is booked) for the
/// supervisor or a manager above them to decide. Without a new date (the relationship
/// ended) only the supervisor or a manager above them cancels.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    request_body = CancelBody,
    params(
        ("id" = String, Path, description = "Session id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = Cancelled),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a party to the session; or, without a new date, not its supervisor or a manager above them", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The session is held, missed or already cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Reason or new date missing or invalid", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sessions/{id}/cancel")]
async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<CancelBody>,
) -> ApiResult<web::Json<Cancelled>> {
    let cancellation = Cancellation {
        reason: body.0.reason,
        reason_text: body.0.reason_text,
        new_starts_at: body.0.new_starts_at.map(|t| t.naive_utc()),
        relationship_ended: body.0.relationship_ended,
    };
    let calendars = state.calendars.clone();
    let done = state
        .db
        .transact(move |conn| {
            sessions::cancel(conn, &caller, now(), &calendars, &id, version, cancellation)
        })
        .await?;
    Ok(web::Json(Cancelled {
        cancelled: view(done.cancelled),
        replacement: done.replacement.map(|r| SessionView::from_session(r, None)),
    }))
}

/// Records that a session happened, or did not.
async fn mark(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    version: IfMatch,
    outcome: Outcome,
) -> ApiResult<HttpResponse> {
    let calendars = state.calendars.clone();
    let marked = state
        .db
        .transact(move |conn| {
            sessions::mark(conn, &caller, now(), &calendars, &id, version, outcome)
        })
        .await?;
    Ok(respond(marked))
}

/// Record that a session was held (the supervisor, once it has started). The scheduled
/// session becomes held and its record of supervision is opened for writing. Needs
/// `If-Match`.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Session id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = SessionView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not started yet, or not scheduled", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sessions/{id}/held")]
async fn mark_held(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
) -> ApiResult<HttpResponse> {
    mark(state, caller, id.into_inner(), version, Outcome::Held).await
}

/// Record that a session did not take place (the supervisor, once it was due to start).
/// The scheduled session becomes missed. Needs `If-Match`.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Session id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = SessionView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not started yet, or not scheduled", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sessions/{id}/missed")]
async fn mark_missed(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
) -> ApiResult<HttpResponse> {
    mark(state, caller, id.into_inner(), version, Outcome::Missed).await
}
