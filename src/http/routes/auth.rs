//! Sign-in (ACC-1): password login, refresh-token rotation with reuse detection, logout. A
//! browser app may ask for the refresh token in a cookie instead of the body
//! (`http::refresh_cookie`).

use std::time::Instant;

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::auth::{self, Admission};
use crate::domain::people::PASSWORD_INPUT_MAX_CHARS;
use crate::domain::validation::bounded_text;
use crate::http::extract::{client_address, Json, PendingCaller};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::refresh_cookie::{self, Presented};
use crate::http::views::auth::{RefreshTokenDelivery, TokenResponse};
use crate::http::AppState;
use crate::store::now;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(login)
        .service(refresh)
        .service(logout)
        .service(logout_everywhere);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "aisha.khan@demo.council.example", "password": "demo-supervision-2026"}))]
pub struct LoginRequest {
    #[schema(format = "one-line", min_length = 1, max_length = 254)]
    pub email: String,
    #[schema(max_length = 1024)]
    pub password: String,
    /// `cookie` for a browser app: the refresh token comes back in an `HttpOnly` cookie, not
    /// in the body.
    pub refresh_token_delivery: Option<RefreshTokenDelivery>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "q1Xr0eV2c3Jd9nM3b6Xh0m5yQeVq2d9GZ0a3c8o1bWk"}))]
pub struct RefreshRequest {
    /// Leave out (send `{}`) to use the `supervision_refresh` cookie instead.
    pub refresh_token: Option<String>,
}

/// Tokens as the answer (the refresh token where the client asked for it), or a refusal as
/// a 401.
fn admitted(
    req: &HttpRequest,
    admission: Admission,
    delivery: RefreshTokenDelivery,
) -> ApiResult<HttpResponse> {
    match admission {
        Admission::Admitted(tokens) => Ok(refresh_cookie::tokens(req, tokens, delivery)),
        Admission::Refused(why) => Err(ApiError::Unauthenticated(why)),
    }
}

/// Sign in with e-mail and password. With `refresh_token_delivery: "cookie"` (a browser app)
/// the refresh token is set as the `supervision_refresh` cookie and left out of the body.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse, headers(("Set-Cookie" = String, description = "Only when the refresh token goes in the cookie: `supervision_refresh=<token>; Path=/api/v1/auth; Max-Age=<refresh_expires_in>; HttpOnly; SameSite=Strict`, with `Secure` when the page is HTTPS"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong e-mail or password, or the account is inactive", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The request reads or sets the refresh cookie but comes from another site's page (`Origin` or `Sec-Fetch-Site`); code `cross-site-request`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts for this account or address; see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/login")]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest {
        email,
        password,
        refresh_token_delivery,
    } = body.0;
    let delivery = refresh_token_delivery.unwrap_or_default();
    refresh_cookie::allow(&req, delivery)?;
    let email = bounded_text("email", &email, 1, 254)?.to_lowercase();
    if password.chars().count() > PASSWORD_INPUT_MAX_CHARS {
        return Err(ApiError::bad_field("password", "is too long"));
    }
    let address = client_address(&req);
    // The limits live in this instance's memory, in front of the use case: a refused attempt
    // reaches neither argon2 nor the database.
    state
        .limiter
        .check(&email, &address, Instant::now())
        .map_err(|wait| ApiError::TooManyRequests {
            retry_after_seconds: wait.as_secs().max(1),
        })?;
    let found = {
        let email = email.clone();
        state
            .db
            .query(move |conn| auth::credentials(conn, &email))
            .await?
    };
    // argon2 is slow on purpose: keep it off the async workers.
    let person = web::block(move || auth::verify(&password, found))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    // Only failures count (ACC-1); counted before the audit write, whatever becomes of it.
    let succeeded = person.is_some();
    state
        .limiter
        .attempted(&email, &address, succeeded, Instant::now());
    let shared = state.clone();
    let admission = state
        .db
        .transact(move |conn| auth::sign_in(conn, &shared.issuer(), now(), address, &email, person))
        .await?;
    admitted(&req, admission, delivery)
}

/// Exchange a refresh token for new tokens. Each refresh token works once: presenting a spent
/// one again revokes every token of that sign-in, since one of the two holders is a thief.
/// With `{}` as the body, the token is the `supervision_refresh` cookie's, and the new one
/// replaces it there.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    security((), ("refresh_cookie" = [])),
    responses(
        (status = 200, body = TokenResponse, headers(("Set-Cookie" = String, description = "Only when the refresh token goes in the cookie: `supervision_refresh=<token>; Path=/api/v1/auth; Max-Age=<refresh_expires_in>; HttpOnly; SameSite=Strict`, with `Secure` when the page is HTTPS"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No refresh token, or an unknown, expired, revoked or reused one", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The request reads or sets the refresh cookie but comes from another site's page (`Origin` or `Sec-Fetch-Site`); code `cross-site-request`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let Presented { token, delivery } = refresh_cookie::presented(&req, body.0.refresh_token)?
        .ok_or(ApiError::Unauthenticated(
            "a refresh token is required, in the body or the supervision_refresh cookie",
        ))?;
    let address = client_address(&req);
    let shared = state.clone();
    let admission = state
        .db
        .transact(move |conn| auth::refresh(conn, &shared.issuer(), now(), address, &token))
        .await?;
    admitted(&req, admission, delivery)
}

/// Sign out: revokes the refresh token (the body's, or with `{}` the `supervision_refresh`
/// cookie's, which is cleared) and every token rotated from the same sign-in. Access tokens
/// already issued stay valid until they expire (15 minutes by default); to end those too,
/// sign out everywhere.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    security((), ("refresh_cookie" = [])),
    responses(
        (status = 204, description = "Signed out (also when the token was unknown or there was none)",
            headers(("Set-Cookie" = String, description = "Only when the request carried the cookie: `supervision_refresh=; Path=/api/v1/auth; Max-Age=0; HttpOnly; SameSite=Strict`"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The request reads or sets the refresh cookie but comes from another site's page (`Origin` or `Sec-Fetch-Site`); code `cross-site-request`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    if let Some(Presented { token, .. }) = refresh_cookie::presented(&req, body.0.refresh_token)? {
        let address = client_address(&req);
        state
            .db
            .transact(move |conn| auth::sign_out(conn, now(), address, &token))
            .await?;
    }
    Ok(refresh_cookie::signed_out(&req))
}

/// Sign out of every device (a lost phone, say): every refresh token is revoked and every
/// access token issued so far, this one included, stops working on its next request, on
/// every instance within seconds (ACC-1). The `supervision_refresh` cookie, if sent, is
/// cleared.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out everywhere", headers(("Set-Cookie" = String, description = "Only when the request carried the cookie: `supervision_refresh=; Path=/api/v1/auth; Max-Age=0; HttpOnly; SameSite=Strict`"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout-everywhere")]
async fn logout_everywhere(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: PendingCaller,
) -> ApiResult<HttpResponse> {
    let caller = caller.0;
    let id = caller.person_id.clone();
    state
        .db
        .transact(move |conn| auth::sign_out_everywhere(conn, &caller))
        .await?;
    state.access.forget(&id);
    Ok(refresh_cookie::signed_out(&req))
}
