//! Teams: everyone signed in can list them; administrators create and rename them.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::validation::{bounded_text, Invalid};
use crate::http::extract::{etag, page, Caller, IfMatch, Json, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::{utc, Paged};
use crate::http::AppState;
use crate::store::teams::{self, Team};
use crate::store::{audit, StoreError};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_teams)
        .service(create_team)
        .service(get_team)
        .service(update_team);
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f51",
    "name": "Assessment Team North",
    "active": true,
    "created_at": "2026-11-25T09:30:00Z",
    "updated_at": "2026-11-25T09:30:00Z",
    "version": 1
}))]
pub struct TeamView {
    pub id: String,
    pub name: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<Team> for TeamView {
    fn from(t: Team) -> TeamView {
        TeamView {
            id: t.id,
            name: t.name,
            active: t.active,
            created_at: utc(t.created_at),
            updated_at: utc(t.updated_at),
            version: t.version,
        }
    }
}

fn team_response(mut builder: actix_web::HttpResponseBuilder, team: Team) -> HttpResponse {
    builder
        .insert_header(("ETag", etag(team.version)))
        .json(TeamView::from(team))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TeamsQuery {
    pub active: Option<bool>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

/// All teams, by name.
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(TeamsQuery),
    responses(
        (status = 200, body = Paged<TeamView>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Paging out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/teams")]
async fn list_teams(
    state: web::Data<AppState>,
    _caller: Caller,
    query: Query<TeamsQuery>,
) -> ApiResult<web::Json<Paged<TeamView>>> {
    let page = page(query.0.limit, query.0.offset)?;
    let active = query.0.active;
    let (items, total) = state
        .db
        .read(move |conn| teams::list(conn, active, page))
        .await?;
    Ok(web::Json(Paged::new(
        items.into_iter().map(TeamView::from).collect(),
        total,
        page,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Assessment Team North"}))]
pub struct CreateTeam {
    /// 1 to 120 characters, unique.
    #[schema(format = "one-line", min_length = 1, max_length = 120)]
    pub name: String,
}

/// Create a team (administrators). The name must be unused; the team starts active and
/// empty: people join it by `PATCH /people/{id}`.
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    request_body = CreateTeam,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of creating twice")),
    responses(
        (status = 201, body = TeamView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name already in use", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/teams")]
async fn create_team(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateTeam>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let name = bounded_text("name", &body.0.name, 1, 120)?;
    let actor = caller.for_audit();
    let team = state
        .db
        .write(move |conn| {
            let team = teams::insert(conn, &name)?;
            audit::record(
                conn,
                &actor,
                "team.created",
                "team",
                Some(&team.id),
                json!({}),
            )?;
            Ok(team)
        })
        .await?;
    let location = format!("/api/v1/teams/{}", team.id);
    let mut builder = HttpResponse::Created();
    builder.insert_header(("Location", location));
    Ok(team_response(builder, team))
}

/// One team.
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Team id")),
    responses(
        (status = 200, body = TeamView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/teams/{id}")]
async fn get_team(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let team = state.db.read(move |conn| teams::find(conn, &id)).await?;
    Ok(team_response(HttpResponse::Ok(), team))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Assessment Team North and East", "active": true}))]
pub struct UpdateTeam {
    #[schema(format = "one-line", min_length = 1, max_length = 120)]
    pub name: Option<String>,
    pub active: Option<bool>,
}

/// Rename or (de)activate a team (administrators). Needs `If-Match`.
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    request_body = UpdateTeam,
    params(
        ("id" = String, Path, description = "Team id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = TeamView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name already in use", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read; `current` holds the team now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/teams/{id}")]
async fn update_team(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<UpdateTeam>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let id = id.into_inner();
    let mut invalid = Invalid::default();
    let changes = teams::Changes {
        name: body
            .0
            .name
            .as_deref()
            .and_then(|v| invalid.check(bounded_text("name", v, 1, 120))),
        active: body.0.active,
    };
    invalid.into_result(|| ())?;
    let actor = caller.for_audit();
    let target = id.clone();
    let updated = state
        .db
        .write(move |conn| {
            let expected = version.expect_with(|| teams::find(conn, &target).map(|t| t.version))?;
            let team = teams::update(conn, &target, expected, &changes)?;
            audit::record(
                conn,
                &actor,
                "team.updated",
                "team",
                Some(&target),
                json!({ "version": team.version }),
            )?;
            Ok(team)
        })
        .await;
    match updated {
        Ok(team) => Ok(team_response(HttpResponse::Ok(), team)),
        Err(StoreError::VersionMismatch { .. }) => {
            let current = state.db.read(move |conn| teams::find(conn, &id)).await?;
            Err(ApiError::PreconditionFailed {
                current: serde_json::to_value(TeamView::from(current)).ok(),
            })
        }
        Err(other) => Err(other.into()),
    }
}
