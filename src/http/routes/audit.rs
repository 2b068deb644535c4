//! The audit log, for auditors (ACC-4). There is no endpoint that changes it.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::validation::Invalid;
use crate::http::extract::{page, Caller, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::{utc, Paged};
use crate::http::AppState;
use crate::store::audit::{self, AuditEvent};

pub fn configure(config: &mut ServiceConfig) {
    config.service(list_events);
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f70",
    "occurred_at": "2026-11-25T09:31:02Z",
    "actor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f10",
    "action": "person.created",
    "subject_type": "person",
    "subject_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "client_address": "10.0.0.7",
    "detail": {"email": "aisha.khan@demo.council.example", "staff_category": "social_worker", "is_admin": false, "is_auditor": false}
}))]
pub struct AuditEventView {
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    /// Who acted; null for the system (start-up, demo data).
    pub actor_id: Option<String>,
    /// What happened, e.g. `auth.login`, `auth.login_failed`, `person.created`,
    /// `person.permissions_changed`, `line_management.created`, `team.updated`.
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<String>,
    pub client_address: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<AuditEvent> for AuditEventView {
    fn from(e: AuditEvent) -> AuditEventView {
        AuditEventView {
            id: e.id,
            occurred_at: utc(e.occurred_at),
            actor_id: e.actor_id,
            action: e.action,
            subject_type: e.subject_type,
            subject_id: e.subject_id,
            client_address: e.client_address,
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    /// Events at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Events before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

/// Audit events, newest first (auditors only).
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, body = Paged<AuditEventView>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an auditor", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Paging or range invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
async fn list_events(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<AuditQuery>,
) -> ApiResult<web::Json<Paged<AuditEventView>>> {
    if !caller.is_auditor {
        return Err(ApiError::Forbidden("the audit log is for auditors"));
    }
    let query = query.0;
    let page = page(query.limit, query.offset)?;
    if let (Some(from), Some(to)) = (query.from, query.to) {
        if to <= from {
            return Err(Invalid::field("to", "must be after from").into());
        }
    }
    let filter = audit::Filter {
        actor_id: query.actor_id,
        action: query.action,
        subject_type: query.subject_type,
        subject_id: query.subject_id,
        from: query.from.map(|t| t.naive_utc()),
        to: query.to.map(|t| t.naive_utc()),
    };
    let (items, total) = state
        .db
        .read(move |conn| audit::list(conn, &filter, page))
        .await?;
    Ok(web::Json(Paged::new(
        items.into_iter().map(AuditEventView::from).collect(),
        total,
        page,
    )))
}
