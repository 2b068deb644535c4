//! Group reflective supervision per team (GRP-1, FREQ-2): a year of sessions at the interval
//! the organisation's profile sets (monthly by default), planned like 1:1s (SES-2).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::agreements::WeekdayName;
use super::people::utc;
use super::sessions::SessionView;
use super::Paged;
use crate::domain::people::organisation_today;
use crate::domain::policy::Interval;
use crate::domain::scheduling::{self, local_to_utc, plan_window, utc_to_local_date, PlanRequest};
use crate::domain::sessions::{check_slot, parse_usual_time, SessionKind, SessionStatus};
use crate::domain::validation::{bounded_text, Invalid};
use crate::http::extract::{page, Caller, Json, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::AppState;
use crate::store::line_management as links;
use crate::store::sessions::{self, NewSession};
use crate::store::status::zone;
use crate::store::{audit, now, people, teams, DbConnection, StoreError, StoreResult};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(preview_group_plan)
        .service(save_group_plan)
        .service(list_group_sessions);
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
    pub from: Option<NaiveDate>,
    /// How many months ahead, 1 to 12 (default 12).
    pub months: Option<u32>,
    pub usual_weekday: WeekdayName,
    /// HH:MM in the facilitator's time zone.
    pub usual_time: String,
    pub duration_minutes: i32,
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
    let (from, until) = match plan_window(body.from, body.months, today, today) {
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

/// Save the team's group supervision plan: books each session.
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
    let actor = caller.actor();
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
