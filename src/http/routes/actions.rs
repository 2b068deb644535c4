//! Actions agreed in signed records, tracked until done (REC-2).

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::actions;
use crate::http::extract::{page, Caller, Json, Query};
use crate::http::problem::{ApiResult, Problem};
use crate::http::views::records::ActionView;
use crate::http::views::Paged;
use crate::http::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(my_actions).service(set_action_status);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    Done,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionsQuery {
    /// `open` (the default) or `done`.
    pub status: Option<ActionStatus>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

/// The actions you own across all your signed records, soonest due first (REC-2).
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(ActionsQuery),
    responses(
        (status = 200, body = Paged<ActionView>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad paging", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/actions")]
async fn my_actions(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ActionsQuery>,
) -> ApiResult<HttpResponse> {
    let page = page(query.0.limit, query.0.offset)?;
    let done = query.0.status == Some(ActionStatus::Done);
    let (items, total) = state
        .db
        .query(move |conn| actions::mine(conn, &caller, done, page))
        .await?;
    let items = items.into_iter().map(ActionView::from).collect();
    Ok(HttpResponse::Ok().json(Paged::new(items, total, page)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "done"}))]
pub struct SetActionStatus {
    pub status: ActionStatus,
}

/// Mark an action done, or open again: its owner, or either party of its record.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    request_body = SetActionStatus,
    params(("id" = String, Path, description = "Action id")),
    responses(
        (status = 200, body = ActionView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such action, or not yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/actions/{id}/status")]
async fn set_action_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<SetActionStatus>,
) -> ApiResult<HttpResponse> {
    let done = body.0.status == ActionStatus::Done;
    let updated = state
        .db
        .transact(move |conn| actions::set_status(conn, &caller, &id, done))
        .await?;
    Ok(HttpResponse::Ok().json(ActionView::from(updated)))
}
