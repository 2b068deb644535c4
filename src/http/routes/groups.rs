//! Group reflective supervision per team (GRP-1, FREQ-2): a year of sessions at the interval
//! the organisation's profile sets (monthly by default), planned like 1:1s (SES-2).

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::groups::{
    self, GroupPlan, GroupPlanRequest, GroupRecordState, RecordWrite, Written,
};
use crate::domain::compliance::MonthFigure;
use crate::domain::dates::Day;
use crate::domain::policy::Interval;
use crate::http::extract::{etag, page, Caller, IfMatch, Json, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::agreements::WeekdayName;
use crate::http::views::sessions::SessionView;
use crate::http::views::{utc, Paged};
use crate::http::AppState;
use crate::store::now;

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
    #[schema(format = "one-line", min_length = 1, max_length = 500)]
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
    let request = body.0.into();
    let calendars = state.calendars.clone();
    let plan = state
        .db
        .query(move |conn| groups::preview_plan(conn, &caller, now(), &calendars, &id, &request))
        .await?;
    Ok(web::Json(plan.into()))
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
    let request = body.0.into();
    let calendars = state.calendars.clone();
    let saved = state
        .db
        .transact(move |conn| groups::save_plan(conn, &caller, now(), &calendars, &id, &request))
        .await?;
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
    let (items, total) = state
        .db
        .query(move |conn| groups::list_sessions(conn, &caller, &id, from, page))
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
    #[schema(format = "multi-line", max_length = 10000)]
    pub notes: String,
    /// Cases discussed, by reference in the organisation's format (REC-3); at most 20.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub case_references: Vec<String>,
    /// Everyone who attended (active people); at most 100.
    #[schema(max_items = 100)]
    pub attendees: Vec<String>,
}

impl From<GroupPlanBody> for GroupPlanRequest {
    fn from(body: GroupPlanBody) -> GroupPlanRequest {
        GroupPlanRequest {
            facilitator_id: body.facilitator_id,
            from: body.from.map(Day::date),
            months: body.months,
            usual_weekday: body.usual_weekday.into(),
            usual_time: body.usual_time,
            duration_minutes: body.duration_minutes,
            place: body.place,
        }
    }
}

impl From<GroupPlan> for GroupPlanView {
    fn from(plan: GroupPlan) -> GroupPlanView {
        GroupPlanView {
            team_id: plan.team_id,
            facilitator_id: plan.facilitator_id,
            from: plan.from,
            until: plan.until,
            policy: plan.policy,
            sessions: plan.sessions.into_iter().map(utc).collect(),
        }
    }
}

impl From<GroupRecordState> for GroupRecordView {
    fn from(state: GroupRecordState) -> GroupRecordView {
        let GroupRecordState {
            session,
            record,
            attendees,
        } = state;
        GroupRecordView {
            facilitator_id: session.supervisor_id.clone(),
            session: SessionView::from_session(session, None),
            notes: record.notes,
            case_references: record.case_references,
            attendees: attendees
                .into_iter()
                .map(|p| Attendee {
                    person_id: p.id,
                    display_name: p.display_name,
                })
                .collect(),
            written_by: record.written_by,
            updated_at: record.updated_at.map(utc),
            version: record.version,
        }
    }
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
    let found = state
        .db
        .query(move |conn| groups::record(conn, &caller, &id))
        .await?;
    Ok(with_etag(found.into()))
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
    let write = RecordWrite {
        notes: body.0.notes,
        case_references: body.0.case_references,
        attendees: body.0.attendees,
    };
    let calendars = state.calendars.clone();
    let written = state
        .db
        .transact(move |conn| groups::write_record(conn, &caller, &calendars, &id, version, &write))
        .await?;
    match written {
        Written::Done(done) => Ok(with_etag(done.into())),
        Written::Stale(current) => Err(ApiError::PreconditionFailed {
            current: serde_json::to_value(GroupRecordView::from(current)).ok(),
        }),
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
    let calendars = state.calendars.clone();
    let figures = state
        .db
        .query(move |conn| groups::team_status(conn, &caller, &calendars, &id))
        .await?;
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
    let attendance = state
        .db
        .query(move |conn| groups::attendance(conn, &caller, &id))
        .await?;
    Ok(web::Json(PersonGroupSupervision {
        person_id: attendance.person_id,
        attended: attendance.attended,
        last_attended: attendance.last_attended,
        months: attendance.months,
    }))
}
