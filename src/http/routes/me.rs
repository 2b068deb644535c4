//! The signed-in person's own profile and password.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::me::{self, ProfileChanges};
use crate::domain::people::TimeZoneName;
use crate::http::extract::{Caller, IfMatch, Json, PendingCaller};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::refresh_cookie;
use crate::http::views::auth::{RefreshTokenDelivery, TokenResponse};
use crate::http::views::people::{person_response, refused_change, PersonView};
use crate::http::AppState;
use crate::store::now;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(get_me)
        .service(update_me)
        .service(change_password);
}

/// Your own profile. Allowed while a password change is pending.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, body = PersonView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Missing, expired or invalid access token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me")]
async fn get_me(state: web::Data<AppState>, caller: PendingCaller) -> ApiResult<HttpResponse> {
    let caller = caller.0;
    let person = state
        .db
        .read_small(move |conn| me::profile(conn, &caller))
        .await?;
    Ok(person_response(HttpResponse::Ok(), person))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Aisha Khan", "time_zone": "Europe/London"}))]
pub struct UpdateMe {
    #[schema(format = "one-line", min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
    /// IANA time zone; reminders and "today" follow it (CAL-4).
    #[schema(value_type = Option<TimeZoneName>)]
    pub time_zone: Option<String>,
}

/// Change your display name or time zone. Needs `If-Match` with the ETag from `GET /me`.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = UpdateMe,
    params(("If-Match" = String, Header, description = "ETag from the last read")),
    responses(
        (status = 200, body = PersonView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/me")]
async fn update_me(
    state: web::Data<AppState>,
    caller: Caller,
    version: IfMatch,
    body: Json<UpdateMe>,
) -> ApiResult<HttpResponse> {
    let changes = ProfileChanges {
        display_name: body.0.display_name,
        time_zone: body.0.time_zone,
    };
    let actor = caller.clone();
    let updated = state
        .db
        .transact(move |conn| me::update_profile(conn, &actor, version, changes))
        .await;
    match updated {
        Ok(person) => Ok(person_response(HttpResponse::Ok(), person)),
        Err(err) => {
            let id = caller.person_id.clone();
            Err(refused_change(&state, caller, id, err).await)
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "one-time-password", "new_password": "a long passphrase I chose"}))]
pub struct ChangePassword {
    #[schema(max_length = 1024)]
    pub current_password: String,
    /// 12 to 128 characters.
    #[schema(min_length = 12, max_length = 128)]
    pub new_password: String,
    /// `cookie` for a browser app: the fresh refresh token comes back in an `HttpOnly`
    /// cookie, not in the body.
    pub refresh_token_delivery: Option<RefreshTokenDelivery>,
}

/// Change your password (required after signing in with a one-time password). Signs out every
/// other device and returns fresh tokens for this one (the refresh token in the
/// `supervision_refresh` cookie with `refresh_token_delivery: "cookie"`).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ChangePassword,
    responses(
        (status = 200, body = TokenResponse, headers(("Set-Cookie" = String, description = "Only when the refresh token goes in the cookie: `supervision_refresh=<token>; Path=/api/v1/auth; Max-Age=<refresh_expires_in>; HttpOnly; SameSite=Strict`, with `Secure` when the page is HTTPS"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The request reads or sets the refresh cookie but comes from another site's page (`Origin` or `Sec-Fetch-Site`); code `cross-site-request`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Current password wrong, or new password too short or unchanged", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/password")]
async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: PendingCaller,
    body: Json<ChangePassword>,
) -> ApiResult<HttpResponse> {
    let caller = caller.0;
    let ChangePassword {
        current_password,
        new_password,
        refresh_token_delivery,
    } = body.0;
    let delivery = refresh_token_delivery.unwrap_or_default();
    refresh_cookie::allow(&req, delivery)?;
    me::check_new_password(&current_password, &new_password)?;
    let actor = caller.clone();
    let stored = state
        .db
        .query(move |conn| me::password_hash(conn, &actor))
        .await?;
    let new_hash = web::block(move || {
        me::new_password_hash(&current_password, stored.as_deref(), &new_password)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    let id = caller.person_id.clone();
    let shared = state.clone();
    let issued = state
        .db
        .transact(move |conn| {
            me::change_password(conn, &caller, &shared.issuer(), now(), &new_hash)
        })
        .await?;
    state.access.forget(&id);
    Ok(refresh_cookie::tokens(&req, issued, delivery))
}
