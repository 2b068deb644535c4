//! Sign-in (ACC-1): password login, refresh-token rotation with reuse detection, logout.

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
use crate::http::views::auth::TokenResponse;
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
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "q1Xr0eV2c3Jd9nM3b6Xh0m5yQeVq2d9GZ0a3c8o1bWk"}))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Tokens as the answer, or a refusal as a 401.
fn admitted(admission: Admission) -> ApiResult<web::Json<TokenResponse>> {
    match admission {
        Admission::Admitted(tokens) => Ok(web::Json(tokens.into())),
        Admission::Refused(why) => Err(ApiError::Unauthenticated(why)),
    }
}

/// Sign in with e-mail and password.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong e-mail or password, or the account is inactive", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts for this account or address; see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/login")]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    let LoginRequest { email, password } = body.0;
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
    admitted(admission)
}

/// Exchange a refresh token for new tokens. Each refresh token works once: presenting a spent
/// one again revokes every token of that sign-in, since one of the two holders is a thief.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<RefreshRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    let address = client_address(&req);
    let shared = state.clone();
    let admission = state
        .db
        .transact(move |conn| {
            auth::refresh(
                conn,
                &shared.issuer(),
                now(),
                address,
                &body.0.refresh_token,
            )
        })
        .await?;
    admitted(admission)
}

/// Sign out: revokes the refresh token and every token rotated from the same sign-in. Access
/// tokens already issued stay valid until they expire (15 minutes by default); to end those
/// too, sign out everywhere.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out (also when the token was unknown)"),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let address = client_address(&req);
    state
        .db
        .transact(move |conn| auth::sign_out(conn, now(), address, &body.0.refresh_token))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sign out of every device (a lost phone, say): every refresh token is revoked and every
/// access token issued so far, this one included, stops working on its next request, on
/// every instance within seconds (ACC-1).
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out everywhere"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout-everywhere")]
async fn logout_everywhere(
    state: web::Data<AppState>,
    caller: PendingCaller,
) -> ApiResult<HttpResponse> {
    let caller = caller.0;
    let id = caller.person_id.clone();
    state
        .db
        .transact(move |conn| auth::sign_out_everywhere(conn, &caller))
        .await?;
    state.access.forget(&id);
    Ok(HttpResponse::NoContent().finish())
}
