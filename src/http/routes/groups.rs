//! Group reflective supervision per team (GRP-1, FREQ-2): a year of sessions at the interval
//! the organisation's profile sets (monthly by default), planned like 1:1s (SES-2).

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::people::find_visible;
use crate::domain::compliance::{monthly_held, MonthFigure};
use crate::domain::dates::Day;
use crate::domain::people::organisation_today;
use crate::domain::periods::{self, Period};
use crate::domain::policy::Interval;
use crate::domain::records::{long_text, CaseReferencePattern, MAX_SECTION_CHARS};
use crate::domain::scheduling::{self, local_to_utc, plan_window, utc_to_local_date, PlanRequest};
use crate::domain::sessions::{check_slot, parse_usual_time, SessionKind, SessionStatus};
use crate::domain::validation::{bounded_text, Invalid};
use crate::http::extract::{etag, page, Caller, IfMatch, Json, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::agreements::WeekdayName;
use crate::http::views::sessions::SessionView;
use crate::http::views::{utc, Paged};
use crate::http::AppState;
use crate::store::groups::{self, GroupRecord};
use crate::store::line_management as links;
use crate::store::sessions::{self, NewSession, Session};
use crate::store::status::zone;
use crate::store::{audit, now, people, reports, teams, DbConnection, StoreError, StoreResult};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(preview_group_plan)
        .service(save_group_plan)
        .service(list_group_sessions)
        .service(group_record)
        .service(write_group_record)
        .service(team_group_status)
        .service(person_group_supervision);
}

/// Administrators, and managers of anyone in the team, organise its group supervision.
fn may_organise(conn: &mut DbConnection, caller: &Caller, team_id: &str) -> StoreResult<bool> {
    if caller.is_admin {
        return Ok(true);
    }
    let members = people::list(
        conn,
        &people::Filter {
            team_id: Some(team_id.to_string()),
            active: Some(true),
            ..people::Filter::default()
        },
        crate::store::Page {
            limit: i64::MAX,
            offset: 0,
        },
    )?
    .0;
    let hierarchy = links::hierarchy(conn)?;
    let today = organisation_today();
    Ok(members
        .iter()
        .any(|m| hierarchy.is_above(&caller.person_id, &m.id, today)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"usual_weekday": "wednesday", "usual_time": "13:30", "duration_minutes": 90, "place": "Training room"}))]
pub struct GroupPlanBody {
    /// Who runs the sessions (default: the caller).
    pub facilitator_id: Option<String>,
    /// First day of the plan (default: tomorrow).
    pub from: Option<Day>,
    /// How many months ahead, 1 to 12 (default 12).
    #[schema(minimum = 1, maximum = 12)]
    pub months: Option<u32>,
    pub usual_weekday: WeekdayName,
    /// HH:MM in the facilitator's time zone.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub usual_time: String,
    #[schema(minimum = 15, maximum = 480)]
    pub duration_minutes: i32,
    #[schema(min_length = 1, max_length = 500)]
    pub place: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "team_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f51", "facilitator_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "from": "2026-12-01", "until": "2027-11-30", "policy": {"every_months": 1},
    "sessions": ["2026-12-02T13:30:00Z", "2027-01-06T13:30:00Z"]
}))]
pub struct GroupPlanView {
    pub team_id: String,
    pub facilitator_id: String,
    pub from: NaiveDate,
    pub until: NaiveDate,
    /// The profile's interval for group supervision.
    pub policy: Interval,
    pub sessions: Vec<DateTime<Utc>>,
}

struct GroupPlan {
    view: GroupPlanView,
    duration_minutes: i32,
    place: String,
}

fn compute(
    conn: &mut DbConnection,
    state: &AppState,
    caller: &Caller,
    team_id: &str,
    body: &GroupPlanBody,
) -> StoreResult<Result<GroupPlan, ApiError>> {
    teams::find(conn, team_id)?;
    if !may_organise(conn, caller, team_id)? {
        return Ok(Err(ApiError::Forbidden(
            "an administrator or a manager of the team's members plans group supervision",
        )));
    }
    let mut invalid = Invalid::default();
    let time = invalid.check(parse_usual_time("usual_time", &body.usual_time));
    let place = invalid.check(bounded_text("place", &body.place, 1, 500));
    invalid.check(
        check_slot(body.usual_weekday.into(), body.duration_minutes, None).map_err(
            |Invalid(errors)| {
                Invalid(
                    errors
                        .into_iter()
                        .map(|mut e| {
                            if e.field == "session_minutes" {
                                e.field = "duration_minutes".into();
                            }
                            e
                        })
                        .collect(),
                )
            },
        ),
    );
    let facilitator_id = body
        .facilitator_id
        .clone()
        .unwrap_or_else(|| caller.person_id.clone());
    let facilitator = match people::find(conn, &facilitator_id) {
        Ok(p) if p.active => Some(p),
        Ok(_) | Err(StoreError::NotFound) => {
            invalid.push("facilitator_id", "no such active person");
            None
        }
        Err(other) => return Err(other),
    };
    let (Some(time), Some(place), Some(facilitator)) = (time, place, facilitator) else {
        return Ok(Err(invalid.into()));
    };
    if let Err(invalid) = invalid.into_result(|| ()) {
        return Ok(Err(invalid.into()));
    }
    let tz = zone(&facilitator);
    let today = utc_to_local_date(now(), tz);
    let (from, until) = match plan_window(body.from.map(Day::date), body.months, today, today) {
        Ok(window) => window,
        Err(invalid) => return Ok(Err(invalid.into())),
    };
    let calendars = state.calendars.load(conn)?;
    let interval = calendars.settings.profile().group_supervision();
    let starts = sessions::starts(
        conn,
        sessions::Owner::Team(team_id),
        &SessionStatus::HELD_OR_BOOKED,
    )?;
    let request = PlanRequest::around(
        starts.iter().map(|at| utc_to_local_date(*at, tz)),
        from,
        until,
        body.usual_weekday.into(),
        None,
    );
    let dates = match scheduling::plan(calendars.organisation(), |_| interval, &request) {
        Ok(dates) => dates,
        Err(err) => {
            return Ok(Err(Invalid::field(
                "from",
                format!("no plan is possible: {err}"),
            )
            .into()))
        }
    };
    Ok(Ok(GroupPlan {
        view: GroupPlanView {
            team_id: team_id.to_string(),
            facilitator_id,
            from,
            until,
            policy: interval,
            sessions: dates
                .into_iter()
                .map(|date| utc(local_to_utc(date, time, tz)))
                .collect(),
        },
        duration_minutes: body.duration_minutes,
        place,
    }))
}

/// Preview a year of the team's group supervision (GRP-1): on working days at the usual
/// weekday and time, at the profile's interval. Nothing is saved.
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    request_body = GroupPlanBody,
    params(("id" = String, Path, description = "Team id")),
    responses(
        (status = 200, body = GroupPlanView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator or a manager of the team", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/teams/{id}/group-sessions/plan/preview")]
async fn preview_group_plan(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<GroupPlanBody>,
) -> ApiResult<web::Json<GroupPlanView>> {
    let id = id.into_inner();
    let plan = state
        .db
        .read({
            let state = state.clone();
            move |conn| compute(conn, &state, &caller, &id, &body.0)
        })
        .await??;
    Ok(web::Json(plan.view))
}

/// Save the team's group supervision plan: books each session. An administrator or a
/// manager of the team; the sessions are scheduled with the facilitator.
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    request_body = GroupPlanBody,
    params(
        ("id" = String, Path, description = "Team id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of booking twice"),
    ),
    responses(
        (status = 201, body = Vec<SessionView>),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator or a manager of the team", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/teams/{id}/group-sessions/plan")]
async fn save_group_plan(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<GroupPlanBody>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let actor = caller.for_audit();
    let saved = state
        .db
        .write({
            let state = state.clone();
            move |conn| {
                let plan = match compute(conn, &state, &caller, &id, &body.0)? {
                    Ok(plan) => plan,
                    Err(err) => return Ok(Err(err)),
                };
                let mut saved = Vec::with_capacity(plan.view.sessions.len());
                for starts_at in &plan.view.sessions {
                    saved.push(sessions::insert(
                        conn,
                        NewSession {
                            agreement_id: None,
                            team_id: Some(id.clone()),
                            kind: SessionKind::Group,
                            supervisor_id: plan.view.facilitator_id.clone(),
                            supervisee_id: None,
                            starts_at: starts_at.naive_utc(),
                            duration_minutes: plan.duration_minutes,
                            place: plan.place.clone(),
                            replaces_id: None,
                            created_by: caller.person_id.clone(),
                        },
                    )?);
                }
                audit::record(
                    conn,
                    &actor,
                    "group_plan.saved",
                    "team",
                    Some(&id),
                    json!({"sessions": saved.len(), "facilitator_id": plan.view.facilitator_id}),
                )?;
                Ok(Ok(saved))
            }
        })
        .await??;
    let views: Vec<SessionView> = saved
        .into_iter()
        .map(|s| SessionView::from_session(s, None))
        .collect();
    Ok(HttpResponse::Created().json(views))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GroupSessionsQuery {
    /// Sessions starting at or after this instant (RFC 3339; default now).
    pub from: Option<DateTime<chrono::FixedOffset>>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

/// The team's group sessions from a date (members, their managers, administrators,
/// auditors).
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Team id"), GroupSessionsQuery),
    responses(
        (status = 200, body = Paged<SessionView>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team, or not one you belong to", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Paging out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/teams/{id}/group-sessions")]
async fn list_group_sessions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: Query<GroupSessionsQuery>,
) -> ApiResult<web::Json<Paged<SessionView>>> {
    let page = page(query.0.limit, query.0.offset)?;
    let from = query.0.from.map_or_else(now, |t| t.naive_utc());
    let id = id.into_inner();
    let (items, total) = state
        .db
        .read(move |conn| {
            teams::find(conn, &id)?;
            let member =
                people::find(conn, &caller.person_id)?.team_id.as_deref() == Some(id.as_str());
            if !(member || caller.is_auditor || may_organise(conn, &caller, &id)?) {
                return Err(StoreError::NotFound);
            }
            let filter = sessions::Filter {
                team_id: Some(id),
                from: Some(from),
                ..sessions::Filter::default()
            };
            sessions::list(conn, &filter, page)
        })
        .await?;
    Ok(web::Json(Paged::new(
        items
            .into_iter()
            .map(|s| SessionView::from_session(s, None))
            .collect(),
        total,
        page,
    )))
}

/// A group session's record (GRP-1): notes, the cases discussed by reference, who attended.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "session": {"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f70", "kind": "group", "status": "held"},
    "facilitator_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "notes": "Systemic hypotheses for two families; risk of drift in one CIN plan.",
    "case_references": ["CH-204518"],
    "attendees": [{"person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "display_name": "Aisha Khan"}],
    "written_by": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40", "updated_at": "2026-12-02T15:10:00Z", "version": 1
}))]
pub struct GroupRecordView {
    pub session: SessionView,
    /// Who ran it: the session's supervisor.
    pub facilitator_id: String,
    pub notes: String,
    pub case_references: Vec<String>,
    pub attendees: Vec<Attendee>,
    pub written_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// 0 until the record is first written; send it back as If-Match.
    pub version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "display_name": "Aisha Khan"}))]
pub struct Attendee {
    pub person_id: String,
    pub display_name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "notes": "Systemic hypotheses for two families; risk of drift in one CIN plan.",
    "case_references": ["CH-204518"],
    "attendees": ["019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50"]
}))]
pub struct GroupRecordBody {
    /// Up to 10,000 characters. Name no child or adult: use case references.
    #[schema(max_length = 10000)]
    pub notes: String,
    /// Cases discussed, by reference in the organisation's format (REC-3); at most 20.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub case_references: Vec<String>,
    /// Everyone who attended (active people); at most 100.
    #[schema(max_items = 100)]
    pub attendees: Vec<String>,
}

const MAX_ATTENDEES: usize = 100;
const MAX_GROUP_CASES: usize = 20;

fn group_session(conn: &mut DbConnection, caller: &Caller, id: &str) -> StoreResult<Session> {
    let session = sessions::find(conn, id)?;
    let Some(team_id) = session.team_id.clone() else {
        return Err(StoreError::NotFound);
    };
    if session.kind != SessionKind::Group {
        return Err(StoreError::NotFound);
    }
    let member =
        people::find(conn, &caller.person_id)?.team_id.as_deref() == Some(team_id.as_str());
    let attended = groups::record(conn, id)?
        .attendees
        .contains(&caller.person_id);
    if member
        || attended
        || caller.is_auditor
        || session.supervisor_id == caller.person_id
        || may_organise(conn, caller, &team_id)?
    {
        Ok(session)
    } else {
        Err(StoreError::NotFound)
    }
}

fn record_view(
    conn: &mut DbConnection,
    session: Session,
    record: GroupRecord,
) -> StoreResult<GroupRecordView> {
    let attendees = record
        .attendees
        .iter()
        .map(|id| {
            people::find(conn, id).map(|p| Attendee {
                person_id: p.id,
                display_name: p.display_name,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(GroupRecordView {
        facilitator_id: session.supervisor_id.clone(),
        session: SessionView::from_session(session, None),
        notes: record.notes,
        case_references: record.case_references,
        attendees,
        written_by: record.written_by,
        updated_at: record.updated_at.map(utc),
        version: record.version,
    })
}

fn with_etag(view: GroupRecordView) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(view.version)))
        .json(view)
}

/// A group session's record (GRP-1): the team's members, those who attended, the team's
/// managers, administrators and auditors. The ETag is "0" until it is first written.
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Group session id")),
    responses(
        (status = 200, body = GroupRecordView, headers(("ETag" = String, description = "The record's version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group session, or not one you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/group-sessions/{id}/record")]
async fn group_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let view = state
        .db
        .read(move |conn| {
            let session = group_session(conn, &caller, &id)?;
            let record = groups::record(conn, &id)?;
            record_view(conn, session, record)
        })
        .await?;
    Ok(with_etag(view))
}

/// A group record's body once checked: notes, distinct case references, distinct attendees.
struct Checked {
    notes: String,
    case_references: Vec<String>,
    attendees: Vec<String>,
}

fn check_record(
    conn: &mut DbConnection,
    state: &AppState,
    body: &GroupRecordBody,
) -> StoreResult<Result<Checked, Invalid>> {
    let mut invalid = Invalid::default();
    let notes = invalid.check(long_text("notes", &body.notes, MAX_SECTION_CHARS));
    if body.case_references.len() > MAX_GROUP_CASES {
        invalid.push("case_references", format!("at most {MAX_GROUP_CASES}"));
    }
    let pattern: Option<CaseReferencePattern> = state
        .calendars
        .load(conn)?
        .settings
        .case_reference_pattern
        .parse()
        .ok();
    let mut references: Vec<String> = Vec::new();
    for (i, reference) in body.case_references.iter().enumerate() {
        let reference = reference.trim();
        if !pattern.as_ref().is_some_and(|p| p.matches(reference)) {
            invalid.push(
                format!("case_references[{i}]"),
                "must be a case reference in the organisation's format, never a name",
            );
        } else if !references.iter().any(|r| r == reference) {
            references.push(reference.to_string());
        }
    }
    if body.attendees.len() > MAX_ATTENDEES {
        invalid.push("attendees", format!("at most {MAX_ATTENDEES}"));
    }
    let mut attendees: Vec<String> = Vec::new();
    for (i, person) in body.attendees.iter().enumerate().take(MAX_ATTENDEES) {
        match people::find(conn, person) {
            Ok(p) if p.active => {
                if !attendees.contains(&p.id) {
                    attendees.push(p.id);
                }
            }
            Ok(_) | Err(StoreError::NotFound) => {
                invalid.push(format!("attendees[{i}]"), "no such active person")
            }
            Err(other) => return Err(other),
        }
    }
    Ok(invalid.into_result(|| Checked {
        notes: notes.unwrap_or_default(),
        case_references: references,
        attendees,
    }))
}

/// Write a held group session's record: notes, the cases discussed (by reference only) and
/// who attended (GRP-1). The facilitator, a manager of the team's members or an
/// administrator writes it; attendance counts for each attendee's group supervision, never
/// for their 1:1 limit. Needs If-Match ("0" for the first write).
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    request_body = GroupRecordBody,
    params(
        ("id" = String, Path, description = "Group session id"),
        ("If-Match" = String, Header, description = "ETag from the last read (\"0\" before the first write)"),
    ),
    responses(
        (status = 200, body = GroupRecordView, headers(("ETag" = String, description = "The record's new version"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the facilitator, a manager of the team or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group session", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The session has not been marked held", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read; `current` is the record now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/group-sessions/{id}/record")]
async fn write_group_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<GroupRecordBody>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let actor = caller.for_audit();
    let state2 = state.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let session = group_session(conn, &caller, &id)?;
            let team_id = session.team_id.clone().unwrap_or_default();
            if session.supervisor_id != caller.person_id && !may_organise(conn, &caller, &team_id)? {
                return Ok(Err(ApiError::Forbidden(
                    "the facilitator, a manager of the team or an administrator writes it",
                )));
            }
            if session.status != SessionStatus::Held {
                return Ok(Err(ApiError::Conflict(
                    "mark the session held first (POST /sessions/{id}/held)".into(),
                )));
            }
            let checked = match check_record(conn, &state2, &body.0)? {
                Ok(checked) => checked,
                Err(invalid) => return Ok(Err(invalid.into())),
            };
            let expected = version.expect_with(|| groups::record(conn, &id).map(|r| r.version))?;
            let saved = match groups::save(
                conn,
                &id,
                expected,
                groups::Write {
                    notes: &checked.notes,
                    case_references: &checked.case_references,
                    attendees: &checked.attendees,
                    written_by: &caller.person_id,
                },
            ) {
                Ok(saved) => saved,
                Err(StoreError::VersionMismatch { .. }) => {
                    let current = groups::record(conn, &id)?;
                    let view = record_view(conn, session, current)?;
                    return Ok(Err(ApiError::PreconditionFailed {
                        current: serde_json::to_value(view).ok(),
                    }));
                }
                Err(other) => return Err(other),
            };
            audit::record(
                conn,
                &actor,
                "group_record.written",
                "session",
                Some(&id),
                json!({"attendees": saved.attendees.len(), "cases": saved.case_references.len(), "version": saved.version}),
            )?;
            Ok(Ok(record_view(conn, session, saved)?))
        })
        .await??;
    Ok(with_etag(outcome))
}

/// How many months of group supervision a status shows, this one included.
const STATUS_MONTHS: u32 = 12;

fn last_months(today: NaiveDate) -> Period {
    let first = periods::month(today).starts_on - Months::new(STATUS_MONTHS - 1);
    Period {
        starts_on: first,
        ends_on: today,
    }
}

/// A team's group supervision against the profile's interval (GRP-1; monthly by default).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "team_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f51", "team_name": "North CIN team",
    "status": {"status": "on_track", "due_by": "2027-01-02", "last_held": "2026-12-02", "next_booked": "2027-01-06",
        "interval": {"every_months": 1}, "days_since_last_held": 0},
    "months": [{"month": {"starts_on": "2026-12-01", "ends_on": "2026-12-31"}, "held": 1, "met": true}]
}))]
pub struct TeamGroupStatus {
    pub team_id: String,
    pub team_name: String,
    pub status: crate::domain::supervision::Report,
    /// This month and the eleven before it.
    pub months: Vec<MonthFigure>,
}

/// A team's group supervision status (GRP-1): on track, at risk or overdue against the
/// monthly requirement, and each of the last twelve months (members, their managers,
/// administrators, auditors).
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Team id")),
    responses(
        (status = 200, body = TeamGroupStatus),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team, or not one you belong to", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/teams/{id}/group-supervision-status")]
async fn team_group_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<TeamGroupStatus>> {
    let id = id.into_inner();
    let calendars = state.calendars.clone();
    let figures = state
        .db
        .read(move |conn| {
            let team = teams::find(conn, &id)?;
            let member =
                people::find(conn, &caller.person_id)?.team_id.as_deref() == Some(id.as_str());
            if !(member || caller.is_auditor || may_organise(conn, &caller, &id)?) {
                return Err(StoreError::NotFound);
            }
            let calendars = calendars.load(conn)?;
            let today = organisation_today();
            reports::team_figures(conn, &calendars, vec![team], last_months(today), today)
        })
        .await?;
    let figures = figures.into_iter().next().ok_or(ApiError::NotFound)?;
    Ok(web::Json(TeamGroupStatus {
        team_id: figures.team.id,
        team_name: figures.team.name,
        status: figures.status,
        months: figures.months,
    }))
}

/// One person's group supervision: the sessions they attended, month by month (GRP-1).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "attended": 11, "last_attended": "2026-11-04",
    "months": [{"month": {"starts_on": "2026-11-01", "ends_on": "2026-11-30"}, "held": 1, "met": true}]
}))]
pub struct PersonGroupSupervision {
    pub person_id: String,
    /// Held group sessions attended in the last twelve months.
    pub attended: u32,
    pub last_attended: Option<NaiveDate>,
    /// Per month, `held` counts the sessions the person attended.
    pub months: Vec<MonthFigure>,
}

/// A person's group supervision attendance over the last twelve months (GRP-1). It stands
/// apart from their 1:1 status, which group sessions never change. Visible to the person,
/// managers above them, administrators and auditors.
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = PersonGroupSupervision),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not one you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/group-supervision")]
async fn person_group_supervision(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<PersonGroupSupervision>> {
    let id = id.into_inner();
    let today = organisation_today();
    let period = last_months(today);
    let attended = state
        .db
        .read(move |conn| {
            let person = find_visible(conn, &caller, &id)?;
            let at = groups::attended_at(
                conn,
                &person.id,
                reports::midnight(period.starts_on),
                reports::midnight(period.end_exclusive()),
            )?;
            Ok((person.id, at))
        })
        .await?;
    let (person_id, at) = attended;
    let tz = reports::organisation_zone();
    let dates: Vec<NaiveDate> = at.iter().map(|t| utc_to_local_date(*t, tz)).collect();
    Ok(web::Json(PersonGroupSupervision {
        person_id,
        attended: u32::try_from(dates.len()).unwrap_or(u32::MAX),
        last_attended: dates.last().copied(),
        months: monthly_held(period, &dates),
    }))
}
