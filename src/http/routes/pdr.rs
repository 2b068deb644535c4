//! The performance and development review (PDR-1): each person's yearly cycle with its three
//! milestones and their `pdr` sessions and records, and the SMART goals agreed for it.
//!
//! The person, anyone above them in line management, administrators and auditors see a
//! cycle; anyone else gets 404 (ACC-5). Goals are agreed in the PDR and recorded by the line
//! manager (anyone above the person today) or an administrator, who also edit them; the person
//! and they keep each goal's status and progress up to date. Auditors only read.

use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::pdr::{self, GoalRequest};
use crate::app::AppError;
use crate::domain::dates::Day;
use crate::domain::pdr::GoalStatus;
use crate::http::extract::{etag, Caller, IfMatch, Json, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::pdr::{GoalView, PdrView};
use crate::http::AppState;
use crate::store::pdr::Goal;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(person_pdr)
        .service(my_pdr)
        .service(add_goal)
        .service(get_goal)
        .service(edit_goal)
        .service(set_status);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PdrQuery {
    /// Any date in the cycle wanted (default: today, the current cycle).
    pub cycle: Option<Day>,
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
    let on = query.0.cycle.map(Day::date);
    let found = state
        .db
        .query(move |conn| pdr::of_person(conn, &caller, Utc::now(), &id, on))
        .await?;
    Ok(web::Json(found.into()))
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
    let on = query.0.cycle.map(Day::date);
    let found = state
        .db
        .query(move |conn| pdr::mine(conn, &caller, Utc::now(), on))
        .await?;
    Ok(web::Json(found.into()))
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
    #[schema(format = "one-line", min_length = 1, max_length = 200)]
    pub title: String,
    /// Required, at most 2,000 characters.
    #[schema(format = "multi-line", min_length = 1, max_length = 2000)]
    pub specific: String,
    /// Required, at most 2,000 characters.
    #[schema(format = "multi-line", min_length = 1, max_length = 2000)]
    pub measurable: String,
    /// At most 2,000 characters each.
    #[serde(default)]
    #[schema(format = "multi-line", max_length = 2000)]
    pub achievable: String,
    #[serde(default)]
    #[schema(format = "multi-line", max_length = 2000)]
    pub relevant: String,
    #[serde(default)]
    #[schema(format = "multi-line", max_length = 2000)]
    pub behaviours: String,
    /// New goals: within this cycle or the next. Edits: within the goal's cycle.
    pub due_on: Day,
    /// New goals start `not_started`; edits keep the status when left out.
    pub status: Option<GoalStatus>,
    /// At most 5,000 characters; edits keep the notes when left out.
    #[schema(format = "multi-line", max_length = 5000)]
    pub progress: Option<String>,
}

impl From<GoalBody> for GoalRequest {
    fn from(body: GoalBody) -> GoalRequest {
        GoalRequest {
            title: body.title,
            specific: body.specific,
            measurable: body.measurable,
            achievable: body.achievable,
            relevant: body.relevant,
            behaviours: body.behaviours,
            due_on: body.due_on.date(),
            status: body.status,
            progress: body.progress,
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
    let request = GoalRequest::from(body.0);
    let created = state
        .db
        .transact(move |conn| pdr::add_goal(conn, &caller, Utc::now(), &id, request))
        .await?;
    Ok(respond(StatusCode::CREATED, created))
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
    let goal = state
        .db
        .query(move |conn| pdr::get_goal(conn, &caller, &id))
        .await?;
    Ok(respond(StatusCode::OK, goal))
}

/// A refused change of a goal: a stale write becomes a 412 carrying the goal as it is now
/// (read afresh, after the refused transaction); anything else maps as usual.
async fn refused(state: &AppState, caller: Caller, id: String, err: AppError) -> ApiError {
    let AppError::Stale { .. } = err else {
        return err.into();
    };
    let current = state
        .db
        .query(move |conn| pdr::get_goal(conn, &caller, &id))
        .await;
    match current {
        Ok(goal) => ApiError::PreconditionFailed {
            current: serde_json::to_value(GoalView::from(goal)).ok(),
        },
        Err(err) => err.into(),
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
    let request = GoalRequest::from(body.0);
    let id = id.into_inner();
    let goal_id = id.clone();
    let actor = caller.clone();
    let updated = state
        .db
        .transact(move |conn| pdr::edit_goal(conn, &actor, &goal_id, version, request))
        .await;
    match updated {
        Ok(goal) => Ok(respond(StatusCode::OK, goal)),
        Err(err) => Err(refused(&state, caller, id, err).await),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "achieved", "progress": "Audit presented at the February team meeting."}))]
pub struct StatusBody {
    pub status: GoalStatus,
    /// At most 5,000 characters; the notes stay as they are when left out.
    #[schema(format = "multi-line", max_length = 5000)]
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
    let id = id.into_inner();
    let goal_id = id.clone();
    let actor = caller.clone();
    let updated = state
        .db
        .transact(move |conn| pdr::set_status(conn, &actor, &goal_id, version, status, progress))
        .await;
    match updated {
        Ok(goal) => Ok(respond(StatusCode::OK, goal)),
        Err(err) => Err(refused(&state, caller, id, err).await),
    }
}
