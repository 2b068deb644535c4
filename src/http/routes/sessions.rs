//! Sessions: booking, moving with confirmation (SES-3), cancelling with a new date (SES-4),
//! held and missed, history, all with optimistic concurrency (SES-5).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::agreements::{find_visible as find_agreement, BookSession};
use super::people::{may_see, utc};
use super::records::open_for_session;
use super::Paged;
use crate::domain::people::organisation_today;
use crate::domain::scheduling::utc_to_local_date;
use crate::domain::sessions::{
    check_cancellation, check_reason, decide_move, may_cancel, AgreementKind, AgreementStatus,
    ChangeAction, ChangeReason, ChangeState, MoveDecision, Party, SessionKind, SessionStatus,
    SESSION_MINUTES,
};
use crate::domain::validation::{bounded_text, Invalid};
use crate::http::extract::{etag, page, Caller, IfMatch, Json, Query};
use crate::http::problem::{settle, ApiError, ApiResult, Problem};
use crate::http::AppState;
use crate::store::line_management as links;
use crate::store::sessions::{self, Change, NewChange, NewSession, Session};
use crate::store::status::{self, zone};
use crate::store::{agreements, audit, now, people, DbConnection, StoreError, StoreResult};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(my_sessions)
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

/// One entry of a session's history (SES-3: who, when, from, to, why, who confirmed).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f91", "action": "proposed", "state": "pending",
    "from_starts_at": "2026-12-03T10:00:00Z", "to_starts_at": "2026-12-10T10:00:00Z",
    "reason": "annual_leave", "reason_text": null, "due_by": "2026-12-08",
    "needs_manager": true, "breach": false,
    "actor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "acted_at": "2026-11-25T10:00:00Z",
    "decided_by": null, "decided_at": null, "justification": null, "comment": null
}))]
pub struct ChangeView {
    pub id: String,
    /// booked, moved, proposed, cancelled, held or missed.
    pub action: String,
    /// done; for proposals pending, confirmed or rejected.
    pub state: String,
    /// When the session was planned for before this change: a move's old time, or the time
    /// of the session cancelled, held or missed.
    pub from_starts_at: Option<DateTime<Utc>>,
    /// A move's new time, or a cancelled session's replacement.
    pub to_starts_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub reason_text: Option<String>,
    /// The limit the move was judged against.
    pub due_by: Option<NaiveDate>,
    /// The move lands after `due_by`: a manager above the supervisor must confirm.
    pub needs_manager: bool,
    /// Confirmed beyond the limit: reported as a breach.
    pub breach: bool,
    pub actor_id: String,
    pub acted_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub justification: Option<String>,
    pub comment: Option<String>,
}

impl From<Change> for ChangeView {
    fn from(c: Change) -> ChangeView {
        ChangeView {
            id: c.id,
            action: c.action,
            state: c.state,
            from_starts_at: c.from_starts_at.map(utc),
            to_starts_at: c.to_starts_at.map(utc),
            reason: c.reason,
            reason_text: c.reason_text,
            due_by: c.due_by,
            needs_manager: c.needs_manager,
            breach: c.breach,
            actor_id: c.actor_id,
            acted_at: utc(c.acted_at),
            decided_by: c.decided_by,
            decided_at: c.decided_at.map(utc),
            justification: c.justification,
            comment: c.comment,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f90",
    "agreement_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80", "team_id": null,
    "kind": "one_to_one",
    "supervisor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "supervisee_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "starts_at": "2026-12-03T10:00:00Z", "ends_at": "2026-12-03T11:30:00Z",
    "duration_minutes": 90, "place": "Room 2, Shire Hall", "status": "scheduled",
    "replaces_id": null, "pending_change": null, "recorded_after_the_fact": false,
    "version": 1, "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z"
}))]
pub struct SessionView {
    pub id: String,
    pub agreement_id: Option<String>,
    pub team_id: Option<String>,
    pub kind: SessionKind,
    pub supervisor_id: String,
    pub supervisee_id: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub place: String,
    pub status: SessionStatus,
    /// The cancelled session this one replaces (SES-4).
    pub replaces_id: Option<String>,
    /// A proposed move waiting for a decision.
    pub pending_change: Option<ChangeView>,
    /// Entered later as history: held before the service was used for it (SES-6).
    pub recorded_after_the_fact: bool,
    /// Also the ETag; send it as If-Match to change the session.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SessionView {
    pub fn from_session(s: Session, pending: Option<Change>) -> SessionView {
        let starts_at = utc(s.starts_at);
        SessionView {
            ends_at: starts_at + chrono::Duration::minutes(i64::from(s.duration_minutes)),
            starts_at,
            id: s.id,
            agreement_id: s.agreement_id,
            team_id: s.team_id,
            kind: s.kind,
            supervisor_id: s.supervisor_id,
            supervisee_id: s.supervisee_id,
            duration_minutes: s.duration_minutes,
            place: s.place,
            status: s.status,
            replaces_id: s.replaces_id,
            pending_change: pending.map(ChangeView::from),
            recorded_after_the_fact: s.recorded_after_the_fact,
            version: s.version,
            created_at: utc(s.created_at),
            updated_at: utc(s.updated_at),
        }
    }
}

fn session_response(conn: &mut DbConnection, session: Session) -> StoreResult<(i32, SessionView)> {
    let pending = sessions::pending_change(conn, &session.id)?;
    Ok((session.version, SessionView::from_session(session, pending)))
}

fn respond(
    status: actix_web::http::StatusCode,
    (version, view): (i32, SessionView),
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("ETag", etag(version)))
        .json(view)
}

/// Parties, administrators, auditors and managers above either party may see a session.
fn find_visible(conn: &mut DbConnection, caller: &Caller, id: &str) -> StoreResult<Session> {
    let session = sessions::find(conn, id)?;
    let party = session.supervisor_id == caller.person_id
        || session.supervisee_id.as_deref() == Some(caller.person_id.as_str());
    let above = match &session.supervisee_id {
        Some(supervisee) => may_see(conn, caller, supervisee)?,
        None => may_see(conn, caller, &session.supervisor_id)?,
    };
    // A team's group session is visible to its members.
    let member = match &session.team_id {
        Some(team) => people::find(conn, &caller.person_id)?.team_id.as_ref() == Some(team),
        None => false,
    };
    if party || above || member {
        Ok(session)
    } else {
        Err(StoreError::NotFound)
    }
}

fn party_of(session: &Session, person_id: &str) -> Option<Party> {
    if session.supervisor_id == person_id {
        Some(Party::Supervisor)
    } else if session.supervisee_id.as_deref() == Some(person_id) {
        Some(Party::Supervisee)
    } else {
        None
    }
}

/// Books one session under an agreement; shared with the agreements routes.
pub async fn book_session(
    state: &web::Data<AppState>,
    caller: Caller,
    agreement_id: String,
    body: BookSession,
) -> ApiResult<Session> {
    let kind = body.kind.unwrap_or(SessionKind::OneToOne);
    let starts_at = body.starts_at.naive_utc();
    let mut invalid = Invalid::default();
    if starts_at <= now() {
        invalid.push("starts_at", "must be in the future");
    }
    if kind == SessionKind::Group {
        invalid.push("kind", "group sessions belong to a team, not an agreement");
    }
    if body
        .duration_minutes
        .is_some_and(|m| !SESSION_MINUTES.contains(&m))
    {
        invalid.push("duration_minutes", "must be between 15 and 480");
    }
    let place = body
        .place
        .as_deref()
        .and_then(|p| invalid.check(bounded_text("place", p, 1, 500)));
    invalid.into_result(|| ())?;
    let actor = caller.actor();
    state
        .db
        .write(move |conn| {
            let agreement = find_agreement(conn, &caller, &agreement_id)?;
            let party = agreement.party(&caller.person_id);
            let allowed = party == Some(Party::Supervisor)
                || caller.is_admin
                || (party == Some(Party::Supervisee) && kind == SessionKind::AdHoc);
            if !allowed {
                return Ok(Err(ApiError::Forbidden("the supervisor books sessions")));
            }
            // PDR-1: the review is part of line management, and matched to the person's cycle.
            if kind == SessionKind::Pdr && agreement.kind != AgreementKind::LineManagement {
                return Ok(Err(Invalid::field(
                    "kind",
                    "a PDR is held under the line-management agreement",
                )
                .into()));
            }
            if agreement.status(organisation_today()) != AgreementStatus::Active {
                return Ok(Err(ApiError::Conflict(
                    "the agreement must be signed by both people (and not ended) first".into(),
                )));
            }
            let session = sessions::insert(
                conn,
                NewSession {
                    agreement_id: Some(agreement.id.clone()),
                    team_id: None,
                    kind,
                    supervisor_id: agreement.supervisor_id.clone(),
                    supervisee_id: Some(agreement.supervisee_id.clone()),
                    starts_at,
                    duration_minutes: body.duration_minutes.unwrap_or(agreement.session_minutes),
                    place: place.unwrap_or(agreement.place.clone()),
                    replaces_id: None,
                    created_by: caller.person_id.clone(),
                },
            )?;
            audit::record(
                conn,
                &actor,
                "session.booked",
                "session",
                Some(&session.id),
                json!({"starts_at": utc(starts_at)}),
            )?;
            Ok(Ok(session))
        })
        .await?
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

fn list_for(
    conn: &mut DbConnection,
    person_id: &str,
    query: &SessionsQuery,
    page: crate::store::Page,
) -> StoreResult<(Vec<SessionView>, i64)> {
    let filter = sessions::Filter {
        person_id: Some(person_id.to_string()),
        agreement_id: None,
        team_id: None,
        from: Some(query.from.map_or_else(now, |t| t.naive_utc())),
        to: query.to.map(|t| t.naive_utc()),
        statuses: match query.status {
            Some(status) => vec![status],
            None => vec![SessionStatus::Scheduled, SessionStatus::ReschedulePending],
        },
    };
    let (items, total) = sessions::list_with_pending(conn, &filter, page)?;
    let views = items
        .into_iter()
        .map(|(session, pending)| SessionView::from_session(session, pending))
        .collect();
    Ok((views, total))
}

fn check_range(query: &SessionsQuery) -> Result<crate::store::Page, Invalid> {
    if let (Some(from), Some(to)) = (query.from, query.to) {
        if to <= from {
            return Err(Invalid::field("to", "must be after from"));
        }
    }
    page(query.limit, query.offset)
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
    let page = check_range(&query.0)?;
    let (items, total) = state
        .db
        .read_small(move |conn| list_for(conn, &caller.person_id, &query.0, page))
        .await?;
    Ok(web::Json(Paged::new(items, total, page)))
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
    let page = check_range(&query.0)?;
    let id = id.into_inner();
    let (items, total) = state
        .db
        .read(move |conn| {
            if !may_see(conn, &caller, &id)? {
                return Err(StoreError::NotFound);
            }
            list_for(conn, &id, &query.0, page)
        })
        .await?;
    Ok(web::Json(Paged::new(items, total, page)))
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
    let id = id.into_inner();
    let view = state
        .db
        .read(move |conn| {
            let session = find_visible(conn, &caller, &id)?;
            session_response(conn, session)
        })
        .await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
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
    let id = id.into_inner();
    let changes = state
        .db
        .read(move |conn| {
            find_visible(conn, &caller, &id)?;
            sessions::history(conn, &id)
        })
        .await?;
    Ok(web::Json(
        changes.into_iter().map(ChangeView::from).collect(),
    ))
}

/// The limit a move of this session is judged against: the due date after the previous
/// counting session (held or booked), or none for sessions the frequency does not count.
fn due_by_for(
    conn: &mut DbConnection,
    state: &AppState,
    session: &Session,
) -> StoreResult<Option<NaiveDate>> {
    let (Some(supervisee_id), Some(agreement_id)) = (&session.supervisee_id, &session.agreement_id)
    else {
        return Ok(None);
    };
    if session.kind != SessionKind::OneToOne {
        return Ok(None);
    }
    let supervisee = people::find(conn, supervisee_id)?;
    let calendars = state.calendars.load(conn)?;
    let profile = calendars.settings.profile();
    let agreement = agreements::find(conn, agreement_id)?;
    let today = utc_to_local_date(now(), zone(&supervisee));
    let alternating = profile
        .requirement(
            supervisee.staff_category,
            &status::person_dates(&supervisee),
            today,
        )
        .alternate_supervisors;
    if !agreement.kind.counts_for_frequency(alternating) {
        return Ok(None);
    }
    let all = agreements::for_supervisees(conn, std::slice::from_ref(supervisee_id))?;
    let counting: Vec<String> = all
        .iter()
        .filter(|a| a.kind.counts_for_frequency(alternating))
        .map(|a| a.id.clone())
        .collect();
    let starts = sessions::starts(
        conn,
        sessions::Owner::Agreements(&counting),
        &SessionStatus::HELD_OR_BOOKED,
    )?;
    let tz = zone(&supervisee);
    let previous = starts
        .iter()
        .filter(|at| **at < session.starts_at)
        .max()
        .map(|at| utc_to_local_date(*at, tz));
    let facts = status::facts(conn, &calendars, &supervisee, &all, now())?;
    let due = facts
        .due_after(calendars.organisation(), &profile, previous)
        .map_err(|e| {
            StoreError::Database(diesel::result::Error::QueryBuilderError(
                e.to_string().into(),
            ))
        })?;
    Ok(Some(due))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_at": "2026-12-10T10:00:00Z", "reason": "annual_leave"}))]
pub struct RescheduleBody {
    /// The new start; as near the original as possible (001).
    pub starts_at: DateTime<FixedOffset>,
    pub reason: ChangeReason,
    /// Required when the reason is `other`.
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
    let id = id.into_inner();
    let body = body.0;
    let reason_text = check_reason(body.reason, body.reason_text.as_deref())?;
    let to = body.starts_at.naive_utc();
    if to <= now() {
        return Err(Invalid::field("starts_at", "must be in the future").into());
    }
    let actor = caller.actor();
    let view = state
        .db
        .write({
            let state = state.clone();
            move |conn| {
                let session = find_visible(conn, &caller, &id)?;
                let Some(party) = party_of(&session, &caller.person_id) else {
                    return Ok(Err(ApiError::Forbidden(
                        "only the supervisor and the supervisee move a session",
                    )));
                };
                if session.status != SessionStatus::Scheduled {
                    return Ok(Err(ApiError::Conflict(format!(
                        "the session is {}",
                        session.status.as_str()
                    ))));
                }
                if session.version != version.expect(session.version) {
                    return Err(StoreError::VersionMismatch {
                        current: session.version,
                    });
                }
                let due_by = due_by_for(conn, &state, &session)?;
                let (decision, updated) = move_session(
                    conn,
                    &session,
                    party,
                    Move {
                        to,
                        reason: body.reason,
                        reason_text,
                        due_by,
                    },
                    &caller.person_id,
                )?;
                let immediate = decision == MoveDecision::Immediate;
                audit::record(
                    conn,
                    &actor,
                    if immediate {
                        "session.moved"
                    } else {
                        "session.move_proposed"
                    },
                    "session",
                    Some(&id),
                    json!({"to": utc(to), "reason": body.reason.as_str()}),
                )?;
                Ok(Ok(session_response(conn, updated)?))
            }
        })
        .await;
    finish(view, actix_web::http::StatusCode::OK)
}

/// The time zone a session's dates are counted in: its supervisee's.
fn session_zone(conn: &mut DbConnection, session: &Session) -> StoreResult<chrono_tz::Tz> {
    Ok(session
        .supervisee_id
        .as_deref()
        .map(|p| people::find(conn, p).map(|p| zone(&p)))
        .transpose()?
        .unwrap_or(chrono_tz::Europe::London))
}

/// A new time for a session and why.
struct Move {
    to: NaiveDateTime,
    reason: ChangeReason,
    reason_text: Option<String>,
    due_by: Option<NaiveDate>,
}

/// Moves a session as SES-3 decides: the supervisor's own move within the limit takes effect
/// at once; any other waits in `reschedule_pending` for the supervisor or, beyond `due_by`, a
/// manager above them. Shared by moving and by cancelling with a new date, which is a move.
fn move_session(
    conn: &mut DbConnection,
    session: &Session,
    party: Party,
    change: Move,
    actor_id: &str,
) -> StoreResult<(MoveDecision, Session)> {
    let tz = session_zone(conn, session)?;
    let decision = decide_move(party, utc_to_local_date(change.to, tz), change.due_by);
    let immediate = decision == MoveDecision::Immediate;
    let updated = sessions::update(
        conn,
        &session.id,
        session.version,
        if immediate {
            SessionStatus::Scheduled
        } else {
            SessionStatus::ReschedulePending
        },
        immediate.then_some(change.to),
    )?;
    sessions::record_change(
        conn,
        NewChange {
            session_id: &session.id,
            action: if immediate {
                ChangeAction::Moved
            } else {
                ChangeAction::Proposed
            },
            state: if immediate {
                ChangeState::Done
            } else {
                ChangeState::Pending
            },
            from_starts_at: Some(session.starts_at),
            to_starts_at: Some(change.to),
            reason: Some(change.reason),
            reason_text: change.reason_text,
            due_by: change.due_by,
            needs_manager: decision == MoveDecision::ManagerConfirms,
            breach: false,
            actor_id,
        },
    )?;
    Ok((decision, updated))
}

/// Maps a write's outcome to the session's answer.
fn finish(
    outcome: StoreResult<Result<(i32, SessionView), ApiError>>,
    status: actix_web::http::StatusCode,
) -> ApiResult<HttpResponse> {
    Ok(respond(status, settle(outcome)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"justification": "Court hearing all week; next session booked for the first day back."}))]
pub struct ConfirmBody {
    /// Required when the move lands after `due_by` (a breach).
    pub justification: Option<String>,
}

/// Whether the caller may decide this proposal. Confirming is for the supervisor (a
/// supervisee's proposal within the limit) or a manager above the supervisor (beyond it).
/// Rejecting keeps the session within the limit, so the proposer may also withdraw their own
/// proposal and the supervisor may turn down any of the supervisee's.
fn may_decide(
    conn: &mut DbConnection,
    caller: &Caller,
    session: &Session,
    change: &Change,
    confirm: bool,
) -> StoreResult<bool> {
    let supervisor = session.supervisor_id == caller.person_id;
    let proposer = change.actor_id == caller.person_id;
    if !confirm && (proposer || supervisor) {
        return Ok(true);
    }
    if change.needs_manager {
        links::is_above(
            conn,
            &caller.person_id,
            &session.supervisor_id,
            organisation_today(),
        )
    } else {
        Ok(supervisor && !proposer)
    }
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
    let id = id.into_inner();
    let justification = body.0.justification;
    decide(state, caller, id, version, true, justification).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "Please keep Thursday; I can do 14:00 instead."}))]
pub struct RejectBody {
    pub comment: Option<String>,
}

/// Reject a proposed move: the session stays where it was.
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
    let id = id.into_inner();
    let comment = body.0.comment;
    decide(state, caller, id, version, false, comment).await
}

/// Confirms or rejects the pending proposal; `text` is the justification or the comment.
async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    version: IfMatch,
    confirm: bool,
    text: Option<String>,
) -> ApiResult<HttpResponse> {
    let field = if confirm { "justification" } else { "comment" };
    let text = match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(bounded_text(field, t, 1, 2000)?),
        None => None,
    };
    let actor = caller.actor();
    let outcome = state
        .db
        .write(move |conn| {
            let session = find_visible(conn, &caller, &id)?;
            let Some(change) = sessions::pending_change(conn, &id)? else {
                return Ok(Err(ApiError::Conflict(
                    "no move is waiting for a decision".into(),
                )));
            };
            if session.version != version.expect(session.version) {
                return Err(StoreError::VersionMismatch {
                    current: session.version,
                });
            }
            if !may_decide(conn, &caller, &session, &change, confirm)? {
                return Ok(Err(ApiError::Forbidden(if change.needs_manager {
                    "a move beyond the limit is decided by a manager above the supervisor"
                } else {
                    "the supervisor decides the supervisee's proposal"
                })));
            }
            let breach = confirm && change.needs_manager;
            if breach && text.is_none() {
                return Ok(Err(Invalid::field(
                    "justification",
                    "is required to confirm a move beyond the limit",
                )
                .into()));
            }
            let updated = sessions::update(
                conn,
                &id,
                version.expect(session.version),
                SessionStatus::Scheduled,
                if confirm { change.to_starts_at } else { None },
            )?;
            let (state_after, justification, comment) = if confirm {
                (ChangeState::Confirmed, text.as_deref(), None)
            } else {
                (ChangeState::Rejected, None, text.as_deref())
            };
            sessions::decide(
                conn,
                &change.id,
                state_after,
                &caller.person_id,
                justification,
                comment,
                breach,
            )?;
            audit::record(
                conn,
                &actor,
                if confirm {
                    "session.move_confirmed"
                } else {
                    "session.move_rejected"
                },
                "session",
                Some(&id),
                json!({"change_id": change.id, "breach": breach}),
            )?;
            Ok(Ok(session_response(conn, updated)?))
        })
        .await;
    finish(outcome, actix_web::http::StatusCode::OK)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "sickness", "new_starts_at": "2026-12-08T10:00:00Z"}))]
pub struct CancelBody {
    pub reason: ChangeReason,
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
    let id = id.into_inner();
    let body = body.0;
    let reason_text = check_reason(body.reason, body.reason_text.as_deref())?;
    let new_start = body.new_starts_at.map(|t| t.naive_utc());
    check_cancellation(new_start.map(|t| t.date()), body.relationship_ended)?;
    if new_start.is_some_and(|t| t <= now()) {
        return Err(Invalid::field("new_starts_at", "must be in the future").into());
    }
    let actor = caller.actor();
    let outcome = state
        .db
        .write({
            let state = state.clone();
            move |conn| {
                let session = find_visible(conn, &caller, &id)?;
                let party = party_of(&session, &caller.person_id);
                let above = links::is_above(conn, &caller.person_id, &session.supervisor_id, organisation_today())?;
                if !may_cancel(party, above, new_start.is_some()) {
                    return Ok(Err(ApiError::Forbidden(if new_start.is_some() {
                        "only the supervisor and the supervisee move a session to a new date"
                    } else {
                        "only the supervisor or a manager above them cancels without a new date"
                    })));
                }
                if !session.status.is_booked() {
                    return Ok(Err(ApiError::Conflict(format!("the session is {}", session.status.as_str()))));
                }
                if session.version != version.expect(session.version) {
                    return Err(StoreError::VersionMismatch { current: session.version });
                }
                if let Some(pending) = sessions::pending_change(conn, &id)? {
                    sessions::decide(conn, &pending.id, ChangeState::Rejected, &caller.person_id, None, Some("the session was cancelled"), false)?;
                }
                let session = sessions::find(conn, &id)?;
                let due_by = due_by_for(conn, &state, &session)?;
                // A new date that is not the supervisor's own within the limit is a move that
                // waits for a decision (SES-3): nothing is cancelled or booked until then.
                if let (Some(to), Some(party)) = (new_start, party) {
                    let change = Move { to, reason: body.reason, reason_text: reason_text.clone(), due_by };
                    if decide_move(party, utc_to_local_date(to, session_zone(conn, &session)?), due_by) != MoveDecision::Immediate {
                        let (_, waiting) = move_session(conn, &session, party, change, &caller.person_id)?;
                        audit::record(conn, &actor, "session.move_proposed", "session", Some(&id), json!({"to": utc(to), "reason": body.reason.as_str(), "by_cancellation": true}))?;
                        return Ok(Ok(Cancelled { cancelled: session_response(conn, waiting)?.1, replacement: None }));
                    }
                }
                let cancelled = sessions::update(conn, &id, session.version, SessionStatus::Cancelled, None)?;
                let breach = match (new_start, due_by) {
                    (Some(at), Some(due)) => at.date() > due,
                    _ => false,
                };
                sessions::record_change(
                    conn,
                    NewChange {
                        session_id: &id,
                        action: ChangeAction::Cancelled,
                        state: ChangeState::Done,
                        from_starts_at: Some(session.starts_at),
                        to_starts_at: new_start,
                        reason: Some(body.reason),
                        reason_text,
                        due_by,
                        needs_manager: false,
                        breach,
                        actor_id: &caller.person_id,
                    },
                )?;
                let replacement = new_start
                    .map(|at| {
                        sessions::insert(
                            conn,
                            NewSession {
                                agreement_id: session.agreement_id.clone(),
                                team_id: session.team_id.clone(),
                                kind: session.kind,
                                supervisor_id: session.supervisor_id.clone(),
                                supervisee_id: session.supervisee_id.clone(),
                                starts_at: at,
                                duration_minutes: session.duration_minutes,
                                place: session.place.clone(),
                                replaces_id: Some(session.id.clone()),
                                created_by: caller.person_id.clone(),
                            },
                        )
                    })
                    .transpose()?;
                audit::record(conn, &actor, "session.cancelled", "session", Some(&id), json!({"reason": body.reason.as_str(), "replacement": replacement.as_ref().map(|r| r.id.clone()), "breach": breach}))?;
                Ok(Ok(Cancelled {
                    cancelled: session_response(conn, cancelled)?.1,
                    replacement: replacement.map(|r| SessionView::from_session(r, None)),
                }))
            }
        })
        .await;
    Ok(web::Json(settle(outcome)?))
}

/// Records that a session happened, or did not.
async fn mark(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    version: IfMatch,
    status: SessionStatus,
) -> ApiResult<HttpResponse> {
    let actor = caller.actor();
    let calendars = state.calendars.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let session = find_visible(conn, &caller, &id)?;
            if session.supervisor_id != caller.person_id {
                return Ok(Err(ApiError::Forbidden(
                    "the supervisor records whether a session was held",
                )));
            }
            if !session.status.is_booked() {
                return Ok(Err(ApiError::Conflict(format!(
                    "the session is {}",
                    session.status.as_str()
                ))));
            }
            if session.status == SessionStatus::ReschedulePending {
                return Ok(Err(ApiError::Conflict(
                    "decide the pending move first".into(),
                )));
            }
            if session.starts_at > now() {
                return Ok(Err(ApiError::Conflict(
                    "the session has not started yet".into(),
                )));
            }
            let updated =
                sessions::update(conn, &id, version.expect(session.version), status, None)?;
            sessions::record_change(
                conn,
                NewChange {
                    session_id: &id,
                    action: if status == SessionStatus::Held {
                        ChangeAction::Held
                    } else {
                        ChangeAction::Missed
                    },
                    state: ChangeState::Done,
                    // When it was planned for, as a cancellation records.
                    from_starts_at: Some(session.starts_at),
                    to_starts_at: None,
                    reason: None,
                    reason_text: None,
                    due_by: None,
                    needs_manager: false,
                    breach: false,
                    actor_id: &caller.person_id,
                },
            )?;
            audit::record(
                conn,
                &actor,
                &format!("session.{}", status.as_str()),
                "session",
                Some(&id),
                json!({}),
            )?;
            // REC-1: a held 1:1 session gets its record at once, so it shows as due (REC-5).
            if status == SessionStatus::Held && updated.supervisee_id.is_some() {
                let calendars = calendars.load(conn)?;
                // A refusal (a date outside the calendar) leaves the record to be opened later.
                let _ = open_for_session(conn, &calendars, &updated, None, &caller.person_id)?;
            }
            Ok(Ok(session_response(conn, updated)?))
        })
        .await;
    finish(outcome, actix_web::http::StatusCode::OK)
}

/// Record that a session was held (the supervisor, once it has started).
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
    mark(state, caller, id.into_inner(), version, SessionStatus::Held).await
}

/// Record that a session did not take place (the supervisor, once it was due to start).
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
    mark(
        state,
        caller,
        id.into_inner(),
        version,
        SessionStatus::Missed,
    )
    .await
}
