//! The in-app inbox (REM-4): everything the service tells a person, read or not.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::extract::{page, Caller, Query};
use crate::http::problem::{ApiResult, Problem};
use crate::http::views::{rfc3339, utc};
use crate::http::AppState;
use crate::store::audit;
use crate::store::notifications::{self, Notification};

pub fn configure(config: &mut ServiceConfig) {
    config.service(inbox).service(mark_read);
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4ff0", "kind": "record_accessed",
    "title": "Your supervision record was read",
    "body": "The record of your session on 2026-11-24 was read for this reason: audit.",
    "link": "/records/019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4fa0",
    "subject_type": "record", "subject_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4fa0",
    "created_at": "2026-12-04T11:00:00Z", "read_at": null
}))]
pub struct NotificationView {
    pub id: String,
    /// What happened: `record_awaiting_signature`, `record_accessed`, ...
    pub kind: String,
    pub title: String,
    /// Never case references or record content; follow `link` for those.
    pub body: String,
    /// Where in the app to go.
    pub link: String,
    pub subject_type: String,
    pub subject_id: String,
    #[serde(serialize_with = "rfc3339::text")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339::text")]
    pub read_at: Option<DateTime<Utc>>,
}

impl From<Notification> for NotificationView {
    fn from(n: Notification) -> NotificationView {
        NotificationView {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            link: n.link,
            subject_type: n.subject_type,
            subject_id: n.subject_id,
            created_at: utc(n.created_at),
            read_at: n.read_at.map(utc),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [], "total": 0, "unread": 0, "limit": 50, "offset": 0}))]
pub struct Inbox {
    pub items: Vec<NotificationView>,
    /// How many match, over all pages.
    pub total: i64,
    /// Unread notifications, for a badge.
    pub unread: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// `true`: only unread notifications.
    pub unread: Option<bool>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

/// Your notifications, newest first, with the unread count (REM-4).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(InboxQuery),
    responses(
        (status = 200, body = Inbox),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad paging", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/notifications")]
async fn inbox(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<InboxQuery>,
) -> ApiResult<HttpResponse> {
    let page = page(query.0.limit, query.0.offset)?;
    let unread_only = query.0.unread == Some(true);
    let (items, total, unread) = state
        .db
        .read_small(move |conn| notifications::inbox(conn, &caller.person_id, unread_only, page))
        .await?;
    Ok(HttpResponse::Ok().json(Inbox {
        items: items.into_iter().map(NotificationView::from).collect(),
        total,
        unread,
        limit: page.limit,
        offset: page.offset,
    }))
}

/// Mark one of your notifications read.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Notification id")),
    responses(
        (status = 200, body = NotificationView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notification of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/notifications/{id}/read")]
async fn mark_read(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let read = state
        .db
        .write(move |conn| {
            let read = notifications::mark_read(conn, &caller.person_id, &id)?;
            audit::record(
                conn,
                &caller.for_audit(),
                "notification.read",
                "notification",
                Some(&read.id),
                json!({"kind": read.kind}),
            )?;
            Ok(read)
        })
        .await?;
    Ok(HttpResponse::Ok().json(NotificationView::from(read)))
}
