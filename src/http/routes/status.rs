//! Supervision status (FREQ-4): your own, a person's, your supervisees', a team's.

use actix_web::{get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::people::may_see;
use crate::domain::compliance::severity;
use crate::domain::people::StaffCategory;
use crate::domain::policy::Interval;
use crate::domain::scheduling::Status;
use crate::domain::validation::Invalid;
use crate::http::extract::{Caller, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::AppState;
use crate::store::status::{self, Line};
use crate::store::{agreements, now, people, teams, StoreError};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(my_status)
        .service(person_status)
        .service(my_supervisees)
        .service(team_status);
}

/// One supervisee's status, last held session, `due_by` and next booked session.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "display_name": "Aisha Khan",
    "staff_category": "social_worker", "agreement_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80",
    "status": "at_risk", "due_by": "2026-12-08", "last_held": "2026-11-03",
    "next_booked": null, "interval": {"max_working_days": 25}, "days_since_last_held": 22
}))]
pub struct StatusView {
    pub person_id: String,
    pub display_name: String,
    pub staff_category: StaffCategory,
    /// The agreement the status follows; null when none is active (the clock then runs
    /// from the start of employment).
    pub agreement_id: Option<String>,
    /// on_track, at_risk, overdue, no_baseline (FREQ-4) or ended (a student after their
    /// placement).
    pub status: Status,
    /// The next formal session must be held on or before this date.
    pub due_by: NaiveDate,
    pub last_held: Option<NaiveDate>,
    pub next_booked: Option<NaiveDate>,
    /// The interval in force (policy, or a more frequent override).
    pub interval: Interval,
    pub days_since_last_held: Option<i64>,
    /// 1:1 sessions held in the 12 months to today; only when the profile sets a yearly
    /// minimum (FREQ-3).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub held_this_year: Option<u32>,
    /// The profile's fewest sessions a year (Cafcass: 8), when it sets one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub min_per_year: Option<u32>,
}

impl From<Line> for StatusView {
    fn from(line: Line) -> StatusView {
        StatusView {
            person_id: line.person.id,
            display_name: line.person.display_name,
            staff_category: line.person.staff_category,
            agreement_id: line.agreement_id,
            status: line.report.status,
            due_by: line.report.due_by,
            last_held: line.report.last_held,
            next_booked: line.report.next_booked,
            interval: line.report.interval,
            days_since_last_held: line.report.days_since_last_held,
            held_this_year: line.yearly.map(|(held, _)| held),
            min_per_year: line.yearly.map(|(_, min)| min),
        }
    }
}

async fn one(
    state: &web::Data<AppState>,
    caller: Caller,
    id: String,
) -> ApiResult<web::Json<StatusView>> {
    let state2 = state.clone();
    let line = state
        .db
        .read_small(move |conn| {
            if !may_see(conn, &caller, &id)? {
                return Err(StoreError::NotFound);
            }
            let person = people::find(conn, &id)?;
            let calendars = state2.calendars.load(conn)?;
            status::lines(conn, &calendars, vec![person], status::Reach::Listed, now())?
                .pop()
                .ok_or(StoreError::NotFound)
        })
        .await?;
    Ok(web::Json(line.into()))
}

/// Your own supervision status.
#[utoipa::path(
    tag = "status",
    security(("bearer" = [])),
    responses(
        (status = 200, body = StatusView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/supervision-status")]
async fn my_status(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<StatusView>> {
    let id = caller.person_id.clone();
    one(&state, caller, id).await
}

/// A person's supervision status (the person, their managers, administrators, auditors).
#[utoipa::path(
    tag = "status",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = StatusView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not one you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/supervision-status")]
async fn person_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<StatusView>> {
    one(&state, caller, id.into_inner()).await
}

/// Largest status list in one answer: a whole service's team fits.
pub const MAX_STATUS_ROWS: i64 = 10_000;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// Only supervisees with this status.
    pub status: Option<Status>,
    /// Rows per page, 1 to 10000 (default 200).
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [], "total": 0, "limit": 200, "offset": 0, "counts": {"on_track": 0, "at_risk": 0, "overdue": 0, "no_baseline": 0, "ended": 0}}))]
pub struct StatusList {
    pub items: Vec<StatusView>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    /// How many are in each status, over all pages.
    pub counts: StatusCounts,
}

#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({"on_track": 12, "at_risk": 2, "overdue": 1, "no_baseline": 0, "ended": 0}))]
pub struct StatusCounts {
    pub on_track: i64,
    pub at_risk: i64,
    pub overdue: i64,
    pub no_baseline: i64,
    /// The requirement has ended (a student after their placement).
    pub ended: i64,
}

impl StatusCounts {
    pub fn of(statuses: impl IntoIterator<Item = Status>) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for status in statuses {
            match status {
                Status::OnTrack => counts.on_track += 1,
                Status::AtRisk => counts.at_risk += 1,
                Status::Overdue => counts.overdue += 1,
                Status::NoBaseline => counts.no_baseline += 1,
                Status::Ended => counts.ended += 1,
            }
        }
        counts
    }
}

fn paged(lines: Vec<Line>, query: &StatusQuery) -> Result<StatusList, Invalid> {
    let limit = query.limit.unwrap_or(200);
    let offset = query.offset.unwrap_or(0);
    let mut invalid = Invalid::default();
    if !(1..=MAX_STATUS_ROWS).contains(&limit) {
        invalid.push("limit", format!("must be between 1 and {MAX_STATUS_ROWS}"));
    }
    if offset < 0 {
        invalid.push("offset", "must not be negative");
    }
    invalid.into_result(|| ())?;
    let counts = StatusCounts::of(lines.iter().map(|l| l.report.status));
    let mut lines: Vec<Line> = lines
        .into_iter()
        .filter(|l| query.status.is_none_or(|s| l.report.status == s))
        .collect();
    lines.sort_by(|a, b| {
        (
            severity(a.report.status),
            a.report.due_by,
            &a.person.display_name,
        )
            .cmp(&(
                severity(b.report.status),
                b.report.due_by,
                &b.person.display_name,
            ))
    });
    let total = lines.len() as i64;
    let items = lines
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(StatusView::from)
        .collect();
    Ok(StatusList {
        items,
        total,
        limit,
        offset,
        counts,
    })
}

/// The people you supervise (agreements in force where you are the supervisor), worst first.
#[utoipa::path(
    tag = "status",
    security(("bearer" = [])),
    params(StatusQuery),
    responses(
        (status = 200, body = StatusList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Paging out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/supervisees")]
async fn my_supervisees(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<StatusQuery>,
) -> ApiResult<web::Json<StatusList>> {
    let state2 = state.clone();
    let lines = state
        .db
        .read_small(move |conn| {
            let today = crate::domain::people::organisation_today();
            let mut ids: Vec<String> = agreements::for_person(conn, &caller.person_id)?
                .into_iter()
                .filter(|a| a.supervisor_id == caller.person_id && a.in_force(today))
                .map(|a| a.supervisee_id)
                .collect();
            ids.sort();
            ids.dedup();
            let people = people::find_many(conn, &ids)?;
            let calendars = state2.calendars.load(conn)?;
            status::lines(conn, &calendars, people, status::Reach::Listed, now())
        })
        .await?;
    Ok(web::Json(paged(lines, &query.0)?))
}

/// The status of every active member of a team, worst first (RPT-1's view for a team).
/// Administrators and auditors see any team; a manager sees the members they manage.
#[utoipa::path(
    tag = "status",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Team id"), StatusQuery),
    responses(
        (status = 200, body = StatusList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Paging out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/teams/{id}/supervision-status")]
async fn team_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: Query<StatusQuery>,
) -> ApiResult<web::Json<StatusList>> {
    let id = id.into_inner();
    let state2 = state.clone();
    let lines = state
        .db
        .read(move |conn| {
            teams::find(conn, &id)?;
            let filter = people::Filter {
                team_id: Some(id),
                active: Some(true),
                only_ids: if caller.is_admin || caller.is_auditor {
                    None
                } else {
                    Some(crate::store::line_management::hierarchy(conn)?.reports_of(
                        &caller.person_id,
                        crate::domain::people::organisation_today(),
                    ))
                },
                ..people::Filter::default()
            };
            let (members, _) = people::list(
                conn,
                &filter,
                crate::store::Page {
                    limit: MAX_STATUS_ROWS * 10,
                    offset: 0,
                },
            )?;
            let calendars = state2.calendars.load(conn)?;
            status::lines(conn, &calendars, members, status::Reach::Listed, now())
        })
        .await?;
    Ok(web::Json(paged(lines, &query.0).map_err(ApiError::from)?))
}
