//! Supervision status (FREQ-4): your own, a person's, your supervisees', a team's.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::status::{self, Listing};
use crate::domain::scheduling::Status;
use crate::http::extract::{Caller, Query};
use crate::http::problem::{ApiResult, Problem};
use crate::http::views::status::{StatusList, StatusView};
use crate::http::AppState;
use crate::store::now;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(my_status)
        .service(my_supervisees)
        .service(person_status)
        .service(team_status);
}

async fn one(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
) -> ApiResult<web::Json<StatusView>> {
    let calendars = state.calendars.clone();
    let line = state
        .db
        .read_small(move |conn| status::of_person(conn, &caller, &calendars, now(), &id))
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
    one(state, caller, id).await
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
    one(state, caller, id.into_inner()).await
}

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

impl From<&StatusQuery> for Listing {
    fn from(query: &StatusQuery) -> Listing {
        Listing {
            status: query.status,
            limit: query.limit,
            offset: query.offset,
        }
    }
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
    let listing = Listing::from(&query.0);
    let calendars = state.calendars.clone();
    let listed = state
        .db
        .read_small(move |conn| status::supervisees(conn, &caller, &calendars, now(), listing))
        .await?;
    Ok(web::Json(listed.into()))
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
    let listing = Listing::from(&query.0);
    let calendars = state.calendars.clone();
    let listed = state
        .db
        .query(move |conn| status::team(conn, &caller, &calendars, now(), &id, listing))
        .await?;
    Ok(web::Json(listed.into()))
}
