//! The ASYE year (ASYE-1): timeline with pauses and review points, the evidence checklist
//! and protected development time, for the newly qualified worker and their supervisors.

use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::people::may_see;
use crate::app::visibility::supervises_on as supervises;
use crate::domain::asye::{
    check_pause, checklist, protected_time, timeline, Checklist, EvidenceKind, Pause,
    ProtectedTime, ReviewPoint, Timeline,
};
use crate::domain::dates::Day;
use crate::domain::people::organisation_today;
use crate::domain::records::RecordStatus;
use crate::domain::sessions::{SessionKind, SessionStatus};
use crate::domain::validation::{bounded_text, Invalid};
use crate::http::extract::{etag, Caller, IfMatch, Json};
use crate::http::problem::{settle, ApiError, ApiResult, Problem};
use crate::http::views::utc;
use crate::http::AppState;
use crate::store::asye::{self, Evidence, StoredPause};
use crate::store::people::Person;
use crate::store::sessions::{self, Filter, Session};
use crate::store::{
    audit, observations, people, records, DbConnection, Page, StoreError, StoreResult,
};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(get_asye)
        .service(set_programme)
        .service(add_pause)
        .service(end_pause)
        .service(add_evidence)
        .service(log_time);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4c10", "starts_at": "2027-03-04T10:00:00Z", "status": "scheduled", "record_id": null, "record_status": null}))]
pub struct ReviewSession {
    pub id: String,
    pub starts_at: DateTime<Utc>,
    pub status: SessionStatus,
    /// The review's record, once the session is held.
    pub record_id: Option<String>,
    pub record_status: Option<RecordStatus>,
}

impl ReviewSession {
    /// A review's session with its record, for the ASYE's and the PDR's review points.
    pub fn of(conn: &mut DbConnection, s: Session) -> StoreResult<ReviewSession> {
        let record = records::for_session(conn, &s.id)?;
        Ok(ReviewSession {
            starts_at: utc(s.starts_at),
            status: s.status,
            record_id: record.as_ref().map(|r| r.id.clone()),
            record_status: record.map(|r| r.status),
            id: s.id,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"month": 3, "optional": false, "due_on": "2026-12-01", "session": null}))]
pub struct ReviewView {
    pub month: u32,
    /// The 9-month review is optional.
    pub optional: bool,
    pub due_on: NaiveDate,
    /// The `asye_review` session nearest the due date (within six weeks), if booked.
    pub session: Option<ReviewSession>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4c20", "starts_on": "2026-12-01", "ends_on": "2026-12-31", "reason": "Sick leave"}))]
pub struct PauseView {
    pub id: String,
    pub starts_on: NaiveDate,
    /// None while still paused.
    pub ends_on: Option<NaiveDate>,
    pub reason: String,
}

impl From<StoredPause> for PauseView {
    fn from(p: StoredPause) -> PauseView {
        PauseView {
            id: p.id,
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            reason: p.reason,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4c30", "kind": "service_user_feedback", "title": "Feedback from a parent after the CIN review", "received_on": "2026-11-02", "created_by": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "created_at": "2026-11-02T12:00:00Z"}))]
pub struct EvidenceView {
    pub id: String,
    pub kind: EvidenceKind,
    pub title: String,
    pub received_on: NaiveDate,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<Evidence> for EvidenceView {
    fn from(e: Evidence) -> EvidenceView {
        EvidenceView {
            id: e.id,
            kind: e.kind,
            title: e.title,
            received_on: e.received_on,
            created_by: e.created_by,
            created_at: utc(e.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "asye_start": "2026-09-01",
    "programme_months": 12, "weekly_minutes": 2220, "version": 0,
    "timeline": {"starts_on": "2026-09-01", "programme_months": 12, "paused_days": 0, "paused_now": false, "expected_end": "2027-09-01", "reviews": [], "days_in_programme": 85},
    "reviews": [{"month": 3, "optional": false, "due_on": "2026-12-01", "session": null}],
    "pauses": [], "evidence": [],
    "checklist": {"direct_observations": {"required": 3, "done": 1, "complete": false}, "service_user_feedback": {"required": 3, "done": 0, "complete": false}, "professional_feedback": {"required": 3, "done": 0, "complete": false}, "critical_reflection_6": {"required": 1, "done": 0, "complete": false}, "critical_reflection_12": {"required": 1, "done": 0, "complete": false}, "complete": false},
    "protected_time": {"logged_minutes": 600, "expected_minutes": 2698, "shortfall_minutes": 2098}
}))]
pub struct AsyeView {
    pub person_id: String,
    pub asye_start: NaiveDate,
    pub programme_months: i32,
    /// Contracted minutes a week, for the 10 % of protected time.
    pub weekly_minutes: i32,
    /// Version of the programme settings (0 while the defaults apply); the ETag.
    pub version: i32,
    pub timeline: Timeline,
    pub reviews: Vec<ReviewView>,
    pub pauses: Vec<PauseView>,
    pub evidence: Vec<EvidenceView>,
    pub checklist: Checklist,
    pub protected_time: ProtectedTime,
}

/// The ASYE worker, whoever supervises them, managers above, auditors and administrators.
/// A person with no ASYE start is not in the ASYE: 404.
fn find_asye(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> StoreResult<(Person, NaiveDate)> {
    let visible = may_see(conn, caller, id)?
        || supervises(conn, &caller.person_id, id, organisation_today())?;
    if !visible {
        return Err(StoreError::NotFound);
    }
    let person = people::find(conn, id)?;
    match person.asye_start {
        Some(start) => Ok((person, start)),
        None => Err(StoreError::NotFound),
    }
}

/// Supervisors and administrators change the programme and pauses; the worker does not.
fn may_manage(conn: &mut DbConnection, caller: &Caller, person_id: &str) -> StoreResult<bool> {
    Ok(caller.is_admin || supervises(conn, &caller.person_id, person_id, organisation_today())?)
}

fn asye_view(conn: &mut DbConnection, person: &Person, start: NaiveDate) -> StoreResult<AsyeView> {
    let today = organisation_today();
    let programme = asye::programme(conn, &person.id)?;
    let stored_pauses = asye::pauses(conn, &person.id)?;
    let pauses: Vec<Pause> = stored_pauses.iter().map(StoredPause::pause).collect();
    let timeline = timeline(
        start,
        programme.programme_months.max(1) as u32,
        &pauses,
        today,
    );
    let evidence = asye::evidence(conn, &person.id)?;
    let kinds: Vec<EvidenceKind> = evidence.iter().map(|e| e.kind).collect();
    let observed =
        observations::of_supervisee(conn, &person.id, start, timeline.expected_end)?.len();
    let logged = asye::logged_minutes(conn, &person.id)?;
    let reviews = review_sessions(conn, &person.id, &timeline.reviews)?;
    Ok(AsyeView {
        person_id: person.id.clone(),
        asye_start: start,
        programme_months: programme.programme_months,
        weekly_minutes: programme.weekly_minutes,
        version: programme.version,
        checklist: checklist(observed as u32, &kinds),
        protected_time: protected_time(i64::from(programme.weekly_minutes), &timeline, logged),
        reviews,
        timeline,
        pauses: stored_pauses.into_iter().map(PauseView::from).collect(),
        evidence: evidence.into_iter().map(EvidenceView::from).collect(),
    })
}

/// How far from its due date a review session may be and still count as that review.
const REVIEW_WINDOW_DAYS: i64 = 42;

/// Matches each review point with the nearest `asye_review` session, each session once.
fn review_sessions(
    conn: &mut DbConnection,
    person_id: &str,
    points: &[ReviewPoint],
) -> StoreResult<Vec<ReviewView>> {
    let filter = Filter {
        person_id: Some(person_id.to_string()),
        ..Filter::default()
    };
    let (all, _) = sessions::list(
        conn,
        &filter,
        Page {
            limit: 500,
            offset: 0,
        },
    )?;
    let mut candidates: Vec<_> = all
        .into_iter()
        .filter(|s| s.kind == SessionKind::AsyeReview && s.status != SessionStatus::Cancelled)
        .collect();
    let mut reviews = Vec::with_capacity(points.len());
    for point in points {
        let nearest = candidates
            .iter()
            .enumerate()
            .map(|(i, s)| (i, (s.starts_at.date() - point.due_on).num_days().abs()))
            .filter(|(_, distance)| *distance <= REVIEW_WINDOW_DAYS)
            .min_by_key(|(_, distance)| *distance)
            .map(|(i, _)| i);
        let session = match nearest {
            Some(i) => Some(ReviewSession::of(conn, candidates.remove(i))?),
            None => None,
        };
        reviews.push(ReviewView {
            month: point.month,
            optional: point.optional,
            due_on: point.due_on,
            session,
        });
    }
    Ok(reviews)
}

fn respond(view: AsyeView) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("ETag", etag(view.version)))
        .json(view)
}

/// A person's ASYE year: the timeline (expected end and review points pushed back by pauses),
/// each review's session and record, the evidence checklist and protected time (ASYE-1).
#[utoipa::path(
    tag = "asye",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = AsyeView, headers(("ETag" = String, description = "Version of the programme settings"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, not in the ASYE, or not yours to see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/asye")]
async fn get_asye(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let view = state
        .db
        .read(move |conn| {
            let (person, start) = find_asye(conn, &caller, &id)?;
            asye_view(conn, &person, start)
        })
        .await?;
    Ok(respond(view))
}

/// Runs a change to a person's ASYE and answers with the ASYE as it now is.
async fn change<F>(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    work: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(&mut DbConnection, &Caller, &Person, NaiveDate) -> StoreResult<ApiResult<()>>
        + Send
        + 'static,
{
    let view = state
        .db
        .write(move |conn| {
            let (person, start) = find_asye(conn, &caller, &id)?;
            if let Err(refused) = work(conn, &caller, &person, start)? {
                return Ok(Err(refused));
            }
            Ok(Ok(asye_view(conn, &person, start)?))
        })
        .await;
    Ok(respond(settle(view)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"programme_months": 24, "weekly_minutes": 1332}))]
pub struct ProgrammeBody {
    /// 12 for the ASYE; up to 36 for a longer induction programme.
    #[schema(minimum = 12, maximum = 36)]
    pub programme_months: i32,
    /// Contracted minutes a week (2,220 for 37 hours).
    #[schema(minimum = 60, maximum = 3000)]
    pub weekly_minutes: i32,
}

/// Set the programme's length and contracted hours (a supervisor or an administrator).
/// Needs `If-Match` (`"0"` while the defaults apply).
#[utoipa::path(
    tag = "asye",
    security(("bearer" = [])),
    request_body = ProgrammeBody,
    params(
        ("id" = String, Path, description = "Person id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = AsyeView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a supervisor of the person or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ASYE", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Out of range", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/people/{id}/asye/programme")]
async fn set_programme(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<ProgrammeBody>,
) -> ApiResult<HttpResponse> {
    let ProgrammeBody {
        programme_months,
        weekly_minutes,
    } = body.0;
    let mut invalid = Invalid::default();
    if !(12..=36).contains(&programme_months) {
        invalid.push("programme_months", "must be between 12 and 36");
    }
    if !(60..=3_000).contains(&weekly_minutes) {
        invalid.push("weekly_minutes", "must be between 60 and 3,000");
    }
    invalid.into_result(|| ())?;
    change(
        state,
        caller,
        id.into_inner(),
        move |conn, caller, person, _| {
            if !may_manage(conn, caller, &person.id)? {
                return Ok(Err(ApiError::Forbidden(
                    "a supervisor or an administrator sets the programme",
                )));
            }
            let expected =
                version.expect_with(|| asye::programme(conn, &person.id).map(|p| p.version))?;
            asye::set_programme(conn, &person.id, expected, programme_months, weekly_minutes)?;
            audit::record(
                conn,
                &caller.for_audit(),
                "asye.programme_set",
                "person",
                Some(&person.id),
                json!({"programme_months": programme_months, "weekly_minutes": weekly_minutes}),
            )?;
            Ok(Ok(()))
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_on": "2026-12-01", "ends_on": null, "reason": "Sick leave"}))]
pub struct PauseBody {
    pub starts_on: Day,
    /// The first day back; leave out while the pause goes on.
    pub ends_on: Option<Day>,
    /// 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Pause the ASYE (leave, part-time working): its end and reviews move later by the pause
/// (a supervisor or an administrator).
#[utoipa::path(
    tag = "asye",
    security(("bearer" = [])),
    request_body = PauseBody,
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = AsyeView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a supervisor of the person or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ASYE", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Overlaps another pause, before the start, or ends before it starts", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/people/{id}/asye/pauses")]
async fn add_pause(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<PauseBody>,
) -> ApiResult<HttpResponse> {
    let PauseBody {
        starts_on,
        ends_on,
        reason,
    } = body.0;
    let (starts_on, ends_on) = (starts_on.date(), ends_on.map(Day::date));
    let reason = bounded_text("reason", &reason, 1, 500)?;
    change(
        state,
        caller,
        id.into_inner(),
        move |conn, caller, person, start| {
            if !may_manage(conn, caller, &person.id)? {
                return Ok(Err(ApiError::Forbidden(
                    "a supervisor or an administrator pauses the ASYE",
                )));
            }
            let existing: Vec<Pause> = asye::pauses(conn, &person.id)?
                .iter()
                .map(StoredPause::pause)
                .collect();
            if let Err(invalid) = check_pause(starts_on, ends_on, start, &existing) {
                return Ok(Err(invalid.into()));
            }
            let pause = Pause { starts_on, ends_on };
            asye::add_pause(conn, &person.id, pause, &reason, &caller.person_id)?;
            audit::record(
                conn,
                &caller.for_audit(),
                "asye.paused",
                "person",
                Some(&person.id),
                json!({"starts_on": starts_on, "ends_on": ends_on}),
            )?;
            Ok(Ok(()))
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ends_on": "2027-01-04"}))]
pub struct EndPauseBody {
    /// The first day back.
    pub ends_on: Day,
}

/// End the open pause (a supervisor or an administrator).
#[utoipa::path(
    tag = "asye",
    security(("bearer" = [])),
    request_body = EndPauseBody,
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = AsyeView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a supervisor of the person or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ASYE", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No pause is open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ends before the pause starts", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/people/{id}/asye/pauses/end")]
async fn end_pause(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<EndPauseBody>,
) -> ApiResult<HttpResponse> {
    let ends_on = body.0.ends_on.date();
    change(
        state,
        caller,
        id.into_inner(),
        move |conn, caller, person, _| {
            if !may_manage(conn, caller, &person.id)? {
                return Ok(Err(ApiError::Forbidden(
                    "a supervisor or an administrator ends a pause",
                )));
            }
            let open = asye::pauses(conn, &person.id)?
                .into_iter()
                .find(|p| p.ends_on.is_none());
            let Some(open) = open else {
                return Ok(Err(ApiError::Conflict("no pause is open".into())));
            };
            if ends_on <= open.starts_on {
                return Ok(Err(Invalid::field(
                    "ends_on",
                    "must be after the pause starts",
                )
                .into()));
            }
            asye::end_pause(conn, &person.id, ends_on)?;
            audit::record(
                conn,
                &caller.for_audit(),
                "asye.resumed",
                "person",
                Some(&person.id),
                json!({"ends_on": ends_on}),
            )?;
            Ok(Ok(()))
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "service_user_feedback", "title": "Feedback from a parent after the CIN review", "received_on": "2026-11-02"}))]
pub struct EvidenceBody {
    pub kind: EvidenceKind,
    /// 1 to 200 characters; no names of people who use services.
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    pub received_on: Day,
}

/// Add a piece of evidence to the checklist (the worker or a supervisor).
#[utoipa::path(
    tag = "asye",
    security(("bearer" = [])),
    request_body = EvidenceBody,
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = AsyeView),
        (status = 400, description = "Malformed body or unknown kind", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither the worker nor a supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ASYE", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad title or a date in the future", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/people/{id}/asye/evidence")]
async fn add_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<EvidenceBody>,
) -> ApiResult<HttpResponse> {
    let EvidenceBody {
        kind,
        title,
        received_on,
    } = body.0;
    let received_on = received_on.date();
    let title = bounded_text("title", &title, 1, 200)?;
    if received_on > organisation_today() {
        return Err(Invalid::field("received_on", "must not be in the future").into());
    }
    change(
        state,
        caller,
        id.into_inner(),
        move |conn, caller, person, _| {
            if caller.person_id != person.id && !may_manage(conn, caller, &person.id)? {
                return Ok(Err(ApiError::Forbidden(
                    "the worker or a supervisor adds evidence",
                )));
            }
            asye::add_evidence(
                conn,
                &person.id,
                kind,
                &title,
                received_on,
                &caller.person_id,
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "asye.evidence_added",
                "person",
                Some(&person.id),
                json!({"kind": kind}),
            )?;
            Ok(Ok(()))
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"taken_on": "2026-11-20", "minutes": 210, "activity": "Read the PLO guidance and wrote a reflection"}))]
pub struct TimeBody {
    pub taken_on: Day,
    /// 15 to 480 minutes in one day.
    #[schema(minimum = 15, maximum = 480)]
    pub minutes: i32,
    /// 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub activity: String,
}

/// Log protected development time (the worker).
#[utoipa::path(
    tag = "asye",
    security(("bearer" = [])),
    request_body = TimeBody,
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = AsyeView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the worker", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ASYE", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Out of range, or a date outside the ASYE", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/people/{id}/asye/protected-time")]
async fn log_time(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<TimeBody>,
) -> ApiResult<HttpResponse> {
    let TimeBody {
        taken_on,
        minutes,
        activity,
    } = body.0;
    let taken_on = taken_on.date();
    let mut invalid = Invalid::default();
    if !(15..=480).contains(&minutes) {
        invalid.push("minutes", "must be between 15 and 480");
    }
    if taken_on > organisation_today() {
        invalid.push("taken_on", "must not be in the future");
    }
    let activity = invalid.check(bounded_text("activity", &activity, 1, 500));
    let activity = invalid.into_result(|| activity.unwrap_or_default())?;
    change(
        state,
        caller,
        id.into_inner(),
        move |conn, caller, person, start| {
            if caller.person_id != person.id {
                return Ok(Err(ApiError::Forbidden(
                    "the worker logs their own protected time",
                )));
            }
            if taken_on < start {
                return Ok(Err(Invalid::field(
                    "taken_on",
                    "is before the ASYE started",
                )
                .into()));
            }
            asye::log_time(conn, &person.id, taken_on, minutes, &activity)?;
            audit::record(
                conn,
                &caller.for_audit(),
                "asye.protected_time_recorded",
                "person",
                Some(&person.id),
                json!({"taken_on": taken_on, "minutes": minutes}),
            )?;
            Ok(Ok(()))
        },
    )
    .await
}
