//! Extractors: who is calling (one bearer-token check for every endpoint), and request bodies
//! and queries read strictly, with errors that name the field (API-1, API-5).

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::problem::ApiError;
use super::AppState;
use crate::app::{Actor, Expected};
use crate::auth::tokens::{Claims, TokenError};
use crate::domain::validation::Invalid;
use crate::store::people::{self, Access};
use crate::store::StoreError;

/// The signed-in person making the request: the application layer's [`Actor`], read from the
/// bearer token and today's access.
pub type Caller = Actor;

fn state(req: &HttpRequest) -> Result<&web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))
}

/// Verifies the bearer token: signature, algorithm, issuer, audience, expiry.
pub fn bearer_claims(req: &HttpRequest) -> Result<Claims, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthenticated(
            "an Authorization: Bearer token is required",
        ))?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .ok_or(ApiError::Unauthenticated(
            "the Authorization header must be `Bearer <token>`",
        ))?;
    state(req)?
        .tokens
        .verify(token.trim())
        .map_err(|err| match err {
            TokenError::Expired => {
                ApiError::Unauthenticated("the access token has expired; refresh it")
            }
            TokenError::Invalid => ApiError::Unauthenticated("the access token is not valid"),
        })
}

/// The client's address: the peer, or with `trust_forwarded_for` the first X-Forwarded-For hop.
pub fn client_address(req: &HttpRequest) -> String {
    let trust = state(req).map(|s| s.trust_forwarded_for).unwrap_or(false);
    if trust {
        if let Some(forwarded) = req.connection_info().realip_remote_addr() {
            return forwarded.to_string();
        }
    }
    // The socket's address alone: cheaper than parsing the forwarding headers on every call.
    req.peer_addr()
        .map_or_else(|| "unknown".to_string(), |peer| peer.ip().to_string())
}

/// The caller behind a request's bearer token, with their access as the database has it now
/// (through [`AppState::access`]): a deactivated person, a token from before a password change
/// or a sign-out everywhere, or a person who no longer exists is 401; roles are today's.
fn caller_from(
    req: &HttpRequest,
    allow_pending_password: bool,
) -> impl Future<Output = Result<Caller, ApiError>> + 'static {
    let claims = bearer_claims(req);
    let state = state(req).cloned();
    let address = client_address(req);
    async move {
        let claims = claims?;
        let access = current_access(&state?, &claims.sub).await?;
        if !access.active || access.epoch != claims.ep {
            return Err(ApiError::Unauthenticated(
                "the access token was revoked; sign in again",
            ));
        }
        if access.must_change_password && !allow_pending_password {
            return Err(ApiError::PasswordChangeRequired);
        }
        Ok(Caller {
            person_id: claims.sub,
            is_admin: access.is_admin,
            is_auditor: access.is_auditor,
            address,
        })
    }
}

/// Who is signed in behind the request, checked as [`Caller`] checks it but letting a person
/// who must still change their password through (the handler decides what they may do).
pub fn signed_in(req: &HttpRequest) -> impl Future<Output = Result<Caller, ApiError>> + 'static {
    caller_from(req, true)
}

async fn current_access(state: &web::Data<AppState>, person_id: &str) -> Result<Access, ApiError> {
    let read_at = Instant::now();
    if let Some(access) = state.access.get(person_id, read_at) {
        return Ok(access);
    }
    let id = person_id.to_string();
    match state
        .db
        .read_small(move |conn| people::access(conn, &id))
        .await
    {
        Ok(access) => {
            state.access.put(person_id, access, read_at);
            Ok(access)
        }
        // A well-signed token for someone who is not there: not signed in, not "not found".
        Err(StoreError::NotFound) => Err(ApiError::Unauthenticated(
            "the access token's person does not exist",
        )),
        Err(other) => Err(other.into()),
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(caller_from(req, false))
    }
}

/// A caller who may still have to change a one-time password: only the endpoints that let them
/// do that (and read their own profile) accept it.
#[derive(Debug, Clone)]
pub struct PendingCaller(pub Caller);

impl FromRequest for PendingCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<PendingCaller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = caller_from(req, true);
        Box::pin(async move { caller.await.map(PendingCaller) })
    }
}

/// A JSON body read strictly: `application/json` only, size-limited, unknown fields refused by
/// the target types, and errors that name the field.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Json<T>, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| {
                let v = v.trim().to_ascii_lowercase();
                v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
            })
            .unwrap_or(false);
        let limit = state(req).map(|s| s.max_body_bytes).unwrap_or(64 * 1024);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let bytes = bytes.await.map_err(|err| {
                if err.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    ApiError::PayloadTooLarge { limit }
                } else {
                    ApiError::BadRequest {
                        detail: "the request body could not be read".into(),
                        field: None,
                    }
                }
            })?;
            parse_json(&bytes).map(Json)
        })
    }
}

/// Parses JSON, naming the field at fault (`manager.starts_on`) in the error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let detail = in_api_words(&without_position(&inner.to_string()));
        if inner.classify() != serde_json::error::Category::Data {
            ApiError::BadRequest {
                detail: format!("the body is not valid JSON: {detail}"),
                field: None,
            }
        } else if path.is_empty() || path == "." {
            ApiError::BadRequest {
                detail: format!("the body is not valid JSON for this request: {detail}"),
                field: None,
            }
        } else {
            ApiError::unreadable_field(path, &detail)
        }
    })?;
    de.end().map_err(|_| ApiError::BadRequest {
        detail: "the body has trailing characters after the JSON value".into(),
        field: None,
    })?;
    Ok(value)
}

/// serde_json appends "at line 1 column 17"; the field path says more to an app developer.
fn without_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

/// A query string read strictly, with errors naming the parameter.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Query<T>, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = {
            let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(
                req.query_string().as_bytes(),
            ));
            serde_path_to_error::deserialize(de)
                .map(Query)
                .map_err(|err| {
                    let path = err.path().to_string();
                    let detail = in_api_words(&err.into_inner().to_string());
                    if path.is_empty() || path == "." {
                        ApiError::BadRequest {
                            detail: format!("the query string is not valid: {detail}"),
                            field: None,
                        }
                    } else {
                        ApiError::unreadable_field(path, &detail)
                    }
                })
        };
        std::future::ready(parsed)
    }
}

/// The version a client last read, from `If-Match: "<version>"` (SES-5 style optimistic
/// concurrency), or `*`, which matches whatever version is current (RFC 9110). A missing
/// header is 428, an empty one 400, and one that cannot match any version 412.
pub type IfMatch = Expected;

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<IfMatch, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get(header::IF_MATCH).map(|v| v.to_str()) {
            None => Err(ApiError::PreconditionRequired),
            Some(Ok(value)) if value.trim() == "*" => Ok(Expected::ANY),
            Some(Ok(value)) if value.trim().is_empty() => Err(ApiError::bad_field(
                "If-Match",
                "must be the resource's ETag (as `\"3\"`) or `*`",
            )),
            Some(value) => value
                .ok()
                .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
                .and_then(|v| v.parse::<i32>().ok())
                .map(Expected::version)
                .ok_or(ApiError::PreconditionFailed { current: None }),
        };
        std::future::ready(parsed)
    }
}

/// A path parameter that does not parse: a 400 problem naming the parameter (actix's own
/// answer is plain text naming a Rust type).
pub fn path_error(err: actix_web::error::PathError, req: &HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    // serde's message quotes the value it could not read: find which parameter carried it.
    let sent = message.split('"').nth(1).unwrap_or_default();
    let field = req
        .match_info()
        .iter()
        .find(|(_, value)| *value == sent)
        .map(|(name, _)| name.to_string());
    let detail = format!("`{sent}` is not {}", expected_in_words(&message));
    match field {
        Some(field) => ApiError::bad_field(field, detail),
        None => ApiError::BadRequest {
            detail: format!("a path parameter is not valid: {detail}"),
            field: None,
        },
    }
    .into()
}

/// What a Rust type in a parse error means to a client.
fn expected_in_words(message: &str) -> &'static str {
    const WHOLE: [&str; 10] = [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "isize",
    ];
    if WHOLE.iter().any(|t| message.ends_with(&format!(" {t}"))) {
        "a whole number"
    } else {
        "a valid value here"
    }
}

/// serde's "expected i32" names a Rust type; a client reads "expected a whole number".
fn in_api_words(detail: &str) -> String {
    match detail.rsplit_once(", expected ") {
        Some((head, _)) if expected_in_words(detail) == "a whole number" => {
            format!("{head}, expected a whole number")
        }
        _ => detail.to_string(),
    }
}

/// The ETag of a resource at a version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

pub const MAX_PAGE_SIZE: i64 = 200;
pub const DEFAULT_PAGE_SIZE: i64 = 50;

/// Limit/offset paging with a hard maximum (API-3). List queries carry `limit` and `offset`
/// fields themselves (serde's flatten loses their number types in query strings).
pub fn page(limit: Option<i64>, offset: Option<i64>) -> Result<crate::store::Page, Invalid> {
    let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
    let offset = offset.unwrap_or(0);
    let mut invalid = Invalid::default();
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        invalid.push("limit", format!("must be between 1 and {MAX_PAGE_SIZE}"));
    }
    if offset < 0 {
        invalid.push("offset", "must not be negative");
    }
    invalid.into_result(|| crate::store::Page { limit, offset })
}
