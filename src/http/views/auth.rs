//! Tokens as the API shows them; shared by the auth and me routes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::auth::Tokens;

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
    /// Exchange at `/auth/refresh` for new tokens; each refresh token works once. Absent when
    /// the request asked for `refresh_token_delivery: "cookie"`: the token is then in the
    /// `supervision_refresh` cookie, out of reach of page scripts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub refresh_expires_in: i64,
    pub person_id: String,
    /// When true, only `GET /me` and `POST /me/password` are allowed until the password is changed.
    pub must_change_password: bool,
}

impl From<Tokens> for TokenResponse {
    fn from(t: Tokens) -> TokenResponse {
        TokenResponse {
            access_token: t.access_token,
            token_type: "Bearer".into(),
            expires_in: t.expires_in,
            refresh_token: Some(t.refresh_token),
            refresh_expires_in: t.refresh_expires_in,
            person_id: t.person_id,
            must_change_password: t.must_change_password,
        }
    }
}

/// Where the answer puts the refresh token: in the JSON body (the default, for API clients),
/// or, for a browser app, in an `HttpOnly`, `SameSite=Strict` cookie named
/// `supervision_refresh` scoped to `/api/v1/auth` (`Secure` when the page is HTTPS), which
/// `/auth/refresh` and `/auth/logout` then read when their body names no token. Such a request
/// must come from this site's own pages (`Origin`, `Sec-Fetch-Site`), or it is refused with
/// 403 `cross-site-request`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RefreshTokenDelivery {
    #[default]
    Body,
    Cookie,
}
