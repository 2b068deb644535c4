//! The signed-in person's own profile and password.

use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::{issue_tokens, TokenResponse};
use super::people::{person_response, PersonView};
use crate::auth::password;
use crate::domain::people::{check_password, parse_time_zone};
use crate::domain::validation::{bounded_text, Invalid};
use crate::http::extract::{Caller, IfMatch, Json, PendingCaller};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::AppState;
use crate::store::{audit, people, StoreError};

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
    let id = caller.0.person_id;
    let person = state
        .db
        .read_small(move |conn| people::find(conn, &id))
        .await?;
    Ok(person_response(HttpResponse::Ok(), person))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Aisha Khan", "time_zone": "Europe/London"}))]
pub struct UpdateMe {
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
    /// IANA time zone; reminders and "today" follow it (CAL-4).
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
    let mut invalid = Invalid::default();
    let changes = people::Changes {
        display_name: body
            .0
            .display_name
            .as_deref()
            .and_then(|v| invalid.check(bounded_text("display_name", v, 1, 200))),
        time_zone: body
            .0
            .time_zone
            .as_deref()
            .and_then(|v| invalid.check(parse_time_zone("time_zone", v)))
            .map(|tz| tz.name().to_string()),
        ..people::Changes::default()
    };
    invalid.into_result(|| ())?;
    let actor = caller.for_audit();
    let id = caller.person_id.clone();
    let updated = state
        .db
        .write(move |conn| {
            let expected = version.expect_with(|| people::find(conn, &id).map(|p| p.version))?;
            let person = people::update(conn, &id, expected, &changes)?;
            audit::record(
                conn,
                &actor,
                "person.updated",
                "person",
                Some(&id),
                json!({ "self": true }),
            )?;
            Ok(person)
        })
        .await;
    match updated {
        Ok(person) => Ok(person_response(HttpResponse::Ok(), person)),
        Err(StoreError::VersionMismatch { .. }) => {
            Err(super::people::stale(&state, caller.person_id).await)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "one-time-password", "new_password": "a long passphrase I chose"}))]
pub struct ChangePassword {
    pub current_password: String,
    /// 12 to 128 characters.
    pub new_password: String,
}

/// Change your password (required after signing in with a one-time password). Signs out every
/// other device and returns fresh tokens for this one.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ChangePassword,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Current password wrong, or new password too short or unchanged", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/password")]
async fn change_password(
    state: web::Data<AppState>,
    caller: PendingCaller,
    body: Json<ChangePassword>,
) -> ApiResult<web::Json<TokenResponse>> {
    let caller = caller.0;
    let ChangePassword {
        current_password,
        new_password,
    } = body.0;
    check_password("new_password", &new_password)?;
    if new_password == current_password {
        return Err(Invalid::field("new_password", "must differ from the current password").into());
    }
    let id = caller.person_id.clone();
    let stored = state
        .db
        .read(move |conn| people::password_hash(conn, &id))
        .await?;
    let new_hash = web::block(move || {
        password::verify(&current_password, stored.as_deref())
            .then(|| password::hash(&new_password))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .ok_or_else(|| Invalid::field("current_password", "is wrong"))?;
    let actor = caller.for_audit();
    let issued = state
        .db
        .write({
            let state = state.clone();
            move |conn| {
                let id = actor.person_id.clone().unwrap_or_default();
                people::set_password(conn, &id, &new_hash, false)?;
                people::sign_out_everywhere(conn, &id)?;
                audit::record(
                    conn,
                    &actor,
                    "person.password_changed",
                    "person",
                    Some(&id),
                    json!({}),
                )?;
                let person = people::find(conn, &id)?;
                issue_tokens(conn, &state, &person, None)
            }
        })
        .await?;
    state.access.forget(&caller.person_id);
    Ok(web::Json(issued))
}
