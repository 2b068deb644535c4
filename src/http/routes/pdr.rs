//! The performance and development review (PDR-1): each person's yearly cycle with its three
//! milestones and their `pdr` sessions and records, and the SMART goals agreed for it.
//!
//! The person, anyone above them in line management, administrators and auditors see a
//! cycle; anyone else gets 404 (ACC-5). Goals are agreed in the PDR and recorded by the line
//! manager (anyone above the person today) or an administrator, who also edit them; the person
//! and they keep each goal's status and progress up to date. Auditors only read.

use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::people::{find_visible, may_see};
use crate::domain::dates::Day;
use crate::domain::pdr::{
    check_goal, check_progress, cycle_complete, goals_summary, match_rank, milestone_state,
    CycleMonths, GoalStatus, GoalText, GoalsSummary, MilestoneKind, MilestoneState,
    MAX_GOALS_PER_CYCLE,
};
use crate::domain::people::organisation_today;
use crate::domain::periods::Period;
use crate::domain::scheduling::{today_in, utc_to_local_date};
use crate::domain::validation::Invalid;
use crate::http::extract::{etag, Caller, IfMatch, Json, Query};
use crate::http::problem::{settle, ApiError, ApiResult, Problem};
use crate::http::views::asye::ReviewSession;
use crate::http::views::utc;
use crate::http::AppState;
use crate::store::line_management as links;
use crate::store::pdr::{self, Change, Goal};
use crate::store::people::Person;
use crate::store::status::zone;
use crate::store::{audit, organisation, DbConnection, StoreError, StoreResult};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(person_pdr)
        .service(my_pdr)
        .service(add_goal)
        .service(get_goal)
        .service(edit_goal)
        .service(set_status);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "kind": "mid_year",
    "month": {"starts_on": "2026-10-01", "ends_on": "2026-10-31"},
    "due_on": "2026-10-01", "state": "held",
    "session": {"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4d10", "starts_at": "2026-10-15T10:00:00Z", "status": "held", "record_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4d11", "record_status": "draft"}
}))]
pub struct MilestoneView {
    pub kind: MilestoneKind,
    /// The month the review is held in.
    pub month: Period,
    /// The first of the month, when it is due and reminded of (REM-2).
    pub due_on: NaiveDate,
    pub state: MilestoneState,
    /// The `pdr` session in the month (held before booked before missed), with its record.
    pub session: Option<ReviewSession>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4d20",
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "title": "Lead the team's audit of child in need plans",
    "specific": "Audit ten CIN plans against the practice standards.",
    "measurable": "An audit report with findings presented at the team meeting.",
    "achievable": "Half a day a month protected for the audit.",
    "relevant": "The service plan's priority on CIN plan quality.",
    "behaviours": "Works openly with colleagues; shares learning.",
    "due_on": "2027-01-31", "status": "in_progress",
    "progress": "Six plans audited by the mid-year review.",
    "created_by": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "created_at": "2026-04-20T10:00:00Z", "updated_at": "2026-10-15T11:00:00Z", "version": 2
}))]
pub struct GoalView {
    pub id: String,
    pub person_id: String,
    pub title: String,
    /// What exactly is to be done.
    pub specific: String,
    /// How it will be known to be done.
    pub measurable: String,
    /// Why it can be done: the support and resources agreed.
    pub achievable: String,
    /// How it links to the role and the service's objectives.
    pub relevant: String,
    /// The behaviours that help achieve it (the how).
    pub behaviours: String,
    /// The goal is time-bound by this date, and belongs to the cycle it falls in.
    pub due_on: NaiveDate,
    pub status: GoalStatus,
    /// Notes on progress, for the reviews.
    pub progress: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also the ETag.
    pub version: i32,
}

impl From<Goal> for GoalView {
    fn from(g: Goal) -> GoalView {
        GoalView {
            id: g.id,
            person_id: g.person_id,
            title: g.title,
            specific: g.specific,
            measurable: g.measurable,
            achievable: g.achievable,
            relevant: g.relevant,
            behaviours: g.behaviours,
            due_on: g.due_on,
            status: g.status,
            progress: g.progress,
            created_by: g.created_by,
            created_at: utc(g.created_at),
            updated_at: utc(g.updated_at),
            version: g.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "cycle": {"starts_on": "2026-04-01", "ends_on": "2027-03-31"},
    "months": {"goals_month": 4, "mid_year_month": 10, "year_end_month": 3},
    "milestones": [
        {"kind": "goals", "month": {"starts_on": "2026-04-01", "ends_on": "2026-04-30"}, "due_on": "2026-04-01", "state": "recorded", "session": {"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4d09", "starts_at": "2026-04-20T10:00:00Z", "status": "held", "record_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4d08", "record_status": "signed"}},
        {"kind": "mid_year", "month": {"starts_on": "2026-10-01", "ends_on": "2026-10-31"}, "due_on": "2026-10-01", "state": "overdue", "session": null},
        {"kind": "year_end", "month": {"starts_on": "2027-03-01", "ends_on": "2027-03-31"}, "due_on": "2027-03-01", "state": "upcoming", "session": null}
    ],
    "goals": [],
    "goals_summary": {"expected": 5, "agreed": 0, "achieved": 0, "short": 5},
    "complete": false
}))]
pub struct PdrView {
    pub person_id: String,
    /// From the first of the goals month to the day before the next cycle.
    pub cycle: Period,
    /// The organisation's milestone months (`PATCH /organisation`).
    pub months: CycleMonths,
    /// Goals, mid-year review and year-end review, in that order.
    pub milestones: Vec<MilestoneView>,
    /// Goals due within the cycle, by due date.
    pub goals: Vec<GoalView>,
    /// Goals against the organisation's number, pro rata for someone who started during the
    /// cycle (by `employment_start`).
    pub goals_summary: GoalsSummary,
    /// Every milestone that applies is recorded, and enough goals agreed.
    pub complete: bool,
}

/// Whether the caller records and edits the person's goals: an administrator, or anyone above
/// them in line management today.
fn manages(conn: &mut DbConnection, caller: &Caller, person_id: &str) -> StoreResult<bool> {
    Ok(caller.is_admin
        || links::is_above(conn, &caller.person_id, person_id, organisation_today())?)
}

/// A goal of someone the caller may see; anyone else's is 404.
fn find_goal(conn: &mut DbConnection, caller: &Caller, id: &str) -> StoreResult<Goal> {
    let goal = pdr::find(conn, id)?;
    if may_see(conn, caller, &goal.person_id)? {
        Ok(goal)
    } else {
        Err(StoreError::NotFound)
    }
}

/// The person's cycle containing `on` (their today when `None`), with the sessions held or
/// booked in each milestone's month in their time zone, and their goals.
fn pdr_view(
    conn: &mut DbConnection,
    person: &Person,
    on: Option<NaiveDate>,
) -> StoreResult<PdrView> {
    let settings = organisation::settings(conn)?;
    let months = settings.pdr_months;
    let zone = zone(person);
    let today = today_in(zone, Utc::now());
    let cycle = months.cycle(on.unwrap_or(today));
    // A day either side in UTC covers any zone; the local date decides the month.
    let from = (cycle.starts_on - Days::new(1)).and_time(chrono::NaiveTime::MIN);
    let to = (cycle.end_exclusive() + Days::new(1)).and_time(chrono::NaiveTime::MIN);
    let mut sessions = pdr::reviews(conn, &person.id, from, to)?;
    let mut milestones = Vec::with_capacity(3);
    for milestone in months.milestones(cycle) {
        let best = sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                milestone
                    .month
                    .contains(utc_to_local_date(s.starts_at, zone))
            })
            .filter_map(|(i, s)| match_rank(s.status).map(|rank| (rank, s.starts_at, i)))
            .min()
            .map(|(_, _, i)| i);
        let session = match best {
            Some(i) => Some(ReviewSession::from(crate::app::asye::review(
                conn,
                sessions.remove(i),
            )?)),
            None => None,
        };
        let state = milestone_state(
            milestone.month,
            today,
            person.employment_start,
            session.as_ref().map(|s| (s.status, s.record_status)),
        );
        milestones.push(MilestoneView {
            kind: milestone.kind,
            month: milestone.month,
            due_on: milestone.month.starts_on,
            state,
            session,
        });
    }
    let goals = pdr::of_person(conn, &person.id, cycle)?;
    let statuses: Vec<GoalStatus> = goals.iter().map(|g| g.status).collect();
    let summary = goals_summary(
        settings.pdr_goals_per_year,
        cycle,
        person.employment_start,
        &statuses,
    );
    let states: Vec<MilestoneState> = milestones.iter().map(|m| m.state).collect();
    Ok(PdrView {
        person_id: person.id.clone(),
        cycle,
        months,
        complete: cycle_complete(&states, &summary),
        milestones,
        goals: goals.into_iter().map(GoalView::from).collect(),
        goals_summary: summary,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PdrQuery {
    /// Any date in the cycle wanted (default: today, the current cycle).
    pub cycle: Option<Day>,
}

fn check_query(query: &PdrQuery) -> Result<Option<NaiveDate>, Invalid> {
    match query.cycle.map(Day::date) {
        Some(date) if !(2000..=2100).contains(&chrono::Datelike::year(&date)) => Err(
            Invalid::field("cycle", "must be a date between 2000 and 2100"),
        ),
        other => Ok(other),
    }
}

/// A person's PDR cycle: its period, the goals, mid-year and year-end milestones with their
/// `pdr` sessions and records, the goals, and how many a full cycle, or pro rata a starter's
/// first, asks for (PDR-1).
#[utoipa::path(
    tag = "pdr",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id"), PdrQuery),
    responses(
        (status = 200, body = PdrView),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A cycle date out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/pdr")]
async fn person_pdr(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: Query<PdrQuery>,
) -> ApiResult<web::Json<PdrView>> {
    let on = check_query(&query.0)?;
    let id = id.into_inner();
    let view = state
        .db
        .read(move |conn| {
            let person = find_visible(conn, &caller, &id)?;
            pdr_view(conn, &person, on)
        })
        .await?;
    Ok(web::Json(view))
}

/// Your own PDR cycle (PDR-1).
#[utoipa::path(
    tag = "pdr",
    security(("bearer" = [])),
    params(PdrQuery),
    responses(
        (status = 200, body = PdrView),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A cycle date out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/pdr")]
async fn my_pdr(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<PdrQuery>,
) -> ApiResult<web::Json<PdrView>> {
    let on = check_query(&query.0)?;
    let view = state
        .db
        .read(move |conn| {
            let person = crate::store::people::find(conn, &caller.person_id)?;
            pdr_view(conn, &person, on)
        })
        .await?;
    Ok(web::Json(view))
}

fn respond(status: StatusCode, goal: Goal) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("ETag", etag(goal.version)))
        .json(GoalView::from(goal))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Lead the team's audit of child in need plans",
    "specific": "Audit ten CIN plans against the practice standards.",
    "measurable": "An audit report with findings presented at the team meeting.",
    "achievable": "Half a day a month protected for the audit.",
    "relevant": "The service plan's priority on CIN plan quality.",
    "behaviours": "Works openly with colleagues; shares learning.",
    "due_on": "2027-01-31"
}))]
pub struct GoalBody {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Required, at most 2,000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub specific: String,
    /// Required, at most 2,000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub measurable: String,
    /// At most 2,000 characters each.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub achievable: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub relevant: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub behaviours: String,
    /// New goals: within this cycle or the next. Edits: within the goal's cycle.
    pub due_on: Day,
    /// New goals start `not_started`; edits keep the status when left out.
    pub status: Option<GoalStatus>,
    /// At most 5,000 characters; edits keep the notes when left out.
    #[schema(max_length = 5000)]
    pub progress: Option<String>,
}

impl GoalBody {
    fn text(&self) -> GoalText<'_> {
        GoalText {
            title: &self.title,
            specific: &self.specific,
            measurable: &self.measurable,
            achievable: &self.achievable,
            relevant: &self.relevant,
            behaviours: &self.behaviours,
        }
    }
}

/// Record a goal agreed for a person's cycle (their line manager, anyone above them, or an
/// administrator). It belongs to the cycle its due date falls in: this one or the next.
#[utoipa::path(
    tag = "pdr",
    security(("bearer" = [])),
    request_body = GoalBody,
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 201, body = GoalView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not above the person in line management, nor an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The cycle already holds 20 goals", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule: empty, too long, or due outside this cycle and the next", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/people/{id}/pdr/goals")]
async fn add_goal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<GoalBody>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let progress = check_progress(body.progress.as_deref().unwrap_or_default())?;
    let person_id = id.into_inner();
    let created = state
        .db
        .write(move |conn| {
            let person = find_visible(conn, &caller, &person_id)?;
            if !manages(conn, &caller, &person.id)? {
                return Ok(Err(ApiError::Forbidden(
                    "goals are recorded by the person's line manager or an administrator",
                )));
            }
            let months = organisation::settings(conn)?.pdr_months;
            let this = months.cycle(today_in(zone(&person), Utc::now()));
            let next = months.cycle(this.end_exclusive());
            let window = Period {
                starts_on: this.starts_on,
                ends_on: next.ends_on,
            };
            let goal = match check_goal(body.text(), body.due_on.date(), window) {
                Ok(goal) => goal,
                Err(invalid) => return Ok(Err(invalid.into())),
            };
            if !pdr::has_room(conn, &person.id, months.cycle(goal.due_on))? {
                return Ok(Err(ApiError::Conflict(format!(
                    "a cycle holds at most {MAX_GOALS_PER_CYCLE} goals"
                ))));
            }
            let status = body.status.unwrap_or(GoalStatus::NotStarted);
            let goal = pdr::insert(
                conn,
                &person.id,
                &goal,
                status,
                &progress,
                &caller.person_id,
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "pdr_goal.created",
                "pdr_goal",
                Some(&goal.id),
                json!({"person_id": person.id, "due_on": goal.due_on, "status": status}),
            )?;
            Ok(Ok(goal))
        })
        .await;
    Ok(respond(StatusCode::CREATED, settle(created)?))
}

/// One goal.
#[utoipa::path(
    tag = "pdr",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Goal id")),
    responses(
        (status = 200, body = GoalView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such goal, or not yours to see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/pdr-goals/{id}")]
async fn get_goal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let goal = state
        .db
        .read(move |conn| find_goal(conn, &caller, &id))
        .await?;
    Ok(respond(StatusCode::OK, goal))
}

/// The 412 for a write on an old version, with the goal as it is now.
fn stale(goal: Goal) -> ApiError {
    ApiError::PreconditionFailed {
        current: serde_json::to_value(GoalView::from(goal)).ok(),
    }
}

/// Change a goal (the person's line manager, anyone above them, or an administrator): its
/// text, due date within its cycle, and optionally status and progress. Needs `If-Match`.
#[utoipa::path(
    tag = "pdr",
    security(("bearer" = [])),
    request_body = GoalBody,
    params(
        ("id" = String, Path, description = "Goal id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = GoalView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not above the person in line management, nor an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such goal, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read; `current` holds the goal now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule: empty, too long, or due outside the goal's cycle", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/pdr-goals/{id}")]
async fn edit_goal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<GoalBody>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let progress = body.progress.as_deref().map(check_progress).transpose()?;
    let id = id.into_inner();
    let updated = state
        .db
        .write(move |conn| {
            let current = find_goal(conn, &caller, &id)?;
            if !manages(conn, &caller, &current.person_id)? {
                return Ok(Err(ApiError::Forbidden(
                    "goals are changed by the person's line manager or an administrator",
                )));
            }
            let cycle = organisation::settings(conn)?
                .pdr_months
                .cycle(current.due_on);
            let goal = match check_goal(body.text(), body.due_on.date(), cycle) {
                Ok(goal) => goal,
                Err(invalid) => return Ok(Err(invalid.into())),
            };
            if current.version != version.expect(current.version) {
                return Ok(Err(stale(current)));
            }
            let status = body.status.unwrap_or(current.status);
            let progress = progress.unwrap_or_else(|| current.progress.clone());
            let change = Change::Goal {
                goal: &goal,
                status,
                progress: &progress,
            };
            let updated = pdr::update(conn, &id, version.expect(current.version), change)?;
            audit::record(
                conn,
                &caller.for_audit(),
                "pdr_goal.edited",
                "pdr_goal",
                Some(&id),
                json!({"person_id": updated.person_id, "due_on": updated.due_on, "status": status}),
            )?;
            Ok(Ok(updated))
        })
        .await;
    Ok(respond(StatusCode::OK, settle(updated)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "achieved", "progress": "Audit presented at the February team meeting."}))]
pub struct StatusBody {
    pub status: GoalStatus,
    /// At most 5,000 characters; the notes stay as they are when left out.
    #[schema(max_length = 5000)]
    pub progress: Option<String>,
}

/// Set a goal's status and progress notes (the person, their line manager, anyone above them,
/// or an administrator). Needs `If-Match`.
#[utoipa::path(
    tag = "pdr",
    security(("bearer" = [])),
    request_body = StatusBody,
    params(
        ("id" = String, Path, description = "Goal id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = GoalView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body, unknown field or status", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither the person, above them, nor an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such goal, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read; `current` holds the goal now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Progress notes too long", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/pdr-goals/{id}/status")]
async fn set_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<StatusBody>,
) -> ApiResult<HttpResponse> {
    let StatusBody { status, progress } = body.0;
    let progress = progress.as_deref().map(check_progress).transpose()?;
    let id = id.into_inner();
    let updated = state
        .db
        .write(move |conn| {
            let current = find_goal(conn, &caller, &id)?;
            if current.person_id != caller.person_id && !manages(conn, &caller, &current.person_id)?
            {
                return Ok(Err(ApiError::Forbidden(
                    "the person or their line manager keeps a goal's status",
                )));
            }
            if current.version != version.expect(current.version) {
                return Ok(Err(stale(current)));
            }
            let change = Change::Status {
                status,
                progress: progress.as_deref(),
            };
            let updated = pdr::update(conn, &id, version.expect(current.version), change)?;
            audit::record(
                conn,
                &caller.for_audit(),
                "pdr_goal.status_set",
                "pdr_goal",
                Some(&id),
                json!({"person_id": updated.person_id, "from": current.status, "to": status}),
            )?;
            Ok(Ok(updated))
        })
        .await;
    Ok(respond(StatusCode::OK, settle(updated)?))
}
