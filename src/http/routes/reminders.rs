//! Each person's reminder settings (REM-2, REM-3) and private calendar feed (REM-7).

use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::reminders::{self, Settings};
use crate::domain::reminders::Preferences;
use crate::http::extract::{etag, Caller, IfMatch, Json};
use crate::http::problem::{ApiResult, Problem};
use crate::http::views::utc;
use crate::http::AppState;
use crate::store::now;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(get_preferences)
        .service(set_preferences)
        .service(feed_status)
        .service(create_feed)
        .service(revoke_feed)
        .service(calendar_feed);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "preferences": {"quiet_from": "20:00", "quiet_until": "08:00", "disabled": [], "session_leads_minutes": [1440, 60], "nothing_booked_working_days": [10, 5, 2]},
    "version": 0
}))]
pub struct PreferencesView {
    pub preferences: Preferences,
    /// Also the ETag: 0 while the defaults apply.
    pub version: i32,
}

fn respond(settings: Settings) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("ETag", etag(settings.version)))
        .json(PreferencesView {
            preferences: settings.preferences,
            version: settings.version,
        })
}

/// Your reminder settings: quiet hours (no pushes between `quiet_from` and `quiet_until`, in
/// your time zone, nor on non-working days; held pushes go when they end), kinds turned off,
/// and lead times.
#[utoipa::path(
    tag = "reminders",
    security(("bearer" = [])),
    responses(
        (status = 200, body = PreferencesView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/reminder-preferences")]
async fn get_preferences(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let settings = state
        .db
        .query(move |conn| reminders::preferences(conn, &caller))
        .await?;
    Ok(respond(settings))
}

/// Change your reminder settings. Needs `If-Match` (`"0"` before the first change). Session
/// lead times are chosen from 15, 30, 60, 120, 1440 and 2880 minutes.
#[utoipa::path(
    tag = "reminders",
    security(("bearer" = [])),
    request_body = Preferences,
    params(("If-Match" = String, Header, description = "ETag from the last read")),
    responses(
        (status = 200, body = PreferencesView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A lead time not offered, or too many", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/me/reminder-preferences")]
async fn set_preferences(
    state: web::Data<AppState>,
    caller: Caller,
    version: IfMatch,
    body: Json<Preferences>,
) -> ApiResult<HttpResponse> {
    let settings = state
        .db
        .transact(move |conn| reminders::set_preferences(conn, &caller, now(), version, body.0))
        .await?;
    Ok(respond(settings))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"active": true, "created_at": "2026-11-25T10:00:00Z", "path": null}))]
pub struct FeedView {
    pub active: bool,
    pub created_at: Option<DateTime<Utc>>,
    /// Only when the feed is made: the secret path to subscribe to, prefixed with this
    /// server's address. It is not shown again; make a new one if it is lost.
    pub path: Option<String>,
}

/// Whether you have a calendar feed.
#[utoipa::path(
    tag = "reminders",
    security(("bearer" = [])),
    responses(
        (status = 200, body = FeedView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/calendar-feed")]
async fn feed_status(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let created = state
        .db
        .query(move |conn| reminders::feed_made(conn, &caller))
        .await?;
    Ok(HttpResponse::Ok().json(FeedView {
        active: created.is_some(),
        created_at: created.map(utc),
        path: None,
    }))
}

/// Make your private calendar feed (REM-7), or a new one: the old link stops working.
/// Subscribe to it in Outlook or a phone's calendar.
#[utoipa::path(
    tag = "reminders",
    security(("bearer" = [])),
    responses(
        (status = 201, body = FeedView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/calendar-feed")]
async fn create_feed(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let made = state
        .db
        .transact(move |conn| reminders::create_feed(conn, &caller, now()))
        .await?;
    Ok(HttpResponse::Created().json(FeedView {
        active: true,
        created_at: Some(utc(made.created_at)),
        path: Some(format!("/api/v1/calendar-feeds/{}.ics", made.secret)),
    }))
}

/// Stop your calendar feed: its link no longer works.
#[utoipa::path(
    tag = "reminders",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "You have no feed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/me/calendar-feed")]
async fn revoke_feed(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    state
        .db
        .transact(move |conn| reminders::revoke_feed(conn, &caller))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A person's sessions as iCalendar (RFC 5545), opened by the secret link itself (calendar
/// apps cannot sign in). Moves and cancellations update the subscribed calendar: each
/// session keeps its UID, its SEQUENCE rises with every change, and a cancelled one is
/// `STATUS:CANCELLED`.
#[utoipa::path(
    tag = "reminders",
    params(("token" = String, Path, description = "The secret from the feed's path, with or without `.ics`")),
    responses(
        (status = 200, description = "The calendar", content_type = "text/calendar", body = String),
        (status = 404, description = "No such feed (or it was revoked)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar-feeds/{token}")]
async fn calendar_feed(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let calendar = state
        .db
        .query(move |conn| reminders::calendar(conn, token.trim_end_matches(".ics"), now()))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("Cache-Control", "private, max-age=300"))
        .body(calendar))
}
