//! Actions agreed in signed records, tracked until done (REC-2).

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::records::ActionView;
use crate::http::extract::{page, Caller, Json, Query};
use crate::http::problem::{settle, ApiError, ApiResult, Problem};
use crate::http::views::Paged;
use crate::http::AppState;
use crate::store::audit;
use crate::store::records::{self as store, ACTION_DONE, ACTION_OPEN};

pub fn configure(config: &mut ServiceConfig) {
    config.service(my_actions).service(set_action_status);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    Done,
}

impl ActionStatus {
    fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => ACTION_OPEN,
            ActionStatus::Done => ACTION_DONE,
        }
    }
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
    let status = query.0.status.unwrap_or(ActionStatus::Open);
    let (items, total) = state
        .db
        .read(move |conn| {
            store::actions_of_owner(conn, &caller.person_id, Some(status.as_str()), page)
        })
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
    let id = id.into_inner();
    let status = body.0.status;
    let updated = state
        .db
        .write(move |conn| {
            let action = store::action(conn, &id)?;
            let record = store::find(conn, &action.record_id)?;
            let owner = action.owner_person_id.as_deref() == Some(caller.person_id.as_str());
            if !owner && !record.is_party(&caller.person_id) {
                return Ok(Err(ApiError::NotFound));
            }
            let updated = store::set_action_status(
                conn,
                &id,
                status == ActionStatus::Done,
                &caller.person_id,
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "record_action.status",
                "record_action",
                Some(&id),
                json!({"status": status.as_str()}),
            )?;
            Ok(Ok(ActionView::from(updated)))
        })
        .await;
    Ok(HttpResponse::Ok().json(settle(updated)?))
}
