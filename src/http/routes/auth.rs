//! Sign-in (ACC-1): password login, refresh-token rotation with reuse detection, logout.

use std::time::Instant;

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{password, tokens};
use crate::domain::validation::bounded_text;
use crate::http::extract::{client_address, Json, PendingCaller};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::AppState;
use crate::store::audit::{self, Actor};
use crate::store::people::Person;
use crate::store::{now, people, refresh_tokens, DbConnection, StoreResult};

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
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "q1Xr0eV2c3Jd9nM3b6Xh0m5yQeVq2d9GZ0a3c8o1bWk"}))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Tokens for a signed-in person.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "q1Xr0eV2c3Jd9nM3b6Xh0m5yQeVq2d9GZ0a3c8o1bWk",
    "refresh_expires_in": 2592000,
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "must_change_password": false
}))]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Exchange at `/auth/refresh` for new tokens; each refresh token works once.
    pub refresh_token: String,
    pub refresh_expires_in: i64,
    pub person_id: String,
    /// When true, only `GET /me` and `POST /me/password` are allowed until the password is changed.
    pub must_change_password: bool,
}

const BAD_CREDENTIALS: &str = "the e-mail or password is wrong";

/// Starts a refresh-token family (or continues one) and signs an access token, inside the
/// caller's transaction.
pub fn issue_tokens(
    conn: &mut DbConnection,
    state: &AppState,
    person: &Person,
    family_id: Option<&str>,
) -> StoreResult<TokenResponse> {
    let issued = now();
    let family = family_id.map_or_else(crate::store::new_id, str::to_string);
    let (refresh_token, hash) = tokens::new_opaque_token();
    refresh_tokens::insert(
        conn,
        &family,
        &person.id,
        &hash,
        issued,
        issued + state.refresh_ttl,
    )?;
    Ok(TokenResponse {
        access_token: state.tokens.issue(
            &person.id,
            people::access(conn, &person.id)?.epoch,
            chrono::Utc::now(),
        ),
        token_type: "Bearer".into(),
        expires_in: state.tokens.access_ttl_seconds,
        refresh_token,
        refresh_expires_in: state.refresh_ttl.num_seconds(),
        person_id: person.id.clone(),
        must_change_password: person.must_change_password,
    })
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
    if password.len() > 1024 {
        return Err(ApiError::bad_field("password", "is too long"));
    }
    let address = client_address(&req);
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
            .read(move |conn| people::credentials_by_email(conn, &email))
            .await?
    };
    // argon2 is slow on purpose: keep it off the async workers.
    let (person, hash) = found.map_or((None, None), |(p, h)| (Some(p), h));
    let verified = web::block(move || password::verify(&password, hash.as_deref()))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let person = person.filter(|p| verified && p.active);
    state
        .limiter
        .attempted(&email, &address, person.is_some(), Instant::now());

    let actor = Actor {
        person_id: person.as_ref().map(|p| p.id.clone()),
        address: Some(address),
    };
    let Some(person) = person else {
        state
            .db
            .write(move |conn| {
                audit::record(
                    conn,
                    &actor,
                    "auth.login_failed",
                    "person",
                    None,
                    json!({ "email": email }),
                )
            })
            .await?;
        return Err(ApiError::Unauthenticated(BAD_CREDENTIALS));
    };
    let issued = state
        .db
        .write({
            let state = state.clone();
            move |conn| {
                audit::record(
                    conn,
                    &actor,
                    "auth.login",
                    "person",
                    Some(&person.id),
                    json!({}),
                )?;
                issue_tokens(conn, &state, &person, None)
            }
        })
        .await?;
    Ok(web::Json(issued))
}

enum RefreshOutcome {
    Issued(Box<TokenResponse>),
    Refused(&'static str),
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
    let hash = tokens::hash_opaque_token(body.0.refresh_token.trim());
    let address = client_address(&req);
    let outcome = state
        .db
        .write({
            let state = state.clone();
            move |conn| {
                let at = now();
                let Some(token) = refresh_tokens::find_by_hash(conn, &hash)? else {
                    return Ok(RefreshOutcome::Refused("the refresh token is not valid"));
                };
                let actor = Actor {
                    person_id: Some(token.person_id.clone()),
                    address: Some(address),
                };
                if token.revoked_at.is_some() {
                    return Ok(RefreshOutcome::Refused(
                        "the refresh token was revoked; sign in again",
                    ));
                }
                // A token used before (or by a request racing this one) is being replayed.
                if token.used_at.is_some() || !refresh_tokens::spend(conn, &token.id, at)? {
                    refresh_tokens::revoke_family(conn, &token.family_id, at)?;
                    audit::record(
                        conn,
                        &actor,
                        "auth.refresh_reuse",
                        "person",
                        Some(&token.person_id),
                        json!({ "family_id": token.family_id }),
                    )?;
                    return Ok(RefreshOutcome::Refused(
                        "the refresh token was already used; sign in again",
                    ));
                }
                if token.expires_at <= at {
                    return Ok(RefreshOutcome::Refused(
                        "the refresh token has expired; sign in again",
                    ));
                }
                let person = people::find(conn, &token.person_id)?;
                if !person.active {
                    refresh_tokens::revoke_family(conn, &token.family_id, at)?;
                    return Ok(RefreshOutcome::Refused("the account is inactive"));
                }
                let issued = issue_tokens(conn, &state, &person, Some(&token.family_id))?;
                audit::record(
                    conn,
                    &actor,
                    "auth.refreshed",
                    "person",
                    Some(&person.id),
                    json!({ "family_id": token.family_id }),
                )?;
                Ok(RefreshOutcome::Issued(Box::new(issued)))
            }
        })
        .await?;
    match outcome {
        RefreshOutcome::Issued(tokens) => Ok(web::Json(*tokens)),
        RefreshOutcome::Refused(why) => Err(ApiError::Unauthenticated(why)),
    }
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
    let hash = tokens::hash_opaque_token(body.0.refresh_token.trim());
    let address = client_address(&req);
    state
        .db
        .write(move |conn| {
            if let Some(token) = refresh_tokens::find_by_hash(conn, &hash)? {
                refresh_tokens::revoke_family(conn, &token.family_id, now())?;
                let actor = Actor {
                    person_id: Some(token.person_id.clone()),
                    address: Some(address),
                };
                audit::record(
                    conn,
                    &actor,
                    "auth.logout",
                    "person",
                    Some(&token.person_id),
                    json!({}),
                )?;
            }
            Ok(())
        })
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
    let actor = caller.for_audit();
    let id = caller.person_id.clone();
    state
        .db
        .write(move |conn| {
            people::sign_out_everywhere(conn, &id)?;
            audit::record(
                conn,
                &actor,
                "auth.logout_everywhere",
                "person",
                Some(&id),
                json!({}),
            )
        })
        .await?;
    state.access.forget(&caller.person_id);
    Ok(HttpResponse::NoContent().finish())
}
